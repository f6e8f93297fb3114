"""Permission matrix rows of the assessments app: every page and API call × every role."""

from __future__ import annotations

from typing import Any

from tests.matrix_support import MatrixRow, api_row, current_city_statuses, statuses

FULL = ("admin", "security")
SUMMARY = ("admin", "security", "planner")


def _draft(city: Any, other_city: Any, user_by_role: Any) -> dict[str, Any]:
    """A submittable draft of Nice: one rated scenario, the others not applicable, by a third author."""
    from tests.assessments.helpers import rate, settle_the_rest, start
    from tests.factories import MembershipFactory, UserFactory

    author = UserFactory(username="matrix_author")
    MembershipFactory(user=author, city=city, role="security")
    a = start(city, author, peak_crowd=1000)
    rate(a, "vehicle", 3, 3, author)
    settle_the_rest(a, author)
    return {"a": a, "author": author, "space": a.space, "sc": a.scenarios.get(attack_type="vehicle")}


def _in_review(city: Any, other_city: Any, user_by_role: Any) -> dict[str, Any]:
    from pactesur.assessments.actions import do_submit_assessment

    ctx = _draft(city, other_city, user_by_role)
    version = do_submit_assessment(ctx["a"], acting_user=ctx["author"])
    return ctx | {"v": version}


def _approved(city: Any, other_city: Any, user_by_role: Any) -> dict[str, Any]:
    from pactesur.assessments.actions import do_approve_assessment
    from tests.factories import MembershipFactory, UserFactory

    ctx = _in_review(city, other_city, user_by_role)
    reviewer = UserFactory(username="matrix_reviewer")
    MembershipFactory(user=reviewer, city=city, role="admin")
    do_approve_assessment(ctx["a"], acting_user=reviewer)
    return ctx


def _with_measure(city: Any, other_city: Any, user_by_role: Any) -> dict[str, Any]:
    from pactesur.assessments.actions import do_add_measure
    from pactesur.measures.models import MeasureType

    ctx = _draft(city, other_city, user_by_role)
    m = do_add_measure(
        ctx["a"],
        acting_user=ctx["author"],
        measure_type=MeasureType.objects.get(code="cctv"),
        status="planned",
    )
    return ctx | {"m": m}


def _with_action(city: Any, other_city: Any, user_by_role: Any) -> dict[str, Any]:
    import datetime

    from pactesur.assessments.decisions import ActionFields, do_add_risk_action

    ctx = _draft(city, other_city, user_by_role)
    fields = ActionFields(
        title="Bollards", owner="Roads", due_on=datetime.date(2027, 1, 31), scenario=ctx["sc"]
    )
    return ctx | {"act": do_add_risk_action(ctx["a"], fields, acting_user=ctx["author"])}


def _with_member(city: Any, other_city: Any, user_by_role: Any) -> dict[str, Any]:
    from pactesur.assessments.decisions import do_add_team_member

    ctx = _draft(city, other_city, user_by_role)
    member = do_add_team_member(ctx["a"], acting_user=ctx["author"], name="Ana", organisation="police")
    return ctx | {"member": member}


def _action_form(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"title": "Matrix action", "owner": "Roads", "due_on": "2027-02-28", "status": "open"}


def _action_titled(title: str) -> Any:
    def effect(ctx: dict[str, Any]) -> bool:
        from pactesur.assessments.models import RiskAction

        return RiskAction.objects.filter(assessment=ctx["a"], title=title).exists()

    return effect


def _action_done(ctx: dict[str, Any]) -> bool:
    ctx["act"].refresh_from_db()
    return bool(ctx["act"].status == "done")


def _decided(ctx: dict[str, Any]) -> bool:
    ctx["sc"].refresh_from_db()
    return bool(ctx["sc"].decision == "accept")


def _member_named(ctx: dict[str, Any]) -> bool:
    return bool(ctx["a"].team.filter(name="Matrix member").exists())


def _member_gone(ctx: dict[str, Any]) -> bool:
    return not ctx["a"].team.filter(pk=ctx["member"].pk).exists()


def _space(city: Any, other_city: Any, user_by_role: Any) -> dict[str, Any]:
    from tests.spaces.helpers import make_space

    return {"space": make_space(city, None, name="Cours Saleya")}


def _measure_form(ctx: dict[str, Any]) -> dict[str, Any]:
    from pactesur.measures.models import MeasureType

    return {
        "measure_type": MeasureType.objects.get(code="lighting").pk,
        "status": "existing",
        "notes": "",
        "coverage_pct": "100",
        "hours": "always",
    }


def _flagged(city: Any, other_city: Any, user_by_role: Any) -> dict[str, Any]:
    """An approved assessment of Nice with an open flag (the threat level went from 2 to 3)."""
    from pactesur.assessments.triggers import do_set_threat_level

    ctx = _approved(city, other_city, user_by_role)
    do_set_threat_level(city, 2, acting_user=None)
    do_set_threat_level(city, 3, acting_user=None)
    return ctx | {"flag": ctx["a"].flags.get()}


