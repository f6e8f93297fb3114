"""Permission matrix rows of the reports: every page, by method, × every role.

The local protection plans are the current city's and need both `analysis.view` and `plan.view`
(administrators and security managers; another city's administrator gets their own city's): the
page lists them and asks for a new one (POST, with a recent password confirmation), its script
reads their status; a prepared plan's download is a restricted export of the plan's city (a person
of another city gets 404). An investment plan's PDF needs `plan.view` in the plan's city. Without a
recent password confirmation, everyone logged in goes to the confirm page first, but for asking a
plan, where the role is checked first.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.matrix_support import LOGGED_IN, MatrixRow, current_city_statuses, every_role, statuses

FULL = ("admin", "security")
PLANNERS = ("admin", "security", "planner")
TO_CONFIRM = statuses(LOGGED_IN, ok=302)
NOT_SERVED = every_role(405)
PLANS = "/reports/"


def _plan(city: Any, other_city: Any, user_by_role: Any) -> dict[str, Any]:
    from tests.reports.helpers import assessed, investment_plan
    from tests.spaces.helpers import make_space

    assessed(make_space(city, None, name="Place Masséna", peak_crowd=3000))
    return {"plan": investment_plan(city, name="Matrix plan", budget_eur=20_000)}


def _pdf(ctx: dict[str, Any]) -> str:
    return f"/reports/investment-plans/{ctx['plan'].pk}.pdf"


def _prepared(city: Any, other_city: Any, user_by_role: Any) -> dict[str, Any]:
    """A plan of Nice prepared for its security manager, its file on disk."""
    from django.conf import settings

    from pactesur.reports.models import ReportFile, ReportStatus

    report = ReportFile.objects.create(
        city=city, requested_by_name="security_officer", language="fr", status=ReportStatus.DONE
    )
    relative = f"reports/{city.pk}/matrix-{report.pk}.pdf"
    path = Path(settings.PACTESUR_DATA_DIR) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"%PDF-1.7 matrix")
    ReportFile.objects.filter(pk=report.pk).update(file=relative, size_bytes=15, pages=1)
    return {"report": report}


def _download(ctx: dict[str, Any]) -> str:
    return f"/reports/{ctx['report'].pk}/download.pdf"


def _asked(ctx: dict[str, Any]) -> bool:
    from pactesur.reports.models import ReportFile

    return ReportFile.objects.filter(requested_by=ctx["user"]).exists()


ROWS: list[MatrixRow] = [
    MatrixRow("reports protection plans", "GET", lambda s: PLANS, current_city_statuses(FULL)),
    MatrixRow(
        "reports protection plan prepare",
        "POST",
        lambda s: PLANS,
        current_city_statuses(FULL, ok=302),
        data={"language": "en"},
        effect=_asked,
    ),
    MatrixRow(
        "reports protection plan prepare without a recent confirmation",
        "POST",
        lambda s: PLANS,
        current_city_statuses(FULL, ok=302),
        data={"language": "en"},
        recent_auth=False,
    ),
    MatrixRow(
        "reports protection plan status", "GET", lambda s: "/reports/status.json", current_city_statuses(FULL)
    ),
    MatrixRow("reports protection plan status post", "POST", lambda s: "/reports/status.json", NOT_SERVED),
    MatrixRow("reports protection plan download", "GET", _download, statuses(FULL), _prepared),
    MatrixRow(
        "reports protection plan download without a recent confirmation",
        "GET",
        _download,
        TO_CONFIRM,
        _prepared,
        recent_auth=False,
    ),
    MatrixRow("reports protection plan download post", "POST", _download, NOT_SERVED, _prepared),
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
