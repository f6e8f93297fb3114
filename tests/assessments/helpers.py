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
    s = scenario(assessment, attack_type)
    if (
        s.overruled
        or (s.suggested_probability not in (None, p))
        or (s.suggested_consequence not in (None, c))
    ):
        kw.setdefault("override_reason", "site visit")
    return do_rate_scenario(s, acting_user=user, probability=p, consequence=c, **kw)


def settle_the_rest(assessment: Assessment, user: Any = None, *, reason: str = "not at this space") -> None:
    """Mark every scenario not yet rated in the assessment's mode not applicable, so it can be submitted."""
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
