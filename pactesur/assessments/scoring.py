"""Risk arithmetic: numbers in, numbers out — no database. The formulas are explained in docs/risk-method.md.

- 5×5 mode (method v2): threat, vulnerability and consequence are rated 1–5 apart; the probability of
  a successful attack is derived from threat and vulnerability by `PROBABILITY_TABLE` (the geometric
  mean, rounded half up); risk = probability × consequence (1–25), banded low / medium / high / very high.
- FEMA 452 mode: risk = asset value × threat × vulnerability (1–10 each, 1–1000). Each factor maps
  onto the 5×5 scales (⌈x / 2⌉, asset value as consequence), which gives a FEMA scenario its cell of
  the matrix and its band: one set of bands for both modes.
- What-if: each switched-on planned measure multiplies vulnerability by (1 − its vulnerability effect ×
  its coverage) and consequence by (1 − its consequence effect × its coverage), floored at 1; the
  probability follows from the threat and the residual vulnerability.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

LOW, MEDIUM, HIGH, VERY_HIGH = "low", "medium", "high", "very_high"
BANDS: tuple[str, ...] = (LOW, MEDIUM, HIGH, VERY_HIGH)

# 5×5 bands by lower bound of the score (own design, assumption): 1–4 low, 5–9 medium, 10–15 high,
# 16–25 very high. A score on a boundary belongs to the upper band; fractional residual scores are
# banded by the same lower bounds.
MATRIX_BAND_FLOORS: tuple[tuple[float, str], ...] = ((16, VERY_HIGH), (10, HIGH), (5, MEDIUM), (0, LOW))
# FEMA 426 Table 1-19 total-risk bands (risk-assessment.md §3, unverified): 1–60 low, 61–175 medium,
# 176–1000 high. Shown beside a FEMA score for reference; the band a FEMA scenario ranks and is counted
# by is that of its 5×5 equivalent (`fema_equivalent`), so that 1000 is very high like 25.
FEMA_BAND_FLOORS: tuple[tuple[float, str], ...] = ((176, HIGH), (61, MEDIUM), (0, LOW))

SCALE_MIN, SCALE_MAX = 1, 5
FEMA_MIN, FEMA_MAX = 1, 10

# Months until the next review, by the highest band of the approved assessment (assumption): the
# worse the risk, the sooner it is looked at again.
REVIEW_MONTHS: dict[str, int] = {VERY_HIGH: 3, HIGH: 6, MEDIUM: 12, LOW: 12}
# A reviewer may choose the date, but never further ahead than this (issue 12; assumption).
MAX_REVIEW_MONTHS = 12


def _check(value: float, low: int, high: int, name: str) -> None:
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}, not {value}")


def probability_value(threat: float, vulnerability: float) -> float:
    """The probability of a successful attack from threat and vulnerability (1–5 each, fractions
    allowed for a residual vulnerability): their geometric mean, to one decimal (half up).

    A low threat caps the probability however open the space is (threat 1, vulnerability 5 gives 2.2),
    and an open space under a very high threat is very likely (5, 5 gives 5).
    """
    _check(threat, SCALE_MIN, SCALE_MAX, "threat")
    _check(vulnerability, SCALE_MIN, SCALE_MAX, "vulnerability")
    return _one_decimal(math.sqrt(threat * vulnerability))


def _half_up(value: float) -> int:
    return math.floor(value + 0.5)


# The published table (docs/risk-method.md §2): PROBABILITY_TABLE[threat][vulnerability], 1–5 each.
PROBABILITY_TABLE: dict[int, dict[int, int]] = {
    t: {v: _half_up(math.sqrt(t * v)) for v in range(SCALE_MIN, SCALE_MAX + 1)}
    for t in range(SCALE_MIN, SCALE_MAX + 1)
}


def probability_from(threat: int, vulnerability: int) -> int:
    """The probability level (1–5) of the published table for a rated threat and vulnerability."""
    _check(threat, SCALE_MIN, SCALE_MAX, "threat")
    _check(vulnerability, SCALE_MIN, SCALE_MAX, "vulnerability")
    return PROBABILITY_TABLE[int(threat)][int(vulnerability)]


def consequence_for_people(people: float) -> int:
    """The consequence level (1–5) of `people` within reach of one attack (library.CONSEQUENCE_PEOPLE)."""
    from pactesur.assessments.library import CONSEQUENCE_PEOPLE

    return 1 + sum(people >= floor for floor in CONSEQUENCE_PEOPLE)


def fema_to_five(value: float) -> int:
    """A FEMA 1–10 rating on the 1–5 scale: ⌈value / 2⌉ (1–2 → 1 … 9–10 → 5)."""
    _check(value, FEMA_MIN, FEMA_MAX, "FEMA rating")
    return max(SCALE_MIN, math.ceil(round(value, 6) / 2))


def fema_equivalent(asset_value: int, threat: float, vulnerability: float) -> tuple[int, int]:
    """The 5×5 (probability, consequence) cell of a FEMA scenario: the asset value is the
    consequence of its loss, and the probability comes from threat and vulnerability by the table."""
    return probability_from(fema_to_five(threat), fema_to_five(vulnerability)), fema_to_five(asset_value)


def fema_equivalent_band(asset_value: int, threat: float, vulnerability: float) -> str:
    """The band of a FEMA scenario: that of its 5×5 equivalent."""
    p, c = fema_equivalent(asset_value, threat, vulnerability)
    return matrix_band(p * c)


def matrix_score(probability: int, consequence: int) -> int:
    """Return probability × consequence, both on the 1–5 scale."""
    _check(probability, SCALE_MIN, SCALE_MAX, "probability")
    _check(consequence, SCALE_MIN, SCALE_MAX, "consequence")
    return probability * consequence


def fema_score(asset_value: int, threat: int, vulnerability: int) -> int:
    """Return asset value × threat × vulnerability, each on the 1–10 scale."""
    _check(asset_value, FEMA_MIN, FEMA_MAX, "asset value")
    _check(threat, FEMA_MIN, FEMA_MAX, "threat")
    _check(vulnerability, FEMA_MIN, FEMA_MAX, "vulnerability")
    return asset_value * threat * vulnerability


def _band(score: float, floors: Sequence[tuple[float, str]]) -> str:
    for floor, band in floors:
        if score >= floor:
            return band
    return floors[-1][1]


def matrix_band(score: float) -> str:
    """Band of a 5×5 score (1–25, residual scores may be fractional)."""
    return _band(score, MATRIX_BAND_FLOORS)


def fema_band(score: float) -> str:
    """Band of a FEMA score (1–1000)."""
    return _band(score, FEMA_BAND_FLOORS)


def _one_decimal(value: float) -> float:
    # Half up, not banker's rounding, so a hand calculation gives the same figure.
    return math.floor(value * 10 + 0.5) / 10


@dataclass(frozen=True)
class Residual:
    """Ratings of one scenario after the switched-on measures, and its residual score and band."""

    probability: float
    consequence: float
    score: float
    band: str


@dataclass(frozen=True)
class Applied:
    """A measure's effect on one scenario as the what-if applies it: shares of vulnerability and of
    consequence removed, already scaled by the measure's coverage (which entries, which hours)."""

    vulnerability: float = 0.0
    consequence: float = 0.0


