"""The README's "Your own city", as a newcomer does it: an empty data directory, four commands, a browser.

`pactesur import-osm` sets up the database and imports the extract, `pactesur add-admin` gives the
new city its administrator (the password on standard input, as a script would; a person types it
at the prompt), `pactesur serve` serves it with its background worker, and the administrator logs
in through the real form and sees the city, then its spaces ranked once the worker has analysed them.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.commands.conftest import embedded_env, free_port, pactesur_argv
from tests.commands.test_serve import wait_for_http
from tests.conftest import shared_osm

pytestmark = pytest.mark.browser

LEEDS = "leeds_university_its-example.osm.pbf"
PASSWORD = "a long city passphrase 2024"
# A space the Leeds extract suggests (a pedestrian area over a street, so it has entries).
SPACE = "Beech Grove Plaza"


def _pactesur(data_dir: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(  # noqa: S603
        pactesur_argv(*args),
        env=embedded_env(data_dir),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"pactesur {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture
def own_city(tmp_path: Path) -> Iterator[str]:
    """The README's commands on an empty data directory; yields the address `pactesur serve` answers on."""
    data_dir = tmp_path / "var"
    assert not data_dir.exists()
    imported = _pactesur(
        data_dir, "import-osm", "leeds", str(shared_osm(LEEDS)), "--name", "Leeds", "--country", "GB"
    )
    assert "pactesur add-admin leeds" in imported.stdout
    _pactesur(
        data_dir,
        *("add-admin", "leeds", "--username", "alice", "--email", "alice@example.org", "--password-stdin"),
        stdin=f"{PASSWORD}\n",
    )
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as stream:
        server = subprocess.Popen(  # noqa: S603
            pactesur_argv("serve", "--port", str(port), "--workers", "1"),
            env=embedded_env(data_dir),
            stdout=stream,
            stderr=subprocess.STDOUT,
        )
    try:
        try:
            wait_for_http(f"http://127.0.0.1:{port}/accounts/login/", timeout_s=90)
        except OSError:
            pytest.fail(f"`pactesur serve` did not answer:\n{log.read_text()}")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=40)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def test_an_administrator_logs_in_and_sees_the_city_imported_from_an_empty_data_directory(browser, own_city):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    outside: list[str] = []

    def _route(route):  # type: ignore[no-untyped-def]
        url = route.request.url
        if url.startswith((own_city, "data:", "blob:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", _route)
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        page.goto(f"{own_city}/accounts/login/")
        page.fill("input[name=username]", "alice")
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.press("input[name=password]", "Enter")

        assert page.locator("h1").inner_text() == "Leeds"
        assert "Leeds v1 (leeds_university_its-example.osm.pbf)" in page.locator(".stat-network").inner_text()
        spaces = int(page.locator(".stat-value").first.inner_text())
        assert spaces > 0
        assert page.get_by_role("link", name="Members and invitations").is_visible()

        # The worker `pactesur serve` started analyses the imported city's spaces.
        deadline = time.monotonic() + 120
        while True:
            page.goto(f"{own_city}/analysis/")
            ranking = page.locator("#ranking-table").inner_text()
            if SPACE in ranking or time.monotonic() > deadline:
                break
            time.sleep(2)
        assert page.locator("h1").inner_text() == "Vehicle dynamics assessment of Leeds"
        assert SPACE in ranking
    finally:
        context.close()
    assert not outside, f"the page tried to contact outside servers: {outside}"
