"""Way kinds and usable widths from OSM highway tags."""

from __future__ import annotations

import math
import re

import numpy as np
import numpy.typing as npt

from pactesur.engine.network import WayKind

# highway=* value → the kind of segment it makes; values absent here are dropped (indoor corridors,
# platforms, construction, proposed, abandoned, elevators…).
HIGHWAY_KINDS: dict[str, WayKind] = {
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

# Usable width when a way has no width, est_width or lanes tag: (assumption) typical European
# urban cross-sections of the carriageway. Ways without a carriageway get ASSUMED_OFFROAD_WIDTH_M.
DEFAULT_WIDTH_M: dict[str, float] = {
    "motorway": 11.0,  # (assumption) 3 lanes × 3.5 m
    "trunk": 7.5,  # (assumption)
    "primary": 7.0,  # (assumption) two 3.5 m lanes
    "secondary": 6.5,  # (assumption)
    "tertiary": 6.0,  # (assumption)
    "unclassified": 5.5,  # (assumption)
    "residential": 5.5,  # (assumption)
    "living_street": 5.0,  # (assumption)
    "road": 5.5,  # (assumption)
    "busway": 6.5,  # (assumption)
    "bus_guideway": 3.0,  # (assumption) one guided lane
    "service": 3.5,  # (assumption) alley, driveway, parking aisle
    "pedestrian": 5.0,  # (assumption) a pedestrian street; areas get their own open-area width
    "track": 3.0,  # (assumption)
}
# A footway, cycleway, path or bridleway with no mapped width (98–100 % of them in the shared
# extracts): a width that is not mapped must never block a vehicle class, so the default admits
# the widest class (2.55 m, EU maximum) with room to spare — a sidewalk runs beside a carriageway
# and a park path between verges a vehicle overruns (assumption; hostile-vehicles.md §7: kerbs
# stopped no attack vehicle). Entries reached over such ways are marked `width_source: assumed`.
ASSUMED_OFFROAD_WIDTH_M = 3.0
LINK_DEFAULT_WIDTH_M = 4.0  # (assumption) *_link ramps are one lane plus shoulder
LANE_WIDTH_M = 3.0  # (assumption) urban lane; lanes × this when no width is mapped
MIN_WIDTH_M = 0.5  # (assumption) mapped widths below this are typos and ignored
MAX_WIDTH_M = 60.0  # (assumption) mapped widths above this are typos and ignored
FOOT_M = 0.3048  # exact: international foot
INCH_M = 0.0254  # exact

_WIDTH_RE = re.compile(
    r"""^\s*(?P<num>\d+(?:[.,]\d+)?)\s*(?P<unit>m|meters?|metres?|cm|mm|km|ft|feet|foot|'|"|in)?\s*"""
    r"""(?:(?P<inch>\d+(?:[.,]\d+)?)\s*(?:"|in))?\s*$""",
    re.IGNORECASE,
)


def parse_width_m(value: str | None) -> float | None:
    """Parse an OSM width value into metres.

    Accepts "3", "3.5", "3,5", "3.5 m", "350 cm", "12'", "10'6\"", "12 ft"; returns None for
    anything else (ranges, "narrow", …) and for values outside [MIN_WIDTH_M, MAX_WIDTH_M].
    """
    if not value:
        return None
    match = _WIDTH_RE.match(value.split(";")[0])
    if match is None:
        return None
    number = float(match["num"].replace(",", "."))
    unit = (match["unit"] or "m").lower()
    if unit in ("'", "ft", "feet", "foot"):
        metres = number * FOOT_M + (float(match["inch"].replace(",", ".")) * INCH_M if match["inch"] else 0.0)
    elif unit in ('"', "in"):
        metres = number * INCH_M
    elif unit == "cm":
        metres = number / 100.0
    elif unit == "mm":
        metres = number / 1000.0
    elif unit == "km":
        metres = number * 1000.0
    else:
        metres = number
    if not (MIN_WIDTH_M <= metres <= MAX_WIDTH_M) or not math.isfinite(metres):
        return None
    return metres


def way_width_m(tags: dict[str, str]) -> float:
    """Return a way's usable width: `width`, `est_width`, lanes × 3 m, or the default of its kind."""
    return way_width(tags)[0]


def way_width(tags: dict[str, str]) -> tuple[float, bool]:
    """Return a way's usable width and whether it is assumed (no `width`, `est_width` or `lanes`)."""
    for key in ("width", "est_width"):
        width = parse_width_m(tags.get(key))
        if width is not None:
            return width, False
    lanes = tags.get("lanes")
    if lanes:
        try:
            count = float(lanes.split(";")[0].replace(",", "."))
        except ValueError:
            count = 0.0
        if 0 < count <= 12:
            return count * LANE_WIDTH_M, False
    highway = tags.get("highway", "")
    if highway.endswith("_link"):
        return LINK_DEFAULT_WIDTH_M, True
    return DEFAULT_WIDTH_M.get(highway, ASSUMED_OFFROAD_WIDTH_M), True


def way_kind(tags: dict[str, str]) -> WayKind | None:
    """Return the `WayKind` of a highway way, or None when no vehicle could use it (or it is indoor)."""
    kind = HIGHWAY_KINDS.get(tags.get("highway", ""))
    if kind is None or tags.get("indoor", "no") not in ("no", ""):
        return None
    return kind


def way_oneway(tags: dict[str, str]) -> int:
    """Return 1 for one-way in drawing order, -1 for reversed, 0 for two-way (roundabouts are one-way)."""
    value = tags.get("oneway", "")
    if value in ("yes", "true", "1"):
        return 1
    if value in ("-1", "reverse"):
        return -1
    if tags.get("junction") in ("roundabout", "circular") and value != "no":
        return 1
    return 0


# The sides of a way in OSM's `:left` / `:right` suffixes, relative to the way's drawing order.
SIDES: tuple[str, str] = ("left", "right")
_SIDEWALK_ON: dict[str, tuple[bool, bool]] = {
    "both": (True, True),
    "left": (True, False),
    "right": (False, True),
}


def _sidewalk_on_side(tags: dict[str, str], side: str) -> str | None:
    """What the way's tags say about the sidewalk on one side: 'yes', 'no', 'separate' or None (silent)."""
    value = tags.get(f"sidewalk:{side}") or tags.get("sidewalk:both")
    if value is None:
        general = tags.get("sidewalk")
        if general in _SIDEWALK_ON:
            value = "yes" if _SIDEWALK_ON[general][SIDES.index(side)] else "no"
        elif general in ("no", "none", "separate"):
            value = general
    if value in ("yes", "both", "left", "right"):
        return "yes"
    if value in ("no", "none"):
        return "no"
    if value == "separate":
        return "separate"
    return None


def way_edges_m(tags: dict[str, str], kind: WayKind, width: float, assumed: bool) -> tuple[float, float]:
    """How far left and right of its centre line a way's drivable corridor is known to end (inf: unknown).

    The path speed's gates keep a vehicle within these edges (`_clutter.py`); an edge the map does
    not give is none, so that what it does not show never closes a way:

    - a way whose width is not mapped has no edges;
    - a footway, path or pedestrian street ends at its mapped width (its paved surface), except
      a sidewalk or a crossing (`footway=sidewalk|crossing`): the carriageway beside it is
      drivable, so it has no edge;
    - a carriageway's mapped width ends at its kerbs, and kerbs stopped no attack vehicle
      (hostile-vehicles.md §7): on each side the corridor runs on over a sidewalk mapped on the
      road (`sidewalk:<side>:width`, `sidewalk:both:width`, `sidewalk:width`) to its outer edge; a
      sidewalk without a width, a separately mapped one (`separate`: the footway beside is
      drivable) or a side the map is silent about give no edge; `sidewalk:<side>=no` keeps the
      kerb as the edge (assumption: a road mapped without a sidewalk is lined by something other
      than a way — a wall, a fence, a verge or parked cars).
    """
    if assumed or not math.isfinite(width):
        return math.inf, math.inf
    half = 0.5 * width
    if tags.get("footway") in ("sidewalk", "crossing"):
        return math.inf, math.inf
    if kind not in (WayKind.ROAD, WayKind.SERVICE):
        return half, half
    edges = []
    for side in SIDES:
        found = _sidewalk_on_side(tags, side)
        if found == "no":
            edges.append(half)
            continue
        sidewalk = None
        if found == "yes":
            for key in (f"sidewalk:{side}:width", "sidewalk:both:width", "sidewalk:width"):
                sidewalk = parse_width_m(tags.get(key))
                if sidewalk is not None:
                    break
        edges.append(half + sidewalk if sidewalk is not None else math.inf)
    return edges[0], edges[1]


def default_edges_m(
    kind: npt.NDArray[np.int8], width: npt.NDArray[np.float32], assumed: npt.NDArray[np.bool_]
) -> npt.NDArray[np.float32]:
    """The (m, 2) edges of ways whose sidewalk tags are not known (networks stored before they were
    read, test networks): `way_edges_m` of a way whose tags are silent about its sidewalks."""
    half = 0.5 * width.astype(np.float32)
    road = (kind == int(WayKind.ROAD)) | (kind == int(WayKind.SERVICE))
    edge = np.where(assumed | road | (kind == int(WayKind.OPEN_AREA)), np.float32(np.inf), half)
    return np.column_stack([edge, edge]).astype(np.float32)