def _left(applied: Iterable[Applied], attr: str) -> float:
    share = 1.0
    for item in applied:
        share *= 1.0 - min(max(getattr(item, attr), 0.0), 1.0)
    return share


def matrix_residual(
    threat: int,
    vulnerability: float,
    consequence: int,
    applied: Iterable[Applied],
) -> Residual:
    """Residual 5×5 risk: vulnerability and consequence times the product of (1 − applied share),
    floored at 1, one decimal; the probability follows from the threat and the residual vulnerability.

    `vulnerability` may already be a residual (a barrier plan re-run through the analysis gives one).
    """
    applied = list(applied)
    _check(consequence, SCALE_MIN, SCALE_MAX, "consequence")
    v = max(1.0, _one_decimal(vulnerability * _left(applied, "vulnerability")))
    p = probability_value(threat, v)
    c = max(1.0, _one_decimal(consequence * _left(applied, "consequence")))
    score = _one_decimal(p * c)
    return Residual(p, c, score, matrix_band(score))


def fema_residual(
    asset_value: int, threat: int, vulnerability: float, applied: Iterable[Applied]
) -> Residual:
    """Residual FEMA risk: measures lower the vulnerability only (both of their shares), floored at 1.

    `Residual.probability` holds the threat (unchanged) and `Residual.consequence` the residual
    vulnerability; the band is that of the 5×5 equivalent.
    """
    applied = list(applied)
    _check(asset_value, FEMA_MIN, FEMA_MAX, "asset value")
    _check(threat, FEMA_MIN, FEMA_MAX, "threat")
    share = _left(applied, "vulnerability") * _left(applied, "consequence")
    v = max(1.0, _one_decimal(vulnerability * share))
    score = _one_decimal(asset_value * threat * v)
    return Residual(float(threat), v, score, fema_equivalent_band(asset_value, threat, v))


