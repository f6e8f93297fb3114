"""Nothing lost: a space is archived, not deleted, and removed for good only by an administrator.

Archiving keeps the assessment with every version, the analyses and the events, and takes the space
out of every list; restoring brings it back; a removal for good names everything it takes, leaves an
audited tombstone, is refused while an approved assessment depends on the space, and an OSM re-import
brings back neither an archived nor a removed space.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from shapely.geometry import shape

from pactesur.analysis.actions import do_enqueue_city_analysis, do_enqueue_space_analysis
from pactesur.analysis.models import ApproachAnalysis
from pactesur.analysis.results import space_ranking
from pactesur.assessments import risk
from pactesur.assessments.actions import (
    AssessmentStateError,
    do_add_measure,
    do_approve_assessment,
    do_start_assessment,
    do_submit_assessment,
    overdue_assessments,
)
from pactesur.assessments.models import (
    Assessment,
    AssessmentVersion,
    ExistingMeasure,
    MeasureType,
    Scenario,
)
from pactesur.audit.models import AuditEvent
from pactesur.cities.errors import InvalidRequestError, NotAllowedError
from pactesur.events.actions import do_export_events
from pactesur.events.models import Event
from pactesur.spaces.actions import (
    RemovalRefusedError,
    do_archive_space,
    do_export_spaces,
    do_purge_space,
    do_restore_space,
    do_sync_suggested_spaces,
    do_update_space,
    space_removal,
)
from pactesur.spaces.models import DismissedSuggestion, Space
from tests.analysis.factories import make_analysis
from tests.assessments.helpers import rate, settle_the_rest
from tests.auth_support import confirm_password
from tests.spaces.helpers import NICE_LAT, NICE_LON, make_event, make_space, square
from tests.spaces.test_actions import Suggestion
from tests.streets.factories import StreetNetworkFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def data_dir(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    folder = tmp_path / "data"
    folder.mkdir()
    settings.PACTESUR_DATA_DIR = folder
    return folder


@pytest.fixture
def network(city, data_dir):  # type: ignore[no-untyped-def]
    return StreetNetworkFactory(city=city)


def _client(user: Any, *, confirmed: bool = True) -> Client:
    """A signed-in client; `confirmed`: it has just confirmed its password, as removal asks."""
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    if confirmed:
        confirm_password(client)
    return client


def _assessed(space: Any, author: Any, reviewer: Any | None = None) -> Assessment:
    """The space's assessment with a measure and a submitted version; approved when `reviewer` is given."""
    assessment = do_start_assessment(space, acting_user=author)
    do_add_measure(assessment, acting_user=author, measure_type=MeasureType.objects.order_by("order").first())
    rate(assessment, "vehicle", 4, 5, author)
    settle_the_rest(assessment, author)
    do_submit_assessment(assessment, acting_user=author)
    if reviewer is not None:
        do_approve_assessment(assessment, acting_user=reviewer)
    assessment.refresh_from_db()
    return assessment


@pytest.fixture
def busy_space(city, network, security_officer):  # type: ignore[no-untyped-def]
    """Place Masséna with two events, analyses of two vehicle classes and an assessment in review."""
    space = make_space(city, None, peak_crowd=20000)
    make_event(space, None, name="Carnaval")
    make_event(space, None, name="Fête de la musique", days_from_now=40)
    make_analysis(space, network, "M1")
    make_analysis(space, network, "N3F")
    _assessed(space, security_officer)
    return space


def _ids(model: Any, **lookup: Any) -> list[int]:
    return sorted(model.objects.filter(**lookup).values_list("pk", flat=True))


def _dependents(space: Any) -> dict[str, list[int]]:
    return {
        "events.event": _ids(Event, space=space),
        "analysis.approachanalysis": _ids(ApproachAnalysis, space=space),
        "assessments.assessment": _ids(Assessment, space=space),
        "assessments.assessmentversion": _ids(AssessmentVersion, assessment__space=space),
        "assessments.scenario": _ids(Scenario, assessment__space=space),
        "assessments.existingmeasure": _ids(ExistingMeasure, assessment__space=space),
    }


