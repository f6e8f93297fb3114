"""Analysis rows and speed-map files without running the engine, for permission and page tests."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from pactesur.analysis.actions import summary_of
from pactesur.analysis.models import AnalysisStatus, ApproachAnalysis, CitySpeedMap
from pactesur.analysis.parameters import parameters_hash, polygon_hash
from pactesur.analysis.speedmaps import lines_path, save_street_speeds
from pactesur.engine.vehicles import VEHICLES_BY_CODE


def _mass_kg(vehicle: str) -> int:
    found = VEHICLES_BY_CODE.get(vehicle)
    return round(found.mass_kg) if found is not None else 1500


def _energy_kj(vehicle: str, speed_kmh: float) -> float:
    return round(0.5 * _mass_kg(vehicle) * (speed_kmh / 3.6) ** 2 / 1000, 1)


def entry(
    vehicle: str = "M1",
    speed_kmh: float = 63.0,
    lon: float = 7.27,
    lat: float = 43.698,
    *,
    beyond_rating: bool = False,
    test_speed_kmh: int = 64,
    via: str = "way",
    assumed: bool = False,
    name: str | None = "Avenue Jean Médecin",
) -> dict[str, Any]:
    """One entry in the `pactesur vda` JSON shape (issue #7), approached along a two-point path.

    Its speed profile starts from a standstill 120 m away, is capped by one corner at 40 m and ends
    at `speed_kmh`; with `assumed`, the width of the way is a default and the way is listed.
    """
    return {
        "vehicle": vehicle,
        "lon": lon,
        "lat": lat,
        "impact_speed_kmh": speed_kmh,
        "run_up_m": 120.0,
        "kinetic_energy_kj": _energy_kj(vehicle, speed_kmh),
        "required_rating": f"V/{_mass_kg(vehicle)}[{vehicle}]/{test_speed_kmh}/90",
        "approach": "road",
        "via": via,
        "width_m": 7.0,
        "width_source": "assumed" if assumed else "mapped",
        "assumed_widths": (
            [{"way_id": 4242, "name": "Rue de la Poissonnerie", "kind": "pedestrian", "width_m": 4.0}]
            if assumed
            else []
        ),
        "path": [[lon - 0.001, lat - 0.001], [lon, lat]],
        "speed_profile": [[0.0, 0.0], [40.0, 31.0], [80.0, speed_kmh * 0.8], [120.0, speed_kmh]],
        "turns": [[40.0, 31.0]],
        "angle_deg": 80.0,
        "beyond_rating": beyond_rating,
        "test_speed_kmh": test_speed_kmh,
        "exposure_m": 30.0,
        "way_id": 42,
        "name": name,
    }


def barrier(
    vehicle: str = "M1",
    speed_kmh: float = 45.0,
    lon: float = 7.2705,
    lat: float = 43.6981,
    *,
    kind: str = "bollard",
    osm_id: int = 9001,
    beyond_rating: bool = False,
    test_speed_kmh: int = 48,
) -> dict[str, Any]:
    """One existing barrier in the `barriers` shape of the `pactesur vda` JSON (issue #7)."""
    return {
        "vehicle": vehicle,
        "lon": lon,
        "lat": lat,
        "kind": kind,
        "rated": None,
        "gap_m": 1.2,
        "impact_speed_kmh": speed_kmh,
        "kinetic_energy_kj": _energy_kj(vehicle, speed_kmh),
        "required_rating": f"V/{_mass_kg(vehicle)}[{vehicle}]/{test_speed_kmh}/90",
        "test_speed_kmh": test_speed_kmh,
        "beyond_rating": beyond_rating,
        "osm_id": osm_id,
        "path": [[lon - 0.0008, lat], [lon, lat]],
        "speed_profile": [[0.0, 0.0], [60.0, speed_kmh]],
    }


def warning(code: str, vehicle: str | None = None, **params: Any) -> dict[str, Any]:
    """One warning in the `warnings` shape, with the engine's English message."""
    return {"code": code, "message": f"engine says {code}", "params": params, "vehicle": vehicle}


def make_analysis(
    space: Any,
    network: Any,
    vehicle: str = "M1",
    entries: list[dict[str, Any]] | None = None,
    *,
    barriers: list[dict[str, Any]] | None = None,
    warnings: list[dict[str, Any]] | None = None,
) -> Any:
    """A succeeded analysis of the current inputs of `space` on `network`.

    A row of those inputs already queued (a space made after its city's network, with
    transactions committed, as in the browser tests) is completed instead.
    """
    entries = entries if entries is not None else [entry(vehicle)]
    row, _created = ApproachAnalysis.objects.update_or_create(
        space=space,
        vehicle=vehicle,
        network=network,
        params_hash=parameters_hash(),
        polygon_hash=polygon_hash(space.polygon),
        defaults={
            "city": space.city,
            "network_version": network.version,
            "status": AnalysisStatus.SUCCEEDED,
            "result": {
                "vehicle": {"code": vehicle},
                "entries": entries,
                "barriers": barriers or [],
                "warnings": warnings or [],
            },
            "computed_at": timezone.now(),
            **summary_of(entries),
        },
    )
    return row


def make_speed_map(network: Any, vehicle: str = "N3F") -> Any:
    """A speed map whose drawing has one line in the 64 km/h band."""
    relative = f"analysis/{network.city_id}/{network.version}/speeds-{vehicle}-{parameters_hash()}.npz"
    path = Path(settings.PACTESUR_DATA_DIR) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"")
    lines: list[list[list[float]]] = [[] for _ in range(8)]
    lines[3].append([7.26, 43.69, 7.27, 43.70])
    with gzip.open(lines_path(path), "wt", encoding="utf-8") as fh:
        json.dump({"vehicle": vehicle, "lines": lines}, fh)
    street = {"name": "Avenue Jean Médecin", "kind": "road", "way_ids": [1], "length_m": 120}
    save_street_speeds(path, [street | {"max_speed_kmh": 60.0, "lon": 7.26, "lat": 43.69}])
    return CitySpeedMap.objects.create(
        city_id=network.city_id,
        network=network,
        vehicle=vehicle,
        params_hash=parameters_hash(),
        speeds_file=relative,
        segment_count=1,
        usable_segment_count=1,
        max_speed_kmh=60.0,
        km_by_band=[0, 0, 0, 1.2, 0, 0, 0, 0],
    )


def make_issue7_analyses(space: Any, network: Any) -> dict[str, Any]:
    """The case of issue #7 on `space`: a car beyond any rating, a truck within one, barriers, warnings.

    - M1 reaches 116 km/h along Avenue Jean Médecin (beyond its highest test, 112 km/h: the engine
      names V/1500[M1]/128/90, a test nobody runs) and 52 km/h across the square, on a way of
      assumed width; a bollard stops another M1 approach at 45 km/h;
    - N3F reaches 70 km/h (V/30000[N3F]/80/90); the same bollard is hit at 38 km/h, a wall at 30;
    - warnings: the space is near the extract's edge (for both classes), most of the truck's fastest
      approach runs on assumed widths, and the network is old (whole space).
    """
    near = {"distance_m": 240.0}
    car = make_analysis(
        space,
        network,
        "M1",
        [
            entry("M1", 116.0, beyond_rating=True, test_speed_kmh=128),
            entry(
                "M1",
                52.0,
                7.2702,
                43.6979,
                test_speed_kmh=64,
                via="open_area",
                assumed=True,
                name=None,
            ),
        ],
        barriers=[barrier("M1", 45.0, osm_id=9001)],
        warnings=[
            warning("near_extract_edge", "M1", run_up_m=1692.8, **near),
            warning("old_network"),
        ],
    )
    truck = make_analysis(
        space,
        network,
        "N3F",
        [entry("N3F", 70.0, test_speed_kmh=80, via="along_way", assumed=True)],
        barriers=[
            barrier("N3F", 38.0, osm_id=9001),
            barrier("N3F", 30.0, 7.2699, 43.6985, kind="wall", osm_id=9002, test_speed_kmh=32),
        ],
        warnings=[
            warning("near_extract_edge", "N3F", run_up_m=778.9, **near),
            warning("assumed_widths", "N3F", share=82),
            warning("old_network"),
        ],
    )
    return {"M1": car, "N3F": truck}
