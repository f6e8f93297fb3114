"""Pre-filled ratings of method v2: threat, vulnerability and consequence suggested apart.

`read_context(assessment)` reads once what every suggestion needs (the vehicle analysis, the city's
threat level, recorded attacks, the usable area and the crowd); `suggestion_for(attack_type, facts,
ctx)` then turns one scenario's facts into a `Suggestion`, whose steps are stored untranslated and
read in each reader's language. The rules (docs/risk-method.md):

- Threat: the city's current national threat level; +1 when an attack of this type was recorded at
  this space or at a space of the same kind in the last 24 months; +1 for a high symbolic value (a
  national symbol, a religious site); at most 5. No level recorded: no threat suggestion.
- Vulnerability: the vehicle's from its approach analysis (`vehicle.rate_vehicle`), the others' from
  their facts (`facts.vulnerability_from_facts`).
- Consequence: the people within reach of one attack of this type at peak time
  (`scoring.consequence_for_people`), from the crowd's density on the usable area (the outline less
  the buildings of the street network and the stalls, stages and other obstacles) and the reach of
  the attack (the constants below, all assumptions).

A space outside the street network gets no vehicle vulnerability, and the steps say why and what to
do: it is not a space no vehicle reaches.
"""

from __future__ import annotations

import datetime
import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_noop

from pactesur.assessments import facts as facts_module
from pactesur.assessments import scoring
from pactesur.assessments.library import AttackType
from pactesur.assessments.vehicle import (
    VehicleAnalysis,
    VehicleEvidence,
    VehicleOutside,
    VehicleRating,
    rate_vehicle,
    vehicle_analysis,
    vehicle_evidence,
    vehicle_outside,
    vehicle_reading,
)
from pactesur.cities.stored_text import StoredText, shown_parts

__all__ = [
    "PrefillContext",
    "Suggestion",
    "VehicleEvidence",
    "VehicleOutside",
    "read_context",
    "suggestion_for",
    "vehicle_evidence",
    "vehicle_outside",
    "vehicle_reading",
]

# Attacks recorded this recently raise the threat (the threat guidance's "last two years").
RECENT_ATTACK_MONTHS = 24

# People within reach of one attack (assumptions, docs/risk-method.md §3):
# a bladed attacker reaches the people within 5 m either side of a path of about 50 m;
BLADE_REACH_M2 = 2 * 5.0 * 50.0
# a placed or person-borne device the people within 20 m;
DEVICE_RADIUS_M = 20.0
# a vehicle-borne device the people within 100 m;
VEHICLE_BOMB_RADIUS_M = 100.0
# a drone's drop the people within 15 m;
DRONE_RADIUS_M = 15.0
# a fire, without the fact of how many are in the enclosed parts or among the stalls, a quarter of
# the crowd;
ARSON_SHARE = 0.25
# a ramming vehicle the people in a 6 m swath along its drive inside the space (a lorry's width and
# the people who cannot step aside).
VEHICLE_SWATH_M = 6.0
# The impact speeds that change the vehicle consequence (assumption: from 50 km/h few survive a
# hit and the vehicle is not stopped by the bodies; below 25 km/h most do and people can step aside).
VEHICLE_SEVERE_KMH = 50.0
VEHICLE_MILD_KMH = 25.0

WHOLE_CROWD = frozenset({AttackType.FIREARMS, AttackType.CBRN})
RADIUS_M: dict[str, float] = {
    AttackType.PLACED_IED: DEVICE_RADIUS_M,
    AttackType.PBIED: DEVICE_RADIUS_M,
    AttackType.VBIED: VEHICLE_BOMB_RADIUS_M,
    AttackType.DRONE: DRONE_RADIUS_M,
}
# Attacks that enable others: their consequence is the attack they lead to, not the crowd's.
ENABLING = frozenset({AttackType.CYBER, AttackType.RECON, AttackType.INSIDER})


# --- what a suggestion reads ----------------------------------------------------------------------


