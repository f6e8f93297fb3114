"""Barrier ratings: the one a class needs (ladder rounding, beyond-rating flags, energy) and those
products carry (ISO 22343-1, IWA 14-1, PAS 68 and ASTM F2656 strings, and what they stop)."""

from __future__ import annotations

import pytest

from pactesur.engine.ratings import (
    RatingError,
    kinetic_energy_kj,
    ladder_speed_kmh,
    parse_rating,
    rating_covers,
    required_rating,
)
from pactesur.engine.vehicles import VEHICLES_BY_CODE


@pytest.mark.parametrize(
    ("speed_kmh", "ladder_kmh"),
    [(0.0, 16), (15.9, 16), (16.0, 16), (16.01, 32), (47.99, 48), (48.0, 48), (48.1, 64), (111.9, 112)],
)
def test_impact_speed_is_rounded_up_to_the_test_speed_ladder(speed_kmh: float, ladder_kmh: int) -> None:
    assert ladder_speed_kmh(speed_kmh) == ladder_kmh


def test_speed_above_the_ladder_names_the_next_16_kmh_step() -> None:
    assert ladder_speed_kmh(122.0) == 128


def test_rating_string_has_the_iso_22343_form() -> None:
    rating = required_rating(VEHICLES_BY_CODE["N3C"], 58.3)
    assert rating.rating == "V/7200[N3C]/64/90"
    assert rating.test_speed_kmh == 64
    assert not rating.beyond_rating


@pytest.mark.parametrize(
    ("code", "speed_kmh", "beyond"),
    [
        ("M1", 112.0, False),
        ("M1", 112.5, True),
        ("N2A", 64.0, False),
        ("N2A", 70.0, True),
        ("N3C", 80.0, False),
        ("N3C", 85.0, True),
        ("N3F", 79.0, False),
    ],
)
def test_speed_above_the_highest_test_of_its_class_is_beyond_rating(
    code: str, speed_kmh: float, beyond: bool
) -> None:
    assert required_rating(VEHICLES_BY_CODE[code], speed_kmh).beyond_rating is beyond


def test_westminster_speed_needs_a_rating_no_m1_test_reaches() -> None:
    rating = required_rating(VEHICLES_BY_CODE["M1"], 122.0)
    assert rating.rating == "V/1500[M1]/128/90"
    assert rating.beyond_rating


@pytest.mark.parametrize(
    ("code", "speed_kmh", "energy_kj"),
    [("M1", 48, 133), ("M1", 112, 726), ("N1", 80, 864), ("N3C", 80, 1778), ("N3F", 64, 4741)],
)
def test_kinetic_energy_matches_the_domain_table(code: str, speed_kmh: float, energy_kj: float) -> None:
    assert kinetic_energy_kj(VEHICLES_BY_CODE[code], speed_kmh) == pytest.approx(energy_kj, abs=1.0)


# --------------------------------------------------------------------------------------------
# Ratings as products carry them


@pytest.mark.parametrize(
    ("text", "cls", "mass_kg", "speed_kmh", "penetration_m"),
    [
        ("V/7200[N2A]/48/90:1.5", "N2A", 7200.0, 48.0, 1.5),  # IWA 14-1, ISO 22343-1
        ("V/30000(N3)/80/90:3.30", "N3", 30000.0, 80.0, 3.3),  # PAS 68:2013, round brackets
        ("V/7500[N3C]/80/90.0/1.1/0", "N3C", 7500.0, 80.0, 1.1),  # PAS 68:2010, debris last
        (" v / 7200 [n2a] / 64 / 90 ", "N2A", 7200.0, 64.0, None),  # spaces and case do not matter
    ],
)
def test_iso_iwa_and_pas68_ratings_are_read_as_tested(
    text: str, cls: str, mass_kg: float, speed_kmh: float, penetration_m: float | None
) -> None:
    rating = parse_rating(text)
    assert rating is not None
    assert (rating.vehicle_class, rating.mass_kg, rating.speed_kmh, rating.angle_deg) == (
        cls,
        mass_kg,
        speed_kmh,
        90.0,
    )
    assert rating.penetration_m == penetration_m
    assert not rating.equivalence_assumed


def test_iso_rating_text_is_kept_in_its_certificate_form() -> None:
    rating = parse_rating("v/7200 [n2a]/64/90")
    assert rating is not None
    assert rating.text == "V/7200[N2A]/64/90"


@pytest.mark.parametrize(
    ("text", "cls", "mass_kg", "speed_kmh", "pclass"),
    [
        # 50 mph = 80.47 km/h: a medium-duty truck of 6,800 kg, read as the N3C class (≈ K12).
        ("M50/P1", "N3C", 6800.0, 80.5, "P1"),
        ("M30", "N3C", 6800.0, 48.3, None),
        ("PU60/P2", "N1G", 2300.0, 96.6, "P2"),
        ("C740-P1", "N3C", 7200.0, 64.4, "P1"),  # class 7 cab-over (C7) at 40 mph, not C at 74
        ("c40 / p3", "M1", 1100.0, 64.4, "P3"),
        ("H50/P1", "N3F", 29500.0, 80.5, "P1"),
    ],
)
def test_astm_ratings_are_read_at_the_nearest_iso_vehicle_with_the_equivalence_assumed(
    text: str, cls: str, mass_kg: float, speed_kmh: float, pclass: str | None
) -> None:
    rating = parse_rating(text)
    assert rating is not None
    assert (rating.vehicle_class, rating.mass_kg, rating.speed_kmh, rating.angle_deg) == (
        cls,
        mass_kg,
        speed_kmh,
        90.0,
    )
    assert rating.penetration_class == pclass
    assert rating.penetration_m is None  # a class is a range, not a figure
    assert rating.equivalence_assumed


def test_an_astm_m50_stops_lighter_classes_to_80_kmh_but_not_a_heavier_test_truck() -> None:
    m50 = parse_rating("M50/P1")
    assert rating_covers(m50, VEHICLES_BY_CODE["N1"], 80.0)
    assert not rating_covers(m50, VEHICLES_BY_CODE["N1"], 82.0)
    # the ISO trucks are tested at 7,200 kg, more than ASTM's 6,800: not covered by the mass rule
    assert not rating_covers(m50, VEHICLES_BY_CODE["N3C"], 48.0)


@pytest.mark.parametrize("text", [None, "", "unrated", "None", " - "])
def test_an_unrated_element_has_no_rating(text: str | None) -> None:
    assert parse_rating(text) is None


@pytest.mark.parametrize(
    "text", ["K12", "V/7500/48/90", "V/75[N2]/48/90", "crash rated", "V/7200[N2A]/48/90 tested", "M5/P1"]
)
def test_anything_else_is_refused_with_the_forms_a_rating_takes(text: str) -> None:
    with pytest.raises(RatingError, match=r"V/7200\[N2A\]/48/90:1\.5.*M50/P1"):
        parse_rating(text)


def test_a_rating_stops_classes_no_heavier_and_no_faster_than_its_test() -> None:
    n2a_48 = parse_rating("V/7200[N2A]/48/90")
    assert rating_covers(n2a_48, VEHICLES_BY_CODE["N3C"], 48.05)  # same mass, within the slack
    assert not rating_covers(n2a_48, VEHICLES_BY_CODE["N3C"], 48.2)
    assert not rating_covers(n2a_48, VEHICLES_BY_CODE["N3F"], 20.0)
    assert not rating_covers(None, VEHICLES_BY_CODE["M1"], 5.0)
