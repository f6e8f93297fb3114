"""Whether a new street network fits its city: the spaces it leaves out, the previous area it covers.

A space lies *outside* an extract when no street of the extract's network (a segment of any kind
the import keeps: road, footway, path, crossing of a square…) comes within `FIT_MARGIN_M` of its
outline. The approach analysis reaches a space only from ways that cross it or run within half
their width plus 2 m of it (at most 32 m: the widest way the import accepts is 60 m), so no street
of the extract reaches a space outside and it cannot be analysed: on that network its analyses end
"not analysed: outside the street network" (`AnalysisStatus.OUTSIDE`), which says nothing of how
exposed it is.
Measuring to the streets rather than testing the extract's bounds rectangle means a space at the
very edge of a correct extract is not held up, and a space inside the rectangle but with no street
in the file (a clipped extract, a wrong file of the same region) still is.

Pure functions: arrays and shapely geometries in, values out; the queries live in `actions.py`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
import shapely.geometry

if TYPE_CHECKING:
    from pactesur.engine.network import StreetNetwork as EngineNetwork

# A space whose outline is farther than this from every street of the extract lies outside it
# (assumption: above the analysis' own reach of at most 32 m, see the module's docstring, with a
# margin for a street the extract maps a little differently from the previous one).
FIT_MARGIN_M: float = 50.0
# Beyond this, a space's distance is measured on the sphere from its centroid to the extract's
# bounds: the extract's UTM projection distorts (or fails) far from its zone, and at such distances
# the difference between an outline and its centroid, or streets and bounds, does not matter.
FAR_M: float = 100_000.0
_EARTH_RADIUS_M = 6_371_008.8  # mean radius (IUGG)

Bounds = tuple[float, float, float, float]  # min lon, min lat, max lon, max lat


@dataclass(frozen=True)
class SpaceOutline:
    """A space of the city as the check needs it: id, name and GeoJSON outline in lon/lat."""

    id: int
    name: str
    polygon: dict[str, Any]


@dataclass(frozen=True)
class SpaceOutside:
    """A space the new extract leaves out, and how far its outline lies from the extract's streets."""

    id: int
    name: str
    distance_m: float


