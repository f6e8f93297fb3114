"""`pactesur serve`: gunicorn's processes and a background worker, stopped together."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.commands.conftest import embedded_env, free_port, pactesur_argv


def wait_for_http(url: str, timeout_s: float) -> int:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback only)
                return int(response.status)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def pid_alive(pid: int) -> bool:
    """Whether `pid` runs; a zombie (an orphan its new parent has not collected yet) does not."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    # The state follows the command name, which is in parentheses and may hold spaces.
    return stat.rsplit(")", 1)[1].split()[0] not in {"Z", "X"}


def wait_until_gone(pid: int, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    return not pid_alive(pid)


def started_pid(log: Path, name: str) -> int:
    match = re.search(rf"{name} started \(pid (\d+)\)", log.read_text())
    assert match, log.read_text()
    return int(match.group(1))


@contextmanager
def serving(tmp_path: Path, *args: str) -> Iterator[tuple[subprocess.Popen[bytes], int, Path]]:
    """`pactesur serve --migrate` on a free port and a fresh data directory, answering; killed after."""
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as stream:
        server = subprocess.Popen(  # noqa: S603
            pactesur_argv("serve", "--port", str(port), "--migrate", *args),
            env=embedded_env(tmp_path / "data"),
            stdout=stream,
            stderr=subprocess.STDOUT,
        )
    try:
        try:
            wait_for_http(f"http://127.0.0.1:{port}/accounts/login/", timeout_s=90)
        except OSError:
            pytest.fail(f"`pactesur serve` did not answer:\n{log.read_text()}")
        yield server, port, log
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


def test_serve_answers_from_several_processes_restarts_a_dead_worker_and_stops_all_on_ctrl_c(
    tmp_path: Path,
):
    with serving(tmp_path, "--workers", "2", "--threads", "2") as (server, _port, log):
        # The first worker to boot answers the probe; the second may still be importing Django.
        deadline = time.monotonic() + 60
        while len(re.findall(r"Booting worker with pid", log.read_text())) < 2:
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        assert len(re.findall(r"Booting worker with pid", log.read_text())) == 2
        first_worker = started_pid(log, "background worker")
        os.kill(first_worker, signal.SIGKILL)
        deadline = time.monotonic() + 20
        while len(re.findall(r"background worker started", log.read_text())) < 2:
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        worker_pid = int(re.findall(r"background worker started \(pid (\d+)\)", log.read_text())[-1])
        assert worker_pid != first_worker
        assert pid_alive(worker_pid)

        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=40) == 0
    assert wait_until_gone(worker_pid, timeout_s=10), "the worker outlived `pactesur serve`"
    text = log.read_text()
    assert "background worker exited with code -9; restarting it" in text
    assert "web server stopped" in text
    assert "background worker stopped" in text


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_killing_serve_outright_stops_the_web_server_and_the_worker(tmp_path: Path):
    with serving(tmp_path, "--workers", "1") as (server, port, log):
        web_pid = started_pid(log, "web server")
        worker_pid = started_pid(log, "background worker")

        os.kill(server.pid, signal.SIGKILL)
        server.wait(timeout=10)
        assert wait_until_gone(worker_pid, timeout_s=10), "the worker outlived a killed `pactesur serve`"
        assert wait_until_gone(web_pid, timeout_s=30), "gunicorn outlived a killed `pactesur serve`"
    with pytest.raises(urllib.error.URLError):
        wait_for_http(f"http://127.0.0.1:{port}/accounts/login/", timeout_s=0)


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


def test_serve_refuses_a_bad_trusted_proxy_naming_the_variable(tmp_path: Path):
    env = {**embedded_env(tmp_path / "data"), "PACTESUR_TRUSTED_PROXIES": "127.0.0.1,proxy.example.org"}
    result = subprocess.run(  # noqa: S603
        pactesur_argv("serve", "--port", str(free_port())),
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "PACTESUR_TRUSTED_PROXIES" in result.stderr
    assert "'proxy.example.org'" in result.stderr
    assert "Traceback" not in result.stderr
