"""The permission matrix: one row per page or API call, with the status every role must get.

Each app's `tests/<app>/matrix.py` defines `ROWS: list[MatrixRow]`; `tests/test_permission_matrix.py`
runs every row for every role and fails for any URL of the project that has no row.

Conventions (the same for every app):
- a member of the city whose role lacks the permission gets 403;
- a person outside the record's city (other city's admin, network expert, user without city) who
  guesses its id gets 404, never the record;
- anonymous: pages redirect to the log-in page (302), the API answers 401;
- logged-in page rows confirm the password first (restricted exports and role changes need a
  recent confirmation); rows with `recent_auth=False` check the way to the confirm page instead.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpResponse
from django.test import Client

from tests.auth_support import confirm_password

ROLES = (
    "admin",
    "security",
    "planner",
    "trainer",
    "viewer",
    "expert",
    "other_city_admin",
    "no_city",
    "anonymous",
)
CITY_MEMBER_ROLES = ("admin", "security", "planner", "trainer", "viewer")
OUTSIDERS = ("expert", "other_city_admin", "no_city")
LOGGED_IN = tuple(r for r in ROLES if r != "anonymous")

# setup(city, other_city, user_by_role) → objects the row's url and data need, by name.
Setup = Callable[[Any, Any, Callable[[str], Any]], dict[str, Any]]


@dataclass(frozen=True)
class MatrixRow:
    """One page or API call and the HTTP status each role must get.

    `url` and, when callable, `data` receive a dict holding `city`, `other_city`, `user` (the acting
    user, None when anonymous) and whatever `setup` returned.
    """

    name: str
    method: str
    url: Callable[[dict[str, Any]], str]
    expect: Mapping[str, int]
    setup: Setup | None = None
    data: dict[str, Any] | Callable[[dict[str, Any]], dict[str, Any]] | None = None
    api: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    # Pages: the client confirmed its password just before (restricted exports and role changes
    # need it); False tests the way to the confirm page.
    recent_auth: bool = True
    # For rows that change something: ctx → whether the change happened (a row archived, gone,
    # renamed…). The matrix asserts it happened for every role the row lets through (a status below
    # 400, anonymous excepted) and for no other: a redirect alone proves nothing.
    effect: Callable[[dict[str, Any]], bool] | None = None

    def __post_init__(self) -> None:
        missing = set(ROLES) - set(self.expect)
        unknown = set(self.expect) - set(ROLES)
        if missing or unknown:
            raise ValueError(
                f"matrix row {self.name}: roles missing {sorted(missing)}, unknown {sorted(unknown)}"
            )


def statuses(
    allowed: Iterable[str],
    *,
    ok: int = 200,
    denied: int = 403,
    outsider: int = 404,
    api: bool = False,
    **overrides: int,
) -> dict[str, int]:
    """Expected statuses for a record of `city`: `ok` for `allowed` roles, `denied` for the city's
    other roles, `outsider` for people of no or another city, 302 (page) or 401 (API) when anonymous.
    """
    allowed = set(allowed)
    expect: dict[str, int] = {}
    for role in CITY_MEMBER_ROLES:
        expect[role] = ok if role in allowed else denied
    for role in OUTSIDERS:
        expect[role] = ok if role in allowed else outsider
    expect["anonymous"] = 401 if api else 302
    expect.update(overrides)
    return expect


def every_role(status: int) -> dict[str, int]:
    """The same status for everyone, anonymous included: a method the view does not serve (405)."""
    return dict.fromkeys(ROLES, status)


def current_city_statuses(allowed: Iterable[str], *, ok: int = 200) -> dict[str, int]:
    """Expected statuses for a page on the acting user's current city rather than on a record of `city`:
    another city's admin works on their own city (`ok` where admins may), the network expert and a
    person without a city get 403.
    """
    allowed = tuple(allowed)
    return statuses(allowed, ok=ok, outsider=403, other_city_admin=ok if "admin" in allowed else 403)


def api_row(
    name: str,
    method: str,
    url: Callable[[dict[str, Any]], str],
    allowed: Iterable[str],
    setup: Setup | None = None,
    *,
    data: dict[str, Any] | Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    ok: int = 200,
    effect: Callable[[dict[str, Any]], bool] | None = None,
    **overrides: int,
) -> MatrixRow:
    """A row of the JSON API: the statuses of `statuses(allowed, api=True)`, called with a bearer token."""
    return MatrixRow(
        name,
        method,
        url,
        statuses(allowed, ok=ok, api=True, **overrides),
        setup,
        data=data,
        api=True,
        effect=effect,
    )


def row_context(row: MatrixRow, role: str, city: Any, other_city: Any, user_by_role: Any) -> dict[str, Any]:
    """Create the acting user and the row's objects; return what `url` and `data` receive."""
    ctx: dict[str, Any] = {"city": city, "other_city": other_city, "user": user_by_role(role)}
    if row.setup is not None:
        ctx.update(row.setup(city, other_city, user_by_role))
    return ctx


def run_row(row: MatrixRow, role: str, ctx: dict[str, Any]) -> HttpResponse:
    """Make the row's request as `role` (force-logged-in client for pages, bearer token for the API)."""
    client = Client()
    user = ctx["user"]
    url = row.url(ctx)
    data = row.data(ctx) if callable(row.data) else row.data
    headers: dict[str, str] = {}
    if row.api:
        if user is not None:
            from pactesur.accounts.models import ApiToken, hash_token

            raw = ApiToken.new_raw_token()
            ApiToken.objects.create(user=user, name="matrix", token_hash=hash_token(raw), prefix=raw[:8])
            headers["Authorization"] = f"Bearer {raw}"
        body = json.dumps(data) if data is not None else ""
        if row.method.upper() == "GET":
            return client.get(url, data, headers=headers)  # type: ignore[return-value]
        return client.generic(  # type: ignore[return-value]
            row.method.upper(), url, body, content_type="application/json", headers=headers
        )
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        if row.recent_auth:
            confirm_password(client)
    if row.method.upper() == "GET":
        return client.get(url, data)  # type: ignore[return-value]
    if row.method.upper() == "POST":
        return client.post(url, data or {})  # type: ignore[return-value]
    return client.generic(row.method.upper(), url)  # type: ignore[return-value]
