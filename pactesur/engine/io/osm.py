"""Read an OSM file (.osm, .osm.pbf, .osm.gz, .osm.bz2) into flat arrays with pyosmium."""

from __future__ import annotations

import hashlib
import math
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import osmium
import osmium.geom
import shapely
from osmium.filter import KeyFilter

from pactesur.engine.errors import OsmInputError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Int32Array = npt.NDArray[np.int32]
BoolArray = npt.NDArray[np.bool_]
ObjectArray = npt.NDArray[np.object_]
Progress = Callable[[float, str], None]
Bounds = tuple[float, float, float, float]

# Tags kept on linear ways (highway and barrier ways). Reading a handful of keys is ~3× cheaper
# per way than copying the whole tag list into a dict (measured with pyosmium 4.3).
WAY_TAG_KEYS: tuple[str, ...] = (
    "highway",
    "name",
    "area",
    "area:highway",
    "width",
    "est_width",
    "lanes",
    "oneway",
    "junction",
    "footway",
    "barrier",
    "bollard",
    "maxwidth:physical",
    "maxwidth",
    "bridge",
    "tunnel",
    "indoor",
    "layer",
    "place",
    "leisure",
)
# Keys that make a closed way or a multipolygon relation interesting as an area.
AREA_KEYS: tuple[str, ...] = (
    "building",
    "place",
    "highway",
    "area:highway",
    "amenity",
    "leisure",
    "landuse",
    "natural",
    "water",
    "waterway",
    "public_transport",
    "railway",
    "tourism",
)
# Keys that make a node interesting: barriers on ways, and stations for forecourts.
POINT_KEYS: tuple[str, ...] = ("barrier", "railway", "public_transport")
# Highway areas are areas only when they say so; a closed highway way is otherwise a loop.
_HIGHWAY_AREA_VALUES = frozenset({"platform", "rest_area", "services"})
_BLOCK_BYTES = 1 << 20  # read size for hashing and sniffing


@dataclass(frozen=True)
class OsmFileMeta:
    """What is known about the file itself: identity, format, extent, counts."""

    path: str
    sha256: str
    size_bytes: int
    format: str
    bounds: Bounds
    bounds_source: str  # "header" or "highway_nodes"
    counts: dict[str, int]
    newest_timestamp: str | None = None
    read_s: float = 0.0


@dataclass(frozen=True, eq=False)
class OsmExtract:
    """What `read_osm` kept from an OSM file, as flat arrays.

    Nodes are only those of the kept linear ways (highway and barrier ways); their coordinates
    are NaN where the file references a node it does not contain (clipped extracts do that).
    Ways are stored CSR-style: the node indices of way ``k`` are
    ``way_node[way_node_start[k]:way_node_start[k + 1]]``.

    Attributes (n nodes, w ways, p points, a areas)
    ------------------------------------------------
    node_id : int64 (n,) sorted OSM node ids.
    node_lon, node_lat : float64 (n,) WGS 84 degrees, NaN when missing from the file.
    way_id : int64 (w,) OSM way ids of highway and barrier ways.
    way_node_start : int64 (w + 1,) offsets into `way_node`.
    way_node : int32 (sum of way lengths,) indices into the node arrays.
    way_tags : the tags of each way listed in `WAY_TAG_KEYS`.
    point_id, point_lon, point_lat, point_tags : tagged nodes with a `POINT_KEYS` key.
    area_osm_id : int64 (a,) id of the closed way or multipolygon relation.
    area_is_relation : bool (a,) True for relations.
    area_geom : object (a,) shapely Polygon or MultiPolygon in lon/lat.
    area_tags : all tags of each area.
    meta : file identity, bounds and counts.
    """

    node_id: IntArray
    node_lon: FloatArray
    node_lat: FloatArray
    way_id: IntArray
    way_node_start: IntArray
    way_node: Int32Array
    way_tags: tuple[dict[str, str], ...]
    point_id: IntArray
    point_lon: FloatArray
    point_lat: FloatArray
    point_tags: tuple[dict[str, str], ...]
    area_osm_id: IntArray
    area_is_relation: BoolArray
    area_geom: ObjectArray
    area_tags: tuple[dict[str, str], ...]
    meta: OsmFileMeta
    _cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def way_count(self) -> int:
        return int(self.way_id.shape[0])

    def way_nodes(self, k: int) -> Int32Array:
        """Return the node indices of way number `k` (a view)."""
        return self.way_node[self.way_node_start[k] : self.way_node_start[k + 1]]

    def way_lines(self) -> ObjectArray:
        """Return every way as a shapely LineString in lon/lat (None where fewer than 2 nodes are known).

        Missing nodes are left out of the line. Computed once, then cached.
        """
        cached = self._cache.get("way_lines")
        if cached is None:
            cached = _lines_from_csr(self.node_lon, self.node_lat, self.way_node_start, self.way_node)
            self._cache["way_lines"] = cached
        return np.asarray(cached, dtype=object)


