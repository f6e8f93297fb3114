"""Read an OSM file (.osm, .osm.pbf, .osm.gz, .osm.bz2) into flat arrays with pyosmium."""

from __future__ import annotations

import hashlib
import math
import os
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn, TypeVar, cast

import numba
import numpy as np
import numpy.typing as npt
import osmium
import shapely
from osmium.filter import EntityFilter, TagFilter

from pactesur.engine._arrays import distinct
from pactesur.engine.errors import OsmInputError
from pactesur.engine.io.osm_checks import (
    MAX_LAT_DEG,
    MAX_LON_DEG,
    OsmReadLimits,
    bounds_problem,
    check_xml_size,
    pbf_data_blocks,
    xml_bounds_problem,
)
from pactesur.engine.streetscape import STREET_OBJECT_KINDS, street_object_kind

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Int32Array = npt.NDArray[np.int32]
Int8Array = npt.NDArray[np.int8]
BoolArray = npt.NDArray[np.bool_]
ObjectArray = npt.NDArray[np.object_]
Progress = Callable[[float, str], None]
Bounds = tuple[float, float, float, float]
T = TypeVar("T")

# Tags kept on linear ways (highway and barrier ways); `name` is stored apart, the others as one
# shared dict per distinct combination (street tags repeat a lot).
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
    # sidewalks mapped on a carriageway widen its corridor for the path speed (`_widths.way_edges_m`)
    "sidewalk",
    "sidewalk:left",
    "sidewalk:right",
    "sidewalk:both",
    "sidewalk:width",
    "sidewalk:left:width",
    "sidewalk:right:width",
    "sidewalk:both:width",
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
GEOS_POLYGON = 3  # shapely.GeometryType.POLYGON
_AREA_KEY_SET = frozenset(AREA_KEYS)
_AREA_KEYS_BUT_HIGHWAY = _AREA_KEY_SET - {"highway"}
# Keys that make a node interesting: barriers on ways, and stations for forecourts.
POINT_KEYS: tuple[str, ...] = ("barrier", "railway", "public_transport")
_POINT_KEY_SET = frozenset(POINT_KEYS)
# A row of trees mapped as a way (`natural=tree_row`): its trees are sampled along it on import.
TREE_ROW = ("natural", "tree_row")
_TREE_ROW_TEXT = f"{TREE_ROW[0]}={TREE_ROW[1]}".encode()
# Highway areas are areas only when they say so; a closed highway way is otherwise a loop.
_HIGHWAY_AREA_VALUES = frozenset({"platform", "rest_area", "services"})
_BLOCK_BYTES = 1 << 20  # read size for hashing and sniffing
_FORMAT_NAMES = {"osm": "XML", "pbf": "PBF", "osm.gz": "XML (gzip)", "osm.bz2": "XML (bzip2)"}
# libosmium stores coordinates as integers of 1e-7 degrees and writes them with up to 7 decimals.
OSM_COORDINATE_DECIMALS = 7
OSM_COORDINATE_SCALE = 1e7
# The nodes and ways go from C++ to a temporary OPL file (one text line per object), which a numba
# scan indexes: no Python object per way or per node. The scan, not libosmium, puts the nodes'
# locations on the ways: libosmium's writer aborts the process on a location outside the world
# (an uncatchable C++ error when the writer is destroyed), and its location store drops the
# nodes of negative id (JOSM's new objects).
_OPL_FORMAT = "opl,add_metadata=false"
_LINEAR_PREFIXES = (b"highway=", b"barrier=")
_LINEAR_MARKS = (b",highway=", b",barrier=")
_KEPT_TAG = re.compile("(?:^|,)(" + "|".join(re.escape(k) for k in WAY_TAG_KEYS) + ")=([^,]*)")
_OPL_ESCAPE = re.compile(r"%([0-9a-f]+)%")  # OPL writes awkward characters as %<hex code point>%
# What the tag fields of the tagged nodes are matched against (`_first_tag`): the tags of street
# objects, whole, and the point keys, as prefixes. OPL escapes no character of these plain keys
# and values, so the raw text matches exactly.
_OBJECT_TAG_TEXTS: tuple[bytes, ...] = tuple(
    f"{k}={v}".encode() for kind in STREET_OBJECT_KINDS for k, v in kind.tags
)
_OBJECT_TAG_KIND = np.asarray(
    [street_object_kind(dict([text.decode().split("=")])) for text in _OBJECT_TAG_TEXTS], dtype=np.int8
)
_POINT_KEY_TEXTS: tuple[bytes, ...] = tuple(f"{k}=".encode() for k in POINT_KEYS)


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
    warnings: tuple[str, ...] = ()  # what was skipped or ignored in the file, one sentence each


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
    way_tag_set : int32 (w,) index into `tag_sets`.
    tag_sets : the distinct combinations of `WAY_TAG_KEYS` tags (`name` excepted) of the ways.
    way_name : object (w,) the `name` tag of each way, or None.
    point_id, point_lon, point_lat, point_tags : tagged nodes with a `POINT_KEYS` key.
    object_id, object_lon, object_lat : int64/float64 (o,) the nodes that are street objects
        (`streetscape.street_object_kind` >= 0), with a location, sorted by id; a barrier node
        may be both a point and an object.
    object_kind : int8 (o,) each object's index in `streetscape.STREET_OBJECT_KINDS`.
    tree_row_id : int64 (r,) ids of the `natural=tree_row` ways with at least 2 nodes, sorted.
    tree_row_start : int64 (r + 1,) CSR offsets into `tree_row_lon`/`tree_row_lat`.
    tree_row_lon, tree_row_lat : float64 the rows' node coordinates, NaN when missing.
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
    way_tag_set: Int32Array
    tag_sets: tuple[dict[str, str], ...]
    way_name: ObjectArray
    point_id: IntArray
    point_lon: FloatArray
    point_lat: FloatArray
    point_tags: tuple[dict[str, str], ...]
    area_osm_id: IntArray
    area_is_relation: BoolArray
    area_geom: ObjectArray
    area_tags: tuple[dict[str, str], ...]
    meta: OsmFileMeta
    object_id: IntArray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    object_lon: FloatArray = field(default_factory=lambda: np.empty(0, dtype=np.float64))
    object_lat: FloatArray = field(default_factory=lambda: np.empty(0, dtype=np.float64))
    object_kind: Int8Array = field(default_factory=lambda: np.empty(0, dtype=np.int8))
    tree_row_id: IntArray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    tree_row_start: IntArray = field(default_factory=lambda: np.zeros(1, dtype=np.int64))
    tree_row_lon: FloatArray = field(default_factory=lambda: np.empty(0, dtype=np.float64))
    tree_row_lat: FloatArray = field(default_factory=lambda: np.empty(0, dtype=np.float64))
    _cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def way_count(self) -> int:
        return int(self.way_id.shape[0])

    def cached(self, key: str, compute: Callable[[], T]) -> T:
        """Return `compute()`, computed once per `key` for this extract (e.g. areas in a projection)."""
        if key not in self._cache:
            self._cache[key] = compute()
        return cast(T, self._cache[key])

    def way_tags(self, k: int) -> dict[str, str]:
        """Return the kept tags of way number `k` (those of `WAY_TAG_KEYS`, in that order), name included."""
        tags = self.tag_sets[int(self.way_tag_set[k])]
        name = self.way_name[k]
        if name is None:
            return dict(tags)
        merged = {**tags, "name": name}
        return {key: merged[key] for key in WAY_TAG_KEYS if key in merged}

    def way_nodes(self, k: int) -> Int32Array:
        """Return the node indices of way number `k` (a view)."""
        return self.way_node[self.way_node_start[k] : self.way_node_start[k + 1]]

    def way_has_line(self) -> BoolArray:
        """Tell, for each way, whether at least 2 of its nodes are known (so it has a line)."""
        known = np.isfinite(self.node_lon[self.way_node])
        way_of = np.repeat(np.arange(self.way_count), np.diff(self.way_node_start))
        return np.asarray(np.bincount(way_of[known], minlength=self.way_count) >= 2)

    def way_lines(self, ways: IntArray | None = None) -> ObjectArray:
        """Return ways (all, or those numbered in `ways`) as shapely LineStrings in lon/lat.

        Missing nodes are left out of a line; None where fewer than 2 nodes are known. Not cached:
        callers ask for the few ways they need, so the lines of a whole city never sit in memory.
        """
        if ways is None:
            return _lines_from_csr(self.node_lon, self.node_lat, self.way_node_start, self.way_node)
        ways = np.asarray(ways, dtype=np.int64)
        lengths = self.way_node_start[ways + 1] - self.way_node_start[ways]
        starts = np.concatenate([np.zeros(1, dtype=np.int64), np.cumsum(lengths)])
        pos = np.repeat(self.way_node_start[ways] - starts[:-1], lengths) + np.arange(
            starts[-1], dtype=np.int64
        )
        return _lines_from_csr(self.node_lon, self.node_lat, starts, self.way_node[pos])


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


