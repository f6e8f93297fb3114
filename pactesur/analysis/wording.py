"""What an analysis says to people, translated: ratings, how an entry is reached, kinds, warnings.

The engine writes codes (``via: "along_way"``, ``kind: "bollard"``, warning ``code`` and ``params``)
and English messages; pages, PDFs and the API show the sentences of this module instead, in the
reader's language. A code this module does not know yet is shown as the engine wrote it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pactesur.analysis.vehicle_labels import vehicle_label

# What a summary says instead of a rating when the class arrives faster than any test of its class
# (ISO 22343-1 / IWA 14-1): no product can be chosen, the approach speed must come down first.
NO_TESTED_RATING = gettext_lazy("no tested rating: reduce the speed first")

# How a vehicle gets into the space (`via` of an entry, DESIGN.md).
VIA_LABELS: dict[str, Promise] = {
    "way": gettext_lazy("along a way that crosses the outline"),
    "along_way": gettext_lazy("leaving a way that runs along the outline"),
    "open_area": gettext_lazy("straight across an open area"),
}

# Where an approach comes from, seen from its entry: eight points of the compass, clockwise from north.
DIRECTION_LABELS: tuple[Promise, ...] = (
    gettext_lazy("from the north"),
    gettext_lazy("from the north-east"),
    gettext_lazy("from the east"),
    gettext_lazy("from the south-east"),
    gettext_lazy("from the south"),
    gettext_lazy("from the south-west"),
    gettext_lazy("from the west"),
    gettext_lazy("from the north-west"),
)

# The kind of way an approach runs on (`approach` of an entry, `kind` of an assumed width).
WAY_KIND_LABELS: dict[str, Promise] = {
    "road": gettext_lazy("road"),
    "service": gettext_lazy("service road"),
    "pedestrian": gettext_lazy("pedestrian street"),
    "open_area": gettext_lazy("open area"),
    "footway": gettext_lazy("footway"),
    "cycleway": gettext_lazy("cycleway"),
    "track": gettext_lazy("track"),
    "path": gettext_lazy("path"),
}

# Existing barriers as OpenStreetMap tags them (`barrier=*`).
BARRIER_KIND_LABELS: dict[str, Promise] = {
    "bollard": gettext_lazy("bollard"),
    "block": gettext_lazy("concrete block"),
    "wall": gettext_lazy("wall"),
    "fence": gettext_lazy("fence"),
    "gate": gettext_lazy("gate"),
    "lift_gate": gettext_lazy("lift gate"),
    "swing_gate": gettext_lazy("swing gate"),
    "planter": gettext_lazy("planter"),
    "kerb": gettext_lazy("kerb"),
    "jersey_barrier": gettext_lazy("jersey barrier"),
    "guard_rail": gettext_lazy("guard rail"),
    "chain": gettext_lazy("chain"),
    "retaining_wall": gettext_lazy("retaining wall"),
    "city_wall": gettext_lazy("city wall"),
    "hedge": gettext_lazy("hedge"),
    "rising_bollard": gettext_lazy("rising bollard"),
    # The other values the import reads as closing a way or as a gate (`engine/_barriers.py`).
    "stone": gettext_lazy("boulder"),
    "boulder": gettext_lazy("boulder"),
    "log": gettext_lazy("tree trunk"),
    "bar": gettext_lazy("fixed bar"),
    "turnstile": gettext_lazy("turnstile"),
    "full-height_turnstile": gettext_lazy("full-height turnstile"),
    "kissing_gate": gettext_lazy("kissing gate"),
    "stile": gettext_lazy("stile"),
    "debris": gettext_lazy("debris"),
    "barrier_board": gettext_lazy("barrier board"),
    "sliding_gate": gettext_lazy("sliding gate"),
    "hampshire_gate": gettext_lazy("wire gate"),
    "wicket_gate": gettext_lazy("wicket gate"),
}

# Warning code → sentence with the warning's params (DESIGN.md).
WARNING_TEXTS: dict[str, Promise] = {
    "near_extract_edge": gettext_lazy(
        "This space lies %(distance_m)s m from the edge of the imported street network, closer than "
        "the run-up a vehicle needs to reach its top speed (%(run_up_m)s m): faster approaches from "
        "beyond the extract are missing. Import a larger extract to assess them."
    ),
    "assumed_widths": gettext_lazy(
        "%(share)s%% of the fastest approach runs on ways whose width is not mapped, so its speed rests "
        "on assumed widths: measure those ways to confirm it."
    ),
    "indoor": gettext_lazy(
        "This space is indoors: check how a vehicle could reach it before relying on this analysis."
    ),
    "old_network": gettext_lazy(
        "The street network was imported by an older version of PACTESUR: import it again to "
        "re-assess the widths of its ways."
    ),
    "no_streetscape": gettext_lazy(
        "The street network was imported before PACTESUR read trees, lamps and street furniture: the "
        "path speed equals the envelope. Import the city's street network again."
    ),
    "sparse_streetscape": gettext_lazy(
        "Only %(count)s trees, lamps, bollards or pieces of street furniture are mapped within "
        "%(radius_m)s m of this space (%(per_km)s per km of way): the path speed is close to the envelope "
        "because the map is empty, not because the street is. Map or survey the streetscape."
    ),
    "fast_off_road": gettext_lazy(
        "Some entries reach up to %(speed_kmh)s km/h on footways, paths, pedestrian streets or open "
        "areas, more than %(limit_kmh)s km/h: the envelope ignores the trees, lamps and street "
        "furniture there. Review their speed profiles (marked in the entries table) before relying on "
        "them."
    ),
}
# When the same warning comes for several classes, these params differ by class and the warning is
# shown once with the largest value (the run-up of the class that needs the longest).
MERGED_BY_MAX: dict[str, tuple[str, ...]] = {
    "near_extract_edge": ("run_up_m",),
    "fast_off_road": ("count", "speed_kmh"),
}
# What an entry asks a reviewer to check (`review` of an entry): code → sentence with its fields.
REVIEW_TEXTS: dict[str, Promise] = {
    "fast_off_road": gettext_lazy("Review: %(speed_kmh)s km/h (%(kind)s) %(at_m)s m along the path"),
}


def _label(table: Mapping[str, Promise], code: Any) -> str:
    text = table.get(str(code))
    if text is not None:
        return str(text)
    return str(code or "").replace("_", " ")


def via_label(code: Any) -> str:
    """How a vehicle reaches the entry, in words; empty for entries computed before `via` existed."""
    return _label(VIA_LABELS, code) if code else ""


def way_kind_label(code: Any) -> str:
    return _label(WAY_KIND_LABELS, code)


def direction_label(bearing_deg: float | None) -> str:
    """Where an approach comes from in words ("from the north-east"); empty when it is not known.

    `bearing_deg` is the compass bearing from the entry towards the approach (0 north, 90 east).
    """
    if bearing_deg is None or not math.isfinite(bearing_deg):
        return ""
    sector = round((bearing_deg % 360.0) / 45.0) % len(DIRECTION_LABELS)
    return str(DIRECTION_LABELS[sector])


def barrier_kind_label(code: Any) -> str:
    return _label(BARRIER_KIND_LABELS, code) if code else _("barrier")


def rating_text(required_rating: str | None, *, beyond_rating: bool) -> str:
    """The rating a barrier needs, or `NO_TESTED_RATING` when no test of the class is that fast."""
    if beyond_rating:
        return str(NO_TESTED_RATING)
    return required_rating or "—"


def class_rating(
    vehicle: str,
    *,
    max_impact_speed_kmh: float | None,
    required_rating: str | None,
    beyond_rating: bool,
    max_kinetic_energy_kj: float | None = None,
    path: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """One class's summary line that cannot mislead: its rating, or none and the speed to bring down.

    `required_rating` is None when the class is beyond any tested rating: the engine's string then
    names a test nobody runs (hostile-vehicles.md §3), which must not read as a product to buy.
    `path` is the class's path speed summary (`actions.path_summary_of`), None for results without.
    """
    beyond = bool(beyond_rating)
    return {
        **_path_line(path),
        "vehicle": vehicle,
        "label": vehicle_label(vehicle),
        "max_impact_speed_kmh": max_impact_speed_kmh,
        "max_kinetic_energy_kj": max_kinetic_energy_kj,
        "required_rating": None if beyond or not required_rating else required_rating,
        "beyond_rating": beyond,
        "rating_summary": rating_text(required_rating, beyond_rating=beyond),
    }


def _path_line(path: Mapping[str, Any] | None) -> dict[str, Any]:
    """The path speed half of a class's summary line (`has_path` False for results without it)."""
    if not path:
        return {"has_path": False}
    speed = path.get("max_speed_kmh")
    beyond = bool(path.get("beyond_rating"))
    rating = path.get("required_rating") or None
    summary = str(PATH_CLOSED) if speed is None else rating_text(rating, beyond_rating=beyond)
    return {
        "has_path": True,
        "path_speed_kmh": speed,
        "path_required_rating": None if beyond else rating,
        "path_beyond_rating": beyond,
        "path_rating_summary": summary,
        "path_closed": int(path.get("closed") or 0),
    }


