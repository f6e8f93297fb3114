"""The OSM reader and the network keep every highway way and width tag: counts against pyosmium's own filters.

Each real extract in ../shared/osm is read twice: by the engine (`read_osm`, then `build_network`)
and, independently, by pyosmium's C++ `KeyFilter("highway")` with node locations. The counts per
highway value, per width tag and per `WayKind`, and the width of every tagged way, must agree.

The rules for what the engine may legitimately leave out are written here, not imported:

* the reader keeps a highway way when it has at least 2 node references;
* the network keeps a way when its highway value gives a kind (`EXPECTED_KIND`), it is not indoor
  (`indoor` absent, "no" or empty) and at least one pair of consecutive nodes is in the file with
  distinct ids (a clipped extract references nodes it does not contain). Closed highway areas
  (area=yes) are not dropped: their outline is a segment like any other;
* the network keeps one segment per node pair (the widest), so a way may vanish only when every one
  of its node pairs is a segment of the network under another way or as an open-area crossing.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import osmium
import pytest
import shapely
from osmium.filter import KeyFilter

from pactesur.engine._widths import HIGHWAY_KINDS
from pactesur.engine.io.osm import OsmExtract, read_osm
from pactesur.engine.network import StreetNetwork, WayKind
from pactesur.engine.osm_import import build_network
from pactesur.engine.projection import LocalProjection
from tests.conftest import SHARED_OSM, shared_osm

OSM_SUFFIXES = (".osm", ".osm.gz", ".osm.pbf")
WIDTH_KEYS = ("width", "est_width", "lanes")
# The kind each highway value must give, written out so that dropping one from the engine's table
# fails here; values the engine maps beyond these are taken from the engine (see `_expected_kinds`).
EXPECTED_KIND: dict[str, WayKind] = {
    **dict.fromkeys(
        (
            "motorway",
            "trunk",
            "primary",
            "secondary",
            "tertiary",
            "motorway_link",
            "trunk_link",
            "primary_link",
            "secondary_link",
            "tertiary_link",
            "residential",
            "unclassified",
            "living_street",
            "road",
            "busway",
            "bus_guideway",
        ),
        WayKind.ROAD,
    ),
    "service": WayKind.SERVICE,
    "pedestrian": WayKind.PEDESTRIAN,
    "footway": WayKind.FOOTWAY,
    "cycleway": WayKind.CYCLEWAY,
    "track": WayKind.TRACK,
    "path": WayKind.PATH,
    "bridleway": WayKind.PATH,
    "steps": WayKind.STEPS,
}
# The engine's documented width rules, restated: `width`, else `est_width`, else lanes × 3 m;
# widths outside 0.5–60 m are typos it ignores (those ways are skipped here, not predicted).
LANE_WIDTH_M = 3.0
PLAUSIBLE_WIDTH_M = (0.5, 60.0)
MAX_LANES = 12
# Plain metre values only ("3", "3.5", "3.5 m", "3.5m"); anything else is skipped and counted.
PLAIN_METRES = re.compile(r"(\d+(?:\.\d+)?) ?m?")
PLAIN_LANES = re.compile(r"\d+")


@dataclass(frozen=True)
class RawWay:
    """A highway way as pyosmium sees it: all its tags, node ids, and which nodes the file has."""

    tags: dict[str, str]
    refs: tuple[int, ...]
    known: tuple[bool, ...]

    def node_pairs(self) -> set[tuple[int, int]]:
        """The unordered pairs of consecutive nodes both in the file, with distinct ids."""
        return {
            (min(a, b), max(a, b))
            for a, b, ka, kb in zip(self.refs, self.refs[1:], self.known, self.known[1:], strict=False)
            if ka and kb and a != b
        }


@dataclass(frozen=True)
class Case:
    """One extract as the engine read it and as pyosmium read it."""

    name: str
    extract: OsmExtract
    network: StreetNetwork
    raw: dict[int, RawWay]


def _extract_params() -> list[object]:
    paths = sorted(p for p in SHARED_OSM.glob("*") if p.name.endswith(OSM_SUFFIXES))
    if paths:
        return [pytest.param(p.name, id=p.name) for p in paths]
    reason = f"no OSM extract in {SHARED_OSM} (../shared/osm beside the repo)"
    return [pytest.param(None, marks=pytest.mark.skip(reason=reason), id="no-shared-extracts")]


def _raw_highway_ways(path: Path) -> dict[int, RawWay]:
    """Every way with a highway key, by pyosmium's own C++ filter (nodes pass, for their locations)."""
    highway = KeyFilter("highway")
    highway.enable_for(osmium.osm.WAY)
    processor = (
        osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
        .with_locations()
        .with_filter(highway)
    )
    ways: dict[int, RawWay] = {}
    for obj in processor:
        if obj.is_way():
            nodes = list(obj.nodes)
            ways[obj.id] = RawWay(
                tags=dict(obj.tags),
                refs=tuple(n.ref for n in nodes),
                known=tuple(n.location.valid() for n in nodes),
            )
    return ways


