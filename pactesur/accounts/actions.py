"""Every change to people, memberships, invitations, API tokens and two-factor devices goes through these."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from pactesur.accounts import two_factor
from pactesur.accounts.errors import (
    InvitationError,
    LastAdminError,
    NotYourInvitationError,
    TooManyCodesError,
    TwoFactorError,
)
from pactesur.accounts.models import ApiToken, Invitation, User, hash_token
from pactesur.audit.actions import do_record_audit
from pactesur.audit.models import AuditAction
from pactesur.cities.actions import CLI_USERNAME
from pactesur.cities.errors import InvalidRequestError, NotAllowedError
from pactesur.cities.models import City, Membership, forget_roles, has_city_perm
from pactesur.cities.roles import CITY_ROLES, Role


def _require_members_manage(user: Any, city: City | None) -> None:
    if city is None or not has_city_perm(user, city, "members.manage"):
        raise NotAllowedError(_("Only an administrator of this city can manage its members."))


def _check_city_role(role: str) -> None:
    if role not in {r.value for r in CITY_ROLES}:
        raise InvalidRequestError(_("“%(role)s” is not a role a city member can hold.") % {"role": role})


def _is_last_admin(membership: Membership) -> bool:
    if membership.role != Role.ADMIN:
        return False
    # Lock the city's admin rows so two concurrent removals cannot both pass the check.
    admins = list(Membership.objects.select_for_update().filter(city=membership.city, role=Role.ADMIN))
    return len(admins) <= 1


def do_invite_member(
    city: City,
    email: str,
    role: str,
    *,
    acting_user: Any,
    accept_url: Callable[[str], str],
    request: Any = None,
) -> Invitation:
    """Invite `email` to join `city` as `role`; the e-mail with the link `accept_url(token)` leaves on commit.

    A new invitation to the same address replaces the pending one, so "send again" is just inviting again.
    """
    _require_members_manage(acting_user, city)
    _check_city_role(role)
    email = User.objects.normalize_email(email.strip()).lower()
    if not email:
        raise InvitationError(_("Enter the e-mail address of the person to invite."))
    if Membership.objects.filter(city=city, user__email__iexact=email).exists():
        raise InvitationError(
            _("%(email)s is already a member of %(city)s.") % {"email": email, "city": city.name}
        )
    raw = Invitation.new_raw_token()
    with transaction.atomic():
        Invitation.objects.pending().filter(city=city, email__iexact=email).update(revoked_at=timezone.now())
        invitation = Invitation.objects.create(
            city=city,
            email=email,
            role=role,
            token_hash=hash_token(raw),
            invited_by=acting_user,
            expires_at=Invitation.default_expiry(),
        )
        do_record_audit(
            AuditAction.MEMBERSHIP,
            acting_user=acting_user,
            city=city,
            obj=invitation,
            detail={"event": "invited", "email": email, "role": role},
            request=request,
        )
        link = accept_url(raw)
        transaction.on_commit(lambda: _send_invitation(invitation, link, acting_user))
    return invitation


def _send_invitation(invitation: Invitation, link: str, inviter: Any) -> None:
    context = {
        "invitation": invitation,
        "link": link,
        "inviter": inviter.get_full_name() or inviter.get_username(),
        "city": invitation.city.name,
        "role": invitation.get_role_display(),
    }
    subject = _("You are invited to join %(city)s on PACTESUR") % {"city": invitation.city.name}
    body = render_to_string("accounts/invitation_email.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email])


def find_pending_invitation(raw_token: str) -> Invitation | None:
    """Return the pending invitation a link token designates, or None (unknown, used, revoked, expired)."""
    return (
        Invitation.objects.pending().select_related("city").filter(token_hash=hash_token(raw_token)).first()
    )


def do_accept_invitation(
    invitation: Invitation,
    *,
    acting_user: Any,
    username: str = "",
    password: str = "",
    request: Any = None,
) -> Membership:
    """Make the invitee a member of the city with the invited role.

    A logged-in user accepts for themselves and must own the invited address; an anonymous invitee
    gives `username` and `password` and a user with the invited address is created.
    """
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not locked.is_pending:
            raise InvitationError(_("This invitation has expired, was revoked or was already used."))
        if acting_user is not None and acting_user.is_authenticated:
            user = acting_user
            if user.email.lower() != locked.email.lower():
                raise NotYourInvitationError(
                    _("This invitation was sent to %(email)s; log in with that account to accept it.")
                    % {"email": locked.email}
                )
        else:
            user = _create_invited_user(locked, username, password)
        membership, created = Membership.objects.get_or_create(
            user=user, city=locked.city, defaults={"role": locked.role}
        )
        locked.accepted_at = timezone.now()
        locked.accepted_by = user
        locked.save(update_fields=["accepted_at", "accepted_by"])
        do_record_audit(
            AuditAction.MEMBERSHIP,
            acting_user=user,
            city=locked.city,
            obj=membership,
            detail={
                "event": "invitation_accepted" if created else "invitation_accepted_already_member",
                "email": locked.email,
                "role": membership.role,
            },
            request=request,
        )
        forget_roles(user)
    return membership


def _create_invited_user(invitation: Invitation, username: str, password: str) -> User:
    username = username.strip()
    if not username:
        raise InvitationError(_("Choose a username."))
    if User.objects.filter(username__iexact=username).exists():
        raise InvitationError(_("The username %(name)s is taken; choose another.") % {"name": username})
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise InvitationError(
            _("An account with %(email)s exists already: log in, then open the invitation link again.")
            % {"email": invitation.email}
        )
    user = User(username=username, email=invitation.email)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise InvitationError(" ".join(exc.messages)) from exc
    user.set_password(password)
    user.save()
    return user


def do_add_member(
    city: City | None, user: User, role: str, *, acting_user: Any, request: Any = None
) -> Membership:
    """Make `user` a member of `city` with `role`, or give an existing member that role.

    `city` None with role "expert" is the network-wide membership. `acting_user` None is the
    command line (recorded as "cli"); anyone else must manage the city's members, and only a
    superuser adds network experts. A city's last administrator keeps that role.
    """
    if city is None:
        if role != Role.EXPERT:
            raise InvalidRequestError(_("Only a network expert belongs to no city."))
        if acting_user is not None and not getattr(acting_user, "is_superuser", False):
            raise NotAllowedError(_("Only a platform administrator can add network experts."))
    else:
        if acting_user is not None:
            _require_members_manage(acting_user, city)
        _check_city_role(role)
    with transaction.atomic():
        membership = Membership.objects.select_for_update().filter(user=user, city=city).first()
        previous = membership.role if membership is not None else None
        if membership is None:
            membership = Membership.objects.create(user=user, city=city, role=role)
        elif previous != role:
            if _is_last_admin(membership):
                raise LastAdminError(_("%(city)s needs at least one administrator.") % {"city": city})
            membership.role = role
            membership.save(update_fields=["role"])
        else:
            return membership
        do_record_audit(
            AuditAction.MEMBERSHIP,
            acting_user=acting_user,
            city=city,
            obj=membership,
            detail={
                "event": "added" if previous is None else "role_changed",
                "user": user.get_username(),
                "role": role,
                **({"from": previous} if previous is not None else {}),
            },
            request=request,
            username="" if acting_user is not None else CLI_USERNAME,
        )
        forget_roles(user)
    return membership


def do_create_member(
    city: City,
    *,
    username: str,
    email: str,
    password: str,
    role: str,
    acting_user: Any,
    request: Any = None,
) -> Membership:
    """Create an account with `password` and make it a member of `city` with `role`.

    How a new city gets its first administrator (`pactesur add-admin`): `acting_user` None is the
    command line (recorded as "cli"); anyone else must manage the city's members. The username,
    e-mail address and password are checked as the sign-up form checks them (free in any case,
    well-formed, the password validators), with Django's own messages.
    """
    if acting_user is not None:
        _require_members_manage(acting_user, city)
    _check_city_role(role)
    user = User(username=username.strip(), email=User.objects.normalize_email(email.strip()).lower())
    if User.objects.filter(username__iexact=user.username).exists():
        raise InvalidRequestError(
            _("The username %(name)s is taken; choose another.") % {"name": user.username}
        )
    try:
        if User.objects.filter(email__iexact=user.email).exists():
            raise user.unique_error_message(User, ("email",))
        user.full_clean(exclude=["password"])
        validate_password(password, user)
    except ValidationError as exc:
        raise InvalidRequestError(" ".join(exc.messages)) from exc
    user.set_password(password)
    with transaction.atomic():
        user.save()
        do_record_audit(
            AuditAction.CREATE,
            acting_user=acting_user,
            city=city,
            obj=user,
            detail={"event": "user_created", "user": user.get_username(), "email": user.email},
            request=request,
            username="" if acting_user is not None else CLI_USERNAME,
        )
        return do_add_member(city, user, role, acting_user=acting_user, request=request)


def do_set_preferred_language(user: User, language: str, *, acting_user: Any, request: Any = None) -> User:
    """Set the language `user` gets after logging in ("" for none); people change only their own."""
    if acting_user is None or acting_user.pk != user.pk:
        raise NotAllowedError(_("You can only change your own account."))
    if language and language not in dict(settings.LANGUAGES):
        raise InvalidRequestError(_("“%(language)s” is not a language of PACTESUR.") % {"language": language})
    with transaction.atomic():
        previous = user.preferred_language
        if previous == language:
            return user
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
        do_record_audit(
            AuditAction.UPDATE,
            acting_user=acting_user,
            obj=user,
            detail={"event": "preferred_language", "from": previous, "to": language},
            request=request,
        )
    return user


def do_revoke_invitation(invitation: Invitation, *, acting_user: Any, request: Any = None) -> None:
    """Withdraw a pending invitation: its link stops working."""
    _require_members_manage(acting_user, invitation.city)
    with transaction.atomic():
        if invitation.accepted_at is not None:
            raise InvitationError(_("This invitation was already accepted; remove the member instead."))
        if invitation.revoked_at is None:
            invitation.revoked_at = timezone.now()
            invitation.save(update_fields=["revoked_at"])
        do_record_audit(
            AuditAction.MEMBERSHIP,
            acting_user=acting_user,
            obj=invitation,
            detail={"event": "invitation_revoked", "email": invitation.email},
            request=request,
        )


def do_change_role(membership: Membership, role: str, *, acting_user: Any, request: Any = None) -> Membership:
    """Give a member another role in their city; a city always keeps at least one administrator."""
    _require_members_manage(acting_user, membership.city)
    _check_city_role(role)
    with transaction.atomic():
        old = membership.role
        if old == role:
            return membership
        if _is_last_admin(membership):
            raise LastAdminError(_("%(city)s needs at least one administrator.") % {"city": membership.city})
        membership.role = role
        membership.save(update_fields=["role"])
        do_record_audit(
            AuditAction.MEMBERSHIP,
            acting_user=acting_user,
            obj=membership,
            detail={"event": "role_changed", "user": membership.user.get_username(), "from": old, "to": role},
            request=request,
        )
        forget_roles(membership.user)
        forget_roles(acting_user)
    return membership


def do_remove_member(membership: Membership, *, acting_user: Any, request: Any = None) -> None:
    """Remove a person from a city; a city always keeps at least one administrator."""
    _require_members_manage(acting_user, membership.city)
    with transaction.atomic():
        if _is_last_admin(membership):
            raise LastAdminError(_("%(city)s needs at least one administrator.") % {"city": membership.city})
        do_record_audit(
            AuditAction.MEMBERSHIP,
            acting_user=acting_user,
            obj=membership,
            detail={"event": "removed", "user": membership.user.get_username(), "role": membership.role},
            request=request,
        )
        membership.delete()
        forget_roles(membership.user)
        forget_roles(acting_user)


def do_create_api_token(name: str, *, acting_user: Any, request: Any = None) -> tuple[ApiToken, str]:
    """Create an API token for `acting_user`; return it with the raw value, which is never stored."""
    name = name.strip()
    if not name:
        raise InvalidRequestError(_("Give the token a name, such as the script that will use it."))
    raw = ApiToken.new_raw_token()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=acting_user, name=name[:80], token_hash=hash_token(raw), prefix=raw[:8]
        )
        do_record_audit(
            AuditAction.CREATE,
            acting_user=acting_user,
            obj=token,
            detail={"event": "api_token"},
            request=request,
        )
    return token, raw


def do_revoke_api_token(token: ApiToken, *, acting_user: Any, request: Any = None) -> None:
    """Revoke one of the user's own API tokens; requests bearing it get 401 from then on."""
    if token.user_id != acting_user.pk:
        raise NotAllowedError(_("You can only revoke your own tokens."))
    with transaction.atomic():
        if not token.revoked:
            token.revoked = True
            token.save(update_fields=["revoked"])
        do_record_audit(
            AuditAction.UPDATE,
            acting_user=acting_user,
            obj=token,
            detail={"event": "api_token_revoked"},
            request=request,
        )


