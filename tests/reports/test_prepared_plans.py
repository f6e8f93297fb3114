"""The local protection plan prepared in the background: asked for on its page, made by the task into
the data directory, listed with its status (and the page's JSON), downloaded as an audited export
watermarked with who asked; a plan that cannot be made fails with a message and leaves no file, a
lost one is failed by the sweep, old ones and orphan files go."""

from __future__ import annotations

import datetime
import os
import re
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import formats, timezone, translation
from django_tasks_db.models import DBTaskResult

from pactesur.audit.models import AuditAction, AuditEvent
from pactesur.cities.time_zones import city_zone
from pactesur.jobs.sweeps import do_sweep, do_sweep_lost_tasks
from pactesur.reports.actions import LOST_ERROR, do_request_protection_plan, do_sweep_orphan_report_files
from pactesur.reports.models import KEPT_PER_CITY, ReportFile, ReportStatus
from pactesur.reports.tasks import prepare_protection_plan
from pactesur.streets.models import StreetNetwork
from tests.auth_support import confirm_password
from tests.reports.helpers import ask_for_plan, download, pages, prepare
from tests.spaces.helpers import make_space

pytestmark = pytest.mark.django_db

PAGE = "/reports/"


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def _status(client) -> dict:  # type: ignore[no-untyped-def,type-arg]
    response = client.get("/reports/status.json")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    return response.json()  # type: ignore[no-any-return]


# --- asking, preparing, downloading ---------------------------------------------------------------


def test_a_plan_asked_for_is_prepared_by_the_task_and_downloaded_watermarked_with_who_asked(
    client, city, security_officer, city_admin, data_dir
) -> None:  # type: ignore[no-untyped-def]
    make_space(city, None, name="Place Masséna")

    report = ask_for_plan(client, security_officer)

    assert (report.status, report.language, report.requested_by_name) == ("queued", "fr", "security_officer")
    asked = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="reports.reportfile")
    assert (asked.user, asked.detail) == (
        security_officer,
        {"what": "local protection plan", "language": "fr"},
    )
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()  # asking is not exporting

    report = prepare(report)

    assert report.file.startswith(f"reports/{city.pk}/protection-plan-")
    assert _files(data_dir) == [report.file]  # written whole: no temporary file left
    assert report.size_bytes == (data_dir / report.file).stat().st_size
    assert report.spaces == 1
    assert report.started_at is not None
    assert report.finished_at is not None
    # Another administrator of the city downloads it: the watermark still names who asked.
    client.force_login(city_admin)
    confirm_password(client)
    texts = pages(download(client, report))
    assert len(texts) == report.pages
    with translation.override("fr"):
        day = formats.date_format(timezone.localtime(report.started_at, city_zone(city)), "SHORT_DATE_FORMAT")
    for text in texts:
        assert re.search(r"DIFFUSION RESTREINTE · ?security_officer", text)
        assert "Exporté par security_officer" in text
    assert "Plan local de protection" in texts[0]
    assert "Place Masséna" in " ".join(texts)
    assert f"security_officer · {day}" in texts[0]  # and when it was prepared, in Nice's time
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert (event.user, event.city, event.object_type, event.object_id) == (
        city_admin,
        city,
        "reports.reportfile",
        str(report.pk),
    )
    assert event.detail == {"what": "local protection plan", "format": "pdf", "rows": 1}


def test_the_page_lists_the_plans_newest_first_and_says_what_the_watermark_names(
    client, city, security_officer, city_admin
) -> None:  # type: ignore[no-untyped-def]
    first = prepare(ask_for_plan(client, security_officer, language="en"))
    second = ask_for_plan(client, city_admin, language="de")

    response = client.get(PAGE)

    assert response.status_code == 200
    assert {"no-store", "private"} <= {d.strip() for d in response["Cache-Control"].split(",")}
    html = response.content.decode()
    assert "Local protection plan of Nice" in html
    assert "watermarked with the name of the person who asked for it and the time it was prepared" in html
    assert "Prepare the local protection plan" in html
    rows = re.findall(r'<tr data-plan="(\d+)" data-status="(\w+)">(.*?)</tr>', html, re.S)
    assert [(int(pk), status) for pk, status, _cells in rows] == [(second.pk, "queued"), (first.pk, "done")]
    assert "city_admin" in rows[0][2]
    assert "German" in rows[0][2]
    assert "Download" not in rows[0][2]
    assert "security_officer" in rows[1][2]
    assert "ready" in rows[1][2]
    assert f'href="/reports/{first.pk}/download.pdf"' in rows[1][2]
    assert re.search(r"\d+(\.\d)?\xa0[KM]B", rows[1][2])  # its size
    assert 'id="plans-status-data"' in html
    assert "reports/plans.js" in html
    assert "<script>" not in html.replace('<script id="plans-status-data" type="application/json">', "")


