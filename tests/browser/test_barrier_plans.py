"""A security manager draws a barrier line across Woodhouse Lane on the plan's map, saves it, has the
engine check it and reads the judgement; the drawn line is the stored element."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import log_in
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def woodhouse_plan(settings, tmp_path, city, security_officer):  # type: ignore[no-untyped-def]
    from pactesur.analysis import _engine_cache
    from pactesur.measures.barrier_actions import do_create_barrier_plan
    from tests.analysis.helpers import import_leeds, woodhouse_space
    from tests.measures.helpers import seed_catalogue

    seed_catalogue()
    settings.PACTESUR_DATA_DIR = tmp_path
    _engine_cache.clear()
    import_leeds(city, security_officer)
    space = woodhouse_space(city, security_officer)
    plan = do_create_barrier_plan(
        space, acting_user=security_officer, name="Drawn on the map", vehicles=["N3C"], from_proposal=False
    )
    yield plan
    _engine_cache.clear()


def _point(page: Any, lon: float, lat: float) -> tuple[float, float]:
    x, y = page.evaluate(
        """([lon, lat]) => {
            const map = document.getElementById("barrier-plan-map").pactesurMap;
            const p = map.latLngToContainerPoint([lat, lon]);
            return [p.x, p.y];
        }""",
        [lon, lat],
    )
    box = page.locator("#barrier-plan-map").bounding_box()
    return box["x"] + x, box["y"] + y


def test_a_line_drawn_on_the_map_is_saved_and_checked(page, live_server, woodhouse_plan) -> None:  # type: ignore[no-untyped-def]
    from pactesur.measures.models import BarrierPlan, MeasureType
    from tests.measures.test_barrier_plans import ACROSS_LANE

    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, live_server, "security_officer", TEST_PASSWORD)
    page.goto(f"{live_server.url}/measures/barriers/{woodhouse_plan.pk}/")
    page.wait_for_selector("#barrier-plan-map[data-ready=true]")
    assert page.inner_text("#barrier-plan-state") == "Not checked yet"

    (lon_a, lat_a), (lon_b, lat_b) = ACROSS_LANE
    start = _point(page, lon_a, lat_a)
    end = _point(page, lon_b, lat_b)
    page.click("#barrier-plan-map .leaflet-draw-draw-polyline")
    page.mouse.click(*start)
    page.wait_for_timeout(250)
    page.mouse.click(*end)
    page.wait_for_timeout(250)
    page.mouse.click(*end)  # a second click on the last point finishes the line
    page.wait_for_timeout(250)

    geometry = page.input_value("#id_el-0-geometry")
    assert '"LineString"' in geometry
    assert page.input_value("#id_el-0-kind") == "barrier_line"
    bollards = MeasureType.objects.get(code="bollard_fixed_rated")
    page.select_option("#id_el-0-measure_type", str(bollards.pk))
    page.fill("#id_el-0-rating", "V/7200[N3C]/80/90")
    page.fill("#id_el-0-label", "Woodhouse Lane north")
    page.click("#check-barrier-plan")
    page.wait_for_selector("#verdict")

    plan = BarrierPlan.objects.get(pk=woodhouse_plan.pk)
    assert len(plan.elements) == 1
    (element,) = plan.elements
    assert element["label"] == "Woodhouse Lane north"
    (lon0, lat0), (lon1, lat1) = element["geometry"]["coordinates"]
    assert abs(lon0 - lon_a) < 2e-5
    assert abs(lat0 - lat_a) < 2e-5
    assert abs(lon1 - lon_b) < 2e-5
    assert abs(lat1 - lat_b) < 2e-5
    # The trucks coming up Woodhouse Lane hit the drawn line: the engine judges it for N3C.
    (verdict,) = [v for v in plan.judgement["elements"] if v["element"] == 0]
    assert verdict["hit_speed_kmh"] > 30
    assert page.locator("#element-verdicts li").count() >= 1
    assert page.locator("#speeds-before-after tbody tr").count() == 1
    page.wait_for_selector("#barrier-plan-map[data-ready=true]")
    assert page.get_attribute("#barrier-plan-map", "data-elements") == "1"
    assert not errors, errors
