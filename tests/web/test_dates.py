"""Dates and times: in the reader's language, written the European way in English, in the city's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django import forms
from django.test import Client
from django.urls import reverse
from django.utils import formats, translation

from pactesur.accounts.actions import do_create_api_token
from pactesur.accounts.models import ApiToken
from pactesur.audit.models import AuditEvent
from pactesur.events.actions import do_create_event
from pactesur.spaces.models import Space
from tests.factories import CityFactory, MembershipFactory
from tests.spaces.helpers import make_space

# 21:30 UTC on 1 July 2026: 23:30 the same day in Nice (Europe/Paris, UTC+2 in summer), but already
# 00:30 on 2 July in Helsinki (UTC+3): a page in the wrong zone shows the wrong day.
LATE_EVENING_UTC = datetime(2026, 7, 1, 21, 30, tzinfo=UTC)
# 09:00 UTC on 5 December 2026: 10:00 in Nice (UTC+1 in winter).
WINTER_MORNING_UTC = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.mark.parametrize(
    ("language", "short", "long"),
    [
        ("en", "05/12/2026 10:00", "5 December 2026, 10:00"),
        ("fr", "05/12/2026 10:00", "5 décembre 2026 10:00"),
        ("de", "05.12.2026 10:00", "5. Dezember 2026 10:00"),
    ],
)
def test_english_writes_the_day_first_and_a_24_hour_clock_like_the_other_languages(
    language: str, short: str, long: str
) -> None:
    local = datetime(2026, 12, 5, 10, 0)
    with translation.override(language):
        assert formats.date_format(local, "SHORT_DATETIME_FORMAT") == short
        assert formats.date_format(local, "DATETIME_FORMAT") == long


def test_an_english_date_typed_day_first_is_read_day_first() -> None:
    with translation.override("en"):
        field = forms.DateField(localize=True)
        assert field.clean("05/12/2026") == date(2026, 12, 5)
        assert field.clean("2026-12-05") == date(2026, 12, 5)
        assert formats.get_format("FIRST_DAY_OF_WEEK") == 1


@pytest.mark.django_db
def test_event_pages_show_the_city_time_in_the_reader_language(city, planner) -> None:
    space = make_space(city, None)
    event = do_create_event(
        city,
        acting_user=None,
        space=space,
        name="Marché de Noël",
        starts_at=WINTER_MORNING_UTC,
        ends_at=WINTER_MORNING_UTC.replace(hour=19),
        expected_attendance=5000,
    )
    client = _client(planner)

    listed = _page(client, "/events/")
    assert "05/12/2026 10:00 – 05/12/2026 20:00" in listed
    assert "Times are in the city’s time zone (Europe/Paris)." in listed
    assert "5 December 2026, 10:00" in _page(client, f"/events/{event.pk}/")
    assert "5 décembre 2026 10:00" in _page(client, f"/fr/events/{event.pk}/")
    assert "Les heures sont dans le fuseau horaire de la ville (Europe/Paris)." in _page(
        client, f"/fr/events/{event.pk}/"
    )
    assert "05/12/2026 10:00 – 05/12/2026 20:00" in _page(client, "/it/events/")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("zone", "shown"), [("Europe/Paris", "01/07/2026 23:30"), ("Europe/Helsinki", "02/07/2026 00:30")]
)
def test_a_space_page_shows_when_it_changed_in_its_city_time_zone(planner, zone: str, shown: str) -> None:
    city = CityFactory(name="Somewhere", slug="somewhere", time_zone=zone)
    MembershipFactory(user=planner, city=city, role="planner")
    space = make_space(city, None, name="Market square")
    Space.objects.filter(pk=space.pk).update(updated_at=LATE_EVENING_UTC)
    client = _client(planner)
    client.post(reverse("cities:switch"), {"city": city.pk})
    assert shown in _page(client, f"/spaces/{space.pk}/")


@pytest.mark.django_db
def test_the_audit_trail_is_in_the_city_time_zone(city, city_admin) -> None:
    make_space(city, city_admin)
    AuditEvent.objects.filter(city=city).update(created_at=LATE_EVENING_UTC)
    assert "01/07/2026 23:30" in _page(_client(city_admin), "/audit/")


@pytest.mark.django_db
def test_a_page_of_no_city_record_follows_the_current_city(city, planner) -> None:
    """The API tokens page belongs to the person, not to a city: the current city's zone applies."""
    helsinki = CityFactory(name="Helsinki", slug="helsinki", time_zone="Europe/Helsinki")
    MembershipFactory(user=planner, city=helsinki, role="viewer")
    token, _raw = do_create_api_token("script", acting_user=planner)
    ApiToken.objects.filter(pk=token.pk).update(created_at=LATE_EVENING_UTC)
    client = _client(planner)

    shown = {}
    for current in (city, helsinki):
        assert client.post(reverse("cities:switch"), {"city": current.pk}).status_code == 302
        page = _page(client, "/accounts/tokens/")
        shown[current.slug] = [d for d in ("01/07/2026 23:30", "02/07/2026 00:30") if d in page]
    assert shown == {"nice": ["01/07/2026 23:30"], "helsinki": ["02/07/2026 00:30"]}
