"""The language switcher leads to the same page in the chosen language, from every language, safely."""

from __future__ import annotations

import itertools

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from pactesur.web.i18n import page_in_language

LANGUAGES = [code for code, _name in settings.LANGUAGES]
SWITCH = "/i18n/setlang/"


def _client(user, **kwargs) -> Client:  # type: ignore[no-untyped-def]
    client = Client(**kwargs)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _url(name: str, language: str) -> str:
    with translation.override(language):
        return reverse(name)


def test_the_switcher_keeps_its_url_and_name() -> None:
    assert reverse("set_language") == SWITCH


@pytest.mark.parametrize(
    ("url", "language", "expected"),
    [
        ("/spaces/", "fr", "/fr/spaces/"),
        ("/fr/spaces/", "it", "/it/spaces/"),
        ("/it/spaces/", "en", "/spaces/"),
        ("/fr/", "en", "/"),
        ("/", "de", "/de/"),
        ("/fr/events/12/", "es", "/es/events/12/"),
        ("/fr/spaces/?kind=square&page=2#map", "en", "/spaces/?kind=square&page=2#map"),
        ("http://testserver/it/events/", "fr", "http://testserver/fr/events/"),
        # a page that does not exist still changes language (the 404 page is translated too)
        ("/fr/no-such-page/", "it", "/it/no-such-page/"),
        ("/no-such-page/", "fr", "/fr/no-such-page/"),
        # outside the language prefixes nothing changes
        ("/api/v1/openapi.json", "fr", "/api/v1/openapi.json"),
        # the log-in page's next page follows, or the log-in goes back to the old language
        ("/fr/accounts/login/?next=/fr/spaces/", "it", "/it/accounts/login/?next=/it/spaces/"),
        ("/fr/accounts/login/?next=//evil.example/", "en", "/accounts/login/?next=//evil.example/"),
    ],
)
def test_a_page_in_another_language(url: str, language: str, expected: str) -> None:
    assert page_in_language(url, language) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(("source", "target"), list(itertools.permutations(LANGUAGES, 2)))
def test_switching_from_any_language_to_any_other_stays_on_the_page(
    planner, source: str, target: str
) -> None:
    client = _client(planner)
    response = client.post(SWITCH, {"language": target, "next": _url("events:list", source)}, follow=True)
    assert response.redirect_chain == [(_url("events:list", target), 302)]
    assert response.status_code == 200
    assert f'<html lang="{target}">' in response.content.decode()
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == target


@pytest.mark.django_db
def test_english_french_italian_english_on_one_page(security_officer) -> None:
    client = _client(security_officer)
    seen = []
    next_url = "/streets/"
    for language, title in (("fr", "Réseau viaire de Nice"), ("it", "Rete stradale di Nice"), ("en", "")):
        response = client.post(SWITCH, {"language": language, "next": next_url}, follow=True)
        next_url = response.redirect_chain[-1][0]
        seen.append(next_url)
        assert title in response.content.decode()
    assert seen == ["/fr/streets/", "/it/streets/", "/streets/"]


@pytest.mark.django_db
def test_the_referer_is_used_without_next(planner) -> None:
    response = _client(planner).post(
        SWITCH, {"language": "en"}, HTTP_REFERER="http://testserver/it/spaces/?kind=market"
    )
    assert response["Location"] == "http://testserver/spaces/?kind=market"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "next_url", ["https://evil.example/fr/spaces/", "//evil.example/", "javascript:alert(1)", ""]
)
def test_a_next_page_of_another_site_leads_home_instead(planner, next_url: str) -> None:
    response = _client(planner).post(
        SWITCH, {"language": "fr", "next": next_url}, HTTP_REFERER="https://evil.example/"
    )
    assert response.status_code == 302
    assert response["Location"] == "/fr/"


@pytest.mark.django_db
def test_an_unknown_language_changes_nothing(planner) -> None:
    response = _client(planner).post(SWITCH, {"language": "xx", "next": "/fr/spaces/"})
    assert response["Location"] == "/fr/spaces/"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


@pytest.mark.django_db
def test_the_switcher_takes_only_posts(planner) -> None:
    response = _client(planner).get(SWITCH, {"language": "fr", "next": "/spaces/"})
    assert response.status_code == 405
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


@pytest.mark.django_db
def test_the_switcher_needs_the_csrf_token(planner) -> None:
    client = _client(planner, enforce_csrf_checks=True)
    refused = client.post(SWITCH, {"language": "fr", "next": "/spaces/"})
    assert refused.status_code == 403
    page = client.get("/spaces/")
    token = page.context["csrf_token"]
    accepted = client.post(SWITCH, {"language": "fr", "next": "/spaces/", "csrfmiddlewaretoken": str(token)})
    assert accepted["Location"] == "/fr/spaces/"


@pytest.mark.django_db
def test_a_visitor_switches_the_log_in_page_and_keeps_where_it_leads(client) -> None:
    response = client.post(
        SWITCH, {"language": "it", "next": "/fr/accounts/login/?next=/fr/spaces/"}, follow=True
    )
    assert response.redirect_chain == [("/it/accounts/login/?next=/it/spaces/", 302)]
    assert '<html lang="it">' in response.content.decode()
