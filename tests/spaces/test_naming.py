"""Spaces of the same name are told apart in lists by their street and their size."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from pactesur.spaces.actions import do_archive_space
from pactesur.spaces.models import Space
from pactesur.spaces.naming import namesake_labels
from tests.spaces.helpers import NICE_LAT, NICE_LON, make_space, square
from tests.streets.factories import StreetNetworkFactory, write_basemap

pytestmark = pytest.mark.django_db

# Two halves of one pedestrian street, both named after it, ≈ 170 m apart (x = east, in metres):
#
#     Rue Alberti        Keskuskatu west    Keskuskatu east     Rue Biasca
#        |  ← 32 m →  +-----110 m-----+   +-----80 m-----+  ← 40 m →  |
#        |            |               |   |              |            |
#   =====|============|===============|===|==============|============|==== Keskuskatu (the street)
#
# Each half is told apart by the street of another name nearest to it; the street they are named
# after runs through both and tells nothing.
WEST_LON = NICE_LON
EAST_LON = NICE_LON + 0.0021


def _line(*points: tuple[float, float]) -> dict[str, Any]:
    return {"type": "LineString", "coordinates": [list(p) for p in points]}


def _street(name: str, geometry: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "properties": {"kind": "residential", "name": name}, "geometry": geometry}


STREETS = [
    _street(
        "Rue Alberti", _line((NICE_LON - 0.0004, NICE_LAT - 0.001), (NICE_LON - 0.0004, NICE_LAT + 0.002))
    ),
    _street(
        "Rue Biasca", _line((EAST_LON + 0.0015, NICE_LAT - 0.001), (EAST_LON + 0.0015, NICE_LAT + 0.002))
    ),
    _street(
        "Keskuskatu", _line((NICE_LON - 0.002, NICE_LAT + 0.0005), (EAST_LON + 0.003, NICE_LAT + 0.0005))
    ),
]


@pytest.fixture
def streets(city, settings, tmp_path) -> Any:  # type: ignore[no-untyped-def]
    settings.PACTESUR_DATA_DIR = tmp_path
    empty = {"type": "FeatureCollection", "features": []}
    basemap = {
        "buildings": empty,
        "water": empty,
        "green": empty,
        "streets": {"type": "FeatureCollection", "features": STREETS},
    }
    return StreetNetworkFactory(city=city, version=1, basemap_file=write_basemap(city.pk, 1, basemap))


@pytest.fixture
def halves(city) -> tuple[Space, Space]:  # type: ignore[no-untyped-def]
    west = make_space(city, None, name="Keskuskatu", kind="pedestrian_street", polygon=square(WEST_LON))
    east = make_space(
        city, None, name="keskuskatu", kind="pedestrian_street", polygon=square(EAST_LON, size_deg=0.0008)
    )
    return west, east


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_namesakes_are_told_apart_by_the_nearest_street_of_another_name_and_their_size(
    city, streets, halves
) -> None:  # type: ignore[no-untyped-def]
    west, east = halves
    alone = make_space(city, None, name="Place Masséna", polygon=square(NICE_LON, NICE_LAT + 0.01))

    labels = namesake_labels([west, east, alone, west])  # a ranking lists a space once per vehicle class

    assert labels == {west.pk: "Rue Alberti · 8,956 m²", east.pk: "Rue Biasca · 5,732 m²"}


def test_without_a_street_network_the_size_tells_them_apart_and_then_the_number(city, halves) -> None:  # type: ignore[no-untyped-def]
    west, east = halves
    twin = make_space(city, None, name="Keskuskatu", polygon=square(NICE_LON + 0.01))  # as large as west

    labels = namesake_labels([west, east, twin])

    assert labels[east.pk] == "5,732 m²"
    assert labels[west.pk] == f"8,956 m² · no. {west.pk}"
    assert labels[twin.pk] == f"8,956 m² · no. {twin.pk}"


def test_a_namesake_in_the_archive_no_longer_needs_telling_apart(city, streets, halves) -> None:  # type: ignore[no-untyped-def]
    west, east = halves
    do_archive_space(east, acting_user=None)

    assert namesake_labels([west]) == {}


def test_the_spaces_list_and_its_map_tell_the_namesakes_apart(city, viewer, streets, halves) -> None:  # type: ignore[no-untyped-def]
    west, east = halves

    html = _client(viewer).get("/spaces/").content.decode()

    assert '<span class="spaces-namesake">Rue Alberti · 8,956 m²</span>' in html
    assert '<span class="spaces-namesake">Rue Biasca · 5,732 m²</span>' in html
    data = json.loads(html.split('id="spaces-map-data" type="application/json">')[1].split("</script>")[0])
    names = {f["properties"]["id"]: f["properties"]["name"] for f in data["spaces"]["features"]}
    assert names == {
        west.pk: "Keskuskatu (Rue Alberti · 8,956 m²)",
        east.pk: "keskuskatu (Rue Biasca · 5,732 m²)",
    }


def test_the_label_speaks_the_readers_number_format(city, viewer, streets, halves) -> None:  # type: ignore[no-untyped-def]
    html = _client(viewer).get("/fr/spaces/").content.decode()

    label = html.split('<span class="spaces-namesake">')[1].split("</span>")[0]
    assert label.replace("\u202f", " ").replace("\xa0", " ") == "Rue Alberti · 8 956 m²"