def file_sha256(path: str | Path) -> str:
    """Return the SHA-256 hex digest of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while block := stream.read(_BLOCK_BYTES):
            digest.update(block)
    return digest.hexdigest()


def sniff_osm_format(path: Path) -> str:
    """Return the pyosmium format string of an OSM file from its first bytes, whatever its name.

    Raises
    ------
    OsmInputError
        When the bytes are not those of an OSM XML, PBF, gzip or bzip2 file.
    """
    with open(path, "rb") as stream:
        head = stream.read(64)
    if head.startswith(b"\x1f\x8b"):
        return "osm.gz"
    if head.startswith(b"BZh"):
        return "osm.bz2"
    if b"OSMHeader" in head[:32]:
        return "pbf"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return "osm"
    raise OsmInputError(
        f"{path.name} is not an OSM file: expected OSM XML (.osm), PBF (.osm.pbf) or gzip/bzip2-compressed"
        " OSM XML (.osm.gz, .osm.bz2)."
    )


@dataclass
class _Collector:
    """Mutable lists filled during the pass; turned into an `OsmExtract` afterwards."""

    way_ids: list[int] = field(default_factory=list)
    way_len: list[int] = field(default_factory=list)
    way_tags: list[dict[str, str]] = field(default_factory=list)
    refs: list[int] = field(default_factory=list)
    wkb: list[str | None] = field(default_factory=list)
    fallback_coords: dict[int, FloatArray] = field(default_factory=dict)  # way index → coords
    # every other way with ≥ 2 nodes, a possible multipolygon member: id → (first, last ref, wkb | coords)
    other_ways: dict[int, tuple[int, int, str | FloatArray]] = field(default_factory=dict)
    # closed ways tagged as areas: (id, all tags, wkb | coords)
    closed: list[tuple[int, dict[str, str], str | FloatArray]] = field(default_factory=list)
    relations: list[tuple[int, dict[str, str], list[tuple[int, str]]]] = field(default_factory=list)
    point_ids: list[int] = field(default_factory=list)
    point_lon: list[float] = field(default_factory=list)
    point_lat: list[float] = field(default_factory=list)
    point_tags: list[dict[str, str]] = field(default_factory=list)
    area_ids: list[int] = field(default_factory=list)
    area_rel: list[bool] = field(default_factory=list)
    area_geoms: list[Any] = field(default_factory=list)
    area_tags: list[dict[str, str]] = field(default_factory=list)
    ways_seen: int = 0
    highway_ways: int = 0


def _node_coords(nodes: Iterable[Any]) -> FloatArray:
    """Coordinates of a way's nodes one by one, NaN for locations missing from the file (slow path)."""
    out = []
    for node in nodes:
        loc = node.location
        out.append((loc.lon, loc.lat) if loc.valid() else (math.nan, math.nan))
    return np.array(out, dtype=np.float64).reshape(-1, 2)