@numba.njit(cache=True, nogil=True)
def _int_at(buf: npt.NDArray[np.uint8], i: int) -> tuple[int, int]:
    """Parse an optionally signed decimal integer starting at `buf[i]`; return it and the next index."""
    sign = 1
    if buf[i] == 45:  # '-'
        sign = -1
        i += 1
    value = 0
    while i < buf.shape[0] and 48 <= buf[i] <= 57:
        value = value * 10 + (buf[i] - 48)
        i += 1
    return sign * value, i


@numba.njit(cache=True, nogil=True)
def _coordinate_at(buf: npt.NDArray[np.uint8], i: int) -> tuple[float, int]:
    """Parse an OPL coordinate (up to 7 decimals, possibly empty) at `buf[i]`; NaN when empty.

    The value is rebuilt as libosmium stores it, a fixed-point integer of 1e-7 degrees, and divided
    by 1e7 as `osmium.osm.Location.lon` does, so it is the very same double.
    """
    sign = 1
    if i < buf.shape[0] and buf[i] == 45:
        sign = -1
        i += 1
    value = 0
    decimals = -1
    digits = 0
    while i < buf.shape[0]:
        c = buf[i]
        if 48 <= c <= 57:
            value = value * 10 + (c - 48)
            digits += 1
            if decimals >= 0:
                decimals += 1
        elif c == 46:  # '.'
            decimals = 0
        else:
            break
        i += 1
    if digits == 0:
        return math.nan, i
    for _ in range(OSM_COORDINATE_DECIMALS - max(decimals, 0)):
        value *= 10
    return sign * value / OSM_COORDINATE_SCALE, i


@numba.njit(cache=True, nogil=True)
def _node_line_at(buf: npt.NDArray[np.uint8], i: int) -> tuple[int, int, int, float, float, int]:
    """Parse the node line ``n<id> T<tags> x<lon> y<lat>`` at `buf[i]`: its id, the byte range of
    its tag field, its location (NaN when unknown), and the index after the latitude."""
    node_id, i = _int_at(buf, i + 1)
    i += 2  # " T"
    tag_start = i
    while buf[i] != 32:  # tags hold no space: OPL escapes it
        i += 1
    tag_end = i
    lon, i = _coordinate_at(buf, i + 2)  # after " x"
    lat, i = _coordinate_at(buf, i + 2)  # after " y"
    return node_id, tag_start, tag_end, lon, lat, i


def _words(words: tuple[bytes, ...]) -> tuple[npt.NDArray[np.uint8], IntArray]:
    """Byte strings as one uint8 array and CSR offsets, for `_first_tag`."""
    flat = np.frombuffer(b"".join(words), dtype=np.uint8)
    return flat, np.cumsum([0, *(len(w) for w in words)], dtype=np.int64)


@numba.njit(cache=True, nogil=True)
def _first_tag(
    buf: npt.NDArray[np.uint8],
    tag_start: IntArray,
    tag_end: IntArray,
    words: npt.NDArray[np.uint8],
    word_start: IntArray,
) -> IntArray:
    """For each OPL tag field ``k=v,k2=v2…`` (a byte range of `buf`), the index of the word its first
    matching tag (in the field's order) matches, or -1. A word ``k=`` matches any tag of key k; a
    word ``k=v`` matches that tag only.
    """
    n_words = word_start.shape[0] - 1
    out = np.full(tag_start.shape[0], -1, np.int64)
    for k in range(tag_start.shape[0]):
        i, end = tag_start[k], tag_end[k]
        while i < end and out[k] < 0:
            for w in range(n_words):
                a, b = word_start[w], word_start[w + 1]
                j = i + (b - a)
                if j > end or (words[b - 1] != 61 and j < end and buf[j] != 44):  # '=', ','
                    continue
                same = True
                for t in range(b - a):
                    if buf[i + t] != words[a + t]:
                        same = False
                        break
                if same:
                    out[k] = w
                    break
            while i < end and buf[i] != 44:  # to the next tag
                i += 1
            i += 1
    return out