def test_the_status_says_when_the_plan_is_ready_for_the_pages_script(client, city, security_officer) -> None:  # type: ignore[no-untyped-def]
    report = ask_for_plan(client, security_officer, language="en")

    waiting = _status(client)
    assert waiting["pending"] is True
    assert waiting["plans"] == [
        {
            "id": report.pk,
            "status": "queued",
            "status_text": "queued",
            "size": "",
            "pages": None,
            "download_url": "",
        }
    ]

    prepare(report)

    ready = _status(client)
    assert ready["pending"] is False
    (plan,) = ready["plans"]
    assert (plan["status"], plan["status_text"]) == ("done", "ready")
    assert plan["download_url"] == f"/reports/{report.pk}/download.pdf"
    assert plan["pages"] >= 8
    assert plan["size"].endswith("KB")


def test_a_plan_waiting_long_for_a_worker_says_so(client, city, security_officer) -> None:  # type: ignore[no-untyped-def]
    report = ask_for_plan(client, security_officer)
    ReportFile.objects.filter(pk=report.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=5))

    (plan,) = _status(client)["plans"]

    assert "Still waiting for a worker" in plan["status_text"]


def test_asking_again_while_the_plan_is_prepared_queues_it_once(client, city, security_officer) -> None:  # type: ignore[no-untyped-def]
    first = ask_for_plan(client, security_officer, language="en")
    again = ask_for_plan(client, security_officer, language="en")
    other_language = ask_for_plan(client, security_officer, language="it")

    assert again.pk != other_language.pk
    assert ReportFile.objects.filter(requested_by=security_officer, language="en").get() == first
    assert ReportFile.objects.count() == 2


def test_an_unknown_language_is_refused_on_the_page(client, city, security_officer) -> None:  # type: ignore[no-untyped-def]
    client.force_login(security_officer)
    confirm_password(client)

    response = client.post(PAGE, {"language": "fi"})

    assert response.status_code == 200
    assert 'id="error-summary"' in response.content.decode()
    assert not ReportFile.objects.exists()


def test_the_old_direct_download_is_gone(client, city, security_officer) -> None:  # type: ignore[no-untyped-def]
    client.force_login(security_officer)
    confirm_password(client)

    assert client.get("/reports/protection-plan.pdf").status_code == 404


# --- who may download -----------------------------------------------------------------------------


def test_another_citys_administrator_gets_404_and_a_planner_403_for_a_plan(
    client, city, security_officer, planner, other_city_admin
) -> None:  # type: ignore[no-untyped-def]
    report = prepare(ask_for_plan(client, security_officer))

    for user, status in ((other_city_admin, 404), (planner, 403)):
        client.force_login(user)
        confirm_password(client)
        assert client.get(f"/reports/{report.pk}/download.pdf").status_code == status
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_a_plan_whose_file_is_gone_is_404_and_not_audited(client, city, security_officer, data_dir) -> None:  # type: ignore[no-untyped-def]
    report = prepare(ask_for_plan(client, security_officer))
    (data_dir / report.file).unlink()

    assert client.get(f"/reports/{report.pk}/download.pdf").status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_a_plan_not_ready_yet_is_404(client, city, security_officer) -> None:  # type: ignore[no-untyped-def]
    report = ask_for_plan(client, security_officer)

    assert client.get(f"/reports/{report.pk}/download.pdf").status_code == 404


# --- failures -------------------------------------------------------------------------------------


def test_a_plan_that_cannot_be_written_fails_with_a_message_and_leaves_no_file(
    client, city, security_officer, data_dir
) -> None:  # type: ignore[no-untyped-def]
    # The plans' folder cannot be made: a file stands where it should be.
    (data_dir / "reports").write_text("not a folder")
    report = ask_for_plan(client, security_officer, language="en")

    prepare_protection_plan.call(report.pk)

    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    assert report.file == ""
    assert report.finished_at is not None
    assert _files(data_dir) == ["reports"]
    (plan,) = _status(client)["plans"]
    assert plan["status_text"].startswith("failed: The plan could not be written on the server (")
    assert "check the data directory" in plan["status_text"]
    assert plan["download_url"] == ""


def test_a_plan_whose_base_map_is_damaged_fails_and_the_error_goes_to_the_worker_log(
    client, city, security_officer, analysed, data_dir
) -> None:  # type: ignore[no-untyped-def]
    network = StreetNetwork.objects.get(city=city, is_active=True)
    network.basemap_path.write_bytes(b"not gzip")
    before = _files(data_dir)
    report = ask_for_plan(client, security_officer, language="en")

    with pytest.raises(OSError, match="gzip"):
        prepare_protection_plan.call(report.pk)

    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    assert report.shown_error.startswith(
        "The plan could not be prepared because of an internal error (BadGzipFile)"
    )
    assert _files(data_dir) == before  # nothing written


