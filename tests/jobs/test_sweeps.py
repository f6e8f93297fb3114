"""A job whose worker was killed is queued again once, then failed with a message; orphan files go."""

from __future__ import annotations

import datetime
import os
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from pactesur.analysis.actions import WORKER_LOST_ERROR
from pactesur.analysis.models import AnalysisStatus, ApproachAnalysis
from pactesur.jobs.models import WorkerBeat
from pactesur.jobs.sweeps import MAX_ATTEMPTS, do_beat, do_sweep, do_sweep_lost_tasks
from pactesur.streets.actions import do_enqueue_import, do_sweep_orphan_files
from pactesur.streets.models import STOPPED_ERROR, ImportJob, ImportStatus

pytestmark = pytest.mark.django_db(transaction=True)


def _claimed(task_id: str, worker: str, *, minutes_ago: float) -> DBTaskResult:
    """The task as a worker left it when it died `minutes_ago`: claimed and RUNNING."""
    result = DBTaskResult.objects.get(pk=task_id)
    result.claim(worker)
    DBTaskResult.objects.filter(pk=task_id).update(
        started_at=timezone.now() - datetime.timedelta(minutes=minutes_ago)
    )
    result.refresh_from_db()
    return result


def _running_import(city, user, worker: str, minutes_ago: float = 5.0) -> tuple[ImportJob, DBTaskResult]:  # type: ignore[no-untyped-def]
    job = do_enqueue_import(city, SimpleUploadedFile("a.osm", b"<osm/>"), acting_user=user)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING, started_at=timezone.now())
    job.refresh_from_db()  # its task id is written once the upload's transaction commits
    return job, _claimed(str(job.task_id), worker, minutes_ago=minutes_ago)


def test_a_lost_import_is_queued_again_once_then_failed_with_a_message(city, security_officer, data_dir):
    job, task = _running_import(city, security_officer, "dead-1")

    stats = do_sweep_lost_tasks()
    assert (stats.retried, stats.failed) == (1, 0)
    task.refresh_from_db()
    job.refresh_from_db()
    assert task.status == "READY"
    assert job.status == ImportStatus.QUEUED  # so that the retried task imports it
    assert (data_dir / job.upload_file).exists()

    # the second worker dies on it too: the job is taken as the one killing workers
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING)
    task = _claimed(str(job.task_id), "dead-2", minutes_ago=5.0)
    assert len(task.worker_ids) == MAX_ATTEMPTS
    stats = do_sweep_lost_tasks()
    assert (stats.retried, stats.failed) == (0, 1)
    task.refresh_from_db()
    job.refresh_from_db()
    assert task.status == "FAILED"
    assert task.exception_class_path == "pactesur.jobs.sweeps.WorkerLostError"
    assert "stopped 2 times" in task.traceback
    assert job.status == ImportStatus.FAILED
    assert job.error == STOPPED_ERROR
    assert job.upload_file == ""
    assert not list((data_dir / "uploads").rglob("*.osm"))
    assert do_sweep_lost_tasks().retried == 0  # nothing left to do: a second sweep changes nothing


def test_a_job_whose_worker_beats_or_that_just_started_is_left_alone(city, security_officer, data_dir):
    _alive_job, alive = _running_import(city, security_officer, "alive")
    do_beat("alive", timezone.now())
    _young_job, young = _running_import(city, security_officer, "dead-young", minutes_ago=0.1)
    assert do_sweep_lost_tasks().retried == 0
    alive.refresh_from_db()
    young.refresh_from_db()
    assert alive.status == young.status == "RUNNING"
    # once its beat is older than PACTESUR_JOB_LOST_AFTER_S, the worker counts as lost
    WorkerBeat.objects.filter(pk="alive").update(seen_at=timezone.now() - datetime.timedelta(minutes=2))
    assert do_sweep_lost_tasks().retried == 1
    alive.refresh_from_db()
    assert alive.status == "READY"


@pytest.mark.parametrize("scope", ["space", "city"])
def test_a_lost_analysis_fails_its_running_rows_with_a_message(city, scope):  # type: ignore[no-untyped-def]
    from pactesur.analysis.tasks import analyse_city, analyse_space
    from tests.spaces.helpers import make_space
    from tests.streets.factories import StreetNetworkFactory

    network = StreetNetworkFactory(city=city)
    space = make_space(city, None)
    row = ApproachAnalysis.objects.create(
        city=city,
        space=space,
        network=network,
        network_version=network.version,
        vehicle="M1",
        status=AnalysisStatus.RUNNING,
    )
    task = analyse_space.enqueue(space.pk) if scope == "space" else analyse_city.enqueue(city.pk)
    _claimed(task.id, "dead-a", minutes_ago=5.0)
    do_sweep_lost_tasks()
    row.refresh_from_db()
    assert row.status == AnalysisStatus.RUNNING  # queued again: the retry takes the row
    _claimed(task.id, "dead-b", minutes_ago=5.0)
    do_sweep_lost_tasks()
    row.refresh_from_db()
    assert row.status == AnalysisStatus.FAILED
    assert row.error == WORKER_LOST_ERROR


def test_orphan_and_temporary_files_of_killed_imports_are_swept_once_old(city, security_officer, data_dir):
    job = do_enqueue_import(city, SimpleUploadedFile("a.osm", b"<osm/>"), acting_user=security_officer)
    networks = data_dir / "networks" / str(city.pk)
    networks.mkdir(parents=True)
    partial = networks / ".partial-abc.npz"
    orphan = networks / "v9.npz"  # written by an import killed before its row was committed
    stray_upload = data_dir / "uploads" / str(city.pk) / "killed.osm"
    for path in (partial, orphan, stray_upload):
        path.write_bytes(b"x")
    fresh = networks / "v10.npz"  # an import under way: its row is not committed yet
    fresh.write_bytes(b"x")
    old = time.time() - 7200
    for path in (partial, orphan, stray_upload, data_dir / job.upload_file):
        os.utime(path, (old, old))

    assert do_sweep_orphan_files() == 3
    assert not partial.exists()
    assert not orphan.exists()
    assert not stray_upload.exists()
    assert fresh.exists()
    assert (data_dir / job.upload_file).exists()  # its job is still queued


def test_the_sweep_forgets_workers_silent_for_a_day(db) -> None:  # type: ignore[no-untyped-def]
    do_beat("gone", timezone.now())
    do_beat("here", timezone.now())
    WorkerBeat.objects.filter(pk="gone").update(seen_at=timezone.now() - datetime.timedelta(days=2))
    do_sweep()
    assert list(WorkerBeat.objects.values_list("pk", flat=True)) == ["here"]
