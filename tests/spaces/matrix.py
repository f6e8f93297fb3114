"""Permission matrix rows of the spaces app: every page and API call × every role."""

from __future__ import annotations

import json
from typing import Any

from tests.matrix_support import MatrixRow, api_row, current_city_statuses, statuses

EDITORS = ("admin", "security", "planner")
MEMBERS = ("admin", "security", "planner", "trainer", "viewer")


def _space(city: Any, other_city: Any, user_by_role: Any) -> dict[str, Any]:
    from tests.spaces.helpers import make_space

    return {"space": make_space(city, None)}


def _form(ctx: dict[str, Any]) -> dict[str, Any]:
    from tests.spaces.helpers import square

    return {"name": "Place Garibaldi", "kind": "square", "polygon": json.dumps(square())}


def _api_new(ctx: dict[str, Any]) -> dict[str, Any]:
    from tests.spaces.helpers import square

    return {"city": ctx["city"].pk, "name": "Place Garibaldi", "kind": "square", "polygon": square()}


# Pages on the current city: another city's admin works on their own city; no city → 403.
CURRENT_VIEW = current_city_statuses(MEMBERS)
CURRENT_EDIT = current_city_statuses(EDITORS)
CURRENT_EDIT_POST = current_city_statuses(EDITORS, ok=302)
# Records of Nice: 404 for anyone outside Nice.
RECORD_VIEW = statuses(MEMBERS)
RECORD_EDIT = statuses(EDITORS)
RECORD_EDIT_POST = statuses(EDITORS, ok=302)

ROWS: list[MatrixRow] = [
    MatrixRow("spaces list", "GET", lambda s: "/spaces/", CURRENT_VIEW),
    MatrixRow("spaces map", "GET", lambda s: "/spaces/map/", CURRENT_VIEW),
    MatrixRow("spaces create form", "GET", lambda s: "/spaces/new/", CURRENT_EDIT),
    MatrixRow("spaces create", "POST", lambda s: "/spaces/new/", CURRENT_EDIT_POST, data=_form),
    MatrixRow("spaces export geojson", "GET", lambda s: "/spaces/export.geojson", CURRENT_EDIT),
    MatrixRow("spaces export csv", "GET", lambda s: "/spaces/export.csv", CURRENT_EDIT),
    MatrixRow("spaces detail", "GET", lambda s: f"/spaces/{s['space'].pk}/", RECORD_VIEW, _space),
    MatrixRow("spaces edit form", "GET", lambda s: f"/spaces/{s['space'].pk}/edit/", RECORD_EDIT, _space),
    MatrixRow(
        "spaces edit", "POST", lambda s: f"/spaces/{s['space'].pk}/edit/", RECORD_EDIT_POST, _space, _form
    ),
    MatrixRow("spaces delete form", "GET", lambda s: f"/spaces/{s['space'].pk}/delete/", RECORD_EDIT, _space),
    MatrixRow(
        "spaces delete", "POST", lambda s: f"/spaces/{s['space'].pk}/delete/", RECORD_EDIT_POST, _space
    ),
    # API: outsiders 404, insufficient role 403, anonymous 401.
    api_row(
        "api spaces list of a city", "GET", lambda s: f"/api/v1/spaces/?city={s['city'].pk}", MEMBERS, _space
    ),
    api_row(
        "api spaces list of my cities",
        "GET",
        lambda s: "/api/v1/spaces/",
        MEMBERS,
        _space,
        expert=200,
        other_city_admin=200,
        no_city=200,
    ),
    api_row(
        "api spaces geojson", "GET", lambda s: f"/api/v1/spaces/geojson?city={s['city'].pk}", MEMBERS, _space
    ),
    api_row("api spaces detail", "GET", lambda s: f"/api/v1/spaces/{s['space'].pk}", MEMBERS, _space),
    api_row("api spaces create", "POST", lambda s: "/api/v1/spaces/", EDITORS, ok=201, data=_api_new),
    api_row(
        "api spaces update",
        "PATCH",
        lambda s: f"/api/v1/spaces/{s['space'].pk}",
        EDITORS,
        _space,
        data={"capacity": 5000},
    ),
    api_row(
        "api spaces delete", "DELETE", lambda s: f"/api/v1/spaces/{s['space'].pk}", EDITORS, _space, ok=204
    ),
]
