"""The street network as flat arrays: the form every engine algorithm reads."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
Float32Array = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]
Int32Array = npt.NDArray[np.int32]
Int8Array = npt.NDArray[np.int8]
BoolArray = npt.NDArray[np.bool_]


class WayKind(enum.IntEnum):
    """What kind of surface a segment is; the `approach` a vehicle takes in results."""

    ROAD = 0  # motorway … residential, unclassified, living_street, road
    SERVICE = 1  # highway=service (alleys, driveways, parking aisles, loading access)
    PEDESTRIAN = 2  # highway=pedestrian as a street (linear)
    OPEN_AREA = 3  # straight crossing of an open pedestrian area or square (virtual segment)
    FOOTWAY = 4  # footway, sidewalk, crossing
    CYCLEWAY = 5
    TRACK = 6
    PATH = 7  # path, bridleway, park paths
    STEPS = 8  # highway=steps: no vehicle passes


APPROACH_NAMES: dict[WayKind, str] = {
    WayKind.ROAD: "road",
    WayKind.SERVICE: "service",
    WayKind.PEDESTRIAN: "pedestrian",
    WayKind.OPEN_AREA: "open_area",
    WayKind.FOOTWAY: "footway",
    WayKind.CYCLEWAY: "cycleway",
    WayKind.TRACK: "track",
    WayKind.PATH: "path",
    WayKind.STEPS: "steps",
}


@dataclass(frozen=True, eq=False)
class StreetNetwork:
    """Every way a vehicle could physically use, split into straight segments between OSM nodes.

    Segments are undirected: a hostile driver ignores one-way streets, so algorithms make two
    directed edges of each. Coordinates are kept both as lon/lat (WGS 84) and as metres in a
    local projection (`crs`, a PROJ string) in which lengths and angles are true enough for
    vehicle dynamics.

    Attributes (n nodes, m segments)
    --------------------------------
    node_osm_id : int64 (n,) OSM node id (negative for the new objects of a JOSM file).
    node_lon, node_lat : float64 (n,) WGS 84 degrees.
    node_x, node_y : float64 (n,) metres in `crs`.
    node_gap_m : float32 (n,) the width a barrier at this node leaves open to vehicles;
        +inf where there is no barrier, 0.0 where it closes the way to every vehicle.
    seg_u, seg_v : int32 (m,) node indices of the segment's ends.
    seg_length_m, seg_width_m : float32 (m,) length and usable width.
    seg_gap_m : float32 (m,) narrowest opening left by a barrier *line* (a row of bollards, a
        wall mapped as a way) that the segment crosses; +inf where none.
    seg_kind : int8 (m,) a `WayKind`.
    seg_way_id : int64 (m,) OSM way id the segment comes from; 0 for virtual open-area crossings.
    seg_oneway : int8 (m,) 1 where the way is one-way in u→v order, -1 reversed, 0 two-way
        (kept for display: the hostile driver ignores it).
    seg_width_assumed : bool (m,) True where the way maps no width (`width`, `est_width`, `lanes`)
        and `seg_width_m` is the documented default of its kind.
    seg_edges_m : float32 (m, 2) how far left and right of the centre line (u → v) the drivable
        corridor is known to end, for the path speed's gates (`_widths.way_edges_m`: a carriageway
        runs on over the sidewalks mapped on it); +inf where the map gives no edge.
    way_names : OSM way id → name, for the ways that have one.
    meta : bounds, counts, source file hash and the like, JSON-serialisable.
    node_barrier : node index → the `barrier=*` value of a barrier node that narrows the way
        (`node_gap_m` finite), to report it as existing protection to verify.
    seg_barrier : segment index → the `barrier=*` value of the barrier line the segment crosses
        (`seg_gap_m` finite), likewise.
    open_areas_xy : open surfaces a vehicle can cross in straight lines (squares, pedestrian
        areas, car parks) as polygons in `crs`, with what cuts sight (buildings, walls, fences,
        steps, water, rows of bollards) already cut out.
    buildings_xy : footprints of the buildings large enough to hold a public space indoors
        (station halls, malls, markets), in `crs`, simplified; to tell that a space is indoors.
    object_x, object_y : float64 (k,) the mapped street objects (`streetscape.py`: trees, lamp
        columns, bollards, planters, benches…) in metres in `crs`.
    object_kind : int8 (k,) each object's index in `streetscape.STREET_OBJECT_KINDS`.
    """

    crs: str
    node_osm_id: IntArray
    node_lon: FloatArray
    node_lat: FloatArray
    node_x: FloatArray
    node_y: FloatArray
    node_gap_m: Float32Array
    seg_u: Int32Array
    seg_v: Int32Array
    seg_length_m: Float32Array
    seg_width_m: Float32Array
    seg_gap_m: Float32Array
    seg_kind: Int8Array
    seg_way_id: IntArray
    seg_oneway: Int8Array
    seg_width_assumed: BoolArray
    seg_edges_m: Float32Array
    way_names: dict[int, str] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    node_barrier: dict[int, str] = field(default_factory=dict)
    seg_barrier: dict[int, str] = field(default_factory=dict)
    open_areas_xy: tuple[Any, ...] = ()
    buildings_xy: tuple[Any, ...] = ()
    object_x: FloatArray = field(default_factory=lambda: np.empty(0, dtype=np.float64))
    object_y: FloatArray = field(default_factory=lambda: np.empty(0, dtype=np.float64))
    object_kind: Int8Array = field(default_factory=lambda: np.empty(0, dtype=np.int8))

    @property
    def node_count(self) -> int:
        return int(self.node_lon.shape[0])

    @property
    def segment_count(self) -> int:
        return int(self.seg_u.shape[0])