# --- archive --------------------------------------------------------------------------------------


def test_archiving_keeps_the_assessment_with_every_version_the_analyses_and_the_events(
    busy_space, planner
) -> None:
    before = _dependents(busy_space)
    assert all(before.values())

    do_archive_space(busy_space, acting_user=planner)

    assert _dependents(busy_space) == before
    assert Space.objects.get(pk=busy_space.pk).archived_by == planner
    row = AuditEvent.objects.get(action="archive")
    assert (row.object_type, row.object_id, row.object_repr) == (
        "spaces.space",
        str(busy_space.pk),
        "Place Masséna",
    )
    kept = {group["type"]: group for group in row.detail["kept"]}
    assert {t: g["ids"] for t, g in kept.items()} == before
    assert kept["assessments.assessmentversion"]["count"] == 1


def test_archiving_twice_changes_nothing_the_second_time(city, planner) -> None:
    space = do_archive_space(make_space(city, None), acting_user=planner)
    first = space.archived_at
    do_archive_space(space, acting_user=planner)
    assert Space.objects.get().archived_at == first
    assert AuditEvent.objects.filter(action="archive").count() == 1


def test_an_archived_space_cannot_be_changed_until_restored(city, planner) -> None:
    space = do_archive_space(make_space(city, None), acting_user=planner)
    with pytest.raises(Exception, match="archived"):
        do_update_space(space, acting_user=planner, capacity=5)
    response = _client(planner).get(f"/spaces/{space.pk}/edit/")
    assert response["Location"] == f"/spaces/{space.pk}/"


def _main(html: str) -> str:
    """The page's own content, without the menu (whose "Risk" link leads to the assessments)."""
    return html[html.index("<main") : html.index("</main>")]


def test_a_planner_archiving_a_space_with_an_assessment_neither_destroys_nor_reveals_it(
    busy_space, planner
) -> None:
    before = _dependents(busy_space)
    client = _client(planner)
    response = client.get(f"/spaces/{busy_space.pk}/archive/")
    assert response.context["kept"] == ["2 events"]
    page = _main(response.content.decode()).lower()
    for word in ("assessment", "approach analys", "version", "scenario"):
        assert word not in page

    response = client.post(f"/spaces/{busy_space.pk}/archive/", follow=True)

    assert response.status_code == 200
    assert "everything linked to it is kept" in response.content.decode()
    assert _dependents(busy_space) == before
    assert Space.objects.archived().get() == busy_space


def test_security_sees_what_archiving_keeps(busy_space, security_officer) -> None:
    page = _client(security_officer).get(f"/spaces/{busy_space.pk}/archive/").content.decode()
    for words in ("2 events", "1 vulnerability assessment", "1 assessment version", "2 approach analyses"):
        assert words in page


# --- out of every list --------------------------------------------------------------------------------


def test_an_archived_space_leaves_the_lists_map_and_exports_but_stays_readable(
    city, planner, security_officer
) -> None:
    make_space(city, None, name="Cours Saleya", polygon=square(NICE_LON + 0.01, NICE_LAT))
    gone = do_archive_space(make_space(city, None, name="Place Masséna"), acting_user=planner)
    client = _client(planner)

    listed = client.get("/spaces/")
    assert [s.name for s in listed.context["spaces"]] == ["Cours Saleya"]
    assert "Archived (1)" in listed.content.decode()
    names = [
        f["properties"]["name"] for f in client.get("/spaces/map/").context["map_data"]["spaces"]["features"]
    ]
    assert names == ["Cours Saleya"]
    geojson = json.loads(do_export_spaces(city, acting_user=planner, file_format="geojson"))
    assert [f["properties"]["name"] for f in geojson["features"]] == ["Cours Saleya"]
    assert "Place Masséna" not in do_export_spaces(city, acting_user=planner, file_format="csv")

    archived = client.get("/spaces/archived/")
    assert [s.name for s in archived.context["spaces"]] == ["Place Masséna"]
    detail = client.get(f"/spaces/{gone.pk}/")
    assert detail.status_code == 200
    assert 'id="space-archived"' in detail.content.decode()
    assert 'id="restore-space"' in detail.content.decode()
    assert 'id="purge-space"' not in detail.content.decode()  # planners do not remove for good


