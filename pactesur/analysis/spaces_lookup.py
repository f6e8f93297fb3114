"""`pactesur vda --space NAME`: a space of the web platform's database, by name, and its city's network.

Sets Django up itself (the `vda` command runs without it otherwise), finds the space by its exact
name (case-insensitive), else by a unique partial match, else — for a space imported without a
name, listed as "Unnamed square (way 123)" — by the OpenStreetMap object in its label, and returns
its outline as a shapely geometry in lon/lat, with the file of its city's active street network.
Every problem is a `SpaceLookupError` whose message tells what to do. Whoever calls it checks first
that the database exists (`pactesur vda` does): connecting to an embedded database that is not
there creates it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from pactesur.engine.errors import AreaError

# How many names a "which one?" message lists at most.
_LISTED = 8
# The OpenStreetMap object in an unnamed space's label: "Unnamed square (way 123)", "way/123".
_OSM_REFERENCE = re.compile(r"\b(node|way|relation)\s*[/ ]\s*(\d+)\b", re.IGNORECASE)


class SpaceLookupError(AreaError):
    """The space cannot be found, is ambiguous, or the database cannot be reached."""


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pactesur.web.settings")
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()


def _describe(spaces: list[Any]) -> str:
    shown = ", ".join(f"{s.shown_name!r} ({s.city.name})" for s in spaces[:_LISTED])
    more = len(spaces) - _LISTED
    return shown + (f" and {more} more" if more > 0 else "")


def _find(name: str, city: str | None) -> Any:
    from django.db.models import Q

    from pactesur.cities.models import City
    from pactesur.spaces.models import Space

    spaces = Space.objects.active().select_related("city").order_by("city__name", "name", "pk")
    if city:
        cities = City.objects.filter(Q(slug__iexact=city) | Q(name__iexact=city))
        if not cities.exists():
            known = ", ".join(City.objects.order_by("name").values_list("name", flat=True)[:_LISTED])
            msg = f"no city {city!r} in the database" + (f" (cities: {known})" if known else "")
            raise SpaceLookupError(msg)
        spaces = spaces.filter(city__in=cities)
    candidates = [spaces.filter(name__iexact=name), spaces.filter(name__icontains=name)]
    reference = _OSM_REFERENCE.search(name)
    if reference:
        osm_type, osm_id = reference.group(1).lower(), int(reference.group(2))
        candidates.append(spaces.filter(osm_type=osm_type, osm_id=osm_id))
    for matches in candidates:
        found = list(matches[: _LISTED + 50])
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            in_cities = {s.city_id for s in found}
            hint = "add --city NAME" if len(in_cities) > 1 and not city else "give the space's full name"
            msg = f"{len(found)} spaces match {name!r}: {_describe(found)}; {hint}"
            raise SpaceLookupError(msg)
    where = f" in {city}" if city else ""
    msg = (
        f"no space named {name!r}{where} in the database; list them on the Spaces page or with the API "
        "(a space without a name goes by the OpenStreetMap object of its label, e.g. 'way 123')"
    )
    raise SpaceLookupError(msg)


@dataclass(frozen=True)
class FoundSpace:
    """A space found by name: its outline, and its city's active street network if it has one."""

    name: str
    city: str
    polygon: BaseGeometry
    # The engine's file of the city's active network; None while the city has none.
    network_path: Path | None
    network_version: int | None
    network_source: str


def space_polygon(name: str, *, city: str | None = None) -> BaseGeometry:
    """Return the outline (shapely Polygon or MultiPolygon, lon/lat) of the space called `name`.

    Parameters
    ----------
    name
        The space's name: an exact match (any case) wins; else a unique part of a name.
    city
        A city's name or slug, needed when spaces of several cities share the name.

    Raises
    ------
    SpaceLookupError
        No database, no such space, several spaces match, or the outline is unusable.
    """
    return find_space(name, city=city).polygon


def find_space(name: str, *, city: str | None = None) -> FoundSpace:
    """Return the space called `name` (see `space_polygon`) with its city's active street network.

    Raises
    ------
    SpaceLookupError
        No database, no such space, several spaces match, or the outline is unusable.
    """
    from django.core.exceptions import ImproperlyConfigured

    name = name.strip()
    if not name:
        raise SpaceLookupError("--space needs a name")
    try:
        _setup_django()
    except ImproperlyConfigured as exc:
        raise SpaceLookupError(f"the web platform is not configured here: {exc}") from exc
    from django.db import DatabaseError

    from pactesur.streets.models import StreetNetwork

    try:
        space = _find(name, city)
        network = StreetNetwork.objects.filter(city_id=space.city_id, is_active=True).first()
    except DatabaseError as exc:
        msg = (
            f"cannot read spaces from the database ({exc}). Set DATABASE_URL and PACTESUR_DATA_DIR as "
            "for `pactesur serve`, or run `pactesur manage migrate` first"
        )
        raise SpaceLookupError(msg) from exc
    try:
        geometry = shape(space.polygon)
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise SpaceLookupError(
            f"the outline of space {space.shown_name!r} is not a valid polygon: {exc}"
        ) from exc
    if geometry.is_empty or geometry.geom_type not in ("Polygon", "MultiPolygon"):
        raise SpaceLookupError(f"the outline of space {space.shown_name!r} is not a polygon")
    return FoundSpace(
        name=space.shown_name,
        city=space.city.slug,
        polygon=geometry,
        network_path=network.graph_path if network is not None else None,
        network_version=network.version if network is not None else None,
        network_source=network.source_name if network is not None else "",
    )