@dataclass(frozen=True)
class PrefillContext:
    """What the suggestions of one assessment read, read once (`read_context`)."""

    peak_crowd: int | None
    area_m2: float
    # Buildings of the street network inside the outline, m²; None without a network to read.
    buildings_m2: float | None
    obstacles_m2: float | None
    threat_level: int | None = None
    threat_level_name: str = ""
    # Attack types recorded at this space or at a space of the same kind in the last 24 months.
    recent_attacks: frozenset[str] = frozenset()
    analysis: VehicleAnalysis | None = None
    outside: VehicleOutside | None = None

    @property
    def usable_m2(self) -> float:
        return self.area_m2 - (self.buildings_m2 or 0.0) - (self.obstacles_m2 or 0.0)

    @property
    def density_p_m2(self) -> float | None:
        if not self.peak_crowd or self.usable_m2 <= 0:
            return None
        return self.peak_crowd / self.usable_m2


def _months_before(day: datetime.date, months: int) -> datetime.date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    for d in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month + 1, d)
        except ValueError:
            continue
    return datetime.date(year, month + 1, 28)


def recent_attack_types(space: Any, *, today: datetime.date | None = None) -> frozenset[str]:
    """Attack types recorded by the space's city at this space or at a space of the same kind
    (another of the city's, or elsewhere by its recorded kind) in the last `RECENT_ATTACK_MONTHS`."""
    from django.db.models import Q

    from pactesur.assessments.models import RecordedAttack

    since = _months_before(today or timezone.localdate(), RECENT_ATTACK_MONTHS)
    same = Q(space=space) | Q(space__kind=space.kind) | Q(space__isnull=True, space_kind=space.kind)
    rows = RecordedAttack.objects.filter(city_id=space.city_id, happened_on__gte=since).filter(same)
    return frozenset(rows.values_list("attack_type", flat=True))


@functools.lru_cache(maxsize=4)
def _buildings_of(path: str, _mtime_ns: int) -> tuple[str, tuple[Any, ...]]:
    from pactesur.engine.io.network_store import load_network

    network = load_network(path)
    return network.crs, tuple(network.buildings_xy)


def buildings_m2(space: Any) -> float | None:
    """The area of the outline of `space` under the buildings the city's street network keeps (the
    footprints of 400 m² or more), m²; None when there is no network file to read them from."""
    import numpy as np
    import shapely
    from shapely.geometry import shape

    from pactesur.engine.errors import OsmInputError
    from pactesur.engine.projection import projection_for
    from pactesur.streets.models import StreetNetwork

    network = StreetNetwork.objects.filter(city_id=space.city_id, is_active=True).first()
    path = Path(network.graph_path) if network is not None else None
    if path is None or not path.is_file():
        return None
    try:
        crs, buildings = _buildings_of(str(path), path.stat().st_mtime_ns)
        outline = shape(space.polygon)
    except (OsmInputError, OSError, ValueError, TypeError, AttributeError):
        return None
    if not buildings:
        return 0.0
    projection = projection_for(crs)

    def to_xy(lonlat: Any) -> Any:
        x, y = projection.to_xy(lonlat[:, 0], lonlat[:, 1])
        return np.column_stack([x, y])

    area_xy = shapely.make_valid(shapely.transform(outline, to_xy))
    items = np.asarray(buildings, dtype=object)
    near = items[shapely.intersects(items, area_xy)]
    if near.shape[0] == 0:
        return 0.0
    return float(shapely.area(shapely.intersection(shapely.union_all(near), area_xy)))


def read_context(assessment: Any) -> PrefillContext:
    """Everything the suggestions of `assessment` need, read once."""
    from pactesur.assessments.models import ThreatLevel

    space = assessment.space
    level = ThreatLevel.objects.filter(city_id=assessment.city_id).order_by("-set_at", "-id").first()
    analysis = vehicle_analysis(space)
    return PrefillContext(
        peak_crowd=assessment.peak_crowd,
        area_m2=float(assessment.area_m2 or 0.0),
        buildings_m2=buildings_m2(space),
        obstacles_m2=assessment.obstacles_m2,
        threat_level=level.level if level is not None else None,
        threat_level_name=level.name if level is not None else "",
        recent_attacks=recent_attack_types(space),
        analysis=analysis,
        outside=vehicle_outside(space) if analysis is None else None,
    )


