"""Re-authentication before sensitive actions: restricted exports and changes to who holds which role.

A session left open on a shared PC must not be enough to download a city's restricted data or make
someone its administrator. Such views ask that the person confirmed their password (and, when they
use two-factor log-in, a code) within `PACTESUR_REAUTH_MINUTES`; logging in counts as confirming.
Otherwise a GET goes to the confirm page, which comes back to it; a POST (whose form data cannot
survive the detour) goes to the confirm page, which returns to the page the form was on, with a
message to submit again.

The time of the last confirmation lives in the session, so it ends with the session. API bearer
tokens are their own credential and never pass through here.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from pactesur.audit.actions import do_record_audit
from pactesur.audit.models import AuditAction

# Session key of the time (seconds since the epoch) the password was last confirmed.
REAUTH_AT_KEY = "pactesur_reauth_at"

View = Callable[..., HttpResponse]


def reauth_window_s() -> float:
    return 60.0 * float(settings.PACTESUR_REAUTH_MINUTES)


def mark_recent_auth(request: HttpRequest) -> None:
    """Note that the person has just proved who they are (log-in or confirmation)."""
    request.session[REAUTH_AT_KEY] = time.time()


def confirm_recent_auth(request: HttpRequest, *, two_factor: bool) -> None:
    """Record a confirmation made on the confirm page: in the session and in the audit trail."""
    mark_recent_auth(request)
    do_record_audit(
        AuditAction.REAUTH,
        acting_user=request.user,
        city=getattr(request, "city", None),
        detail={"two_factor": two_factor},
        request=request,
    )


def has_recent_auth(request: HttpRequest) -> bool:
    """Did the person confirm their password within the re-authentication window?"""
    at = request.session.get(REAUTH_AT_KEY)
    if not isinstance(at, int | float):
        return False
    age_s = time.time() - at
    # A time in the future is not trusted (a clock set back, or a forged value): ask again.
    return 0.0 <= age_s <= reauth_window_s()


def safe_next(request: HttpRequest, url: str | None) -> str | None:
    """`url` when it leads to this site (a path, or this host with the request's scheme), else None."""
    hosts = {request.get_host()}
    if not url or not url_has_allowed_host_and_scheme(
        url, allowed_hosts=hosts, require_https=request.is_secure()
    ):
        return None
    parts = urlsplit(url)
    local = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    # Kept as a path on this site: checked again, as "https://us//evil.org" leaves "//evil.org".
    if not local.startswith("/") or not url_has_allowed_host_and_scheme(local, allowed_hosts=set()):
        return None
    return local


def confirm_url(next_url: str) -> str:
    return f"{reverse('accounts:reauth')}?{urlencode({'next': next_url})}"


def reauth_redirect(request: HttpRequest, *, fallback: str = "home") -> HttpResponseRedirect | None:
    """None when the person confirmed recently; else the redirect to the confirm page.

    A GET comes back to the same URL after confirming; a POST comes back to the page its form was on
    (the Referer, when it is this site's) or to `fallback` (a URL name), and is not repeated.
    """
    if has_recent_auth(request):
        return None
    if request.method in {"GET", "HEAD"}:
        return HttpResponseRedirect(confirm_url(request.get_full_path()))
    back = safe_next(request, request.headers.get("referer")) or reverse(fallback)
    messages.info(request, _("Confirm your password, then submit the form again."))
    return HttpResponseRedirect(confirm_url(back))


def require_recent_auth(view: View) -> View:
    """Decorate a view of a restricted export or a role change: the password must be recently confirmed.

    Put it under `login_required` (or a decorator that checks the log-in): anonymous visitors go
    to the log-in page, not the confirm page.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            redirect = reauth_redirect(request)
            if redirect is not None:
                return redirect
        return view(request, *args, **kwargs)

    return wrapper
