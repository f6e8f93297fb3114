"""Permission rows of the cities pages and API."""

from __future__ import annotations

from django.urls import reverse

from tests.matrix_support import CITY_MEMBER_ROLES, LOGGED_IN, MatrixRow, api_row, statuses

ROWS = [
    MatrixRow(name="home", method="GET", url=lambda s: reverse("home"), expect=statuses(LOGGED_IN)),
    MatrixRow(
        name="city-switch",
        method="POST",
        url=lambda s: reverse("cities:switch"),
        data=lambda s: {"city": s["city"].pk},
        expect=statuses(CITY_MEMBER_ROLES, ok=302),
    ),
    api_row("api-cities-list", "GET", lambda s: "/api/v1/cities/", LOGGED_IN),
    api_row("api-city-detail", "GET", lambda s: f"/api/v1/cities/{s['city'].pk}", CITY_MEMBER_ROLES),
    api_row("api-city-members", "GET", lambda s: f"/api/v1/cities/{s['city'].pk}/members", {"admin"}),
]
