"""Signed-in sessions end after a period of inactivity (issue 9, "Nothing leaked").

A security officer who leaves a browser open on a shared PC must not leave the city's
assessments open with it. A session unused for `PACTESUR_SESSION_IDLE_MINUTES` is ended: the
next request is answered as for a visitor (log-in page, or 401 on the API's session routes),
with a message that says why. The time of the last request is written at most once a minute, so
an active user costs one session write a minute, not one per request.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

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