@numba.njit(cache=True, nogil=True)
def _way_refs_at(buf: npt.NDArray[np.uint8], i: int) -> tuple[int, int, int]:
    """Find the node list of the way line ``w<id> T<tags> N<n<ref>,…>`` at `buf[i]`: the index of its
    first reference, the number of references, and the index of the next line."""
    n = buf.shape[0]
    while buf[i] != 32:  # the id
        i += 1
    i += 2  # " T"
    while buf[i] != 32:  # tags hold no space: OPL escapes it
        i += 1
    i += 2  # " N"
    start = i
    count = 0 if i >= n or buf[i] == 10 else 1
    while i < n and buf[i] != 10:
        count += buf[i] == 44  # ','
        i += 1
    return start, count, i + 1


@numba.njit(cache=True, nogil=True)
def _opl_sizes(buf: npt.NDArray[np.uint8], max_way_nodes: int) -> tuple[int, int, int, int, int]:
    """Count the node lines, the way lines of at most `max_way_nodes` references and those
    references, and the longer ways, with the id of the first of them (0 when none)."""
    n = buf.shape[0]
    nodes = ways = refs = long_ways = first_long = 0
    i = 0
    while i < n:
        if buf[i] == 119:  # 'w'
            way_id, _ = _int_at(buf, i + 1)
            _, count, i = _way_refs_at(buf, i)
            if count > max_way_nodes:
                first_long = way_id if long_ways == 0 else first_long
                long_ways += 1
            else:
                ways += 1
                refs += count
            continue
        nodes += buf[i] == 110  # 'n'
        while i < n and buf[i] != 10:
            i += 1
        i += 1
    return nodes, ways, refs, long_ways, first_long


@numba.njit(cache=True, nogil=True)
def _scan_opl(
    buf: npt.NDArray[np.uint8], n_nodes: int, n_ways: int, n_refs: int, max_way_nodes: int
) -> tuple[
    IntArray,
    IntArray,
    IntArray,
    FloatArray,
    FloatArray,
    IntArray,
    IntArray,
    IntArray,
    IntArray,
    IntArray,
]:
    """Index the node and way lines of an OPL text (``n<id> T<tags> x<lon> y<lat>``,
    ``w<id> T<tags> N<n<ref>,…>``); relation lines are skipped.

    The counts are those of `_opl_sizes`; ways of more than `max_way_nodes` references are left
    out. Returns the ids, tag field byte ranges, longitudes and latitudes (NaN where unknown) of
    the node lines; then the way ids, the byte range of each way's tag field, CSR offsets of its
    references, and the referenced node ids.
    """
    n = buf.shape[0]
    node_id = np.empty(n_nodes, np.int64)
    node_tag_start = np.empty(n_nodes, np.int64)
    node_tag_end = np.empty(n_nodes, np.int64)
    node_lon = np.empty(n_nodes, np.float64)
    node_lat = np.empty(n_nodes, np.float64)
    way_id = np.empty(n_ways, np.int64)
    tag_start = np.empty(n_ways, np.int64)
    tag_end = np.empty(n_ways, np.int64)
    node_start = np.zeros(n_ways + 1, np.int64)
    ref = np.empty(n_refs, np.int64)
    p = w = m = 0
    i = 0
    while i < n:
        if buf[i] == 110:  # 'n'
            node_id[p], node_tag_start[p], node_tag_end[p], node_lon[p], node_lat[p], i = _node_line_at(
                buf, i
            )
            p += 1
        elif buf[i] == 119:  # 'w'
            start, count, end = _way_refs_at(buf, i)
            if count <= max_way_nodes:
                way_id[w], j = _int_at(buf, i + 1)
                tag_start[w] = j + 2  # after " T"
                tag_end[w] = start - 2  # the space before " N"
                j = start
                for _ in range(count):
                    ref[m], j = _int_at(buf, j + 1)  # after 'n'
                    m += 1
                    j += 1  # ','
                w += 1
                node_start[w] = m
            i = end
            continue
        while i < n and buf[i] != 10:
            i += 1
        i += 1
    return (
        node_id,
        node_tag_start,
        node_tag_end,
        node_lon,
        node_lat,
        way_id,
        tag_start,
        tag_end,
        node_start,
        ref,
    )


def _unescape_opl(text: str) -> str:
    return _OPL_ESCAPE.sub(lambda match: chr(int(match[1], 16)), text)


def _opl_tags(field: bytes) -> dict[str, str]:
    """Tags of an OPL tag field ``k=v,k2=v2``; '=' and ',' inside keys and values are %-escaped."""
    text = field.replace(b"=", b",").decode()
    if b"%" in field:
        if b"%2c%" in field or b"%3d%" in field:  # an escaped separator: unescape piece by piece
            pieces = [_unescape_opl(p) if "%" in p else p for p in text.split(",")]
            parts = iter(pieces)
            return dict(zip(parts, parts, strict=True))
        text = _unescape_opl(text)
    parts = iter(text.split(","))
    return dict(zip(parts, parts, strict=True))


def _kept_tags(field: bytes) -> dict[str, str]:
    """The `WAY_TAG_KEYS` tags of an OPL tag field, in the field's order, without parsing the others."""
    text = field.decode()
    pairs = _KEPT_TAG.findall(text)
    if "%" not in text:
        return dict(pairs)
    return {k: _unescape_opl(v) if "%" in v else v for k, v in pairs}


@dataclass
class _Pass:
    """What the pass found besides the ways: points, street objects and multipolygon relations."""

    point_ids: list[int] = field(default_factory=list)
    point_lon: list[float] = field(default_factory=list)
    point_lat: list[float] = field(default_factory=list)
    point_tags: list[dict[str, str]] = field(default_factory=list)
    object_ids: list[int] = field(default_factory=list)
    object_lon: list[float] = field(default_factory=list)
    object_lat: list[float] = field(default_factory=list)
    object_kind: list[int] = field(default_factory=list)
    relations: list[tuple[int, dict[str, str], list[tuple[int, str]]]] = field(default_factory=list)
    repeated_relations: int = 0  # multipolygons whose id came again (the last copy is kept)


