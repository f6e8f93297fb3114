"""The API's language: pages take theirs from the URL prefix, the API from the client's request."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation

API_PATH_PREFIX = "/api/"


class ApiLanguageMiddleware:
    """Answer /api/ requests in the language of their Accept-Language header (or language cookie).

    With i18n_patterns and no prefix for the default language, LocaleMiddleware gives every URL
    without a prefix — the whole API — the default language; API messages (errors, import
    progress, analysis failures) would then always be in English. Placed after LocaleMiddleware.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(API_PATH_PREFIX):
            language = translation.get_language_from_request(request, check_path=False)
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
