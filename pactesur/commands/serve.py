"""`pactesur serve`: the web app on waitress (a production WSGI server) and a background worker.

The worker is Django-tasks' `db_worker`, run as a child process and restarted if it dies; Ctrl-C
or SIGTERM stops the web server, then asks the worker to finish its current task and stop.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from types import FrameType

# How long a stopping worker may take to finish its current task before it is killed.
_WORKER_STOP_TIMEOUT_S = 20.0
_WORKER_RESTART_DELAY_S = 2.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    parser.add_argument("--threads", type=int, default=8, help="web server threads (default: 8)")
    parser.add_argument(
        "--no-worker", action="store_true", help="do not start a background worker (workers run elsewhere)"
    )
    parser.add_argument("--migrate", action="store_true", help="apply pending database migrations first")


def worker_command() -> list[str]:
    return [sys.executable, "-m", "pactesur.cli", "manage", "db_worker", "--no-reload", "--interval", "1"]


class WorkerSupervisor:
    """Keep one `db_worker` child process running until `stop()`."""

    def __init__(self) -> None:
        self.process: subprocess.Popen[bytes] | None = None
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._watch, name="pactesur-worker", daemon=True)

    def start(self) -> None:
        self._spawn()
        self.thread.start()

    def _spawn(self) -> None:
        # Its own process group: a Ctrl-C in the terminal reaches us, and we stop it in order.
        self.process = subprocess.Popen(worker_command(), start_new_session=True)  # noqa: S603
        print(f"background worker started (pid {self.process.pid})", file=sys.stderr)

    def _watch(self) -> None:
        while not self.stopping.is_set():
            process = self.process
            if process is not None and process.poll() is not None:
                print(
                    f"background worker exited with code {process.returncode}; restarting it",
                    file=sys.stderr,
                )
                if self.stopping.wait(_WORKER_RESTART_DELAY_S):
                    return
                self._spawn()
            self.stopping.wait(1.0)

    def stop(self) -> None:
        self.stopping.set()
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=_WORKER_STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        print("background worker stopped", file=sys.stderr)


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def serve(host: str, port: int, *, threads: int = 8, worker: bool = True) -> int:
    """Serve the (already set-up) Django project until interrupted; return the exit code."""
    import waitress  # type: ignore[import-untyped,unused-ignore]
    from django.conf import settings

    # WhiteNoise serves from the app folders (finders); an existing STATIC_ROOT keeps it from warning.
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    from pactesur.web.wsgi import application

    supervisor = WorkerSupervisor() if worker else None
    server = waitress.create_server(application, host=host, port=port, threads=threads, ident="PACTESUR")
    # Explicit handlers: a server started in the background of a script inherits an ignored SIGINT.
    signal.signal(signal.SIGTERM, _raise_interrupt)
    signal.signal(signal.SIGINT, _raise_interrupt)
    if supervisor is not None:
        supervisor.start()
    print(f"PACTESUR is served on http://{host}:{port}/  (Ctrl-C to stop)", file=sys.stderr)
    try:
        server.run()
    except KeyboardInterrupt:
        print("\nstopping…", file=sys.stderr)
    finally:
        server.close()
        if supervisor is not None:
            supervisor.stop()
    return 0


def run(args: argparse.Namespace) -> int:
    from pactesur.commands.import_osm import setup_django, unapplied_migrations

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
    return serve(args.host, args.port, threads=args.threads, worker=not args.no_worker)
