"""Template tags for analysis pages and other apps' pages: a space's analysis box, the summary of a
report, class labels."""

from __future__ import annotations

from typing import Any

from django import template

from pactesur.analysis.vehicle_labels import vehicle_label as _vehicle_label
from pactesur.cities.models import has_city_perm

register = template.Library()


@register.filter
def vehicle_label(code: str) -> str:
    """The translated label of a vehicle class code: `{{ row.vehicle|vehicle_label }}`."""
    return _vehicle_label(str(code))


@register.inclusion_tag("analysis/_space_box.html")
def space_analysis_box(space: Any, user: Any) -> dict[str, Any]:
    """A link to the space's vehicle dynamics assessment and its headline, for analysis.summary roles."""
    if not has_city_perm(user, space.city_id, "analysis.summary"):
        return {"allowed": False}
    from django.db.models.fields.json import KT

    from pactesur.analysis.models import ApproachAnalysis
    from pactesur.analysis.results import current_rows, ordered_by_class, row_rating

    # The summary columns and the path speed summary; not the whole result (megabytes).
    rows: list[ApproachAnalysis] = list(
        current_rows(space.city_id)
        .filter(space=space)
        .exclude(max_impact_speed_kmh=None)
        .defer("result", "timings")
        .annotate(path_summary_json=KT("result__path_summary"))
    )
    fastest = max(rows, key=lambda r: r.max_impact_speed_kmh or 0.0, default=None)
    ratings = [row_rating(r) for r in ordered_by_class(rows)]
    return {"allowed": True, "space": space, "fastest": fastest, "ratings": ratings}


@register.inclusion_tag("analysis/_report_summary.html")
def analysis_report_summary(space: Any, *, barriers: bool = False) -> dict[str, Any]:
    """Every class's rating (or that none is tested that fast) and the warnings of the space's current
    analyses; with `barriers`, the existing protection to verify.

    For pages and reports already restricted to roles that may read them: assessments and their PDF
    (admin and security, who hold `analysis.view`).
    """
    from pactesur.analysis.results import barrier_rows, space_analyses, space_warnings

    _inputs, analyses = space_analyses(space)
    current = [
        a for a in analyses if a.current and a.has_result and a.row and a.row.max_impact_speed_kmh is not None
    ]
    return {
        "ratings": [a.rating() for a in current],
        "warnings": space_warnings(current),
        "barriers": barrier_rows(current)[0] if barriers else [],
    }