def _is_area_of_interest(tags: dict[str, str], *, from_way: bool) -> bool:
    """Tell whether a closed way or multipolygon is a surface we use (closed highways are loops)."""
    if tags.get("area") == "no" or not any(k in tags for k in AREA_KEYS):
        return False
    if "highway" in tags and from_way:
        others = any(k in tags for k in AREA_KEYS if k != "highway")
        return others or tags.get("area") == "yes" or tags["highway"] in _HIGHWAY_AREA_VALUES
    return True


def _way(obj: Any, col: _Collector, factory: Any, use_all: Any) -> None:
    """Keep one way: linear street or barrier, closed area outline, or possible multipolygon member."""
    col.ways_seen += 1
    tags = obj.tags
    ntags = len(tags)
    highway = tags.get("highway") if ntags else None
    linear = highway is not None or (ntags > 0 and "barrier" in tags)
    nodes = obj.nodes
    if len(nodes) < 2:
        return
    try:
        geom: str | FloatArray = factory.create_linestring(obj, use_all)
    except (osmium.InvalidLocationError, RuntimeError):
        geom = _node_coords(nodes)
    first, last = nodes[0].ref, nodes[-1].ref
    if linear:
        refs = [n.ref for n in nodes]
        if highway is not None:
            col.highway_ways += 1
        get = tags.get
        col.way_tags.append({k: v for k in WAY_TAG_KEYS if (v := get(k)) is not None})
        col.way_ids.append(obj.id)
        col.way_len.append(len(refs))
        col.refs.extend(refs)
        if isinstance(geom, str):
            col.wkb.append(geom)
        else:
            col.wkb.append(None)
            col.fallback_coords[len(col.way_ids) - 1] = geom
    if (
        ntags
        and first == last
        and len(nodes) >= 4
        and (highway is None or "area" in tags or "place" in tags or highway in _HIGHWAY_AREA_VALUES)
    ):
        all_tags = {t.k: t.v for t in tags}
        if _is_area_of_interest(all_tags, from_way=True):
            col.closed.append((obj.id, all_tags, geom))
    else:
        col.other_ways[obj.id] = (first, last, geom)


def _relation(obj: Any, col: _Collector) -> None:
    tags = obj.tags
    if tags.get("type") != "multipolygon":
        return
    all_tags = {t.k: t.v for t in tags if t.k != "type"}
    if _is_area_of_interest(all_tags, from_way=False):
        members = [(m.ref, m.role) for m in obj.members if m.type == "w"]
        col.relations.append((obj.id, all_tags, members))


def _collect(fp: osmium.FileProcessor, col: _Collector) -> None:
    """Run the pass: dispatch each object the C++ filters let through to the collector lists."""
    factory = osmium.geom.WKBFactory()
    use_all = osmium.geom.use_nodes.ALL
    objects: Iterable[Any] = fp
    for obj in objects:
        if obj.is_way():
            _way(obj, col, factory, use_all)
        elif obj.is_node():
            loc = obj.location
            if loc.valid():
                col.point_ids.append(obj.id)
                col.point_lon.append(loc.lon)
                col.point_lat.append(loc.lat)
                col.point_tags.append({t.k: t.v for t in obj.tags})
        elif obj.is_relation():
            _relation(obj, col)


def _make_processor(path: Path, fmt: str) -> osmium.FileProcessor:
    """Build the one-pass pyosmium processor with its C++-side filters."""
    source = osmium.io.File(str(path), fmt)
    points = KeyFilter(*POINT_KEYS)
    points.enable_for(osmium.osm.NODE)  # ways pass untouched: any of them may be a multipolygon member
    relations = KeyFilter("type")
    relations.enable_for(osmium.osm.RELATION)
    return osmium.FileProcessor(source).with_locations().with_filter(points).with_filter(relations)