def _flag_dismissed(ctx: dict[str, Any]) -> bool:
    from pactesur.assessments.models import ReassessmentFlag

    return ReassessmentFlag.objects.get(pk=ctx["flag"].pk).cleared_at is not None


def _threat_level_recorded(ctx: dict[str, Any]) -> bool:
    from pactesur.assessments.models import ThreatLevel

    return ThreatLevel.objects.filter(level=4, name="Matrix").exists()


def _attack_recorded(ctx: dict[str, Any]) -> bool:
    from pactesur.assessments.models import RecordedAttack

    return RecordedAttack.objects.filter(place="Matrix, Berlin").exists()


_ATTACK_FORM = {
    "attack_type": "vehicle",
    "happened_on": "2024-12-19",
    "place": "Matrix, Berlin",
    "space_kind": "market",
}


# Pages on the current city: another city's admin works on their own city; no city → 403.
CURRENT_SUMMARY = current_city_statuses(SUMMARY)
CURRENT_FULL = current_city_statuses(FULL)
# Records of Nice: 404 for anyone outside Nice.
R_FULL = statuses(FULL)
R_SUMMARY = statuses(SUMMARY)
R_POST = statuses(FULL, ok=302)
# The planner's summary page redirects security and admin to the full assessment.
R_SPACE_PAGE = statuses(SUMMARY, admin=302, security=302)
A = "/assessments"

