"""Every role × every page and API call gets the status its permission row says, no URL and method it
serves lacks a row, and rows that change something check that the change happened exactly for the
roles they let through."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import translation

from tests.matrix_support import ROLES, MatrixRow, row_context, run_row

TESTS_DIR = Path(__file__).resolve().parent

# Routes no permission row is needed for: framework plumbing and the flows a person uses before
# logging in (their own tests cover them).
EXEMPT_PREFIXES = ("django-admin/", "i18n/", "static/", "media/")
EXEMPT_ROUTES = {"api/v1/", "api/v1/openapi.json"}  # the API root only points to the OpenAPI document
PUBLIC_VIEWS = {
    "accounts:login",
    "accounts:login_code",
    "accounts:logout",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
    "accounts:invitation_accept",
}


def _collect_rows() -> list[MatrixRow]:
    rows: list[MatrixRow] = []
    for path in sorted(TESTS_DIR.glob("*/matrix.py")):
        module = importlib.import_module(f"tests.{path.parent.name}.matrix")
        rows.extend(module.ROWS)
    return rows


ROWS = _collect_rows()
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def fast_passwords(settings: Any) -> None:
    # The matrix makes hundreds of users: Argon2 is tested in tests/accounts, here it would only cost time.
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture
def world(fast_passwords, city, other_city, user_by_role):  # type: ignore[no-untyped-def]
    """The two cities and the role → user function every row runs with."""
    return city, other_city, user_by_role


@pytest.mark.parametrize(
    ("row", "role"),
    [pytest.param(row, role, id=f"{row.name}-{role}") for row in ROWS for role in ROLES],
)
def test_role_gets_the_status_of_its_permission_row(row: MatrixRow, role: str, world) -> None:  # type: ignore[no-untyped-def]
    ctx = row_context(row, role, *world)
    response = run_row(row, role, ctx)
    expected = row.expect[role]
    assert response.status_code == expected, (
        f"{row.method} {row.url(ctx)} as {role}: got {response.status_code}, row says {expected}"
    )
    if row.effect is not None:
        allowed = role != "anonymous" and expected < 400
        wrong = "did not happen" if allowed else "happened although the role is refused"
        assert row.effect(ctx) == allowed, f"{row.method} {row.url(ctx)} as {role}: the change {wrong}"
    if role == "anonymous" and expected == 302:
        assert "/accounts/login/" in response["Location"]
    elif not row.recent_auth and expected == 302:
        # Without a recent password confirmation, the redirect is to the confirm page.
        assert response["Location"].startswith(reverse("accounts:reauth") + "?next="), response["Location"]


def test_matrix_row_names_are_unique() -> None:
    names = [row.name for row in ROWS]
    assert len(names) == len(set(names)), sorted({n for n in names if names.count(n) > 1})


# Methods a page must have a row for: those its view serves (see `_page_methods`), but HEAD and
# OPTIONS, which Django answers like GET or with the allowed list.
_IGNORED_METHODS = {"HEAD", "OPTIONS"}


def _page_methods(callback: Any) -> set[str]:
    """The HTTP methods a page serves: its `require_http_methods` list, its class view's handlers, else
    GET and POST — a function view without a method list answers any method, and a POST answered 200
    (a viewer posting to a list) must show in a row."""
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        from django.views.generic.edit import ProcessFormView

        names = {m for m in view_class.http_method_names if hasattr(view_class, m)}
        if getattr(view_class, "put", None) is ProcessFormView.put:
            names.discard("put")  # Django's form views take a PUT as a POST: the POST row covers it
        return {m.upper() for m in names} - _IGNORED_METHODS
    func = callback
    while func is not None:
        if inspect.isfunction(func):
            declared = inspect.getclosurevars(func).nonlocals.get("request_method_list")
            if declared is not None:
                return {m.upper() for m in declared} - _IGNORED_METHODS
        func = getattr(func, "__wrapped__", None)
    return {"GET", "POST"}


def _ninja_methods(callback: Any) -> set[str] | None:
    """The HTTP methods of a django-ninja URL, or None if `callback` is not a ninja view."""
    from ninja.operation import PathView

    closure = inspect.getclosurevars(callback).nonlocals if inspect.isfunction(callback) else {}
    path_view = next((v for v in closure.values() if isinstance(v, PathView)), None)
    if path_view is None:
        return None
    return {m.upper() for op in path_view.operations for m in op.methods}


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str, Any]]:
    """Yield (full route, view name, callback) for every URL pattern."""
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), f"{namespace}{p.name}" if p.name else "", p.callback


def _required_keys() -> set[tuple[str, ...]]:
    keys: set[tuple[str, ...]] = set()
    for route, name, callback in _walk(get_resolver().url_patterns):
        if route in EXEMPT_ROUTES or route.startswith(EXEMPT_PREFIXES) or name in PUBLIC_VIEWS:
            continue
        methods = _ninja_methods(callback)
        if methods is None:
            keys.update(("page", method, route) for method in _page_methods(callback))
        else:
            keys.update(("api", method, route) for method in methods)
    return keys


def test_every_page_and_api_operation_has_a_permission_row(world) -> None:  # type: ignore[no-untyped-def]
    city, other_city, user_by_role = world
    with translation.override("en"):
        required = _required_keys()
        covered: set[tuple[str, ...]] = set()
        for role in ROLES:
            user_by_role(role)  # made once, outside the savepoints below
        for row in ROWS:
            # Each row's objects live in a savepoint rolled back at once, so rows cannot collide.
            savepoint = transaction.savepoint()
            try:
                ctx = row_context(row, "admin", city, other_city, user_by_role)
                match = resolve(row.url(ctx).split("?")[0])
            finally:
                transaction.savepoint_rollback(savepoint)
            covered.add(("api" if row.api else "page", row.method.upper(), match.route))
    missing = sorted(" ".join(k) for k in required - covered)
    assert not missing, "URLs without a row in any tests/<app>/matrix.py:\n" + "\n".join(missing)
