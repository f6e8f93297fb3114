"""A signed-in session ends after PACTESUR_SESSION_IDLE_MINUTES without a request, and says why."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from pactesur.accounts.middleware import LAST_SEEN_KEY

pytestmark = pytest.mark.django_db


def _idle_for(client, minutes: float) -> None:  # type: ignore[no-untyped-def]
    session = client.session
    session[LAST_SEEN_KEY] = time.time() - 60.0 * minutes
    session.save()


def test_a_session_idle_for_longer_than_the_limit_is_signed_out_with_a_message(
    client, security_officer, settings
):  # type: ignore[no-untyped-def]
    settings.PACTESUR_SESSION_IDLE_MINUTES = 30
    client.force_login(security_officer)
    assert client.get(reverse("spaces:list")).status_code == 200
    _idle_for(client, 31)
    response = client.get(reverse("spaces:list"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:login"))
    assert "signed out after 30 minutes without activity" in response.content.decode()
    assert client.get(reverse("spaces:list")).status_code == 302  # still signed out


def test_a_session_used_within_the_limit_stays_and_is_written_at_most_once_a_minute(
    client, security_officer, settings
):  # type: ignore[no-untyped-def]
    settings.PACTESUR_SESSION_IDLE_MINUTES = 30
    client.force_login(security_officer)
    _idle_for(client, 29)
    assert client.get(reverse("spaces:list")).status_code == 200
    seen = client.session[LAST_SEEN_KEY]
    assert time.time() - seen < 5  # refreshed by the request
    assert client.get(reverse("spaces:list")).status_code == 200
    assert client.session[LAST_SEEN_KEY] == seen  # not written again within the minute


def test_sessions_end_with_the_browser(client, security_officer) -> None:  # type: ignore[no-untyped-def]
    client.force_login(security_officer)
    client.get(reverse("spaces:list"))
    cookie = client.cookies["sessionid"]
    assert cookie["expires"] == ""
    assert cookie["max-age"] == ""
