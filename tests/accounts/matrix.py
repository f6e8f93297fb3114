"""Permission rows of the accounts pages: members, invitations, API tokens, password change."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from tests.matrix_support import LOGGED_IN, MatrixRow, current_city_statuses, statuses


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


# Pages about the current city: admins of any city manage their own; people without a city get 403.
_CURRENT_CITY_ADMIN = current_city_statuses({"admin"})

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
]
