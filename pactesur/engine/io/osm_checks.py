"""Checks of hostile and malformed OSM files: size limits, compression bombs, truncation, bounds."""

from __future__ import annotations

import bz2
import gzip
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

from pactesur.engine.errors import OsmInputError

# OSM's API refuses ways of more than 2,000 nodes (`waynodes maximum` in its capabilities). A way
# fifty times longer is no mapped street: it is skipped with a counted warning, so the rest of the
# file still imports, and its references (a 250 KB .osm.gz holds millions) never reach the arrays.
MAX_WAY_NODES = 100_000
# OSM XML shrinks 10-20× under gzip or bzip2 (the planet: ~13×). A file that expands much more is
# made to exhaust the reader (a compression bomb), not an extract (assumption: 100× leaves 5×
# room).
MAX_EXPANSION = 100.0
# Below this much XML any expansion passes: a small file of repeated lines compresses far better
# than an extract, and this much XML is quick to read (assumption).
EXPANSION_FLOOR_BYTES = 64 * 2**20
# Decompressed XML read at most, whatever the ratio (assumption: the XML of a large region; larger
# areas come as PBF, ten times smaller).
MAX_XML_BYTES = 4 * 2**30
# An import's memory grows with the text of the file's nodes and ways (its temporary OPL file), and
# with the node references of its ways: 35 MB and 0.94 M for the 704k-segment synthetic city, whose
# import peaks at 0.6 GB. Past either bound the file is refused before it is held in memory
# (assumption: ~25× that city, some 10-15 GB).
MAX_SCAN_BYTES = 1024 * 2**20
MAX_WAY_REFS = 25_000_000
_CHUNK_BYTES = 1 << 20  # decompression step
_HEAD_BYTES = 64 * 1024  # where an XML file's <bounds> is looked for
# Compressed formats as people know them, for messages.
_COMPRESSED_KINDS = {"osm.gz": "OSM XML (gzip)", "osm.bz2": "OSM XML (bzip2)"}
_BOUNDS_ELEMENT = re.compile(rb"<bounds\b[^>]*>")
_BOUNDS_ATTRIBUTE = re.compile(rb"""\b(minlat|minlon|maxlat|maxlon)\s*=\s*["']([^"']*)["']""")
_PBF_SIZE_BYTES = 4  # each PBF blob starts with the size of its header, 4 bytes big-endian
_PBF_MAX_HEADER_BYTES = 64 * 1024  # the PBF format's own bound on a blob header
# Where a WGS 84 location can lie (libosmium's `Location::valid` uses the same bounds).
MAX_LAT_DEG = 90.0
MAX_LON_DEG = 180.0


@dataclass(frozen=True)
class OsmReadLimits:
    """How much an OSM file may make `read_osm` decompress, hold and keep.

    Attributes
    ----------
    max_way_nodes : ways with more node references are skipped (counted in a warning).
    max_expansion, expansion_floor_bytes : a .osm.gz or .osm.bz2 may expand to
        max(expansion_floor_bytes, max_expansion × its size) bytes of XML, checked while it is
        decompressed.
    max_xml_bytes : XML read at most, compressed or not.
    max_scan_bytes : the text of the file's nodes and ways, which the reader holds in memory.
    max_way_refs : node references of all ways (those of skipped ways aside); an import holds
        ~100-500 bytes per reference.
    """

    max_way_nodes: int = MAX_WAY_NODES
    max_expansion: float = MAX_EXPANSION
    expansion_floor_bytes: int = EXPANSION_FLOOR_BYTES
    max_xml_bytes: int = MAX_XML_BYTES
    max_scan_bytes: int = MAX_SCAN_BYTES
    max_way_refs: int = MAX_WAY_REFS

    def xml_bytes_allowed(self, compressed_bytes: int) -> int:
        """Return how many bytes of XML a compressed file of `compressed_bytes` may expand to."""
        relative = max(self.expansion_floor_bytes, int(self.max_expansion * compressed_bytes))
        return min(self.max_xml_bytes, relative)


def _mb(n_bytes: int) -> str:
    return f"{n_bytes / 2**20:,.0f} MB"


def check_xml_size(path: Path, fmt: str, limits: OsmReadLimits) -> bytes:
    """Check how much XML a file holds, decompressing it as a stream; return its first 64 KB.

    A compressed file is decompressed once, 1 MB at a time, and dropped as it goes: the check
    stops as soon as the file expands past what `limits` allow, so a compression bomb costs no
    more than the allowed amount of decompression and no memory. A PBF is not checked here (its
    blocks are bounded by the format; what they hold is bounded by `max_scan_bytes`).

    Raises
    ------
    OsmInputError
        When the file expands past the limit, or is a truncated or corrupt gzip/bzip2 file.
    """
    size = path.stat().st_size
    if fmt == "osm":
        if size > limits.max_xml_bytes:
            msg = (
                f"{path.name} holds {_mb(size)} of OSM XML, more than one import reads"
                f" ({_mb(limits.max_xml_bytes)}): import a smaller extract, or the same area as PBF."
            )
            raise OsmInputError(msg)
        with open(path, "rb") as stream:
            return stream.read(_HEAD_BYTES)
    if fmt not in {"osm.gz", "osm.bz2"}:
        return b""
    allowed = limits.xml_bytes_allowed(size)
    opener = gzip.open if fmt == "osm.gz" else bz2.open
    head = b""
    total = 0
    try:
        with opener(path, "rb") as stream:
            while chunk := stream.read(_CHUNK_BYTES):
                if not head:
                    head = chunk[:_HEAD_BYTES]
                total += len(chunk)
                if total > allowed:
                    raise OsmInputError(_expansion_message(path, size, allowed, limits))
    except (OSError, EOFError, zlib.error) as exc:
        kind = _COMPRESSED_KINDS.get(fmt, fmt)
        msg = f"{path.name} could not be decompressed as {kind} (truncated or corrupt file?): {exc}"
        raise OsmInputError(msg) from exc
    return head


