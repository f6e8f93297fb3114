"""Imports that do not fit the city (Berlin into a city whose spaces are in Leeds) are held, not activated.

The real Leeds extract is the city's network and its spaces lie there; the real Berlin Tiergarten
extract, 1 100 km away, is the wrong file. A web import of it waits for a person to activate or
cancel it; nothing is analysed on it until then.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from pactesur.audit.models import AuditEvent
from pactesur.spaces.actions import do_create_space
from pactesur.spaces.models import Space
from pactesur.streets.actions import (
    IfOutside,
    ImportFitError,
    do_activate_held_import,
    do_cancel_held_import,
    do_import_osm,
    do_run_import_job,
    do_sweep_orphan_files,
    held_suggestions_path,
)
from pactesur.streets.fit import FIT_MARGIN_M, FitReport, SpaceOutline, share_covered, spaces_outside
from pactesur.streets.models import ImportJob, ImportStatus, StreetNetwork
from tests.analysis.helpers import WOODHOUSE_LAT, WOODHOUSE_LON, box
from tests.conftest import shared_osm
from tests.engine.osm_files import import_text, lonlat, osm_xml
from tests.streets.conftest import files_under

BERLIN = "berlin_tiergarten_siegessaeule.osm.gz"
ANALYSE_CITY = "pactesur.analysis.tasks.analyse_city"


# --- the check itself, on a street drawn in metres ------------------------------------------------


def _square_m(x0: float, y0: float, side_m: float) -> dict[str, Any]:
    corners = [(x0, y0), (x0 + side_m, y0), (x0 + side_m, y0 + side_m), (x0, y0 + side_m), (x0, y0)]
    return {"type": "Polygon", "coordinates": [[list(lonlat(x, y)) for x, y in corners]]}


@pytest.fixture
def one_street(tmp_path: Path) -> Any:
    """A residential street 300 m long running east, three nodes 150 m apart (no node near x = 75):

       ┌────┐ "near": 20 m north of the street, 20 m square
       └────┘
    1 ──────────────── 2 ──────────────── 3      y = 0
    x=0               x=150              x=300
       ┌────┐ "edge": 45 m south (inside the 50 m margin)
       └────┘
       ┌────┐ "beyond": 70 m south
       └────┘
    """
    nodes = {1: (0.0, 0.0, {}), 2: (150.0, 0.0, {}), 3: (300.0, 0.0, {})}
    ways = {10: ([1, 2, 3], {"highway": "residential"})}
    return import_text(tmp_path, osm_xml(nodes, ways))


def _bounds_of(network: Any) -> tuple[float, float, float, float]:
    return tuple(float(b) for b in network.meta["bounds"])  # type: ignore[return-value]


def test_a_space_beside_a_street_is_covered_and_one_beyond_the_margin_lies_outside(one_street):
    spaces = [
        SpaceOutline(1, "near", _square_m(65.0, 20.0, 20.0)),
        SpaceOutline(2, "edge", _square_m(65.0, -65.0, 20.0)),
        SpaceOutline(3, "beyond", _square_m(65.0, -90.0, 20.0)),
    ]

    outside = spaces_outside(one_street, spaces, bounds=_bounds_of(one_street))

    assert FIT_MARGIN_M == 50.0
    assert [(s.id, s.name) for s in outside] == [(3, "beyond")]
    # measured to the segment between nodes 1 and 2, not to a node (the nearest is 75 m away)
    assert outside[0].distance_m == pytest.approx(70, abs=1)


def test_a_space_on_another_continent_is_measured_on_the_sphere(one_street):
    wellington = {
        "type": "Polygon",
        "coordinates": [
            [[174.77, -41.29], [174.78, -41.29], [174.78, -41.28], [174.77, -41.28], [174.77, -41.29]]
        ],
    }

    (far,) = spaces_outside(
        one_street, [SpaceOutline(7, "Wellington", wellington)], bounds=_bounds_of(one_street)
    )

    # Helsinki (the drawing's origin) to Wellington: about 17 000 km on the sphere
    assert 16_500_000 < far.distance_m < 17_500_000


def test_share_of_the_previous_area_covered_by_the_new_bounds():
    previous = (0.0, 0.0, 2.0, 1.0)
    assert share_covered((0.0, 0.0, 2.0, 1.0), previous) == 1.0
    assert share_covered((-5.0, -5.0, 5.0, 5.0), previous) == 1.0
    assert share_covered((1.0, 0.0, 3.0, 1.0), previous) == 0.5
    assert share_covered((10.0, 10.0, 11.0, 11.0), previous) == 0.0
    assert share_covered((0.0, 0.0, 1.0, 1.0), (0.5, 0.5, 0.5, 0.5)) == 1.0  # a degenerate box touched


def test_a_report_is_a_problem_with_a_space_outside_or_without_overlap_and_survives_json():
    fine = FitReport(
        spaces_checked=3, outside=(), previous_network_id=1, previous_version=1, previous_share_covered=0.4
    )
    elsewhere = FitReport(
        spaces_checked=0, outside=(), previous_network_id=1, previous_version=1, previous_share_covered=0.0
    )
    first = FitReport(spaces_checked=0, outside=())

    assert not fine.problem
    assert elsewhere.problem
    assert not elsewhere.overlaps_previous
    assert not first.problem
    assert FitReport.from_json(elsewhere.as_json()) == elsewhere


# --- imports of the wrong extract -----------------------------------------------------------------


@pytest.fixture
def berlin() -> Path:
    return shared_osm(BERLIN)


@pytest.fixture
def leeds_city(city, security_officer, data_dir, leeds_pbf) -> Any:
    """Nice's network is the Leeds extract, with its suggested spaces and a space on Woodhouse Lane."""
    network = do_import_osm(city, leeds_pbf, acting_user=security_officer)
    space = do_create_space(
        city,
        acting_user=security_officer,
        name="Woodhouse Lane crossing",
        kind="square",
        polygon=box(WOODHOUSE_LON, WOODHOUSE_LAT),
    )
    return network, space