@dataclass(frozen=True)
class FitReport:
    """What a person must know before a new network replaces the active one."""

    spaces_checked: int
    outside: tuple[SpaceOutside, ...]
    previous_network_id: int | None = None
    previous_version: int | None = None
    # Share (0…1) of the previous active network's bounds that the new bounds cover; None without one.
    previous_share_covered: float | None = None

    @property
    def overlaps_previous(self) -> bool:
        """False only when there is a previous network and the new extract's bounds miss it entirely."""
        return self.previous_share_covered is None or self.previous_share_covered > 0.0

    @property
    def problem(self) -> bool:
        """A space outside, or no overlap with the previous network: a person must confirm."""
        return bool(self.outside) or not self.overlaps_previous

    def as_json(self) -> dict[str, Any]:
        return {
            "spaces_checked": self.spaces_checked,
            "outside": [{"id": s.id, "name": s.name, "distance_m": s.distance_m} for s in self.outside],
            "previous_network_id": self.previous_network_id,
            "previous_version": self.previous_version,
            "previous_share_covered": self.previous_share_covered,
            "overlaps_previous": self.overlaps_previous,
            "margin_m": FIT_MARGIN_M,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FitReport:
        return cls(
            spaces_checked=int(data.get("spaces_checked", 0)),
            outside=tuple(
                SpaceOutside(id=int(s["id"]), name=str(s["name"]), distance_m=float(s["distance_m"]))
                for s in data.get("outside", [])
            ),
            previous_network_id=data.get("previous_network_id"),
            previous_version=data.get("previous_version"),
            previous_share_covered=data.get("previous_share_covered"),
        )


def _segment_lines(network: EngineNetwork) -> np.ndarray[Any, np.dtype[np.object_]]:
    u = network.seg_u.astype(np.int64)
    v = network.seg_v.astype(np.int64)
    coords = np.stack(
        (
            np.column_stack((network.node_x[u], network.node_y[u])),
            np.column_stack((network.node_x[v], network.node_y[v])),
        ),
        axis=1,
    )
    return np.asarray(shapely.linestrings(coords), dtype=object)


def _nearest_point_distance_m(lon: float, lat: float, bounds: Bounds) -> float:
    """Great-circle distance from a point to the nearest point of a lon/lat box (haversine)."""
    near_lon = min(max(lon, bounds[0]), bounds[2])
    near_lat = min(max(lat, bounds[1]), bounds[3])
    phi1, phi2 = math.radians(lat), math.radians(near_lat)
    dphi, dlambda = phi2 - phi1, math.radians(near_lon - lon)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * _EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def spaces_outside(
    network: EngineNetwork,
    spaces: Sequence[SpaceOutline],
    *,
    bounds: Bounds,
    margin_m: float = FIT_MARGIN_M,
) -> list[SpaceOutside]:
    """Return the spaces no street of `network` comes within `margin_m` of, farthest first.

    The outlines are projected into the network's metric CRS and measured to its segments (an
    STRtree query). A space farther than `FAR_M`, or that the projection cannot place (no finite
    coordinates), is measured from its centroid to the extract's `bounds` on the sphere.

    Parameters
    ----------
    network
        The engine's network of the new extract.
    spaces
        The city's spaces to check.
    bounds
        The extract's bounds in lon/lat (min lon, min lat, max lon, max lat).
    margin_m
        How near a street must come to the outline for the space to count as covered.

    Returns
    -------
    list[SpaceOutside]
        With the distance to the nearest street in metres, rounded to the metre.
    """
    from pactesur.engine.projection import projection_for

    if not spaces:
        return []
    outlines = np.asarray([shapely.geometry.shape(s.polygon) for s in spaces], dtype=object)
    projected = projection_for(network.crs).geoms_to_xy(outlines)
    finite = np.asarray([bool(np.isfinite(shapely.get_coordinates(g)).all()) for g in projected], dtype=bool)
    distance = np.full(len(spaces), np.inf)
    if network.segment_count > 0 and finite.any():
        tree = shapely.STRtree(_segment_lines(network))
        index = np.flatnonzero(finite)
        covered = index[np.unique(tree.query(projected[index], predicate="dwithin", distance=margin_m)[0])]
        distance[covered] = 0.0
        far = np.setdiff1d(index, covered)
        if far.size:
            pairs, far_m = tree.query_nearest(projected[far], return_distance=True, all_matches=False)
            distance[far[pairs[0]]] = far_m
    outside = []
    for i, space in enumerate(spaces):
        distance_m = float(distance[i])
        if not distance_m <= FAR_M:  # far away, or not placed by the projection (inf)
            centre = outlines[i].centroid
            distance_m = _nearest_point_distance_m(centre.x, centre.y, bounds)
        if distance_m > margin_m:
            outside.append(SpaceOutside(id=space.id, name=space.name, distance_m=round(distance_m)))
    return sorted(outside, key=lambda s: (-s.distance_m, s.name, s.id))


def share_covered(new: Bounds, previous: Bounds) -> float:
    """Share (0…1) of the `previous` box lying inside the `new` one; boxes in lon/lat degrees.

    A box without area (a single point or line of the previous extract) counts as covered when it
    touches the new box.
    """
    west, south = max(new[0], previous[0]), max(new[1], previous[1])
    east, north = min(new[2], previous[2]), min(new[3], previous[3])
    if east < west or north < south:
        return 0.0
    previous_area = (previous[2] - previous[0]) * (previous[3] - previous[1])
    if previous_area <= 0.0:
        return 1.0
    return round(min(1.0, (east - west) * (north - south) / previous_area), 4)


def fit_report(
    network: EngineNetwork,
    spaces: Iterable[SpaceOutline],
    *,
    bounds: Bounds,
    previous: tuple[int, int, Bounds] | None,
) -> FitReport:
    """The fit of a new network: its spaces outside and, given (id, version, bounds) of the
    previous active network, the share of that network's area it covers."""
    checked = list(spaces)
    return FitReport(
        spaces_checked=len(checked),
        outside=tuple(spaces_outside(network, checked, bounds=bounds)),
        previous_network_id=previous[0] if previous else None,
        previous_version=previous[1] if previous else None,
        previous_share_covered=share_covered(bounds, previous[2]) if previous else None,
    )