def test_an_archived_space_leaves_the_api_lists_and_stays_readable_by_id(city, planner) -> None:
    from pactesur.accounts.models import ApiToken, hash_token

    make_space(city, None, name="Cours Saleya", polygon=square(NICE_LON + 0.01, NICE_LAT))
    gone = do_archive_space(make_space(city, None, name="Place Masséna"), acting_user=planner)
    raw = ApiToken.new_raw_token()
    ApiToken.objects.create(user=planner, name="t", token_hash=hash_token(raw), prefix=raw[:8])
    api = Client(headers={"Authorization": f"Bearer {raw}"})

    assert [s["name"] for s in api.get("/api/v1/spaces/").json()] == ["Cours Saleya"]
    features = api.get("/api/v1/spaces/geojson").json()["features"]
    assert [f["properties"]["name"] for f in features] == ["Cours Saleya"]
    assert [s["name"] for s in api.get("/api/v1/spaces/", {"archived": "true"}).json()] == ["Place Masséna"]
    assert api.get(f"/api/v1/spaces/{gone.pk}").json()["archived_at"] is not None


def test_the_openapi_document_says_delete_archives(viewer) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(viewer, backend="django.contrib.auth.backends.ModelBackend")
    document = client.get("/api/v1/openapi.json").json()
    delete = document["paths"]["/api/v1/spaces/{space_id}"]["delete"]
    assert delete["summary"] == "Archive a space (nothing is deleted)"
    assert "nothing is" in delete["description"]
    assert "post" in document["paths"]["/api/v1/spaces/{space_id}/restore"]


def test_an_archived_space_leaves_the_vehicle_ranking_and_the_analysis_queues(
    city, network, planner, security_officer
) -> None:
    kept = make_space(city, None, name="Cours Saleya", polygon=square(NICE_LON + 0.01, NICE_LAT))
    gone = make_space(city, None, name="Place Masséna")
    for space in (kept, gone):
        make_analysis(space, network, "M1")
    do_archive_space(gone, acting_user=planner)

    assert [row["name"] for row in space_ranking(city)] == ["Cours Saleya"]
    queued = do_enqueue_city_analysis(city, acting_user=security_officer, force=True)
    assert {row.space_id for row in queued} == {kept.pk}
    with pytest.raises(InvalidRequestError, match="archived"):
        do_enqueue_space_analysis(gone, acting_user=security_officer)
    assert ApproachAnalysis.objects.filter(space=gone).count() == 1
    page = _client(security_officer).get("/analysis/")
    assert page.context["space_count"] == 1


def test_an_archived_space_leaves_the_risk_dashboard_report_and_reminders(
    city, security_officer, city_admin
) -> None:
    kept = make_space(city, None, name="Cours Saleya", polygon=square(NICE_LON + 0.01, NICE_LAT))
    gone = make_space(city, None, name="Place Masséna")
    _assessed(kept, security_officer, city_admin)
    archived_assessment = _assessed(gone, security_officer, city_admin)
    do_archive_space(gone, acting_user=security_officer)

    assert [a.space.name for a in risk.city_assessments(city)] == ["Cours Saleya"]
    dashboard = _client(security_officer).get("/assessments/")
    assert [row["r"].assessment.space.name for row in dashboard.context["ranked"]] == ["Cours Saleya"]
    assert gone not in dashboard.context["unassessed"]
    far_future = archived_assessment.review_due.replace(year=archived_assessment.review_due.year + 5)
    assert [a.space.name for a in overdue_assessments(today=far_future)] == ["Cours Saleya"]
    assert Assessment.objects.get(space=gone).status == "approved"
    parvis = do_archive_space(make_space(city, None, name="Parvis"), acting_user=None)
    with pytest.raises(AssessmentStateError, match="archived"):
        do_start_assessment(parvis, acting_user=security_officer)


