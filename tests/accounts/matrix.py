"""Permission rows of the accounts pages: members, invitations, API tokens, password change, two-factor
log-in, password confirmation; and the way to the confirm page of every restricted export and role change."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from tests.factories import TEST_PASSWORD
from tests.matrix_support import LOGGED_IN, MatrixRow, current_city_statuses, every_role, statuses


def _target_membership(city: Any, other_city: Any, user_by_role: Any) -> dict[str, Any]:
    from tests.factories import MembershipFactory, UserFactory

    return {"membership": MembershipFactory(user=UserFactory(username="target"), city=city, role="viewer")}


def _pending_invitation(city: Any, other_city: Any, user_by_role: Any) -> dict[str, Any]:
    from pactesur.accounts.models import Invitation, hash_token

    invitation = Invitation.objects.create(
        city=city,
        email="invitee@example.org",
        role="planner",
        token_hash=hash_token("matrix-invitation"),
        expires_at=Invitation.default_expiry(),
    )
    return {"invitation": invitation}


def _admins_token(city: Any, other_city: Any, user_by_role: Any) -> dict[str, Any]:
    from pactesur.accounts.models import ApiToken, hash_token

    token = ApiToken.objects.create(
        user=user_by_role("admin"), name="admin's", token_hash=hash_token("pct_matrix"), prefix="pct_matr"
    )
    return {"token": token}


def _space(city: Any, other_city: Any, user_by_role: Any) -> dict[str, Any]:
    from tests.spaces.helpers import make_space

    return {"space": make_space(city, None)}


def _assessment(city: Any, other_city: Any, user_by_role: Any) -> dict[str, Any]:
    from tests.assessments.helpers import start

    return {"assessment": start(city, None)}


# Pages about the current city: admins of any city manage their own; people without a city get 403.
_CURRENT_CITY_ADMIN = current_city_statuses({"admin"})
# Without a recent password confirmation, every logged-in person is sent to the confirm page (302)
# before the view looks at their role: the confirm page shows nothing of the city, and the export's
# own permission check (403 or 404) follows the confirmation. Anonymous visitors go to the log-in page.
_TO_CONFIRM = statuses(LOGGED_IN, ok=302)

ROWS = [
    MatrixRow(
        name="password-change",
        method="GET",
        url=lambda s: reverse("accounts:password_change"),
        expect=statuses(LOGGED_IN),
    ),
    MatrixRow(
        name="password-change-done",
        method="GET",
        url=lambda s: reverse("accounts:password_change_done"),
        expect=statuses(LOGGED_IN),
    ),
    MatrixRow(
        name="members",
        method="GET",
        url=lambda s: reverse("accounts:members"),
        expect=_CURRENT_CITY_ADMIN,
    ),
    # The members page serves any method: a POST shows the page and changes nothing (invitations,
    # roles and removals have their own POST routes).
    MatrixRow(
        name="members-post",
        method="POST",
        url=lambda s: reverse("accounts:members"),
        expect=_CURRENT_CITY_ADMIN,
    ),
    MatrixRow(
        # Without the current password the form is shown again with its errors.
        name="password-change-post",
        method="POST",
        url=lambda s: reverse("accounts:password_change"),
        data={"old_password": "wrong", "new_password1": "x", "new_password2": "y"},
        expect=statuses(LOGGED_IN),
    ),
    MatrixRow(
        name="member-invite",
        method="POST",
        url=lambda s: reverse("accounts:member_invite"),
        data={"email": "new.person@example.org", "role": "viewer"},
        expect=current_city_statuses({"admin"}, ok=302),
    ),
    MatrixRow(
        name="member-role",
        method="POST",
        url=lambda s: reverse("accounts:member_role", args=[s["membership"].pk]),
        setup=_target_membership,
        data=lambda s: {f"m{s['membership'].pk}-role": "planner"},
        expect=statuses({"admin"}, ok=302),
    ),
    MatrixRow(
        name="member-remove",
        method="POST",
        url=lambda s: reverse("accounts:member_remove", args=[s["membership"].pk]),
        setup=_target_membership,
        expect=statuses({"admin"}, ok=302),
    ),
    MatrixRow(
        name="invitation-revoke",
        method="POST",
        url=lambda s: reverse("accounts:invitation_revoke", args=[s["invitation"].pk]),
        setup=_pending_invitation,
        expect=statuses({"admin"}, ok=302),
    ),
    MatrixRow(
        name="account",
        method="GET",
        url=lambda s: reverse("accounts:account"),
        expect=statuses(LOGGED_IN),
    ),
    MatrixRow(
        name="account-save",
        method="POST",
        url=lambda s: reverse("accounts:account"),
        data={"preferred_language": ""},
        expect=statuses(LOGGED_IN, ok=302),
    ),
    MatrixRow(
        name="api-tokens",
        method="GET",
        url=lambda s: reverse("accounts:api_tokens"),
        expect=statuses(LOGGED_IN),
    ),
    MatrixRow(
        name="api-token-create",
        method="POST",
        url=lambda s: reverse("accounts:api_tokens"),
        data={"name": "GIS sync"},
        expect=statuses(LOGGED_IN),
    ),
    MatrixRow(
        # Tokens are personal: anyone but their owner gets 404, whatever their role.
        name="api-token-revoke",
        method="POST",
        url=lambda s: reverse("accounts:api_token_revoke", args=[s["token"].pk]),
        setup=_admins_token,
        expect=statuses({"admin"}, ok=302, denied=404),
    ),
    MatrixRow(
        name="reauth",
        method="GET",
        url=lambda s: reverse("accounts:reauth") + "?next=/spaces/export.csv",
        expect=statuses(LOGGED_IN),
        recent_auth=False,
    ),
    MatrixRow(
        name="reauth-confirm",
        method="POST",
        url=lambda s: reverse("accounts:reauth"),
        data={"password": TEST_PASSWORD, "next": "/"},
        expect=statuses(LOGGED_IN, ok=302),
    ),
    MatrixRow(
        name="two-factor",
        method="GET",
        url=lambda s: reverse("accounts:two_factor"),
        expect=statuses(LOGGED_IN),
    ),
    # The page only shows: setting up, new recovery codes and turning it off have their own routes.
    MatrixRow(
        name="two-factor-post",
        method="POST",
        url=lambda s: reverse("accounts:two_factor"),
        expect=every_role(405),
    ),
    MatrixRow(
        name="two-factor-setup",
        method="GET",
        url=lambda s: reverse("accounts:two_factor_setup"),
        expect=statuses(LOGGED_IN),
    ),
    MatrixRow(
        # A wrong code: the form says so.
        name="two-factor-setup-confirm",
        method="POST",
        url=lambda s: reverse("accounts:two_factor_setup"),
        data={"code": "000000"},
        expect=statuses(LOGGED_IN, ok=400),
    ),
    MatrixRow(
        # Nobody has two-factor log-in here: "turn it on first", back to the two-factor page.
        name="two-factor-recovery-codes",
        method="POST",
        url=lambda s: reverse("accounts:two_factor_recovery"),
        expect=statuses(LOGGED_IN, ok=302),
    ),
    MatrixRow(
        name="two-factor-disable",
        method="POST",
        url=lambda s: reverse("accounts:two_factor_disable"),
        data={"password": TEST_PASSWORD, "code": "000000"},
        expect=statuses(LOGGED_IN, ok=400),
    ),
    # The same exports and role changes without a recent password confirmation: to the confirm page.
    MatrixRow(
        "reauth spaces export geojson",
        "GET",
        lambda s: "/spaces/export.geojson",
        _TO_CONFIRM,
        recent_auth=False,
    ),
    MatrixRow(
        "reauth spaces export csv", "GET", lambda s: "/spaces/export.csv", _TO_CONFIRM, recent_auth=False
    ),
    MatrixRow(
        "reauth events export csv", "GET", lambda s: "/events/export.csv", _TO_CONFIRM, recent_auth=False
    ),
    MatrixRow(
        "reauth analysis city speeds csv",
        "GET",
        lambda s: f"/analysis/{s['city'].pk}/speeds/N3F.csv",
        _TO_CONFIRM,
        recent_auth=False,
    ),
    MatrixRow(
        "reauth analysis export json",
        "GET",
        lambda s: f"/analysis/spaces/{s['space'].pk}/export.json",
        _TO_CONFIRM,
        _space,
        recent_auth=False,
    ),
    MatrixRow(
        "reauth analysis export geojson",
        "GET",
        lambda s: f"/analysis/spaces/{s['space'].pk}/export.geojson",
        _TO_CONFIRM,
        _space,
        recent_auth=False,
    ),
    MatrixRow(
        "reauth city report", "GET", lambda s: "/assessments/report.pdf", _TO_CONFIRM, recent_auth=False
    ),
    MatrixRow(
        "reauth space report",
        "GET",
        lambda s: f"/assessments/{s['assessment'].pk}/report.pdf",
        _TO_CONFIRM,
        _assessment,
        recent_auth=False,
    ),
    # The audit page's own decorator checks the role first: only admins reach the confirm page.
    MatrixRow(
        "reauth audit export",
        "GET",
        lambda s: reverse("audit:export"),
        current_city_statuses({"admin"}, ok=302),
        recent_auth=False,
    ),
    MatrixRow(
        name="reauth member-role",
        method="POST",
        url=lambda s: reverse("accounts:member_role", args=[s["membership"].pk]),
        setup=_target_membership,
        data=lambda s: {f"m{s['membership'].pk}-role": "security"},
        expect=statuses({"admin"}, ok=302),
        recent_auth=False,
    ),
    MatrixRow(
        name="reauth member-remove",
        method="POST",
        url=lambda s: reverse("accounts:member_remove", args=[s["membership"].pk]),
        setup=_target_membership,
        expect=statuses({"admin"}, ok=302),
        recent_auth=False,
    ),
    MatrixRow(
        name="reauth member-invite-admin",
        method="POST",
        url=lambda s: reverse("accounts:member_invite"),
        data={"email": "new.admin@example.org", "role": "admin"},
        expect=current_city_statuses({"admin"}, ok=302),
        recent_auth=False,
    ),
]
