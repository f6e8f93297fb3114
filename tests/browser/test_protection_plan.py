"""A security manager asks for the local protection plan, sees it become ready without reloading the
page while a real worker prepares it, and downloads the PDF watermarked with their name."""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.browser.conftest import log_in, running_worker
from tests.factories import TEST_PASSWORD
from tests.spaces.helpers import make_space

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker() -> Iterator[threading.Thread]:
    with running_worker("browser-test-reports", join_s=10) as thread:
        yield thread


def test_the_plan_asked_for_becomes_ready_on_the_page_and_downloads(  # type: ignore[no-untyped-def]
    page, live_server, settings, tmp_path, city, security_officer, worker
) -> None:
    settings.PACTESUR_DATA_DIR = tmp_path
    make_space(city, None, name="Place Masséna")
    log_in(page, live_server, "security_officer", TEST_PASSWORD)  # logging in counts as confirming

    page.goto(f"{live_server.url}/reports/")
    assert page.locator("#no-plans").count() == 1
    page.select_option("#id_language", "en")
    with page.expect_navigation():
        page.click("#prepare-plan-button")
    # Marks this page: a reload would lose it.
    page.evaluate("() => { window.notReloaded = true; }")
    row = page.locator("#plans-table tbody tr").first
    assert row.get_attribute("data-status") in ("queued", "running", "done")

    page.wait_for_selector('#plans-table tr[data-status="done"] a', timeout=120_000)

    assert page.evaluate("() => window.notReloaded === true")
    assert page.locator("#plans-status").inner_text() == "The plan is ready."
    assert re.search(r"\d+(\.\d)?\s[KM]B", row.locator('[data-field="size"]').inner_text())
    with page.expect_download() as info:
        row.locator('[data-field="download"] a').click()
    pdf = PdfReader(io.BytesIO(Path(info.value.path()).read_bytes()))
    text = " ".join(p.extract_text() for p in pdf.pages)
    assert "Local protection plan" in text
    assert re.search(r"RESTRICTED · ?security_officer", text)
