"""`pactesur manage db_worker`: django-tasks' database worker, with a heartbeat and the sweeps.

It replaces django-tasks-db's command of the same name (this app comes first in INSTALLED_APPS):
a thread writes the worker's heartbeat while it runs and sweeps lost jobs and orphan files
(`pactesur.jobs.sweeps`), so that a job whose worker was killed is retried or failed promptly.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.db import DatabaseError, close_old_connections, connection
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from pactesur.jobs.sweeps import beat_interval_s, do_beat, do_forget_worker, do_sweep, sweep_every_s

logger = logging.getLogger(__name__)


class Heartbeat(threading.Thread):
    """Write the worker's heartbeat every `beat_interval_s()` and sweep every `sweep_every_s()`."""

    def __init__(self, worker_id: str) -> None:
        super().__init__(name="pactesur-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.started_at = timezone.now()
        self.stopping = threading.Event()

    def run(self) -> None:
        since_sweep = sweep_every_s()  # sweep at once: what a killed predecessor left
        try:
            while True:
                try:
                    close_old_connections()
                    do_beat(self.worker_id, self.started_at)
                    if since_sweep >= sweep_every_s():
                        since_sweep = 0.0
                        do_sweep()
                # A busy or unreachable database: try again at the next beat (the worker's own
                # loop reports a database that stays away).
                except DatabaseError as exc:
                    logger.warning("heartbeat of worker %s not written: %s", self.worker_id, exc)
                if self.stopping.wait(beat_interval_s()):
                    return
                since_sweep += beat_interval_s()
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=10.0)


class Command(DatabaseWorkerCommand):
    help = (
        "Run the database worker of django-tasks, with a heartbeat, and retry or fail the jobs of "
        "workers that were killed (pactesur.jobs)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        heartbeat = Heartbeat(str(options["worker_id"]))
        heartbeat.start()
        try:
            super().handle(*args, **options)
        finally:
            heartbeat.stop()
            try:
                do_forget_worker(heartbeat.worker_id)
            except DatabaseError:
                logger.warning("heartbeat of worker %s left behind", heartbeat.worker_id)