def _held_job(city: Any, user: Any, data_dir: Path, extract: Path) -> ImportJob:
    """Run a web import of `extract` as the worker does, and return its job."""
    upload = data_dir / "uploads" / str(city.pk) / f"0123-{extract.name}"
    upload.parent.mkdir(parents=True, exist_ok=True)
    upload.write_bytes(extract.read_bytes())
    job = ImportJob.objects.create(
        city=city, original_name=extract.name, upload_file=str(upload.relative_to(data_dir)), created_by=user
    )
    do_run_import_job(job.pk)
    job.refresh_from_db()
    return job


def _archive(spaces: Any) -> None:
    """Archive spaces (the field comes with the spaces app's archive; skip the test without it)."""
    if not any(f.name == "archived_at" for f in Space._meta.get_fields()):
        pytest.skip("spaces cannot be archived in this version")
    spaces.update(archived_at=timezone.now())


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _analyses_queued() -> int:
    return DBTaskResult.objects.filter(task_path=ANALYSE_CITY).count()


@pytest.mark.django_db
def test_a_reimport_of_the_same_area_activates_directly(city, security_officer, leeds_city, leeds_pbf):
    again = do_import_osm(city, leeds_pbf, acting_user=security_officer)

    assert again.is_active
    assert "fit" not in again.meta


@pytest.mark.django_db
def test_an_import_of_another_city_is_refused_by_default_and_changes_nothing(
    city, security_officer, data_dir, leeds_city, berlin
):
    leeds, woodhouse = leeds_city
    files_before = files_under(data_dir)
    spaces_before = list(Space.objects.filter(city=city).values_list("pk", "name", "source"))
    audit_before = AuditEvent.objects.count()

    with pytest.raises(ImportFitError) as refused:
        do_import_osm(city, berlin, acting_user=security_officer)

    report = refused.value.report
    assert woodhouse.pk in {s.id for s in report.outside}
    # every space of the city lies in Leeds: none is covered by Berlin
    assert len(report.outside) == report.spaces_checked == len(spaces_before)
    assert all(900_000 < s.distance_m < 1_300_000 for s in report.outside)
    assert (report.previous_network_id, report.previous_version, report.overlaps_previous) == (
        leeds.pk,
        1,
        False,
    )
    assert "spaces lie outside the extract" in str(refused.value)
    assert list(StreetNetwork.objects.filter(city=city)) == [leeds]
    assert list(Space.objects.filter(city=city).values_list("pk", "name", "source")) == spaces_before
    assert AuditEvent.objects.count() == audit_before
    assert files_under(data_dir) == files_before


