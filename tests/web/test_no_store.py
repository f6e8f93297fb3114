"""Restricted answers are never stored by a browser or a proxy: `Cache-Control: no-store, private`."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from pactesur.accounts.models import ApiToken, hash_token

pytestmark = pytest.mark.django_db


def _directives(response: Any) -> set[str]:
    return {d.strip() for d in response.get("Cache-Control", "").split(",") if d.strip()}


@pytest.mark.parametrize("url_name", ["home", "spaces:list", "audit:list", "accounts:members"])
def test_pages_for_a_signed_in_user_are_no_store_and_private(client, city_admin, url_name) -> None:  # type: ignore[no-untyped-def]
    client.force_login(city_admin)
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    assert {"no-store", "private"} <= _directives(response)


def test_a_denied_page_is_not_stored_either(client, viewer) -> None:  # type: ignore[no-untyped-def]
    client.force_login(viewer)
    response = client.get(reverse("accounts:members"))
    assert response.status_code == 403
    assert {"no-store", "private"} <= _directives(response)


def test_api_answers_are_no_store_and_private_with_or_without_a_token(client, planner) -> None:  # type: ignore[no-untyped-def]
    raw = ApiToken.new_raw_token()
    ApiToken.objects.create(user=planner, name="test", token_hash=hash_token(raw), prefix=raw[:8])
    ok = client.get("/api/v1/cities/", headers={"Authorization": f"Bearer {raw}"})
    assert ok.status_code == 200
    assert {"no-store", "private"} <= _directives(ok)
    denied = client.get("/api/v1/cities/")
    assert denied.status_code == 401
    assert {"no-store", "private"} <= _directives(denied)


def test_static_files_keep_their_own_caching_for_a_signed_in_user(client, city_admin) -> None:  # type: ignore[no-untyped-def]
    client.force_login(city_admin)
    response = client.get("/static/pactesur/app.css")
    assert response.status_code == 200
    assert "no-store" not in _directives(response)
    response.close()  # a streamed file
