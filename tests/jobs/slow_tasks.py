"""A task for the killed-worker test: slow the first time it runs, quick when run again."""

from __future__ import annotations

import time
from pathlib import Path

from django_tasks import task


@task()
def slow_once(marker: str) -> str:
    """Leave `marker` and sleep a minute, unless the marker is there: then a worker died on it before."""
    path = Path(marker)
    if path.exists():
        return "run again"
    path.write_text("started")
    time.sleep(60)
    return "ran once"
