"""Risk arithmetic: numbers in, numbers out — no database. The formulas are explained in docs/risk-method.md.

- 5×5 mode: risk = probability × consequence (1–25), banded low / medium / high / very high.
- FEMA 452 mode: risk = asset value × threat × vulnerability (1–10 each, 1–1000), banded as FEMA 426.
- What-if: each switched-on planned measure multiplies probability (or, in FEMA mode, vulnerability)
  by (1 − its probability effect) and consequence by (1 − its consequence effect), floored at 1.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from pactesur.measures.library import Effect

LOW, MEDIUM, HIGH, VERY_HIGH = "low", "medium", "high", "very_high"
BANDS: tuple[str, ...] = (LOW, MEDIUM, HIGH, VERY_HIGH)

# 5×5 bands by lower bound of the score (own design, assumption): 1–4 low, 5–9 medium, 10–15 high,
# 16–25 very high. A score on a boundary belongs to the upper band; fractional residual scores are
# banded by the same lower bounds.
MATRIX_BAND_FLOORS: tuple[tuple[float, str], ...] = ((16, VERY_HIGH), (10, HIGH), (5, MEDIUM), (0, LOW))
# FEMA 426 Table 1-19 total-risk bands (risk-assessment.md §3, unverified): 1–60 low, 61–175 medium,
# 176–1000 high. FEMA has no "very high" band.
FEMA_BAND_FLOORS: tuple[tuple[float, str], ...] = ((176, HIGH), (61, MEDIUM), (0, LOW))

SCALE_MIN, SCALE_MAX = 1, 5
FEMA_MIN, FEMA_MAX = 1, 10

# Months until the next review, by the highest band of the approved assessment (assumption): the
# worse the risk, the sooner it is looked at again.
REVIEW_MONTHS: dict[str, int] = {VERY_HIGH: 3, HIGH: 6, MEDIUM: 12, LOW: 12}


def _check(value: float, low: int, high: int, name: str) -> None:
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}, not {value}")


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


def _remaining(effects: Iterable[Effect], attr: str) -> float:
    share = 1.0
    for effect in effects:
        share *= 1.0 - min(max(getattr(effect, attr), 0.0), 1.0)
    return share


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


def matrix_residual(probability: int, consequence: int, effects: Iterable[Effect]) -> Residual:
    """Residual 5×5 risk: each rating times the product of (1 − effect), floored at 1, one decimal."""
    effects = list(effects)
    _check(probability, SCALE_MIN, SCALE_MAX, "probability")
    _check(consequence, SCALE_MIN, SCALE_MAX, "consequence")
    p = max(1.0, _one_decimal(probability * _remaining(effects, "probability")))
    c = max(1.0, _one_decimal(consequence * _remaining(effects, "consequence")))
    score = _one_decimal(p * c)
    return Residual(p, c, score, matrix_band(score))


def fema_residual(asset_value: int, threat: int, vulnerability: int, effects: Iterable[Effect]) -> Residual:
    """Residual FEMA risk: measures lower the vulnerability only (both of their effects), floored at 1.

    `Residual.probability` holds the threat (unchanged) and `Residual.consequence` the residual
    vulnerability.
    """
    effects = list(effects)
    fema_score(asset_value, threat, vulnerability)
    share = _remaining(effects, "probability") * _remaining(effects, "consequence")
    v = max(1.0, _one_decimal(vulnerability * share))
    score = _one_decimal(asset_value * threat * v)
    return Residual(float(threat), v, score, fema_band(score))


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
