"""Fixtures of the command tests."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def data_dir(settings, tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    settings.PACTESUR_DATA_DIR = folder
    return folder


def pactesur_argv(*args: str) -> list[str]:
    """The `pactesur` command, run with this interpreter (so in this virtualenv)."""
    return [sys.executable, "-m", "pactesur.cli", *args]


def embedded_env(data_dir: Path) -> dict[str, str]:
    """An environment for a child `pactesur` on its own data directory and embedded database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PACTESUR_", "DATABASE_URL", "DJANGO_"))}
    env["PACTESUR_DATA_DIR"] = str(data_dir)
    env["PYTHONPATH"] = str(REPO_ROOT)
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
