"""Permission matrix rows of the reports: every page, by method, × every role.

The local protection plan is the current city's and needs both `analysis.view` and `plan.view`
(administrators and security managers; another city's administrator gets their own city's plan); an
investment plan's PDF needs `plan.view` in the plan's city. Both are restricted exports: without a
recent password confirmation everyone logged in goes to the confirm page first.
"""

from __future__ import annotations

from typing import Any

from tests.matrix_support import LOGGED_IN, MatrixRow, current_city_statuses, every_role, statuses

FULL = ("admin", "security")
PLANNERS = ("admin", "security", "planner")
TO_CONFIRM = statuses(LOGGED_IN, ok=302)
NOT_SERVED = every_role(405)


def _space(city: Any, other_city: Any, user_by_role: Any) -> dict[str, Any]:
    from tests.spaces.helpers import make_space

    return {"space": make_space(city, None, name="Place Masséna")}


def _plan(city: Any, other_city: Any, user_by_role: Any) -> dict[str, Any]:
    from tests.reports.helpers import assessed, investment_plan
    from tests.spaces.helpers import make_space

    assessed(make_space(city, None, name="Place Masséna", peak_crowd=3000))
    return {"plan": investment_plan(city, name="Matrix plan", budget_eur=20_000)}


def _pdf(ctx: dict[str, Any]) -> str:
    return f"/reports/investment-plans/{ctx['plan'].pk}.pdf"


ROWS: list[MatrixRow] = [
    MatrixRow(
        "reports local protection plan",
        "GET",
        lambda s: "/reports/protection-plan.pdf",
        current_city_statuses(FULL),
        _space,
    ),
    MatrixRow(
        "reports local protection plan without a recent confirmation",
        "GET",
        lambda s: "/reports/protection-plan.pdf",
        TO_CONFIRM,
        recent_auth=False,
    ),
    MatrixRow(
        "reports local protection plan post", "POST", lambda s: "/reports/protection-plan.pdf", NOT_SERVED
    ),
    MatrixRow("reports investment plan pdf", "GET", _pdf, statuses(PLANNERS), _plan),
    MatrixRow(
        "reports investment plan pdf without a recent confirmation",
        "GET",
        _pdf,
        TO_CONFIRM,
        _plan,
        recent_auth=False,
    ),
    MatrixRow("reports investment plan pdf post", "POST", _pdf, NOT_SERVED, _plan),
]