def _require_self(user: User, acting_user: Any) -> None:
    if acting_user is None or acting_user.pk != user.pk:
        raise NotAllowedError(_("You can only change your own account."))


def do_start_two_factor(user: User, *, acting_user: Any) -> TOTPDevice:
    """Return the unconfirmed authenticator-app device `user` is setting up, creating it the first time.

    An unconfirmed device changes nothing at log-in, but a secret now exists: its creation is
    audited, as is its confirmation.
    """
    _require_self(user, acting_user)
    if two_factor.has_two_factor(user):
        raise TwoFactorError(_("Two-factor log-in is already on for your account."))
    with transaction.atomic():
        device = two_factor.totp_device(user, confirmed=False)
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="authenticator app", confirmed=False)
            do_record_audit(
                AuditAction.TWO_FACTOR, acting_user=acting_user, obj=user, detail={"event": "setup_started"}
            )
    return device


def _new_recovery_codes(user: User) -> list[str]:
    """Replace `user`'s recovery codes with RECOVERY_CODE_COUNT new ones; return them (never shown again)."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _i in range(two_factor.RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def do_enable_two_factor(
    device: TOTPDevice, code: str, *, acting_user: Any, request: Any = None
) -> list[str]:
    """Turn two-factor log-in on once `code` shows the app holds the device's secret.

    Returns the new recovery codes, to show once. Raises TwoFactorError for a wrong code,
    TooManyCodesError while django-otp makes the person wait after wrong codes.
    """
    user = device.user
    _require_self(user, acting_user)
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if locked.confirmed:
            raise TwoFactorError(_("Two-factor log-in is already on for your account."))
        wait_s = two_factor.wait_before_next_try_s(locked)
        if wait_s:
            raise TooManyCodesError(wait_s)
        # A wrong code is counted by django-otp's throttle: that write must commit, so no raise in here.
        accepted = locked.verify_token(two_factor.normalise_code(code))
        if accepted:
            locked.confirmed = True
            locked.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user).exclude(pk=locked.pk).delete()
            codes = _new_recovery_codes(user)
            do_record_audit(
                AuditAction.TWO_FACTOR,
                acting_user=acting_user,
                obj=user,
                detail={"event": "enabled", "recovery_codes": len(codes)},
                request=request,
            )
    if not accepted:
        raise TwoFactorError(
            _("This is not the code your app shows: check the phone's clock, then enter the new code.")
        )
    device.refresh_from_db()
    return codes


def do_regenerate_recovery_codes(user: User, *, acting_user: Any, request: Any = None) -> list[str]:
    """Replace the recovery codes of `user` (the old ones stop working); return the new ones."""
    _require_self(user, acting_user)
    if not two_factor.has_two_factor(user):
        raise TwoFactorError(_("Turn two-factor log-in on first."))
    with transaction.atomic():
        codes = _new_recovery_codes(user)
        do_record_audit(
            AuditAction.TWO_FACTOR,
            acting_user=acting_user,
            obj=user,
            detail={"event": "recovery_codes_replaced", "recovery_codes": len(codes)},
            request=request,
        )
    return codes


def do_check_two_factor_code(user: User, code: str, *, request: Any = None) -> Any:
    """Check a log-in or confirmation code of `user`; return the device that accepted it, or None.

    A recovery code is used up, and its use audited with how many remain. Raises TooManyCodesError
    while django-otp makes the person wait after wrong codes.
    """
    with transaction.atomic():
        device = two_factor.verify_code(user, code)
        if isinstance(device, StaticDevice):
            do_record_audit(
                AuditAction.TWO_FACTOR,
                acting_user=user,
                obj=user,
                detail={"event": "recovery_code_used", "left": device.token_set.count()},
                request=request,
            )
    return device


def do_disable_two_factor(
    user: User, *, password: str, code: str, acting_user: Any, request: Any = None
) -> None:
    """Turn two-factor log-in off: needs the password and a code (or a recovery code).

    Refused while a city of `user` requires it for the role they hold there. A wrong password or
    code counts as a failed log-in (audited, and throttled by django-axes).
    """
    _require_self(user, acting_user)
    required = two_factor.cities_requiring_two_factor(user)
    if required:
        raise TwoFactorError(
            _("%(cities)s requires two-factor log-in for your role: it cannot be turned off.")
            % {"cities": ", ".join(city.name for city in required)}
        )
    if not two_factor.has_two_factor(user):
        raise TwoFactorError(_("Two-factor log-in is already off for your account."))
    if not two_factor.password_confirms(request, user, password):
        raise TwoFactorError(_("The password is wrong."))
    if do_check_two_factor_code(user, code, request=request) is None:
        two_factor.record_failed_code(request, user)
        raise TwoFactorError(_("This code is wrong or was already used."))
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        do_record_audit(
            AuditAction.TWO_FACTOR,
            acting_user=acting_user,
            obj=user,
            detail={"event": "disabled"},
            request=request,
        )