@dataclass
class _OplWays:
    """Every way of the file as the scan found it: ids, tag byte ranges, CSR nodes."""

    data: bytes
    way_id: IntArray
    tag_start: IntArray
    tag_end: IntArray
    node_start: IntArray
    ref: IntArray
    lon: FloatArray
    lat: FloatArray

    def coords(self, k: int) -> FloatArray:
        a, b = int(self.node_start[k]), int(self.node_start[k + 1])
        return np.column_stack([self.lon[a:b], self.lat[a:b]])


@dataclass
class _OplNodes:
    """Node lines of the OPL text: ids, tag byte ranges, locations (NaN where unknown)."""

    node_id: IntArray
    tag_start: IntArray
    tag_end: IntArray
    lon: FloatArray
    lat: FloatArray

    def take(self, lines: IntArray) -> _OplNodes:
        return _OplNodes(
            self.node_id[lines], self.tag_start[lines], self.tag_end[lines], self.lon[lines], self.lat[lines]
        )

    def locate(self, refs: IntArray) -> tuple[FloatArray, FloatArray]:
        """Longitudes and latitudes of the nodes `refs` (NaN for ids without a line); ids sorted, distinct."""
        if self.node_id.shape[0] == 0:
            nan = np.full(refs.shape[0], np.nan)
            return nan, nan.copy()
        pos = np.searchsorted(self.node_id, refs)
        pos[pos == self.node_id.shape[0]] = 0
        found = self.node_id[pos] == refs
        return np.where(found, self.lon[pos], np.nan), np.where(found, self.lat[pos], np.nan)


@dataclass
class _Ways:
    """The ways sorted into what the engine keeps."""

    linear: list[int] = field(default_factory=list)  # indices of highway and barrier ways
    highway_ways: int = 0
    tag_set: list[int] = field(default_factory=list)  # per linear way
    name: list[str | None] = field(default_factory=list)  # per linear way
    tag_sets: dict[tuple[tuple[str, str], ...], int] = field(default_factory=dict)
    closed: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # closed area ways
    not_member: list[int] = field(default_factory=list)  # closed non-linear ways: no multipolygon member
    tree_rows: list[int] = field(default_factory=list)  # natural=tree_row ways


def _is_area_of_interest(tags: dict[str, str], *, from_way: bool) -> bool:
    """Tell whether a closed way or multipolygon is a surface we use (closed highways are loops)."""
    if tags.get("area") == "no" or tags.keys().isdisjoint(_AREA_KEY_SET):
        return False
    if "highway" in tags and from_way:
        others = not tags.keys().isdisjoint(_AREA_KEYS_BUT_HIGHWAY)
        return others or tags.get("area") == "yes" or tags["highway"] in _HIGHWAY_AREA_VALUES
    return True


def _sort_ways(opl: _OplWays) -> _Ways:
    """Sort the tagged ways into linear ways (with their kept tags) and closed area ways.

    Untagged ways need no Python: they matter only as multipolygon members.
    """
    out = _Ways()
    n_nodes = np.diff(opl.node_start)
    closed = np.zeros(n_nodes.shape[0], dtype=bool)
    has_nodes = n_nodes > 0
    closed[has_nodes] = opl.ref[opl.node_start[:-1][has_nodes]] == opl.ref[opl.node_start[1:][has_nodes] - 1]
    closed &= n_nodes >= 4
    tagged = np.flatnonzero((opl.tag_end > opl.tag_start) & (n_nodes >= 2))
    data, tag_start, tag_end = opl.data, opl.tag_start, opl.tag_end
    names: dict[str, str] = {}  # one str object per distinct name
    # what an open way's tag field gives, by the field's text: streets repeat their tags way
    # after way (a few thousand distinct fields for hundreds of thousands of ways)
    open_seen: dict[bytes, tuple[bool, str | None, int] | None] = {}
    row_texts: set[bytes] = set()  # the open ways' tag fields that make a tree row (few)
    for k, is_closed in zip(tagged.tolist(), closed[tagged].tolist(), strict=True):
        text = data[tag_start[k] : tag_end[k]]
        if not is_closed:
            if text not in open_seen:
                open_seen[text] = _open_way(text, out, names)
                if _TREE_ROW_TEXT in text and _is_tree_row(_opl_tags(text)):
                    row_texts.add(text)
            if row_texts and text in row_texts:
                out.tree_rows.append(k)
            seen = open_seen[text]
            if seen is not None:
                is_highway, name, tag_set = seen
                out.highway_ways += is_highway
                out.name.append(name)
                out.tag_set.append(tag_set)
                out.linear.append(k)
            continue
        tags = _opl_tags(text)  # a possible area: all its tags
        if _is_tree_row(tags):
            out.tree_rows.append(k)
        highway = tags.get("highway")
        linear = highway is not None or "barrier" in tags
        if linear:
            out.highway_ways += highway is not None
            kept = {key: tags[key] for key in WAY_TAG_KEYS if key in tags}
            name = kept.pop("name", None)
            out.name.append(None if name is None else names.setdefault(name, name))
            out.tag_set.append(out.tag_sets.setdefault(tuple(kept.items()), len(out.tag_sets)))
            out.linear.append(k)
        if highway is None or "area" in tags or "place" in tags or highway in _HIGHWAY_AREA_VALUES:
            if _is_area_of_interest(tags, from_way=True):
                out.closed.append((k, tags))
            if not linear:
                out.not_member.append(k)
    return out


def _is_tree_row(tags: dict[str, str]) -> bool:
    return tags.get(TREE_ROW[0]) == TREE_ROW[1]


def _open_way(text: bytes, out: _Ways, names: dict[str, str]) -> tuple[bool, str | None, int] | None:
    """Whether an open way's tag field is a highway, its name and kept tag set; None if not linear."""
    # ',' and '=' inside keys are escaped, so this finds exactly the keys highway and barrier
    if not (text.startswith(_LINEAR_PREFIXES) or any(m in text for m in _LINEAR_MARKS)):
        return None
    kept = _kept_tags(text)
    if "highway" not in kept and "barrier" not in kept:
        return None
    name = kept.pop("name", None)
    tag_set = out.tag_sets.setdefault(tuple(kept.items()), len(out.tag_sets))
    return "highway" in kept, None if name is None else names.setdefault(name, name), tag_set


