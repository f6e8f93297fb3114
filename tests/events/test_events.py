"""Events: on a space of the same city, ending after they start; pages, CSV export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from pactesur.audit.models import AuditEvent
from pactesur.events.actions import do_archive_event, do_create_event, do_update_event
from pactesur.events.models import Event
from tests.auth_support import confirm_password
from tests.spaces.helpers import make_event, make_space

pytestmark = pytest.mark.django_db


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_create_event_is_audited_with_its_space(city, planner) -> None:
    space = make_space(city, None)
    event = make_event(space, planner, organiser="Ville de Nice")
    assert (event.city, event.space, event.created_by) == (city, space, planner)
    row = AuditEvent.objects.get(action="create", object_type="events.event")
    assert row.detail == {"space": space.pk}


def test_event_on_a_space_of_another_city_is_refused(city, other_city, planner) -> None:
    foreign = make_space(other_city, None, name="Place Saint-Lambert")
    starts = timezone.now() + timedelta(days=1)
    with pytest.raises(ValidationError, match="another city"):
        do_create_event(
            city,
            acting_user=planner,
            space=foreign,
            name="x",
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
            expected_attendance=10,
        )
    assert not Event.objects.exists()


def test_event_must_end_after_it_starts(city, planner) -> None:
    space = make_space(city, None)
    starts = timezone.now() + timedelta(days=1)
    with pytest.raises(ValidationError, match="end after it starts"):
        do_create_event(
            city,
            acting_user=planner,
            space=space,
            name="x",
            starts_at=starts,
            ends_at=starts,
            expected_attendance=None,
        )
    assert not Event.objects.exists()


def test_database_refuses_an_event_ending_before_it_starts(city) -> None:
    space = make_space(city, None)
    starts = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.create(
            city=city, space=space, name="x", starts_at=starts, ends_at=starts - timedelta(hours=1)
        )


def test_update_and_archive_are_audited(city, planner) -> None:
    event = make_event(make_space(city, None), planner)
    do_update_event(event, acting_user=planner, expected_attendance=50000)
    assert AuditEvent.objects.get(action="update").detail == {"fields": ["expected_attendance"]}
    do_archive_event(event, acting_user=planner)
    assert Event.objects.archived().get() == event
    assert AuditEvent.objects.filter(action="archive", object_type="events.event").exists()


def test_moving_an_event_to_a_space_of_another_city_is_refused(city, other_city, planner) -> None:
    event = make_event(make_space(city, None), planner)
    foreign = make_space(other_city, None, name="Place Saint-Lambert")
    with pytest.raises(ValidationError, match="another city"):
        do_update_event(event, acting_user=planner, space=foreign)
    event.refresh_from_db()
    assert event.space.city == city


def test_list_separates_upcoming_and_past(city, viewer) -> None:
    space = make_space(city, None)
    make_event(space, None, name="Carnaval", days_from_now=20)
    make_event(space, None, name="Old market", days_from_now=-20)
    response = _client(viewer).get("/events/")
    assert [e.name for e in response.context["upcoming"]] == ["Carnaval"]
    assert [e.name for e in response.context["past"]] == ["Old market"]


def test_planner_creates_an_event_in_the_city_time_zone(city, planner) -> None:
    space = make_space(city, None)
    page = _client(planner).get(f"/events/new/?space={space.pk}")
    assert page.context["form"].initial["space"] == space
    response = _client(planner).post(
        "/events/new/",
        {
            "space": space.pk,
            "name": "Marché de Noël",
            "starts_at": "2026-12-05T10:00",
            "ends_at": "2026-12-05T20:00",
            "expected_attendance": "5000",
        },
    )
    event = Event.objects.get()
    assert response.status_code == 302
    # Nice is on Europe/Paris time: 10:00 there is 09:00 UTC in December.
    assert event.starts_at == datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


def test_event_form_refuses_end_before_start_and_foreign_space(city, other_city, planner) -> None:
    foreign = make_space(other_city, None, name="Place Saint-Lambert")
    space = make_space(city, None)
    client = _client(planner)
    data = {"space": space.pk, "name": "x", "starts_at": "2026-12-05T10:00", "ends_at": "2026-12-05T09:00"}
    response = client.post("/events/new/", data)
    assert response.status_code == 400
    assert "end after it starts" in response.context["form"].errors["ends_at"][0]
    response = client.post("/events/new/", {**data, "space": foreign.pk, "ends_at": "2026-12-05T11:00"})
    assert "space" in response.context["form"].errors
    assert not Event.objects.exists()


def test_edit_and_archive_pages(city, planner) -> None:
    space = make_space(city, None)
    event = make_event(space, None)
    client = _client(planner)
    data = {
        "space": space.pk,
        "name": "Carnaval 2027",
        "starts_at": "2027-02-13T14:00",
        "ends_at": "2027-02-13T18:00",
    }
    assert client.post(f"/events/{event.pk}/edit/", data).status_code == 302
    event.refresh_from_db()
    assert event.name == "Carnaval 2027"
    assert "Carnaval 2027" in client.get(f"/events/{event.pk}/archive/").content.decode()
    response = client.post(f"/events/{event.pk}/archive/")
    assert response["Location"] == f"/spaces/{space.pk}/"
    assert Event.objects.archived().get() == event


def test_csv_export_lists_the_city_events_and_is_audited(city, other_city, planner) -> None:
    make_event(
        make_space(city, None),
        None,
        name="Carnaval",
        temporary_measures="Concrete blocks on Av. Jean Médecin",
    )
    make_event(make_space(other_city, None, name="Place Saint-Lambert"), None, name="Village de Noël")
    client = _client(planner)
    confirm_password(client)
    response = client.get("/events/export.csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["name"] for r in rows] == ["Carnaval"]
    assert rows[0]["space"] == "Place Masséna"
    assert rows[0]["temporary_measures"] == "Concrete blocks on Av. Jean Médecin"
    assert AuditEvent.objects.filter(action="export", detail__what="events").exists()


def test_csv_export_gives_city_times_with_their_offset_and_names_the_zone(city, planner) -> None:
    space = make_space(city, None)
    for name, starts in (
        ("Marché de Noël", datetime(2026, 12, 5, 9, 0, tzinfo=UTC)),  # winter: UTC+1 in Nice
        ("Fête de la musique", datetime(2027, 6, 21, 16, 0, tzinfo=UTC)),  # summer: UTC+2
    ):
        do_create_event(
            city,
            acting_user=None,
            space=space,
            name=name,
            starts_at=starts,
            ends_at=starts + timedelta(hours=10),
            expected_attendance=None,
        )
    client = _client(planner)
    confirm_password(client)
    text = client.get("/events/export.csv").content.decode()
    header = next(csv.reader(io.StringIO(text)))
    assert header[4:6] == ["starts_at (Europe/Paris)", "ends_at (Europe/Paris)"]
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["name"], r["starts_at (Europe/Paris)"], r["ends_at (Europe/Paris)"]) for r in rows] == [
        ("Marché de Noël", "2026-12-05T10:00:00+01:00", "2026-12-05T20:00:00+01:00"),
        ("Fête de la musique", "2027-06-21T18:00:00+02:00", "2027-06-22T04:00:00+02:00"),
    ]
    # the same instants as stored
    assert datetime.fromisoformat(rows[0]["starts_at (Europe/Paris)"]) == datetime(2026, 12, 5, 9, tzinfo=UTC)


def test_a_nul_in_an_event_text_is_refused_on_the_page_and_in_the_api(city, planner) -> None:
    from tests.spaces.test_api import Api

    space = make_space(city, None)
    data = {
        "space": space.pk,
        "name": "Carnaval\x00",
        "starts_at": "2026-12-05T10:00",
        "ends_at": "2026-12-05T20:00",
    }
    page = _client(planner).post("/events/new/", data)
    assert page.status_code == 400
    assert page.context["form"].errors["name"] == ["Null characters are not allowed."]
    api = Api(planner)
    created = api.send("POST", "/events/", {**data, "name": "Carnaval", "description": "a\x00b"})
    assert created.status_code == 422
    assert created.json()["detail"][0]["msg"] == "Null characters are not allowed."
    event = make_event(space, None)
    patched = api.send("PATCH", f"/events/{event.pk}", {"temporary_measures": "\x00"})
    assert patched.status_code == 422
    event.refresh_from_db()
    assert event.temporary_measures == ""
    assert Event.objects.count() == 1


def test_an_event_on_an_unnamed_space_names_it_in_the_readers_language(city, planner) -> None:
    from pactesur.spaces.actions import do_sync_suggested_spaces
    from pactesur.spaces.models import Space
    from tests.spaces.test_unnamed import UNNAMED_SQUARE

    do_sync_suggested_spaces(city, [UNNAMED_SQUARE], acting_user=None, network=None)
    space = Space.objects.get(osm_id=UNNAMED_SQUARE.osm_id)
    event = make_event(space, None)
    client = _client(planner)
    confirm_password(client)

    page = client.get(f"/fr/events/{event.pk}/").content.decode()
    form = client.get("/fr/events/new/").content.decode()
    rows = list(csv.DictReader(io.StringIO(client.get("/it/events/export.csv").content.decode())))

    assert f'<a href="/fr/spaces/{space.pk}/">Place sans nom (chemin 1001)</a>' in page
    assert f'<option value="{space.pk}">Place sans nom (chemin 1001)</option>' in form
    assert [r["space"] for r in rows] == ["Piazza senza nome (percorso 1001)"]
