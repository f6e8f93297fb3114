"""Template tags for analysis pages and other apps' pages: a space's analysis box, class labels."""

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
    from pactesur.analysis.results import current_rows

    rows = list(current_rows(space.city_id).filter(space=space).exclude(max_impact_speed_kmh=None))
    fastest = max(rows, key=lambda r: r.max_impact_speed_kmh or 0.0, default=None)
    heaviest = max(rows, key=lambda r: r.max_kinetic_energy_kj or 0.0, default=None)
    return {"allowed": True, "space": space, "fastest": fastest, "heaviest": heaviest}