def _read_pass(fp: osmium.FileProcessor, found: _Pass) -> None:
    """Run the pass: the OPL writer has the nodes and ways, Python gets the multipolygons.

    A relation whose id comes again is replaced by its last copy, as nodes and ways are.
    """
    objects: Iterable[Any] = fp
    latest: dict[int, tuple[int, dict[str, str], list[tuple[int, str]]] | None] = {}
    for obj in objects:
        if obj.is_relation():
            found.repeated_relations += obj.id in latest
            all_tags = dict(obj.tags)
            del all_tags["type"]  # the C++ filter let only type=multipolygon through
            latest[obj.id] = None
            if _is_area_of_interest(all_tags, from_way=False):
                members = [(m.ref, m.role) for m in obj.members if m.type == "w"]
                latest[obj.id] = (obj.id, all_tags, members)
    found.relations = [relation for relation in latest.values() if relation is not None]


def _collect_nodes(data: bytes, nodes: _OplNodes, found: _Pass) -> None:
    """Sort the tagged nodes of the OPL text into points and street objects; drop the others.

    A node with a location is a point when it has a `POINT_KEYS` key (all its tags kept), a street
    object when its tags make it one (`street_object_kind`: the first tag, in the tags' order, of
    an object kind; only the kind kept); it may be both (a bollard on a way), or neither (a
    restaurant). The tag fields are matched in numba (`_first_tag`), so only the points' tags are
    parsed.
    """
    if nodes.node_id.shape[0] == 0:
        return
    buf = np.frombuffer(data, dtype=np.uint8)
    known = np.isfinite(nodes.lon) & np.isfinite(nodes.lat)
    tag = _first_tag(buf, nodes.tag_start, nodes.tag_end, *_words(_OBJECT_TAG_TEXTS))
    objects = np.flatnonzero(known & (tag >= 0))
    found.object_ids.extend(nodes.node_id[objects].tolist())
    found.object_lon.extend(nodes.lon[objects].tolist())
    found.object_lat.extend(nodes.lat[objects].tolist())
    found.object_kind.extend(_OBJECT_TAG_KIND[tag[objects]].tolist())
    points = np.flatnonzero(
        known & (_first_tag(buf, nodes.tag_start, nodes.tag_end, *_words(_POINT_KEY_TEXTS)) >= 0)
    )
    starts, ends = nodes.tag_start.tolist(), nodes.tag_end.tolist()
    for k in points.tolist():
        found.point_ids.append(int(nodes.node_id[k]))
        found.point_lon.append(float(nodes.lon[k]))
        found.point_lat.append(float(nodes.lat[k]))
        found.point_tags.append(_opl_tags(data[starts[k] : ends[k]]))


def _make_processor(path: Path, fmt: str, opl_writer: Any) -> osmium.FileProcessor:
    """Build the one-pass processor: every node and way to the OPL writer, multipolygons to Python.

    No location store: the scan of the OPL text locates the ways' nodes (see `_OPL_FORMAT`).
    """
    source = osmium.io.File(str(path), fmt)
    relations = TagFilter(("type", "multipolygon"))
    relations.enable_for(osmium.osm.RELATION)
    return (
        osmium.FileProcessor(source)
        .with_filter(relations)
        .with_filter(opl_writer)
        .with_filter(EntityFilter(osmium.osm.RELATION))
    )


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


def _gather(node_start: IntArray, ways: IntArray) -> tuple[IntArray, IntArray]:
    """Positions of the nodes of `ways` in the scan's node arrays, and the CSR offsets of those ways."""
    lengths = node_start[ways + 1] - node_start[ways]
    starts = np.concatenate([np.zeros(1, dtype=np.int64), np.cumsum(lengths)])
    pos = np.repeat(node_start[ways] - starts[:-1], lengths) + np.arange(starts[-1], dtype=np.int64)
    return pos, starts


def _ring_from_members(
    members: list[tuple[int, str]], ways: dict[int, tuple[int, int, FloatArray]], role: str
) -> list[FloatArray]:
    """Join member ways of one role end to end into rings (by shared end node ids), best effort.

    A chain that cannot be closed (a member way is missing from the extract) is closed straight.
    """
    pieces = [ways[ref] for ref, r in members if (r or "outer") == role and ref in ways]
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


def _valid_polygons(items: list[tuple[list[FloatArray], list[FloatArray]]]) -> list[Any]:
    """Valid (Multi)Polygons from (outer rings, inner rings), or None where no area is left.

    Rings may be clipped or self-touching: each ring of at least 4 points becomes a polygon made
    valid (one vectorised call for all items), the shells of an item are united, its holes cut
    out, and only the polygon parts of positive area are kept.
    """
    rings: list[FloatArray] = []
    ring_item: list[int] = []
    ring_outer: list[bool] = []
    for i, (outers, inners) in enumerate(items):
        for is_outer, group in ((True, outers), (False, inners)):
            for ring in group:
                if ring.shape[0] >= 4:
                    rings.append(ring)
                    ring_item.append(i)
                    ring_outer.append(is_outer)
    out: list[Any] = [None] * len(items)
    if not rings:
        return out
    ring_of = np.repeat(np.arange(len(rings)), [r.shape[0] for r in rings])
    made = shapely.make_valid(shapely.polygons(shapely.linearrings(np.concatenate(rings), indices=ring_of)))
    shells: dict[int, list[Any]] = {}
    holes: dict[int, list[Any]] = {}
    for geom, i, is_outer in zip(made, ring_item, ring_outer, strict=True):
        (shells if is_outer else holes).setdefault(i, []).append(geom)
    whole: list[Any] = []
    owners: list[int] = []
    for i, item_shells in shells.items():
        geom = shapely.make_valid(shapely.union_all(item_shells)) if len(item_shells) > 1 else item_shells[0]
        if i in holes:
            geom = shapely.make_valid(shapely.difference(geom, shapely.union_all(holes[i])))
        whole.append(geom)
        owners.append(i)
    geoms = np.empty(len(whole), dtype=object)
    geoms[:] = whole
    parts, part_of = shapely.get_parts(geoms, return_index=True)
    keep = (shapely.get_type_id(parts) == GEOS_POLYGON) & (shapely.area(parts) > 0)
    kept: dict[int, list[Any]] = {}
    for part, j in zip(parts[keep], part_of[keep].tolist(), strict=True):
        kept.setdefault(owners[j], []).append(part)
    for i, polys in kept.items():
        out[i] = polys[0] if len(polys) == 1 else shapely.MultiPolygon(polys)
    return out


@dataclass
class _Areas:
    ids: list[int] = field(default_factory=list)
    is_relation: list[bool] = field(default_factory=list)
    geoms: list[Any] = field(default_factory=list)
    tags: list[dict[str, str]] = field(default_factory=list)