# What a summary says when the streetscape closes every entry of a class (no line fits).
PATH_CLOSED = gettext_lazy("no line fits between the mapped streetscape")


def path_speed_text(entry: Mapping[str, Any]) -> str:
    """An entry's path speed in words: its rating, or why no line fits; empty for older results."""
    if "path_speed_kmh" not in entry:
        return ""
    if entry.get("path_speed_kmh") is None:
        return str(PATH_CLOSED)
    return rating_text(entry.get("path_required_rating"), beyond_rating=bool(entry.get("path_beyond_rating")))


STREET_OBJECT_LABELS: dict[str, Promise] = {
    "tree": gettext_lazy("tree"),
    "street_lamp": gettext_lazy("lamp column"),
    "utility_pole": gettext_lazy("utility pole"),
    "flagpole": gettext_lazy("flagpole"),
    "advertising_column": gettext_lazy("advertising column"),
    "bollard": gettext_lazy("bollard"),
    "block": gettext_lazy("concrete block"),
    "planter": gettext_lazy("planter"),
    "stone": gettext_lazy("boulder"),
}


def streetscape_text(entry: Mapping[str, Any]) -> str:
    """Which objects made the difference for an entry: counts per kind and effect, in words."""
    counts: dict[tuple[str, str], int] = {}
    for item in entry.get("streetscape") or []:
        key = (str(item.get("effect") or ""), str(item.get("kind") or ""))
        counts[key] = counts.get(key, 0) + 1
    if not counts:
        return ""
    parts = []
    for (effect, kind), count in sorted(counts.items()):
        label = _label(STREET_OBJECT_LABELS, kind)
        if effect == "closes":
            parts.append(_("%(count)s × %(kind)s close the way") % {"count": count, "kind": label})
        else:
            parts.append(_("%(count)s × %(kind)s force a weave") % {"count": count, "kind": label})
    return "; ".join(parts)


