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
from pactesur.analysis.speedmaps import lines_path


def entry(
    vehicle: str = "M1", speed_kmh: float = 63.0, lon: float = 7.27, lat: float = 43.698
) -> dict[str, Any]:
    """One entry in the `pactesur vda` JSON shape, approached along a two-point path."""
    return {
        "vehicle": vehicle,
        "lon": lon,
        "lat": lat,
        "impact_speed_kmh": speed_kmh,
        "run_up_m": 120.0,
        "kinetic_energy_kj": round(0.5 * 1500 * (speed_kmh / 3.6) ** 2 / 1000, 1),
        "required_rating": f"V/1500[{vehicle}]/64/90",
        "approach": "road",
        "width_m": 7.0,
        "path": [[lon - 0.001, lat - 0.001], [lon, lat]],
        "beyond_rating": False,
        "test_speed_kmh": 64,
        "exposure_m": 30.0,
        "way_id": 42,
        "name": "Avenue Jean Médecin",
    }


def make_analysis(
    space: Any, network: Any, vehicle: str = "M1", entries: list[dict[str, Any]] | None = None
) -> Any:
    """A succeeded analysis of the current inputs of `space` on `network`."""
    entries = entries if entries is not None else [entry(vehicle)]
    return ApproachAnalysis.objects.create(
        city=space.city,
        space=space,
        vehicle=vehicle,
        network=network,
        network_version=network.version,
        params_hash=parameters_hash(),
        polygon_hash=polygon_hash(space.polygon),
        status=AnalysisStatus.SUCCEEDED,
        result={"vehicle": {"code": vehicle}, "entries": entries},
        computed_at=timezone.now(),
        **summary_of(entries),
    )


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
