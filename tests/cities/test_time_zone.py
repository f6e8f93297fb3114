"""Pages show dates and times in the current city's time zone."""

from __future__ import annotations

from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from pactesur.cities.middleware import CurrentCityMiddleware


def _zone_seen_by_view(user):  # type: ignore[no-untyped-def]
    seen: list[str] = []

    def view(request):  # type: ignore[no-untyped-def]
        seen.append(timezone.get_current_timezone_name())
        return HttpResponse("ok")

    request = RequestFactory().get("/")
    request.user = user
    request.session = {}  # type: ignore[assignment]
    CurrentCityMiddleware(view)(request)
    return seen[0]


def test_a_member_sees_times_in_their_city_time_zone(security_officer, city) -> None:  # type: ignore[no-untyped-def]
    city.time_zone = "Europe/Helsinki"
    city.save()
    assert _zone_seen_by_view(security_officer) == "Europe/Helsinki"
    # The zone is not left active after the request.
    assert timezone.get_current_timezone_name() == "UTC"


def test_a_city_with_an_unknown_time_zone_falls_back_to_utc(security_officer, city) -> None:  # type: ignore[no-untyped-def]
    city.time_zone = "Mars/Olympus_Mons"
    city.save()
    assert _zone_seen_by_view(security_officer) == "UTC"
