"""The API's language and error bodies: pages take their language from the URL prefix, the API
from the client's request; every API error is JSON, even those Django answers before the API."""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus

from django.http import HttpRequest, HttpResponse, JsonResponse
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


class ApiJsonErrorsMiddleware:
    """Give every /api/ error a JSON body `{"detail": …}`, as the OpenAPI document says.

    Some errors are answered by Django before the API sees the request, as HTML pages: a URL no
    route matches (an id that is not a number), a body above DATA_UPLOAD_MAX_MEMORY_SIZE (400),
    a bad Host header. Placed first, this sees them all.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and request.path_info.startswith(API_PATH_PREFIX)
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            try:
                phrase = HTTPStatus(response.status_code).phrase
            except ValueError:
                phrase = "Error"
            replaced = JsonResponse({"detail": phrase}, status=response.status_code)
            for header in ("Allow", "Retry-After", "WWW-Authenticate"):
                if header in response:
                    replaced[header] = response[header]
            return replaced
        return response
