"""Two-factor log-in: authenticator-app codes (TOTP) and one-time recovery codes, with django-otp.

A person has at most one TOTP device and one static device holding their recovery codes; both are
created unconfirmed or replaced by `pactesur.accounts.actions`, which also audits every change.
This module reads them, checks a code, and draws the enrolment QR code as inline SVG (no outside
service sees the secret). A city may require two-factor log-in of its administrators and security
managers (`City.two_factor_required`, `PRIVILEGED_ROLES`).
"""

from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET
from typing import Any

import qrcode
import qrcode.image.svg
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.utils import timezone
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from pactesur.accounts.errors import TooManyCodesError
from pactesur.cities.models import City, roles_of, user_cities
from pactesur.cities.roles import PRIVILEGED_ROLES

# How many recovery codes a person gets at once (each works once).
RECOVERY_CODE_COUNT = 10
# Digits of an authenticator-app code (django-otp's and every common app's default).
TOTP_DIGITS = 6
_SEPARATORS = re.compile(r"[\s-]+")


def totp_device(user: Any, *, confirmed: bool = True) -> TOTPDevice | None:
    """The person's authenticator-app device (confirmed, or the one being set up), or None."""
    if user is None or not user.is_authenticated:
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("pk").first()


def recovery_device(user: Any) -> StaticDevice | None:
    """The device holding the person's recovery codes, or None."""
    return StaticDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_two_factor(user: Any) -> bool:
    """Does `user` log in with a code from an authenticator app?"""
    return bool(
        user is not None
        and user.is_authenticated
        and TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    )


def recovery_codes_left(user: Any) -> int:
    device = recovery_device(user)
    return device.token_set.count() if device is not None else 0


def session_is_verified(user: Any) -> bool:
    """Was this session's log-in completed with a code? (django-otp's OTPMiddleware says.)"""
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified is not None and is_verified())


def cities_requiring_two_factor(user: Any) -> list[City]:
    """The cities that require two-factor log-in of `user`, for the role `user` holds there."""
    if user is None or not user.is_authenticated:
        return []
    return list(
        City.objects.filter(
            two_factor_required=True,
            memberships__user=user,
            memberships__role__in=PRIVILEGED_ROLES,
        ).distinct()
    )


def two_factor_required(user: Any) -> bool:
    """Does one of `user`'s cities require two-factor log-in for the role they hold there?

    Asked on every request: answered from the user's cities and roles as read once for the request
    (`user_cities`, `roles_of`); a city where the user holds a role is always one they may open.
    """
    if user is None or not user.is_authenticated:
        return False
    return any(
        city.two_factor_required and roles_of(user, city) & PRIVILEGED_ROLES for city in user_cities(user)
    )


def normalise_code(text: str) -> str:
    """A code as typed: spaces and hyphens dropped, lower case (recovery codes are shown grouped)."""
    return _SEPARATORS.sub("", text or "").lower()


def wait_before_next_try_s(device: Device) -> int:
    """Seconds left before `device` accepts another try (django-otp doubles the wait after each failure)."""
    allowed, info = device.verify_is_allowed()
    if allowed or not info or "locked_until" not in info:
        return 0
    left_s: float = (info["locked_until"] - timezone.now()).total_seconds()
    return max(1, round(left_s))


def verify_code(user: Any, code: str) -> Device | None:
    """Check a code of `user`: six digits against their authenticator app, anything else as a recovery code.

    Returns the device that accepted it (a recovery code is used up), or None. A TOTP code is
    accepted once (django-otp keeps the last time step used) within one step (30 s) either side.
    Raises TooManyCodesError while django-otp's per-device throttle makes the person wait after
    wrong codes (1, 2, 4, 8… seconds, whichever address they come from); log-in pages also count
    each wrong code as a failed log-in, so django-axes locks the account from that address as it
    does for wrong passwords.
    """
    code = normalise_code(code)
    if not code:
        return None
    model: type[TOTPDevice] | type[StaticDevice] = (
        TOTPDevice if len(code) == TOTP_DIGITS and code.isdigit() else StaticDevice
    )
    with transaction.atomic():
        # Locked for the check, so two requests cannot both use one recovery code or one time step.
        device = model.objects.select_for_update().filter(user=user, confirmed=True).order_by("pk").first()
        if device is None:
            return None
        wait_s = wait_before_next_try_s(device)
        if wait_s:
            raise TooManyCodesError(wait_s)
        accepted = device.verify_token(code)
    return device if accepted else None


def otpauth_url(device: TOTPDevice) -> str:
    """The otpauth:// link an authenticator app reads from the QR code (issuer: OTP_TOTP_ISSUER)."""
    return str(device.config_url)


def secret_text(device: TOTPDevice) -> str:
    """The secret in base 32, in groups of four, for people who type it instead of scanning."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice, *, title: str) -> str:
    """The enrolment QR code as an inline <svg> element: no style attribute, nothing fetched."""
    image = qrcode.make(
        otpauth_url(device),
        image_factory=qrcode.image.svg.SvgPathFillImage,
        box_size=10,
        border=4,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
    )
    root = image.get_image()
    # A fixed size in CSS pixels; the viewBox keeps it sharp at any zoom.
    root.set("width", "220")
    root.set("height", "220")
    root.set("role", "img")
    root.set("class", "qr-code")
    label = ET.Element("title")
    label.text = title
    root.insert(0, label)
    return ET.tostring(root, encoding="unicode")


def record_failed_code(request: Any, user: Any) -> None:
    """Count a wrong code as a failed log-in: audited, and counted by django-axes as wrong passwords are."""
    user_login_failed.send(
        sender=__name__, credentials={"username": user.get_username(), "two_factor": True}, request=request
    )


def password_confirms(request: Any, user: Any, password: str) -> bool:
    """Is `password` the password of `user`? Checked by the log-in backends, so throttled and audited."""
    if not password:
        return False
    confirmed = authenticate(request, username=user.get_username(), password=password)
    return confirmed is not None and confirmed.pk == user.pk
