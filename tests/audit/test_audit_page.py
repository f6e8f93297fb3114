"""The city admin reads, filters and downloads the city's audit trail; the download is audited too."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from pactesur.audit.actions import do_record_audit, do_record_export, do_record_view
from pactesur.audit.models import AuditAction, AuditEvent
from tests.auth_support import confirm_password
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def test_admin_sees_the_citys_events_and_not_another_citys(client, city_admin, city, other_city) -> None:  # type: ignore[no-untyped-def]
    do_record_audit(AuditAction.UPDATE, acting_user=city_admin, city=city, detail={"n": 1})
    do_record_audit(AuditAction.DELETE, acting_user=None, city=other_city, username="someone_in_liege")
    client.force_login(city_admin)
    response = client.get(reverse("audit:list"))
    assert response.status_code == 200
    listed = {(e.action, e.username) for e in response.context["page"].object_list}
    assert ("update", "city_admin") in listed
    assert not any(username == "someone_in_liege" for _action, username in listed)


def test_members_log_ins_and_failed_log_ins_appear_in_their_citys_trail(client, city_admin, viewer) -> None:  # type: ignore[no-untyped-def]
    client.post(reverse("accounts:login"), {"username": "viewer", "password": "wrong"})
    client.post(reverse("accounts:login"), {"username": "viewer", "password": TEST_PASSWORD})
    client.force_login(city_admin)
    actions = {(e.action, e.username) for e in client.get(reverse("audit:list")).context["page"].object_list}
    assert {("login_failed", "viewer"), ("login", "viewer")} <= actions


@pytest.mark.parametrize(
    ("at", "shown"),
    [
        (datetime.datetime(2026, 12, 5, 23, 30, tzinfo=datetime.UTC), "2026-12-06T00:30:00+01:00"),  # winter
        (datetime.datetime(2026, 7, 1, 21, 30, tzinfo=datetime.UTC), "2026-07-01T23:30:00+02:00"),  # summer
    ],
)
def test_csv_times_are_the_citys_local_time_with_their_offset(  # type: ignore[no-untyped-def]
    client, city_admin, planner, city, at, shown
) -> None:
    do_record_audit(AuditAction.UPDATE, acting_user=planner, city=city, detail={})
    AuditEvent.objects.filter(action=AuditAction.UPDATE).update(created_at=at)
    client.force_login(city_admin)
    confirm_password(client)
    rows = list(
        csv.DictReader(io.StringIO(client.get(reverse("audit:export"), {"user": "planner"}).content.decode()))
    )
    assert [r["created_at (Europe/Paris)"] for r in rows] == [shown]
    assert datetime.datetime.fromisoformat(shown) == at  # the same instant as stored


def test_a_city_whose_zone_the_system_does_not_know_gets_its_csv_in_utc(
    client, city_admin, planner, city
) -> None:  # type: ignore[no-untyped-def]
    type(city).objects.filter(pk=city.pk).update(time_zone="Europe/Atlantis")
    do_record_audit(AuditAction.UPDATE, acting_user=planner, city=city, detail={})
    at = datetime.datetime(2026, 12, 5, 23, 30, tzinfo=datetime.UTC)
    AuditEvent.objects.filter(action=AuditAction.UPDATE).update(created_at=at)
    client.force_login(city_admin)
    confirm_password(client)

    text = client.get(reverse("audit:export"), {"user": "planner"}).content.decode()

    assert [r["created_at (UTC)"] for r in csv.DictReader(io.StringIO(text))] == ["2026-12-05T23:30:00+00:00"]


def test_filters_narrow_the_list(client, city_admin, planner, city) -> None:  # type: ignore[no-untyped-def]
    do_record_audit(AuditAction.UPDATE, acting_user=planner, city=city)
    do_record_audit(AuditAction.EXPORT, acting_user=city_admin, city=city)
    old = do_record_audit(AuditAction.UPDATE, acting_user=planner, city=city)
    AuditEvent.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=30))
    client.force_login(city_admin)

    def listed(**params: str) -> list[tuple[str, str]]:
        page = client.get(reverse("audit:list"), params).context["page"]
        return [(e.username, e.action) for e in page.object_list]

    assert listed(user="planner") == [("planner", "update"), ("planner", "update")]
    assert listed(action="export") == [("city_admin", "export")]
    today = timezone.localdate().isoformat()
    assert listed(user="planner", date_from=today) == [("planner", "update")]
    week_ago = (timezone.localdate() - datetime.timedelta(days=7)).isoformat()
    assert listed(user="planner", date_to=week_ago) == [("planner", "update")]


def test_date_range_backwards_is_explained_and_lists_nothing(client, city_admin, city) -> None:  # type: ignore[no-untyped-def]
    do_record_audit(AuditAction.UPDATE, acting_user=city_admin, city=city)
    client.force_login(city_admin)
    response = client.get(reverse("audit:list"), {"date_from": "2026-05-02", "date_to": "2026-05-01"})
    assert response.status_code == 400
    assert b"The start date is after the end date." in response.content
    assert list(response.context["page"].object_list) == []


def test_list_is_paginated(client, city_admin, city) -> None:  # type: ignore[no-untyped-def]
    AuditEvent.objects.bulk_create(
        AuditEvent(action=AuditAction.VIEW, city=city, username="bulk") for _ in range(60)
    )
    client.force_login(city_admin)
    first = client.get(reverse("audit:list"), {"user": "bulk"}).context["page"]
    assert len(first.object_list) == 50
    assert first.has_next()
    second = client.get(reverse("audit:list"), {"user": "bulk", "page": 2}).context["page"]
    assert len(second.object_list) == 10


def test_csv_download_has_the_filtered_rows_and_is_itself_audited(client, city_admin, planner, city) -> None:  # type: ignore[no-untyped-def]
    do_record_audit(AuditAction.UPDATE, acting_user=planner, city=city, detail={})
    do_record_audit(AuditAction.CREATE, acting_user=city_admin, city=city)
    client.force_login(city_admin)
    confirm_password(client)
    response = client.get(reverse("audit:export"), {"user": "planner"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["created_at (Europe/Paris)", "username", "action"]
    assert [r[1:3] for r in rows[1:]] == [["planner", "update"]]
    export = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert export.city == city
    assert export.user == city_admin
    assert export.detail == {
        "what": "audit trail",
        "format": "csv",
        "rows": 1,
        "filters": {"user": "planner"},
    }


def test_csv_cells_that_look_like_formulas_are_defused(client, city_admin, city) -> None:  # type: ignore[no-untyped-def]
    AuditEvent.objects.create(action=AuditAction.UPDATE, city=city, username="x", object_repr="=HYPERLINK(1)")
    client.force_login(city_admin)
    confirm_password(client)
    content = client.get(reverse("audit:export")).content.decode()
    assert "'=HYPERLINK(1)" in content


def test_view_and_export_helpers_record_the_record_and_its_city(city_admin, city) -> None:  # type: ignore[no-untyped-def]
    from pactesur.accounts.models import Invitation

    record = Invitation.objects.create(
        city=city,
        email="a@example.org",
        role="viewer",
        token_hash="h",
        expires_at=Invitation.default_expiry(),
    )
    seen = do_record_view(record, acting_user=city_admin)
    assert (seen.action, seen.city, seen.object_type, seen.object_id) == (
        "view",
        city,
        "accounts.invitation",
        str(record.pk),
    )
    exported = do_record_export(acting_user=city_admin, city=city, what="spaces", fmt="csv", rows=3)
    assert exported.detail == {"what": "spaces", "format": "csv", "rows": 3}


def test_the_trail_shows_what_was_exported_its_format_count_and_filters(client, city_admin, city) -> None:  # type: ignore[no-untyped-def]
    from pactesur.spaces.actions import do_export_spaces

    do_export_spaces(city, acting_user=city_admin, file_format="geojson")
    client.force_login(city_admin)
    confirm_password(client)
    client.get(reverse("audit:export"), {"action": "export"})  # an export of the trail, filtered

    page = client.get(reverse("audit:list")).content.decode()
    assert "spaces (GEOJSON)" in page
    assert "audit trail (CSV), 1 record, filters: action=export" in page
    french = client.get("/fr" + reverse("audit:list")).content.decode()
    # French puts a no-break space before a colon (the glossary of issue 10); a plain one before it
    assert "1 enregistrement, filtres : action=export" in french.replace("\xa0", " ")

    rows = list(csv.DictReader(io.StringIO(client.get(reverse("audit:export")).content.decode())))
    by_what = {r["what"]: r for r in rows if r["action"] == "export"}
    assert (by_what["spaces"]["format"], by_what["spaces"]["records"]) == ("geojson", "0")
    assert by_what["audit trail"]["filters"] == "action=export"
    viewed = [r for r in rows if r["action"] == "view"]
    assert all(r["what"] for r in viewed)
