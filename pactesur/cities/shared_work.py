"""The network's shared work as a network expert's home shows it: the library every city's assessments use.

A network expert sees no city's own records (`roles.py`). What the network shares with them today is
the platform's assessment library — the attack types of the scenarios with what an assessor looks
at, the guidance for every level of the two rating scales, the catalogue of measure types with their
assumed effects — and how many cities share anonymised aggregates. Nothing here names a city.
"""

from __future__ import annotations

from dataclasses import dataclass

from pactesur.assessments.library import (
    ATTACK_HINTS,
    ATTACK_ORDER,
    CONSEQUENCE_GUIDANCE,
    PROBABILITY_GUIDANCE,
    AttackType,
)
from pactesur.cities.models import City
from pactesur.measures.library import MeasureFamily
from pactesur.measures.models import MeasureType


@dataclass(frozen=True)
class AttackRow:
    code: str
    label: str
    hint: str


@dataclass(frozen=True)
class ScaleRow:
    level: int
    probability: str
    consequence: str


@dataclass(frozen=True)
class MeasureEffect:
    """What a measure removes from one attack type's ratings, in whole percent."""

    attack_label: str
    probability_pct: int
    consequence_pct: int


@dataclass(frozen=True)
class MeasureRow:
    name: str
    family: str
    effects: tuple[MeasureEffect, ...]
    assumption: bool


@dataclass(frozen=True)
class NetworkCounts:
    cities: int
    sharing: int


def attack_rows() -> list[AttackRow]:
    """The attack types of the scenario library, in the order assessments list them."""
    return [
        AttackRow(code, str(AttackType(code).label), str(ATTACK_HINTS.get(code, ""))) for code in ATTACK_ORDER
    ]


def scale_rows() -> list[ScaleRow]:
    """The guidance for every level of the probability and consequence scales."""
    return [
        ScaleRow(level, str(PROBABILITY_GUIDANCE[level]), str(CONSEQUENCE_GUIDANCE[level]))
        for level in sorted(PROBABILITY_GUIDANCE)
    ]


def measure_rows() -> list[MeasureRow]:
    """The shared measure catalogue (no city's own type) with the share of each attack type's ratings a
    measure removes."""
    rows = []
    for measure in MeasureType.objects.shared().order_by("order", "code"):
        effects = []
        for attack in ATTACK_ORDER:
            effect = measure.effect_on(attack)
            if effect.probability or effect.consequence:
                effects.append(
                    MeasureEffect(
                        str(AttackType(attack).label),
                        round(effect.probability * 100),
                        round(effect.consequence * 100),
                    )
                )
        family = str(MeasureFamily(measure.family).label) if measure.family in MeasureFamily.values else ""
        rows.append(MeasureRow(measure.display_name, family, tuple(effects), measure.assumption))
    return rows


def network_counts() -> NetworkCounts:
    """How many cities the network has and how many share anonymised aggregates with it."""
    return NetworkCounts(
        cities=City.objects.count(), sharing=City.objects.filter(share_with_network=True).count()
    )
