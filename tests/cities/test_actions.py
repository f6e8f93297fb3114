"""Cities are created by `do_create_city`: checked and audited, from the command line or by a superuser."""

from __future__ import annotations

import pytest

from pactesur.audit.models import AuditEvent
from pactesur.cities.actions import do_create_city
from pactesur.cities.errors import InvalidRequestError, NotAllowedError
from pactesur.cities.models import City
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LYON = {"name": "Lyon", "slug": "lyon", "country": "fr", "languages": "fr", "time_zone": "Europe/Paris"}


def test_command_line_creates_a_city_audited_as_cli():
    city = do_create_city(acting_user=None, **LYON)

    assert (city.name, city.slug, city.country, city.time_zone) == ("Lyon", "lyon", "FR", "Europe/Paris")
    event = AuditEvent.objects.get(action="create", object_type="cities.city")
    assert (event.username, event.user, event.city, event.object_id) == ("cli", None, city, str(city.pk))


def test_a_superuser_creates_a_city_in_their_name():
    admin = UserFactory(is_superuser=True)

    city = do_create_city(acting_user=admin, **LYON)

    assert AuditEvent.objects.get(action="create", city=city).user == admin


def test_a_city_administrator_cannot_create_cities(city_admin):
    with pytest.raises(NotAllowedError):
        do_create_city(acting_user=city_admin, **LYON)
    assert not City.objects.filter(slug="lyon").exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": " "}, "name"),
        ({"slug": "Lyon Centre"}, "short name"),
        ({"country": "FRA"}, "two-letter"),
        ({"time_zone": "Europe/Lyon"}, "time zone"),
    ],
)
def test_bad_values_create_nothing(change, message):
    with pytest.raises(InvalidRequestError, match=message):
        do_create_city(acting_user=None, **{**LYON, **change})
    assert not City.objects.filter(slug="lyon").exists()
    assert not AuditEvent.objects.exists()


def test_a_taken_short_name_is_refused(city):
    with pytest.raises(InvalidRequestError, match="exists already"):
        do_create_city(acting_user=None, **{**LYON, "slug": city.slug})
