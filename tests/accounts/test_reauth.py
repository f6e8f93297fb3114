"""Restricted exports and role changes need the password confirmed within PACTESUR_REAUTH_MINUTES."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.urls import reverse

from pactesur.accounts.models import ApiToken, Invitation, hash_token
from pactesur.accounts.reauth import REAUTH_AT_KEY
from pactesur.audit.models import AuditAction, AuditEvent
from pactesur.cities.models import Membership
from pactesur.web.config import Config, ConfigError
from tests.auth_support import confirm_password, enrol, fresh_code, wait_out_throttle
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

CONFIRM = "/accounts/confirm/"


def _confirm_location(next_url: str) -> str:
    from urllib.parse import urlencode

    return f"{CONFIRM}?{urlencode({'next': next_url})}"


def _confirmed_minutes_ago(client, minutes: float) -> None:  # type: ignore[no-untyped-def]
    session = client.session
    session[REAUTH_AT_KEY] = time.time() - 60.0 * minutes
    session.save()


@pytest.fixture
def exports(city, security_officer) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Every restricted export's URL, with the records it needs: a space with its analysis, an assessment."""
    from tests.analysis.factories import make_analysis
    from tests.assessments.helpers import rate, settle_the_rest, start
    from tests.streets.factories import StreetNetworkFactory

    assessment = start(city, security_officer, peak_crowd=1000)
    rate(assessment, "vehicle", 3, 3, security_officer)
    settle_the_rest(assessment, security_officer)
    make_analysis(assessment.space, StreetNetworkFactory(city=city))
    space = assessment.space.pk
    return {
        "spaces geojson": "/spaces/export.geojson",
        "spaces csv": "/spaces/export.csv",
        "events csv": "/events/export.csv",
        "analysis json": f"/analysis/spaces/{space}/export.json",
        "analysis geojson": f"/analysis/spaces/{space}/export.geojson",
        "city report": "/assessments/report.pdf",
        "space report": f"/assessments/{assessment.pk}/report.pdf",
        "audit csv": "/audit/export.csv",
    }


EXPORTS = [
    "spaces geojson",
    "spaces csv",
    "events csv",
    "analysis json",
    "analysis geojson",
    "city report",
    "space report",
    "audit csv",
]


@pytest.mark.parametrize("export", EXPORTS)
def test_an_export_goes_to_the_confirm_page_which_comes_back_to_it(
    client, city_admin, exports, export
) -> None:  # type: ignore[no-untyped-def]
    url = exports[export]
    client.force_login(city_admin)
    exported_before = AuditEvent.objects.filter(action=AuditAction.EXPORT).count()

    asked = client.get(url)

    assert asked.status_code == 302
    assert asked["Location"] == _confirm_location(url)
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT).count() == exported_before  # nothing left
    page = client.get(asked["Location"])
    assert page.status_code == 200
    assert "Confirm it is you" in page.content.decode()
    assert f'name="next" value="{url}"' in page.content.decode()

    confirmed = client.post(CONFIRM, {"password": TEST_PASSWORD, "next": url})

    assert confirmed.status_code == 302
    assert confirmed["Location"] == url
    download = client.get(url)
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    event = AuditEvent.objects.get(action=AuditAction.REAUTH)
    assert (event.user, event.city, event.detail) == (
        city_admin,
        city_admin.memberships.get().city,
        {"two_factor": False},
    )


def test_logging_in_counts_as_a_fresh_confirmation(client, planner, city) -> None:  # type: ignore[no-untyped-def]
    client.post(reverse("accounts:login"), {"username": "planner", "password": TEST_PASSWORD})
    assert client.get("/spaces/export.csv").status_code == 200


@pytest.mark.parametrize(("minutes", "status"), [(9.5, 200), (10.5, 302)])
def test_a_confirmation_lasts_the_configured_minutes(client, planner, settings, minutes, status) -> None:  # type: ignore[no-untyped-def]
    settings.PACTESUR_REAUTH_MINUTES = 10
    client.force_login(planner)
    confirm_password(client)
    _confirmed_minutes_ago(client, minutes)
    assert client.get("/spaces/export.geojson").status_code == status


def test_a_confirmation_time_in_the_future_is_not_trusted(client, planner) -> None:  # type: ignore[no-untyped-def]
    client.force_login(planner)
    _confirmed_minutes_ago(client, -60)
    assert client.get("/spaces/export.csv").status_code == 302


def test_a_wrong_password_is_refused_and_counted_as_a_failed_log_in(client, planner) -> None:  # type: ignore[no-untyped-def]
    client.force_login(planner)
    response = client.post(CONFIRM, {"password": "not my password", "next": "/spaces/export.csv"})
    assert response.status_code == 400
    assert "The password is wrong." in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.REAUTH).exists()
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, username="planner").exists()
    assert client.get("/spaces/export.csv").status_code == 302


