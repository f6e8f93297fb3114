"""Required barrier ratings: ladder rounding, rating strings, beyond-rating flags, energy."""

from __future__ import annotations

import pytest

from pactesur.engine.ratings import kinetic_energy_kj, ladder_speed_kmh, required_rating
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