def _lines_from_csr(
    lon: FloatArray, lat: FloatArray, starts: IntArray, index: Int32Array
) -> npt.NDArray[np.object_]:
    """Build one LineString per way from CSR node indices, dropping nodes with NaN coordinates."""
    xy = np.column_stack([lon[index], lat[index]])
    way_of = np.repeat(np.arange(starts.shape[0] - 1), np.diff(starts))
    ok = np.isfinite(xy[:, 0])
    counts = np.bincount(way_of[ok], minlength=starts.shape[0] - 1)
    out = np.full(starts.shape[0] - 1, None, dtype=object)
    good = counts >= 2
    keep = ok & good[way_of]
    if keep.any():
        rank = np.cumsum(good) - 1  # shapely wants contiguous geometry indices
        out[good] = shapely.linestrings(xy[keep], indices=rank[way_of[keep]])
    return out


def _way_coords(col: _Collector) -> FloatArray:
    """All way node coordinates in `refs` order: WKB fast path in one vectorised call, then the slow ones."""
    total = len(col.refs)
    coords = np.full((total, 2), np.nan, dtype=np.float64)
    lengths = np.asarray(col.way_len, dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths)])
    fast = np.array([w is not None for w in col.wkb], dtype=bool)
    if fast.any():
        lines = shapely.from_wkb(np.array([w for w in col.wkb if w is not None], dtype=object))
        coords[np.repeat(fast, lengths)] = shapely.get_coordinates(lines)
    for k, xy in col.fallback_coords.items():
        coords[starts[k] : starts[k + 1]] = xy
    return coords


def _coords_of(geom: str | FloatArray) -> FloatArray:
    if isinstance(geom, str):
        return np.asarray(shapely.get_coordinates(shapely.from_wkb(geom)), dtype=np.float64)
    return geom


def _ring_from_members(
    members: list[tuple[int, str]], ways: dict[int, tuple[int, int, str | FloatArray]], role: str
) -> list[FloatArray]:
    """Join member ways of one role end to end into rings (by shared end node ids), best effort.

    A chain that cannot be closed (a member way is missing from the extract) is closed straight.
    """
    pieces = [
        (ways[ref][0], ways[ref][1], _coords_of(ways[ref][2]))
        for ref, r in members
        if (r or "outer") == role and ref in ways
    ]
    rings: list[FloatArray] = []
    unused = list(range(len(pieces)))
    while unused:
        head, tail, xy = pieces[unused.pop(0)]
        chain = [xy]
        extended = True
        while head != tail and extended:
            extended = False
            for j in unused:
                h2, t2, xy2 = pieces[j]
                if h2 == tail:
                    chain.append(xy2[1:])
                    tail = t2
                elif t2 == tail:
                    chain.append(xy2[::-1][1:])
                    tail = h2
                else:
                    continue
                unused.remove(j)
                extended = True
                break
        ring = np.concatenate(chain)
        ring = ring[np.isfinite(ring[:, 0])]
        if ring.shape[0] >= 3:
            rings.append(np.vstack([ring, ring[:1]]))
    return rings


def _valid_polygon(outers: list[FloatArray], inners: list[FloatArray]) -> Any:
    """A valid (Multi)Polygon from rings (possibly clipped or self-touching), or None when no area is left."""
    shells = [shapely.make_valid(shapely.Polygon(r)) for r in outers if r.shape[0] >= 4]
    if not shells:
        return None
    geom = shapely.make_valid(shapely.union_all(shells)) if len(shells) > 1 else shells[0]
    holes = [shapely.make_valid(shapely.Polygon(r)) for r in inners if r.shape[0] >= 4]
    if holes:
        geom = shapely.make_valid(shapely.difference(geom, shapely.union_all(holes)))
    polys = [g for g in shapely.get_parts(geom) if isinstance(g, shapely.Polygon) and g.area > 0]
    if not polys:
        return None
    return polys[0] if len(polys) == 1 else shapely.MultiPolygon(polys)


