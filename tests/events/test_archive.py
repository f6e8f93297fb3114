"""Events are archived, not deleted: out of the lists and the export, readable, restorable, and removed
for good only by an administrator, with an audited tombstone."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from pactesur.accounts.models import ApiToken, hash_token
from pactesur.audit.models import AuditEvent
from pactesur.cities.errors import InvalidRequestError, NotAllowedError
from pactesur.events.actions import (
    do_archive_event,
    do_export_events,
    do_purge_event,
    do_restore_event,
    do_update_event,
)
from pactesur.events.models import Event
from pactesur.spaces.actions import RemovalRefusedError, do_archive_space, do_restore_space
from tests.auth_support import confirm_password
from tests.spaces.helpers import make_event, make_space

pytestmark = pytest.mark.django_db


def _client(user: Any, *, confirmed: bool = True) -> Client:
    """A signed-in client; `confirmed`: it has just confirmed its password, as removal asks."""
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    if confirmed:
        confirm_password(client)
    return client


def _api(user: Any) -> Client:
    raw = ApiToken.new_raw_token()
    ApiToken.objects.create(user=user, name="t", token_hash=hash_token(raw), prefix=raw[:8])
    return Client(headers={"Authorization": f"Bearer {raw}"})


@pytest.fixture
def two_events(city):  # type: ignore[no-untyped-def]
    space = make_space(city, None)
    return make_event(space, None, name="Carnaval"), make_event(
        space, None, name="Marathon", days_from_now=20
    )


def test_an_archived_event_leaves_the_lists_the_export_and_the_api_but_stays_readable(
    city, planner, two_events
) -> None:
    carnaval, marathon = two_events
    do_archive_event(carnaval, acting_user=planner)
    client = _client(planner)

    assert [e.name for e in client.get("/events/").context["upcoming"]] == ["Marathon"]
    assert [e.name for e in client.get(f"/spaces/{marathon.space_id}/").context["upcoming"]] == ["Marathon"]
    assert "Carnaval" not in do_export_events(city, acting_user=planner)
    assert [e.name for e in client.get("/events/archived/").context["events"]] == ["Carnaval"]
    detail = client.get(f"/events/{carnaval.pk}/").content.decode()
    assert 'id="event-archived"' in detail
    assert 'id="restore-event"' in detail
    api = _api(planner)
    assert [e["name"] for e in api.get("/api/v1/events/").json()] == ["Marathon"]
    assert [e["name"] for e in api.get("/api/v1/events/", {"archived": "true"}).json()] == ["Carnaval"]
    assert api.get(f"/api/v1/events/{carnaval.pk}").json()["archived_at"] is not None


def test_archiving_and_restoring_an_event_are_audited(planner, two_events) -> None:
    carnaval, _ = two_events
    do_archive_event(carnaval, acting_user=planner)
    do_restore_event(carnaval, acting_user=planner)
    assert Event.objects.get(pk=carnaval.pk).archived_at is None
    archived = AuditEvent.objects.get(action="archive")
    assert (archived.object_type, archived.object_id) == ("events.event", str(carnaval.pk))
    assert archived.detail == {"space": carnaval.space_id, "kept": []}
    assert AuditEvent.objects.get(action="restore").detail["space"] == carnaval.space_id


def test_an_archived_event_or_an_event_of_an_archived_space_cannot_be_changed(planner, two_events) -> None:
    carnaval, marathon = two_events
    do_archive_event(carnaval, acting_user=planner)
    with pytest.raises(ValidationError, match="archived"):
        do_update_event(carnaval, acting_user=planner, expected_attendance=1)
    do_archive_space(marathon.space, acting_user=planner)
    marathon.refresh_from_db()
    with pytest.raises(ValidationError, match="archived"):
        do_update_event(marathon, acting_user=planner, expected_attendance=1)
    assert _client(planner).get(f"/events/{marathon.pk}/edit/")["Location"] == f"/events/{marathon.pk}/"


def test_no_event_is_added_to_an_archived_space(city, planner) -> None:
    space = do_archive_space(make_space(city, None), acting_user=planner)
    response = _api(planner).post(
        "/api/v1/events/",
        json.dumps(
            {"space": space.pk, "name": "x", "starts_at": "2027-01-01T10:00", "ends_at": "2027-01-01T11:00"}
        ),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "archived" in response.content.decode()
    assert not Event.objects.exists()


def test_an_event_comes_back_only_once_its_space_is_restored(planner, two_events) -> None:
    carnaval, _ = two_events
    do_archive_event(carnaval, acting_user=planner)
    do_archive_space(carnaval.space, acting_user=planner)
    with pytest.raises(InvalidRequestError, match="restore the space first"):
        do_restore_event(carnaval, acting_user=planner)
    response = _client(planner).post(f"/events/{carnaval.pk}/restore/", follow=True)
    assert "restore the space first" in response.content.decode()
    do_restore_space(carnaval.space, acting_user=planner)
    do_restore_event(carnaval, acting_user=planner)
    assert Event.objects.active().count() == 2


def test_removal_for_good_names_the_event_and_leaves_a_tombstone(city_admin, two_events) -> None:
    carnaval, marathon = two_events
    do_archive_event(carnaval, acting_user=city_admin)
    client = _client(city_admin)
    page = client.get(f"/events/{carnaval.pk}/purge/")
    assert [(r["type"], list(r["ids"])) for r in page.context["rows"]] == [("events.event", [carnaval.pk])]
    assert "1 event" in page.content.decode()

    response = client.post(f"/events/{carnaval.pk}/purge/", {"digest": page.context["removal"].digest})

    assert response["Location"] == "/events/archived/"
    assert list(Event.objects.all()) == [marathon]
    tombstone = AuditEvent.objects.get(action="purge")
    assert (tombstone.object_type, tombstone.object_id, tombstone.object_repr) == (
        "events.event",
        str(carnaval.pk),
        "Carnaval",
    )
    assert tombstone.detail["removed"] == [{"type": "events.event", "count": 1, "ids": [carnaval.pk]}]
    assert tombstone.detail["space"] == carnaval.space_id


def test_removal_for_good_needs_an_archived_event_and_an_administrator(
    city_admin, security_officer, two_events
) -> None:
    carnaval, _ = two_events
    with pytest.raises(RemovalRefusedError, match="Archive the event"):
        do_purge_event(carnaval, acting_user=city_admin)
    do_archive_event(carnaval, acting_user=security_officer)
    with pytest.raises(NotAllowedError):
        do_purge_event(carnaval, acting_user=security_officer)
    assert Event.objects.count() == 2
