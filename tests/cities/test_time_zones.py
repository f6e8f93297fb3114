"""A new city's time zone from its country, read from the IANA zone.tab that the tzdata package ships."""

from __future__ import annotations

import datetime

import pytest

from pactesur.cities.time_zones import (
    country_time_zones,
    default_time_zone,
    parse_iso6709,
    parse_zone_tab,
    same_clock,
)

# A fixed year ahead, so that a change of the rules of some zone cannot change these answers.
JAN_2026 = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


def test_zone_tab_coordinates_in_minutes_and_in_seconds_are_read():
    assert parse_iso6709("+4024-00341") == pytest.approx((-3 - 41 / 60, 40 + 24 / 60))
    assert parse_iso6709("+404251-0740023") == pytest.approx(
        (-(74 + 0 / 60 + 23 / 3600), 40 + 42 / 60 + 51 / 3600)
    )
    with pytest.raises(ValueError, match="ISO 6709"):
        parse_iso6709("40.4N 3.7W")


def test_zone_tab_lines_keep_the_files_order_and_skip_comments():
    text = "# comment\nES\t+4024-00341\tEurope/Madrid\tSpain (mainland)\n\nES\t+2806-01524\tAtlantic/Canary\n"

    zones = parse_zone_tab(text)

    assert [(z.country, z.zone, z.comment) for z in zones] == [
        ("ES", "Europe/Madrid", "Spain (mainland)"),
        ("ES", "Atlantic/Canary", ""),
    ]


def test_a_country_lists_its_zones_main_zone_first():
    assert country_time_zones("FI") == ["Europe/Helsinki"]
    assert country_time_zones("es") == ["Europe/Madrid", "Africa/Ceuta", "Atlantic/Canary"]
    assert country_time_zones("PT") == ["Europe/Lisbon", "Atlantic/Madeira", "Atlantic/Azores"]
    assert country_time_zones("XX") == []


def test_without_a_place_the_first_listed_zone_and_none_for_an_unknown_country():
    assert default_time_zone("FI") == "Europe/Helsinki"
    assert default_time_zone("ES") == "Europe/Madrid"
    assert default_time_zone("US") == "America/New_York"
    assert default_time_zone("XX") is None
    assert default_time_zone("GBR") is None


@pytest.mark.parametrize(
    ("country", "lon", "lat", "zone"),
    [
        ("FI", 25.47, 65.01, "Europe/Helsinki"),  # Oulu: the only zone
        ("ES", 2.17, 41.39, "Europe/Madrid"),  # Barcelona
        ("ES", -15.43, 28.12, "Atlantic/Canary"),  # Las Palmas: an hour behind Madrid
        ("ES", -4.42, 36.72, "Europe/Madrid"),  # Málaga: nearest to Ceuta, which keeps Madrid's clock
        ("ES", -5.32, 35.89, "Europe/Madrid"),  # Ceuta itself: the same clock as Madrid
        ("PT", -8.61, 41.15, "Europe/Lisbon"),  # Porto
        ("PT", -25.67, 37.74, "Atlantic/Azores"),  # Ponta Delgada: an hour behind Lisbon
        ("PT", -16.91, 32.65, "Europe/Lisbon"),  # Funchal: Atlantic/Madeira keeps Lisbon's clock
        ("DE", 9.17, 47.66, "Europe/Berlin"),  # Konstanz, beside Büsingen
        ("US", -112.07, 33.45, "America/Phoenix"),  # no daylight saving time
        ("US", -118.24, 34.05, "America/Los_Angeles"),
    ],
)
def test_the_zone_nearest_the_city_unless_the_main_zone_keeps_the_same_clock(country, lon, lat, zone):
    assert default_time_zone(country, near=(lon, lat), start=JAN_2026) == zone


def test_same_clock_compares_the_offsets_over_a_year():
    assert same_clock("Africa/Ceuta", "Europe/Madrid", start=JAN_2026)
    assert not same_clock("Atlantic/Canary", "Europe/Madrid", start=JAN_2026)
    # Phoenix keeps Denver's clock in winter only
    assert not same_clock("America/Phoenix", "America/Denver", start=JAN_2026)


@pytest.mark.django_db
def test_a_city_created_without_a_time_zone_takes_its_countrys():
    from pactesur.cities.actions import do_create_city

    helsinki = do_create_city(acting_user=None, name="Helsinki", slug="helsinki-tz", country="fi")
    madrid = do_create_city(
        acting_user=None, name="Madrid", slug="madrid-tz", country="ES", near=(-3.7, 40.4)
    )

    assert helsinki.time_zone == "Europe/Helsinki"
    assert madrid.time_zone == "Europe/Madrid"


@pytest.mark.django_db
def test_a_city_of_a_country_without_a_known_zone_must_be_given_one():
    from pactesur.cities.actions import do_create_city
    from pactesur.cities.errors import InvalidRequestError

    with pytest.raises(InvalidRequestError, match="No time zone is known"):
        do_create_city(acting_user=None, name="Nowhere", slug="nowhere", country="QQ")
