"""Permission matrix rows of the streets app: every page and API call × every role."""

from __future__ import annotations

from typing import Any

from tests.matrix_support import MatrixRow


def _setup(city: Any, other_city: Any, user_by_role: Any) -> dict[str, Any]:
    from tests.streets.factories import ImportJobFactory, StreetNetworkFactory

    network = StreetNetworkFactory(city=city, version=1)
    job = ImportJobFactory(city=city, network=network, status="succeeded", progress=1.0)
    return {"city": city, "network": network, "job": job}


def _page(members: int, *, outsider: int, expert: int, no_city: int, anonymous: int = 302) -> dict[str, int]:
    return {
        "admin": members,
        "security": members,
        "planner": members,
        "trainer": members,
        "viewer": members,
        "expert": expert,
        "other_city_admin": outsider,
        "no_city": no_city,
        "anonymous": anonymous,
    }


# Pages on the current city: an outsider sees their own city's page; a person without a city gets 403.
_CURRENT_CITY_PAGE = _page(200, outsider=200, expert=403, no_city=403)
# Records of Nice: 404 for anyone outside Nice, never the record.
_NICE_RECORD = _page(200, outsider=404, expert=404, no_city=404)
_NICE_API = _page(200, outsider=404, expert=404, no_city=404, anonymous=401)
# Importing needs network.import (admin, security); the empty form then fails validation (400).
_IMPORT_PAGE = {**_page(403, outsider=400, expert=403, no_city=403), "admin": 400, "security": 400}
_IMPORT_API = {
    **_page(403, outsider=404, expert=404, no_city=404, anonymous=401),
    "admin": 400,
    "security": 400,
}

ROWS: list[MatrixRow] = [
    MatrixRow("streets list", "GET", lambda s: "/streets/", _CURRENT_CITY_PAGE, _setup),
    MatrixRow("streets map", "GET", lambda s: "/streets/map/", _CURRENT_CITY_PAGE, _setup),
    MatrixRow("streets import upload", "POST", lambda s: "/streets/import/", _IMPORT_PAGE, _setup, data={}),
    MatrixRow("streets job page", "GET", lambda s: f"/streets/jobs/{s['job'].pk}/", _NICE_RECORD, _setup),
    MatrixRow(
        "streets job status",
        "GET",
        lambda s: f"/streets/jobs/{s['job'].pk}/status.json",
        _NICE_RECORD,
        _setup,
    ),
    MatrixRow(
        "streets base map", "GET", lambda s: f"/streets/{s['city'].pk}/basemap.json", _NICE_RECORD, _setup
    ),
    MatrixRow(
        "api networks of a city",
        "GET",
        lambda s: f"/api/v1/networks/?city={s['city'].pk}",
        _NICE_API,
        _setup,
        api=True,
    ),
    MatrixRow(
        "api network detail",
        "GET",
        lambda s: f"/api/v1/networks/{s['network'].pk}",
        _NICE_API,
        _setup,
        api=True,
    ),
    MatrixRow(
        "api import job status",
        "GET",
        lambda s: f"/api/v1/networks/jobs/{s['job'].pk}",
        _NICE_API,
        _setup,
        api=True,
    ),
    MatrixRow(
        "api import upload",
        "POST",
        lambda s: f"/api/v1/networks/jobs?city={s['city'].pk}",
        _IMPORT_API,
        _setup,
        data={},
        api=True,
    ),
]
