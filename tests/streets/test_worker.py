"""The import runs as a django-tasks job on the database backend, picked up by `db_worker`."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from pactesur.streets.actions import do_enqueue_import
from pactesur.streets.models import ImportStatus, StreetNetwork
from tests.streets.conftest import files_under


def _run_worker_until_idle() -> None:
    call_command("db_worker", batch=True, reload=False, startup_delay=False, interval=0, verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_uploaded_extract_is_imported_by_the_database_worker(city, security_officer, data_dir, leeds_pbf):
    upload = SimpleUploadedFile("leeds.osm.pbf", leeds_pbf.read_bytes())

    job = do_enqueue_import(city, upload, acting_user=security_officer)

    job.refresh_from_db()
    assert job.status == ImportStatus.QUEUED
    assert job.task_id
    task = DBTaskResult.objects.get(pk=job.task_id)
    assert task.task_path == "pactesur.streets.tasks.run_import_job"
    assert (data_dir / job.upload_file).exists()

    _run_worker_until_idle()

    job.refresh_from_db()
    assert job.status == ImportStatus.SUCCEEDED, job.error
    assert job.progress == 1.0
    assert job.started_at is not None
    assert job.finished_at is not None
    assert job.network is not None
    assert job.network.is_active
    assert job.network.source_name == "leeds.osm.pbf"
    assert job.upload_file == ""
    assert not any(name.startswith("uploads/") for name in files_under(data_dir))
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL"


@pytest.mark.django_db(transaction=True)
def test_worker_marks_a_bad_upload_failed_and_keeps_the_active_network(
    city, security_officer, data_dir, leeds_pbf
):
    good = do_enqueue_import(
        city, SimpleUploadedFile("leeds.osm.pbf", leeds_pbf.read_bytes()), acting_user=security_officer
    )
    _run_worker_until_idle()
    good.refresh_from_db()
    files_before = {f for f in files_under(data_dir) if not f.startswith("uploads/")}

    bad = do_enqueue_import(
        city,
        SimpleUploadedFile("leeds-broken.osm.pbf", leeds_pbf.read_bytes()[:5000]),
        acting_user=security_officer,
    )
    _run_worker_until_idle()

    bad.refresh_from_db()
    assert bad.status == ImportStatus.FAILED
    assert "leeds-broken.osm.pbf" in bad.shown_error
    assert bad.network is None
    assert StreetNetwork.objects.get(city=city, is_active=True) == good.network
    assert files_under(data_dir) == files_before
    # A refused file is the user's problem, not a crash: the task itself ends normally.
    assert DBTaskResult.objects.get(pk=bad.task_id).status == "SUCCESSFUL"


@pytest.mark.django_db(transaction=True)
def test_jobs_wait_queued_until_a_worker_runs(city, security_officer, data_dir):
    job = do_enqueue_import(city, SimpleUploadedFile("a.osm", b"<osm/>"), acting_user=security_officer)
    job.refresh_from_db()
    assert job.status == ImportStatus.QUEUED
    assert DBTaskResult.objects.filter(pk=job.task_id, status="READY").exists()
