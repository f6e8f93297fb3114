"""Small street networks built by hand, in metres, for tests whose answers are computed with a pencil."""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyproj

from pactesur.engine._widths import default_edges_m
from pactesur.engine.network import StreetNetwork, WayKind
from pactesur.engine.streetscape import STREET_OBJECT_CODES
from pactesur.engine.vehicles import GRAVITY_MS2, VEHICLES_BY_CODE

# A local transverse Mercator centred on Nice: x east, y north, metres.
LOCAL_CRS: str = "+proj=tmerc +lat_0=43.695 +lon_0=7.25 +k=1 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs"
INF = math.inf

# A car with constant acceleration 0.5 × 0.8 g = 3.92266 m/s² (grip only: no power limit, no
# resistance), so that speeds after a run-up are √(2·a·L) by hand.
CONSTANT_CAR = dataclasses.replace(
    VEHICLES_BY_CODE["M1"],
    code="TEST",
    power_kw=1e7,
    launch_accel_ms2=100.0,
    drive_axle_share=0.5,
    tyre_grip=0.8,
    rolling_resistance=0.0,
    drag_area_m2=0.0,
    max_speed_kmh=200.0,
)
CONSTANT_ACCEL_MS2 = 0.5 * 0.8 * GRAVITY_MS2


@dataclass
class Seg:
    """One segment between two named nodes of a hand-made network."""

    u: str
    v: str
    width_m: float = 8.0
    kind: WayKind = WayKind.ROAD
    gap_m: float = INF
    way_id: int = 1
    width_assumed: bool = False
    # (left, right) of the corridor for the path speed; None: as a way silent about its sidewalks
    edges_m: tuple[float, float] | None = None


def _edges(segments: Sequence[Seg]) -> np.ndarray:
    edges = default_edges_m(
        np.array([int(s.kind) for s in segments], dtype=np.int8),
        np.array([s.width_m for s in segments], dtype=np.float32),
        np.array([s.width_assumed for s in segments], dtype=np.bool_),
    )
    for i, s in enumerate(segments):
        if s.edges_m is not None:
            edges[i] = s.edges_m
    return edges


def build_network(
    nodes: dict[str, tuple[float, float]],
    segments: Sequence[Seg],
    *,
    node_gaps_m: dict[str, float] | None = None,
    names: dict[int, str] | None = None,
    objects: Sequence[tuple[float, float, str]] = (),
    open_areas_xy: tuple[object, ...] = (),
) -> StreetNetwork:
    """Return a StreetNetwork of named nodes at (x, y) metres and the given segments.

    `objects` are street objects (x, y, kind code of `streetscape.STREET_OBJECT_CODES`).
    """
    order = list(nodes)
    index = {name: i for i, name in enumerate(order)}
    x = np.array([nodes[n][0] for n in order], dtype=np.float64)
    y = np.array([nodes[n][1] for n in order], dtype=np.float64)
    to_lonlat = pyproj.Transformer.from_crs(pyproj.CRS(LOCAL_CRS), pyproj.CRS(4326), always_xy=True)
    lon, lat = to_lonlat.transform(x, y)
    gaps = np.full(len(order), np.inf, dtype=np.float32)
    for name, gap in (node_gaps_m or {}).items():
        gaps[index[name]] = gap
    u = np.array([index[s.u] for s in segments], dtype=np.int32)
    v = np.array([index[s.v] for s in segments], dtype=np.int32)
    length = np.hypot(x[v] - x[u], y[v] - y[u]).astype(np.float32)
    return StreetNetwork(
        crs=LOCAL_CRS,
        node_osm_id=np.arange(1, len(order) + 1, dtype=np.int64),
        node_lon=np.asarray(lon, dtype=np.float64),
        node_lat=np.asarray(lat, dtype=np.float64),
        node_x=x,
        node_y=y,
        node_gap_m=gaps,
        seg_u=u,
        seg_v=v,
        seg_length_m=length,
        seg_width_m=np.array([s.width_m for s in segments], dtype=np.float32),
        seg_gap_m=np.array([s.gap_m for s in segments], dtype=np.float32),
        seg_kind=np.array([int(s.kind) for s in segments], dtype=np.int8),
        seg_way_id=np.array([s.way_id for s in segments], dtype=np.int64),
        seg_oneway=np.zeros(len(segments), dtype=np.int8),
        seg_width_assumed=np.array([s.width_assumed for s in segments], dtype=np.bool_),
        seg_edges_m=_edges(segments),
        way_names=dict(names or {}),
        open_areas_xy=tuple(open_areas_xy),
        object_x=np.array([o[0] for o in objects], dtype=np.float64),
        object_y=np.array([o[1] for o in objects], dtype=np.float64),
        object_kind=np.array([STREET_OBJECT_CODES.index(o[2]) for o in objects], dtype=np.int8),
    )


def chain(names: Sequence[str], **kwargs: object) -> list[Seg]:
    """Return segments joining consecutive node names, all with the same attributes."""
    return [Seg(a, b, **kwargs) for a, b in itertools.pairwise(names)]  # type: ignore[arg-type]


def edge_between(network: StreetNetwork, names: Sequence[str], a: str, b: str) -> int:
    """Return the directed edge from node `a` to node `b` (names in `build_network` order)."""
    ia, ib = list(names).index(a), list(names).index(b)
    for s in range(network.segment_count):
        if network.seg_u[s] == ia and network.seg_v[s] == ib:
            return 2 * s
        if network.seg_u[s] == ib and network.seg_v[s] == ia:
            return 2 * s + 1
    msg = f"no segment {a}–{b}"
    raise KeyError(msg)


def to_lonlat(x_m: float, y_m: float) -> tuple[float, float]:
    """Return lon/lat of a local point, for drawing space polygons in tests."""
    t = pyproj.Transformer.from_crs(pyproj.CRS(LOCAL_CRS), pyproj.CRS(4326), always_xy=True)
    lon, lat = t.transform(x_m, y_m)
    return float(lon), float(lat)
