"""The layout every page shares serves keyboards and screen readers without a script: a skip link first,
switchers that wait for their button, a failed log-in said in the title and in an alert."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.factories import TEST_PASSWORD, CityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def marie() -> Client:
    user = UserFactory(username="marie")
    MembershipFactory(user=user, city=CityFactory(name="Nice", slug="nice", country="FR"), role="admin")
    MembershipFactory(user=user, city=CityFactory(name="Liège", slug="liege", country="BE"), role="viewer")
    client = Client()
    client.force_login(user)
    return client


def test_the_first_link_of_every_page_skips_to_the_content_and_its_messages(marie: Client) -> None:
    html = marie.get("/", follow=True).content.decode()

    body = html.split("<body", 1)[1]
    first_link = re.search(r"<a [^>]*>", body)
    assert first_link is not None
    assert 'href="#content"' in first_link.group(0)
    assert 'class="skip-link"' in first_link.group(0)
    assert '<main class="content" id="content" tabindex="-1">' in html


def test_switchers_submit_only_with_a_button_that_is_always_shown(marie: Client) -> None:
    html = marie.get("/", follow=True).content.decode()

    forms = re.findall(r'<form class="inline-form switcher"[^>]*>.*?</form>', html, flags=re.S)
    assert len(forms) == 2  # city and language
    for form in forms:
        assert 'type="submit"' in form
        assert "visually-hidden" not in form.split("<select", 1)[1]  # the button is not hidden
    assert "auto-submit" not in html


def test_a_failed_log_in_says_so_in_the_title_and_in_an_alert() -> None:
    UserFactory(username="someone")

    html = Client().post("/accounts/login/", {"username": "someone", "password": "wrong"}).content.decode()

    title = re.search(r"<title>(.*?)</title>", html, flags=re.S)
    assert title is not None
    assert title.group(1).startswith("Log-in failed: Log in")
    summary = re.search(r'<div class="error-summary"[^>]*>(.*?)</div>', html, flags=re.S)
    assert summary is not None
    assert 'role="alert"' in summary.group(0)
    assert "data-error-summary" in summary.group(0)  # core.js gives it the focus
    assert "Please enter a correct username and password" in summary.group(1)
    # The message is said once, in the summary, not again above the fields.
    assert html.count("Please enter a correct username and password") == 1


def test_a_good_log_in_page_has_no_error_summary() -> None:
    html = Client().get("/accounts/login/").content.decode()
    assert "data-error-summary" not in html
    assert "<title>Log in — PACTESUR</title>" in html
    UserFactory(username="someone")
    response = Client().post("/accounts/login/", {"username": "someone", "password": TEST_PASSWORD})
    assert response.status_code == 302
