"""The `pactesur vda` command and its JSON contract, on hand-made networks and on real extracts."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from shapely.geometry import Polygon, mapping

from pactesur.cli import main
from pactesur.commands import vda as vda_command
from pactesur.engine.dynamics import attainable_speeds
from pactesur.engine.network import StreetNetwork
from pactesur.engine.vda import analyse_area, vda_json
from pactesur.engine.vehicles import VEHICLE_CLASSES
from tests.engine.synthetic import build_network, chain, to_lonlat

SHARED_OSM = Path(__file__).resolve().parents[2].parent / "shared" / "osm"
ENTRY_KEYS = {
    "vehicle", "lon", "lat", "impact_speed_kmh", "run_up_m", "kinetic_energy_kj",
    "required_rating", "approach", "width_m", "path", "via", "width_source", "assumed_widths",
    "speed_profile", "turns", "angle_deg",
}  # fmt: skip
BARRIER_KEYS = {
    "vehicle", "lon", "lat", "kind", "rated", "impact_speed_kmh", "kinetic_energy_kj", "required_rating",
}  # fmt: skip
STRAIGHT = {"A": (0.0, 0.0), "B": (300.0, 0.0), "C": (400.0, 0.0)}


def _square(x0: float, y0: float, x1: float, y1: float) -> Polygon:
    return Polygon([to_lonlat(x, y) for x, y in [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]])


def _write_area(tmp_path: Path, obj: Any) -> Path:
    path = tmp_path / "area.geojson"
    path.write_text(json.dumps(obj), encoding="utf-8")
    return path


@pytest.fixture
def synthetic_network(monkeypatch: pytest.MonkeyPatch) -> StreetNetwork:
    """A ── 300 m ── B ── 100 m ── C, fed to the command in place of an OSM file."""
    net = build_network(STRAIGHT, chain(list(STRAIGHT)))
    monkeypatch.setattr(vda_command, "_load_network", lambda _path, _timings: net)
    return net


def test_json_has_exactly_the_contract_fields_for_every_vehicle() -> None:
    net = build_network(STRAIGHT, chain(list(STRAIGHT)))
    out = vda_json(analyse_area(net, _square(320.0, -20.0, 360.0, 20.0)))
    assert set(out) == {"vehicles", "entries", "barriers", "warnings", "timings_s"}
    assert [v["code"] for v in out["vehicles"]] == [v.code for v in VEHICLE_CLASSES]
    assert all({"code", "mass_kg", "max_speed_kmh"} <= set(v) for v in out["vehicles"])
    assert {e["vehicle"] for e in out["entries"]} == {v.code for v in VEHICLE_CLASSES}
    assert all(set(e) >= ENTRY_KEYS for e in out["entries"])
    json.dumps(out, allow_nan=False)


def test_command_prints_the_json_alone_on_stdout(
    synthetic_network: StreetNetwork, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    osm = tmp_path / "city.osm"
    osm.write_text("<osm/>", encoding="utf-8")
    area = _write_area(tmp_path, {"type": "Feature", "geometry": mapping(_square(320, -20, 360, 20))})
    assert main(["vda", str(osm), "--area", str(area), "--vehicle", "M1", "--vehicle", "N3C"]) == 0
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    assert {e["vehicle"] for e in out["entries"]} == {"M1", "N3C"}
    assert "[vda]" in captured.err


def test_geojson_output_has_entry_points_and_approach_lines(
    synthetic_network: StreetNetwork, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    osm = tmp_path / "city.osm"
    osm.write_text("<osm/>", encoding="utf-8")
    area = _write_area(tmp_path, mapping(_square(320, -20, 360, 20)))
    out_file = tmp_path / "out.geojson"
    code = main(
        [
            "vda",
            str(osm),
            "--area",
            str(area),
            "--vehicle",
            "M1",
            "--format",
            "geojson",
            "--out",
            str(out_file),
        ]
    )
    assert code == 0
    assert capsys.readouterr().out == ""
    fc = json.loads(out_file.read_text(encoding="utf-8"))
    kinds = {(f["geometry"]["type"], f["properties"]["feature"]) for f in fc["features"]}
    assert kinds == {("Point", "entry"), ("LineString", "approach_path")}
    assert all(ENTRY_KEYS - {"path"} <= set(f["properties"]) for f in fc["features"])


@pytest.mark.parametrize(
    ("area", "extra", "message"),
    [
        ({"type": "Point", "coordinates": [7.25, 43.7]}, [], "no Polygon or MultiPolygon"),
        (
            mapping(Polygon([to_lonlat(5000, 5000), to_lonlat(5100, 5000), to_lonlat(5100, 5100)])),
            [],
            "does not touch",
        ),
        (
            mapping(
                Polygon([to_lonlat(300, -20), to_lonlat(360, 20), to_lonlat(360, -20), to_lonlat(300, 20)])
            ),
            [],
            "crosses itself",
        ),
        (
            mapping(Polygon([to_lonlat(320, -20), to_lonlat(360, -20), to_lonlat(360, 20)])),
            ["--vehicle", "X9"],
            "X9",
        ),
    ],
    ids=["not-a-polygon", "far-away", "bow-tie", "unknown-vehicle"],
)
def test_bad_input_exits_2_with_a_clear_message_and_no_traceback(
    synthetic_network: StreetNetwork,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    area: dict[str, Any],
    extra: list[str],
    message: str,
) -> None:
    osm = tmp_path / "city.osm"
    osm.write_text("<osm/>", encoding="utf-8")
    assert main(["vda", str(osm), "--area", str(_write_area(tmp_path, area)), *extra]) == 2
    captured = capsys.readouterr()
    assert message in captured.err
    assert "Traceback" not in captured.err
    assert captured.out == ""


def test_malformed_geojson_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    area = tmp_path / "area.geojson"
    area.write_text("{not json", encoding="utf-8")
    assert main(["vda", str(tmp_path / "x.osm"), "--area", str(area)]) == 2
    assert "not valid JSON" in capsys.readouterr().err


def _real_network(path: Path) -> StreetNetwork:
    osm = pytest.importorskip(
        "pactesur.engine.io.osm", reason="the OSM reader (engine/io/osm.py) is not in this build"
    )
    importer = pytest.importorskip(
        "pactesur.engine.osm_import", reason="the OSM importer (engine/osm_import.py) is not in this build"
    )
    network: StreetNetwork = importer.import_extract(osm.read_osm(path)).network
    return network


def _central_area(network: StreetNetwork, radius_m: float) -> Polygon:
    """A square of ±radius around the node nearest the network's median point, in lon/lat."""
    lon0, lat0 = float(np.median(network.node_lon)), float(np.median(network.node_lat))
    dlat = radius_m / 111_320.0
    dlon = dlat / math.cos(math.radians(lat0))
    return Polygon(
        [
            (lon0 - dlon, lat0 - dlat),
            (lon0 + dlon, lat0 - dlat),
            (lon0 + dlon, lat0 + dlat),
            (lon0 - dlon, lat0 + dlat),
        ]
    )


