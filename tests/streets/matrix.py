"""Permission matrix rows of the streets app: every page and API call × every role."""

from __future__ import annotations

from typing import Any

from tests.matrix_support import CITY_MEMBER_ROLES, MatrixRow, api_row, current_city_statuses, statuses


def _setup(city: Any, other_city: Any, user_by_role: Any) -> dict[str, Any]:
    from tests.streets.factories import ImportJobFactory, StreetNetworkFactory

    network = StreetNetworkFactory(city=city, version=1)
    job = ImportJobFactory(city=city, network=network, status="succeeded", progress=1.0)
    return {"city": city, "network": network, "job": job}


IMPORTERS = ("admin", "security")
# Pages on the current city: an outsider sees their own city's page; a person without a city gets 403.
_CURRENT_CITY_PAGE = current_city_statuses(CITY_MEMBER_ROLES)
# Records of Nice: 404 for anyone outside Nice, never the record.
_NICE_RECORD = statuses(CITY_MEMBER_ROLES)
# Importing needs network.import (admin, security); the empty form then fails validation (400).
_IMPORT_PAGE = current_city_statuses(IMPORTERS, ok=400)

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
    api_row(
        "api networks of a city",
        "GET",
        lambda s: f"/api/v1/networks/?city={s['city'].pk}",
        CITY_MEMBER_ROLES,
        _setup,
    ),
    api_row(
        "api network detail",
        "GET",
        lambda s: f"/api/v1/networks/{s['network'].pk}",
        CITY_MEMBER_ROLES,
        _setup,
    ),
    api_row(
        "api import job status",
        "GET",
        lambda s: f"/api/v1/networks/jobs/{s['job'].pk}",
        CITY_MEMBER_ROLES,
        _setup,
    ),
    api_row(
        "api import upload",
        "POST",
        lambda s: f"/api/v1/networks/jobs?city={s['city'].pk}",
        IMPORTERS,
        _setup,
        ok=400,
        data={},
    ),
]
