"""People create API tokens, see the raw value once, and revoke them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from pactesur.accounts.models import ApiToken, hash_token

pytestmark = pytest.mark.django_db


def test_created_token_is_shown_once_and_only_its_hash_is_stored(client, viewer) -> None:  # type: ignore[no-untyped-def]
    client.force_login(viewer)
    response = client.post(reverse("accounts:api_tokens"), {"name": "GIS sync"})
    assert response.status_code == 200
    raw = response.context["raw_token"]
    assert raw.startswith("pct_")
    token = ApiToken.objects.get(user=viewer)
    assert token.token_hash == hash_token(raw)
    assert raw not in token.token_hash
    assert "no-store" in {d.strip() for d in response["Cache-Control"].split(",")}
    assert raw.encode() not in client.get(reverse("accounts:api_tokens")).content


def test_token_authenticates_the_api_until_revoked(client, viewer) -> None:  # type: ignore[no-untyped-def]
    client.force_login(viewer)
    raw = client.post(reverse("accounts:api_tokens"), {"name": "script"}).context["raw_token"]
    token = ApiToken.objects.get(user=viewer)
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/cities/", headers=headers).status_code == 200
    assert client.post(reverse("accounts:api_token_revoke", args=[token.pk])).status_code == 302
    token.refresh_from_db()
    assert token.revoked
    assert client.get("/api/v1/cities/", headers=headers).status_code == 401


def test_nobody_revokes_someone_elses_token(client, viewer, city_admin) -> None:  # type: ignore[no-untyped-def]
    token = ApiToken.objects.create(user=viewer, name="mine", token_hash=hash_token("x"), prefix="pct_x")
    client.force_login(city_admin)
    assert client.post(reverse("accounts:api_token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert not token.revoked


def test_token_without_a_name_is_refused(client, viewer) -> None:  # type: ignore[no-untyped-def]
    client.force_login(viewer)
    response = client.post(reverse("accounts:api_tokens"), {"name": "  "})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()
