"""Log-in, log-out, password reset by e-mail and password change, with our templates."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def test_stored_password_is_an_argon2_hash(viewer) -> None:  # type: ignore[no-untyped-def]
    assert viewer.password.startswith("argon2")
    assert viewer.check_password(TEST_PASSWORD)


def test_login_page_is_ours_and_logging_in_leads_home(client, viewer) -> None:  # type: ignore[no-untyped-def]
    page = client.get(reverse("accounts:login"))
    assert page.status_code == 200
    assert b"Forgotten your password?" in page.content
    response = client.post(reverse("accounts:login"), {"username": "viewer", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert b"Nice" in client.get(reverse("home")).content


def test_anonymous_visitor_is_sent_to_the_login_page(client, db) -> None:  # type: ignore[no-untyped-def]
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_logout_is_a_post_and_ends_the_session(client, viewer) -> None:  # type: ignore[no-untyped-def]
    client.force_login(viewer)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_password_reset_by_email_sets_a_new_password(client, viewer) -> None:  # type: ignore[no-untyped-def]
    response = client.post(reverse("accounts:password_reset"), {"email": viewer.email})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/\s]+(/\S+/)", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    form_page = client.get(link.group(1), follow=True)
    assert form_page.context["validlink"]
    new_password = "the sea is blue at dawn"
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password}
    )
    assert done.status_code == 302
    assert done["Location"] == reverse("accounts:password_reset_complete")
    viewer.refresh_from_db()
    assert viewer.check_password(new_password)
    assert viewer.password.startswith("argon2")


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client, db) -> None:  # type: ignore[no-untyped-def]
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_password_change_needs_the_old_password(client, viewer) -> None:  # type: ignore[no-untyped-def]
    client.force_login(viewer)
    url = reverse("accounts:password_change")
    new = "the sea is blue at dawn"
    wrong = client.post(url, {"old_password": "wrong", "new_password1": new, "new_password2": new})
    assert wrong.status_code == 200
    right = client.post(url, {"old_password": TEST_PASSWORD, "new_password1": new, "new_password2": new})
    assert right.status_code == 302
    viewer.refresh_from_db()
    assert viewer.check_password(new)