def test_events_of_an_archived_space_leave_the_event_lists_and_export_and_stay_on_its_page(
    city, planner
) -> None:
    space = make_space(city, None)
    make_event(space, None, name="Carnaval")
    do_archive_space(space, acting_user=planner)
    client = _client(planner)

    listed = client.get("/events/")
    assert listed.context["upcoming"] == []
    assert "Carnaval" not in do_export_events(city, acting_user=planner)
    assert [e.name for e in client.get(f"/spaces/{space.pk}/").context["upcoming"]] == ["Carnaval"]
    form = client.get("/events/new/").context["form"]
    assert list(form.fields["space"].queryset) == []


# --- restore -------------------------------------------------------------------------------------


def test_restoring_brings_the_space_back_with_everything_and_is_audited(busy_space, planner) -> None:
    before = _dependents(busy_space)
    do_archive_space(busy_space, acting_user=planner)
    response = _client(planner).post(f"/spaces/{busy_space.pk}/restore/")

    assert response["Location"] == f"/spaces/{busy_space.pk}/"
    space = Space.objects.get()
    assert (space.archived_at, space.archived_by) == (None, None)
    assert _dependents(space) == before
    row = AuditEvent.objects.get(action="restore")
    assert row.object_id == str(space.pk)
    assert {g["type"]: g["ids"] for g in row.detail["kept"]} == before
    assert [s.name for s in _client(planner).get("/spaces/").context["spaces"]] == ["Place Masséna"]


def test_restoring_queues_the_analyses_the_space_missed_while_archived(
    city, network, planner, django_capture_on_commit_callbacks
) -> None:
    space = do_archive_space(make_space(city, None), acting_user=planner)
    assert not ApproachAnalysis.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        do_restore_space(space, acting_user=planner)

    assert ApproachAnalysis.objects.filter(space=space, status="queued").count() == 6
    queued = AuditEvent.objects.get(action="update", detail__what="approach analysis queued")
    assert queued.detail["reason"] == "space restored"


# --- removal for good ------------------------------------------------------------------------------


def test_removal_asks_for_the_password_again(busy_space, city_admin) -> None:  # type: ignore[no-untyped-def]
    do_archive_space(busy_space, acting_user=city_admin)
    response = _client(city_admin, confirmed=False).get(f"/spaces/{busy_space.pk}/purge/")

    assert response.status_code == 302
    assert response.url.startswith("/accounts/confirm/")


def test_the_removal_page_names_every_record_it_takes(busy_space, city_admin) -> None:
    do_archive_space(busy_space, acting_user=city_admin)
    response = _client(city_admin).get(f"/spaces/{busy_space.pk}/purge/")

    assert response.status_code == 200
    rows = {row["type"]: row for row in response.context["rows"]}
    assert {t: list(r["ids"]) for t, r in rows.items()} == {
        "spaces.space": [busy_space.pk],
        **_dependents(busy_space),
    }
    page = response.content.decode()
    for words in (
        "1 space",
        "2 events",
        "1 vulnerability assessment",
        "1 assessment version",
        "13 scenarios",
    ):
        assert words in page
    assert 'id="confirm-purge"' in page


