"""Existing barriers that stop an area's approaches, and how hard each vehicle class would hit them."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

from pactesur.engine._candidates import NO_EDGES, incoming
from pactesur.engine._paths import Approach, Leg, accelerate_ms, approach_facts, chain_to, path_lonlat
from pactesur.engine.crossings import AreaCrossings
from pactesur.engine.dynamics import STANDSTILL_MS, AttainableSpeeds, fits
from pactesur.engine.network import StreetNetwork
from pactesur.engine.ratings import kinetic_energy_kj, required_rating

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# Closed barriers this close to the outline are the existing protection of the space (assumption:
# the stand-off of a typical hostile vehicle mitigation line).
BARRIER_REACH_M: float = 25.0


@dataclass(frozen=True)
class Barrier:
    """An existing barrier that stops an approach of one vehicle class, and how hard it would be hit.

    OpenStreetMap never says whether a bollard or a wall is crash-rated, so `rated` is None: the
    barrier stops the approach in the analysis, and the city must verify it can resist
    `impact_speed_kmh` (the rating it needs is `required_rating`).
    """

    vehicle: str
    lon: float
    lat: float
    kind: str
    gap_m: float
    impact_speed_kmh: float
    kinetic_energy_kj: float
    required_rating: str
    test_speed_kmh: int
    beyond_rating: bool
    osm_id: int
    path: tuple[tuple[float, float], ...]
    speed_profile: tuple[tuple[float, float], ...]
    rated: str | None = None

    def as_json(self) -> dict[str, Any]:
        """Return the barrier as an item of the `barriers` list of the `pactesur vda` JSON."""
        return {
            "vehicle": self.vehicle,
            "lon": round(self.lon, 7),
            "lat": round(self.lat, 7),
            "kind": self.kind,
            "rated": self.rated,
            "gap_m": None if math.isinf(self.gap_m) else round(self.gap_m, 2),
            "impact_speed_kmh": round(self.impact_speed_kmh, 1),
            "kinetic_energy_kj": round(self.kinetic_energy_kj, 1),
            "required_rating": self.required_rating,
            "test_speed_kmh": self.test_speed_kmh,
            "beyond_rating": self.beyond_rating,
            "osm_id": self.osm_id,
            "path": [[round(lon, 7), round(lat, 7)] for lon, lat in self.path],
            "speed_profile": [[round(d, 1), round(v, 1)] for d, v in self.speed_profile],
        }


def barriers_met(
    network: StreetNetwork,
    crossings: AreaCrossings,
    speeds: AttainableSpeeds,
    heads: IntArray,
    sink_edge: BoolArray,
) -> list[Barrier]:
    """Closed barriers near the outline that the vehicle reaches, with the speed it hits them at.

    A barrier node (bollard, block, locked gate…) whose gap is narrower than the vehicle, or a
    barrier line (wall, fence, row of bollards) across a way, within `BARRIER_REACH_M` of the
    outline and not inside the area, stops the approach in this analysis. OpenStreetMap does not
    say whether it is crash-rated, so it is reported with the speed of the fastest approach to it
    and the rating it would need. For a line across a segment the vehicle is taken to hit it
    half-way along the segment (its exact crossing point is not kept).
    """
    zone = shapely.buffer(crossings.area_xy, BARRIER_REACH_M)
    shapely.prepare(zone)
    allowed = speeds.usable & ~sink_edge
    found = _node_barriers(network, crossings, speeds, zone, heads, allowed)
    found += _line_barriers(network, crossings, speeds, zone, heads, allowed)
    found.sort(key=lambda b: -b.impact_speed_kmh)
    return found


def _node_barriers(  # noqa: PLR0917 (one area's inputs)
    network: StreetNetwork,
    crossings: AreaCrossings,
    speeds: AttainableSpeeds,
    zone: BaseGeometry,
    heads: IntArray,
    allowed: BoolArray,
) -> list[Barrier]:
    x, y = network.node_x, network.node_y
    closed = [n for n in network.node_barrier if not fits(network.node_gap_m[n : n + 1], speeds.vehicle)[0]]
    nodes = np.asarray(closed, dtype=np.int64)
    if nodes.shape[0]:
        near = shapely.contains_xy(zone, x[nodes], y[nodes])
        nodes = nodes[near & ~shapely.contains_xy(crossings.area_xy, x[nodes], y[nodes])]
    found: list[Barrier] = []
    for n, edges in incoming(heads, allowed, nodes).items():
        if edges.shape[0] == 0:
            continue
        e = int(edges[np.argmax(speeds.end_speed_ms[edges])])
        speed = float(speeds.end_speed_ms[e])
        if speed > STANDSTILL_MS:
            found.append(
                barrier_at(
                    network,
                    speeds,
                    Approach(chain_to(speeds, e)),
                    speed,
                    (float(x[n]), float(y[n])),
                    kind=network.node_barrier[n],
                    gap_m=float(network.node_gap_m[n]),
                    osm_id=int(network.node_osm_id[n]),
                )
            )
    return found


def _line_barriers(  # noqa: PLR0917 (one area's inputs)
    network: StreetNetwork,
    crossings: AreaCrossings,
    speeds: AttainableSpeeds,
    zone: BaseGeometry,
    heads: IntArray,
    allowed: BoolArray,
) -> list[Barrier]:
    x, y = network.node_x, network.node_y
    lines: list[tuple[int, str, float, float]] = []
    for s, kind in network.seg_barrier.items():
        if fits(network.seg_gap_m[s : s + 1], speeds.vehicle)[0] or crossings.seg_enters[s]:
            continue
        a, b = int(network.seg_u[s]), int(network.seg_v[s])
        mx, my = 0.5 * (float(x[a]) + float(x[b])), 0.5 * (float(y[a]) + float(y[b]))
        if shapely.contains_xy(zone, mx, my):
            lines.append((s, kind, mx, my))
    ends = np.unique(
        np.asarray([n for s, *_ in lines for n in (network.seg_u[s], network.seg_v[s])], np.int64)
    )
    arriving = incoming(heads, allowed, ends)
    found: list[Barrier] = []
    for s, kind, mx, my in lines:
        half = 0.5 * float(network.seg_length_m[s])
        best: tuple[float, int, int] = (0.0, -1, -1)
        for tail in (int(network.seg_u[s]), int(network.seg_v[s])):
            edges = arriving.get(tail, NO_EDGES)
            edges = edges[(edges >> 1) != s]
            if edges.shape[0]:
                e = int(edges[np.argmax(speeds.end_speed_ms[edges])])
                v = accelerate_ms(speeds, float(speeds.end_speed_ms[e]), half)
                if v > best[0]:
                    best = (v, e, tail)
        speed, e, tail = best
        if speed > STANDSTILL_MS:
            tx, ty = float(x[tail]), float(y[tail])
            approach = Approach(chain_to(speeds, e), [Leg(tx, ty, mx, my, float(speeds.end_speed_ms[e]))])
            found.append(
                barrier_at(
                    network,
                    speeds,
                    approach,
                    speed,
                    (mx, my),
                    kind=kind,
                    gap_m=float(network.seg_gap_m[s]),
                    osm_id=0,
                )
            )
    return found


def barrier_at(
    network: StreetNetwork,
    speeds: AttainableSpeeds,
    approach: Approach,
    speed_ms: float,
    at_xy: tuple[float, float],
    *,
    kind: str,
    gap_m: float,
    osm_id: int,
) -> Barrier:
    """The barrier at `at_xy` that the approach hits at `speed_ms`, with its path and profile."""
    vehicle = speeds.vehicle
    facts = approach_facts(network, speeds, approach)
    path, (lon, lat) = path_lonlat(network, facts, at_xy)
    speed_kmh = speed_ms * 3.6
    rating = required_rating(vehicle, speed_kmh)
    return Barrier(
        vehicle=vehicle.code,
        lon=lon,
        lat=lat,
        kind=kind,
        gap_m=gap_m,
        impact_speed_kmh=speed_kmh,
        kinetic_energy_kj=kinetic_energy_kj(vehicle, speed_kmh),
        required_rating=rating.rating,
        test_speed_kmh=rating.test_speed_kmh,
        beyond_rating=rating.beyond_rating,
        osm_id=osm_id,
        path=path,
        speed_profile=tuple(facts.speed_profile),
    )
