"""Required vehicle security barrier rating for a vehicle class at an impact speed."""

from __future__ import annotations

import math
from dataclasses import dataclass

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
