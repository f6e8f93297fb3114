"""Helpers for tests that pass re-authentication and two-factor log-in as a person does."""

from __future__ import annotations

import time
from typing import Any

from django.urls import reverse
from django_otp.oath import TOTP

from tests.factories import TEST_PASSWORD


def confirm_password(client: Any, password: str = TEST_PASSWORD, *, code: str | None = None) -> None:
    """Confirm the password (and a code) on the real confirm page, as before an export or a role change."""
    data = {"password": password, **({"code": code} if code is not None else {})}
    response = client.post(reverse("accounts:reauth"), data)
    assert response.status_code == 302, f"the confirm page refused: {response.status_code}"


def totp_code(device: Any, *, steps_ahead: int = 0) -> str:
    """The code an authenticator app holding `device`'s secret shows now, or `steps_ahead` 30-s steps later.

    django-otp accepts each time step once and one step either side of now, so a second code in
    the same half-minute is the next step's.
    """
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def enrol(user: Any) -> tuple[Any, list[str]]:
    """Turn two-factor log-in on for `user` through the actions; return the device and recovery codes."""
    from pactesur.accounts import actions

    device = actions.do_start_two_factor(user, acting_user=user)
    codes = actions.do_enable_two_factor(device, totp_code(device), acting_user=user)
    return device, codes


def fresh_code(device: Any) -> str:
    """A code the server accepts now, as if the app's previous code had been used half a minute ago.

    django-otp accepts each 30-s step once; a test that needs several codes within one step moves
    the device's last used step back instead of sleeping.
    """
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    device.refresh_from_db()
    return totp_code(device)


def wait_out_throttle(user: Any) -> None:
    """Move django-otp's last failure back a day, as if the person had waited before the next try."""
    import datetime

    from django.utils import timezone
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    long_ago = timezone.now() - datetime.timedelta(days=1)
    for model in (TOTPDevice, StaticDevice):
        model.objects.filter(user=user, throttling_failure_count__gt=0).update(
            throttling_failure_timestamp=long_ago
        )
