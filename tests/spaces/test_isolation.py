"""A person of city A who guesses an id of city B gets 404 on every page and API call, never the record."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from pactesur.accounts.models import ApiToken, hash_token
from pactesur.events.models import Event
from pactesur.spaces.models import Space
from tests.auth_support import confirm_password
from tests.spaces.helpers import make_event, make_space, square

pytestmark = pytest.mark.django_db


@pytest.fixture
def liege(other_city) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    space = make_space(other_city, None, name="Place Saint-Lambert secret")
    return {"space": space, "event": make_event(space, None, name="Village de Noël secret")}


def _pages(ids: dict[str, Any]) -> list[tuple[str, str]]:
    s, e = ids["space"].pk, ids["event"].pk
    return [
        ("GET", f"/spaces/{s}/"),
        ("GET", f"/spaces/{s}/edit/"),
        ("POST", f"/spaces/{s}/edit/"),
        ("GET", f"/spaces/{s}/archive/"),
        ("POST", f"/spaces/{s}/archive/"),
        ("POST", f"/spaces/{s}/restore/"),
        ("GET", f"/spaces/{s}/purge/"),
        ("POST", f"/spaces/{s}/purge/"),
        ("GET", f"/events/{e}/"),
        ("GET", f"/events/{e}/edit/"),
        ("POST", f"/events/{e}/edit/"),
        ("GET", f"/events/{e}/archive/"),
        ("POST", f"/events/{e}/archive/"),
        ("POST", f"/events/{e}/restore/"),
        ("GET", f"/events/{e}/purge/"),
        ("POST", f"/events/{e}/purge/"),
    ]


def _api(ids: dict[str, Any]) -> list[tuple[str, str, dict[str, Any] | None]]:
    s, e, c = ids["space"].pk, ids["event"].pk, ids["space"].city_id
    event = {"space": s, "name": "x", "starts_at": "2027-01-01T10:00", "ends_at": "2027-01-01T11:00"}
    return [
        ("GET", f"/api/v1/spaces/{s}", None),
        ("PATCH", f"/api/v1/spaces/{s}", {"name": "hacked"}),
        ("DELETE", f"/api/v1/spaces/{s}", None),
        ("POST", f"/api/v1/spaces/{s}/restore", None),
        ("GET", f"/api/v1/spaces/?city={c}", None),
        ("GET", f"/api/v1/spaces/geojson?city={c}", None),
        ("POST", "/api/v1/spaces/", {"city": c, "name": "x", "kind": "square", "polygon": square()}),
        ("GET", f"/api/v1/events/{e}", None),
        ("PATCH", f"/api/v1/events/{e}", {"name": "hacked"}),
        ("DELETE", f"/api/v1/events/{e}", None),
        ("POST", f"/api/v1/events/{e}/restore", None),
        ("GET", f"/api/v1/events/?city={c}", None),
        ("GET", f"/api/v1/events/?space={s}", None),
        ("POST", "/api/v1/events/", event),
    ]


@pytest.mark.parametrize("who", ["city_admin", "planner", "expert"])
def test_user_of_another_city_gets_404_on_every_page_and_changes_nothing(request, liege, who) -> None:  # type: ignore[no-untyped-def]
    user = request.getfixturevalue(who)
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    confirm_password(client)  # past the re-authentication of removals: the record's city is what is tested
    for method, url in _pages(liege):
        response = client.get(url) if method == "GET" else client.post(url, {"name": "hacked"})
        assert response.status_code == 404, f"{method} {url}"
        assert b"secret" not in response.content
    assert Space.objects.get().name == "Place Saint-Lambert secret"
    assert Event.objects.get().name == "Village de Noël secret"
    assert not Space.objects.archived().exists()
    assert not Event.objects.archived().exists()


@pytest.mark.parametrize("who", ["city_admin", "planner", "expert"])
def test_user_of_another_city_gets_404_on_every_api_call_and_changes_nothing(request, liege, who) -> None:  # type: ignore[no-untyped-def]
    import json

    user = request.getfixturevalue(who)
    raw = ApiToken.new_raw_token()
    ApiToken.objects.create(user=user, name="t", token_hash=hash_token(raw), prefix=raw[:8])
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    for method, url, body in _api(liege):
        response = client.generic(
            method, url, json.dumps(body) if body else "", content_type="application/json"
        )
        assert response.status_code == 404, f"{method} {url}: {response.status_code}"
        assert b"secret" not in response.content
    assert Space.objects.active().count() == 1
    assert Event.objects.active().count() == 1


def test_unfiltered_api_lists_show_only_the_callers_cities(city, city_admin, liege) -> None:
    make_space(city, None, name="Place Masséna")
    raw = ApiToken.new_raw_token()
    ApiToken.objects.create(user=city_admin, name="t", token_hash=hash_token(raw), prefix=raw[:8])
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    assert [s["name"] for s in client.get("/api/v1/spaces/").json()] == ["Place Masséna"]
    assert client.get("/api/v1/spaces/geojson").json()["features"][0]["properties"]["name"] == "Place Masséna"
    assert client.get("/api/v1/events/").json() == []


def test_pages_of_the_current_city_never_list_another_citys_records(city, city_admin, liege) -> None:
    client = Client()
    client.force_login(city_admin, backend="django.contrib.auth.backends.ModelBackend")
    for url in (
        "/spaces/",
        "/spaces/map/",
        "/spaces/archived/",
        "/events/",
        "/events/archived/",
        "/spaces/export.geojson",
        "/spaces/export.csv",
        "/events/export.csv",
    ):
        assert b"secret" not in client.get(url).content, url
