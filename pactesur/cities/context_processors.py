"""Template context: the current city and the cities the user can switch to."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from pactesur.cities.models import has_city_perm, is_network_expert, user_cities

# The actions the layout and pages ask about: each decides whether a menu item or a link is shown, so
# that nobody is offered a page that would answer 403.
_LAYOUT_ACTIONS = (
    "members.manage",
    "city.edit",
    "audit.view",
    "space.view",
    "space.edit",
    "event.view",
    "event.edit",
    "network.view",
    "network.import",
    "restricted.view",
    "analysis.summary",
    "assessment.summary",
    "measure.view",
    "plan.view",
)


def current_city(request: HttpRequest) -> dict[str, Any]:
    """`current_city`, `my_cities`, `can` (action → allowed in the current city) and `network_expert`."""
    user = getattr(request, "user", None)
    city = getattr(request, "city", None)
    if user is None or not user.is_authenticated:
        return {"current_city": None, "my_cities": [], "can": {}, "network_expert": False}

    flags = {action: has_city_perm(user, city, action) for action in _LAYOUT_ACTIONS}
    # Templates cannot look up a key with a dot: each flag is also under its underscored name
    # ({% if can.members_manage %}).
    flags |= {a.replace(".", "_"): allowed for a, allowed in flags.items()}
    return {
        "current_city": city,
        "my_cities": user_cities(user),
        "can": flags,
        # Only asked when there is no current city: a network expert's menu leads to the shared work
        # instead of a city's pages (one query, for city-less users only).
        "network_expert": city is None and is_network_expert(user),
    }
