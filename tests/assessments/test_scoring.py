"""Risk arithmetic on cases computed by hand (docs/risk-method.md)."""

from __future__ import annotations

import datetime

import pytest

from pactesur.assessments import scoring
from pactesur.assessments.actions import add_months
from pactesur.assessments.scoring import Applied

LEVELS = range(1, 6)


@pytest.mark.parametrize(
    ("p", "c", "score", "band"),
    [
        (1, 1, 1, "low"),
        (2, 2, 4, "low"),
        (1, 5, 5, "medium"),
        (3, 3, 9, "medium"),
        (2, 5, 10, "high"),
        (3, 5, 15, "high"),
        (4, 4, 16, "very_high"),
        (5, 5, 25, "very_high"),
    ],
)
def test_matrix_score_is_probability_times_consequence_with_its_band(
    p: int, c: int, score: int, band: str
) -> None:
    assert scoring.matrix_score(p, c) == score
    assert scoring.matrix_band(score) == band


@pytest.mark.parametrize(("p", "c"), [(0, 3), (6, 3), (3, 0), (3, 6)])
def test_matrix_score_refuses_ratings_outside_one_to_five(p: int, c: int) -> None:
    with pytest.raises(ValueError, match="between 1 and 5"):
        scoring.matrix_score(p, c)


# --- the probability table --------------------------------------------------------------------------


def test_the_probability_table_is_symmetric_in_threat_and_vulnerability() -> None:
    for t in LEVELS:
        for v in LEVELS:
            assert scoring.probability_from(t, v) == scoring.probability_from(v, t)


def test_the_probability_never_falls_when_threat_or_vulnerability_rises() -> None:
    for t in LEVELS:
        row = [scoring.probability_from(t, v) for v in LEVELS]
        assert row == sorted(row)
        column = [scoring.probability_from(v, t) for v in LEVELS]
        assert column == sorted(column)


@pytest.mark.parametrize(
    ("t", "v", "p"),
    [
        (1, 1, 1),
        (5, 5, 5),
        (3, 3, 3),
        (1, 5, 2),  # √5 = 2.24: an open space under a low threat is not "very likely"
        (3, 5, 4),  # √15 = 3.87
        (2, 4, 3),  # √8 = 2.83
        (4, 5, 4),  # √20 = 4.47
    ],
)
def test_the_probability_is_the_geometric_mean_rounded_half_up(t: int, v: int, p: int) -> None:
    assert scoring.probability_from(t, v) == p
    assert scoring.PROBABILITY_TABLE[t][v] == p


def test_three_open_entries_cannot_make_an_attack_very_likely_without_a_threat() -> None:
    """The issue: an open space pre-filled "very likely". Vulnerability 5 at threat 2 gives 3."""
    assert scoring.probability_from(2, 5) == 3


@pytest.mark.parametrize(("t", "v"), [(0, 3), (6, 3), (3, 0), (3, 6)])
def test_the_probability_table_refuses_levels_outside_one_to_five(t: int, v: int) -> None:
    with pytest.raises(ValueError, match="between 1 and 5"):
        scoring.probability_from(t, v)


@pytest.mark.parametrize(
    ("people", "level"), [(0, 1), (9, 1), (10, 2), (49, 2), (50, 3), (200, 4), (999, 4), (1000, 5)]
)
def test_consequence_follows_the_people_within_reach(people: int, level: int) -> None:
    assert scoring.consequence_for_people(people) == level


# --- FEMA mode ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "t", "v", "score", "band"),
    [
        (8, 2, 9, 144, "medium"),  # FEMA course E155 unit 5 worked example
        (6, 10, 1, 60, "low"),
        (1, 1, 1, 1, "low"),
        (5, 7, 5, 175, "medium"),
    ],
)
def test_fema_score_is_the_product_of_three_ratings_with_fema_bands(
    a: int, t: int, v: int, score: int, band: str
) -> None:
    assert scoring.fema_score(a, t, v) == score
    assert scoring.fema_band(score) == band


def test_fema_bands_change_at_61_and_176() -> None:
    assert scoring.fema_band(60) == "low"
    assert scoring.fema_band(61) == "medium"
    assert scoring.fema_band(175) == "medium"
    assert scoring.fema_band(176) == "high"
    assert scoring.fema_score(10, 10, 10) == 1000


def test_fema_score_refuses_ratings_above_ten() -> None:
    with pytest.raises(ValueError, match="between 1 and 10"):
        scoring.fema_score(8, 2, 11)


@pytest.mark.parametrize(("value", "five"), [(1, 1), (2, 1), (3, 2), (4, 2), (5, 3), (8, 4), (9, 5), (10, 5)])
def test_a_fema_rating_maps_onto_the_five_level_scale_by_halving_up(value: int, five: int) -> None:
    assert scoring.fema_to_five(value) == five


def test_the_fema_course_example_sits_in_a_medium_cell_of_the_matrix() -> None:
    # A 8 → C 4; T 2 → 1, V 9 → 5, P table(1, 5) = 2; cell (2, 4), 8 → medium.
    assert scoring.fema_equivalent(8, 2, 9) == (2, 4)
    assert scoring.fema_equivalent_band(8, 2, 9) == "medium"


def test_fema_1000_is_very_high_like_a_5x5_25() -> None:
    """The issue: FEMA topped out at "high", so 1000/1000 ranked below a 5×5 16."""
    assert scoring.fema_equivalent(10, 10, 10) == (5, 5)
    assert scoring.fema_equivalent_band(10, 10, 10) == "very_high"
    assert scoring.fema_band(1000) == "high"  # the FEMA 426 band, shown for reference only


