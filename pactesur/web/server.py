"""The production web server: gunicorn's master and worker processes, run by `pactesur serve`.

`pactesur serve` starts `python -m pactesur.web.server HOST PORT --workers N --threads T` as a child
process; this module runs gunicorn in it through its documented programmatic interface (a
`BaseApplication`), so that no gunicorn configuration file or `GUNICORN_CMD_ARGS` changes what
PACTESUR sets here. Gunicorn has a process of its own because its master collects every child
process that ends (`waitpid(-1)`), the background worker of `pactesur serve` included.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from gunicorn.app.base import BaseApplication

# How long gunicorn lets its workers finish the requests under way when asked to stop.
GRACEFUL_TIMEOUT_S = 20


def bind_address(host: str, port: int) -> str:
    """Gunicorn's `HOST:PORT`, with an IPv6 host in brackets."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def gunicorn_options(host: str, port: int, *, workers: int, threads: int) -> dict[str, Any]:
    """The gunicorn settings PACTESUR runs with."""
    return {
        "bind": [bind_address(host, port)],
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "graceful_timeout": GRACEFUL_TIMEOUT_S,
        # Django and the apps are imported once, in the master, and shared by the workers it forks.
        "preload_app": True,
        # Forwarded headers are judged by pactesur.web.proxy alone (PACTESUR_TRUSTED_PROXIES):
        # gunicorn believes no peer's X-Forwarded-Proto, and maps no header to SCRIPT_NAME.
        "forwarded_allow_ips": "",
        "secure_scheme_headers": {},
        "forwarder_headers": "",
        # The control socket's default path is one per user: two servers of one user would collide.
        "control_socket_disable": True,
        "proc_name": "pactesur",
        "errorlog": "-",
        "when_ready": _announce(host, port),
    }


def _announce(host: str, port: int) -> Callable[[Any], None]:
    def when_ready(arbiter: Any) -> None:
        print(f"PACTESUR is served on http://{bind_address(host, port)}/  (Ctrl-C to stop)", file=sys.stderr)

    return when_ready


class PactesurServer(BaseApplication):  # type: ignore[misc]  # gunicorn has no type hints
    """Gunicorn serving `pactesur.web.wsgi.application` with exactly the given settings."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for name, value in self.options.items():
            self.cfg.set(name, value)

    def load(self) -> Any:
        from django.urls import get_resolver

        from pactesur.web.wsgi import application

        # Every view module (and NumPy, Shapely… behind them) imported now, in the master: the
        # workers share these pages of memory and answer their first request without the wait.
        get_resolver().url_patterns  # noqa: B018
        return application


def command(host: str, port: int, *, workers: int, threads: int) -> list[str]:
    """The command line of the web server process."""
    return [
        sys.executable,
        "-m",
        "pactesur.web.server",
        host,
        str(port),
        "--workers",
        str(workers),
        "--threads",
        str(threads),
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m pactesur.web.server", description=__doc__)
    parser.add_argument("host")
    parser.add_argument("port", type=int)
    parser.add_argument("--workers", type=int, required=True)
    parser.add_argument("--threads", type=int, required=True)
    args = parser.parse_args(argv)
    options = gunicorn_options(args.host, args.port, workers=args.workers, threads=args.threads)
    PactesurServer(options).run()


if __name__ == "__main__":
    main()
