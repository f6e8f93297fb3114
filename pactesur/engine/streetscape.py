"""What stands in the street: the mapped objects that narrow a way or an open area, and which class they stop.

The envelope speed (`dynamics.py`) is physics alone; the path speed (`_path_speed.py`) lets the
real streetscape shape the line. An object is *rigid* for a class when a driver of that class
cannot go through it and must steer round it: it then narrows the corridor, and a corridor left
narrower than the vehicle and its margin is closed. Objects that are not rigid for a class (a
bench for any vehicle, a street tree for a 30 t truck) narrow nothing for it: an attacker may
avoid them, but nothing forces him to.

Every figure is data: the footprint is the object's typical width across the way, `rigid_up_to_kg`
the heaviest class it deflects or stops (0: none; `RIGID_FOR_ALL`: every class). Sources are
cited where the domain notes give them; the rest are assumptions, marked so, to calibrate with
cities' field experience (`docs/path-speed.md`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

RIGID_FOR_ALL: float = math.inf
# Clearance a driver keeps from a rigid object on each side while flat out (assumption: a
# vehicle's mirrors and a margin for the line; the "vehicle plus a margin").
CLEARANCE_M: float = 0.25


@dataclass(frozen=True)
class StreetObjectKind:
    """One kind of street object: how OSM tags it, how wide it stands and which classes it stops."""

    code: str
    tags: tuple[tuple[str, str], ...]  # (key, value) pairs, any of which makes a node this kind
    footprint_m: float
    rigid_up_to_kg: float
    source: str


# In the order of their codes' index in a stored network (append only: stored files use it).
STREET_OBJECT_KINDS: tuple[StreetObjectKind, ...] = (
    StreetObjectKind(
        "tree",
        (("natural", "tree"),),
        0.6,
        3500.0,
        "assumption: a street tree's trunk (0.3–0.8 m) deflects cars and vans; heavier trucks break "
        "or push through young trees (Nice 2016: the 19 t truck was stopped by neither trees nor "
        "lamps, attacks.md)",
    ),
    StreetObjectKind(
        "street_lamp",
        (("highway", "street_lamp"),),
        0.3,
        3500.0,
        "assumption: a steel column deflects a car or van; columns built to EN 12767 shear on "
        "purpose, so even this is generous to the attacker's obstacle",
    ),
    StreetObjectKind(
        "utility_pole",
        (("man_made", "utility_pole"), ("power", "pole")),
        0.3,
        3500.0,
        "assumption: as a lamp column",
    ),
    StreetObjectKind(
        "flagpole",
        (("man_made", "flagpole"),),
        0.2,
        1500.0,
        "assumption: a thin pole deflects at most a car",
    ),
    StreetObjectKind(
        "advertising_column",
        (("advertising", "column"),),
        1.2,
        3500.0,
        "assumption: a 1.2 m column on a footing deflects cars and vans",
    ),
    StreetObjectKind(
        "bollard",
        (("barrier", "bollard"),),
        0.25,
        RIGID_FOR_ALL,
        "hostile-vehicles.md §7: routers treat a bollard as closed; unrated, so every class is "
        "steered round it and the envelope reports it as protection to verify",
    ),
    StreetObjectKind(
        "block",
        (("barrier", "block"), ("barrier", "jersey_barrier")),
        1.0,
        7500.0,
        "assumption: an unanchored concrete block moves under heavy trucks (Berlin 2016: the "
        "truck was stopped by its brakes, not by blocks)",
    ),
    StreetObjectKind(
        "planter",
        (("barrier", "planter"),),
        1.2,
        7500.0,
        "assumption: as a block",
    ),
    StreetObjectKind(
        "stone",
        (("natural", "stone"), ("barrier", "stone")),
        0.8,
        7500.0,
        "assumption: a boulder placed as a barrier, as a block",
    ),
    StreetObjectKind(
        "traffic_island",
        (("traffic_calming", "island"), ("traffic_calming", "choker"), ("traffic_calming", "chicane")),
        1.5,
        0.0,
        "hostile-vehicles.md §7: kerbs stopped no attack vehicle; an island or choker narrows the "
        "legal lane, not the drivable one",
    ),
    StreetObjectKind(
        "bench",
        (("amenity", "bench"),),
        0.6,
        0.0,
        "issue 8: a bench stops nobody",
    ),
    StreetObjectKind(
        "waste_basket",
        (("amenity", "waste_basket"),),
        0.4,
        0.0,
        "assumption: light furniture stops nobody",
    ),
    StreetObjectKind(
        "fire_hydrant",
        (("emergency", "fire_hydrant"),),
        0.3,
        0.0,
        "attacks.md: the Toronto 2018 van hit hydrants and drove on",
    ),
    StreetObjectKind(
        "bicycle_parking",
        (("amenity", "bicycle_parking"),),
        1.0,
        0.0,
        "assumption: stands stop nobody",
    ),
    StreetObjectKind(
        "shelter",
        (("amenity", "shelter"), ("shelter", "yes")),
        1.5,
        0.0,
        "attacks.md: the Toronto 2018 van hit a bus shelter and drove on",
    ),
    StreetObjectKind(
        "post_box",
        (("amenity", "post_box"),),
        0.5,
        0.0,
        "assumption: light furniture stops nobody",
    ),
    StreetObjectKind(
        "speed_table",
        (
            ("traffic_calming", "table"),
            ("traffic_calming", "hump"),
            ("traffic_calming", "bump"),
            ("traffic_calming", "cushion"),
        ),
        0.0,
        0.0,
        "hostile-vehicles.md §7: a kerb-high rise is no barrier (read and counted; narrows nothing)",
    ),
)
STREET_OBJECT_CODES: tuple[str, ...] = tuple(kind.code for kind in STREET_OBJECT_KINDS)
_BY_TAG: dict[tuple[str, str], int] = {
    tag: i for i, kind in enumerate(STREET_OBJECT_KINDS) for tag in kind.tags
}
# The keys a node must have to be one of these objects (the reader's cheap first test).
STREET_OBJECT_KEYS: frozenset[str] = frozenset(key for key, _value in _BY_TAG)


def street_object_kind(tags: Mapping[str, str]) -> int:
    """Return the index in `STREET_OBJECT_KINDS` of the kind a node's tags make it, or -1."""
    for key, value in tags.items():
        found = _BY_TAG.get((key, value))
        if found is not None:
            return found
    return -1


def rigid_for(kind: int, mass_kg: float) -> bool:
    """Tell whether an object of this kind index deflects or stops a vehicle of this mass."""
    return mass_kg <= STREET_OBJECT_KINDS[kind].rigid_up_to_kg
