"""Permission matrix rows of the spaces app: every page and API call, by method, × every role.

Rows that change something say how to see the change (`effect`): archived, restored, gone, created,
renamed. The matrix checks it happened for the roles let through and for no other.
"""

from __future__ import annotations

import json
from typing import Any

from tests.matrix_support import MatrixRow, api_row, current_city_statuses, every_role, statuses

EDITORS = ("admin", "security", "planner")
MEMBERS = ("admin", "security", "planner", "trainer", "viewer")


def _space(city: Any, other_city: Any, user_by_role: Any) -> dict[str, Any]:
    from tests.spaces.helpers import make_space

    return {"space": make_space(city, None)}


def _archived_space(city: Any, other_city: Any, user_by_role: Any) -> dict[str, Any]:
    from pactesur.spaces.actions import do_archive_space
    from tests.spaces.helpers import make_space

    return {"space": do_archive_space(make_space(city, None), acting_user=None)}


def _form(ctx: dict[str, Any]) -> dict[str, Any]:
    from tests.spaces.helpers import square

    return {"name": "Place Garibaldi", "kind": "square", "polygon": json.dumps(square())}


def _api_new(ctx: dict[str, Any]) -> dict[str, Any]:
    from tests.spaces.helpers import square

    return {"city": ctx["city"].pk, "name": "Place Garibaldi", "kind": "square", "polygon": square()}


def _purge_form(ctx: dict[str, Any]) -> dict[str, Any]:
    """What the confirmation page posts back: the digest of the records it listed."""
    from pactesur.spaces.actions import space_removal

    return {"digest": space_removal(ctx["space"]).digest}


def _stored(ctx: dict[str, Any]) -> Any:
    from pactesur.spaces.models import Space

    return Space.objects.filter(pk=ctx["space"].pk).first()


def _archived(ctx: dict[str, Any]) -> bool:
    space = _stored(ctx)
    return space is not None and space.archived_at is not None


def _restored(ctx: dict[str, Any]) -> bool:
    space = _stored(ctx)
    return space is not None and space.archived_at is None


def _gone(ctx: dict[str, Any]) -> bool:
    return _stored(ctx) is None


def _created(ctx: dict[str, Any]) -> bool:
    from pactesur.spaces.models import Space

    return Space.objects.filter(name="Place Garibaldi").exists()


def _renamed(ctx: dict[str, Any]) -> bool:
    return _stored(ctx).name == "Place Garibaldi"


def _capacity_set(ctx: dict[str, Any]) -> bool:
    return _stored(ctx).capacity == 5000


# Pages on the current city: another city's admin works on their own city; no city → 403.
CURRENT_VIEW = current_city_statuses(MEMBERS)
CURRENT_EDIT = current_city_statuses(EDITORS)
CURRENT_EDIT_POST = current_city_statuses(EDITORS, ok=302)
# Records of Nice: 404 for anyone outside Nice.
RECORD_VIEW = statuses(MEMBERS)
RECORD_EDIT = statuses(EDITORS)
RECORD_EDIT_POST = statuses(EDITORS, ok=302)
# Removal for good: the city's administrators only.
RECORD_PURGE = statuses({"admin"})
RECORD_PURGE_POST = statuses({"admin"}, ok=302)
# A method the page does not serve: a POST to a list or a download writes nothing, for anybody.
NOT_SERVED = every_role(405)


def _detail(s: dict[str, Any]) -> str:
    return f"/spaces/{s['space'].pk}/"