def test_a_lost_plan_is_queued_again_once_then_failed_by_the_sweep(
    client, city, security_officer, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        report, _new = do_request_protection_plan(city, acting_user=security_officer)
    report.refresh_from_db()
    task = DBTaskResult.objects.get(pk=report.task_id)
    assert task.task_path == "pactesur.reports.tasks.prepare_protection_plan"

    for attempt, worker in enumerate(("dead-1", "dead-2"), start=1):
        # A worker claims the task, starts the plan and dies five minutes ago.
        task.claim(worker)
        DBTaskResult.objects.filter(pk=task.pk).update(
            started_at=timezone.now() - datetime.timedelta(minutes=5)
        )
        ReportFile.objects.filter(pk=report.pk).update(status=ReportStatus.RUNNING, started_at=timezone.now())

        stats = do_sweep_lost_tasks()

        task.refresh_from_db()
        report.refresh_from_db()
        if attempt == 1:
            assert (stats.retried, stats.failed) == (1, 0)
            assert (task.status, report.status) == ("READY", ReportStatus.QUEUED)
    assert (stats.retried, stats.failed) == (0, 1)
    assert (task.status, report.status) == ("FAILED", ReportStatus.FAILED)
    assert report.error == LOST_ERROR
    client.force_login(security_officer)
    (plan,) = _status(client)["plans"]
    assert plan["status_text"] == f"failed: {LOST_ERROR}"


# --- old plans and orphan files -------------------------------------------------------------------


def _old_plan(city, data_dir: Path, days_ago: int, status: str = ReportStatus.DONE) -> ReportFile:  # type: ignore[no-untyped-def]
    report = ReportFile.objects.create(
        city=city,
        requested_by_name="someone",
        language="fr",
        status=status,
        created_at=timezone.now() - datetime.timedelta(days=days_ago),
    )
    if status == ReportStatus.DONE:
        relative = f"reports/{city.pk}/old-{days_ago}.pdf"
        (data_dir / relative).parent.mkdir(parents=True, exist_ok=True)
        (data_dir / relative).write_bytes(b"%PDF old")
        ReportFile.objects.filter(pk=report.pk).update(file=relative)
        report.refresh_from_db()
    return report


def test_a_new_plan_ready_removes_the_older_ones_beyond_five(
    client, city, other_city, security_officer, data_dir, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    old = [_old_plan(city, data_dir, days) for days in range(1, KEPT_PER_CITY + 1)]
    failed = [_old_plan(city, data_dir, days, ReportStatus.FAILED) for days in range(1, KEPT_PER_CITY + 2)]
    elsewhere = _old_plan(other_city, data_dir, 30)
    report = ask_for_plan(client, security_officer)

    with django_capture_on_commit_callbacks(execute=True):
        prepare(report)

    kept = list(ReportFile.objects.filter(city=city, status=ReportStatus.DONE).order_by("-created_at"))
    assert kept == [report, *old[: KEPT_PER_CITY - 1]]
    assert not (data_dir / old[-1].file).exists()
    assert not ReportFile.objects.filter(pk=old[-1].pk).exists()
    assert (
        list(ReportFile.objects.filter(city=city, status=ReportStatus.FAILED).order_by("-created_at"))
        == (failed[:KEPT_PER_CITY])
    )
    assert ReportFile.objects.filter(pk=elsewhere.pk).exists()
    assert (data_dir / elsewhere.file).exists()


def test_the_sweep_removes_old_report_files_no_plan_names(city, data_dir) -> None:  # type: ignore[no-untyped-def]
    named = _old_plan(city, data_dir, 2)
    folder = data_dir / "reports" / str(city.pk)
    orphan = folder / "protection-plan-orphan.pdf"
    partial = folder / ".partial-protection-plan-x.pdf"
    young = folder / "protection-plan-young.pdf"
    for path in (orphan, partial, young):
        path.write_bytes(b"%PDF")
    long_ago = time.time() - 2 * 3600
    for path in (orphan, partial, data_dir / named.file):
        os.utime(path, (long_ago, long_ago))

    stats = do_sweep()

    assert stats.files == 2
    assert _files(data_dir) == sorted([named.file, str(young.relative_to(data_dir))])
    assert do_sweep_orphan_report_files(max_age_s=0) == 1  # the young orphan, once old enough


# --- a real worker --------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_prepares_the_plan_asked_for_on_the_page(
    client, city, security_officer, data_dir
):  # type: ignore[no-untyped-def]
    make_space(city, None, name="Cours Saleya")
    report = ask_for_plan(client, security_officer, language="en")  # commits: the task is queued
    assert DBTaskResult.objects.get().task_path == "pactesur.reports.tasks.prepare_protection_plan"

    call_command("db_worker", batch=True, reload=False, startup_delay=False, interval=0, verbosity=0)

    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE
    text = " ".join(pages(download(client, report)))
    assert "Cours Saleya" in text
    assert re.search(r"RESTRICTED · ?security_officer", text)


def test_the_json_status_of_a_row_matches_what_the_page_shows(client, city, security_officer) -> None:  # type: ignore[no-untyped-def]
    report = prepare(ask_for_plan(client, security_officer, language="en"))

    html = client.get(PAGE).content.decode()
    (plan,) = _status(client)["plans"]

    assert f'<td class="num" data-field="size">{plan["size"]}</td>' in html
    assert f'<td class="num" data-field="pages">{report.pages}</td>' in html
    assert f'<td data-field="status">{plan["status_text"]}</td>' in html
