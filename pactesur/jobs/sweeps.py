"""Lost jobs and orphan files: what a killed worker leaves behind, found and dealt with promptly.

django-tasks' database backend marks a task RUNNING when a worker claims it and never looks at it
again: a worker killed mid-job (out of memory, `kill -9`, a machine stopped) leaves the row
RUNNING for ever and the job never runs. Here every worker writes a heartbeat (`WorkerBeat`)
every `beat_interval_s()`; a RUNNING task whose worker has been silent for `lost_after()` is
*lost*. A lost task is queued again once (`MAX_ATTEMPTS`: a second worker lost on the same job
is taken as the job killing it, a file exhausting memory for instance) and then failed with a
message; the app whose rows the job was filling is told (`LOST_HANDLERS`), so that an import or
an analysis never stays "running" on a page. The same sweep removes the temporary and orphan
files of imports (`pactesur.streets.actions.do_sweep_orphan_files`) and of prepared reports
(`pactesur.reports.actions.do_sweep_orphan_report_files`), and once an hour the sweep sends
the reminders of assessments overdue for review (no cron needed).

Every worker runs the sweep when it starts and every `SWEEP_EVERY_S` (`management/commands/
db_worker.py`): no cron is needed, and several workers sweeping at once change each row once.
"""

from __future__ import annotations

import datetime
import logging
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from pactesur.jobs.models import WorkerBeat

logger = logging.getLogger(__name__)

# A job is run at most this many times by workers that were lost on it.
MAX_ATTEMPTS = 2
# How often a worker sweeps, at most (assumption: a lost job waits at most this long beyond
# `lost_after`); more often when `lost_after` is shorter (`sweep_every_s`).
SWEEP_EVERY_S = 30.0
# How often each worker sends the reminders of overdue assessments (at most one e-mail per person
# per city a day whatever the number of workers: `do_send_assessment_reminders`).
REMINDERS_EVERY_S = 3600.0
_last_reminders_at = 0.0
# Heartbeats older than this are deleted (a worker that stopped long ago).
FORGET_BEATS_AFTER = datetime.timedelta(days=1)

# task path → the function (dotted path) told that its job was lost: called with the task's
# args and kwargs and `retried` (True: queued again; False: failed for good).
LOST_HANDLERS: dict[str, str] = {
    "pactesur.streets.tasks.run_import_job": "pactesur.streets.actions.do_handle_lost_import",
    "pactesur.analysis.tasks.analyse_space": "pactesur.analysis.actions.do_handle_lost_space_analysis",
    "pactesur.analysis.tasks.analyse_city": "pactesur.analysis.actions.do_handle_lost_city_analysis",
    "pactesur.reports.tasks.prepare_protection_plan": "pactesur.reports.actions.do_handle_lost_report",
    "pactesur.measures.tasks.compute_plan": "pactesur.measures.actions.do_handle_lost_plan",
}
LOST_MESSAGE = (
    "The worker running this job stopped {attempts} times without finishing it (killed, out of "
    "memory, or its machine stopped); it is not retried again."
)


class WorkerLostError(Exception):
    """The exception class recorded on a task failed because its workers were lost."""


def lost_after() -> datetime.timedelta:
    """How long a worker may stay silent before its running job counts as lost."""
    return datetime.timedelta(seconds=float(settings.PACTESUR_JOB_LOST_AFTER_S))


def beat_interval_s() -> float:
    """How often a worker writes its heartbeat: a sixth of `lost_after`, so a few missed beats are fine."""
    return max(0.2, lost_after().total_seconds() / 6.0)


def sweep_every_s() -> float:
    return min(SWEEP_EVERY_S, lost_after().total_seconds() / 2.0)


def do_beat(worker_id: str, started_at: datetime.datetime) -> None:
    """Record that this worker process is alive now."""
    WorkerBeat.objects.update_or_create(
        worker_id=worker_id[:64],
        defaults={
            "host": socket.gethostname()[:255],
            "pid": os.getpid(),
            "started_at": started_at,
            "seen_at": timezone.now(),
        },
    )


def do_forget_worker(worker_id: str) -> None:
    """A worker stopping in order removes its heartbeat: its jobs are finished."""
    WorkerBeat.objects.filter(worker_id=worker_id[:64]).delete()


@dataclass
class SweepStats:
    retried: int = 0
    failed: int = 0
    files: int = 0
    reminders: int = 0


def do_sweep(now: datetime.datetime | None = None) -> SweepStats:
    """Retry or fail the lost jobs, remove orphan files, send the day's reminders; return what was done."""
    global _last_reminders_at  # noqa: PLW0603 (one clock per worker process)
    from pactesur.assessments.actions import do_send_assessment_reminders
    from pactesur.reports.actions import do_sweep_orphan_report_files
    from pactesur.streets.actions import do_sweep_orphan_files

    stats = do_sweep_lost_tasks(now)
    stats.files = do_sweep_orphan_files() + do_sweep_orphan_report_files()
    WorkerBeat.objects.filter(seen_at__lt=(now or timezone.now()) - FORGET_BEATS_AFTER).delete()
    if time.monotonic() - _last_reminders_at >= REMINDERS_EVERY_S or _last_reminders_at == 0.0:
        _last_reminders_at = time.monotonic()
        stats.reminders = do_send_assessment_reminders().emails
    return stats


def do_sweep_lost_tasks(now: datetime.datetime | None = None) -> SweepStats:
    """Queue again, or fail after `MAX_ATTEMPTS`, the running tasks whose worker is silent."""
    now = now or timezone.now()
    cutoff = now - lost_after()
    alive = set(WorkerBeat.objects.filter(seen_at__gte=cutoff).values_list("worker_id", flat=True))
    stats = SweepStats()
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=cutoff)
    for result in running:
        worker = result.worker_ids[-1][:64] if result.worker_ids else ""
        if worker in alive:
            continue
        attempts = len(result.worker_ids)
        retried = attempts < MAX_ATTEMPTS
        with transaction.atomic():
            # only if no other sweep or worker changed it since it was read
            still = DBTaskResult.objects.filter(
                pk=result.pk, status=TaskResultStatus.RUNNING, started_at=result.started_at
            )
            if retried:
                changed = still.update(status=TaskResultStatus.READY, run_after=now)
            else:
                changed = still.update(
                    status=TaskResultStatus.FAILED,
                    finished_at=now,
                    return_value=None,
                    exception_class_path=f"{WorkerLostError.__module__}.{WorkerLostError.__qualname__}",
                    traceback=LOST_MESSAGE.format(attempts=attempts),
                )
            if not changed:
                continue
            _tell_app(result, retried=retried)
        if retried:
            stats.retried += 1
        else:
            stats.failed += 1
        logger.warning(
            "task %s (%s) lost with worker %s: %s",
            result.pk,
            result.task_path,
            worker or "?",
            "queued again" if retried else f"failed after {attempts} attempts",
        )
    return stats


def _tell_app(result: DBTaskResult[Any, Any], *, retried: bool) -> None:
    handler_path = LOST_HANDLERS.get(result.task_path)
    if handler_path is None:
        return
    handler: Callable[..., Any] = import_string(handler_path)
    stored = result.args_kwargs or {}
    handler(*stored.get("args", []), retried=retried, **stored.get("kwargs", {}))
