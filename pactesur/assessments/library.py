"""The checklist's fixed texts: attack types, guidance for every level of the two scales, measure names.

Everything here is shown to assessors, so every string is translatable. The attack-type library is
the platform's own (risk-assessment.md §2); the EU checklist's own labels are shared with
authorities only and are not reproduced.
"""

from __future__ import annotations

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class AttackType(models.TextChoices):
    VEHICLE = "vehicle", _("Vehicle as a weapon (ramming)")
    FIREARMS = "firearms", _("Marauding firearms attack")
    BLADE = "blade", _("Bladed or other weapon attack")
    PLACED_IED = "placed_ied", _("Placed explosive device")
    PBIED = "pbied", _("Person-borne explosive device")
    VBIED = "vbied", _("Vehicle-borne explosive device")
    ARSON = "arson", _("Arson and fire as a weapon")
    CBRN = "cbrn", _("Chemical, biological or radiological agent")
    DRONE = "drone", _("Drone")
    RECON = "recon", _("Hostile reconnaissance")
    INSIDER = "insider", _("Insider")


# Order in which scenarios are listed: the vehicle first (the platform's first threat), then the list.
ATTACK_ORDER: tuple[str, ...] = tuple(AttackType.values)

# What the assessor should look at when writing the scenario of each type.
ATTACK_HINTS: dict[str, Promise] = {
    AttackType.VEHICLE: _(
        "Where can a vehicle enter the space, how fast, and how far can it travel inside it among "
        "people? Look at the approach analysis, at gaps between obstacles, footways and rescue lanes."
    ),
    AttackType.FIREARMS: _(
        "Where would attackers with firearms arrive, where would people be trapped, how long until an "
        "armed response? Consider sight lines, exits and places to hide."
    ),
    AttackType.BLADE: _(
        "Crowded queues and entrances, narrow passages, how quickly staff and police can intervene, "
        "and whether people can move away."
    ),
    AttackType.PLACED_IED: _(
        "Where could a bag or item be left unnoticed (bins, street furniture, parked bicycles)? Who "
        "checks the space before and during crowded times?"
    ),
    AttackType.PBIED: _(
        "Where do people gather densely before any check (queues at entrances, exits after an event)? "
        "Can a person carrying a device reach them without contact?"
    ),
    AttackType.VBIED: _(
        "How close can a parked or moving vehicle get to the crowd and to buildings? Parking, "
        "deliveries, service access and stand-off distances."
    ),
    AttackType.ARSON: _(
        "Flammable stalls, decorations or waste; enclosed parts of the space; how people would get "
        "away from smoke and fire."
    ),
    AttackType.CBRN: _(
        "Enclosed or semi-enclosed parts, ventilation, water features, food and drink stands, and how "
        "quickly the emergency services would recognise the symptoms."
    ),
    AttackType.DRONE: _(
        "Could a drone fly over the crowd (open sky, nearby launch places) to drop something or cause "
        "panic? Is there any detection or procedure?"
    ),
    AttackType.RECON: _(
        "Would someone filming entrances, barriers or staff routines be noticed and reported? Are "
        "staff trained to recognise and challenge suspicious behaviour?"
    ),
    AttackType.INSIDER: _(
        "Who has keys, badges, access to control rooms, barrier controls or security plans? Are staff "
        "and contractors vetted, and is access reviewed when people leave?"
    ),
}

# Guidance for every level of the two 1–5 scales, the same for every attack type.
PROBABILITY_GUIDANCE: dict[int, Promise] = {
    1: _(
        "Very unlikely: the attack would need resources, skills or access far beyond what is "
        "available, and existing measures would almost certainly stop it."
    ),
    2: _(
        "Unlikely: the attack is possible but difficult here; measures in place make it hard to "
        "carry out and easy to detect."
    ),
    3: _(
        "Possible: the space offers some opportunity; measures slow an attacker down but do not "
        "prevent the attack."
    ),
    4: _(
        "Likely: the space is attractive and easy to reach for this kind of attack; measures are "
        "weak or missing at some points."
    ),
    5: _(
        "Very likely: nothing stands in the way; comparable spaces have been attacked this way, or "
        "there is intelligence or suspicious activity pointing to it."
    ),
}

CONSEQUENCE_GUIDANCE: dict[int, Promise] = {
    1: _("Very limited: few people exposed, at most minor injuries; the space reopens within hours."),
    2: _(
        "Limited: some injuries, possibly serious; local disruption for a day or two; limited media "
        "attention."
    ),
    3: _(
        "Serious: several people seriously injured or killed; the space closed for days; national "
        "media attention."
    ),
    4: _(
        "Very serious: many casualties (tens of people); emergency services stretched; lasting damage "
        "to the city's life and economy."
    ),
    5: _(
        "Catastrophic: mass casualties in a dense crowd; a national emergency; long-term loss of "
        "confidence in public spaces."
    ),
}
