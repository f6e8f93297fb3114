"""Small builders for spaces and events tests: squares in lon/lat and records made through the actions."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.utils import timezone

from pactesur.events.actions import do_create_event
from pactesur.spaces.actions import do_create_space

# Place Masséna, Nice (lon, lat): where the test squares are drawn.
NICE_LON, NICE_LAT = 7.2699, 43.6977
LIEGE_LON, LIEGE_LAT = 5.5736, 50.6451


def square(lon: float = NICE_LON, lat: float = NICE_LAT, size_deg: float = 0.001) -> dict[str, Any]:
    """A GeoJSON Polygon: a square of `size_deg` degrees (≈ 110 m × 80 m at Nice for 0.001)."""
    return {
        "type": "Polygon",
        "coordinates": [
            [
                [lon, lat],
                [lon + size_deg, lat],
                [lon + size_deg, lat + size_deg],
                [lon, lat + size_deg],
                [lon, lat],
            ]
        ],
    }


def bowtie(lon: float = NICE_LON, lat: float = NICE_LAT, size_deg: float = 0.001) -> dict[str, Any]:
    """A self-intersecting 'polygon' whose edges cross at its middle."""
    return {
        "type": "Polygon",
        "coordinates": [
            [
                [lon, lat],
                [lon + size_deg, lat + size_deg],
                [lon + size_deg, lat],
                [lon, lat + size_deg],
                [lon, lat],
            ]
        ],
    }


def make_space(city: Any, user: Any = None, *, name: str = "Place Masséna", **kwargs: Any) -> Any:
    lon, lat = (LIEGE_LON, LIEGE_LAT) if city.slug == "liege" else (NICE_LON, NICE_LAT)
    kwargs.setdefault("kind", "square")
    kwargs.setdefault("polygon", square(lon, lat))
    return do_create_space(city, acting_user=user, name=name, **kwargs)


def make_event(
    space: Any, user: Any = None, *, name: str = "Carnaval", days_from_now: int = 10, **kwargs: Any
) -> Any:
    starts = timezone.now() + timedelta(days=days_from_now)
    kwargs.setdefault("expected_attendance", 20000)
    return do_create_event(
        space.city,
        acting_user=user,
        space=space,
        name=name,
        starts_at=starts,
        ends_at=starts + timedelta(hours=5),
        **kwargs,
    )


def geojson_text(obj: Any) -> str:
    return json.dumps(obj)
