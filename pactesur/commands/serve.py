"""`pactesur serve`: the web app on gunicorn (several processes) and a background worker.

This process supervises two children: the web server (`pactesur.web.server`: gunicorn's master and
its worker processes) and Django-tasks' `db_worker`, restarted if it dies. Ctrl-C or SIGTERM stops
both: gunicorn finishes the requests under way, the worker its current task. Should this process
be killed outright (SIGKILL, the OOM killer), Linux sends each child a SIGTERM, which they asked
for when they started (PR_SET_PDEATHSIG), so no orphan keeps serving or running tasks.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType

# Threads per web server process: requests waiting on the database or the disk leave the others running.
DEFAULT_THREADS = 4
# (assumption) Above this many processes the database connections, workers × threads at most,
# approach PostgreSQL's default limit of 100, and memory grows with no gain for a city's few users.
MAX_DEFAULT_WORKERS = 8
# How long a stopping worker may take to finish its current task before it is killed.
_WORKER_STOP_TIMEOUT_S = 20.0
_WORKER_RESTART_DELAY_S = 2.0
# A margin, beyond gunicorn's own graceful timeout, for its master to collect its workers.
_WEB_STOP_MARGIN_S = 10.0
_POLL_INTERVAL_S = 0.2
# From <linux/prctl.h>.
_PR_SET_PDEATHSIG = 1


def default_workers() -> int:
    """One web server process per core this process may use, at most MAX_DEFAULT_WORKERS.

    Pages are Python work, bound by the GIL: one process per core uses the machine, and more
    would only add memory (a process shares the modules its master imported and adds about
    45 MB of its own; measured on the login page). Waits on the database are the threads' part.
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cores, MAX_DEFAULT_WORKERS))


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    parser.add_argument(
        "--workers",
        type=_positive_int,
        default=None,
        help=f"web server processes (default: one per core, at most {MAX_DEFAULT_WORKERS}; "
        f"here {default_workers()})",
    )
    parser.add_argument(
        "--threads",
        type=_positive_int,
        default=DEFAULT_THREADS,
        help=f"threads per web server process (default: {DEFAULT_THREADS})",
    )
    parser.add_argument(
        "--no-worker", action="store_true", help="do not start a background worker (workers run elsewhere)"
    )
    parser.add_argument("--migrate", action="store_true", help="apply pending database migrations first")


def worker_command() -> list[str]:
    return [sys.executable, "-m", "pactesur.cli", "manage", "db_worker", "--no-reload", "--interval", "1"]


def _die_with_parent() -> Callable[[], None] | None:
    """A `preexec_fn` making the child receive SIGTERM when this process dies; None off Linux.

    The kernel sends the signal when the thread that started the child ends: children are only
    ever started from the main thread, which ends with the process.
    """
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    # Looked up here, not in the child: between fork and exec it should do as little as it can.
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    parent_pid = os.getpid()
    death_signal = int(signal.SIGTERM)

    def set_death_signal() -> None:
        if prctl(_PR_SET_PDEATHSIG, death_signal, 0, 0, 0) != 0:
            errno = ctypes.get_errno()
            raise OSError(errno, f"prctl(PR_SET_PDEATHSIG) failed: {os.strerror(errno)}")
        if os.getppid() != parent_pid:
            # The parent died before the request took effect: no signal will ever come.
            os._exit(1)

    return set_death_signal


class ChildProcess:
    """One supervised child process: started in its own session, stopped with SIGTERM, then SIGKILL."""

    def __init__(self, name: str, argv: list[str], *, stop_timeout_s: float) -> None:
        self.name = name
        self.argv = argv
        self.stop_timeout_s = stop_timeout_s
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        # Its own session: a Ctrl-C in the terminal reaches only us, and we stop the children in order.
        self.process = subprocess.Popen(  # noqa: S603
            self.argv,
            start_new_session=True,
            preexec_fn=_die_with_parent(),  # noqa: PLW1509 (this process starts no thread)
        )
        print(f"{self.name} started (pid {self.process.pid})", file=sys.stderr)

    def exit_code(self) -> int | None:
        """The child's exit code once it has ended, else None."""
        return None if self.process is None else self.process.poll()

    def terminate(self) -> None:
        if self.exit_code() is None and self.process is not None:
            self.process.send_signal(signal.SIGTERM)

    def wait_stopped(self) -> None:
        process = self.process
        if process is None:
            return
        try:
            process.wait(timeout=self.stop_timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        print(f"{self.name} stopped", file=sys.stderr)


class _StopRequest:
    """A SIGINT/SIGTERM handler that only records the request: the main loop acts on it."""

    def __init__(self) -> None:
        self.requested = False

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        self.requested = True


def _supervise(web: ChildProcess, worker: ChildProcess | None, stop: _StopRequest) -> int:
    """Watch the children until a stop is asked for (0) or the web server ends (its exit code)."""
    worker_died_at: float | None = None
    while not stop.requested:
        code = web.exit_code()
        if code is not None:
            print(f"the web server exited with code {code}", file=sys.stderr)
            return code if code > 0 else 1
        if worker is not None:
            worker_code = worker.exit_code()
            if worker_code is not None and worker_died_at is None:
                print(f"background worker exited with code {worker_code}; restarting it", file=sys.stderr)
                worker_died_at = time.monotonic()
            if worker_died_at is not None and time.monotonic() - worker_died_at >= _WORKER_RESTART_DELAY_S:
                worker.start()
                worker_died_at = None
        time.sleep(_POLL_INTERVAL_S)
    print("\nstopping…", file=sys.stderr)
    return 0


def serve(
    host: str,
    port: int,
    *,
    workers: int | None = None,
    threads: int = DEFAULT_THREADS,
    worker: bool = True,
) -> int:
    """Serve the (already set-up) Django project until interrupted; return the exit code."""
    from django.conf import settings
    from django.db import connections

    from pactesur.web import server

    # WhiteNoise serves from the app folders (finders); an existing STATIC_ROOT keeps it from warning.
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    # The children open their own connections; this process needs none while it supervises.
    connections.close_all()

    # Explicit handlers: a server started in the background of a script inherits an ignored SIGINT.
    stop = _StopRequest()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    web = ChildProcess(
        "web server",
        server.command(host, port, workers=workers or default_workers(), threads=threads),
        stop_timeout_s=server.GRACEFUL_TIMEOUT_S + _WEB_STOP_MARGIN_S,
    )
    background = (
        ChildProcess("background worker", worker_command(), stop_timeout_s=_WORKER_STOP_TIMEOUT_S)
        if worker
        else None
    )
    children = [child for child in (web, background) if child is not None]
    try:
        for child in children:
            child.start()
        code = _supervise(web, background, stop)
    finally:
        # Both stop at once: the worker's task and gunicorn's requests end side by side.
        for child in children:
            child.terminate()
        for child in children:
            child.wait_stopped()
    return code


def run(args: argparse.Namespace) -> int:
    from pactesur.commands._database import setup_django, unapplied_migrations

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pactesur.web.settings")
    setup_django()
    missing = unapplied_migrations()
    if missing and args.migrate:
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=1)
    elif missing:
        print(
            f"error: the database lacks {len(missing)} migrations: run `pactesur manage migrate` "
            "or `pactesur serve --migrate`",
            file=sys.stderr,
        )
        return 1
    return serve(args.host, args.port, workers=args.workers, threads=args.threads, worker=not args.no_worker)
