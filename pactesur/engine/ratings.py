"""Vehicle security barrier ratings: the one a class needs at a speed, and those products carry."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from pactesur.engine.errors import EngineError
from pactesur.engine.vehicles import TEST_SPEED_LADDER_KMH, VehicleClass

# Impact angle of the frontal test, degrees (ISO 22343-1 / IWA 14-1 frontal impact; hostile-vehicles.md §2).
FRONTAL_IMPACT_ANGLE_DEG: int = 90
# Speeds this close above a ladder step still count as that step (floating-point noise), km/h.
LADDER_SLACK_KMH: float = 1e-6
LADDER_STEP_KMH: int = 16  # spacing of the test-speed ladder (hostile-vehicles.md §3)


@dataclass(frozen=True)
class RequiredRating:
    """The barrier test a protection must have passed to stop this vehicle at this speed.

    Attributes
    ----------
    rating : rating string such as ``V/7200[N3C]/64/90``.
    test_speed_kmh : the ladder speed at or above the impact speed.
    beyond_rating : True when no test of that class reaches the impact speed: the highest test
        speed of the class (hostile-vehicles.md §3) is below it. The string then names the
        ladder step that *would* be needed, which no product carries.
    """

    rating: str
    test_speed_kmh: int
    beyond_rating: bool


def ladder_speed_kmh(speed_kmh: float) -> int:
    """Return the lowest test speed of the 16 km/h ladder at or above `speed_kmh` (16 at least)."""
    for step in TEST_SPEED_LADDER_KMH:
        if speed_kmh <= step + LADDER_SLACK_KMH:
            return step
    steps = math.ceil((speed_kmh - LADDER_SLACK_KMH) / LADDER_STEP_KMH)
    return int(steps * LADDER_STEP_KMH)


def required_rating(vehicle: VehicleClass, impact_speed_kmh: float) -> RequiredRating:
    """Return the rating a barrier needs to stop `vehicle` arriving at `impact_speed_kmh`.

    The speed is rounded up to the ISO 22343-1 / IWA 14-1 ladder (16, 32, 48, 64, 80, 96,
    112 km/h) and written ``V/<mass>[<class>]/<speed>/90`` (frontal impact; the penetration
    suffix is a property of a product, not a requirement). A rating counts only for its own test
    class at or below its test mass and speed (hostile-vehicles.md §4), so beyond the class's
    highest test speed no product qualifies and `beyond_rating` is set.

    Parameters
    ----------
    vehicle
        The hostile vehicle class.
    impact_speed_kmh
        The attainable impact speed.
    """
    test_speed = ladder_speed_kmh(impact_speed_kmh)
    beyond = impact_speed_kmh > max(vehicle.test_speeds_kmh) + LADDER_SLACK_KMH
    rating = f"V/{round(vehicle.mass_kg)}[{vehicle.code}]/{test_speed}/{FRONTAL_IMPACT_ANGLE_DEG}"
    return RequiredRating(rating=rating, test_speed_kmh=test_speed, beyond_rating=beyond)


def kinetic_energy_kj(vehicle: VehicleClass, speed_kmh: float) -> float:
    """Return ½·m·v² in kilojoules."""
    v = speed_kmh / 3.6
    return 0.5 * vehicle.mass_kg * v * v / 1000.0


# ---------------------------------------------------------------------------------------------
# Ratings as products carry them

UNRATED = "unrated"
# Words for an element that carries no rating (planters, blocks, benches drawn in a plan).
_UNRATED_WORDS = frozenset({"", "unrated", "none", "no", "-"})
# A rating stops a class this little heavier or faster than its test (rounding of masses and
# speeds, far below their accuracy).
RATING_SLACK_KG: float = 0.5
RATING_SLACK_KMH: float = 0.1
# International mile (exact), for ASTM F2656's speeds in mph.
KMH_PER_MPH: float = 1.609344
# ASTM F2656 tests strike the barrier head-on (hostile-vehicles.md §2).
ASTM_IMPACT_ANGLE_DEG: float = 90.0
# ASTM F2656 test vehicles → the nearest vehicle class of the ISO ladder and the ASTM test mass, kg
# (hostile-vehicles.md §3; the masses of SC, FS, PU, C7 and H are unverified there, LT's is an
# assumption). The equivalence is rough, not interchangeable (§3: K12 ≈ M50 P1 ≈
# V/7200[N3C]/80/90:1.1): every rating read from this table is flagged `equivalence_assumed`.
ASTM_VEHICLES: dict[str, tuple[str, float]] = {
    "SC": ("M1", 1100.0),  # small car (F2656-20)
    "C": ("M1", 1100.0),  # small car (F2656-07)
    "FS": ("M1", 2100.0),  # full-size sedan
    "PU": ("N1G", 2300.0),  # pick-up
    "LT": ("N2A", 5000.0),  # light truck (assumption)
    "M": ("N3C", 6800.0),  # medium-duty truck
    "C7": ("N3C", 7200.0),  # class 7 cab-over
    "H": ("N3F", 29500.0),  # heavy goods vehicle
}

# V/<mass>[<class>]/<speed>/<angle>[:<penetration>] (ISO 22343-1, IWA 14-1, PAS 68:2013; `( )` for
# `[ ]`), or PAS 68:2010's /<angle>/<penetration>/<debris> (hostile-vehicles.md §2); read after
# spaces are removed and letters raised. A mass of at least 100 kg: a lighter one is a typing slip.
_ISO_RE = re.compile(
    r"^V/(?P<mass>\d{3,7}(?:\.\d+)?)[\[(](?P<cls>[A-Z0-9]{1,6})[\])]/(?P<speed>\d{1,4}(?:\.\d+)?)"
    r"/(?P<angle>\d{1,2}(?:\.\d+)?)"
    r"(?::(?P<pen>\d{1,3}(?:\.\d+)?)|/(?P<pen10>\d{1,3}(?:\.\d+)?)(?:/(?P<debris>\d{1,3}(?:\.\d+)?))?)?$"
)
# ASTM F2656: vehicle and speed in mph, then the penetration class (`M50/P1`).
_ASTM_RE = re.compile(
    r"^(?P<vehicle>" + "|".join(sorted(ASTM_VEHICLES, key=len, reverse=True)) + r")(?P<mph>\d{2})"
    r"(?:[/-]?P(?P<pclass>[1-4]))?$"
)


class RatingError(EngineError, ValueError):
    """A rating string that is not in a form the platform reads."""


@dataclass(frozen=True)
class Rating:
    """A vehicle security barrier's impact test rating, as the ISO ladder reads it.

    Attributes
    ----------
    text : the rating as written on the certificate, spaces removed and letters raised.
    mass_kg, vehicle_class, speed_kmh, angle_deg : the test: vehicle mass and class, impact speed
        and angle.
    penetration_m : how far the vehicle went past the barrier, when the rating says.
    penetration_class : ASTM F2656's penetration class (``P1`` ≤ 1 m … ``P4`` > 30 m), or None.
    equivalence_assumed : True for an ASTM F2656 rating: its vehicle and mass are the nearest of the
        ISO ladder (`ASTM_VEHICLES`) and its speed converted from mph, a rough equivalence that
        pages should say is assumed.
    """

    text: str
    mass_kg: float
    vehicle_class: str
    speed_kmh: float
    angle_deg: float
    penetration_m: float | None = None
    penetration_class: str | None = None
    equivalence_assumed: bool = False


def parse_rating(text: str | None) -> Rating | None:
    """Return the rating a string names, or None for an unrated element ("unrated", "", None).

    Reads ISO 22343-1 / IWA 14-1 / PAS 68 ``V/7200[N2A]/48/90:1.5``, ``V/30000(N3)/80/90:3.30``,
    PAS 68:2010's ``V/7500[N3C]/80/90.0/1.1/0``, and ASTM F2656 ``M50/P1`` (vehicle and mph),
    mapped to the nearest ISO test vehicle and mass (`ASTM_VEHICLES`) with `equivalence_assumed`
    set. Spaces and letter case do not matter.

    Parameters
    ----------
    text
        The rating as written on a test certificate or a product sheet.

    Raises
    ------
    RatingError
        When the string is neither unrated nor such a rating, with the forms it may take.
    """
    if text is None or text.strip().lower() in _UNRATED_WORDS:
        return None
    cleaned = "".join(text.split()).upper()
    found = _ISO_RE.match(cleaned)
    if found is not None:
        pen = found.group("pen") or found.group("pen10")
        return Rating(
            text=cleaned,
            mass_kg=float(found.group("mass")),
            vehicle_class=found.group("cls"),
            speed_kmh=float(found.group("speed")),
            angle_deg=float(found.group("angle")),
            penetration_m=float(pen) if pen is not None else None,
        )
    found = _ASTM_RE.match(cleaned)
    if found is not None:
        vehicle_class, mass_kg = ASTM_VEHICLES[found.group("vehicle")]
        pclass = found.group("pclass")
        return Rating(
            text=f"{found.group('vehicle')}{found.group('mph')}" + (f"/P{pclass}" if pclass else ""),
            mass_kg=mass_kg,
            vehicle_class=vehicle_class,
            speed_kmh=round(int(found.group("mph")) * KMH_PER_MPH, 1),
            angle_deg=ASTM_IMPACT_ANGLE_DEG,
            penetration_class=f"P{pclass}" if pclass else None,
            equivalence_assumed=True,
        )
    msg = (
        f"{text.strip()!r} is not a barrier rating: write it as on the test certificate, e.g. "
        "V/7200[N2A]/48/90:1.5 (IWA 14-1, ISO 22343-1), V/7500[N2]/48/90 (PAS 68) or M50/P1 "
        "(ASTM F2656), or 'unrated'"
    )
    raise RatingError(msg)


def rating_covers(rating: Rating | None, vehicle: VehicleClass, speed_kmh: float) -> bool:
    """Return whether an element of this rating stops `vehicle` hitting it at `speed_kmh`.

    A rating for a test vehicle of mass M at speed V stops any class no heavier than M at no more
    than V (the platform's rule, within `RATING_SLACK_KG` and `RATING_SLACK_KMH`;
    hostile-vehicles.md §4 is stricter: its own test class only, energy across classes a hint). An
    unrated element (None) stops nothing.

    Parameters
    ----------
    rating
        The element's rating (`parse_rating`), None when unrated.
    vehicle
        The class hitting it.
    speed_kmh
        The speed it hits at.
    """
    if rating is None:
        return False
    return (
        vehicle.mass_kg <= rating.mass_kg + RATING_SLACK_KG
        and speed_kmh <= rating.speed_kmh + RATING_SLACK_KMH
    )