# --- residual risk -----------------------------------------------------------------------------------


def test_no_measure_leaves_the_risk_unchanged() -> None:
    r = scoring.matrix_residual(3, 3, 4, [])
    assert (r.probability, r.consequence, r.score, r.band) == (3.0, 4.0, 12.0, "high")


def test_a_measure_on_a_quarter_of_the_entries_removes_a_quarter_of_its_effect() -> None:
    # Effect 0.7 / 0.3 × coverage 0.25 = 0.175 / 0.075. V 4 × 0.825 = 3.3, P √(4 × 3.3) = 3.63 → 3.6;
    # C 5 × 0.925 = 4.625 → 4.6 (half up); 3.6 × 4.6 = 16.56 → 16.6, still very high.
    r = scoring.matrix_residual(4, 4, 5, [Applied(vulnerability=0.175, consequence=0.075)])
    assert (r.probability, r.consequence, r.score, r.band) == (3.6, 4.6, 16.6, "very_high")


def test_the_threat_keeps_the_probability_up_when_the_vulnerability_is_floored() -> None:
    # V 2 × 0.1 = 0.2 → floored at 1; P √(5 × 1) = 2.24 → 2.2; C 5; 11.0, high.
    r = scoring.matrix_residual(5, 2, 5, [Applied(vulnerability=0.9)])
    assert (r.probability, r.consequence, r.score, r.band) == (2.2, 5.0, 11.0, "high")


def test_the_strongest_measure_no_longer_turns_25_into_5() -> None:
    # Before: P 5 × 0.3 = 1.5, C 5 × 0.7 = 3.5, 5.3. Now V 5 × 0.3 = 1.5, P √(5 × 1.5) = 2.74 → 2.7;
    # C 3.5; 2.7 × 3.5 = 9.45 → 9.5 (half up), medium.
    r = scoring.matrix_residual(5, 5, 5, [Applied(0.7, 0.3)])
    assert (r.probability, r.consequence, r.score, r.band) == (2.7, 3.5, 9.5, "medium")


def test_two_measures_multiply_their_remaining_shares() -> None:
    # V 5 × 0.5 × 0.8 = 2.0, P √(5 × 2) = 3.16 → 3.2; C 5 × 0.7 × 0.9 = 3.15 → 3.2; 10.24 → 10.2, high.
    r = scoring.matrix_residual(5, 5, 5, [Applied(0.5, 0.3), Applied(0.2, 0.1)])
    assert (r.probability, r.consequence, r.score, r.band) == (3.2, 3.2, 10.2, "high")


def test_fema_residual_lowers_only_the_vulnerability_and_bands_by_the_equivalent() -> None:
    # V 9 × (1 − 0.5) × (1 − 0.2) = 3.6; 8 × 2 × 3.6 = 57.6. Equivalent: T 2 → 1, V 3.6 → 2,
    # P table(1, 2) = 1, C 4; 4 → low.
    r = scoring.fema_residual(8, 2, 9, [Applied(0.5, 0.2)])
    assert (r.probability, r.consequence, r.score, r.band) == (2.0, 3.6, 57.6, "low")


# --- review, ranking helpers, network ----------------------------------------------------------------


def test_review_comes_sooner_the_higher_the_worst_band() -> None:
    assert scoring.review_months(["low", "medium"]) == 12
    assert scoring.review_months(["low", "high"]) == 6
    assert scoring.review_months(["high", "very_high"]) == 3
    assert scoring.review_months([]) == 12


def test_add_months_keeps_the_day_or_takes_the_end_of_a_shorter_month() -> None:
    assert add_months(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)
    assert add_months(datetime.date(2026, 11, 15), 3) == datetime.date(2027, 2, 15)
    assert add_months(datetime.date(2026, 5, 1), 12) == datetime.date(2027, 5, 1)


def test_top_risks_order_by_score_then_graver_consequence() -> None:
    prof = [
        scoring.ScenarioRisk("vehicle", 12, "high", 3, 4),
        scoring.ScenarioRisk("firearms", 12, "high", 4, 3),
        scoring.ScenarioRisk("blade", 16, "very_high", 4, 4),
        scoring.ScenarioRisk("arson", 2, "low", 1, 2),
    ]
    assert [r.attack_type for r in scoring.top_risks(prof)] == ["blade", "vehicle", "firearms"]
    assert scoring.space_rank_key(prof) == (16, 42)


def test_matrix_counts_fill_all_twenty_five_cells() -> None:
    counts = scoring.matrix_counts([(4, 5), (4, 5), (1, 1)])
    assert len(counts) == 25
    assert counts[(4, 5)] == 2
    assert counts[(1, 1)] == 1
    assert sum(counts.values()) == 3


def test_quartiles_interpolate_between_ranks() -> None:
    q = scoring.quartiles([4, 1, 3, 2])
    assert (q.count, q.q1, q.median, q.q3) == (4, 1.8, 2.5, 3.3)


def test_network_aggregates_need_three_spaces_from_two_cities() -> None:
    enough = [(1, {"vehicle": 10}), (1, {"vehicle": 12}), (2, {"vehicle": 20})]
    one_city = [(1, {"vehicle": 10}), (1, {"vehicle": 12}), (1, {"vehicle": 20})]
    two_spaces = [(1, {"vehicle": 10}), (2, {"vehicle": 20})]
    shown = scoring.network_aggregates(enough)["vehicle"]
    assert shown is not None
    assert (shown.count, shown.median) == (3, 12)
    assert scoring.network_aggregates(one_city)["vehicle"] is None
    assert scoring.network_aggregates(two_spaces)["vehicle"] is None
