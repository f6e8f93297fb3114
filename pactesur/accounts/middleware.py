"""Signed-in sessions end after a period of inactivity, and use two-factor log-in where a city requires it.

A security officer who leaves a browser open on a shared PC must not leave the city's
assessments open with it. A session unused for `PACTESUR_SESSION_IDLE_MINUTES` is ended: the
next request is answered as for a visitor (log-in page, or 401 on the API's session routes),
with a message that says why. The time of the last request is written at most once a minute, so
an active user costs one session write a minute, not one per request.

A city may require two-factor log-in of its administrators and security managers: the second
middleware keeps them on the set-up page until they have it (`TwoFactorRequiredMiddleware`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from pactesur.accounts import two_factor

# Session key of the last request's time (seconds since the epoch).
LAST_SEEN_KEY = "pactesur_last_seen"
# The last-seen time is rewritten only when older than this (seconds).
WRITE_EVERY_S = 60.0


class IdleTimeoutMiddleware:
    """End the session of a signed-in user idle for longer than PACTESUR_SESSION_IDLE_MINUTES."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            idle_s = 60.0 * float(settings.PACTESUR_SESSION_IDLE_MINUTES)
            last = request.session.get(LAST_SEEN_KEY)
            if isinstance(last, int | float) and now - last > idle_s:
                logout(request)
                messages.info(
                    request,
                    _("You were signed out after %(minutes)d minutes without activity.")
                    % {"minutes": round(idle_s / 60.0)},
                )
            elif not isinstance(last, int | float) or now - last > WRITE_EVERY_S:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)


# Pages a person whose city requires two-factor log-in may open before setting it up.
TWO_FACTOR_SETUP_VIEWS = frozenset(
    {
        "accounts:two_factor",
        "accounts:two_factor_setup",
        "accounts:reauth",
        "accounts:login",
        "accounts:login_code",
        "accounts:logout",
        "set_language",
    }
)
# The API authenticates with bearer tokens, its own credential: not sent to the set-up page.
_API_PREFIX = "/api/"


def _is_authenticated(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated)


class TwoFactorRequiredMiddleware:
    """Administrators and security managers of a city that requires two-factor log-in use it.

    Such a person whose session was not verified with a code is sent to the set-up page when they
    have no authenticator app yet, and can open nothing else — of any city — until it is on (the
    account holds rights that city protects, whichever city the page belongs to). Someone who has
    one but whose session predates it (set up in another browser) is logged out to log in with it.
    The Django admin's log-in page, which knows no second step, sends everyone to ours.
    Placed after django-otp's OTPMiddleware, which tells whether the session was verified.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        user = getattr(request, "user", None)
        match = request.resolver_match
        if match is not None and match.view_name == "admin:login" and not _is_authenticated(user):
            # The Django admin's own log-in form would skip the code step: everyone logs in on ours.
            return redirect_to_login(reverse("admin:index"))
        if user is None or not user.is_authenticated or request.path_info.startswith(_API_PREFIX):
            return None
        if match is not None and match.view_name in TWO_FACTOR_SETUP_VIEWS:
            return None
        if two_factor.session_is_verified(user) or not two_factor.two_factor_required(user):
            return None
        if two_factor.has_two_factor(user):
            logout(request)
            messages.info(request, _("Log in again with your two-factor code."))
            return redirect_to_login(request.get_full_path())
        messages.warning(
            request,
            _("Your city requires two-factor log-in for your role: set it up to go on."),
        )
        return redirect("accounts:two_factor_setup")