def _closed_way_areas(opl: _OplWays, closed: list[tuple[int, dict[str, str]]], areas: _Areas) -> None:
    """Polygons of closed area ways: straight from complete valid rings, else made valid."""
    if not closed:
        return
    ways = np.asarray([k for k, _ in closed], dtype=np.int64)
    pos, starts = _gather(opl.node_start, ways)
    xy = np.column_stack([opl.lon[pos], opl.lat[pos]])
    finite = np.isfinite(xy[:, 0])
    complete = np.logical_and.reduceat(finite, starts[:-1]) if pos.shape[0] else np.zeros(0, dtype=bool)
    polys = np.full(len(closed), None, dtype=object)
    redo = np.flatnonzero(~complete).tolist()
    if complete.any():
        ring_of = np.repeat(np.arange(len(closed)), np.diff(starts))
        in_complete = complete[ring_of]
        rank = np.cumsum(complete) - 1
        rings = shapely.linearrings(xy[in_complete], indices=rank[ring_of[in_complete]])
        made = shapely.polygons(rings)
        bad = ~shapely.is_valid(made)
        made[bad] = None
        polys[complete] = made
        redo = np.flatnonzero(complete)[bad].tolist() + redo
    # invalid rings (their outline again) and clipped rings (the nodes that are known), made valid
    outlines: list[tuple[list[FloatArray], list[FloatArray]]] = []
    for j in redo:
        ring = xy[starts[j] : starts[j + 1]]
        outlines.append(([ring[np.isfinite(ring[:, 0])]], []))
    for j, poly in zip(redo, _valid_polygons(outlines), strict=True):
        polys[j] = poly
    for (k, tags), poly in zip(closed, polys, strict=True):
        if poly is not None:
            areas.ids.append(int(opl.way_id[k]))
            areas.is_relation.append(False)
            areas.geoms.append(poly)
            areas.tags.append(tags)


def _multipolygon_areas(opl: _OplWays, not_member: list[int], found: _Pass, areas: _Areas) -> None:
    """Assemble multipolygon relations from their member ways (outer and inner rings).

    Closed ways kept as areas of no interest to us and not linear are not members (as before the
    OPL scan, when only the ways of interest were kept).
    """
    if not found.relations:
        return
    needed = distinct(np.asarray([r for _, _, ms in found.relations for r, _ in ms], dtype=np.int64))
    available = np.ones(opl.way_id.shape[0], dtype=bool)
    available[np.asarray(not_member, dtype=np.int64)] = False
    available &= np.diff(opl.node_start) >= 2
    ways: dict[int, tuple[int, int, FloatArray]] = {}
    for k in np.flatnonzero(available & np.isin(opl.way_id, needed)).tolist():
        a, b = int(opl.node_start[k]), int(opl.node_start[k + 1])
        ways[int(opl.way_id[k])] = (int(opl.ref[a]), int(opl.ref[b - 1]), opl.coords(k))
    polys = _valid_polygons(
        [
            (_ring_from_members(members, ways, "outer"), _ring_from_members(members, ways, "inner"))
            for _, _, members in found.relations
        ]
    )
    for (rel_id, tags, _), poly in zip(found.relations, polys, strict=True):
        if poly is not None:
            areas.ids.append(rel_id)
            areas.is_relation.append(True)
            areas.geoms.append(poly)
            areas.tags.append(tags)


def _header_bounds(fp: osmium.FileProcessor, head: bytes) -> tuple[Bounds | None, str | None]:
    """The file's header box, or None; and, when the file gives a box that cannot be used, why."""
    problem = xml_bounds_problem(head)
    if problem is not None:
        return None, problem
    box = fp.header.box()
    if not box.valid():
        return None, None
    bl, tr = box.bottom_left, box.top_right
    bounds = (bl.lon, bl.lat, tr.lon, tr.lat)
    problem = bounds_problem(bounds)
    return (None, f"The header's bounding box {problem} ({bounds})") if problem else (bounds, None)


def _extract_bounds(
    header_bounds: Bounds | None, problem: str | None, lon: FloatArray, lat: FloatArray, warnings: list[str]
) -> tuple[Bounds, str]:
    """The header box when it is valid and holds a street node, else the extent of the street nodes.

    A box that is given but not used is reported in `warnings`.
    """
    if header_bounds is not None:
        west, south, east, north = header_bounds
        if np.any((lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)):
            return header_bounds, "header"
        problem = f"The header's bounds {header_bounds} hold none of the streets"
    if problem is not None:
        warnings.append(f"{problem}, so the extent of the streets is used as the file's bounds.")
    return (float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max())), "highway_nodes"


