"""A security manager assesses a space and submits it; the admin approves; the dashboard ranks it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import log_in
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _rate(page: Any, attack_label: str, t: int, v: int, c: int, reason: str = "") -> None:
    """Rate threat, vulnerability and consequence; the page derives the probability."""
    page.click(f"table[data-testid=scenarios] a:text-is('{attack_label}')")
    page.check(f"input[name=threat][value='{t}']")
    page.check(f"input[name=vulnerability][value='{v}']")
    page.check(f"input[name=consequence][value='{c}']")
    page.fill("textarea[name=description]", f"{attack_label} at the market")
    if reason:
        page.fill("textarea[name=override_reason]", reason)
    page.click("#save-scenario")
    page.wait_for_load_state("networkidle")


def _not_applicable(page: Any, attack_label: str, reason: str) -> None:
    page.click(f"table[data-testid=scenarios] a:text-is('{attack_label}')")
    page.check("input[name=not_applicable]")
    page.fill("textarea[name=not_applicable_reason]", reason)
    page.click("#save-scenario")
    page.wait_for_load_state("networkidle")


def test_security_manager_assesses_admin_approves_dashboard_ranks(  # type: ignore[no-untyped-def]
    page, live_server, city, security_officer, city_admin
) -> None:
    from pactesur.assessments.models import Assessment
    from tests.assessments.helpers import settle_the_rest
    from tests.spaces.helpers import make_space

    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # The space page asks for the city's base map, which a city without an imported network lacks (404).
    page.on(
        "console",
        lambda msg: (
            errors.append(msg.text)
            if msg.type == "error" and "Failed to load resource" not in msg.text
            else None
        ),
    )
    space = make_space(city, None, name="Cours Saleya", peak_crowd=4000)

    log_in(page, live_server, security_officer.username, TEST_PASSWORD)
    page.goto(f"{live_server.url}/spaces/{space.pk}/")
    page.click("#space-assessment")
    page.click("#start-assessment")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=assessment-status]").inner_text() == "Draft"
    assert page.locator("[data-testid=no-analysis]").is_visible()

    # Facts before judgements: every blade question answered the strong way suggests vulnerability 1.
    page.click("table[data-testid=scenarios] a:text-is('Bladed or other weapon attack')")
    for name, value in (
        ("q_entrance_queues", "no"),
        ("q_stewards_present", "yes"),
        ("q_police_on_site", "yes"),
        ("q_narrow_passages", "no"),
        ("q_cctv_coverage", "all"),
    ):
        page.select_option(f"select[name={name}]", value)
    page.fill("input[name=q_police_response_min]", "3")
    page.click("#save-facts")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=fact-rows] tbody tr").count() == 7  # the symbolic value unanswered
    assert "Vulnerability: 1" in page.locator("[data-testid=suggestion]").inner_text()
    page.click("text=Back to the assessment")

    _rate(page, "Vehicle as a weapon (ramming)", 5, 5, 5, reason="market stalls block the escape")
    # Threat 2 and vulnerability 2 give probability 2 by the published table: 2 × 3 = 6, medium.
    _rate(page, "Bladed or other weapon attack", 2, 2, 3, reason="stewards at every entrance")
    assert page.locator("tr[data-attack=blade] td").nth(3).inner_text().startswith("2")

    # The very high vehicle risk is treated, with an action in the register.
    page.click("#decisions-link")
    vehicle = page.locator("section.decision", has_text="Vehicle as a weapon (ramming)")
    vehicle.locator("input[name$=decision][value=treat]").check()
    vehicle.locator("textarea[name$=reason]").fill("the market is open to three streets")
    vehicle.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "the market is open to three streets" in page.locator("[data-testid=decision]").inner_text()
    page.click("text=Add an action for this risk")
    page.fill("input[name=title]", "Rated bollards at the three street ends")
    page.fill("input[name=owner]", "Municipal police")
    page.fill("input[name=due_on]", "2027-06-30")
    page.fill("input[name=cost_eur]", "90000")
    page.click("form.narrow button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "Rated bollards at the three street ends" in page.locator("#action-register").inner_text()
    page.goto(f"{live_server.url}/assessments/spaces/{space.pk}/")
    assert page.locator("tr[data-attack=vehicle] [data-band]").get_attribute("data-band") == "very_high"
    assert page.locator("tr[data-attack=blade] [data-band]").get_attribute("data-band") == "medium"
    assert page.locator("#submit-assessment").is_disabled()  # nine scenarios are still open
    _not_applicable(page, "Drone", "no drone can fly over the covered market")
    assert "Not applicable: no drone can fly" in page.locator("tr[data-attack=drone]").inner_text()
    settle_the_rest(Assessment.objects.get(space=space), security_officer)
    page.reload()
    page.click("#submit-assessment")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=assessment-status]").inner_text() == "In review"
    assert page.locator("#approve-assessment").count() == 0  # the author cannot approve

    page.context.clear_cookies()
    log_in(page, live_server, city_admin.username, TEST_PASSWORD)
    page.goto(f"{live_server.url}/assessments/")
    # Not ranked while in review: listed apart.
    assert page.locator("table[data-testid=risk-ranking] tr[data-space='Cours Saleya']").count() == 0
    page.click("ul[data-testid=not-yet-approved] a:text-is('Cours Saleya')")
    page.click("#approve-assessment")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=assessment-status]").inner_text() == "Approved"

    page.goto(f"{live_server.url}/assessments/")
    row = page.locator("table[data-testid=risk-ranking] tr[data-space='Cours Saleya']")
    assert row.locator("[data-band]").get_attribute("data-band") == "very_high"
    assert "Very high" in row.inner_text()
    page.wait_for_selector("#assessments-map[data-ready=true]")
    assert page.locator("#assessments-map").get_attribute("data-spaces") == "1"
    cell = page.locator("td[data-p='5'][data-c='5']")
    assert cell.locator("strong").inner_text() == "1"
    assert "Very high, score 25, 1 scenario" in cell.inner_text()  # the level in words, not in a tooltip
    assert not errors, errors
