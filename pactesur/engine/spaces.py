"""Suggest the crowded public spaces of a city from its OSM extract (squares, pedestrian streets…)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
import shapely

from pactesur.engine._widths import way_width_m
from pactesur.engine.io.osm import OsmExtract
from pactesur.engine.projection import LocalProjection

ObjectArray = npt.NDArray[np.object_]

# Kinds, best first: when suggestions with the same name overlap, the best kind is kept.
SPACE_KINDS: tuple[str, ...] = (
    "square",
    "market",
    "pedestrian_area",
    "pedestrian_street",
    "promenade",
    "station_forecourt",
    "event_venue",
    "place_of_worship",
    "attraction",
    "park",
)
MIN_SPACE_AREA_M2 = 200.0  # (assumption) smaller polygons are kiosks, tiny courtyards, mapping slivers
MIN_PARK_AREA_M2 = 2_000.0  # (assumption) a park smaller than this rarely gathers a crowd
MIN_SPORTS_CENTRE_AREA_M2 = 5_000.0  # (assumption) a sports centre large enough for events
MIN_UNNAMED_AREA_M2 = 1_000.0  # (assumption) unnamed squares/markets/pedestrian areas kept above this
WORSHIP_FORECOURT_M = 5.0  # (assumption) the crowd gathers on the few metres in front of the doors
VENUE_FORECOURT_M = 10.0  # (assumption) queues and exits spread around a venue
STATION_RADIUS_M = 60.0  # (assumption) a station's forecourt lies within 60 m of its node or building
PROMENADE_WORDS: tuple[str, ...] = (
    "promenade",
    "promenaden",
    "esplanade",
    "esplanadi",
    "lungomare",
    "passeig",
    "passeggiata",
    "paseo",
    "rambla",
    "corniche",
    "boardwalk",
    "strandpromenade",
    "promenada",
)
VENUE_AMENITIES = frozenset(
    {
        "theatre",
        "arts_centre",
        "concert_hall",
        "events_venue",
        "exhibition_centre",
        "conference_centre",
        "cinema",
    }
)
PARK_LEISURE = frozenset({"park", "garden"})
PRIVATE_ACCESS = frozenset({"private", "no", "customers"})


@dataclass(frozen=True, eq=False)
class SuggestedSpace:
    """A public space the import proposes to the city: its name, kind and outline in lon/lat.

    `named` is False when OpenStreetMap gives the space no name of its own: `name` is then made up
    in English ("Unnamed square (way 123)", "Rautatientori station forecourt") for the command line,
    and the app shows a label in the reader's language instead.
    """

    name: str
    kind: str
    osm_type: str  # "way" or "relation"
    osm_id: int
    polygon: Any  # shapely Polygon | MultiPolygon, lon/lat, valid
    tags: dict[str, str]
    area_m2: float
    named: bool = True


def _is_promenade(tags: dict[str, str]) -> bool:
    if tags.get("footway") == "promenade" or tags.get("leisure") == "promenade":
        return True
    name = tags.get("name", "").casefold()
    return any(word in name for word in PROMENADE_WORDS)


def _area_kind(  # noqa: PLR0911 - one return per kind reads as the rule table it is
    tags: dict[str, str], area_m2: float
) -> str | None:
    """The kind of space a polygon is, or None."""
    highway = tags.get("highway") or tags.get("area:highway")
    if tags.get("place") == "square":
        return "square"
    if tags.get("amenity") == "marketplace":
        return "market"
    if highway in ("pedestrian", "footway") and "building" not in tags:
        if _is_promenade(tags):
            return "promenade"
        return "pedestrian_area" if highway == "pedestrian" else None
    if tags.get("leisure") == "promenade":
        return "promenade"
    if tags.get("leisure") == "stadium" or tags.get("amenity") in VENUE_AMENITIES:
        return "event_venue"
    if tags.get("leisure") == "sports_centre" and area_m2 >= MIN_SPORTS_CENTRE_AREA_M2:
        return "event_venue"
    if tags.get("amenity") == "place_of_worship":
        return "place_of_worship"
    if tags.get("tourism") == "attraction":
        return "attraction"
    if tags.get("leisure") in PARK_LEISURE and area_m2 >= MIN_PARK_AREA_M2:
        if tags.get("access") in PRIVATE_ACCESS or tags.get("garden:type") in ("private", "residential"):
            return None
        return "park"
    return None


def _polygonal(geom: Any) -> Any:
    """Keep only the polygon parts of a geometry, valid; None if nothing is left."""
    geom = shapely.make_valid(geom)
    parts = [g for g in shapely.get_parts(geom) if isinstance(g, shapely.Polygon) and not g.is_empty]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)


def areas_xy(extract: OsmExtract, proj: LocalProjection) -> ObjectArray:
    """Return all area polygons of an extract in metres: projected once, shared with the network build."""
    return extract.cached(f"areas_xy {proj.crs}", lambda: proj.geoms_to_xy(extract.area_geom))


def _area_candidates(extract: OsmExtract, proj: LocalProjection) -> list[SuggestedSpace]:
    """Spaces mapped as closed ways or multipolygon relations."""
    if extract.area_geom.shape[0] == 0:
        return []
    xy = areas_xy(extract, proj)
    areas = shapely.area(xy)
    out: list[_Pending] = []
    for k, tags in enumerate(extract.area_tags):
        kind = _area_kind(tags, float(areas[k]))
        if kind is None:
            continue
        name = tags.get("name", "")
        if not name and not (
            kind in ("square", "market", "pedestrian_area") and areas[k] >= MIN_UNNAMED_AREA_M2
        ):
            continue
        geom_xy = xy[k]
        if kind == "place_of_worship":
            geom_xy = shapely.buffer(geom_xy, WORSHIP_FORECOURT_M)
        elif kind == "event_venue":
            geom_xy = shapely.buffer(geom_xy, VENUE_FORECOURT_M)
        osm_type = "relation" if extract.area_is_relation[k] else "way"
        osm_id = int(extract.area_osm_id[k])
        out.append(
            _space(
                name or f"Unnamed {kind.replace('_', ' ')} ({osm_type} {osm_id})",
                kind,
                geom_xy,
                osm_type=osm_type,
                osm_id=osm_id,
                tags=tags,
                named=bool(name),
            )
        )
    return [s for s in _finish(out, proj) if s.area_m2 >= MIN_SPACE_AREA_M2]


class _Pending(NamedTuple):
    """A suggestion still in metres; `_finish` measures and unprojects a whole list at once."""

    name: str
    kind: str
    geom_xy: Any
    osm_type: str
    osm_id: int
    tags: dict[str, str]
    named: bool


def _space(
    name: str,
    kind: str,
    geom_xy: Any,
    *,
    osm_type: str,
    osm_id: int,
    tags: dict[str, str],
    named: bool = True,
) -> _Pending:
    return _Pending(name, kind, geom_xy, osm_type, osm_id, tags, named)


def _finish(pending: list[_Pending], proj: LocalProjection) -> list[SuggestedSpace]:
    """Measure the suggestions in metres and unproject them to lon/lat, in one vectorised call each."""
    if not pending:
        return []
    geoms = np.empty(len(pending), dtype=object)
    geoms[:] = [p.geom_xy for p in pending]
    areas = shapely.area(geoms).tolist()
    out = []
    for p, area, geom in zip(pending, areas, proj.geoms_to_lonlat(geoms), strict=True):
        lonlat = _polygonal(geom)
        out.append(
            SuggestedSpace(
                p.name,
                p.kind,
                p.osm_type,
                p.osm_id,
                lonlat,
                dict(p.tags),
                area if lonlat is not None else 0.0,
                p.named,
            )
        )
    return out


def _linear_candidates(extract: OsmExtract, proj: LocalProjection) -> list[SuggestedSpace]:
    """Pedestrian streets and linear promenades: ways buffered by half their width, merged per name."""
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    linear_set = np.asarray(
        [
            t.get("area") != "yes" and t.get("highway") in ("pedestrian", "footway", "path", "cycleway")
            for t in extract.tag_sets
        ],
        dtype=bool,
    ).reshape(-1)
    for k in np.flatnonzero(linear_set[extract.way_tag_set] & (extract.way_name != None)).tolist():  # noqa: E711
        tags = extract.way_tags(k)
        name = tags.get("name")
        if not name:
            continue
        if _is_promenade(tags):
            groups["promenade", name].append(k)
        elif tags.get("highway") == "pedestrian":
            groups["pedestrian_street", name].append(k)
    if not groups:
        return []
    out: list[_Pending] = []
    for (kind, name), ways in groups.items():
        lines = extract.way_lines(np.asarray(ways, dtype=np.int64))
        idx = np.asarray([k for k, line in zip(ways, lines, strict=True) if line is not None], dtype=np.int64)
        if idx.shape[0] == 0:
            continue
        xy = proj.geoms_to_xy(lines[[line is not None for line in lines]])
        half = np.asarray([way_width_m(extract.tag_sets[extract.way_tag_set[k]]) / 2.0 for k in idx])
        buffers = shapely.buffer(xy, half, cap_style="flat")
        merged = shapely.union_all(shapely.buffer(buffers, 0.5))  # 0.5 m joins ways that meet at a node
        for part in shapely.get_parts(merged):
            members = idx[shapely.intersects(buffers, part)]
            longest = int(members[np.argmax(shapely.length(xy[np.isin(idx, members)]))])
            geom = shapely.buffer(part, -0.5)
            out.append(
                _space(
                    name,
                    kind,
                    geom,
                    osm_type="way",
                    osm_id=int(extract.way_id[longest]),
                    tags=extract.way_tags(longest),
                )
            )
    return [s for s in _finish(out, proj) if s.area_m2 >= MIN_SPACE_AREA_M2]


def _station_candidates(
    extract: OsmExtract, proj: LocalProjection, pedestrian_xy: Any
) -> list[SuggestedSpace]:
    """Station forecourts: the pedestrian surfaces within 60 m of a station area (building or site).

    Stations mapped only as a node are skipped: a suggestion must name a way or relation.
    """
    if pedestrian_xy is None:
        return []

    def is_station(tags: dict[str, str]) -> bool:
        return (tags.get("railway") == "station" or tags.get("public_transport") == "station") and tags.get(
            "station"
        ) != "subway"

    stations: list[tuple[str, str, int, Any, dict[str, str]]] = []
    for k, tags in enumerate(extract.area_tags):
        if is_station(tags) and tags.get("name"):
            osm_type = "relation" if extract.area_is_relation[k] else "way"
            geom = areas_xy(extract, proj)[k]
            stations.append((osm_type, tags["name"], int(extract.area_osm_id[k]), geom, tags))
    out: list[_Pending] = []
    seen: set[str] = set()
    for osm_type, name, osm_id, geom, tags in stations:
        if name in seen:
            continue  # a station mapped as node and area, or several station nodes of one name
        seen.add(name)
        forecourt = shapely.intersection(shapely.buffer(geom, STATION_RADIUS_M), pedestrian_xy)
        out.append(
            _space(
                f"{name} station forecourt",
                "station_forecourt",
                forecourt,
                osm_type=osm_type,
                osm_id=osm_id,
                tags=tags,
                named=False,  # named after its station: the app words it in the reader's language
            )
        )
    return [s for s in _finish(out, proj) if s.area_m2 >= MIN_SPACE_AREA_M2]


def _pedestrian_surface(candidates: list[SuggestedSpace], proj: LocalProjection) -> Any:
    parts = [
        s.polygon
        for s in candidates
        if s.kind in ("square", "pedestrian_area", "pedestrian_street", "market")
    ]
    if not parts:
        return None
    return shapely.union_all(proj.geoms_to_xy(np.asarray(parts, dtype=object)))


MERGE_DISTANCE_DEG = 1.5e-5  # ≈ 1–1.5 m: same-name pieces this close are one space (assumption)


def _merge_touching(spaces: list[SuggestedSpace]) -> list[SuggestedSpace]:
    """Merge same-name, same-kind suggestions that touch (a pedestrian street mapped as several areas)."""
    groups: dict[tuple[str, str], list[SuggestedSpace]] = defaultdict(list)
    for space in spaces:
        groups[space.name.casefold(), space.kind].append(space)
    out: list[SuggestedSpace] = []
    for members in groups.values():
        pending = sorted(members, key=lambda s: -s.area_m2)
        while pending:
            base = pending.pop(0)
            polygon, area = base.polygon, base.area_m2
            grown = True
            while grown:
                grown = False
                for other in list(pending):
                    if shapely.dwithin(polygon, other.polygon, MERGE_DISTANCE_DEG):
                        polygon = shapely.union(polygon, shapely.buffer(other.polygon, 0))
                        area += other.area_m2
                        pending.remove(other)
                        grown = True
            merged = _polygonal(polygon)
            out.append(
                SuggestedSpace(
                    base.name, base.kind, base.osm_type, base.osm_id, merged, base.tags, area, base.named
                )
            )
    return out


def _deduplicate(spaces: list[SuggestedSpace]) -> list[SuggestedSpace]:
    """Among overlapping suggestions with the same name keep the best kind (then the largest)."""
    rank = {kind: i for i, kind in enumerate(SPACE_KINDS)}
    ordered = sorted(spaces, key=lambda s: (rank[s.kind], -s.area_m2))
    kept: list[SuggestedSpace] = []
    by_name: dict[str, list[SuggestedSpace]] = defaultdict(list)
    for space in ordered:
        key = space.name.casefold()
        if any(shapely.intersects(space.polygon, other.polygon) for other in by_name[key]):
            continue
        by_name[key].append(space)
        kept.append(space)
    return sorted(kept, key=lambda s: (s.name.casefold(), rank[s.kind]))


def suggest_spaces(extract: OsmExtract, *, projection: LocalProjection | None = None) -> list[SuggestedSpace]:
    """Suggest the public spaces of an extract where crowds gather.

    Polygons (closed ways and multipolygons) become squares, markets, pedestrian areas,
    promenades, event venues, places of worship (with a 5 m forecourt), attractions and parks.
    Named pedestrian streets and promenades mapped as lines are buffered by half their width and
    merged per name where they touch. Station forecourts are the pedestrian surfaces found
    within 60 m of a (non-subway) station area. Spaces under 200 m² are dropped, and overlapping
    suggestions with the same name keep only the best kind (`SPACE_KINDS` order).

    Parameters
    ----------
    extract
        What `read_osm` returned.
    projection
        The local metric projection to measure areas in; by default the UTM zone of the extract.

    Returns
    -------
    list[SuggestedSpace]
        Sorted by name, polygons in lon/lat.
    """
    proj = projection or LocalProjection.for_bounds(extract.meta.bounds)
    candidates = _area_candidates(extract, proj) + _linear_candidates(extract, proj)
    candidates += _station_candidates(extract, proj, _pedestrian_surface(candidates, proj))
    return _deduplicate(_merge_touching([s for s in candidates if s.polygon is not None]))