def _expansion_message(path: Path, size: int, allowed: int, limits: OsmReadLimits) -> str:
    if allowed >= limits.max_xml_bytes:
        return (
            f"{path.name} expands to more than {_mb(allowed)} of OSM XML, more than one import reads:"
            " import a smaller extract, or the same area as PBF."
        )
    return (
        f"{path.name} ({size:,} bytes) expands to more than {_mb(allowed)} of XML, over"
        f" {limits.max_expansion:.0f} times its size: real OSM files shrink 10-20 times when"
        " compressed, so this one is refused as a compression bomb. If it is a real extract,"
        " import it uncompressed or as PBF."
    )


def xml_bounds_problem(head: bytes) -> str | None:
    """Say what is wrong with the ``<bounds>`` element of an OSM XML file's first bytes.

    libosmium builds its header box from the valid corners only, and orders them, so a latitude of
    95 or a minimum above its maximum would pass unseen: the element's own text is read here.

    Returns
    -------
    str or None
        A sentence for the user; None when the element is valid or absent.
    """
    element = _BOUNDS_ELEMENT.search(head)
    if element is None:
        return None
    text = element[0].decode("utf-8", "replace")
    values: dict[str, float] = {}
    for key, value in _BOUNDS_ATTRIBUTE.findall(element[0]):
        try:
            values[key.decode()] = float(value)
        except ValueError:
            return None  # libosmium refuses the file, with the value in its message
    if len(values) < 4:
        return f"The <bounds> element lacks one of minlat, minlon, maxlat, maxlon ({text})"
    problem = bounds_problem((values["minlon"], values["minlat"], values["maxlon"], values["maxlat"]))
    return f"The <bounds> element {problem} ({text})" if problem else None


def bounds_problem(box: tuple[float, float, float, float]) -> str | None:
    """Say what makes (minlon, minlat, maxlon, maxlat) an invalid box ("has …"), or None when it is valid."""
    minlon, minlat, maxlon, maxlat = box
    if not all(abs(v) <= MAX_LAT_DEG for v in (minlat, maxlat)):
        return "has a latitude outside -90…90"
    if not all(abs(v) <= MAX_LON_DEG for v in (minlon, maxlon)):
        return "has a longitude outside -180…180"
    if not (minlat < maxlat and minlon < maxlon):
        return "has a minimum that is not below its maximum"
    return None


def pbf_data_blocks(path: Path) -> int:
    """Count the data blocks of a PBF file by walking its blob headers (the blobs are skipped).

    Raises
    ------
    OsmInputError
        When the file ends inside a blob: it is truncated.
    """
    blocks = 0
    file_size = path.stat().st_size
    with open(path, "rb") as stream:
        while size_bytes := stream.read(_PBF_SIZE_BYTES):
            header_size = int.from_bytes(size_bytes, "big")
            if len(size_bytes) < _PBF_SIZE_BYTES:
                raise OsmInputError(f"{path.name} is truncated: it ends inside the size of a PBF blob.")
            if header_size > _PBF_MAX_HEADER_BYTES:
                raise OsmInputError(
                    f"{path.name} is corrupt: a PBF blob header claims {header_size:,} bytes."
                )
            header = stream.read(header_size)
            blob_type, data_size = _blob_header(header)
            if len(header) < header_size or data_size is None:
                raise OsmInputError(f"{path.name} is truncated: it ends inside a PBF blob header.")
            if stream.seek(data_size, 1) > file_size:
                raise OsmInputError(f"{path.name} is truncated: it ends inside a PBF data block.")
            blocks += blob_type == b"OSMData"
    return blocks


def _blob_header(data: bytes) -> tuple[bytes, int | None]:
    """The type and data size of a PBF BlobHeader (protobuf: 1 type string, 3 datasize int32)."""
    blob_type, data_size = b"", None
    i = 0
    while i < len(data):
        key, i = _varint(data, i)
        field, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _varint(data, i)
            if field == 3:
                data_size = value
        elif wire == 2:
            length, i = _varint(data, i)
            if field == 1:
                blob_type = data[i : i + length]
            i += length
        else:
            return blob_type, None
    return blob_type, data_size


def _varint(data: bytes, i: int) -> tuple[int, int]:
    value = shift = 0
    while i < len(data):
        byte = data[i]
        i += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, i
        shift += 7
    return value, i