@pytest.mark.django_db
def test_an_import_accepted_outside_is_activated_and_keeps_its_report(
    city, security_officer, leeds_city, berlin
):
    network = do_import_osm(city, berlin, acting_user=security_officer, if_outside=IfOutside.ACTIVATE)

    assert network.is_active
    assert network.meta["fit"]["overlaps_previous"] is False
    audit = AuditEvent.objects.get(action="import", object_id=str(network.pk))
    assert leeds_city[1].pk in audit.detail["spaces_outside"]


@pytest.mark.django_db
def test_without_spaces_an_extract_far_from_the_previous_network_is_still_held(
    city, security_officer, data_dir, leeds_city, berlin
):
    _archive(Space.objects.filter(city=city))  # archived spaces are not checked

    job = _held_job(city, security_officer, data_dir, berlin)

    assert job.status == ImportStatus.HELD
    assert job.fit["outside"] == []
    assert job.fit["spaces_checked"] == 0
    assert job.fit["overlaps_previous"] is False


@pytest.mark.django_db
def test_a_first_import_activates_unless_spaces_drawn_before_lie_outside(
    other_city, security_officer, data_dir, berlin
):
    drawn = do_create_space(
        other_city,
        acting_user=None,
        name="Drawn first",
        kind="square",
        polygon=box(WOODHOUSE_LON, WOODHOUSE_LAT),
    )

    with pytest.raises(ImportFitError):
        do_import_osm(other_city, berlin, acting_user=None)
    _archive(Space.objects.filter(pk=drawn.pk))
    network = do_import_osm(other_city, berlin, acting_user=None)

    assert network.is_active


@pytest.mark.django_db
def test_a_web_import_of_another_city_is_held_with_the_spaces_outside_and_nothing_analysed(
    city, security_officer, data_dir, leeds_city, berlin, django_capture_on_commit_callbacks
):
    leeds, woodhouse = leeds_city
    suggested_before = Space.objects.filter(city=city, source="suggested").count()
    queued_before = _analyses_queued()

    with django_capture_on_commit_callbacks(execute=True):
        job = _held_job(city, security_officer, data_dir, berlin)

    assert job.status == ImportStatus.HELD
    assert job.shown_status == "held"
    assert not job.is_finished
    assert job.shown_message == "Waiting for confirmation: version 2 is not activated yet"
    held = job.network
    assert held is not None
    assert (held.version, held.is_active) == (2, False)
    assert held.meta["fit"] == job.fit
    outside = {s["id"]: s for s in job.fit["outside"]}
    assert outside[woodhouse.pk]["name"] == "Woodhouse Lane crossing"
    assert 900_000 < outside[woodhouse.pk]["distance_m"] < 1_300_000
    assert job.fit["previous_network_id"] == leeds.pk
    leeds.refresh_from_db()
    assert leeds.is_active
    # the suggested spaces of Berlin wait with the held version; nothing was analysed on it
    assert Space.objects.filter(city=city, source="suggested").count() == suggested_before
    assert _analyses_queued() == queued_before
    assert held.graph_path.exists()
    assert held.basemap_path.exists()
    assert held_suggestions_path(held).exists()
    assert job.upload_file == ""
    assert AuditEvent.objects.filter(action="import", object_id=str(held.pk), detail__held=True).exists()


@pytest.mark.django_db
def test_held_import_files_survive_the_orphan_sweep(city, security_officer, data_dir, leeds_city, berlin):
    job = _held_job(city, security_officer, data_dir, berlin)
    held = job.network
    assert held is not None

    do_sweep_orphan_files(max_age_s=0)

    assert held.graph_path.exists()
    assert held.basemap_path.exists()
    assert held_suggestions_path(held).exists()


# --- activate and cancel, from the job page ------------------------------------------------------