@pytest.fixture(scope="module", params=_extract_params())
def case(request: pytest.FixtureRequest) -> Case:
    path = shared_osm(request.param)
    extract = read_osm(path)
    network = build_network(extract, LocalProjection.for_bounds(extract.meta.bounds))
    return Case(path.name, extract, network, _raw_highway_ways(path))


def _expected_kinds() -> dict[str, WayKind]:
    return {**HIGHWAY_KINDS, **EXPECTED_KIND}


def _is_indoor(tags: dict[str, str]) -> bool:
    return tags.get("indoor", "no") not in ("no", "")


def _usable_kinds(case: Case) -> dict[int, WayKind]:
    """Way id → expected kind of every way the network must keep (rules in the module docstring)."""
    kinds = _expected_kinds()
    return {
        way_id: kinds[way.tags["highway"]]
        for way_id, way in case.raw.items()
        if way.tags["highway"] in kinds and not _is_indoor(way.tags) and way.node_pairs()
    }


def _network_pair_owners(network: StreetNetwork) -> dict[tuple[int, int], int]:
    """Unordered OSM node pair → way id of the segment the network kept for it (0: open-area crossing)."""
    a = network.node_osm_id[network.seg_u].tolist()
    b = network.node_osm_id[network.seg_v].tolist()
    return {(min(x, y), max(x, y)): way for x, y, way in zip(a, b, network.seg_way_id.tolist(), strict=True)}


def _network_way_kinds(network: StreetNetwork) -> dict[int, set[int]]:
    kinds: dict[int, set[int]] = {}
    for way, kind in zip(network.seg_way_id.tolist(), network.seg_kind.tolist(), strict=True):
        if way != 0:
            kinds.setdefault(way, set()).add(kind)
    return kinds


def _merged_ways(case: Case, missing: set[int]) -> set[int]:
    """The missing ways whose every node pair the network kept under another way or a crossing."""
    owners = _network_pair_owners(case.network)
    return {
        way_id
        for way_id in missing
        if all(owners.get(pair, way_id) != way_id for pair in case.raw[way_id].node_pairs())
    }


def _plain_metres(value: str) -> float | None:
    match = PLAIN_METRES.fullmatch(value.strip())
    return float(match[1]) if match else None


def _expected_width_m(tags: dict[str, str]) -> tuple[str, float | None]:
    """(the tag that sets the width, the width in metres); None when the value is skipped here."""
    for key in ("width", "est_width"):
        if key in tags:
            metres = _plain_metres(tags[key])
            low, high = PLAUSIBLE_WIDTH_M
            if metres is None or not low <= metres <= high:
                return key, None
            return key, metres
    value = tags["lanes"].strip()
    if not PLAIN_LANES.fullmatch(value) or not 1 <= int(value) <= MAX_LANES:
        return "lanes", None
    return "lanes", int(value) * LANE_WIDTH_M


def test_engine_still_maps_every_highway_value_the_counts_expect() -> None:
    # Values no shared extract has (busway, bus_guideway, bridleway…) are only caught here.
    missing = {k: v for k, v in EXPECTED_KIND.items() if HIGHWAY_KINDS.get(k) != v}
    assert not missing, f"highway values the engine no longer maps to these kinds: {missing}"


def test_reader_keeps_every_highway_way_of_each_value(case: Case) -> None:
    independent = {way_id: w.tags["highway"] for way_id, w in case.raw.items() if len(w.refs) >= 2}
    kept = {
        int(case.extract.way_id[k]): tags["highway"]
        for k in range(case.extract.way_count)
        if "highway" in (tags := case.extract.way_tags(k))
    }
    counted, expected = Counter(kept.values()), Counter(independent.values())
    assert counted == expected, (
        f"{case.name}: reader lost {dict(expected - counted)}, added {dict(counted - expected)}"
    )
    assert kept == independent  # the same ways, not only as many