ROWS: list[MatrixRow] = [
    MatrixRow("assessments dashboard", "GET", lambda s: f"{A}/", CURRENT_SUMMARY),
    MatrixRow("assessments city report", "GET", lambda s: f"{A}/report.pdf", CURRENT_FULL),
    MatrixRow(
        "assessments space page", "GET", lambda s: f"{A}/spaces/{s['space'].pk}/", R_SPACE_PAGE, _draft
    ),
    MatrixRow(
        "assessments space page unassessed",
        "GET",
        lambda s: f"{A}/spaces/{s['space'].pk}/",
        R_SUMMARY,
        _space,
    ),
    MatrixRow("assessments start", "POST", lambda s: f"{A}/spaces/{s['space'].pk}/start/", R_POST, _space),
    MatrixRow("assessments detail", "GET", lambda s: f"{A}/{s['a'].pk}/", R_FULL, _draft),
    MatrixRow("assessments context form", "GET", lambda s: f"{A}/{s['a'].pk}/context/", R_FULL, _draft),
    MatrixRow(
        "assessments context save",
        "POST",
        lambda s: f"{A}/{s['a'].pk}/context/",
        R_POST,
        _draft,
        {"peak_crowd": "1200", "mode": "matrix"},
    ),
    MatrixRow("assessments measures", "GET", lambda s: f"{A}/{s['a'].pk}/measures/", R_FULL, _draft),
    MatrixRow(
        "assessments measure add",
        "POST",
        lambda s: f"{A}/{s['a'].pk}/measures/",
        R_POST,
        _draft,
        _measure_form,
    ),
    MatrixRow(
        "assessments measure delete",
        "POST",
        lambda s: f"{A}/{s['a'].pk}/measures/{s['m'].pk}/delete/",
        R_POST,
        _with_measure,
    ),
    MatrixRow(
        "assessments scenario", "GET", lambda s: f"{A}/{s['a'].pk}/scenarios/{s['sc'].pk}/", R_FULL, _draft
    ),
    MatrixRow(
        "assessments scenario save",
        "POST",
        lambda s: f"{A}/{s['a'].pk}/scenarios/{s['sc'].pk}/",
        R_POST,
        _draft,
        {
            "threat": "3",
            "vulnerability": "3",
            "consequence": "3",
            "override_reason": "walk",
            "description": "d",
        },
    ),
    MatrixRow(
        "assessments scenario facts",
        "POST",
        lambda s: f"{A}/{s['a'].pk}/scenarios/{s['sc'].pk}/",
        R_POST,
        _draft,
        {"save-facts": "1", "q_side_access": "yes"},
    ),
    MatrixRow("assessments refresh", "POST", lambda s: f"{A}/{s['a'].pk}/refresh/", R_POST, _draft),
    MatrixRow(
        "assessments what-if",
        "GET",
        lambda s: f"{A}/{s['a'].pk}/what-if/?measure={s['m'].pk}",
        R_FULL,
        _with_measure,
    ),
    MatrixRow("assessments submit", "POST", lambda s: f"{A}/{s['a'].pk}/submit/", R_POST, _draft),
    MatrixRow("assessments approve", "POST", lambda s: f"{A}/{s['a'].pk}/approve/", R_POST, _in_review),
    MatrixRow("assessments return", "POST", lambda s: f"{A}/{s['a'].pk}/return/", R_POST, _in_review),
    MatrixRow("assessments reopen", "POST", lambda s: f"{A}/{s['a'].pk}/reopen/", R_POST, _approved),
    MatrixRow("assessments history", "GET", lambda s: f"{A}/{s['a'].pk}/history/", R_FULL, _approved),
    MatrixRow("assessments version", "GET", lambda s: f"{A}/{s['a'].pk}/versions/1/", R_FULL, _approved),
    MatrixRow("assessments diff", "GET", lambda s: f"{A}/{s['a'].pk}/diff/?from=1&to=2", R_FULL, _approved),
    MatrixRow("assessments space report", "GET", lambda s: f"{A}/{s['a'].pk}/report.pdf", R_FULL, _draft),
    # Decisions, the action register and the team (issue 12 items 5 and 6).
    MatrixRow("assessments decisions", "GET", lambda s: f"{A}/{s['a'].pk}/decisions/", R_FULL, _draft),
    MatrixRow(
        "assessments decide",
        "POST",
        lambda s: f"{A}/{s['a'].pk}/decisions/{s['sc'].pk}/",
        R_POST,
        _draft,
        lambda s: {f"s{s['sc'].pk}-decision": "accept", f"s{s['sc'].pk}-reason": "medium, patrols"},
        effect=_decided,
    ),
    MatrixRow("assessments action form", "GET", lambda s: f"{A}/{s['a'].pk}/actions/new/", R_FULL, _draft),
    MatrixRow(
        "assessments action add",
        "POST",
        lambda s: f"{A}/{s['a'].pk}/actions/new/",
        R_POST,
        _draft,
        _action_form,
        effect=_action_titled("Matrix action"),
    ),
    MatrixRow(
        "assessments action edit form",
        "GET",
        lambda s: f"{A}/{s['a'].pk}/actions/{s['act'].pk}/",
        R_FULL,
        _with_action,
    ),
    MatrixRow(
        "assessments action edit",
        "POST",
        lambda s: f"{A}/{s['a'].pk}/actions/{s['act'].pk}/",
        R_POST,
        _with_action,
        _action_form,
        effect=_action_titled("Matrix action"),
    ),
    MatrixRow(
        "assessments action status",
        "POST",
        lambda s: f"{A}/{s['a'].pk}/actions/{s['act'].pk}/status/",
        R_POST,
        _with_action,
        {"status": "done"},
        effect=_action_done,
    ),
    MatrixRow("assessments team", "GET", lambda s: f"{A}/{s['a'].pk}/team/", R_FULL, _draft),
    MatrixRow(
        "assessments team add",
        "POST",
        lambda s: f"{A}/{s['a'].pk}/team/",
        R_POST,
        _draft,
        {"name": "Matrix member", "organisation": "municipality", "role": ""},
        effect=_member_named,
    ),
    MatrixRow(
        "assessments team remove",
        "POST",
        lambda s: f"{A}/{s['a'].pk}/team/{s['member'].pk}/delete/",
        R_POST,
        _with_member,
        effect=_member_gone,
    ),
    MatrixRow("assessments threat level", "GET", lambda s: f"{A}/threat-level/", CURRENT_FULL),
    MatrixRow(
        "assessments threat level record",
        "POST",
        lambda s: f"{A}/threat-level/",
        current_city_statuses(FULL, ok=302),
        data={"level": "4", "name": "Matrix", "source": ""},
        effect=_threat_level_recorded,
    ),
    MatrixRow("assessments attacks", "GET", lambda s: f"{A}/attacks/", CURRENT_FULL),
    MatrixRow(
        "assessments attack record",
        "POST",
        lambda s: f"{A}/attacks/",
        current_city_statuses(FULL, ok=302),
        data=_ATTACK_FORM,
        effect=_attack_recorded,
    ),
    MatrixRow("assessments flags", "GET", lambda s: f"{A}/flags/", CURRENT_FULL, _flagged),
    MatrixRow(
        "assessments flag dismiss",
        "POST",
        lambda s: f"{A}/flags/{s['flag'].pk}/dismiss/",
        R_POST,
        _flagged,
        {"reason": "the level is back to 2 already"},
        effect=_flag_dismissed,
    ),
    # API: outsiders 404, insufficient role 403, anonymous 401.
    api_row(
        "api assessments list of a city",
        "GET",
        lambda s: f"/api/v1/assessments/?city={s['city'].pk}",
        SUMMARY,
        _draft,
    ),
    api_row(
        "api assessments list of my cities",
        "GET",
        lambda s: "/api/v1/assessments/",
        SUMMARY,
        _draft,
        trainer=200,
        viewer=200,
        expert=200,
        other_city_admin=200,
        no_city=200,
    ),
    api_row("api assessments detail", "GET", lambda s: f"/api/v1/assessments/{s['a'].pk}", SUMMARY, _draft),
    api_row(
        "api assessments of a space",
        "GET",
        lambda s: f"/api/v1/assessments/spaces/{s['space'].pk}",
        SUMMARY,
        _draft,
    ),
]
