"""Pre-filled ratings: the vehicle scenario from the approach analysis, consequences from crowd density.

`vehicle_evidence(space)` and `vehicle_outside(space)` are the only places that read the analysis
app; they import it lazily and return None when that app or a current analysis is absent, so
assessments work without it. A space no street of the network reaches is "not analysed: outside the
street network": it has no vehicle figures, and every page and report says so and what to do —
never leaving it looking safe. The rules turning evidence into suggested ratings are pure
functions, explained in docs/risk-method.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from pactesur.assessments.library import AttackType
from pactesur.cities.stored_text import StoredText, shown_parts, shown_text

# Crowd density bands after G. K. Still (events-and-crowds.md §1), people per m², with the
# consequence level each band starts from (assumption: a denser crowd means more people within reach
# of any attack and a harder escape).
DENSITY_BANDS: tuple[tuple[float, str, int], ...] = (
    (5.0, "congested", 5),
    (3.5, "unstable", 5),
    (2.5, "capacity", 4),
    (1.0, "stable", 3),
    (0.0, "free_flow", 2),
)
# A crowd this large is a mass-casualty setting whatever its density (assumption).
LARGE_CROWD_PEOPLE = 5000

# Vehicle probability: the impact speeds at which the rule adds a level (assumption). Below 16 km/h a
# vehicle is no ramming threat (the analysis app counts entries above 16 km/h as unprotected).
SPEED_STEPS_KMH: tuple[float, ...] = (30.0, 50.0)
MANY_OPEN_ENTRIES = 3
# Vehicle consequence: the drive inside the space that makes an attack reach many more people, and
# the energy above which unrated street furniture will not stop the vehicle (assumption; ~1 MJ is a
# 7.5 t truck at 60 km/h, hostile-vehicles.md §4).
LONG_EXPOSURE_M = 100.0
# Reconnaissance and insider scenarios enable other attacks: their consequence is that of the attack
# they lead to, not of the crowd, so they get no crowd-based suggestion.
NO_CROWD_SUGGESTION = frozenset({AttackType.RECON, AttackType.INSIDER})
SHORT_EXPOSURE_M = 20.0
HIGH_ENERGY_KJ = 1000.0


@dataclass(frozen=True)
class VehicleEvidence:
    """What the approach analyses of a space say, over every analysed vehicle class."""

    max_impact_speed_kmh: float
    max_kinetic_energy_kj: float
    entry_count: int
    unprotected_entry_count: int
    max_exposure_m: float | None
    required_rating: str
    beyond_rating: bool
    vehicles: tuple[str, ...]
    network_version: int | None


@dataclass(frozen=True)
class VehicleOutside:
    """Why a space has no vehicle figures: its analyses found no street of the network reaching it."""

    network_version: int | None
    # The analysis' message, untranslated, and its parameters (the nearest street's distance).
    message: str
    params: dict[str, Any]

    @property
    def reason(self) -> str:
        """What the analysis says, in the active language ("Not analysed: no street … reaches …")."""
        return shown_text(self.message, self.params)

    @property
    def advice(self) -> str:
        """That this is no sign of safety, and what to do, in the active language."""
        return _(
            "This does not mean the space is safe: without a street that reaches it, PACTESUR cannot "
            "say how fast a vehicle can arrive, so the vehicle scenario is not pre-filled. Import an "
            "extract that covers the space (Street network page) or correct its outline on the "
            "space’s page; it is analysed again as soon as either changes. Then update the suggestions."
        )


@dataclass(frozen=True)
class Suggestion:
    """Suggested ratings and the rule's steps that led to them.

    The steps are stored untranslated (message ids and parameters) with the scenario and rendered in
    each reader's language: a suggestion pre-filled by a French user reads in English to an English one.
    """

    probability: int | None
    consequence: int | None
    parts: tuple[StoredText, ...] = ()

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


def vehicle_evidence(space: Any) -> VehicleEvidence | None:
    """The current approach analyses of `space` summed up, or None when there is none to read."""
    try:
        from pactesur.analysis.models import AnalysisStatus, ApproachAnalysis
    except ImportError:
        return None
    rows = list(
        ApproachAnalysis.objects.filter(space=space, status=AnalysisStatus.SUCCEEDED).order_by(
            "vehicle", "-computed_at", "-id"
        )
    )
    latest: dict[str, Any] = {}
    for row in rows:
        latest.setdefault(row.vehicle, row)
    analyses = [a for a in latest.values() if a.max_impact_speed_kmh is not None]
    if not analyses:
        return None
    worst = max(analyses, key=lambda a: (a.max_kinetic_energy_kj or 0.0, a.max_impact_speed_kmh or 0.0))
    exposures = [a.max_exposure_m for a in analyses if a.max_exposure_m is not None]
    return VehicleEvidence(
        max_impact_speed_kmh=max(a.max_impact_speed_kmh or 0.0 for a in analyses),
        max_kinetic_energy_kj=max(a.max_kinetic_energy_kj or 0.0 for a in analyses),
        entry_count=max(a.entry_count for a in analyses),
        unprotected_entry_count=max(a.unprotected_entry_count for a in analyses),
        max_exposure_m=max(exposures) if exposures else None,
        required_rating=worst.required_rating,
        beyond_rating=any(a.beyond_rating for a in analyses),
        vehicles=tuple(sorted(latest)),
        network_version=worst.network_version,
    )


def vehicle_outside(space: Any) -> VehicleOutside | None:
    """Why `space` was not analysed, when its current analyses found it outside the street network
    (no street, footway or open square of the network reaches it); None otherwise."""
    try:
        from pactesur.analysis.models import AnalysisStatus, ApproachAnalysis
    except ImportError:
        return None
    row = (
        ApproachAnalysis.objects.filter(space=space, status=AnalysisStatus.OUTSIDE)
        .order_by("-updated_at", "-id")
        .only("network_version", "error", "error_params")
        .first()
    )
    if row is None:
        return None
    params = row.error_params if isinstance(row.error_params, dict) else {}
    return VehicleOutside(network_version=row.network_version, message=row.error, params=dict(params))


def vehicle_reading(space: Any) -> tuple[VehicleEvidence | None, VehicleOutside | None]:
    """What the approach analyses say of `space`: their evidence, or else why there is none because
    the space lies outside the street network (both None when nothing was analysed yet)."""
    evidence = vehicle_evidence(space)
    return evidence, vehicle_outside(space) if evidence is None else None


def density_band(peak_crowd: int | None, area_m2: float | None) -> tuple[float, str, int] | None:
    """(density p/m², band code, starting consequence) or None when crowd or area is unknown."""
    if not peak_crowd or not area_m2 or area_m2 <= 0:
        return None
    density = peak_crowd / area_m2
    for floor, band, consequence in DENSITY_BANDS:
        if density >= floor:
            return density, band, consequence
    return density, DENSITY_BANDS[-1][1], DENSITY_BANDS[-1][2]


BAND_NAMES = {
    "free_flow": gettext_noop("free flow"),
    "stable": gettext_noop("stable"),
    "capacity": gettext_noop("at capacity"),
    "unstable": gettext_noop("unstable"),
    "congested": gettext_noop("congested"),
}


def crowd_steps(peak_crowd: int | None, area_m2: float | None) -> tuple[int | None, list[StoredText]]:
    """Consequence level suggested by the peak crowd's density, and why (untranslated steps)."""
    found = density_band(peak_crowd, area_m2)
    if found is None:
        return None, [
            StoredText(
                gettext_noop(
                    "No suggestion: enter the peak crowd of the space (step 1) to start from its density."
                )
            )
        ]
    density, band, level = found
    parts = [
        StoredText(
            gettext_noop(
                "Peak crowd %(people)s on %(area)s m² gives %(density).2f people/m² (%(band)s): "
                "consequence %(level)s."
            ),
            {
                "people": peak_crowd,
                "area": f"{area_m2:.0f}",
                "density": density,
                "band": StoredText(BAND_NAMES[band]),
                "level": level,
            },
        )
    ]
    if peak_crowd is not None and peak_crowd >= LARGE_CROWD_PEOPLE and level < 4:
        level = 4
        parts.append(
            StoredText(gettext_noop("At least %(n)s people at peak: raised to 4."), {"n": LARGE_CROWD_PEOPLE})
        )
    return level, parts


