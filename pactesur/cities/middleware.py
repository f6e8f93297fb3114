"""The current city of a request: the one the user switched to, else their first."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from pactesur.cities.models import City, user_cities
from pactesur.cities.time_zones import city_zone

SESSION_KEY = "pactesur_city_id"


class CurrentCityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.city = None  # type: ignore[attr-defined]
        user = getattr(request, "user", None)
        city: City | None = None
        if user is not None and user.is_authenticated:
            # One query for the user's cities, which the layout's city switcher lists too.
            allowed = user_cities(user)
            wanted = request.session.get(SESSION_KEY)
            if wanted is not None:
                city = next((c for c in allowed if c.pk == wanted), None)
            if city is None:
                city = next(iter(allowed), None)
            request.city = city  # type: ignore[attr-defined]
        # Dates and times on the pages are the current city's local time.
        if city is None:
            timezone.deactivate()
            return self.get_response(request)
        with timezone.override(city_zone(city)):
            return self.get_response(request)
