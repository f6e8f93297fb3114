"""In the browser: an administrator whose city requires two-factor log-in sets it up with the QR page's
key, then logs in with a code; an export after the re-authentication window goes through the confirm page."""

from __future__ import annotations

import base64
import time
from typing import Any

import pytest

from tests.browser.conftest import log_in
from tests.factories import TEST_PASSWORD, CityFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page_errors(page) -> Any:  # type: ignore[no-untyped-def]
    """Script errors and Content Security Policy violations of the page; the test fails on any."""
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    def _console(msg: Any) -> None:
        # The spaces map asks for a base map that no imported street network provides here (404).
        if msg.type == "error" and "404" not in msg.text:
            errors.append(msg.text)

    page.on("console", _console)
    yield errors
    assert not errors, errors


def _code_from_key(key_text: str, *, steps_ahead: int = 0) -> str:
    """What an authenticator app shows for the key typed from the set-up page."""
    from django_otp.oath import TOTP

    secret = key_text.replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    totp = TOTP(key)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def test_admin_required_to_use_two_factor_sets_it_up_and_logs_in_with_a_code(
    page, live_server, page_errors
) -> None:  # type: ignore[no-untyped-def]
    nice = CityFactory(name="Nice", slug="nice", country="FR", two_factor_required=True)
    MembershipFactory(user=UserFactory(username="marie"), city=nice, role="admin")

    log_in(page, live_server, "marie", TEST_PASSWORD)

    # Nice requires it: the password leads to the set-up page, and nothing else opens.
    assert page.url.endswith("/accounts/me/two-factor/setup/")
    assert page.locator("svg.qr-code").is_visible()
    page.goto(f"{live_server.url}/spaces/")
    assert page.url.endswith("/accounts/me/two-factor/setup/")
    key = page.inner_text("[data-testid=totp-secret]")
    page.fill("input[name=code]", _code_from_key(key))
    page.click("#two-factor-setup-form button[type=submit]")
    page.wait_for_selector("[data-testid=recovery-codes]")
    assert page.locator("[data-testid=recovery-codes] li").count() == 10

    page.goto(f"{live_server.url}/spaces/")
    assert page.url.endswith("/spaces/")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_load_state("networkidle")

    # Next time the password is not enough: the code step comes before any page.
    log_in(page, live_server, "marie", TEST_PASSWORD)
    assert page.url.endswith("/accounts/login/code/")
    page.goto(f"{live_server.url}/spaces/")
    assert "/accounts/login/" in page.url
    page.goto(f"{live_server.url}/accounts/login/code/")
    page.fill("input[name=code]", _code_from_key(key, steps_ahead=1))
    page.click("#login-code-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "Nice"
    page.goto(f"{live_server.url}/accounts/me/two-factor/")
    assert "On: after your password" in page.inner_text("[data-testid=two-factor-status]")


def test_an_export_after_the_window_goes_through_the_confirm_page(page, live_server, page_errors) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.sessions.backends.db import SessionStore

    from pactesur.accounts.reauth import REAUTH_AT_KEY

    nice = CityFactory(name="Nice", slug="nice", country="FR")
    MembershipFactory(user=UserFactory(username="paul"), city=nice, role="planner")
    log_in(page, live_server, "paul", TEST_PASSWORD)
    # The log-in counted as a confirmation; half an hour later it no longer does.
    session_key = next(c["value"] for c in page.context.cookies() if c["name"] == "sessionid")
    session = SessionStore(session_key=session_key)
    session[REAUTH_AT_KEY] = time.time() - 1800
    session.save()

    page.goto(f"{live_server.url}/spaces/")
    page.click("text=Export CSV")
    page.wait_for_selector("#reauth-form")
    assert "Confirm it is you" in page.inner_text("h1")
    page.fill("#reauth-form input[name=password]", TEST_PASSWORD)
    with page.expect_download() as download:
        page.click("#reauth-form button[type=submit]")
    assert download.value.suggested_filename == "nice-spaces.csv"