def _build_extract(
    path: Path,
    fmt: str,
    opl: _OplWays,
    found: _Pass,
    *,
    header_bounds: Bounds | None,
    bounds_issue: str | None,
    warnings: list[str],
    sha256: str,
    read_s: float,
) -> OsmExtract:
    """Turn the scanned ways and the collected points and relations into an `OsmExtract`."""
    sorted_ways = _sort_ways(opl)
    opl.data = b""  # the tag text is parsed: let its memory go before the arrays are built
    if sorted_ways.highway_ways == 0:
        raise OsmInputError(
            f"{path.name} contains {opl.way_id.shape[0]} ways but none tagged highway=*:"
            " no streets to import."
        )
    linear = np.asarray(sorted_ways.linear, dtype=np.int64)
    pos, starts = _gather(opl.node_start, linear)
    rows = np.asarray(sorted_ways.tree_rows, dtype=np.int64)
    rows = rows[np.argsort(opl.way_id[rows], kind="stable")]
    row_pos, row_start = _gather(opl.node_start, rows)
    object_id = np.asarray(found.object_ids, dtype=np.int64)
    by_id = np.argsort(object_id, kind="stable")
    refs = opl.ref[pos]
    areas = _Areas()
    _closed_way_areas(opl, sorted_ways.closed, areas)
    _multipolygon_areas(opl, sorted_ways.not_member, found, areas)
    node_id, first, inverse = np.unique(refs, return_index=True, return_inverse=True)
    node_lon = np.ascontiguousarray(opl.lon[pos][first])
    node_lat = np.ascontiguousarray(opl.lat[pos][first])
    tag_sets = tuple(dict(items) for items in sorted_ways.tag_sets)
    way_tag_set = np.asarray(sorted_ways.tag_set, dtype=np.int32)
    set_is_highway = np.asarray(["highway" in t for t in tag_sets], dtype=bool)
    is_highway = np.repeat(set_is_highway[way_tag_set], np.diff(starts))
    hw = pos[is_highway]
    hw_lon, hw_lat = opl.lon[hw], opl.lat[hw]
    finite = np.isfinite(hw_lon)
    if not finite.any():
        raise OsmInputError(
            f"{path.name} has {_plural(sorted_ways.highway_ways, 'highway way')}, but none of the"
            f" {distinct(opl.ref[hw]).shape[0]} nodes they reference is in the file: an extract must"
            " hold the nodes of its ways (export it with its nodes, e.g. as complete ways)."
        )
    bounds, bounds_source = _extract_bounds(
        header_bounds, bounds_issue, hw_lon[finite], hw_lat[finite], warnings
    )
    area_geom = np.empty(len(areas.geoms), dtype=object)
    area_geom[:] = areas.geoms
    way_name = np.empty(len(sorted_ways.name), dtype=object)
    way_name[:] = sorted_ways.name
    counts = {
        "ways_in_file": int(opl.way_id.shape[0]),
        "highway_ways": sorted_ways.highway_ways,
        "linear_ways": int(linear.shape[0]),
        "way_nodes": int(node_id.shape[0]),
        "missing_nodes": int(np.count_nonzero(~np.isfinite(node_lon))),
        "points": len(found.point_ids),
        "street_objects": len(found.object_ids),
        "tree_rows": int(rows.shape[0]),
        "areas": len(areas.ids),
        "multipolygon_relations": len(found.relations),
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
        warnings=tuple(warnings),
    )
    return OsmExtract(
        node_id=node_id.astype(np.int64),
        node_lon=node_lon,
        node_lat=node_lat,
        way_id=opl.way_id[linear],
        way_node_start=starts,
        way_node=inverse.astype(np.int32).reshape(-1),
        way_tag_set=way_tag_set,
        tag_sets=tag_sets,
        way_name=way_name,
        point_id=np.asarray(found.point_ids, dtype=np.int64),
        point_lon=np.asarray(found.point_lon, dtype=np.float64),
        point_lat=np.asarray(found.point_lat, dtype=np.float64),
        point_tags=tuple(found.point_tags),
        area_osm_id=np.asarray(areas.ids, dtype=np.int64),
        area_is_relation=np.asarray(areas.is_relation, dtype=bool),
        area_geom=area_geom,
        area_tags=tuple(areas.tags),
        meta=meta,
        object_id=object_id[by_id],
        object_lon=np.asarray(found.object_lon, dtype=np.float64)[by_id],
        object_lat=np.asarray(found.object_lat, dtype=np.float64)[by_id],
        object_kind=np.asarray(found.object_kind, dtype=np.int8)[by_id],
        tree_row_id=opl.way_id[rows],
        tree_row_start=row_start,
        tree_row_lon=opl.lon[row_pos],
        tree_row_lat=opl.lat[row_pos],
    )


def _scan_file(
    path: Path, fmt: str, found: _Pass, *, head: bytes, limits: OsmReadLimits, warnings: list[str]
) -> tuple[_OplWays, Bounds | None, str | None]:
    """Run the pass with the nodes and ways written to a temporary OPL file, then scan that file.

    The tagged nodes are sorted into `found` here; the ways are returned, tag text included, with
    the header's bounds (and what is wrong with them, if anything).
    """
    handle, name = tempfile.mkstemp(prefix="pactesur-ways-", suffix=".opl")
    os.close(handle)
    opl_path = Path(name)
    try:
        writer = osmium.SimpleWriter(osmium.io.File(name, _OPL_FORMAT), overwrite=True)
        try:
            fp = _make_processor(path, fmt, writer)
            header_bounds, bounds_issue = _header_bounds(fp, head)
            _read_pass(fp, found)
        finally:
            writer.close()
        text_bytes = opl_path.stat().st_size
        if text_bytes > limits.max_scan_bytes:
            raise OsmInputError(
                f"{path.name} holds too much for one import: the text of its nodes and ways takes"
                f" {text_bytes / 2**20:,.0f} MB, more than the {limits.max_scan_bytes / 2**20:,.0f} MB an"
                " import may hold in memory. Import a smaller extract."
            )
        data = opl_path.read_bytes()
    finally:
        opl_path.unlink(missing_ok=True)
    return _index_opl(path, data, found, limits, warnings), header_bounds, bounds_issue


def _index_opl(path: Path, data: bytes, found: _Pass, limits: OsmReadLimits, warnings: list[str]) -> _OplWays:
    """Scan the OPL text: the ways with their nodes located, the tagged nodes sorted into `found`.

    A node or way whose id comes again is replaced by its last copy (counted in `warnings`), as
    are ways of more than `limits.max_way_nodes` references skipped.

    Raises
    ------
    OsmInputError
        When a node lies outside the world (latitude beyond ±90° or longitude beyond ±180°), or the
        ways reference more nodes than `limits.max_way_refs`.
    """
    buf = np.frombuffer(data, dtype=np.uint8)
    n_nodes, n_ways, n_refs, long_ways, first_long = _opl_sizes(buf, limits.max_way_nodes)
    if n_refs > limits.max_way_refs:
        raise OsmInputError(
            f"{path.name} holds too much for one import: its ways reference {n_refs:,} nodes, more"
            f" than the {limits.max_way_refs:,} an import may hold in memory. Import a smaller extract."
        )
    scanned = _scan_opl(buf, n_nodes, n_ways, n_refs, limits.max_way_nodes)
    nodes = _OplNodes(*scanned[:5])
    way_id, tag_start, tag_end, node_start, ref = scanned[5:]
    del scanned  # the node arrays of the file's order go once sorted
    _check_locations(path, nodes)
    last, repeated_nodes = _last_copies(nodes.node_id)
    if last is not None:
        nodes = nodes.take(last)
    last, repeated_ways = _last_copies(way_id)
    if last is not None and repeated_ways:
        keep = np.sort(last)  # the ways stay in the file's order
        pos, node_start = _gather(node_start, keep)
        way_id, tag_start, tag_end, ref = way_id[keep], tag_start[keep], tag_end[keep], ref[pos]
    lon, lat = nodes.locate(ref)
    _collect_nodes(data, nodes.take(np.flatnonzero(nodes.tag_end > nodes.tag_start)), found)
    if long_ways:
        warnings.append(
            f"Skipped {_plural(long_ways, 'way')} with more than {limits.max_way_nodes:,} nodes (the first:"
            f" way {first_long}): OpenStreetMap allows 2,000 nodes per way, so such a way is no street."
        )
    if repeated_nodes or repeated_ways or found.repeated_relations:
        warnings.append(
            f"The file repeats the ids of {_plural(repeated_nodes, 'node')}, {_plural(repeated_ways, 'way')}"
            f" and {_plural(found.repeated_relations, 'relation')}; the last copy of each was kept (an OSM"
            " file holds each object once: were files joined by hand?)."
        )
    negative = int(np.count_nonzero(nodes.node_id < 0) + np.count_nonzero(way_id < 0))
    if negative:
        warnings.append(
            f"The file has {_plural(negative, 'node or way', 'nodes or ways')} with a negative id: new"
            " objects of a JOSM file, not yet in OpenStreetMap. They are imported, but spaces suggested"
            " from them have no OSM link and may not be recognised in a later import of the uploaded data."
        )
    return _OplWays(data, way_id, tag_start, tag_end, node_start, ref, lon, lat)


