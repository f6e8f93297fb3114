"""Factories of street networks and import jobs, with real (tiny) files under the data directory."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import factory
from django.conf import settings

from pactesur.streets.models import ImportJob, ImportStatus, StreetNetwork
from tests.factories import CityFactory

# A base map of one building, one pond, one park and one street, in lon/lat near Nice.
TINY_BASEMAP: dict[str, Any] = {
    "buildings": {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"building": "yes"},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [
                        [[7.26, 43.70], [7.261, 43.70], [7.261, 43.701], [7.26, 43.701], [7.26, 43.70]]
                    ],
                },
            }
        ],
    },
    "water": {"type": "FeatureCollection", "features": []},
    "green": {"type": "FeatureCollection", "features": []},
    "streets": {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"highway": "primary", "name": "Promenade"},
                "geometry": {"type": "LineString", "coordinates": [[7.259, 43.699], [7.262, 43.702]]},
            }
        ],
    },
}


def write_basemap(city_id: int, version: int, basemap: dict[str, Any] | None = None) -> str:
    relative = f"networks/{city_id}/{version}.basemap.json.gz"
    path = Path(settings.PACTESUR_DATA_DIR) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        json.dump(basemap or TINY_BASEMAP, fh)
    return relative


class StreetNetworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StreetNetwork

    city = factory.SubFactory(CityFactory)
    version = factory.Sequence(lambda n: n + 1)
    source_name = "nice.osm.pbf"
    file_sha256 = factory.Sequence(lambda n: f"{n:064x}")
    file_size_bytes = 1234
    min_lon, min_lat, max_lon, max_lat = 7.25, 43.69, 7.28, 43.71
    counts = factory.LazyFunction(lambda: {"nodes": 10, "segments": 12})
    graph_file = factory.LazyAttribute(lambda o: f"networks/{o.city.pk}/{o.version}.npz")
    basemap_file = factory.LazyAttribute(lambda o: write_basemap(o.city.pk, o.version))
    is_active = True


class ImportJobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImportJob

    city = factory.SubFactory(CityFactory)
    status = ImportStatus.RUNNING
    progress = 0.42
    message = "Reading the OSM file"
    original_name = "nice.osm.pbf"
