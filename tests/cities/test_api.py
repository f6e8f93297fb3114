"""/api/v1/cities/: a token sees its user's cities, 404 for the others, members for admins only."""

from __future__ import annotations

from typing import Any

import pytest

from pactesur.accounts.models import ApiToken, hash_token

pytestmark = pytest.mark.django_db


def _auth(user: Any) -> dict[str, str]:
    raw = ApiToken.new_raw_token()
    ApiToken.objects.create(user=user, name="test", token_hash=hash_token(raw), prefix=raw[:8])
    return {"Authorization": f"Bearer {raw}"}


def test_api_without_a_token_answers_401(client, city) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/api/v1/cities/").status_code == 401
    assert client.get(f"/api/v1/cities/{city.pk}").status_code == 401


def test_api_with_an_unknown_token_answers_401(client, city) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/api/v1/cities/", headers={"Authorization": "Bearer pct_nope"}).status_code == 401


def test_api_lists_only_the_users_cities_with_their_roles(client, planner, other_city_admin) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/api/v1/cities/", headers=_auth(planner))
    assert response.status_code == 200
    body = response.json()
    assert [c["name"] for c in body] == ["Nice"]
    assert body[0]["my_roles"] == ["planner"]
    assert body[0]["languages"] == ["fr", "en"]


def test_api_city_of_another_city_is_a_404(client, planner, other_city) -> None:  # type: ignore[no-untyped-def]
    response = client.get(f"/api/v1/cities/{other_city.pk}", headers=_auth(planner))
    assert response.status_code == 404
    assert "Liège" not in response.content.decode()


def test_api_members_for_the_admin_403_for_other_roles(client, city_admin, planner, city) -> None:  # type: ignore[no-untyped-def]
    admin_view = client.get(f"/api/v1/cities/{city.pk}/members", headers=_auth(city_admin))
    assert admin_view.status_code == 200
    assert {m["username"]: m["role"] for m in admin_view.json()} == {
        "city_admin": "admin",
        "planner": "planner",
    }
    denied = client.get(f"/api/v1/cities/{city.pk}/members", headers=_auth(planner))
    assert denied.status_code == 403
    assert "administrator" in denied.json()["detail"]


def test_openapi_document_lists_the_cities_operations_to_a_signed_in_user(client, viewer) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/api/v1/openapi.json").status_code == 401
    client.force_login(viewer, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert "/api/v1/cities/{city_id}/members" in schema["paths"]
    assert schema["components"]["securitySchemes"]


@pytest.mark.parametrize(
    ("error", "status"),
    [
        ("InvalidRequestError", 400),
        ("NotAllowedError", 403),
        ("NotFoundError", 404),
    ],
)
def test_domain_errors_map_to_their_http_status_in_one_place(rf, error: str, status: int) -> None:  # type: ignore[no-untyped-def]
    from pactesur.cities import errors
    from pactesur.web.api import api

    exc = getattr(errors, error)("what went wrong")
    response = api.on_exception(rf.get("/api/v1/cities/"), exc)
    assert response.status_code == status
    assert b"what went wrong" in response.content


def test_django_validation_and_permission_errors_map_to_400_and_403(rf) -> None:  # type: ignore[no-untyped-def]
    from django.core.exceptions import PermissionDenied, ValidationError

    from pactesur.web.api import api

    assert api.on_exception(rf.get("/"), ValidationError("bad polygon")).status_code == 400
    assert api.on_exception(rf.get("/"), PermissionDenied()).status_code == 403
