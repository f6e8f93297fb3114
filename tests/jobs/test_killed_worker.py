"""A worker killed outright mid-job: another worker runs the job again (real processes, real database)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TABLE = "django_tasks_database_dbtaskresult"


def _env(tmp_path: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PACTESUR_", "DJANGO_", "DATABASE_URL"))
    }
    return {
        **env,
        "PACTESUR_DATA_DIR": str(tmp_path / "data"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "pactesur.web.settings",
        "PACTESUR_JOB_LOST_AFTER_S": "2",
    }


def _worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "pactesur.cli", "manage", "db_worker", "--no-reload"]
    command += ["--interval", "0.2", "--no-startup-delay"]
    with log.open("ab") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603


def _task(db: Path) -> tuple[str, str, str]:
    with sqlite3.connect(db) as conn:
        row = conn.execute(f"SELECT status, worker_ids, return_value FROM {TABLE}").fetchone()  # noqa: S608
    return row[0], row[1], row[2]


def _wait(predicate, timeout_s: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_a_job_whose_worker_was_killed_is_run_again_by_another_worker(tmp_path: Path) -> None:
    env = _env(tmp_path)
    db = tmp_path / "db.sqlite3"
    log = tmp_path / "workers.log"
    marker = tmp_path / "started"
    subprocess.run(
        [sys.executable, "-m", "pactesur.cli", "manage", "migrate", "--verbosity", "0"],
        cwd=REPO, env=env, check=True, timeout=180,
    )  # fmt: skip
    enqueue = (
        "import django; django.setup(); from tests.jobs.slow_tasks import slow_once; "
        f"slow_once.enqueue({str(marker)!r})"
    )
    subprocess.run([sys.executable, "-c", enqueue], cwd=REPO, env=env, check=True, timeout=120)  # noqa: S603

    first = _worker(env, log)
    try:
        assert _wait(marker.exists, 90), log.read_text()
        assert _task(db)[0] == "RUNNING"
        first.send_signal(signal.SIGKILL)  # out of memory, kill -9, a machine stopped
        first.wait(timeout=10)
        time.sleep(0.5)
        assert _task(db)[0] == "RUNNING"  # what django-tasks alone would keep for ever
    finally:
        if first.poll() is None:
            first.kill()

    second = _worker(env, log)
    try:
        assert _wait(lambda: _task(db)[0] == "SUCCESSFUL", 90), (_task(db), log.read_text())
        _status, workers, value = _task(db)
        assert value == '"run again"'
        assert workers.count(",") == 1  # two workers claimed it: the killed one and this one
        assert "lost with worker" in log.read_text()
    finally:
        second.terminate()
        second.wait(timeout=30)
