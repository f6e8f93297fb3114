"""Spaces OpenStreetMap gives no name keep none: every page, list, export and report words their
label in the reader's language ("Unnamed square (way 1001)", "Place sans nom (chemin 1001)")."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import translation
from shapely.geometry import shape

from pactesur.audit.models import AuditEvent
from pactesur.spaces.actions import (
    do_archive_space,
    do_export_spaces,
    do_purge_space,
    do_sync_suggested_spaces,
    do_update_space,
)
from pactesur.spaces.models import DismissedSuggestion, Space
from pactesur.spaces.naming import namesake_labels
from tests.auth_support import confirm_password
from tests.spaces.helpers import NICE_LAT, NICE_LON, make_space, square
from tests.spaces.test_api import Api

pytestmark = pytest.mark.django_db


@dataclass
class Suggestion:
    """The shape of pactesur.engine.spaces.SuggestedSpace, as the import hands it over."""

    name: str
    kind: str
    osm_type: str
    osm_id: int
    polygon: Any
    tags: dict[str, str] = field(default_factory=dict)
    area_m2: float = 0.0
    named: bool = True


def _polygon(dx: float = 0.0) -> Any:
    return shape(square(NICE_LON + dx, NICE_LAT))


UNNAMED_SQUARE = Suggestion("Unnamed square (way 1001)", "square", "way", 1001, _polygon(), named=False)
FORECOURT = Suggestion(
    "Nice-Ville station forecourt",
    "station_forecourt",
    "way",
    1002,
    _polygon(0.003),
    {"railway": "station", "name": "Nice-Ville"},
    named=False,
)
NAMED = Suggestion(
    "Place Garibaldi", "square", "relation", 1003, _polygon(0.006), {"name": "Place Garibaldi"}
)


def _sync(city: Any, *suggestions: Suggestion) -> None:
    do_sync_suggested_spaces(city, list(suggestions), acting_user=None, network=None)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _map_names(html: str) -> list[str]:
    data = json.loads(
        html.split('id="spaces-map-data" type="application/json">')[1].split("</script>", maxsplit=1)[0]
    )
    return sorted(f["properties"]["name"] for f in data["spaces"]["features"])


def test_the_sync_keeps_no_name_for_what_openstreetmap_does_not_name(city) -> None:  # type: ignore[no-untyped-def]
    _sync(city, UNNAMED_SQUARE, FORECOURT, NAMED)

    names = dict(Space.objects.values_list("osm_id", "name"))
    assert names == {1001: "", 1002: "", 1003: "Place Garibaldi"}


def test_an_unnamed_space_speaks_the_readers_language(city, viewer) -> None:  # type: ignore[no-untyped-def]
    _sync(city, UNNAMED_SQUARE, FORECOURT)
    square_space = Space.objects.get(osm_id=1001)
    forecourt = Space.objects.get(osm_id=1002)
    client = _client(viewer)

    english = client.get(f"/spaces/{square_space.pk}/").content.decode()
    french = client.get(f"/fr/spaces/{square_space.pk}/").content.decode()
    italian = client.get(f"/it/spaces/{forecourt.pk}/").content.decode()

    assert '<h1 id="space-name">Unnamed square (way 1001)</h1>' in english
    assert '<h1 id="space-name">Place sans nom (chemin 1001)</h1>' in french
    assert '<h1 id="space-name">Piazzale della stazione Nice-Ville</h1>' in italian
    with translation.override("fr"):
        assert str(forecourt) == "Parvis de la gare Nice-Ville"
    with translation.override("en"):
        assert forecourt.display_name == "Nice-Ville station forecourt"


def test_the_list_and_its_map_sort_and_search_by_the_shown_name(city, viewer) -> None:  # type: ignore[no-untyped-def]
    _sync(city, UNNAMED_SQUARE)
    make_space(city, None, name="Zoo gate", polygon=square(NICE_LON + 0.01))
    make_space(city, None, name="Market hall", polygon=square(NICE_LON + 0.02))
    client = _client(viewer)

    def listed(html: str) -> list[str]:
        rows = html.split('<table class="spaces-table"')[1].split("</table>", maxsplit=1)[0]
        return [cell.split(">", 1)[1].split("</a>")[0] for cell in rows.split('<td><a href="/')[1:]]

    assert listed(client.get("/spaces/").content.decode()) == [
        "Market hall",
        "Unnamed square (way 1001)",
        "Zoo gate",
    ]
    french = client.get("/fr/spaces/", {"sort": "-name"}).content.decode()
    assert listed(french) == ["Zoo gate", "Place sans nom (chemin 1001)", "Market hall"]
    assert "Place sans nom (chemin 1001)" in _map_names(french)
    found = client.get("/fr/spaces/", {"q": "sans nom"}).content.decode()
    assert listed(found) == ["Place sans nom (chemin 1001)"]


def test_unnamed_spaces_are_not_namesakes_of_each_other_but_of_a_space_called_alike(city) -> None:  # type: ignore[no-untyped-def]
    _sync(
        city,
        UNNAMED_SQUARE,
        FORECOURT,
        Suggestion("Unnamed market (way 7)", "market", "way", 7, _polygon(0.01), named=False),
    )
    typed = make_space(city, None, name="Nice-Ville station forecourt", polygon=square(NICE_LON + 0.02))
    spaces = list(Space.objects.all())

    with translation.override("en"):
        labels = namesake_labels(spaces)

    forecourt = Space.objects.get(osm_id=1002)
    assert set(labels) == {forecourt.pk, typed.pk}  # the two unnamed squares and markets are not namesakes


def test_the_edit_form_needs_no_name_for_an_unnamed_space_and_offers_its_label(
    city, security_officer
) -> None:  # type: ignore[no-untyped-def]
    _sync(city, UNNAMED_SQUARE)
    space = Space.objects.get(osm_id=1001)
    client = _client(security_officer)

    page = client.get(f"/fr/spaces/{space.pk}/edit/").content.decode()
    assert 'placeholder="Place sans nom (chemin 1001)"' in page
    form = {"name": "", "kind": "square", "polygon": json.dumps(space.polygon), "capacity": "800"}
    response = client.post(f"/spaces/{space.pk}/edit/", form)

    assert response.status_code == 302
    space.refresh_from_db()
    assert (space.name, space.capacity, space.edited) == ("", 800, True)


def test_a_space_drawn_by_a_person_still_needs_a_name(city, security_officer) -> None:  # type: ignore[no-untyped-def]
    form = {"name": "", "kind": "square", "polygon": json.dumps(square())}

    response = _client(security_officer).post("/spaces/new/", form)

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Space.objects.exists()
    space = make_space(city, None)
    with pytest.raises(Exception, match="This field is required"):
        do_update_space(space, acting_user=None, name="  ")


def test_exports_give_the_shown_name_and_the_citys_local_times(city, security_officer) -> None:  # type: ignore[no-untyped-def]
    _sync(city, UNNAMED_SQUARE)
    winter = datetime(2026, 12, 5, 9, 30, tzinfo=UTC)  # 10:30 in Nice (UTC+1)
    Space.objects.update(created_at=winter, updated_at=winter)

    with translation.override("fr"):
        text = do_export_spaces(city, acting_user=security_officer, file_format="csv")
        geojson = json.loads(do_export_spaces(city, acting_user=security_officer, file_format="geojson"))

    header = next(csv.reader(io.StringIO(text)))
    assert header[-2:] == ["created_at (Europe/Paris)", "updated_at (Europe/Paris)"]
    (row,) = csv.DictReader(io.StringIO(text))
    assert row["name"] == "Place sans nom (chemin 1001)"
    assert row["created_at (Europe/Paris)"] == "2026-12-05T10:30:00+01:00"
    assert geojson["time_zone"] == "Europe/Paris"
    props = geojson["features"][0]["properties"]
    assert (props["name"], props["updated_at"]) == (
        "Place sans nom (chemin 1001)",
        "2026-12-05T10:30:00+01:00",
    )


def test_the_csv_download_speaks_the_readers_language(city, security_officer) -> None:  # type: ignore[no-untyped-def]
    _sync(city, UNNAMED_SQUARE)
    client = _client(security_officer)
    confirm_password(client)

    english = client.get("/spaces/export.csv").content.decode()
    italian = client.get("/it/spaces/export.csv").content.decode()

    assert "Unnamed square (way 1001)" in english
    assert "Piazza senza nome (percorso 1001)" in italian


def test_the_api_gives_the_stored_name_and_the_shown_one(city, security_officer) -> None:  # type: ignore[no-untyped-def]
    _sync(city, UNNAMED_SQUARE)
    space = Space.objects.get()
    api = Api(security_officer)

    body = api.client.get(f"/api/v1/spaces/{space.pk}", headers={"Accept-Language": "fr"}).json()

    assert (body["name"], body["display_name"]) == ("", "Place sans nom (chemin 1001)")


def test_a_dismissed_suggestion_keeps_the_shown_name(city, city_admin) -> None:  # type: ignore[no-untyped-def]
    _sync(city, UNNAMED_SQUARE)
    space = Space.objects.get()
    do_archive_space(space, acting_user=city_admin)

    with translation.override("en"):
        do_purge_space(space, acting_user=city_admin)

    assert DismissedSuggestion.objects.get().name == "Unnamed square (way 1001)"
    assert AuditEvent.objects.get(action="purge").object_repr == "Unnamed square (way 1001)"