def _closed_way_areas(col: _Collector) -> None:
    """Polygons of closed area ways: vectorised for complete rings, one by one for clipped or invalid ones."""
    if not col.closed:
        return
    complete = [k for k, (_, _, g) in enumerate(col.closed) if isinstance(g, str)]
    polys = np.full(len(col.closed), None, dtype=object)
    if complete:
        lines = shapely.from_wkb(np.array([col.closed[k][2] for k in complete], dtype=object))
        xy, idx = shapely.get_coordinates(lines, return_index=True)
        rings = shapely.linearrings(xy, indices=idx)
        made = shapely.polygons(rings)
        bad = ~shapely.is_valid(made)
        if bad.any():
            made[bad] = [_valid_polygon([shapely.get_coordinates(p.exterior)], []) for p in made[bad]]
        polys[complete] = made
    for k, (_, _, geom) in enumerate(col.closed):
        if not isinstance(geom, str):
            polys[k] = _valid_polygon([geom[np.isfinite(geom[:, 0])]], [])
    for (way_id, tags, _), poly in zip(col.closed, polys, strict=True):
        if poly is not None:
            col.area_ids.append(way_id)
            col.area_rel.append(False)
            col.area_geoms.append(poly)
            col.area_tags.append(tags)


def _multipolygon_areas(col: _Collector, coords: FloatArray, starts: IntArray) -> None:
    """Assemble multipolygon relations from their member ways (outer and inner rings)."""
    if not col.relations:
        return
    ways = col.other_ways
    needed = {ref for _, _, members in col.relations for ref, _ in members if ref not in ways}
    if needed:
        # linear ways (a street can also be a square's outline) were not copied into other_ways
        ways = dict(ways)
        for k, way_id in enumerate(col.way_ids):
            if way_id in needed:
                a, b = int(starts[k]), int(starts[k + 1])
                ways[way_id] = (col.refs[a], col.refs[b - 1], coords[a:b])
    for rel_id, tags, members in col.relations:
        poly = _valid_polygon(
            _ring_from_members(members, ways, "outer"),
            _ring_from_members(members, ways, "inner"),
        )
        if poly is not None:
            col.area_ids.append(rel_id)
            col.area_rel.append(True)
            col.area_geoms.append(poly)
            col.area_tags.append(tags)


def _header_bounds(fp: osmium.FileProcessor) -> Bounds | None:
    box = fp.header.box()
    if not box.valid():
        return None
    bl, tr = box.bottom_left, box.top_right
    return (bl.lon, bl.lat, tr.lon, tr.lat)


def _build_extract(
    path: Path, fmt: str, col: _Collector, *, header_bounds: Bounds | None, sha256: str, read_s: float
) -> OsmExtract:
    """Turn the collected lists into the frozen arrays of an `OsmExtract`."""
    refs = np.asarray(col.refs, dtype=np.int64)
    coords = _way_coords(col)
    lengths = np.asarray(col.way_len, dtype=np.int64)
    starts = np.concatenate([np.zeros(1, dtype=np.int64), np.cumsum(lengths)])
    _closed_way_areas(col)
    _multipolygon_areas(col, coords, starts)
    node_id, first, inverse = np.unique(refs, return_index=True, return_inverse=True)
    node_lon = np.ascontiguousarray(coords[first, 0])
    node_lat = np.ascontiguousarray(coords[first, 1])
    is_highway = np.repeat(np.array(["highway" in t for t in col.way_tags], dtype=bool), lengths)
    hw_lon, hw_lat = coords[is_highway, 0], coords[is_highway, 1]
    finite = np.isfinite(hw_lon)
    if header_bounds is not None:
        bounds, bounds_source = header_bounds, "header"
    else:
        bounds = (
            float(hw_lon[finite].min()),
            float(hw_lat[finite].min()),
            float(hw_lon[finite].max()),
            float(hw_lat[finite].max()),
        )
        bounds_source = "highway_nodes"
    area_geom = np.empty(len(col.area_geoms), dtype=object)
    area_geom[:] = col.area_geoms
    counts = {
        "ways_in_file": col.ways_seen,
        "highway_ways": col.highway_ways,
        "linear_ways": len(col.way_ids),
        "way_nodes": int(node_id.shape[0]),
        "missing_nodes": int(np.count_nonzero(~np.isfinite(node_lon))),
        "points": len(col.point_ids),
        "areas": len(col.area_ids),
        "multipolygon_relations": len(col.relations),
    }
    meta = OsmFileMeta(
        path=str(path),
        sha256=sha256,
        size_bytes=path.stat().st_size,
        format=fmt,
        bounds=bounds,
        bounds_source=bounds_source,
        counts=counts,
        read_s=read_s,
    )
    return OsmExtract(
        node_id=node_id.astype(np.int64),
        node_lon=node_lon,
        node_lat=node_lat,
        way_id=np.asarray(col.way_ids, dtype=np.int64),
        way_node_start=starts,
        way_node=inverse.astype(np.int32).reshape(-1),
        way_tags=tuple(col.way_tags),
        point_id=np.asarray(col.point_ids, dtype=np.int64),
        point_lon=np.asarray(col.point_lon, dtype=np.float64),
        point_lat=np.asarray(col.point_lat, dtype=np.float64),
        point_tags=tuple(col.point_tags),
        area_osm_id=np.asarray(col.area_ids, dtype=np.int64),
        area_is_relation=np.asarray(col.area_rel, dtype=bool),
        area_geom=np.asarray(area_geom, dtype=object),
        area_tags=tuple(col.area_tags),
        meta=meta,
    )