@pytest.mark.parametrize(
    "path", sorted(p for p in SHARED_OSM.glob("*.osm*")) if SHARED_OSM.is_dir() else [], ids=lambda p: p.name
)
def test_real_extract_gives_sane_speeds_connected_paths_and_valid_json(path: Path) -> None:
    network = _real_network(path)
    result = analyse_area(network, _central_area(network, 150.0))
    out = vda_json(result)
    text = json.dumps(out, allow_nan=False)
    assert json.loads(text)["entries"], f"no entry into the centre of {path.name}"
    tops = {v.code: v.top_speed_ms() * 3.6 for v in VEHICLE_CLASSES}
    for entry in out["entries"]:
        assert set(entry) >= ENTRY_KEYS
        assert 0.0 <= entry["impact_speed_kmh"] <= tops[entry["vehicle"]] + 0.1
        assert entry["run_up_m"] >= 0.0
        assert entry["path"][-1] == [entry["lon"], entry["lat"]]
        assert entry["impact_speed_kmh"] > 0.0
        assert entry["via"] in {"way", "along_way", "open_area"}
        profile = entry["speed_profile"]
        assert profile[-1][1] == pytest.approx(entry["impact_speed_kmh"], abs=0.15)
        assert all(b[0] >= a[0] for a, b in itertools.pairwise(profile))
    for barrier in out["barriers"]:
        assert set(barrier) >= BARRIER_KEYS
        assert barrier["rated"] is None
        assert barrier["impact_speed_kmh"] > 0.0
    for code in ("M1", "N3F"):
        speeds = attainable_speeds(network, next(v for v in VEHICLE_CLASSES if v.code == code))
        usable = speeds.usable
        end = speeds.end_speed_ms[usable]
        assert np.all((end >= 0.0) & (end <= tops[code] / 3.6 + 1e-6))
        pred = speeds.predecessor
        has_pred = np.nonzero(pred >= 0)[0]
        u, v = network.seg_u.astype(np.int64), network.seg_v.astype(np.int64)
        head = np.where(pred[has_pred] & 1, u[pred[has_pred] >> 1], v[pred[has_pred] >> 1])
        tail = np.where(has_pred & 1, v[has_pred >> 1], u[has_pred >> 1])
        assert np.array_equal(head, tail), "an approach path jumps between nodes"


@pytest.mark.skipif(not SHARED_OSM.is_dir(), reason="needs ../shared/osm")
def test_the_command_as_a_process_prints_its_whole_json_and_exits_with_its_code(tmp_path: Path) -> None:
    # `pactesur.cli.entry` ends a `vda` process without tearing down the network: what it
    # printed must still be complete, and a failure must still give exit code 2
    import subprocess
    import sys

    osm = SHARED_OSM / "stockholm_norrmalm_ostermalm.osm"
    area = _write_area(
        tmp_path,
        mapping(Polygon([(18.076, 59.3355), (18.078, 59.3355), (18.078, 59.3365), (18.076, 59.3365)])),
    )
    command = [sys.executable, "-m", "pactesur.cli", "vda", str(osm), "--area", str(area), "--vehicle", "M1"]
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=300)  # noqa: S603
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["vehicles"][0]["code"] == "M1"
    failed = subprocess.run(  # noqa: S603
        [*command[:4], str(tmp_path / "missing.osm"), *command[5:]],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert failed.returncode == 2
    assert "no such file" in failed.stderr
