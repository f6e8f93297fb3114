"""Playwright on Debian's chromium against Django's live server."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

CHROMIUM = os.environ.get("PACTESUR_CHROMIUM", "/usr/bin/chromium")

# Chromium must never reach out: no background networking, no component updates, no sync.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

pytestmark = pytest.mark.browser


def _require_chromium() -> None:
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        if os.environ.get("CI"):
            pytest.fail(
                f"chromium not found at {CHROMIUM}: .ci/run must install it (apt-get install chromium)"
            )
        pytest.skip(f"chromium not found at {CHROMIUM} (apt-get install chromium)")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    _require_chromium()
    # Playwright's sync API runs an event loop in this thread; Django must allow DB access from it.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, live_server):  # type: ignore[no-untyped-def]
    """A fresh page; every request that leaves the live server is recorded and fails the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    outside: list[str] = []
    base = live_server.url

    def _route(route):  # type: ignore[no-untyped-def]
        url = route.request.url
        if url.startswith((base, "data:", "blob:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", _route)
    p = context.new_page()
    p.set_default_timeout(15000)
    yield p
    context.close()
    assert not outside, f"the page tried to contact outside servers: {outside}"


def log_in(page, live_server, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    """Log in through the real form."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    # Submit the log-in form itself: the layout has other forms (language, city) with their own buttons.
    page.locator("input[name=password]").press("Enter")
    page.wait_for_load_state("networkidle")


@pytest.fixture
def analysed_space(settings, tmp_path, city, security_officer):  # type: ignore[no-untyped-def]
    """The Leeds extract imported and the Woodhouse Lane crossing analysed, as a worker runs it."""
    from pactesur.analysis import _engine_cache
    from pactesur.analysis.actions import do_run_city_analysis
    from tests.analysis.helpers import import_leeds, woodhouse_space

    settings.PACTESUR_DATA_DIR = tmp_path
    _engine_cache.clear()
    import_leeds(city, security_officer)
    space = woodhouse_space(city, security_officer)
    do_run_city_analysis(city)
    return space


@contextmanager
def running_worker(worker_id: str, *, join_s: float = 30.0) -> Iterator[threading.Thread]:
    """The real django-tasks database worker, in a thread of the test process (it shares the test
    database), for one task; stopped on leaving."""
    from django.db import connections
    from django_tasks_db.management.commands.db_worker import Worker

    db_worker = Worker(
        queue_names=["default"],
        interval=0.2,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=1,
        worker_id=worker_id,
        excluded_queue_names=[],
    )

    def run() -> None:
        try:
            db_worker.run()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield thread
    finally:
        db_worker.running = False
        thread.join(timeout=join_s)
