"""Permission matrix rows of the streets app: every page and API call × every role."""

from __future__ import annotations

from typing import Any

from tests.matrix_support import CITY_MEMBER_ROLES, MatrixRow, api_row, current_city_statuses, statuses


def _setup(city: Any, other_city: Any, user_by_role: Any) -> dict[str, Any]:
    from tests.streets.factories import ImportJobFactory, StreetNetworkFactory

    network = StreetNetworkFactory(city=city, version=1)
    job = ImportJobFactory(city=city, network=network, status="succeeded", progress=1.0)
    return {"city": city, "network": network, "job": job}


def _held_setup(city: Any, other_city: Any, user_by_role: Any) -> dict[str, Any]:
    """An active version 1 and a held version 2 waiting for confirmation, with its files on disk."""
    from pactesur.streets.actions import _write_suggestions, held_suggestions_path
    from tests.streets.factories import ImportJobFactory, StreetNetworkFactory

    current = StreetNetworkFactory(city=city, version=1)
    held = StreetNetworkFactory(city=city, version=2, is_active=False)
    held.graph_path.write_bytes(b"a graph")
    _write_suggestions(held_suggestions_path(held), [])
    fit = {"spaces_checked": 0, "outside": [], "previous_network_id": current.pk, "previous_version": 1}
    job = ImportJobFactory(city=city, network=held, status="held", progress=1.0, fit=fit)
    return {"city": city, "network": current, "held": held, "job": job}


def _held_active(ctx: dict[str, Any]) -> bool:
    from pactesur.streets.models import StreetNetwork

    return StreetNetwork.objects.filter(pk=ctx["held"].pk, is_active=True).exists()


def _held_gone(ctx: dict[str, Any]) -> bool:
    from pactesur.streets.models import StreetNetwork

    return not StreetNetwork.objects.filter(pk=ctx["held"].pk).exists()


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
        "streets activate a held import",
        "POST",
        lambda s: f"/streets/jobs/{s['job'].pk}/activate/",
        statuses(IMPORTERS, ok=302),
        _held_setup,
        effect=_held_active,
    ),
    MatrixRow(
        "streets cancel a held import",
        "POST",
        lambda s: f"/streets/jobs/{s['job'].pk}/cancel/",
        statuses(IMPORTERS, ok=302),
        _held_setup,
        effect=_held_gone,
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