ROWS: list[MatrixRow] = [
    MatrixRow("spaces list", "GET", lambda s: "/spaces/", CURRENT_VIEW),
    # The example: a viewer's POST to /spaces/ answered 200 and had no row.
    MatrixRow("spaces list post", "POST", lambda s: "/spaces/", NOT_SERVED, data=_form, effect=_created),
    MatrixRow("spaces map", "GET", lambda s: "/spaces/map/", CURRENT_VIEW),
    MatrixRow("spaces map post", "POST", lambda s: "/spaces/map/", NOT_SERVED),
    MatrixRow("spaces archived list", "GET", lambda s: "/spaces/archived/", CURRENT_VIEW, _archived_space),
    MatrixRow("spaces archived list post", "POST", lambda s: "/spaces/archived/", NOT_SERVED),
    MatrixRow("spaces create form", "GET", lambda s: "/spaces/new/", CURRENT_EDIT),
    MatrixRow(
        "spaces create", "POST", lambda s: "/spaces/new/", CURRENT_EDIT_POST, data=_form, effect=_created
    ),
    MatrixRow("spaces export geojson", "GET", lambda s: "/spaces/export.geojson", CURRENT_EDIT),
    MatrixRow("spaces export geojson post", "POST", lambda s: "/spaces/export.geojson", NOT_SERVED),
    MatrixRow("spaces export csv", "GET", lambda s: "/spaces/export.csv", CURRENT_EDIT),
    MatrixRow("spaces export csv post", "POST", lambda s: "/spaces/export.csv", NOT_SERVED),
    MatrixRow("spaces detail", "GET", _detail, RECORD_VIEW, _space),
    MatrixRow("spaces detail post", "POST", _detail, NOT_SERVED, _space),
    MatrixRow("spaces archived detail", "GET", _detail, RECORD_VIEW, _archived_space),
    MatrixRow("spaces edit form", "GET", lambda s: f"/spaces/{s['space'].pk}/edit/", RECORD_EDIT, _space),
    MatrixRow(
        "spaces edit",
        "POST",
        lambda s: f"/spaces/{s['space'].pk}/edit/",
        RECORD_EDIT_POST,
        _space,
        _form,
        effect=_renamed,
    ),
    MatrixRow(
        "spaces archive form", "GET", lambda s: f"/spaces/{s['space'].pk}/archive/", RECORD_EDIT, _space
    ),
    MatrixRow(
        "spaces archive",
        "POST",
        lambda s: f"/spaces/{s['space'].pk}/archive/",
        RECORD_EDIT_POST,
        _space,
        effect=_archived,
    ),
    MatrixRow(
        "spaces restore",
        "POST",
        lambda s: f"/spaces/{s['space'].pk}/restore/",
        RECORD_EDIT_POST,
        _archived_space,
        effect=_restored,
    ),
    MatrixRow(
        "spaces purge form",
        "GET",
        lambda s: f"/spaces/{s['space'].pk}/purge/",
        RECORD_PURGE,
        _archived_space,
    ),
    MatrixRow(
        "spaces purge",
        "POST",
        lambda s: f"/spaces/{s['space'].pk}/purge/",
        RECORD_PURGE_POST,
        _archived_space,
        _purge_form,
        effect=_gone,
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
        "api spaces archived list of a city",
        "GET",
        lambda s: f"/api/v1/spaces/?city={s['city'].pk}&archived=true",
        MEMBERS,
        _archived_space,
    ),
    api_row(
        "api spaces geojson", "GET", lambda s: f"/api/v1/spaces/geojson?city={s['city'].pk}", MEMBERS, _space
    ),
    api_row("api spaces detail", "GET", lambda s: f"/api/v1/spaces/{s['space'].pk}", MEMBERS, _space),
    api_row(
        "api spaces create",
        "POST",
        lambda s: "/api/v1/spaces/",
        EDITORS,
        ok=201,
        data=_api_new,
        effect=_created,
    ),
    api_row(
        "api spaces update",
        "PATCH",
        lambda s: f"/api/v1/spaces/{s['space'].pk}",
        EDITORS,
        _space,
        data={"capacity": 5000},
        effect=_capacity_set,
    ),
    api_row(
        "api spaces archive",
        "DELETE",
        lambda s: f"/api/v1/spaces/{s['space'].pk}",
        EDITORS,
        _space,
        ok=204,
        effect=_archived,
    ),
    api_row(
        "api spaces restore",
        "POST",
        lambda s: f"/api/v1/spaces/{s['space'].pk}/restore",
        EDITORS,
        _archived_space,
        effect=_restored,
    ),
]