# --- the suggestion -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    """Suggested threat, vulnerability and consequence, and the rule's steps that led to them.

    The steps are stored untranslated (message ids and parameters) with the scenario and rendered in
    each reader's language: a suggestion pre-filled by a French user reads in English to an English one.
    """

    threat: int | None
    vulnerability: int | None
    consequence: int | None
    parts: tuple[StoredText, ...] = ()
    # The vehicle scenario's rated analysis, for pages that show its summary.
    vehicle: VehicleRating | None = field(default=None, compare=False)

    @property
    def probability(self) -> int | None:
        """The derived probability (`scoring.PROBABILITY_TABLE`), once threat and vulnerability are known."""
        if self.threat is None or self.vulnerability is None:
            return None
        return scoring.probability_from(self.threat, self.vulnerability)

    @property
    def stored_parts(self) -> list[dict[str, Any]]:
        return [part.stored() for part in self.parts]

    @property
    def explanation(self) -> str:
        """The steps in the active language."""
        return shown_parts(self.stored_parts)

    @property
    def english(self) -> str:
        return " ".join(str(part) for part in self.parts)


def threat_steps(
    attack_type: str, answers: Mapping[str, Any] | None, ctx: PrefillContext
) -> tuple[int | None, list[StoredText]]:
    """The suggested threat and why (the module's rule)."""
    if ctx.threat_level is None:
        return None, [
            StoredText(
                gettext_noop(
                    "No national threat level recorded: record it on the assessments dashboard to "
                    "pre-fill the threat."
                )
            )
        ]
    level = ctx.threat_level
    if ctx.threat_level_name:
        steps = [
            StoredText(
                gettext_noop("National threat level %(level)s (%(name)s): threat %(level)s."),
                {"level": level, "name": ctx.threat_level_name},
            )
        ]
    else:
        steps = [
            StoredText(gettext_noop("National threat level %(level)s: threat %(level)s."), {"level": level})
        ]
    if attack_type in ctx.recent_attacks:
        level += 1
        steps.append(
            StoredText(
                gettext_noop(
                    "+1: an attack of this type was recorded at this space or at a space of the same kind "
                    "in the last %(months)s months."
                ),
                {"months": RECENT_ATTACK_MONTHS},
            )
        )
    high = facts_module.high_symbolic_value(answers)
    if high is None:
        steps.append(
            StoredText(
                gettext_noop(
                    "The symbolic value of the space is not answered: not counted (answer it below)."
                )
            )
        )
    elif high:
        level += 1
        value = facts_module.answer_of(answers, facts_module.SYMBOLIC_VALUE)
        steps.append(
            StoredText(
                gettext_noop("+1: the space is %(value)s (high symbolic value)."),
                {"value": facts_module.SYMBOLIC_VALUE.answer_stored(value)},
            )
        )
    level = min(level, scoring.SCALE_MAX)
    steps.append(StoredText(gettext_noop("→ threat %(t)s (at most 5)."), {"t": level}))
    return level, steps


def _vehicle_vulnerability(
    answers: Mapping[str, Any] | None, ctx: PrefillContext
) -> tuple[int | None, list[StoredText], VehicleRating | None]:
    if ctx.analysis is None and ctx.outside is not None:
        return (
            None,
            [
                StoredText(
                    gettext_noop(
                        "Not analysed: outside the street network — no street, footway or open square "
                        "of the imported extract reaches this space, so the vehicle vulnerability cannot "
                        "be pre-filled. This does not mean the space is safe: import an extract that "
                        "covers it (Street network page) or correct its outline on the space’s page, "
                        "then update the suggestions."
                    )
                )
            ],
            None,
        )
    if ctx.analysis is None:
        return (
            None,
            [
                StoredText(
                    gettext_noop(
                        "No current approach analysis of this space: the vehicle vulnerability cannot be "
                        "pre-filled. Run the analysis, then update the suggestions."
                    )
                )
            ],
            None,
        )
    rated = rate_vehicle(ctx.analysis.approaches, answers)
    return rated.vulnerability, list(rated.steps), rated


def _area_steps(ctx: PrefillContext) -> list[StoredText]:
    steps = []
    if ctx.buildings_m2 is None:
        steps.append(
            StoredText(
                gettext_noop(
                    "No street network to read the buildings from: none taken off the area (assumed)."
                )
            )
        )
    if ctx.obstacles_m2 is None:
        steps.append(
            StoredText(
                gettext_noop(
                    "The area taken by stalls, stages and other obstacles is not entered: assumed 0 m² "
                    "(enter it in step 1)."
                )
            )
        )
    return steps


def _people(count: float, crowd: int) -> int:
    return min(crowd, math.floor(count + 0.5))


def _vehicle_people(
    ctx: PrefillContext, density: float, crowd: int, rated: VehicleRating | None
) -> tuple[int, list[StoredText]]:
    exposure = rated.exposure_m if rated is not None else None
    steps = []
    if exposure is None:
        exposure = math.sqrt(max(ctx.usable_m2, 0.0))
        steps.append(
            StoredText(
                gettext_noop(
                    "No drive inside the space from the analysis: the square root of the usable area, "
                    "%(drive).0f m, is assumed."
                ),
                {"drive": exposure},
            )
        )
    people = _people(density * VEHICLE_SWATH_M * exposure, crowd)
    level = scoring.consequence_for_people(people)
    steps.append(
        StoredText(
            gettext_noop(
                "On the vehicle’s path: %(density).2f people/m² × %(swath).0f m wide × %(drive).0f m driven "
                "inside = %(people)s people (at most the crowd): consequence %(level)s."
            ),
            {
                "density": density,
                "swath": VEHICLE_SWATH_M,
                "drive": exposure,
                "people": people,
                "level": level,
            },
        )
    )
    worst = rated.worst_unprotected if rated is not None else None
    if worst is None:
        steps.append(StoredText(gettext_noop("No unprotected approach: the impact speed changes nothing.")))
    elif worst.impact_speed_kmh >= VEHICLE_SEVERE_KMH:
        level += 1
        if worst.run_up_m is not None:
            steps.append(
                StoredText(
                    gettext_noop(
                        "+1: the worst unprotected approach arrives at %(speed).0f km/h after a "
                        "%(run_up).0f m run-up (%(limit).0f km/h or more)."
                    ),
                    {"speed": worst.impact_speed_kmh, "run_up": worst.run_up_m, "limit": VEHICLE_SEVERE_KMH},
                )
            )
        else:
            steps.append(
                StoredText(
                    gettext_noop(
                        "+1: the worst unprotected approach arrives at %(speed).0f km/h "
                        "(%(limit).0f km/h or more)."
                    ),
                    {"speed": worst.impact_speed_kmh, "limit": VEHICLE_SEVERE_KMH},
                )
            )
    elif worst.impact_speed_kmh < VEHICLE_MILD_KMH:
        level -= 1
        steps.append(
            StoredText(
                gettext_noop(
                    "−1: the worst unprotected approach arrives at only %(speed).0f km/h "
                    "(below %(limit).0f km/h)."
                ),
                {"speed": worst.impact_speed_kmh, "limit": VEHICLE_MILD_KMH},
            )
        )
    return max(scoring.SCALE_MIN, min(scoring.SCALE_MAX, level)), steps


def _reach_step(
    attack_type: str, answers: Mapping[str, Any] | None, density: float, crowd: int
) -> tuple[int, StoredText]:
    """People within reach of an attack that is not the vehicle's, and the step that counts them."""
    if attack_type in WHOLE_CROWD or attack_type == AttackType.BOMB_THREAT:
        return crowd, StoredText(
            gettext_noop("Within reach: the whole peak crowd, %(people)s people."), {"people": crowd}
        )
    if attack_type == AttackType.BLADE:
        people = _people(density * BLADE_REACH_M2, crowd)
        return people, StoredText(
            gettext_noop(
                "Within reach: the people within %(side).0f m either side of a %(path).0f m path, "
                "%(density).2f people/m² × %(m2).0f m² = %(people)s people (at most the crowd)."
            ),
            {"side": 5.0, "path": 50.0, "density": density, "m2": BLADE_REACH_M2, "people": people},
        )
    if attack_type in RADIUS_M:
        radius = RADIUS_M[attack_type]
        m2 = math.pi * radius * radius
        people = _people(density * m2, crowd)
        return people, StoredText(
            gettext_noop(
                "Within reach: the people within %(radius).0f m, %(density).2f people/m² × %(m2).0f m² = "
                "%(people)s people (at most the crowd)."
            ),
            {"radius": radius, "density": density, "m2": m2, "people": people},
        )
    if attack_type != AttackType.ARSON:
        msg = f"no reach rule for {attack_type}"
        raise ValueError(msg)
    question = facts_module.question(AttackType.ARSON, "people_enclosed")
    enclosed = facts_module.answer_of(answers, question) if question is not None else None
    if enclosed is not None:
        people = _people(float(enclosed), crowd)
        return people, StoredText(
            gettext_noop(
                "Within reach: the %(people)s people in the enclosed parts or among the stalls (a fact)."
            ),
            {"people": people},
        )
    people = _people(crowd * ARSON_SHARE, crowd)
    return people, StoredText(
        gettext_noop(
            "Within reach: a quarter of the peak crowd, %(people)s people (assumed: the people in the "
            "enclosed parts or among the stalls are not answered)."
        ),
        {"people": people},
    )


def consequence_steps(
    attack_type: str,
    answers: Mapping[str, Any] | None,
    ctx: PrefillContext,
    rated: VehicleRating | None = None,
) -> tuple[int | None, list[StoredText]]:
    """The suggested consequence and why: the people within reach of one attack at peak time."""
    if attack_type in ENABLING:
        return None, [
            StoredText(
                gettext_noop(
                    "No consequence suggestion: this attack prepares or enables others; rate the consequence "
                    "of the attack it would lead to."
                )
            )
        ]
    crowd = ctx.peak_crowd
    if not crowd:
        return None, [
            StoredText(gettext_noop("No consequence suggestion: enter the peak crowd of the space (step 1)."))
        ]
    steps = _area_steps(ctx)
    density = ctx.density_p_m2
    if density is None:
        steps.append(
            StoredText(
                gettext_noop(
                    "No consequence suggestion: buildings and obstacles cover the whole outline "
                    "(%(area).0f m²); check the area taken by obstacles."
                ),
                {"area": ctx.area_m2},
            )
        )
        return None, steps
    steps.append(
        StoredText(
            gettext_noop(
                "Usable area %(usable).0f m² (the outline’s %(area).0f m² less %(buildings).0f m² of "
                "buildings and %(obstacles).0f m² of stalls, stages and other obstacles): peak crowd "
                "%(people)s gives %(density).2f people/m²."
            ),
            {
                "usable": ctx.usable_m2,
                "area": ctx.area_m2,
                "buildings": ctx.buildings_m2 or 0.0,
                "obstacles": ctx.obstacles_m2 or 0.0,
                "people": crowd,
                "density": density,
            },
        )
    )
    if attack_type == AttackType.VEHICLE:
        level, vehicle = _vehicle_people(ctx, density, crowd, rated)
        steps.extend(vehicle)
    else:
        people, step = _reach_step(attack_type, answers, density, crowd)
        steps.append(step)
        level = scoring.consequence_for_people(people)
        if attack_type == AttackType.BOMB_THREAT:
            steps.append(
                StoredText(
                    gettext_noop(
                        "A bomb threat moves the whole crowd: %(level)s less one, since the harm is the "
                        "evacuation’s."
                    ),
                    {"level": level},
                )
            )
            level = max(scoring.SCALE_MIN, level - 1)
    steps.append(StoredText(gettext_noop("→ consequence %(c)s."), {"c": level}))
    return level, steps


def suggestion_for(attack_type: str, answers: Mapping[str, Any] | None, ctx: PrefillContext) -> Suggestion:
    """The suggestion for one scenario of `attack_type` with its facts `answers`."""
    threat, t_steps = threat_steps(attack_type, answers, ctx)
    rated: VehicleRating | None = None
    if attack_type == AttackType.VEHICLE:
        vulnerability, v_steps, rated = _vehicle_vulnerability(answers, ctx)
    else:
        vulnerability, v_steps = facts_module.vulnerability_from_facts(attack_type, answers)
    consequence, c_steps = consequence_steps(attack_type, answers, ctx, rated)
    if attack_type == AttackType.VEHICLE and rated is None:
        # Why the vehicle vulnerability is missing comes first: it must not read as a safe space.
        parts = (*v_steps, *t_steps, *c_steps)
    else:
        parts = (*t_steps, *v_steps, *c_steps)
    return Suggestion(threat, vulnerability, consequence, tuple(parts), vehicle=rated)
