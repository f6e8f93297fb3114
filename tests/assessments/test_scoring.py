"""Risk arithmetic on cases computed by hand (docs/risk-method.md)."""

from __future__ import annotations

import datetime

import pytest

from pactesur.assessments import scoring
from pactesur.assessments.actions import add_months
from pactesur.assessments.scoring import Effect


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


def test_rated_permanent_barriers_bring_a_very_high_vehicle_risk_down_to_low() -> None:
    # P 4 × (1 − 0.7) = 1.2; C 5 × (1 − 0.3) = 3.5; 1.2 × 3.5 = 4.2 → low.
    r = scoring.matrix_residual(4, 5, [Effect(0.7, 0.3)])
    assert (r.probability, r.consequence, r.score, r.band) == (1.2, 3.5, 4.2, "low")


def test_two_measures_multiply_their_remaining_shares_and_floor_at_one() -> None:
    # P 4 × 0.3 × 0.8 = 0.96 → floored to 1; C 5 × 0.7 × 0.9 = 3.15 → 3.2 (half up); score 3.2.
    r = scoring.matrix_residual(4, 5, [Effect(0.7, 0.3), Effect(0.2, 0.1)])
    assert (r.probability, r.consequence, r.score, r.band) == (1.0, 3.2, 3.2, "low")


def test_no_measure_leaves_the_risk_unchanged() -> None:
    r = scoring.matrix_residual(3, 4, [])
    assert (r.probability, r.consequence, r.score, r.band) == (3.0, 4.0, 12.0, "high")


def test_fema_residual_lowers_only_the_vulnerability() -> None:
    # V 9 × (1 − 0.5) × (1 − 0.2) = 3.6; 8 × 2 × 3.6 = 57.6 → low (was 144, medium).
    r = scoring.fema_residual(8, 2, 9, [Effect(0.5, 0.2)])
    assert (r.probability, r.consequence, r.score, r.band) == (2.0, 3.6, 57.6, "low")


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