def _number(value: Any, decimals: int = 0) -> str:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(number):
        return str(value)
    return number_format(round(number, decimals), decimal_pos=decimals, use_l10n=True, force_grouping=True)


def review_texts(entry: Mapping[str, Any]) -> list[str]:
    """What an entry asks a reviewer to check, in the active language (entries before it: none)."""
    texts = []
    for item in entry.get("review") or []:
        template = REVIEW_TEXTS.get(str(item.get("code")))
        if template is None:
            texts.append(str(item.get("code") or "").replace("_", " "))
            continue
        texts.append(
            str(template)
            % {
                "speed_kmh": _number(item.get("speed_kmh")),
                "kind": way_kind_label(item.get("kind")),
                "at_m": _number(item.get("at_m")),
            }
        )
    return texts


def warning_text(warning: Mapping[str, Any]) -> str:
    """The warning in the active language from its code and params; the engine's English otherwise."""
    template = WARNING_TEXTS.get(str(warning.get("code")))
    params = dict(warning.get("params") or {})
    if template is None:
        return str(warning.get("message") or warning.get("code") or "")
    shown = {key: _number(value) for key, value in params.items() if isinstance(value, int | float)}
    shown |= {k: v for k, v in params.items() if k not in shown}
    try:
        return str(template) % shown
    except (KeyError, TypeError, ValueError):
        # Params missing from an older or newer engine: its own message says what it meant.
        return str(warning.get("message") or template)


def shown_warnings(warnings: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Warnings of several classes' results, each once, with the classes they concern and their text.

    A warning about the whole space (vehicle null) is stored in every class's result: shown once,
    with no class. The same warning for several classes is shown once with their codes; params
    that differ by class (`MERGED_BY_MAX`) take the largest value.
    """
    merged: dict[tuple[Any, ...], dict[str, Any]] = {}
    for warning in warnings:
        code = str(warning.get("code") or "")
        params = dict(warning.get("params") or {})
        by_max = MERGED_BY_MAX.get(code, ())
        same = tuple(sorted((k, repr(v)) for k, v in params.items() if k not in by_max))
        vehicle = warning.get("vehicle")
        key = (code, vehicle is None, same)
        found = merged.get(key)
        if found is None:
            merged[key] = {
                "code": code,
                "message": warning.get("message") or "",
                "params": params,
                "vehicles": [],
            }
            found = merged[key]
        for name in by_max:
            if isinstance(params.get(name), int | float):
                found["params"][name] = max(float(found["params"].get(name) or 0.0), float(params[name]))
        if vehicle and vehicle not in found["vehicles"]:
            found["vehicles"].append(str(vehicle))
    shown = []
    for item in merged.values():
        vehicles = item["vehicles"]
        shown.append(
            {
                "code": item["code"],
                "vehicles": vehicles,
                "vehicle_labels": [vehicle_label(v) for v in vehicles],
                # One class: named with its label; several: their codes.
                "concerns": (
                    f"{vehicles[0]} ({vehicle_label(vehicles[0])})"
                    if len(vehicles) == 1
                    else ", ".join(vehicles)
                ),
                "params": item["params"],
                "text": warning_text(item),
            }
        )
    return shown
