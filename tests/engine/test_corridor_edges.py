"""A carriageway's corridor runs on over the sidewalks mapped on it (issue 8: `sidewalk:*:width`).

Kerbs stopped no attack vehicle (hostile-vehicles.md §7): a row of bollards across a carriageway
closes it only where the map says what lies beside it.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from pactesur.engine._clutter import class_corridors, segment_objects
from pactesur.engine._widths import way_edges_m
from pactesur.engine.network import WayKind
from pactesur.engine.vehicles import VEHICLES_BY_CODE
from tests.engine.osm_files import import_text, osm_xml
from tests.engine.synthetic import Seg, build_network

INF = math.inf
ROAD = WayKind.ROAD


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ({}, (INF, INF)),  # silent: no edge
        ({"sidewalk": "no"}, (3.5, 3.5)),  # the kerb (assumption: something else lines the road)
        ({"sidewalk": "both"}, (INF, INF)),  # sidewalks of unknown width
        ({"sidewalk": "both", "sidewalk:both:width": "2"}, (5.5, 5.5)),
        ({"sidewalk": "both", "sidewalk:width": "2.5 m"}, (6.0, 6.0)),
        ({"sidewalk": "left", "sidewalk:left:width": "3"}, (6.5, 3.5)),  # right: none, says `left`
        ({"sidewalk": "right", "sidewalk:right:width": "150 cm"}, (3.5, 5.0)),
        ({"sidewalk:left": "yes", "sidewalk:left:width": "2", "sidewalk:right": "separate"}, (5.5, INF)),
        ({"sidewalk:both": "separate"}, (INF, INF)),  # the footway beside is drivable
        ({"sidewalk": "none"}, (3.5, 3.5)),
        ({"sidewalk": "both", "sidewalk:both:width": "wide"}, (INF, INF)),  # unreadable: no edge
    ],
)
def test_a_carriageway_edge_is_known_only_where_the_map_says_what_lies_beside(
    tags: dict[str, str], expected: tuple[float, float]
) -> None:
    assert way_edges_m({"highway": "residential", "width": "7", **tags}, ROAD, 7.0, False) == expected


def test_footways_end_at_their_width_unless_beside_a_carriageway_and_unmapped_widths_have_no_edge() -> None:
    assert way_edges_m({"highway": "pedestrian"}, WayKind.PEDESTRIAN, 8.0, False) == (4.0, 4.0)
    assert way_edges_m({"highway": "footway", "footway": "sidewalk"}, WayKind.FOOTWAY, 2.0, False) == (
        INF,
        INF,
    )
    assert way_edges_m({"highway": "footway", "footway": "crossing"}, WayKind.FOOTWAY, 3.0, False) == (
        INF,
        INF,
    )
    assert way_edges_m({"highway": "residential", "sidewalk": "no"}, ROAD, 5.5, True) == (INF, INF)


def _bollard_row(edges: tuple[float, float] | None):  # type: ignore[no-untyped-def]
    """A 7 m carriageway along x, a row of bollards across it 1.2 m apart from kerb to kerb."""
    nodes = {"A": (0.0, 0.0), "B": (200.0, 0.0)}
    bollards = [(100.0, y, "bollard") for y in np.arange(-3.0, 3.01, 1.2).tolist()]
    return build_network(nodes, [Seg("A", "B", width_m=7.0, kind=ROAD, edges_m=edges)], objects=bollards)


@pytest.mark.parametrize(
    ("edges", "closed"),
    [
        ((3.5, 3.5), True),  # kerbs with nothing drivable beyond (sidewalk=no): closed
        ((INF, INF), False),  # silent about the sidewalks: the car goes round over them
        ((3.5, 5.5), False),  # a 2 m sidewalk on the right is left open
        ((3.5, 4.5), True),  # a 1 m sidewalk on the right: too narrow for a car beside the last bollard
    ],
)
def test_a_bollard_row_closes_a_carriageway_only_when_the_sidewalks_beside_are_closed_too(
    edges: tuple[float, float], closed: bool
) -> None:
    network = _bollard_row(edges)
    objects = segment_objects(network, np.arange(network.segment_count))
    assert objects.count == 6
    corridors = class_corridors(network, objects, VEHICLES_BY_CODE["M1"])
    assert bool(corridors.closed[0]) is closed


def test_objects_on_a_sidewalk_mapped_on_the_road_stand_on_the_road() -> None:
    # a lamp 4.5 m left of the centre line: beyond the 7 m carriageway, on its 2 m left sidewalk
    nodes = {"A": (0.0, 0.0), "B": (200.0, 0.0)}
    lamp = [(100.0, 4.5, "street_lamp")]
    with_sidewalk = build_network(nodes, [Seg("A", "B", width_m=7.0, edges_m=(5.5, 3.5))], objects=lamp)
    kerb_only = build_network(nodes, [Seg("A", "B", width_m=7.0, edges_m=(3.5, 3.5))], objects=lamp)
    assert segment_objects(with_sidewalk, np.arange(1)).count == 1
    assert segment_objects(kerb_only, np.arange(1)).count == 0


def test_the_import_reads_sidewalks_on_the_left_and_right_of_the_drawing_order(tmp_path: Path) -> None:
    text = osm_xml(
        {
            1: (0, 0, {}),
            2: (100, 0, {}),
            3: (0, 50, {}),
            4: (100, 50, {}),
            5: (0, 100, {}),
            6: (100, 100, {}),
        },
        {
            10: (
                [1, 2],
                {"highway": "residential", "width": "7", "sidewalk": "left", "sidewalk:left:width": "2"},
            ),
            # drawn west: its left is south
            20: ([4, 3], {"highway": "residential", "width": "6", "sidewalk": "no"}),
            30: ([5, 6], {"highway": "residential", "sidewalk": "both", "sidewalk:both:width": "2"}),
        },
    )
    network = import_text(tmp_path, text)
    by_way = {int(w): network.seg_edges_m[i].tolist() for i, w in enumerate(network.seg_way_id.tolist())}
    assert by_way[10] == pytest.approx([5.5, 3.5])
    assert by_way[20] == pytest.approx([3.0, 3.0])
    assert np.isinf(by_way[30]).all()  # the width of the carriageway is not mapped
    for i, w in enumerate(network.seg_way_id.tolist()):
        if w == 20:  # stored in drawing order: left of u -> v
            assert network.node_osm_id[network.seg_u[i]] == 4
