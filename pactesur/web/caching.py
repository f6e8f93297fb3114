"""Keep restricted answers out of every cache: browsers, proxies and the back button of a shared PC.

Vulnerability assessments, approach analyses and plans are sensitive (issue 9, "Nothing leaked").
Every answer to a signed-in user and every API answer gets `Cache-Control: no-store, private`;
an answer that already says how it may be cached (the base map's `private, no-cache` with its
ETag: OpenStreetMap data, revalidated on every use) keeps its rule and is made `private`. Static
files never reach this middleware (WhiteNoise answers them first) and public pages (the log-in
page) are left to Django.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

from pactesur.web.middleware import API_PATH_PREFIX


class NoStoreMiddleware:
    """`Cache-Control: no-store, private` on the answers to signed-in users and on the API's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        restricted = request.path_info.startswith(API_PATH_PREFIX) or bool(
            user is not None and user.is_authenticated
        )
        if not restricted:
            return response
        if response.has_header("Cache-Control"):
            patch_cache_control(response, private=True)
        else:
            patch_cache_control(response, no_store=True, private=True)
        return response
