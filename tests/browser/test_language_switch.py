"""A person switches English → French → Italian → English and stays on the page they were reading."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest

from pactesur.events.actions import do_create_event
from tests.browser.conftest import log_in
from tests.factories import TEST_PASSWORD, CityFactory, MembershipFactory, UserFactory
from tests.spaces.helpers import make_space

pytestmark = pytest.mark.browser

# 09:00 UTC is 10:00 in Nice in December (Europe/Paris, UTC+1).
STARTS = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
# language → (the log-out button, the event's start as that language writes it in Nice's time)
EXPECTED = {
    "fr": ("Se déconnecter", "5 décembre 2026 10:00"),
    "it": ("Esci", "05 dicembre 2026 10:00"),
    "en": ("Log out", "5 December 2026, 10:00"),
}


def test_switching_english_french_italian_english_stays_on_the_same_page(page, live_server) -> None:  # type: ignore[no-untyped-def]
    nice = CityFactory(name="Nice", slug="nice", country="FR", time_zone="Europe/Paris")
    MembershipFactory(user=UserFactory(username="marie"), city=nice, role="planner")
    event = do_create_event(
        nice,
        acting_user=None,
        space=make_space(nice, None),
        name="Marché de Noël",
        starts_at=STARTS,
        ends_at=STARTS + timedelta(hours=10),
        expected_attendance=5000,
    )
    log_in(page, live_server, "marie", TEST_PASSWORD)
    page.goto(f"{live_server.url}/events/{event.pk}/?from=list")
    assert page.locator("html").get_attribute("lang") == "en"

    for language, prefix in (("fr", "/fr"), ("it", "/it"), ("en", "")):
        # The choice applies when its button is pressed (WCAG 3.2.2).
        page.select_option("#language-switch", value=language)
        with page.expect_navigation():
            page.locator("#language-switch ~ [type=submit]").click()
        url = urlsplit(page.url)
        assert (url.path, url.query) == (f"{prefix}/events/{event.pk}/", "from=list")
        assert page.locator("html").get_attribute("lang") == language
        assert page.locator("h1").inner_text() == "Marché de Noël"
        logout, starts = EXPECTED[language]
        assert page.get_by_role("button", name=logout).is_visible()
        assert starts.casefold() in page.locator("dl.spaces-attrs").inner_text().casefold()
