"""City administrators invite people, change roles and remove members; every change is audited."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from pactesur.accounts import actions
from pactesur.accounts.errors import InvitationError, LastAdminError
from pactesur.accounts.models import Invitation
from pactesur.audit.models import AuditAction, AuditEvent
from pactesur.cities.errors import NotAllowedError
from pactesur.cities.models import Membership
from tests.auth_support import confirm_password
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _invite(client, email="ana@example.org", role="planner"):  # type: ignore[no-untyped-def]
    return client.post(reverse("accounts:member_invite"), {"email": email, "role": role})


def _link_from_last_mail() -> str:
    match = re.search(r"https?://\S+/accounts/invitation/\S+/", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(0)


def test_admin_invites_by_email_and_the_link_is_mailed_on_commit(  # type: ignore[no-untyped-def]
    client, city_admin, city, django_capture_on_commit_callbacks
) -> None:
    client.force_login(city_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(client)
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.city, invitation.email, invitation.role) == (city, "ana@example.org", "planner")
    assert invitation.is_pending
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ana@example.org"]
    assert "Nice" in mail.outbox[0].subject
    assert AuditEvent.objects.filter(
        action=AuditAction.MEMBERSHIP, city=city, detail__event="invited"
    ).exists()


def test_invitee_without_account_sets_username_and_password_and_becomes_member(  # type: ignore[no-untyped-def]
    client, city_admin, city, django_capture_on_commit_callbacks
) -> None:
    client.force_login(city_admin)
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client)
    link = _link_from_last_mail()
    client.logout()
    form_page = client.get(link)
    assert form_page.status_code == 200
    assert b"Nice" in form_page.content
    response = client.post(
        link,
        {"username": "ana", "password1": "a long walk on the prom", "password2": "a long walk on the prom"},
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user__username="ana")
    assert (membership.city, membership.role, membership.user.email) == (city, "planner", "ana@example.org")
    assert membership.user.password.startswith("argon2")
    assert client.get(reverse("home")).status_code == 200  # logged in as the new member
    assert client.get(link).status_code == 404  # the link works once


def test_invitee_form_with_mismatched_passwords_creates_nothing(  # type: ignore[no-untyped-def]
    client, city_admin, django_capture_on_commit_callbacks
) -> None:
    client.force_login(city_admin)
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client)
    link = _link_from_last_mail()
    client.logout()
    response = client.post(
        link, {"username": "ana", "password1": "a long walk on the prom", "password2": "other"}
    )
    assert response.status_code == 400
    assert b"The two passwords differ" in response.content
    assert not Membership.objects.filter(user__username="ana").exists()
    assert Invitation.objects.get().is_pending


def test_existing_user_logged_in_with_the_invited_address_accepts(  # type: ignore[no-untyped-def]
    client, city_admin, other_city_admin, city, django_capture_on_commit_callbacks
) -> None:
    client.force_login(city_admin)
    confirm_password(client)  # inviting someone as security manager needs it
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, email=other_city_admin.email, role="security")
    link = _link_from_last_mail()
    client.force_login(other_city_admin)
    assert client.post(link).status_code == 302
    assert Membership.objects.get(user=other_city_admin, city=city).role == "security"
    assert client.session["pactesur_city_id"] == city.pk


def test_logged_in_user_cannot_accept_an_invitation_sent_to_someone_else(  # type: ignore[no-untyped-def]
    client, city_admin, other_city_admin, city, django_capture_on_commit_callbacks
) -> None:
    client.force_login(city_admin)
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, email="someone.else@example.org")
    link = _link_from_last_mail()
    client.force_login(other_city_admin)
    response = client.post(link)
    assert response.status_code == 200
    assert b"another account" in response.content
    assert not Membership.objects.filter(user=other_city_admin, city=city).exists()


def test_expired_or_revoked_invitation_link_is_refused(  # type: ignore[no-untyped-def]
    client, city_admin, django_capture_on_commit_callbacks
) -> None:
    client.force_login(city_admin)
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client)
    link = _link_from_last_mail()
    invitation = Invitation.objects.get()
    assert client.post(reverse("accounts:invitation_revoke", args=[invitation.pk])).status_code == 302
    client.logout()
    assert client.get(link).status_code == 404
    assert client.post(link, {"username": "x", "password1": "p", "password2": "p"}).status_code == 404
    assert not Membership.objects.filter(user__username="x").exists()


def test_inviting_an_existing_member_is_refused_with_a_message(client, city_admin, planner) -> None:  # type: ignore[no-untyped-def]
    client.force_login(city_admin)
    response = _invite(client, email=planner.email)
    assert response.status_code == 400
    assert b"already a member" in response.content
    assert not Invitation.objects.exists()


def test_invite_with_garbage_email_shows_the_form_error(client, city_admin) -> None:  # type: ignore[no-untyped-def]
    client.force_login(city_admin)
    response = _invite(client, email="not an address", role="overlord")
    assert response.status_code == 400
    assert not Invitation.objects.exists()


def test_inviting_again_replaces_the_pending_invitation(city_admin, city) -> None:  # type: ignore[no-untyped-def]
    first = actions.do_invite_member(
        city, "ana@example.org", "viewer", acting_user=city_admin, accept_url=str
    )
    second = actions.do_invite_member(
        city, "ana@example.org", "planner", acting_user=city_admin, accept_url=str
    )
    first.refresh_from_db()
    assert not first.is_pending
    assert second.is_pending


def test_non_admin_cannot_invite_through_the_action(city, planner) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotAllowedError):
        actions.do_invite_member(city, "ana@example.org", "viewer", acting_user=planner, accept_url=str)
    assert not Invitation.objects.exists()


def test_accepting_twice_is_refused(city, city_admin) -> None:  # type: ignore[no-untyped-def]
    invitation = actions.do_invite_member(
        city, "ana@example.org", "viewer", acting_user=city_admin, accept_url=str
    )
    actions.do_accept_invitation(
        invitation, acting_user=None, username="ana", password="a long walk on the prom"
    )
    with pytest.raises(InvitationError):
        actions.do_accept_invitation(
            invitation, acting_user=None, username="ana2", password="a long walk on the prom"
        )


def test_admin_changes_a_members_role_and_it_is_audited(client, city_admin, viewer, city) -> None:  # type: ignore[no-untyped-def]
    membership = Membership.objects.get(user=viewer)
    client.force_login(city_admin)
    confirm_password(client)
    response = client.post(
        reverse("accounts:member_role", args=[membership.pk]), {f"m{membership.pk}-role": "security"}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == "security"
    event = AuditEvent.objects.get(action=AuditAction.MEMBERSHIP, detail__event="role_changed")
    assert event.detail["from"] == "viewer"
    assert event.detail["to"] == "security"
    assert event.city == city


def test_admin_removes_a_member(client, city_admin, viewer) -> None:  # type: ignore[no-untyped-def]
    membership = Membership.objects.get(user=viewer)
    client.force_login(city_admin)
    confirm_password(client)
    assert client.post(reverse("accounts:member_remove", args=[membership.pk])).status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert AuditEvent.objects.filter(detail__event="removed").exists()


def test_the_last_admin_can_be_neither_removed_nor_demoted(client, city_admin, city) -> None:  # type: ignore[no-untyped-def]
    membership = Membership.objects.get(user=city_admin)
    client.force_login(city_admin)
    confirm_password(client)
    response = client.post(reverse("accounts:member_remove", args=[membership.pk]), follow=True)
    assert b"needs at least one administrator" in response.content
    client.post(reverse("accounts:member_role", args=[membership.pk]), {f"m{membership.pk}-role": "viewer"})
    membership.refresh_from_db()
    assert membership.role == "admin"
    with pytest.raises(LastAdminError):
        actions.do_change_role(membership, "viewer", acting_user=city_admin)


def test_an_admin_can_step_down_when_another_admin_remains(city_admin, city) -> None:  # type: ignore[no-untyped-def]
    MembershipFactory(user=UserFactory(username="second_admin"), city=city, role="admin")
    membership = Membership.objects.get(user=city_admin)
    actions.do_change_role(membership, "viewer", acting_user=city_admin)
    membership.refresh_from_db()
    assert membership.role == "viewer"


def test_admin_of_another_city_gets_404_on_a_membership_of_this_city(  # type: ignore[no-untyped-def]
    client, other_city_admin, viewer
) -> None:
    membership = Membership.objects.get(user=viewer)
    client.force_login(other_city_admin)
    response = client.post(
        reverse("accounts:member_role", args=[membership.pk]), {f"m{membership.pk}-role": "admin"}
    )
    assert response.status_code == 404
    membership.refresh_from_db()
    assert membership.role == "viewer"


def test_members_page_lists_members_and_pending_invitations(client, city_admin, planner, city) -> None:  # type: ignore[no-untyped-def]
    actions.do_invite_member(city, "ana@example.org", "viewer", acting_user=city_admin, accept_url=str)
    client.force_login(city_admin)
    response = client.get(reverse("accounts:members"))
    assert response.status_code == 200
    assert planner.email.encode() in response.content
    assert b"ana@example.org" in response.content
