"""Vehicle security barrier ratings as products carry them (hostile-vehicles.md §2).

`V/<mass kg>[<class>]/<speed km/h>/<angle °>[:<penetration m>]` for PAS 68, IWA 14-1 and ISO 22343-1
(`[ ]` or `( )` around the class; PAS 68:2010 adds `/<penetration>/<debris>`), and ASTM F2656's
`M50/P1` (vehicle and speed in mph, penetration class).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ISO = re.compile(
    r"^V/(?P<mass>\d{3,5})[\[(](?P<cls>[A-Z0-9]{1,4})[\])]/(?P<speed>\d{1,3})/(?P<angle>\d{1,2}(?:\.\d+)?)"
    r"(?::(?P<pen>\d{1,3}(?:\.\d+)?)|/(?P<pen10>\d{1,3}(?:\.\d+)?)/(?P<debris>\d{1,3}(?:\.\d+)?))?$"
)
_ASTM = re.compile(r"^(?P<vehicle>M|C|PU|H|LT)(?P<mph>\d{2})(?:/P(?P<pclass>[1-4]))?$")
_MPH_TO_KMH = 1.609344
# ASTM F2656 test vehicles → the closest vehicle class and test mass of the ISO ladder (assumption).
_ASTM_VEHICLES = {
    "M": ("N3C", 6800),
    "C": ("M1", 1100),
    "PU": ("N1G", 2300),
    "H": ("N3F", 29500),
    "LT": ("N2A", 5000),
}


class RatingError(ValueError):
    """A rating string that is not in a form the platform reads."""


@dataclass(frozen=True)
class Rating:
    """A parsed rating: the vehicle class and mass it was tested with, at what speed and angle."""

    text: str
    vehicle_class: str
    mass_kg: int
    speed_kmh: float
    angle_deg: float
    penetration_m: float | None


def parse_rating(text: str) -> Rating:
    """Read a rating string; raise `RatingError` saying the expected form otherwise."""
    cleaned = text.strip().upper().replace(" ", "")
    found = _ISO.match(cleaned)
    if found:
        pen = found.group("pen") or found.group("pen10")
        return Rating(
            text=cleaned,
            vehicle_class=found.group("cls"),
            mass_kg=int(found.group("mass")),
            speed_kmh=float(found.group("speed")),
            angle_deg=float(found.group("angle")),
            penetration_m=float(pen) if pen else None,
        )
    found = _ASTM.match(cleaned)
    if found:
        vehicle_class, mass = _ASTM_VEHICLES[found.group("vehicle")]
        return Rating(
            text=cleaned,
            vehicle_class=vehicle_class,
            mass_kg=mass,
            speed_kmh=round(int(found.group("mph")) * _MPH_TO_KMH, 1),
            angle_deg=90.0,
            penetration_m=None,
        )
    msg = (
        f"{text!r} is not a barrier rating: write it as on the test certificate, "
        "e.g. V/7200[N2A]/48/90:1.5 (IWA 14-1, ISO 22343-1), V/7500[N2]/48/90 (PAS 68) or M50/P1 (ASTM F2656)"
    )
    raise RatingError(msg)
