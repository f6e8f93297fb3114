"""Permission rows of the cities pages and API."""

from __future__ import annotations

from django.urls import reverse

from tests.matrix_support import (
    CITY_MEMBER_ROLES,
    LOGGED_IN,
    MatrixRow,
    api_row,
    current_city_statuses,
    every_role,
    statuses,
)

ROWS = [
    MatrixRow(name="home", method="GET", url=lambda s: reverse("home"), expect=statuses(LOGGED_IN)),
    # The home page serves any method: a POST shows the page and writes nothing (a GET-only
    # decorator would make it 405, as on the spaces and events pages).
    MatrixRow(name="home-post", method="POST", url=lambda s: reverse("home"), expect=statuses(LOGGED_IN)),
    MatrixRow(
        name="city-switch",
        method="POST",
        url=lambda s: reverse("cities:switch"),
        data=lambda s: {"city": s["city"].pk},
        expect=statuses(CITY_MEMBER_ROLES, ok=302),
    ),
    MatrixRow(
        name="city-settings",
        method="GET",
        url=lambda s: reverse("cities:settings"),
        expect=current_city_statuses({"admin"}),
    ),
    MatrixRow(
        name="city-settings-save",
        method="POST",
        url=lambda s: reverse("cities:settings"),
        data={"two_factor_required": ""},
        expect=current_city_statuses({"admin"}, ok=302),
    ),
    MatrixRow(
        # Saving the settings needs a recent password confirmation, as role changes do.
        name="city-settings-save-without-confirmation",
        method="POST",
        url=lambda s: reverse("cities:settings"),
        data={"two_factor_required": "on"},
        expect=current_city_statuses({"admin"}, ok=302),
        recent_auth=False,
    ),
    # The favicon is the layout's (pactesur/web/urls.py): /favicon.ico leads everyone, signed in or
    # not, to the static SVG icon.
    MatrixRow(name="favicon", method="GET", url=lambda s: "/favicon.ico", expect=every_role(301)),
    api_row("api-cities-list", "GET", lambda s: "/api/v1/cities/", LOGGED_IN),
    api_row("api-city-detail", "GET", lambda s: f"/api/v1/cities/{s['city'].pk}", CITY_MEMBER_ROLES),
    api_row("api-city-members", "GET", lambda s: f"/api/v1/cities/{s['city'].pk}/members", {"admin"}),
]
