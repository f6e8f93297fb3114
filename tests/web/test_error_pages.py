"""403, 404 and 500 are pages of the app's layout with the reason in words and a way back; the API's
errors stay JSON; the 500 page needs no database; a 404 says the same whether or not another city's
record exists.

The 500 tests route a failing view through this module's URLs (`pytest.mark.urls`), which are the
project's plus `/boom/`.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, path, reverse
from django.utils import translation

from pactesur.accounts.models import ApiToken, hash_token
from pactesur.web import urls as project_urls
from pactesur.web import views
from tests.spaces.helpers import make_space


def _boom(request: HttpRequest) -> HttpResponse:
    raise OperationalError("the database server went away")


# This module is also the URL configuration of the 500 tests.
handler403 = project_urls.handler403
handler404 = project_urls.handler404
handler500 = project_urls.handler500
urlpatterns: list[URLPattern | URLResolver] = [
    path("boom/", _boom),
    path("api/v1/boom/", _boom),
    *project_urls.urlpatterns,
]

LAYOUT = (
    '<header class="site-header"',
    'href="/static/pactesur/app.css"',
    'href="/static/pactesur/favicon.svg"',
)


def _reason(html: str) -> str:
    match = re.search(r'data-testid="error-reason">(.*?)</p>', html, re.S)
    assert match, "the page gives no reason"
    return " ".join(match.group(1).split())


def _assert_error_page(response: Any, status: int) -> str:
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    html: str = response.content.decode()
    for piece in LAYOUT:
        assert piece in html, piece
    assert f"Error {status}" in html
    assert 'data-testid="way-back"' in html
    assert f'<a class="button" href="{reverse("home")}">Go to the home page</a>' in html
    return html


# --- 404 ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_unknown_page_is_a_404_in_the_layout_with_the_reason_and_no_url_list(client, viewer) -> None:  # type: ignore[no-untyped-def]
    client.force_login(viewer)
    response = client.get("/no-such-page/")
    html = _assert_error_page(response, 404)
    assert "Page not found" in html
    assert "not in your city" in _reason(html)
    assert "<code>/no-such-page/</code>" in html
    # The menu of the person's role is there; no list of the project's URLs (a debug page's).
    assert f'href="{reverse("spaces:list")}"' in html
    assert "URLconf" not in html
    assert "django-admin" not in html
    assert response["Cache-Control"] == "no-store, private"


@pytest.mark.django_db
def test_another_citys_record_and_a_missing_one_get_the_same_404(client, viewer, other_city) -> None:  # type: ignore[no-untyped-def]
    hidden = make_space(other_city, name="Place Saint-Lambert secret")
    client.force_login(viewer)
    existing = client.get(reverse("spaces:detail", args=[hidden.pk]))
    missing = client.get(reverse("spaces:detail", args=[hidden.pk + 1000]))
    existing_html = _assert_error_page(existing, 404)
    missing_html = _assert_error_page(missing, 404)
    assert "secret" not in existing_html
    assert "Space" not in _reason(existing_html)  # Django's text names the model looked up: never shown

    def without_address(html: str) -> str:
        main = html[html.index("<main") : html.index("</main>")]
        return re.sub(r"<code>.*?</code>", "", main)

    assert without_address(existing_html) == without_address(missing_html)


@pytest.mark.django_db
def test_anonymous_404_has_the_layout_and_a_log_in_link(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/no-such-page/")
    html = _assert_error_page(response, 404)
    assert f'href="{reverse("accounts:login")}"' in html
    assert "no-store" not in response.get("Cache-Control", "")  # public answers are left to Django


@pytest.mark.django_db
def test_404_speaks_the_language_of_the_url(client, viewer) -> None:  # type: ignore[no-untyped-def]
    client.force_login(viewer)
    html = client.get("/fr/no-such-page/").content.decode()
    assert '<html lang="fr">' in html
    assert "Page introuvable" in html
    assert "Erreur 404" in html
    assert 'href="/fr/"' in html
    html = client.get("/it/no-such-page/").content.decode()
    assert "Pagina non trovata" in html


# --- 403 ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_role_without_the_permission_gets_a_403_page_naming_the_role(client, viewer) -> None:  # type: ignore[no-untyped-def]
    client.force_login(viewer)
    response = client.get(reverse("spaces:create"))
    html = _assert_error_page(response, 403)
    assert "This page is not open to you" in html
    assert _reason(html) == "Your role in this city does not allow this."
    assert "You are signed in to Nice as Viewer." in html
    assert "ask an administrator of Nice" in html
    assert response["Cache-Control"] == "no-store, private"


@pytest.mark.django_db
def test_network_expert_gets_a_403_page_that_explains_the_role(client, expert) -> None:  # type: ignore[no-untyped-def]
    client.force_login(expert)
    response = client.get(reverse("spaces:list"))
    html = _assert_error_page(response, 403)
    assert "You are a network expert" in html
    assert "Your home page shows what the network shares." in html


@pytest.mark.django_db
def test_person_without_city_gets_a_403_page_with_what_to_do(client, user_by_role) -> None:  # type: ignore[no-untyped-def]
    client.force_login(user_by_role("no_city"))
    html = _assert_error_page(client.get(reverse("spaces:list")), 403)
    assert _reason(html) == "You are not a member of any city."
    assert "An administrator of your city can invite you" in html


def test_a_bare_permission_denied_gets_the_general_reason(rf: RequestFactory) -> None:
    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/spaces/")
    request.user = AnonymousUser()
    response = views.permission_denied(request, None)
    assert response.status_code == 403
    assert "This page belongs to another role." in response.content.decode()
    assert "Log in first" in response.content.decode()


@pytest.mark.django_db
def test_way_back_links_to_the_previous_page_of_this_site_only(client, viewer) -> None:  # type: ignore[no-untyped-def]
    client.force_login(viewer)
    came_from = "http://testserver" + reverse("spaces:list")
    html = client.get(reverse("spaces:create"), HTTP_REFERER=came_from).content.decode()
    assert f'href="{came_from}">Back to the previous page</a>' in html
    html = client.get(reverse("spaces:create"), HTTP_REFERER="https://evil.example/").content.decode()
    assert "evil.example" not in html
    assert "Back to the previous page" not in html


@pytest.mark.django_db
def test_csrf_failure_is_a_403_page_in_the_layout(viewer) -> None:  # type: ignore[no-untyped-def]
    client = Client(enforce_csrf_checks=True)
    client.force_login(viewer)
    response = client.post(reverse("cities:switch"), {"city": "1"})
    assert response.status_code == 403
    html = response.content.decode()
    for piece in LAYOUT:
        assert piece in html
    assert "Your form could not be accepted" in html
    assert "reload the page and send the form again" in html
    assert f'href="{reverse("home")}">Go to the home page</a>' in html
    assert "CSRF" not in html  # the technical reason is for the log, not the person


# --- API errors stay JSON ----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path_", "status"),
    [("/api/v1/no-such-thing", 404), ("/api/v1/spaces/not-a-number", 404)],
)
def test_api_errors_stay_json(client, viewer, path_, status) -> None:  # type: ignore[no-untyped-def]
    client.force_login(viewer)
    response = client.get(path_)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not Found"}
    assert response["Cache-Control"] == "no-store, private"


@pytest.mark.django_db
def test_api_role_refusal_stays_json(client, viewer, city) -> None:  # type: ignore[no-untyped-def]
    raw = ApiToken.new_raw_token()
    ApiToken.objects.create(user=viewer, name="test", token_hash=hash_token(raw), prefix=raw[:8])
    response = client.get(f"/api/v1/cities/{city.pk}/members", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()


@pytest.mark.parametrize(
    ("handler", "status"),
    [(views.permission_denied, 403), (views.page_not_found, 404)],
)
def test_error_handlers_answer_json_under_the_api(rf: RequestFactory, handler: Any, status: int) -> None:
    # No database here: an API error never renders the layout (no menu, no context processors).
    response = handler(rf.get("/api/v1/spaces/1"), None)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"


def test_server_error_answers_json_under_the_api(rf: RequestFactory) -> None:
    response = views.server_error(rf.get("/api/v1/spaces/"))
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.content == b'{"detail": "Internal Server Error"}'


# --- 500 ---------------------------------------------------------------------------------------


def test_500_page_renders_without_any_database_access(rf: RequestFactory) -> None:
    # Not marked django_db: pytest-django makes any query here fail the test.
    request = rf.get("/spaces/", HTTP_REFERER="http://testserver/events/")
    response = views.server_error(request)
    html = _assert_error_page(response, 500)
    assert "Something went wrong on our side" in html
    assert 'href="http://testserver/events/">Back to the previous page</a>' in html
    assert 'class="site-nav"' not in html  # the menu needs the user: not on this page
    assert "csrfmiddlewaretoken" not in html


@pytest.mark.urls(__name__)
def test_a_failing_view_gets_the_500_page_with_the_database_unreachable() -> None:
    # The whole middleware stack runs for an anonymous request, still with no database at all.
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    html = _assert_error_page(response, 500)
    assert "the database server went away" not in html
    assert "Traceback" not in html


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_signed_in_500_has_no_menu_no_name_and_is_not_stored(viewer) -> None:  # type: ignore[no-untyped-def]
    client = Client(raise_request_exception=False)
    client.force_login(viewer)
    with translation.override("en"):
        response = client.get("/boom/")
    html = _assert_error_page(response, 500)
    assert viewer.username not in html
    assert "Nice" not in html
    assert response["Cache-Control"] == "no-store, private"


@pytest.mark.urls(__name__)
def test_api_500_stays_json() -> None:
    client = Client(raise_request_exception=False)
    response = client.get("/api/v1/boom/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Internal Server Error"}


# --- favicon -----------------------------------------------------------------------------------


def test_favicon_ico_leads_to_the_svg_icon(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/pactesur/favicon.svg"
    icon = client.get(response["Location"])
    assert icon.status_code == 200
    assert icon["Content-Type"].startswith("image/svg+xml")
    assert b"<svg" in b"".join(icon.streaming_content)
