"""Background tasks of the streets app, run by django-tasks workers (`pactesur serve` starts one)."""

from __future__ import annotations

from django_tasks import task

from pactesur.streets.actions import do_run_import_job


@task()
def run_import_job(job_id: int) -> str:
    """Import the OSM file of one queued `ImportJob`; the job row carries progress and outcome."""
    job = do_run_import_job(job_id)
    return str(job.status)
