"""A planner asks for an investment plan, sees it being computed, and reads it once a worker is done."""

from __future__ import annotations

import pytest

from tests.browser.conftest import running_worker
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_plan_page_follows_the_computation_and_shows_the_plan_when_done(
    page, live_server, planner, city
) -> None:  # type: ignore[no-untyped-def]
    from tests.assessments.helpers import rate, settle_the_rest, start

    assessment = start(city, None, name="Place Masséna", peak_crowd=4000)
    rate(assessment, "firearms", 3, 4)
    settle_the_rest(assessment)
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", planner.username)
    page.fill("input[name=password]", TEST_PASSWORD)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")

    page.goto(f"{live_server.url}/measures/plans/")
    page.fill("input[name=budget_eur]", "60000")
    with page.expect_navigation():
        page.get_by_role("button", name="Solve the plan").click()

    # No worker yet: the plan waits, and the page says so at once.
    box = page.locator("#plan-computation[data-computation=queued]")
    box.wait_for()
    assert "Waiting for a worker to compute it." in page.locator("#plan-computation-message").inner_text()
    assert page.locator("#plan-progress").get_attribute("value") == "0"
    assert page.locator("#plan-summary").count() == 0

    with running_worker("browser-plan-test"):
        # the script polls the status, sees the plan done and reloads the page: the result is drawn
        page.locator("#plan-summary").wait_for(timeout=120_000)
    assert page.locator("#plan-computation").count() == 0
    assert "Risk left" in page.locator("#plan-summary").inner_text()
    assert page.locator("#plan-frontier tbody tr").count() == 20
    page.goto(f"{live_server.url}/measures/plans/")
    assert page.locator("#plans tbody tr[data-computation=done]").count() == 1
    assert not errors, errors
