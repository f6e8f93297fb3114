"""The measured cases where the first approach analysis said "no entry", as small OSM files.

Used by tests/engine/test_entries_geometry.py and by bench/entries_validation.py, which runs them
on this version and on an older one for docs/validation.md. Coordinates are metres east/north.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.engine.osm_files import Nodes, Ways

SQUARE_TAGS = {"place": "square", "name": "Testplatz"}


@dataclass(frozen=True)
class Case:
    """One small city: its nodes and ways, the area analysed (x0, y0, x1, y1) and the file's bounds."""

    name: str
    nodes: Nodes
    ways: Ways
    area_m: tuple[float, float, float, float]
    bounds_m: tuple[float, float, float, float] | None = None
    extra: dict[str, str] = field(default_factory=dict)


def square_way(first_id: int, x0: float, y0: float, x1: float, y1: float) -> tuple[Nodes, list[int]]:
    """The four corner nodes of a rectangle and the closed ring through them."""
    ids = list(range(first_id, first_id + 4))
    corners = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
    return {i: (x, y, {}) for i, (x, y) in zip(ids, corners, strict=True)}, [*ids, ids[0]]


def street_on_outline() -> Case:
    """A 400 m straight street runs on along the square's north side, through its two corners.

    10 ─────────── 400 m ─────────── 4 ══════ 3 ──── 11     residential, on y = 60
                                     ║ square ║
                                     1 ══════ 2            60 m × 60 m
    """
    nodes, ring = square_way(1, 0, 0, 60, 60)
    nodes = {**nodes, 10: (-400, 60, {}), 11: (100, 60, {})}
    ways = {100: (ring, SQUARE_TAGS), 200: ([10, 4, 3, 11], {"highway": "residential"})}
    return Case("street along the outline (shared nodes)", nodes, ways, (0, 0, 60, 60))


def street_near_outline() -> Case:
    """The same street 3 m north of the square, sharing no node with it.

    10 ────────────────────────────────── 11     residential (5.5 m) on y = 63
                                     4 ══════ 3
                                     1 ══════ 2
    """
    nodes, ring = square_way(1, 0, 0, 60, 60)
    nodes = {**nodes, 10: (-400, 63, {}), 11: (100, 63, {})}
    ways = {100: (ring, SQUARE_TAGS), 200: ([10, 11], {"highway": "residential"})}
    return Case("street 3 m from the outline", nodes, ways, (0, 0, 60, 60))


def sidewalk_to_corner() -> Case:
    """An untagged sidewalk ends at the square's south-west corner after 424 m on the diagonal.

             4 ══════ 3
             ║ square ║
             1 ══════ 2
           ╱
        ╱   footway=sidewalk, no width tag, 424 m at 45°
    10
    """
    nodes, ring = square_way(1, 0, 0, 60, 60)
    nodes = {**nodes, 10: (-300, -300, {})}
    ways = {100: (ring, SQUARE_TAGS), 200: ([10, 1], {"highway": "footway", "footway": "sidewalk"})}
    return Case("sidewalk reaching a corner", nodes, ways, (0, 0, 60, 60))


def market_in_square() -> Case:
    """A market in the middle of a 200 m square; the only road ends at the square's corner.

        4 ═══════════════════ 3
        ║       ┌──────┐      ║
        ║       │market│      ║      market 40 m × 40 m at (80–120, 80–120)
        ║       └──────┘      ║
        1 ═══════════════════ 2
      ╱
    10    road, 300 m at 45° to the corner
    """
    nodes, ring = square_way(1, 0, 0, 200, 200)
    market, market_ring = square_way(20, 80, 80, 120, 120)
    nodes = {**nodes, **market, 10: (-212, -212, {})}
    ways = {
        100: (ring, SQUARE_TAGS),
        101: (market_ring, {"amenity": "marketplace", "name": "Weihnachtsmarkt"}),
        200: ([10, 1], {"highway": "residential"}),
    }
    return Case("market inside a square, road to its corner", nodes, ways, (80, 80, 120, 120))


def untagged_footway() -> Case:
    """A pavement attack: a 300 m footway with no width tag leads into the square.

    10 ──────── footway, 300 m, no width ────────┼──── 11
                                                ║ square
    """
    nodes, ring = square_way(1, 0, 0, 60, 60)
    nodes = {**nodes, 10: (-300, 30, {}), 11: (30, 30, {})}
    ways = {100: (ring, SQUARE_TAGS), 200: ([10, 11], {"highway": "footway"})}
    return Case("untagged footway into the square", nodes, ways, (0, 0, 60, 60))


def bollard_on_outline() -> Case:
    """A bollard stands where the only road meets the square's west side.

    10 ──────── road, 300 m ──────── B ──── 11      B: barrier=bollard, no maxwidth
                                     ║ square
    """
    nodes, ring = square_way(1, 0, 0, 60, 60)
    nodes = {**nodes, 10: (-300, 30, {}), 9: (0, 30, {"barrier": "bollard"}), 11: (30, 30, {})}
    ways = {100: (ring, SQUARE_TAGS), 200: ([10, 9, 11], {"highway": "residential"})}
    return Case("unrated bollard on the outline", nodes, ways, (0, 0, 60, 60))


def loop_behind_square() -> Case:
    """A road crosses the square, then loops back to its east side: the loop alone gives speed.

    10 ─── 300 m ───┼══ square ══┼──── 12 ──── 13
                    ║            ║      │       │   loop 80 m × 70 m east of the square
                                        15 ──── 14
    """
    nodes, ring = square_way(1, 0, 0, 60, 60)
    nodes = {
        **nodes,
        10: (-300, 30, {}),
        12: (120, 30, {}),
        13: (200, 30, {}),
        14: (200, -40, {}),
        15: (120, -40, {}),
    }
    ways = {
        100: (ring, SQUARE_TAGS),
        200: ([10, 12], {"highway": "residential"}),
        201: ([12, 13, 14, 15, 12], {"highway": "residential"}),
    }
    return Case("road through the square and a loop behind it", nodes, ways, (0, 0, 60, 60))


def near_extract_edge() -> Case:
    """A road into a square whose east side is 4 m from the file's bounds."""
    nodes, ring = square_way(1, 0, 0, 60, 60)
    nodes = {**nodes, 10: (-300, 30, {}), 11: (30, 30, {})}
    ways = {100: (ring, SQUARE_TAGS), 200: ([10, 11], {"highway": "residential"})}
    return Case("square 4 m from the extract's edge", nodes, ways, (0, 0, 60, 60), (-2000, -2000, 64, 2000))


def space_in_a_hall() -> Case:
    """A market hall (a 60 m × 60 m building) with a street ending at its door.

    10 ──────── road, 300 m ──────── ┤ hall │      the space analysed is the hall's floor
    """
    nodes, ring = square_way(1, 0, 0, 60, 60)
    nodes = {**nodes, 10: (-300, 30, {}), 11: (0, 30, {})}
    ways = {
        100: (ring, {"building": "retail", "amenity": "marketplace", "name": "Kauppahalli"}),
        200: ([10, 11], {"highway": "residential"}),
    }
    return Case("space inside a market hall", nodes, ways, (0, 0, 60, 60), (-2000, -2000, 2000, 2000))


ALL_CASES = (
    street_on_outline,
    street_near_outline,
    sidewalk_to_corner,
    market_in_square,
    untagged_footway,
    bollard_on_outline,
    loop_behind_square,
    near_extract_edge,
    space_in_a_hall,
)
