"""Template context: the current city and the cities the user can switch to."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from pactesur.cities.models import cities_of, has_city_perm


def current_city(request: HttpRequest) -> dict[str, Any]:
    """`current_city`, `my_cities` and `can` (action → allowed in the current city) for every page."""
    user = getattr(request, "user", None)
    city = getattr(request, "city", None)
    if user is None or not user.is_authenticated:
        return {"current_city": None, "my_cities": []}

    def can(action: str) -> bool:
        return has_city_perm(user, city, action)

    flags = {
        a: can(a)
        for a in (
            "members.manage",
            "city.edit",
            "audit.view",
            "space.edit",
            "network.import",
            "restricted.view",
            "event.edit",
            "analysis.summary",
            "assessment.summary",
        )
    }
    # Templates cannot look up a key with a dot: each flag is also under its underscored name
    # ({% if can.members_manage %}).
    flags |= {a.replace(".", "_"): allowed for a, allowed in flags.items()}
    return {
        "current_city": city,
        "my_cities": list(cities_of(user)),
        "can": flags,
    }