def test_removal_deletes_everything_it_named_and_leaves_an_audited_tombstone(busy_space, city_admin) -> None:
    do_archive_space(busy_space, acting_user=city_admin)
    named = {"spaces.space": [busy_space.pk], **_dependents(busy_space)}
    client = _client(city_admin)
    digest = client.get(f"/spaces/{busy_space.pk}/purge/").context["removal"].digest

    response = client.post(f"/spaces/{busy_space.pk}/purge/", {"digest": digest})

    assert response["Location"] == reverse("spaces:archived")
    assert not Space.objects.exists()
    assert all(not ids for ids in _dependents(busy_space).values())
    tombstone = AuditEvent.objects.get(action="purge")
    assert (tombstone.object_type, tombstone.object_id, tombstone.object_repr) == (
        "spaces.space",
        str(busy_space.pk),
        "Place Masséna",
    )
    assert tombstone.user == city_admin
    assert tombstone.city_id == busy_space.city_id
    removed = {g["type"]: g for g in tombstone.detail["removed"]}
    assert {t: g["ids"] for t, g in removed.items()} == named
    assert all(g["count"] == len(g["ids"]) for g in removed.values())
    assert tombstone.detail["archived_at"]


def test_removal_is_refused_while_an_approved_assessment_depends_on_the_space(
    city, security_officer, city_admin
) -> None:
    space = make_space(city, None)
    _assessed(space, security_officer, city_admin)
    do_archive_space(space, acting_user=city_admin)
    client = _client(city_admin)

    page = client.get(f"/spaces/{space.pk}/purge/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="purge-refused"' in html
    assert "approved version (version 2)" in html
    assert 'id="confirm-purge"' not in html
    refused = client.post(f"/spaces/{space.pk}/purge/", {"digest": page.context["removal"].digest})
    assert refused.status_code == 409
    with pytest.raises(RemovalRefusedError, match="approved version"):
        do_purge_space(space, acting_user=city_admin)
    assert Space.objects.get() == space
    assert AssessmentVersion.objects.filter(assessment__space=space).count() == 2
    assert not AuditEvent.objects.filter(action="purge").exists()


def test_removal_of_a_space_in_use_is_refused(city, city_admin) -> None:
    space = make_space(city, None)
    response = _client(city_admin).post(f"/spaces/{space.pk}/purge/")
    assert response["Location"] == f"/spaces/{space.pk}/"
    with pytest.raises(RemovalRefusedError, match="Archive the space"):
        do_purge_space(space, acting_user=city_admin)
    assert Space.objects.get() == space


def test_removal_is_refused_when_records_were_added_after_the_page_was_shown(city, city_admin) -> None:
    space = do_archive_space(make_space(city, None), acting_user=city_admin)
    shown = space_removal(space).digest
    # An event recorded meanwhile (straight in the database: the actions refuse an archived space).
    starts = timezone.now()
    Event.objects.create(
        city=city, space=space, name="Late", starts_at=starts, ends_at=starts + timedelta(hours=1)
    )

    response = _client(city_admin).post(f"/spaces/{space.pk}/purge/", {"digest": shown})

    assert response.status_code == 409
    assert "changed since the page was shown" in response.content.decode()
    assert Space.objects.filter(pk=space.pk).exists()
    assert Event.objects.filter(name="Late").exists()


def test_only_a_city_administrator_may_remove_a_space_for_good(city, security_officer) -> None:
    space = do_archive_space(make_space(city, None), acting_user=security_officer)
    with pytest.raises(NotAllowedError):
        do_purge_space(space, acting_user=security_officer)
    assert Space.objects.filter(pk=space.pk).exists()


# --- re-imports ----------------------------------------------------------------------------------


class _Network:
    def __init__(self, version: int) -> None:
        self.pk = 2000 + version
        self.version = version


def _suggest(name: str, osm_id: int = 7) -> Suggestion:
    return Suggestion(name, "square", "way", osm_id, shape(square()), {"place": "square"})


def test_a_reimport_neither_recreates_nor_restores_nor_changes_an_archived_suggested_space(
    city, security_officer
) -> None:
    do_sync_suggested_spaces(
        city, [_suggest("Place Garibaldi")], acting_user=security_officer, network=_Network(1)
    )
    space = do_archive_space(Space.objects.get(), acting_user=security_officer)

    again = do_sync_suggested_spaces(
        city, [_suggest("Piazza Garibaldi")], acting_user=security_officer, network=_Network(2)
    )
    gone_from_osm = do_sync_suggested_spaces(city, [], acting_user=security_officer, network=_Network(3))

    assert (again.created, again.updated, again.kept_archived) == (0, 0, 1)
    assert gone_from_osm.removed == 0
    stored = Space.objects.get()
    assert stored.pk == space.pk
    assert stored.archived_at == space.archived_at
    assert (stored.name, stored.network_version, stored.in_latest_import) == ("Place Garibaldi", 1, True)


def test_a_reimport_does_not_bring_back_a_space_removed_for_good(city, security_officer, city_admin) -> None:
    do_sync_suggested_spaces(city, [_suggest("Parking")], acting_user=security_officer, network=_Network(1))
    space = do_archive_space(Space.objects.get(), acting_user=security_officer)
    do_purge_space(space, acting_user=city_admin)
    assert DismissedSuggestion.objects.get().osm_id == 7
    assert AuditEvent.objects.get(action="purge").detail["suggestion_dismissed"] is True

    result = do_sync_suggested_spaces(
        city, [_suggest("Parking")], acting_user=security_officer, network=_Network(2)
    )

    assert (result.created, result.dismissed) == (0, 1)
    assert not Space.objects.exists()
    assert AuditEvent.objects.filter(action="import").first().detail["spaces"]["dismissed"] == 1


# --- the audit trail -----------------------------------------------------------------------------------


def test_the_audit_page_and_csv_show_what_was_kept_and_what_was_removed(busy_space, city_admin) -> None:
    from tests.auth_support import confirm_password

    assessment = Assessment.objects.get()
    version = AssessmentVersion.objects.get()
    events = _dependents(busy_space)["events.event"]
    do_archive_space(busy_space, acting_user=city_admin)
    client = _client(city_admin)

    page = client.get(reverse("audit:list"), {"action": "archive"}).content.decode()
    assert f"1 vulnerability assessment (#{assessment.pk})" in page
    assert f"1 assessment version (#{version.pk})" in page
    assert f"2 events (#{events[0]}, #{events[1]})" in page

    do_purge_space(busy_space, acting_user=city_admin)
    confirm_password(client)
    content = client.get(reverse("audit:export"), {"action": "purge"}).content.decode()
    header, row = list(csv.reader(io.StringIO(content)))
    assert header[-1] == "details"
    assert row[2] == "purge"
    assert row[-1].startswith("removed for good: 1 space (#")
    assert f"1 vulnerability assessment (#{assessment.pk})" in row[-1]


def test_the_archive_speaks_french_and_the_audit_trail_italian(busy_space, city_admin) -> None:
    do_archive_space(busy_space, acting_user=city_admin)
    client = _client(city_admin)
    french = client.get("/fr/spaces/archived/").content.decode()
    assert "Espaces archivés de Nice" in french
    assert "Supprimer définitivement" in french
    italian = client.get("/it/audit/", {"action": "archive"}).content.decode()
    assert "conservato: 2 analisi degli avvicinamenti (#" in italian
    assert "; 2 eventi (#" in italian
    # "della" since the glossary's "valutazione della vulnerabilità" (issue 10); "di" before it
    assert re.search(r"1 valutazione (di|della) vulnerabilità \(#", italian)


def test_the_home_page_counts_the_spaces_in_use(busy_space, city_admin) -> None:  # type: ignore[no-untyped-def]
    client = _client(city_admin)
    before = client.get("/").context["space_count"]
    do_archive_space(busy_space, acting_user=city_admin)

    assert client.get("/").context["space_count"] == before - 1
