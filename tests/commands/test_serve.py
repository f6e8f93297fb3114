"""`pactesur serve`: waitress and a background worker, both stopped by Ctrl-C."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

from tests.commands.conftest import embedded_env, free_port, pactesur_argv


def _wait_for_http(url: str, timeout_s: float) -> int:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback only)
                return int(response.status)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_serve_answers_http_runs_a_worker_and_stops_both_on_ctrl_c(tmp_path: Path):
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as stream:
        server = subprocess.Popen(  # noqa: S603
            pactesur_argv("serve", "--port", str(port), "--migrate"),
            env=embedded_env(tmp_path / "data"),
            stdout=stream,
            stderr=subprocess.STDOUT,
        )
    try:
        assert _wait_for_http(f"http://127.0.0.1:{port}/accounts/login/", timeout_s=90) == 200
        match = re.search(r"background worker started \(pid (\d+)\)", log.read_text())
        assert match, log.read_text()
        worker_pid = int(match.group(1))
        assert _pid_alive(worker_pid)

        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=40) == 0
    finally:
        if server.poll() is None:
            server.kill()
    deadline = time.monotonic() + 10
    while _pid_alive(worker_pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _pid_alive(worker_pid), "the worker outlived `pactesur serve`"
    assert "background worker stopped" in log.read_text()


def test_serve_refuses_a_database_that_is_not_set_up(tmp_path: Path):
    result = subprocess.run(  # noqa: S603
        pactesur_argv("serve", "--port", str(free_port())),
        env=embedded_env(tmp_path / "data"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "pactesur manage migrate" in result.stderr