@pytest.mark.django_db
def test_job_page_warns_with_the_spaces_outside_and_offers_activate_and_cancel(
    city, security_officer, data_dir, leeds_city, berlin
):
    job = _held_job(city, security_officer, data_dir, berlin)
    woodhouse = leeds_city[1]

    html = _client(security_officer).get(reverse("streets:job", args=[job.pk])).content.decode()

    n = len(job.fit["outside"])
    assert f"No street of this extract reaches {n} of the city's spaces, so they cannot be analysed" in html
    assert f'<a href="{reverse("spaces:detail", args=[woodhouse.pk])}">Woodhouse Lane crossing</a>' in html
    assert "km from the nearest street of the extract" in html
    assert "does not overlap the area of the street network in use (version 1)" in html
    assert f'action="{reverse("streets:job-activate", args=[job.pk])}"' in html
    assert f'action="{reverse("streets:job-cancel", args=[job.pk])}"' in html
    assert 'data-status="held"' in html
    assert "csrfmiddlewaretoken" in html


@pytest.mark.django_db
def test_job_page_shows_a_viewer_the_warning_without_the_buttons(
    city, security_officer, viewer, data_dir, leeds_city, berlin
):
    job = _held_job(city, security_officer, data_dir, berlin)

    html = _client(viewer).get(reverse("streets:job", args=[job.pk])).content.decode()

    assert "This extract does not fit the city" in html
    assert "Activate anyway" not in html
    assert "A security manager or an administrator of the city can activate or cancel it." in html


@pytest.mark.django_db
def test_job_status_says_held_so_the_page_stops_polling(city, security_officer, data_dir, leeds_city, berlin):
    job = _held_job(city, security_officer, data_dir, berlin)

    status = _client(security_officer).get(reverse("streets:job-status", args=[job.pk])).json()

    assert (status["status"], status["held"], status["finished"]) == ("held", True, False)


@pytest.mark.django_db
def test_versions_page_marks_the_held_version_as_waiting(
    city, security_officer, data_dir, leeds_city, berlin
):
    job = _held_job(city, security_officer, data_dir, berlin)

    html = _client(security_officer).get(reverse("streets:list")).content.decode()

    assert f'href="{reverse("streets:job", args=[job.pk])}">waiting for confirmation</a>' in html


@pytest.mark.django_db
def test_activate_makes_the_held_version_active_as_an_import_does_and_queues_the_analyses(
    city, security_officer, data_dir, leeds_city, berlin, django_capture_on_commit_callbacks
):
    leeds, _woodhouse = leeds_city
    job = _held_job(city, security_officer, data_dir, berlin)
    held = job.network
    assert held is not None
    queued_before = _analyses_queued()

    with django_capture_on_commit_callbacks(execute=True):
        response = _client(security_officer).post(reverse("streets:job-activate", args=[job.pk]), follow=True)

    assert response.redirect_chain == [(reverse("streets:job", args=[job.pk]), 302)]
    assert "Version 2 is now the active street network; its analyses are queued." in response.content.decode()
    held.refresh_from_db()
    leeds.refresh_from_db()
    assert (held.is_active, leeds.is_active) == (True, False)
    job.refresh_from_db()
    assert job.status == ImportStatus.SUCCEEDED
    assert job.shown_message == "Imported as version 2"
    assert job.fit  # the record of what was confirmed stays
    # Berlin's suggested spaces are synced, the Leeds ones flagged as no longer in the import
    assert Space.objects.filter(city=city, source="suggested", network_version=2).exists()
    assert not Space.objects.filter(
        city=city, source="suggested", network_version=1, in_latest_import=True
    ).exists()
    assert _analyses_queued() == queued_before + 1
    audit = AuditEvent.objects.get(
        action="import", object_id=str(held.pk), detail__confirmed_held_import=job.pk
    )
    assert audit.username == "security_officer"
    assert audit.detail["previous_version"] == 1
    assert not held_suggestions_path(held).exists()
    assert held.graph_path.exists()


@pytest.mark.django_db
def test_a_second_activate_is_refused_and_changes_nothing(
    city, security_officer, data_dir, leeds_city, berlin
):
    job = _held_job(city, security_officer, data_dir, berlin)
    client = _client(security_officer)
    client.post(reverse("streets:job-activate", args=[job.pk]))
    audit_count = AuditEvent.objects.count()

    response = client.post(reverse("streets:job-activate", args=[job.pk]), follow=True)

    assert "no longer waiting for confirmation" in response.content.decode()
    assert AuditEvent.objects.count() == audit_count
    assert StreetNetwork.objects.get(city=city, is_active=True).version == 2


