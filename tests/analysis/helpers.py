"""Builders of the analysis tests: the Leeds extract imported for a city, a space over Woodhouse Lane."""

from __future__ import annotations

from typing import Any

from pactesur.spaces.actions import do_create_space
from pactesur.streets.actions import do_import_osm
from tests.conftest import shared_osm

LEEDS = "leeds_university_its-example.osm.pbf"
# A point in the middle of Woodhouse Lane (A660), the main road through the Leeds extract.
WOODHOUSE_LON, WOODHOUSE_LAT = -1.5536286, 53.8093970


def box(lon: float, lat: float, half_lon: float = 0.0003, half_lat: float = 0.0002) -> dict[str, Any]:
    """A GeoJSON Polygon: a rectangle about 40 m × 45 m around (lon, lat) at Leeds's latitude."""
    return {
        "type": "Polygon",
        "coordinates": [
            [
                [lon - half_lon, lat - half_lat],
                [lon + half_lon, lat - half_lat],
                [lon + half_lon, lat + half_lat],
                [lon - half_lon, lat + half_lat],
                [lon - half_lon, lat - half_lat],
            ]
        ],
    }


def woodhouse_box() -> dict[str, Any]:
    return box(WOODHOUSE_LON, WOODHOUSE_LAT)


def import_leeds(city: Any, user: Any = None) -> Any:
    """Import the real Leeds extract as the city's active network (about half a second)."""
    return do_import_osm(city, shared_osm(LEEDS), acting_user=user)


def woodhouse_space(city: Any, user: Any = None, name: str = "Woodhouse Lane crossing") -> Any:
    return do_create_space(city, acting_user=user, name=name, kind="square", polygon=woodhouse_box())
