"""The words of the measure catalogue: families, kinds, permanence, cost units, design principles.

No database here: the catalogue rows are `models.MeasureType`; this module gives their choices and the
display names of the seeded rows, which pages show in the reader's language.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Effect:
    """A measure's effect on one attack type: the share of probability and of consequence it removes."""

    probability: float = 0.0
    consequence: float = 0.0


class MeasureFamily(models.TextChoices):
    VEHICLE = "vehicle", _("Vehicle barriers")
    ACCESS = "access", _("Access control")
    SURVEILLANCE = "surveillance", _("Surveillance and lighting")
    STAFF = "staff", _("Staff and training")
    COMMUNICATION = "communication", _("Communication")
    EVACUATION = "evacuation", _("Evacuation and care")
    OTHER = "other", _("Other")


class MeasureKind(models.TextChoices):
    """What the measure is, physically or organisationally (issue 11's list)."""

    FIXED_BOLLARD = "fixed_bollard", _("Fixed bollards")
    REMOVABLE_BOLLARD = "removable_bollard", _("Removable bollards")
    RETRACTABLE_BOLLARD = "retractable_bollard", _("Retractable bollards")
    PLANTER = "planter", _("Planters")
    STREET_FURNITURE = "street_furniture", _("Rated street furniture")
    BLOCK = "block", _("Blocks")
    GATE = "gate", _("Gates")
    TEMPORARY_BARRIER = "temporary_barrier", _("Temporary barriers")
    ROAD_GEOMETRY = "road_geometry", _("Road geometry (chicanes, narrowing, raised tables)")
    TRAFFIC_RULE = "traffic_rule", _("Traffic rules (closures, parking bans)")
    ACCESS_CONTROL = "access_control", _("Access control")
    CCTV = "cctv", _("CCTV")
    LIGHTING = "lighting", _("Lighting")
    STEWARDING = "stewarding", _("Stewarding")
    SIGNAGE = "signage", _("Signage and public address")
    TRAINING = "training", _("Training")
    PROCEDURE = "procedure", _("Procedures")


# Kinds that stop a vehicle when rated: a barrier line across an entry is made of them.
BARRIER_KINDS = frozenset(
    {
        MeasureKind.FIXED_BOLLARD,
        MeasureKind.REMOVABLE_BOLLARD,
        MeasureKind.RETRACTABLE_BOLLARD,
        MeasureKind.PLANTER,
        MeasureKind.STREET_FURNITURE,
        MeasureKind.BLOCK,
        MeasureKind.GATE,
        MeasureKind.TEMPORARY_BARRIER,
    }
)
# Barrier kinds that can be opened for emergency access (the Magdeburg lesson: the rescue lane must
# be closed by a rated element that people open, not left as a gap).
OPENABLE_KINDS = frozenset({MeasureKind.REMOVABLE_BOLLARD, MeasureKind.RETRACTABLE_BOLLARD, MeasureKind.GATE})


class Permanence(models.TextChoices):
    PERMANENT = "permanent", _("Permanent")
    SEMI_PERMANENT = "semi_permanent", _("Semi-permanent")
    TEMPORARY = "temporary", _("Temporary (per event)")
    ORGANISATIONAL = "organisational", _("Organisational")


class CostUnit(models.TextChoices):
    ELEMENT = "element", _("per element")
    METRE = "metre", _("per metre")
    ENTRANCE = "entrance", _("per entrance")
    SPACE = "space", _("per space")
    EVENT = "event", _("per event")
    PERSON = "person", _("per person trained")
    YEAR = "year", _("per year")


# The security-by-design principles of the JRC handbook (2023) an urban-integration score rates,
# each 0 (works against it) to 5 (serves it well).
INTEGRATION_CRITERIA: tuple[tuple[str, Promise], ...] = (
    ("accessibility", _("Accessibility")),
    ("multifunctionality", _("Multi-functionality")),
    ("sustainability", _("Sustainability")),
    ("proportionality", _("Proportionality")),
    ("aesthetics", _("Aesthetics")),
)
INTEGRATION_MAX = 5

# Display names of the seeded catalogue (migrations measures 0003 and the former assessments 0002), by
# code: shown in the reader's language; a type people add keeps the name they typed.
MEASURE_NAMES: dict[str, Promise] = {
    "hvm_rated_permanent": _("Rated vehicle security barriers, permanent"),
    "hvm_rated_temporary": _("Rated vehicle security barriers, temporary"),
    "hvm_unrated": _("Unrated obstacles (planters, benches, blocks)"),
    "parking_ban": _("Parking ban and vehicle removal around the space"),
    "access_control": _("Access control and bag search at entrances"),
    "cctv": _("CCTV with live monitoring"),
    "lighting": _("Good lighting"),
    "security_staff": _("Stewarding and security staff"),
    "trained_staff": _("Staff trained in attack awareness (ACT / SCaN)"),
    "pa_communication": _("Public address and mass communication"),
    "evacuation_routes": _("Evacuation routes and rescue corridors kept clear"),
    "sweep": _("Pre-opening sweep and removal of concealing furniture"),
    "drone_detection": _("Drone detection and response procedure"),
    "vetting": _("Staff and contractor vetting, key and badge control"),
    "first_aid": _("First-aid posts and trauma kits"),
    "police_patrols": _("Visible police patrols and armed response nearby"),
    "bollard_fixed_rated": _("Fixed rated bollards"),
    "bollard_removable_rated": _("Removable rated bollards"),
    "bollard_retractable_rated": _("Retractable rated bollards"),
    "planter_rated": _("Rated planters"),
    "furniture_rated": _("Rated street furniture (benches, bins, cycle racks)"),
    "blocks_concrete": _("Concrete blocks (unrated)"),
    "gate_rated": _("Rated sliding or swing gate"),
    "temporary_barrier_rated": _("Rated temporary barrier system"),
    "chicane": _("Chicane"),
    "road_narrowing": _("Road narrowing"),
    "raised_table": _("Raised table"),
    "street_closure": _("Street closure order (anti-terrorism traffic order)"),
    "signage": _("Signage and advice to the public"),
    "training_operators": _("Training of local security operators"),
    "procedures": _("Written procedures and exercises"),
}
