"""A security manager reads a space's vehicle dynamics assessment on the map, sorts it, changes class."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import log_in
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BAND_COLOURS = {"#1a9850", "#66bd63", "#c2e27a", "#fee08b", "#fdae61", "#f46d43", "#d73027", "#67000d"}
# Set to a folder to keep screenshots of the pages (for a person reviewing the layout).
SCREENSHOTS = os.environ.get("PACTESUR_SCREENSHOTS", "")


def _visible_speeds(page: Any) -> list[float]:
    return page.eval_on_selector_all(
        "#entries-table tbody tr[data-entry]:not([hidden])", "rows => rows.map(r => Number(r.dataset.speed))"
    )


def _shot(page: Any, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / name), full_page=True)


def test_security_manager_reads_sorts_and_switches_the_analysis(
    page, live_server, analysed_space, security_officer
):
    log_in(page, live_server, security_officer.username, TEST_PASSWORD)
    page.goto(f"{live_server.url}/spaces/{analysed_space.pk}/")
    page.click("#space-analysis-link")
    page.wait_for_selector("#analysis-map[data-ready=true]")
    page.wait_for_selector("#analysis-map[data-basemap-state=ready]")

    # Entries are SVG circle markers coloured by impact speed; approach paths are SVG lines.
    vehicle = page.get_attribute("#analysis-map", "data-vehicle")
    assert vehicle == "M1"  # the class that reaches the highest speed is shown first
    entries = int(page.get_attribute("#analysis-map", "data-entries") or 0)
    assert entries > 0
    assert page.locator("#analysis-map path.analysis-entry").count() == entries
    assert page.locator("#analysis-map path.analysis-path").count() > 0
    fills = set(
        page.eval_on_selector_all(
            "#analysis-map path.analysis-entry", "ps => ps.map(p => p.getAttribute('fill'))"
        )
    )
    assert fills <= BAND_COLOURS
    assert len(fills) > 1  # the fast main road and the slow side entries differ
    _shot(page, "space-m1.png")

    # Sorting: highest energy first, then by speed, highest first, then lowest first.
    page.click("#sort-energy")
    energies = page.eval_on_selector_all(
        "#entries-table tbody tr[data-entry]:not([hidden])", "rows => rows.map(r => Number(r.dataset.energy))"
    )
    assert energies == sorted(energies, reverse=True)
    page.click("#sort-speed")
    speeds = _visible_speeds(page)
    assert len(speeds) == entries
    assert speeds == sorted(speeds, reverse=True)
    page.click("#sort-speed")
    assert _visible_speeds(page) == sorted(speeds)
    assert page.get_attribute("th:has(#sort-speed)", "aria-sort") == "ascending"

    # Another class: the map and the table follow.
    page.select_option("#vehicle-select", "N3F")
    page.wait_for_selector("#analysis-map[data-vehicle=N3F]")
    trucks = int(page.get_attribute("#analysis-map", "data-entries") or 0)
    assert trucks > 0
    assert page.locator("#analysis-map path.analysis-entry").count() == trucks
    visible = page.eval_on_selector_all(
        "#entries-table tbody tr[data-entry]:not([hidden])", "rows => rows.map(r => r.dataset.vehicle)"
    )
    assert visible
    assert set(visible) == {"N3F"}
    assert max(_visible_speeds(page)) < max(speeds)
    assert "vehicle=N3F" in page.url
    _shot(page, "space-n3f.png")


def test_security_manager_sees_city_wide_speeds_per_class(
    page, live_server, analysed_space, security_officer
):
    log_in(page, live_server, security_officer.username, TEST_PASSWORD)
    page.goto(f"{live_server.url}/analysis/")
    page.wait_for_selector("#analysis-city-map[data-ready=true]")
    lines = int(page.get_attribute("#analysis-city-map", "data-lines") or 0)
    assert lines > 10
    assert page.locator("#ranking-table tbody tr").count() >= 1
    _shot(page, "city-n3f.png")
    page.select_option("#vehicle-select", "M1")
    page.wait_for_selector("#analysis-city-map[data-vehicle=M1][data-ready=true]")
    assert int(page.get_attribute("#analysis-city-map", "data-lines") or 0) > 10