def crowd_consequence(peak_crowd: int | None, area_m2: float | None) -> tuple[int | None, str]:
    """Consequence level suggested by the peak crowd's density, and why, in the active language."""
    level, parts = crowd_steps(peak_crowd, area_m2)
    return level, shown_parts([part.stored() for part in parts])


def _clamp(level: int) -> int:
    return max(1, min(5, level))


def vehicle_suggestion(
    evidence: VehicleEvidence | None,
    peak_crowd: int | None,
    area_m2: float | None,
    *,
    outside: VehicleOutside | None = None,
) -> Suggestion:
    """Suggested probability and consequence of the vehicle scenario, with the rule written out.

    A space `outside` the street network gets no probability, and the explanation says why and what
    to do: it is not a space no vehicle reaches.
    """
    base_c, crowd_parts = crowd_steps(peak_crowd, area_m2)
    if evidence is None and outside is not None:
        return Suggestion(
            None,
            base_c,
            (
                StoredText(
                    gettext_noop(
                        "Not analysed: outside the street network — no street, footway or open square of "
                        "the imported extract reaches this space, so the vehicle probability cannot be "
                        "pre-filled. This does not mean the space is safe: import an extract that covers "
                        "it (Street network page) or correct its outline on the space’s page, then update "
                        "the suggestions."
                    )
                ),
                *crowd_parts,
            ),
        )
    if evidence is None:
        return Suggestion(
            None,
            base_c,
            (
                StoredText(
                    gettext_noop(
                        "No current approach analysis of this space: the vehicle probability cannot be "
                        "pre-filled."
                    )
                ),
                *crowd_parts,
            ),
        )
    parts: list[StoredText] = []
    if evidence.unprotected_entry_count == 0:
        p = 1
        parts.append(StoredText(gettext_noop("No entry lets a vehicle in above 16 km/h: probability 1.")))
    else:
        p = 2 + sum(evidence.max_impact_speed_kmh >= s for s in SPEED_STEPS_KMH)
        parts.append(
            StoredText(
                gettext_noop(
                    "%(open)s of %(total)s entries let a vehicle in; highest impact speed %(speed).0f km/h: "
                    "probability 2, +1 from 30 km/h, +1 from 50 km/h"
                ),
                {
                    "open": evidence.unprotected_entry_count,
                    "total": evidence.entry_count,
                    "speed": evidence.max_impact_speed_kmh,
                },
            )
        )
        if evidence.unprotected_entry_count >= MANY_OPEN_ENTRIES:
            p += 1
            parts.append(
                StoredText(gettext_noop("+1 for %(n)s or more open entries"), {"n": MANY_OPEN_ENTRIES})
            )
        p = _clamp(p)
        parts.append(StoredText(gettext_noop("→ probability %(p)s."), {"p": p}))
    c = base_c
    parts.extend(crowd_parts)
    if c is not None:
        if evidence.max_exposure_m is not None and evidence.max_exposure_m >= LONG_EXPOSURE_M:
            c += 1
            parts.append(
                StoredText(
                    gettext_noop("A vehicle can drive %(m).0f m inside the space: +1."),
                    {"m": evidence.max_exposure_m},
                )
            )
        elif evidence.max_exposure_m is not None and evidence.max_exposure_m < SHORT_EXPOSURE_M:
            c -= 1
            parts.append(
                StoredText(
                    gettext_noop("A vehicle can drive only %(m).0f m inside the space: −1."),
                    {"m": evidence.max_exposure_m},
                )
            )
        if evidence.max_kinetic_energy_kj >= HIGH_ENERGY_KJ:
            c += 1
            parts.append(
                StoredText(
                    gettext_noop(
                        "Impact energy up to %(kj).0f kJ goes through unrated street furniture: +1."
                    ),
                    {"kj": evidence.max_kinetic_energy_kj},
                )
            )
        c = _clamp(c)
        parts.append(StoredText(gettext_noop("→ consequence %(c)s."), {"c": c}))
    return Suggestion(p, c, tuple(parts))


def suggestion_for(
    attack_type: str,
    evidence: VehicleEvidence | None,
    peak_crowd: int | None,
    area_m2: float | None,
    *,
    outside: VehicleOutside | None = None,
) -> Suggestion:
    """The suggestion for one scenario: the vehicle rule, or the crowd-density consequence for others."""
    if attack_type == AttackType.VEHICLE:
        return vehicle_suggestion(evidence, peak_crowd, area_m2, outside=outside)
    if attack_type in NO_CROWD_SUGGESTION:
        return Suggestion(None, None)
    c, parts = crowd_steps(peak_crowd, area_m2)
    return Suggestion(None, c, tuple(parts))