def test_with_two_factor_the_confirmation_needs_a_code_too(client, planner) -> None:  # type: ignore[no-untyped-def]
    device, _codes = enrol(planner)
    client.force_login(planner)
    page = client.get(CONFIRM)
    assert 'name="code"' in page.content.decode()

    without = client.post(CONFIRM, {"password": TEST_PASSWORD})
    assert without.status_code == 400
    wrong = client.post(CONFIRM, {"password": TEST_PASSWORD, "code": "000000"})
    assert wrong.status_code == 400
    assert client.get("/spaces/export.csv").status_code == 302

    wait_out_throttle(planner)
    confirm_password(client, code=fresh_code(device))
    assert client.get("/spaces/export.csv").status_code == 200
    assert AuditEvent.objects.get(action=AuditAction.REAUTH).detail == {"two_factor": True}


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example.org/phish",
        "//evil.example.org/phish",
        "/\\evil.example.org/phish",
        "http://testserver.evil.example.org/",
        "javascript:alert(1)",
    ],
)
def test_the_confirm_page_never_leads_to_another_site(client, planner, next_url) -> None:  # type: ignore[no-untyped-def]
    client.force_login(planner)
    page = client.get(CONFIRM, {"next": next_url})
    assert next_url not in page.content.decode()
    response = client.post(CONFIRM, {"password": TEST_PASSWORD, "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_the_confirm_page_keeps_a_full_url_of_this_site_as_a_path(client, planner) -> None:  # type: ignore[no-untyped-def]
    client.force_login(planner)
    response = client.post(CONFIRM, {"password": TEST_PASSWORD, "next": "http://testserver/events/?q=1"})
    assert response["Location"] == "/events/?q=1"


# --- role changes ----------------------------------------------------------------------------------


def _members_referer() -> dict[str, str]:
    return {"referer": "http://testserver" + reverse("accounts:members")}


ROLE_CHANGES = {
    "change role": lambda m: (reverse("accounts:member_role", args=[m.pk]), {f"m{m.pk}-role": "admin"}),
    "remove": lambda m: (reverse("accounts:member_remove", args=[m.pk]), {}),
    "invite admin": lambda m: (
        reverse("accounts:member_invite"),
        {"email": "new@example.org", "role": "admin"},
    ),
    "invite security": lambda m: (
        reverse("accounts:member_invite"),
        {"email": "new@example.org", "role": "security"},
    ),
}


def _state(membership: Any) -> tuple[Any, ...]:
    return (
        tuple(Membership.objects.filter(pk=membership.pk).values_list("role", flat=True)),
        Invitation.objects.count(),
    )


@pytest.mark.parametrize("change", list(ROLE_CHANGES))
def test_a_role_change_without_a_recent_confirmation_goes_to_the_confirm_page_and_back_to_the_form(
    client, city_admin, viewer, change
):  # type: ignore[no-untyped-def]
    membership = Membership.objects.get(user=viewer)
    url, data = ROLE_CHANGES[change](membership)
    client.force_login(city_admin)
    before = _state(membership)

    response = client.post(url, data, headers=_members_referer())

    assert response.status_code == 302
    assert response["Location"] == _confirm_location(reverse("accounts:members"))
    assert _state(membership) == before  # nothing changed
    page = client.get(response["Location"])
    assert "Confirm your password, then submit the form again." in page.content.decode()
    back = client.post(CONFIRM, {"password": TEST_PASSWORD, "next": reverse("accounts:members")})
    assert back["Location"] == reverse("accounts:members")

    done = client.post(url, data, headers=_members_referer())

    assert done.status_code == 302
    assert done["Location"] == reverse("accounts:members")
    assert _state(membership) != before


def test_a_form_posted_from_another_site_returns_to_a_safe_page(client, city_admin, viewer) -> None:  # type: ignore[no-untyped-def]
    membership = Membership.objects.get(user=viewer)
    client.force_login(city_admin)
    response = client.post(
        reverse("accounts:member_remove", args=[membership.pk]),
        headers={"referer": "https://evil.example.org/accounts/members/"},
    )
    assert response["Location"] == _confirm_location(reverse("accounts:members"))


@pytest.mark.parametrize("role", ["planner", "trainer", "viewer"])
def test_inviting_to_a_role_without_restricted_rights_needs_no_confirmation(client, city_admin, role) -> None:  # type: ignore[no-untyped-def]
    client.force_login(city_admin)
    response = client.post(reverse("accounts:member_invite"), {"email": "new@example.org", "role": role})
    assert response["Location"] == reverse("accounts:members")
    assert Invitation.objects.get().role == role


def test_a_member_without_the_right_still_gets_403_after_confirming(client, planner, viewer) -> None:  # type: ignore[no-untyped-def]
    client.force_login(planner)
    confirm_password(client)
    membership = Membership.objects.get(user=viewer)
    assert client.post(reverse("accounts:member_remove", args=[membership.pk])).status_code == 403
    assert client.get("/audit/export.csv").status_code == 403


# --- API tokens ------------------------------------------------------------------------------------


def test_api_exports_take_the_token_as_their_credential_without_confirmation(client, planner) -> None:  # type: ignore[no-untyped-def]
    raw = ApiToken.new_raw_token()
    ApiToken.objects.create(user=planner, name="GIS", token_hash=hash_token(raw), prefix=raw[:8])
    response = client.get("/api/v1/spaces/geojson", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200


# --- configuration ---------------------------------------------------------------------------------


def test_the_window_is_read_from_the_environment(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {"PACTESUR_DATA_DIR": str(tmp_path)}
    assert Config.from_env(env).reauth_minutes == 10.0
    assert Config.from_env({**env, "PACTESUR_REAUTH_MINUTES": "5"}).reauth_minutes == 5.0
    with pytest.raises(ConfigError, match="PACTESUR_REAUTH_MINUTES"):
        Config.from_env({**env, "PACTESUR_REAUTH_MINUTES": "never"})
