"""A person logs in through the form, sees their city, switches city and language, and logs out."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import log_in
from tests.factories import TEST_PASSWORD, CityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.browser


def test_person_logs_in_switches_city_and_language_and_logs_out(page, live_server) -> None:  # type: ignore[no-untyped-def]
    nice = CityFactory(name="Nice", slug="nice", country="FR")
    liege = CityFactory(name="Liège", slug="liege", country="BE")
    user = UserFactory(username="marie")
    MembershipFactory(user=user, city=nice, role="admin")
    MembershipFactory(user=user, city=liege, role="viewer")

    log_in(page, live_server, "marie", TEST_PASSWORD)
    current = page.locator("[data-testid=current-city]")
    first = current.inner_text()
    assert first in {"Nice", "Liège"}
    other = "Liège" if first == "Nice" else "Nice"
    assert page.locator("h1").inner_text() == first

    # Choosing a city changes nothing until its button is pressed (WCAG 3.2.2).
    page.select_option("#city-switch", label=other)
    assert current.inner_text() == first
    with page.expect_navigation():
        page.get_by_role("button", name="Switch city").click()
    assert current.inner_text() == other
    assert page.locator("h1").inner_text() == other

    page.select_option("#language-switch", value="fr")
    with page.expect_navigation():
        page.get_by_role("button", name="Change language").click()
    assert re.search(r"/fr/$", page.url)
    assert page.locator("html").get_attribute("lang") == "fr"
    logout = page.get_by_role("button", name="Se déconnecter")
    assert logout.is_visible()
    assert current.inner_text() == other  # the chosen city stays across the language change

    with page.expect_navigation():
        logout.click()
    assert "/accounts/login/" in page.url
    assert page.locator("input[name=username]").is_visible()


def test_on_a_phone_the_menu_opens_from_its_button(page, live_server) -> None:  # type: ignore[no-untyped-def]
    nice = CityFactory(name="Nice", slug="nice", country="FR")
    MembershipFactory(user=UserFactory(username="paul"), city=nice, role="viewer")
    page.set_viewport_size({"width": 390, "height": 800})
    log_in(page, live_server, "paul", TEST_PASSWORD)
    tokens_link = page.get_by_role("link", name="API tokens")
    toggle = page.get_by_role("button", name="Menu")
    assert toggle.is_visible()
    assert not tokens_link.is_visible()
    toggle.click()
    assert tokens_link.is_visible()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_on_a_desktop_the_menu_button_is_hidden_and_the_links_shown(page, live_server) -> None:  # type: ignore[no-untyped-def]
    nice = CityFactory(name="Nice", slug="nice", country="FR")
    MembershipFactory(user=UserFactory(username="paul"), city=nice, role="viewer")
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, live_server, "paul", TEST_PASSWORD)
    assert not page.get_by_role("button", name="Menu").is_visible()
    assert page.get_by_role("link", name="API tokens").is_visible()
