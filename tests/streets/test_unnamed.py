"""Spaces OpenStreetMap gives no name, on their way through an import: held with the suggestions,
checked against a new extract, listed on a held import's page in the reader's language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import shapely
from django.test import Client

from pactesur.engine.spaces import SuggestedSpace
from pactesur.spaces.actions import do_sync_suggested_spaces
from pactesur.spaces.models import Space
from pactesur.streets.actions import _read_suggestions, _spaces_to_check, _write_suggestions
from tests.spaces.helpers import NICE_LAT, NICE_LON, square
from tests.streets.factories import ImportJobFactory, StreetNetworkFactory


def _suggestion(osm_id: int, *, named: bool, name: str = "") -> SuggestedSpace:
    polygon = shapely.geometry.shape(square(NICE_LON + osm_id * 0.002, NICE_LAT))
    shown = name or f"Unnamed square (way {osm_id})"
    return SuggestedSpace(shown, "square", "way", osm_id, polygon, {"place": "square"}, 9000.0, named)


def test_held_suggestions_keep_whether_openstreetmap_names_them(tmp_path: Path) -> None:
    path = tmp_path / "2.suggested.json.gz"
    _write_suggestions(path, [_suggestion(1, named=False), _suggestion(2, named=True, name="Place Rossetti")])

    read = _read_suggestions(path)

    assert [(s.name, s.named) for s in read] == [("Unnamed square (way 1)", False), ("Place Rossetti", True)]


@pytest.mark.django_db
def test_the_fit_check_names_an_unnamed_space_as_the_command_line_prints_it(city) -> None:  # type: ignore[no-untyped-def]
    do_sync_suggested_spaces(city, [_suggestion(1, named=False)], acting_user=None, network=None)

    (outline,) = _spaces_to_check(city, [])

    assert outline.name == "Unnamed square (way 1)"


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.mark.django_db
def test_a_held_import_lists_an_unnamed_space_outside_in_the_readers_language(
    city, security_officer, data_dir
) -> None:  # type: ignore[no-untyped-def]
    do_sync_suggested_spaces(city, [_suggestion(1, named=False)], acting_user=None, network=None)
    space = Space.objects.get()
    current = StreetNetworkFactory(city=city, version=1)
    held = StreetNetworkFactory(city=city, version=2, is_active=False)
    outside = [{"id": space.pk, "name": "Unnamed square (way 1)", "distance_m": 12_000.0}]
    fit = {"spaces_checked": 1, "outside": outside, "previous_network_id": current.pk, "previous_version": 1}
    job = ImportJobFactory(city=city, network=held, status="held", progress=1.0, fit=fit)

    html = _client(security_officer).get(f"/fr/streets/jobs/{job.pk}/").content.decode()

    assert f'<a href="/fr/spaces/{space.pk}/">Place sans nom (chemin 1)</a>' in html
    assert (
        "Aucune rue de cet extrait n’atteint 1 des espaces de la ville\u00a0: "
        "il ne peut donc pas être analysé" in html
    )