@pytest.mark.django_db
def test_cancel_deletes_the_held_version_and_its_files_and_keeps_the_network_in_use(
    city, security_officer, data_dir, leeds_city, berlin, django_capture_on_commit_callbacks
):
    leeds, _woodhouse = leeds_city
    files_before = files_under(data_dir)
    job = _held_job(city, security_officer, data_dir, berlin)
    held = job.network
    assert held is not None
    assert files_under(data_dir) > files_before
    client = _client(security_officer)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("streets:job-cancel", args=[job.pk]), follow=True)

    assert "Import cancelled: the street network in use did not change." in response.content.decode()
    job.refresh_from_db()
    assert (job.status, job.network) == (ImportStatus.CANCELLED, None)
    assert job.is_finished
    assert not StreetNetwork.objects.filter(pk=held.pk).exists()
    assert list(StreetNetwork.objects.filter(city=city)) == [leeds]
    assert files_under(data_dir) == files_before
    audit = AuditEvent.objects.get(action="import", object_id=str(job.pk), detail__cancelled=True)
    assert (audit.username, audit.detail["version"]) == ("security_officer", 2)
    # a second click finds nothing to cancel
    again = client.post(reverse("streets:job-cancel", args=[job.pk]), follow=True)
    assert "no longer waiting for confirmation" in again.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["viewer", "planner"])
@pytest.mark.parametrize("action", ["streets:job-activate", "streets:job-cancel"])
def test_only_importers_may_activate_or_cancel(
    request, city, security_officer, data_dir, leeds_city, berlin, role, action
):
    job = _held_job(city, security_officer, data_dir, berlin)
    user = request.getfixturevalue(role)

    response = _client(user).post(reverse(action, args=[job.pk]))

    assert response.status_code == 403
    job.refresh_from_db()
    assert job.status == ImportStatus.HELD
    assert StreetNetwork.objects.get(city=city, is_active=True).version == 1


@pytest.mark.django_db
def test_activate_and_cancel_need_a_post(city, security_officer, data_dir, leeds_city, berlin):
    job = _held_job(city, security_officer, data_dir, berlin)
    client = _client(security_officer)

    assert client.get(reverse("streets:job-activate", args=[job.pk])).status_code == 405
    assert client.get(reverse("streets:job-cancel", args=[job.pk])).status_code == 405


@pytest.mark.django_db
def test_a_held_import_cannot_be_activated_once_a_newer_network_is_active(
    city, security_officer, data_dir, leeds_city, leeds_pbf, berlin
):
    job = _held_job(city, security_officer, data_dir, berlin)
    newer = do_import_osm(city, leeds_pbf, acting_user=security_officer)  # fits: active as version 3

    html = _client(security_officer).get(reverse("streets:job", args=[job.pk])).content.decode()
    assert "Version 3 became the active street network after this import was held" in html
    assert "Activate anyway" not in html
    with pytest.raises(ValueError, match="Version 3 became the active street network"):
        do_activate_held_import(job, acting_user=security_officer)

    job.refresh_from_db()
    assert job.status == ImportStatus.HELD
    assert StreetNetwork.objects.get(city=city, is_active=True) == newer
    # it can still be cancelled
    do_cancel_held_import(job, acting_user=security_officer)
    assert StreetNetwork.objects.filter(city=city).count() == 2


@pytest.mark.django_db
def test_a_held_import_whose_files_are_gone_is_not_activated(
    city, security_officer, data_dir, leeds_city, berlin
):
    job = _held_job(city, security_officer, data_dir, berlin)
    assert job.network is not None
    held_suggestions_path(job.network).unlink()

    with pytest.raises(ValueError, match="no longer on the server"):
        do_activate_held_import(job, acting_user=security_officer)

    assert StreetNetwork.objects.get(city=city, is_active=True).version == 1


@pytest.mark.django_db
def test_the_warning_speaks_the_language_of_the_page(city, security_officer, data_dir, leeds_city, berlin):
    job = _held_job(city, security_officer, data_dir, berlin)

    html = _client(security_officer).get(f"/it/streets/jobs/{job.pk}/").content.decode()

    n = len(job.fit["outside"])
    assert (
        f"Nessuna strada di questo estratto raggiunge {n} degli spazi della città, "
        "che quindi non possono essere analizzati:"
    ) in html
    assert "Attiva comunque" in html
    assert "In attesa di conferma: la versione 2 non è ancora attivata" in html
