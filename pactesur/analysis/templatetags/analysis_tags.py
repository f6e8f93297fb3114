"""Template tags other apps' pages use to show a space's analysis to those allowed to see it."""

from __future__ import annotations

from typing import Any

from django import template

from pactesur.cities.models import has_city_perm

register = template.Library()


@register.inclusion_tag("analysis/_space_box.html")
def space_analysis_box(space: Any, user: Any) -> dict[str, Any]:
    """A link to the space's vehicle dynamics assessment and its headline, for analysis.summary roles."""
    if not has_city_perm(user, space.city_id, "analysis.summary"):
        return {"allowed": False}
    from pactesur.analysis.results import current_rows

    rows = list(current_rows(space.city_id).filter(space=space).exclude(max_impact_speed_kmh=None))
    fastest = max(rows, key=lambda r: r.max_impact_speed_kmh or 0.0, default=None)
    heaviest = max(rows, key=lambda r: r.max_kinetic_energy_kj or 0.0, default=None)
    return {"allowed": True, "space": space, "fastest": fastest, "heaviest": heaviest}
