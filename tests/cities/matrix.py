"""Permission rows of the cities pages and API."""

from __future__ import annotations

from django.urls import reverse

from tests.matrix_support import CITY_MEMBER_ROLES, LOGGED_IN, MatrixRow, statuses

ROWS = [
    MatrixRow(name="home", method="GET", url=lambda s: reverse("home"), expect=statuses(LOGGED_IN)),
    MatrixRow(
        name="city-switch",
        method="POST",
        url=lambda s: reverse("cities:switch"),
        data=lambda s: {"city": s["city"].pk},
        expect=statuses(CITY_MEMBER_ROLES, ok=302),
    ),
    MatrixRow(
        name="api-cities-list",
        method="GET",
        url=lambda s: "/api/v1/cities/",
        expect=statuses(LOGGED_IN, api=True),
        api=True,
    ),
    MatrixRow(
        name="api-city-detail",
        method="GET",
        url=lambda s: f"/api/v1/cities/{s['city'].pk}",
        expect=statuses(CITY_MEMBER_ROLES, api=True),
        api=True,
    ),
    MatrixRow(
        name="api-city-members",
        method="GET",
        url=lambda s: f"/api/v1/cities/{s['city'].pk}/members",
        expect=statuses({"admin"}, api=True),
        api=True,
    ),
]
