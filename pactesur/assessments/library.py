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
    BOMB_THREAT = "bomb_threat", _("Bomb threat (message or call)")
    CYBER = "cyber", _("Cyber attack on the space’s systems")
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
    AttackType.BOMB_THREAT: _(
        "Who would take a call, message or post threatening a bomb at the space? Is there a procedure to "
        "judge it, search the space, and decide between evacuation and invacuation without pushing the "
        "crowd into a danger or a crush?"
    ),
    AttackType.CYBER: _(
        "Which of the space’s systems are connected (CCTV, public address, retractable bollards, lighting, "
        "ticketing, screens)? Who could take them over or switch them off, and what happens to the crowd "
        "and the barriers if they fail?"
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

# Method v2 (docs/risk-method.md): threat, vulnerability and consequence are rated apart, each on its
# own 1–5 scale with the guidance below; the probability of a successful attack is derived from
# threat and vulnerability (`scoring.PROBABILITY_TABLE`).
THREAT_GUIDANCE: dict[int, Promise] = {
    1: _(
        "Very low: national threat level low; no known intent against spaces like this one; no attack of "
        "this type on a comparable space in the country for years."
    ),
    2: _(
        "Low: national threat level moderate; attacks of this type happen in Europe but not on comparable "
        "spaces recently; the space has little symbolic value."
    ),
    3: _(
        "Moderate: national threat level substantial; attacks of this type on comparable spaces in Europe "
        "in the last two years; the space has some symbolic value (a landmark, a seasonal market)."
    ),
    4: _(
        "High: national threat level severe, or police advice naming this kind of space; an attack of "
        "this type on a comparable space in the country in the last two years; high symbolic value."
    ),
    5: _(
        "Very high: national threat level critical, or specific intelligence or hostile reconnaissance "
        "reported at this space."
    ),
}

VULNERABILITY_GUIDANCE: dict[int, Promise] = {
    1: _(
        "Very low: every way in is closed or controlled by measures rated or proven for this attack; an "
        "attempt would almost certainly be detected and stopped."
    ),
    2: _(
        "Low: measures cover most ways in and most of the crowded hours; the gaps left are few, small "
        "and watched."
    ),
    3: _(
        "Moderate: measures slow an attacker down or cover part of the space or of the hours, but an "
        "attack could be carried out."
    ),
    4: _(
        "High: several ways in or crowded hours are not covered, or the measures are not rated for what "
        "can reach them."
    ),
    5: _("Very high: nothing stands in the way of this attack at the crowded times."),
}

# What a derived probability level means (it is not rated: `scoring.PROBABILITY_TABLE`).
PROBABILITY_GUIDANCE: dict[int, Promise] = {
    1: _("Very unlikely: low threat and little vulnerability."),
    2: _("Unlikely: the threat is low or the space is hard to attack this way."),
    3: _("Possible: a real threat meets a space that offers some opportunity."),
    4: _("Likely: a high threat meets a vulnerable space, or a moderate threat meets an open one."),
    5: _("Very likely: a very high threat meets a space where nothing stands in the way."),
}

# Consequence: the people within reach of one attack of this type at peak time — one measure, not
# closure time or media attention (docs/risk-method.md §3 for how the pre-fill counts them).
CONSEQUENCE_PEOPLE: tuple[int, ...] = (10, 50, 200, 1000)
CONSEQUENCE_GUIDANCE: dict[int, Promise] = {
    1: _("Very limited: fewer than 10 people within reach of one attack at peak time."),
    2: _("Limited: 10 to 49 people within reach of one attack at peak time."),
    3: _("Serious: 50 to 199 people within reach of one attack at peak time."),
    4: _("Very serious: 200 to 999 people within reach of one attack at peak time."),
    5: _("Catastrophic: 1,000 people or more within reach of one attack at peak time."),
}

# FEMA 452 mode keeps FEMA's 1–10 scales and their words (risk-assessment.md §3).
FEMA_RATING_WORDS: dict[int, Promise] = {
    1: _("Very low"),
    2: _("Low"),
    3: _("Low"),
    4: _("Medium-low"),
    5: _("Medium"),
    6: _("Medium"),
    7: _("Medium-high"),
    8: _("High"),
    9: _("High"),
    10: _("Very high"),
}
