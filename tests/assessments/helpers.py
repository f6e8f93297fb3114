"""Builders for assessments tests: a space and an assessment made through the actions."""

from __future__ import annotations

from typing import Any

from pactesur.assessments.actions import do_rate_scenario, do_start_assessment
from pactesur.assessments.models import Assessment, Scenario
from tests.spaces.helpers import make_space


def start(city: Any, user: Any = None, *, name: str = "Place Masséna", **space_fields: Any) -> Assessment:
    """A space of `city` (≈ 8,900 m² square) and its freshly started assessment."""
    space = make_space(city, user, name=name, **space_fields)
    return do_start_assessment(space, acting_user=user)


def scenario(assessment: Assessment, attack_type: str) -> Scenario:
    return assessment.scenarios.get(attack_type=attack_type)


def rate(
    assessment: Assessment, attack_type: str, p: int | None, c: int | None, user: Any = None, **kw: Any
) -> Scenario:
    """Rate a scenario to probability `p` and consequence `c` (5×5 mode): threat and vulnerability
    both `p`, whose derived probability is `p` (the table's diagonal). In the FEMA mode pass threat
    and vulnerability in `kw`."""
    s = scenario(assessment, attack_type)
    if not assessment.is_fema:
        kw.setdefault("threat", p)
        kw.setdefault("vulnerability", p)
    suggested = {
        "threat": s.suggested_threat,
        "vulnerability": s.suggested_vulnerability,
        "consequence": s.suggested_consequence,
    }
    given = {"threat": kw.get("threat"), "vulnerability": kw.get("vulnerability"), "consequence": c}
    if any(suggested[k] not in (None, given[k]) for k in suggested):
        kw.setdefault("override_reason", "site visit")
    return do_rate_scenario(s, acting_user=user, consequence=c, **kw)


def settle_the_rest(
    assessment: Assessment,
    user: Any = None,
    *,
    reason: str = "not at this space",
    decision: str = "accept",
) -> None:
    """Make the assessment submittable: every scenario not yet rated in the assessment's mode marked not
    applicable, and every high or very high risk without a decision decided (`decision`, with a reason)."""
    from pactesur.assessments.decisions import do_decide_scenario

    for s in assessment.scenarios.all():
        if s.score is None and not s.not_applicable:
            do_rate_scenario(
                s,
                acting_user=user,
                description=s.description,
                evidence=s.evidence,
                not_applicable=True,
                not_applicable_reason=reason,
            )
    for s in assessment.scenarios.all():
        if s.band in ("high", "very_high") and not s.decision:
            do_decide_scenario(s, acting_user=user, decision=decision, reason="decided in the test")
