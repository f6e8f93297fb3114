"""The named streets of a city's active network, for telling apart spaces of the same name
(`pactesur.spaces.naming`), read from the network's base map."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable

import shapely.geometry

from pactesur.spaces.naming import NamedStreets
from pactesur.streets.models import StreetNetwork


def named_streets(city_id: int) -> tuple[str, Callable[[], NamedStreets]] | None:
    """(a key naming the city's active network, a function reading its named streets), or None
    when the city has no network or its base map file is missing."""
    network = (
        StreetNetwork.objects.filter(city_id=city_id, is_active=True)
        .only("pk", "city_id", "file_sha256", "basemap_file")
        .first()
    )
    if network is None or not network.basemap_path.exists():
        return None
    path = network.basemap_path

    def read() -> NamedStreets:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            layers = json.load(fh)
        features = (layers.get("streets") or {}).get("features") or []
        return [
            (str(f["properties"]["name"]), shapely.geometry.shape(f["geometry"]))
            for f in features
            if (f.get("properties") or {}).get("name") and f.get("geometry")
        ]

    return f"{network.pk}-{network.file_sha256}", read