def _plural(n: int, noun: str, nouns: str | None = None) -> str:
    return f"{n:,} {noun if n == 1 else nouns or noun + 's'}"


def _check_locations(path: Path, nodes: _OplNodes) -> None:
    """Refuse a file with a node outside the world: libosmium reads it, and nothing can use it."""
    bad = np.flatnonzero((np.abs(nodes.lat) > MAX_LAT_DEG) | (np.abs(nodes.lon) > MAX_LON_DEG))
    if bad.shape[0] == 0:
        return
    k = int(bad[0])
    others = f" (and {bad.shape[0] - 1:,} other nodes)" if bad.shape[0] > 1 else ""
    raise OsmInputError(
        f"{path.name} is corrupt: node {int(nodes.node_id[k])} lies at latitude {float(nodes.lat[k]):.7g},"
        f" longitude {float(nodes.lon[k]):.7g}{others}, outside the world (latitudes lie within"
        " -90…90, longitudes within -180…180). Correct or delete the node, then import the file again."
    )


def _last_copies(ids: IntArray) -> tuple[IntArray | None, int]:
    """The index of the last copy of each distinct id, in the order of the ids (None when the ids
    are distinct and sorted already, as in most files), and how many copies came before a last one."""
    if ids.shape[0] < 2 or bool(np.all(ids[1:] > ids[:-1])):
        return None, 0
    order = np.argsort(ids, kind="stable")
    ordered = ids[order]
    last = np.ones(order.shape[0], dtype=bool)
    np.not_equal(ordered[1:], ordered[:-1], out=last[:-1])
    return order[last], int(order.shape[0] - np.count_nonzero(last))


def _check_path(path: Path) -> None:
    if not path.exists():
        raise OsmInputError(f"OSM file not found: {path}")
    if not path.is_file():
        raise OsmInputError(f"Not a file: {path}")
    if path.stat().st_size == 0:
        raise OsmInputError(f"OSM file is empty (0 bytes): {path}")


def read_osm(
    path: str | Path, *, progress: Progress | None = None, limits: OsmReadLimits | None = None
) -> OsmExtract:
    """Read the street ways, barriers, stations, street objects and areas of an OSM file.

    One pass of pyosmium. A C++ filter drops the relations other than multipolygons; every node
    and way goes, still in C++, to a temporary OPL file, and never becomes a Python object. A
    numba scan of that text gives the node ids and coordinates, the way ids and their node ids as
    arrays, locates the ways' nodes, and tells the points and street objects among the tagged
    nodes; only the tag fields of tagged ways and of points are parsed in Python. Multipolygon
    relations (few) reach Python; they are assembled from their member ways, keeping the nodes a
    clipped extract has. Rows of trees (`natural=tree_row` ways) are kept as lines, sampled into
    trees by the import.

    Hostile and malformed files are refused before they cost much (a compressed file that expands
    too far, more node and way text than `limits` allow, a node outside the world) or read with
    what is wrong noted in ``meta.warnings`` (overlong ways skipped, repeated ids, unusable
    bounds, negative ids).

    Parameters
    ----------
    path
        An .osm, .osm.pbf, .osm.gz or .osm.bz2 file (the format is sniffed from its first bytes).
    progress
        Called with (fraction 0..1, message) at the start and end of the read.
    limits
        How much the file may make the reader decompress, hold and keep; `OsmReadLimits()` if None.

    Returns
    -------
    OsmExtract
        Arrays of nodes, ways, tagged points and area polygons, with the file's meta data.

    Raises
    ------
    OsmInputError
        When the file is missing, empty, not OSM, truncated or corrupt, too big for `limits`, or has
        no highway ways with nodes.
    """
    import time

    path = Path(path)
    limits = limits or OsmReadLimits()
    _check_path(path)
    fmt = sniff_osm_format(path)
    if progress:
        progress(0.0, f"reading {path.name}")
    started = time.perf_counter()
    head = check_xml_size(path, fmt, limits)
    sha256 = file_sha256(path)
    found = _Pass()
    warnings: list[str] = []
    try:
        opl, header_bounds, bounds_issue = _scan_file(
            path, fmt, found, head=head, limits=limits, warnings=warnings
        )
    except OsmInputError:
        raise
    except (RuntimeError, ValueError, KeyError, osmium.InvalidLocationError) as exc:
        raise OsmInputError(
            f"{path.name} could not be read as OSM {_FORMAT_NAMES[fmt]} (truncated or corrupt file?): {exc}"
        ) from exc
    if opl.way_id.shape[0] == 0:
        _raise_no_ways(path, fmt, warnings)
    extract = _build_extract(
        path,
        fmt,
        opl,
        found,
        header_bounds=header_bounds,
        bounds_issue=bounds_issue,
        warnings=warnings,
        sha256=sha256,
        read_s=time.perf_counter() - started,
    )
    if progress:
        progress(
            1.0,
            f"read {extract.meta.counts['highway_ways']} highway ways"
            f" and {extract.area_osm_id.shape[0]} areas",
        )
    return extract


def _raise_no_ways(path: Path, fmt: str, warnings: list[str]) -> NoReturn:
    """Say why a file gave no way: a PBF cut after its header reads as one without data."""
    if fmt == "pbf" and pbf_data_blocks(path) == 0:  # raises when the file ends inside a block
        raise OsmInputError(
            f"{path.name} holds no data after its PBF header: the file is truncated (or an empty extract)."
        )
    skipped = f" {' '.join(warnings)}" if warnings else ""
    raise OsmInputError(f"{path.name} contains no ways: there is no street network to import.{skipped}")


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
