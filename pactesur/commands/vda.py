"""`pactesur vda`: vehicle dynamics assessment of an area on any OSM extract, no database needed.

With `--space NAME` the area is a space of the web platform's database and, without FILE, the
network is its city's active one. Such a run only reads: a data directory without a database
(a mistyped PACTESUR_DATA_DIR, say) is an error, never a new empty database.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from pathlib import Path
from typing import Any

from pactesur.engine.errors import EngineError

_OSM_SUFFIXES = (".osm", ".pbf", ".gz", ".bz2", ".o5m", ".xml")
EXIT_BAD_INPUT = 2
# The command writes its result and closes its files itself: `pactesur.cli.entry` may end the
# process without tearing down the network's objects.
FAST_EXIT = True


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "file",
        metavar="FILE",
        nargs="?",
        help=(
            "OSM extract (.osm, .osm.pbf, .osm.gz …) or stored network; with --space, leave it out to "
            "use the active street network of the space's city"
        ),
    )
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument(
        "--area",
        metavar="AREA.geojson",
        help="the space: a GeoJSON Polygon/MultiPolygon, Feature or FeatureCollection (union), lon/lat",
    )
    where.add_argument("--space", metavar="NAME", help="a space of a city in the web platform's database")
    parser.add_argument(
        "--city", metavar="CITY", help="with --space: the space's city (name or slug) if several have it"
    )
    parser.add_argument(
        "--vehicle",
        metavar="CODE",
        action="append",
        help="vehicle class (M1, N1G, N1, N2A, N3C, N3F); repeat for several; default: every class",
    )
    parser.add_argument("--format", choices=("json", "geojson"), default="json", help="output format")
    parser.add_argument("--out", metavar="F", help="write the result to this file instead of stdout")


def _progress(message: str) -> None:
    print(f"[vda] {message}", file=sys.stderr, flush=True)


def _fail(message: str) -> int:
    print(f"pactesur vda: error: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _load_network(path: Path, timings: dict[str, float]) -> Any:
    t0 = time.perf_counter()
    if path.name.lower().endswith(_OSM_SUFFIXES):
        from pactesur.engine.io.osm import read_osm
        from pactesur.engine.osm_import import extract_network

        _progress(f"reading {path}")
        extract = read_osm(path)
        timings["read_osm"] = time.perf_counter() - t0
        for warning in extract.meta.warnings:
            _progress(f"warning: {warning}")
        _progress("building the street network")
        t1 = time.perf_counter()
        network = extract_network(extract)
        timings["import"] = time.perf_counter() - t1
        return network
    from pactesur.engine.io.network_store import load_network

    _progress(f"loading the stored network {path}")
    network = load_network(path)
    timings["load_network"] = time.perf_counter() - t0
    return network


def _find_space(args: argparse.Namespace) -> Any:
    """The space of `--space` (`spaces_lookup.FoundSpace`), from a database that must exist already."""
    try:
        from pactesur.commands._database import missing_database_file, setup_django

        lookup = importlib.import_module("pactesur.analysis.spaces_lookup")
        setup_django()
    except ImportError as exc:
        msg = (
            "--space needs the web platform database; it is not available here "
            f"({exc}). Export the space as GeoJSON and use --area instead"
        )
        raise _CliError(msg) from exc
    missing = missing_database_file()
    if missing is not None:
        msg = (
            f"there is no database at {missing}: set PACTESUR_DATA_DIR (or DATABASE_URL) as for "
            "`pactesur serve`, or import a city first with `pactesur import-osm`"
        )
        raise _CliError(msg)
    return lookup.find_space(args.space, city=args.city)


def _read_area(args: argparse.Namespace) -> Any:
    from pactesur.engine.entries import area_from_geojson

    try:
        text = Path(args.area).read_text(encoding="utf-8")
    except OSError as exc:
        msg = f"cannot read the area file {args.area}: {exc.strerror or exc}"
        raise _CliError(msg) from exc
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        msg = f"the area file {args.area} is not valid JSON: {exc}"
        raise _CliError(msg) from exc
    return area_from_geojson(obj)


def _area_and_network_path(args: argparse.Namespace) -> tuple[Any, Path]:
    """The area to analyse and the file of the network to analyse it on."""
    if args.space is None:
        if args.file is None:
            msg = "give FILE, the OSM extract to analyse the area on (only --space can leave it out)"
            raise _CliError(msg)
        return _read_area(args), Path(args.file)
    space = _find_space(args)
    if args.file is not None:
        return space.polygon, Path(args.file)
    if space.network_path is None:
        msg = (
            f"the city {space.city} has no street network yet: import its extract with "
            f"`pactesur import-osm {space.city} FILE`, or give FILE"
        )
        raise _CliError(msg)
    _progress(
        f"{space.name}: street network version {space.network_version} of {space.city} "
        f"({space.network_source})"
    )
    return space.polygon, Path(space.network_path)


class _CliError(Exception):
    """A problem with the command's input, reported without a traceback."""


def run(args: argparse.Namespace) -> int:
    from pactesur.engine.vda import analyse_area, vda_geojson, vda_json
    from pactesur.engine.vehicles import vehicles_by_codes

    timings: dict[str, float] = {}
    started = time.perf_counter()
    try:
        vehicles = vehicles_by_codes(args.vehicle)
        area, path = _area_and_network_path(args)
        if not path.is_file():
            missing = "the network file of the city is missing on the server: import it again"
            return _fail(f"no such file: {path}" if args.file is not None else f"{missing} ({path})")
        network = _load_network(path, timings)
        result = analyse_area(network, area, vehicle_codes=[v.code for v in vehicles], progress=_progress)
    except (EngineError, _CliError) as exc:
        return _fail(str(exc))
    except ImportError as exc:
        return _fail(f"the OSM reader is not installed in this build ({exc})")
    timings["wall_total"] = time.perf_counter() - started
    render = vda_geojson if args.format == "geojson" else vda_json
    text = json.dumps(render(result, extra_timings_s=timings), ensure_ascii=False)
    _progress(f"{len(result.entries)} entries for {len(result.vehicles)} vehicle classes")
    if args.out:
        try:
            Path(args.out).write_text(text + "\n", encoding="utf-8")
        except OSError as exc:
            return _fail(f"cannot write {args.out}: {exc.strerror or exc}")
        _progress(f"written to {args.out}")
    else:
        sys.stdout.write(text + "\n")
    return 0
