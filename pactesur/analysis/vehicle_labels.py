"""What each vehicle class is called on pages and in reports, translated.

The engine describes its classes in English (it cannot use Django's translations); pages show the
label of this table instead, by the class code. A class the table does not know yet is shown with
the engine's description, and a test fails until it is added here.
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from pactesur.engine.vehicles import VEHICLE_CLASSES, VEHICLES_BY_CODE

# Class code (pactesur.engine.vehicles) → what the class is, in a few words.
VEHICLE_LABELS: dict[str, Promise] = {
    "M1": _("car"),
    "N1G": _("4×4 double-cab pick-up"),
    "N1": _("panel van"),
    "N2A": _("two-axle rigid truck, N2 chassis"),
    "N3C": _("two-axle rigid truck, N3 chassis"),
    "N3F": _("multi-axle heavy rigid truck"),
}


def vehicle_label(code: str) -> str:
    """The class's label in the active language; the engine's description for a class not listed."""
    label = VEHICLE_LABELS.get(code)
    if label is not None:
        return str(label)
    vehicle = VEHICLES_BY_CODE.get(code)
    return vehicle.description if vehicle is not None else code


def vehicle_choices() -> list[dict[str, Any]]:
    """Every class, lightest first: code, translated label and mass in kg, for pages and scripts."""
    return [
        {"code": v.code, "description": vehicle_label(v.code), "mass_kg": round(v.mass_kg)}
        for v in VEHICLE_CLASSES
    ]