def _check_path(path: Path) -> None:
    if not path.exists():
        raise OsmInputError(f"OSM file not found: {path}")
    if not path.is_file():
        raise OsmInputError(f"Not a file: {path}")
    if path.stat().st_size == 0:
        raise OsmInputError(f"OSM file is empty (0 bytes): {path}")


def read_osm(path: str | Path, *, progress: Progress | None = None) -> OsmExtract:
    """Read the street ways, barriers, stations and areas of an OSM file.

    One pyosmium `FileProcessor` does two passes, as its area support needs: relations first,
    then everything with node locations cached. C++ filters drop what the engine never uses
    (untagged nodes, relations, most areas) before any Python runs; each way that is left costs
    one list of node ids, one WKB line built in C++, and a few tag look-ups. Coordinates are
    decoded from the WKB in one vectorised shapely call. Areas pyosmium cannot assemble because a
    clipped extract lacks some of their nodes are rebuilt from the nodes that are present.

    Parameters
    ----------
    path
        An .osm, .osm.pbf, .osm.gz or .osm.bz2 file (the format is sniffed from its first bytes).
    progress
        Called with (fraction 0..1, message) at the start and end of the read.

    Returns
    -------
    OsmExtract
        Arrays of nodes, ways, tagged points and area polygons, with the file's meta data.

    Raises
    ------
    OsmInputError
        When the file is missing, empty, not OSM, truncated or corrupt, or has no highway ways.
    """
    import time

    path = Path(path)
    _check_path(path)
    fmt = sniff_osm_format(path)
    if progress:
        progress(0.0, f"reading {path.name}")
    started = time.perf_counter()
    sha256 = file_sha256(path)
    col = _Collector()
    try:
        fp = _make_processor(path, fmt)
        header_bounds = _header_bounds(fp)
        _collect(fp, col)
    except OsmInputError:
        raise
    except (RuntimeError, ValueError, KeyError) as exc:
        raise OsmInputError(
            f"{path.name} could not be read as OSM {fmt} (truncated or corrupt file?): {exc}"
        ) from exc
    if col.ways_seen == 0:
        raise OsmInputError(f"{path.name} contains no ways: there is no street network to import.")
    if col.highway_ways == 0:
        raise OsmInputError(
            f"{path.name} contains {col.ways_seen} ways but none tagged highway=*: no streets to import."
        )
    extract = _build_extract(
        path, fmt, col, header_bounds=header_bounds, sha256=sha256, read_s=time.perf_counter() - started
    )
    if progress:
        progress(1.0, f"read {col.highway_ways} highway ways and {len(col.area_ids)} areas")
    return extract


def replace_atomically(target: Path, write: Callable[[Any], None], *, suffix: str = ".tmp") -> None:
    """Write a file through `write(stream)` into a temporary sibling, then rename it over `target`.

    The temporary file is removed if writing fails, so no partial output is ever left behind.
    """
    import tempfile

    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix, dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