def review_months(bands: Iterable[str]) -> int:
    """Months until the next review given the bands of an assessment's scenarios (12 if none)."""
    months = [REVIEW_MONTHS[b] for b in bands if b in REVIEW_MONTHS]
    return min(months) if months else REVIEW_MONTHS[LOW]


@dataclass(frozen=True)
class ScenarioRisk:
    """One rated scenario of a space's profile."""

    attack_type: str
    score: float
    band: str
    probability: int
    consequence: int


def top_risks(profile: Sequence[ScenarioRisk], *, limit: int = 3) -> list[ScenarioRisk]:
    """The highest scenarios: by score, then consequence (the graver outcome first), then list order."""
    order = {s.attack_type: i for i, s in enumerate(profile)}
    ranked = sorted(profile, key=lambda s: (-s.score, -s.consequence, order[s.attack_type]))
    return ranked[:limit]


def space_rank_key(profile: Sequence[ScenarioRisk]) -> tuple[float, float]:
    """Sort key of a space in the city ranking: its top scenario score, then the sum of its profile."""
    if not profile:
        return (0.0, 0.0)
    return (max(s.score for s in profile), sum(s.score for s in profile))


def matrix_counts(cells: Iterable[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """Count (probability, consequence) pairs into the 25 cells of the 5×5 matrix (all cells present)."""
    counts = {(p, c): 0 for p in range(1, 6) for c in range(1, 6)}
    for p, c in cells:
        counts[(p, c)] += 1
    return counts


# --- network comparison ---------------------------------------------------------------------------

# Aggregates are shown only above these counts, so no single space or city can be read back (assumption).
MIN_SPACES = 3
MIN_OTHER_CITIES = 2


@dataclass(frozen=True)
class Quartiles:
    count: int
    q1: float
    median: float
    q3: float


def quartiles(values: Sequence[float]) -> Quartiles:
    """Count, first quartile, median and third quartile (linear interpolation between ranks)."""
    if not values:
        raise ValueError("no values")
    data = sorted(values)

    def at(fraction: float) -> float:
        pos = fraction * (len(data) - 1)
        lo = math.floor(pos)
        hi = min(lo + 1, len(data) - 1)
        return _one_decimal(data[lo] + (data[hi] - data[lo]) * (pos - lo))

    return Quartiles(len(data), at(0.25), at(0.5), at(0.75))


def network_aggregates(
    samples: Iterable[tuple[int, Mapping[str, float]]],
) -> dict[str, Quartiles | None]:
    """Per attack type, quartiles of the scores of other cities' spaces, or None if too few.

    `samples` holds one (city id, {attack type: score}) per space. An attack type is shown only when
    at least MIN_SPACES spaces from at least MIN_OTHER_CITIES cities rated it.
    """
    by_type: dict[str, list[tuple[int, float]]] = {}
    for city_id, profile in samples:
        for attack, score in profile.items():
            by_type.setdefault(attack, []).append((city_id, score))
    result: dict[str, Quartiles | None] = {}
    for attack, rows in by_type.items():
        cities = {c for c, _ in rows}
        if len(rows) >= MIN_SPACES and len(cities) >= MIN_OTHER_CITIES:
            result[attack] = quartiles([s for _, s in rows])
        else:
            result[attack] = None
    return result
