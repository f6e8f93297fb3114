"""An import reports its progress phase by phase, and its job page goes through every phase."""

from __future__ import annotations

import pytest
from django.urls import reverse

from pactesur.cities.stored_text import StoredText
from pactesur.streets.actions import PhaseMessage, _JobProgress, do_import_osm
from pactesur.streets.models import IMPORT_PHASES, PHASES_BY_KEY, ImportJob, ImportStatus
from tests.streets.factories import ImportJobFactory

pytestmark = pytest.mark.django_db

PHASE_ORDER = [phase.key for phase in IMPORT_PHASES]


def test_an_import_reports_every_phase_in_order_within_its_share_of_the_bar(
    city, security_officer, data_dir, leeds_pbf
):
    seen: list[tuple[float, str]] = []

    do_import_osm(
        city,
        leeds_pbf,
        acting_user=security_officer,
        progress=lambda fraction, message: seen.append((fraction, getattr(message, "phase", ""))),
    )

    phases = [phase for _fraction, phase in seen]
    assert "" not in phases  # every report says its phase
    assert list(dict.fromkeys(phases)) == PHASE_ORDER
    for fraction, phase in seen:
        share = PHASES_BY_KEY[phase]
        assert share.start <= fraction <= share.end, (phase, fraction)
    assert [f for f, _phase in seen] == sorted(f for f, _phase in seen)
    assert seen[-1][0] == 1.0


def test_the_job_row_takes_the_first_report_of_every_phase_however_fast_they_come(city):
    """A small extract goes through all its phases in half a second: each one still reaches the page."""
    job = ImportJob.objects.create(city=city, original_name="a.osm", status=ImportStatus.RUNNING)
    report = _JobProgress(job.pk)
    stored: list[tuple[str, float, str]] = []

    for phase in IMPORT_PHASES:
        report(phase.start, PhaseMessage(phase.key, "Reading the OSM file"))
        job.refresh_from_db()
        stored.append((job.phase, job.progress, job.message))

    assert [phase for phase, _progress, _message in stored] == PHASE_ORDER
    assert [progress for _phase, progress, _message in stored] == [p.start for p in IMPORT_PHASES]


def test_reports_within_one_phase_are_written_at_most_every_half_second(city):
    job = ImportJob.objects.create(city=city, original_name="a.osm", status=ImportStatus.RUNNING)
    report = _JobProgress(job.pk)

    report(0.46, PhaseMessage("network", "Building the street network: %(step)s", {"step": "a"}))
    report(0.5, PhaseMessage("network", "Building the street network: %(step)s", {"step": "b"}))
    report(0.55, "an engine message, in the phase of the last one")

    job.refresh_from_db()
    assert (job.phase, job.progress, job.message_params) == ("network", 0.46, {"step": "a"})


def test_a_plain_message_keeps_the_phase_it_comes_in(city):
    job = ImportJob.objects.create(city=city, original_name="a.osm", status=ImportStatus.RUNNING)
    report = _JobProgress(job.pk)

    report(0.0, PhaseMessage("read", "Reading the OSM file"))
    report.last_write = 0.0  # as if half a second had passed
    report(0.2, StoredText("Reading the OSM file: %(step)s", {"step": "reading a.osm"}))

    job.refresh_from_db()
    assert (job.phase, job.progress) == ("read", 0.2)


def _states(client, job) -> dict[str, str]:  # type: ignore[no-untyped-def]
    status = client.get(reverse("streets:job-status", args=[job.pk])).json()
    assert status["phase"] == job.phase
    return {phase["key"]: phase["state"] for phase in status["phases"]}


@pytest.mark.parametrize(
    ("status", "phase", "expected"),
    [
        ("queued", "", ["pending"] * 7),
        ("running", "read", ["current"] + ["pending"] * 6),
        ("running", "spaces", ["done", "done", "current", "pending", "pending", "pending", "pending"]),
        ("failed", "basemap", ["done", "done", "done", "failed", "pending", "pending", "pending"]),
        ("held", "activate", ["done"] * 6 + ["pending"]),
        ("succeeded", "activate", ["done"] * 7),
    ],
)
def test_the_status_says_where_each_phase_stands(client, city, viewer, status, phase, expected):
    job = ImportJobFactory(city=city, status=status, phase=phase)
    client.force_login(viewer)

    assert _states(client, job) == dict(zip(PHASE_ORDER, expected, strict=True))


def test_the_job_page_lists_the_phases_and_marks_the_current_one(client, city, viewer):
    job = ImportJobFactory(city=city, phase="network", progress=0.5)
    client.force_login(viewer)

    html = client.get(reverse("streets:job", args=[job.pk])).content.decode()

    phases = html[html.index('<ol id="import-phases"') : html.index("</ol>")]
    assert phases.count("<li ") == len(IMPORT_PHASES)
    assert '<li data-phase="read" class="streets-phase-done">Reading the file' in phases
    assert (
        '<li data-phase="network" class="streets-phase-current" aria-current="step">'
        "Building the street network"
    ) in phases
    assert '<li data-phase="spaces" class="streets-phase-pending">Suggesting public spaces' in phases