def test_reader_keeps_every_width_est_width_and_lanes_tag(case: Case) -> None:
    independent = Counter(
        (key, w.tags[key])
        for w in case.raw.values()
        if len(w.refs) >= 2
        for key in WIDTH_KEYS
        if key in w.tags
    )
    kept = Counter(
        (key, tags[key])
        for k in range(case.extract.way_count)
        if "highway" in (tags := case.extract.way_tags(k))
        for key in WIDTH_KEYS
        if key in tags
    )
    assert independent, f"{case.name}: no width, est_width or lanes tag: the count would be empty"
    assert kept == independent, (
        f"{case.name}: reader lost {dict(independent - kept)}, added {dict(kept - independent)}"
    )


def test_network_keeps_every_usable_way_of_each_highway_value(case: Case) -> None:
    usable = _usable_kinds(case)
    in_network = set(_network_way_kinds(case.network))
    extra = in_network - set(usable)
    assert not extra, (
        f"{case.name}: network ways that are not usable highway ways: "
        f"{Counter(case.raw[w].tags['highway'] if w in case.raw else '?' for w in extra)}"
    )
    merged = _merged_ways(case, set(usable) - in_network)
    # reader side: the highway value as the extract kept it
    row = {int(w): k for k, w in enumerate(case.extract.way_id.tolist())}
    counted = Counter(case.extract.way_tags(row[w]).get("highway") for w in in_network | merged)
    expected = Counter(case.raw[w].tags["highway"] for w in usable)
    assert counted == expected, (
        f"{case.name}: network lost {dict(expected - counted)}, added {dict(counted - expected)}"
    )


def test_network_segments_of_each_way_have_the_kind_of_its_highway_value(case: Case) -> None:
    usable = _usable_kinds(case)
    way_kinds = _network_way_kinds(case.network)
    wrong = {
        w: (case.raw[w].tags["highway"], kinds) for w, kinds in way_kinds.items() if kinds != {usable[w]}
    }
    assert not wrong, f"{case.name}: way → (highway, segment kinds): {dict(list(wrong.items())[:10])}"
    by_kind = Counter(WayKind(next(iter(kinds))).name for kinds in way_kinds.values())
    expected = Counter(usable[w].name for w in way_kinds)
    assert by_kind == expected


def _on_open_surface(network: StreetNetwork) -> npt.NDArray[np.bool_]:
    """Segments whose two ends lie on an open surface (within the import's 1 m anchor tolerance)."""
    if not network.open_areas_xy:
        return np.zeros(network.segment_count, dtype=np.bool_)
    surfaces = shapely.buffer(shapely.union_all(list(network.open_areas_xy)), 1.5)
    shapely.prepare(surfaces)
    near = shapely.contains_xy(surfaces, network.node_x, network.node_y)
    return np.asarray(near[network.seg_u] & near[network.seg_v])


def test_network_width_of_each_tagged_way_comes_from_its_width_est_width_or_lanes_tag(case: Case) -> None:
    usable = _usable_kinds(case)
    seg_way = case.network.seg_way_id
    checked: Counter[str] = Counter()
    skipped: Counter[str] = Counter()
    wrong: dict[int, tuple[str, str, float, list[float]]] = {}
    on_surface = _on_open_surface(case.network)
    for way_id, way in case.raw.items():
        if way_id not in usable or not any(key in way.tags for key in WIDTH_KEYS):
            continue
        key, width_m = _expected_width_m(way.tags)
        mine = seg_way == way_id
        segments = case.network.seg_width_m[mine]
        if width_m is None or segments.shape[0] == 0:  # odd format, or merged into another way
            skipped[key] += 1
            continue
        checked[key] += 1
        # a segment that is also a straight crossing of an open square takes the square's width
        # when wider (`_dedupe`): there it may be wider than its tag, never narrower
        exact = np.where(on_surface[mine], segments >= np.float32(width_m), segments == np.float32(width_m))
        if not np.all(exact):
            wrong[way_id] = (key, way.tags[key], width_m, sorted(set(segments.tolist())))
    assert checked, f"{case.name}: no way with a plain width, est_width or lanes tag (skipped: {skipped})"
    assert not wrong, (
        f"{case.name}: {len(wrong)} of {checked.total()} tagged ways have another width, e.g."
        f" (tag, value, expected m, segment widths): {dict(list(wrong.items())[:8])}"
    )
