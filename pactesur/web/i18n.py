"""The language switcher: the page the person was reading, in the language they chose."""

from __future__ import annotations

from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import Resolver404, URLPattern, path, resolve, translate_url
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST


def _prefix(language: str) -> str:
    """The path prefix of a language's pages: none for the default one (prefix_default_language=False)."""
    return "" if language == settings.LANGUAGE_CODE else f"/{language}"


def _known_language(code: str) -> bool:
    return code in dict(settings.LANGUAGES)


def page_in_language(url: str, language: str) -> str:
    """Return `url` (a path of this site, or a URL of it, with its query) as the same page in `language`.

    Django's `translate_url` resolves the URL in the active language. On the switcher's own URL,
    which has no language prefix, that is the default language, in which a /fr/… or /it/… path does
    not resolve: the URL came back unchanged and the page stayed in French. Resolve it in the
    language of its own prefix instead. A path that resolves to no page (a 404) has its prefix
    swapped, so that even there the language changes.
    """
    parts = urlsplit(url)
    first, _slash, rest = parts.path.lstrip("/").partition("/")
    if _known_language(first):
        current, unprefixed = first, f"/{rest}"
    else:
        current, unprefixed = settings.LANGUAGE_CODE, parts.path or "/"
    with translation.override(current):
        try:
            resolve(unquote(parts.path))
        except Resolver404:
            translated = urlunsplit(parts._replace(path=_prefix(language) + unprefixed))
        else:
            translated = translate_url(url, language)
    return _with_next_in_language(translated, language)


def _with_next_in_language(url: str, language: str) -> str:
    """The log-in page's `?next=/fr/spaces/` in `language` too, else the log-in goes back to French."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if not any(key == "next" and _is_local_path(value) for key, value in query):
        return url
    query = [
        (key, page_in_language(value, language) if key == "next" and _is_local_path(value) else value)
        for key, value in query
    ]
    return urlunsplit(parts._replace(query=urlencode(query, safe="/")))


def _is_local_path(value: str) -> bool:
    return value.startswith("/") and not value.startswith(("//", "/\\"))


def _safe_next(request: HttpRequest) -> str:
    """Where the form came from: `next`, else the Referer, if on this site; else the home page."""
    for candidate in (request.POST.get("next", ""), request.META.get("HTTP_REFERER", "")):
        if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return candidate
    return "/"


def remember_language(response: HttpResponse, language: str) -> HttpResponse:
    """Set Django's language cookie, as its own `set_language` does.

    The pages take their language from the URL prefix alone (English has none); the cookie is for
    whatever asks `get_language_from_request` outside them.
    """
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch to the posted `language` and go back to `next` in it (Django's `set_language`, fixed).

    POST only, behind the CSRF check like every form; `next` (or the Referer) is followed only when
    it is a page of this host, else the home page. An unknown language changes nothing.
    """
    next_url = _safe_next(request)
    language = request.POST.get("language", "")
    if not _known_language(language):
        return HttpResponseRedirect(next_url)
    return remember_language(HttpResponseRedirect(page_in_language(next_url, language)), language)


# Included at /i18n/ by pactesur.web.urls, in place of django.conf.urls.i18n (same URL and name).
urlpatterns: list[URLPattern] = [path("setlang/", set_language, name="set_language")]
