"""My account: the preferred language, applied on log-in; adding members through the one action."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from pactesur.accounts.actions import do_add_member, do_set_preferred_language
from pactesur.accounts.errors import LastAdminError
from pactesur.audit.models import AuditEvent
from pactesur.cities.errors import InvalidRequestError, NotAllowedError
from pactesur.cities.models import Membership, has_city_perm
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _log_in(client, user, next_url: str = ""):  # type: ignore[no-untyped-def]
    url = reverse("accounts:login") + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"username": user.get_username(), "password": TEST_PASSWORD})


def test_log_in_leads_into_the_preferred_language(client, viewer):
    viewer.preferred_language = "fr"
    viewer.save()

    response = _log_in(client, viewer)

    assert response.status_code == 302
    assert response["Location"] == "/fr/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    assert 'lang="fr"' in client.get(response["Location"]).content.decode()


def test_log_in_keeps_the_next_page_in_the_preferred_language(client, viewer):
    viewer.preferred_language = "it"
    viewer.save()

    response = _log_in(client, viewer, next_url="/spaces/?kind=square")

    assert response["Location"] == "/it/spaces/?kind=square"


def test_log_in_from_a_translated_page_switches_to_the_preferred_language(client, viewer):
    viewer.preferred_language = "de"
    viewer.save()

    response = client.post(
        "/fr/accounts/login/?next=/fr/events/", {"username": "viewer", "password": TEST_PASSWORD}
    )

    assert response["Location"] == "/de/events/"


def test_log_in_without_a_preference_keeps_the_language_of_the_url(client, viewer):
    response = client.post("/it/accounts/login/", {"username": "viewer", "password": TEST_PASSWORD})

    assert response["Location"] == "/it/"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_an_unsafe_next_url_is_not_followed_into_another_language(client, viewer):
    viewer.preferred_language = "fr"
    viewer.save()

    response = _log_in(client, viewer, next_url="https://evil.example/")

    assert response["Location"] == "/fr/"


def test_account_page_sets_the_preferred_language_and_switches_to_it(client, viewer):
    client.force_login(viewer)
    assert "My account" in client.get(reverse("accounts:account")).content.decode()

    response = client.post(reverse("accounts:account"), {"preferred_language": "it"})

    assert response.status_code == 302
    assert response["Location"] == "/it/accounts/me/"
    viewer.refresh_from_db()
    assert viewer.preferred_language == "it"
    page = client.get(response["Location"]).content.decode()
    assert "Il mio account" in page
    assert "Il tuo account è salvato." in page
    event = AuditEvent.objects.get(user=viewer, action="update", object_type="accounts.user")
    assert event.detail == {"event": "preferred_language", "from": "", "to": "it"}


def test_account_page_clears_the_preference(client, viewer):
    viewer.preferred_language = "fr"
    viewer.save()
    client.force_login(viewer)

    response = client.post("/fr/accounts/me/", {"preferred_language": ""})

    assert response["Location"] == "/fr/accounts/me/"
    viewer.refresh_from_db()
    assert viewer.preferred_language == ""


def test_account_page_refuses_a_language_it_does_not_offer(client, viewer):
    client.force_login(viewer)

    response = client.post(reverse("accounts:account"), {"preferred_language": "xx"})

    assert response.status_code == 400
    viewer.refresh_from_db()
    assert viewer.preferred_language == ""


def test_nobody_sets_another_persons_language(viewer, city_admin):
    with pytest.raises(NotAllowedError):
        do_set_preferred_language(viewer, "fr", acting_user=city_admin)


def test_the_header_links_to_my_account(client, viewer):
    client.force_login(viewer)
    assert f'href="{reverse("accounts:account")}"' in client.get(reverse("home")).content.decode()


def test_command_line_adds_a_member_audited_as_cli(city):
    person = UserFactory(username="newcomer")

    membership = do_add_member(city, person, "planner", acting_user=None)

    assert (membership.city, membership.role) == (city, "planner")
    assert has_city_perm(person, city, "space.edit")
    event = AuditEvent.objects.get(action="membership", object_id=str(membership.pk))
    assert (event.username, event.user, event.city) == ("cli", None, city)
    assert event.detail == {"event": "added", "user": "newcomer", "role": "planner"}


def test_adding_an_existing_member_changes_their_role_once(city, viewer):
    do_add_member(city, viewer, "security", acting_user=None)
    do_add_member(city, viewer, "security", acting_user=None)

    assert Membership.objects.get(user=viewer, city=city).role == "security"
    events = AuditEvent.objects.filter(action="membership", detail__event="role_changed")
    assert [e.detail["from"] for e in events] == ["viewer"]


def test_a_city_admin_adds_members_to_their_city_only(city, other_city, city_admin):
    person = UserFactory()

    do_add_member(city, person, "viewer", acting_user=city_admin)
    with pytest.raises(NotAllowedError):
        do_add_member(other_city, person, "viewer", acting_user=city_admin)
    assert AuditEvent.objects.get(action="membership", user=city_admin).username == city_admin.username


def test_network_experts_belong_to_no_city(city):
    person = UserFactory()

    with pytest.raises(InvalidRequestError):
        do_add_member(None, person, "viewer", acting_user=None)
    with pytest.raises(InvalidRequestError):
        do_add_member(city, person, "expert", acting_user=None)
    assert do_add_member(None, person, "expert", acting_user=None).city is None


def test_the_last_admin_keeps_the_role(city, city_admin):
    with pytest.raises(LastAdminError):
        do_add_member(city, city_admin, "viewer", acting_user=None)
    assert Membership.objects.get(user=city_admin, city=city).role == "admin"
