"""Pre-filled ratings: the vehicle rule on hand-made evidence, the crowd-density rule, real analyses."""

from __future__ import annotations

import pytest

from pactesur.assessments.actions import do_refresh_suggestions, do_start_assessment
from pactesur.assessments.prefill import (
    VehicleEvidence,
    crowd_consequence,
    density_band,
    vehicle_evidence,
    vehicle_suggestion,
)


def evidence(**kw) -> VehicleEvidence:  # type: ignore[no-untyped-def]
    base = {
        "max_impact_speed_kmh": 55.0,
        "max_kinetic_energy_kj": 1200.0,
        "entry_count": 4,
        "unprotected_entry_count": 3,
        "max_exposure_m": 150.0,
        "required_rating": "V/7200[N3C]/64/90",
        "beyond_rating": False,
        "vehicles": ("N3C",),
        "network_version": 1,
    }
    base.update(kw)
    return VehicleEvidence(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("people", "area", "band", "level"),
    [
        (500, 1000, "free_flow", 2),
        (1000, 1000, "stable", 3),
        (3000, 1000, "capacity", 4),
        (4000, 1000, "unstable", 5),
        (6000, 1000, "congested", 5),
    ],
)
def test_density_bands_follow_still(people: int, area: float, band: str, level: int) -> None:
    found = density_band(people, area)
    assert found is not None
    assert found[1:] == (band, level)


def test_no_crowd_figure_gives_no_consequence_suggestion() -> None:
    level, text = crowd_consequence(None, 1000)
    assert level is None
    assert "peak crowd" in text


def test_a_large_crowd_at_low_density_still_starts_at_four() -> None:
    level, _ = crowd_consequence(6000, 20000)  # 0.3 p/m², free flow → 2, but ≥ 5,000 people
    assert level == 4


def test_fast_open_entries_and_a_long_drive_suggest_very_high_vehicle_ratings() -> None:
    # P: 2 + 1 (≥ 30 km/h) + 1 (≥ 50 km/h) + 1 (3 open entries) = 5.
    # C: 1,000 people on 1,000 m² = stable → 3; +1 drive 150 m ≥ 100 m; +1 energy 1,200 kJ ≥ 1,000 → 5.
    s = vehicle_suggestion(evidence(), 1000, 1000)
    assert (s.probability, s.consequence) == (5, 5)
    assert "55 km/h" in s.explanation
    assert "150 m" in s.explanation


def test_slow_entries_and_a_short_drive_suggest_lower_ratings() -> None:
    # P: 2 + 0 (25 km/h) = 2, one open entry. C: stable 3 − 1 (drive 10 m) = 2, 150 kJ adds nothing.
    s = vehicle_suggestion(
        evidence(
            max_impact_speed_kmh=25.0,
            max_kinetic_energy_kj=150.0,
            unprotected_entry_count=1,
            max_exposure_m=10.0,
        ),
        1000,
        1000,
    )
    assert (s.probability, s.consequence) == (2, 2)


def test_no_open_entry_gives_probability_one() -> None:
    s = vehicle_suggestion(evidence(unprotected_entry_count=0), 1000, 1000)
    assert s.probability == 1


def test_without_an_analysis_the_vehicle_probability_is_not_prefilled(assessment) -> None:  # type: ignore[no-untyped-def]
    assert vehicle_evidence(assessment.space) is None
    vehicle = assessment.scenarios.get(attack_type="vehicle")
    assert vehicle.suggested_probability is None
    assert vehicle.probability is None
    assert "No current approach analysis" in vehicle.suggestion_explanation


@pytest.mark.slow
def test_a_real_approach_analysis_prefills_the_vehicle_scenario(city, security_officer, data_dir) -> None:  # type: ignore[no-untyped-def]
    from pactesur.analysis.actions import do_run_city_analysis
    from pactesur.spaces.actions import do_update_space
    from tests.analysis.helpers import import_leeds, woodhouse_space

    import_leeds(city)
    space = woodhouse_space(city)
    do_update_space(space, acting_user=None, peak_crowd=2000)
    assessment = do_start_assessment(space, acting_user=security_officer)
    assert assessment.scenarios.get(attack_type="vehicle").suggested_probability is None
    do_run_city_analysis(city)

    found = vehicle_evidence(space)
    assert found is not None
    assert found.max_impact_speed_kmh > 16
    assert found.entry_count >= found.unprotected_entry_count >= 1
    do_refresh_suggestions(assessment, acting_user=security_officer)
    vehicle = assessment.scenarios.get(attack_type="vehicle")
    expected = vehicle_suggestion(found, 2000, assessment.area_m2)
    assert vehicle.suggested_probability == expected.probability >= 2
    assert vehicle.probability == expected.probability
    assert vehicle.suggested_consequence == expected.consequence
    assert f"{found.max_impact_speed_kmh:.0f} km/h" in vehicle.suggestion_explanation
