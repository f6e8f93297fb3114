"""The opening a barrier leaves to vehicles, from its OSM tags (node barriers and barrier lines)."""

from __future__ import annotations

import math

from pactesur.engine._widths import parse_width_m

OPEN_M = math.inf  # no barrier: any vehicle passes
# A bollard or block with no mapped gap (assumption): 1.5 m lets a motorbike or quad through but
# not a small car (1.50–1.73 m, domain/hostile-vehicles.md §5, CISA VRSAT bins).
DEFAULT_BOLLARD_GAP_M = 1.5

# Node barriers that close the way unless a gap is mapped (routers treat these as closed, §7).
CLOSING_NODE_BARRIERS = frozenset(
    {
        "bollard",
        "block",
        "jersey_barrier",
        "planter",
        "log",
        "boulder",
        "chain",
        "wall",
        "fence",
        "hedge",
        "retaining_wall",
        "city_wall",
        "guard_rail",
        "bar",
        "turnstile",
        "full-height_turnstile",
        "kissing_gate",
        "stile",
        "debris",
        "barrier_board",
    }
)
# Of those, the ones whose default opening is the bollard gap rather than nothing.
GAPPED_NODE_BARRIERS = frozenset({"bollard", "block", "jersey_barrier", "planter", "boulder", "log"})
# Gates close only when mapped as locked or private; otherwise they are open (assumption,
# domain §9: treat every emergency or service gap as open unless recorded closed).
GATE_BARRIERS = frozenset({"gate", "swing_gate", "sliding_gate", "hampshire_gate", "wicket_gate"})
# Bollards that are not fixed: open (domain §9).
OPEN_BOLLARD_TYPES = frozenset({"removable", "rising", "foldable", "flexible", "retractable"})

# Barrier lines (ways) → default gap when none is mapped: 0 closes every vehicle.
LINE_BARRIER_GAP_M: dict[str, float] = {
    "wall": 0.0,
    "fence": 0.0,
    "hedge": 0.0,
    "retaining_wall": 0.0,
    "city_wall": 0.0,
    "guard_rail": 0.0,
    "jersey_barrier": 0.0,
    "block": DEFAULT_BOLLARD_GAP_M,  # (assumption) a row of blocks leaves bollard-like gaps
    "bollard": DEFAULT_BOLLARD_GAP_M,  # (assumption) a row of bollards
    "planter": DEFAULT_BOLLARD_GAP_M,  # (assumption)
    "chain": 0.0,
}


def mapped_gap_m(tags: dict[str, str], *, allow_width: bool) -> float | None:
    """Return the mapped opening (`maxwidth:physical`, `maxwidth`, and `width` if allowed), if any."""
    keys = ("maxwidth:physical", "maxwidth", "width") if allow_width else ("maxwidth:physical", "maxwidth")
    for key in keys:
        width = parse_width_m(tags.get(key))
        if width is not None:
            return width
    return None


def node_gap_m(tags: dict[str, str]) -> float:
    """Return the opening left by a barrier node: +inf when open, 0 when closed, else the gap in metres.

    On a node `width` is read as the opening (it is the gate or passage width); on a line it is
    the wall's thickness, so lines read only `maxwidth*`.
    """
    barrier = tags.get("barrier", "")
    if barrier in GATE_BARRIERS:
        locked = tags.get("locked") == "yes" or tags.get("access") in ("no", "private")
        return 0.0 if locked else OPEN_M
    if barrier not in CLOSING_NODE_BARRIERS:
        return OPEN_M  # lift_gate, toll_booth, entrance, kerb, cattle_grid, border_control, …
    if barrier == "bollard" and tags.get("bollard", "") in OPEN_BOLLARD_TYPES:
        return OPEN_M
    mapped = mapped_gap_m(tags, allow_width=True)
    if mapped is not None:
        return mapped
    return DEFAULT_BOLLARD_GAP_M if barrier in GAPPED_NODE_BARRIERS else 0.0


def line_gap_m(tags: dict[str, str]) -> float | None:
    """Return the opening a barrier way leaves where a segment crosses it; None if it is no barrier."""
    barrier = tags.get("barrier", "")
    if barrier not in LINE_BARRIER_GAP_M:
        return None  # kerb, gate lines, ditches…: no vehicle barrier (kerbs stopped no attack, §7)
    if barrier == "bollard" and tags.get("bollard", "") in OPEN_BOLLARD_TYPES:
        return None
    mapped = mapped_gap_m(tags, allow_width=False)
    return mapped if mapped is not None else LINE_BARRIER_GAP_M[barrier]
