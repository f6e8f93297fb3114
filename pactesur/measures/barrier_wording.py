"""The engine's judgement of a barrier plan in the reader's language.

The engine (pactesur.engine.plans) says why with codes and figures (an entry's status, an element's
reason) beside an English sentence; pages word them here from the codes, so every language reads
the same judgement.
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from pactesur.engine import plans as engine_plans
from pactesur.measures import barriers
from pactesur.measures.models import MeasureType

STATE_LABELS: dict[str, Promise] = {
    "approved": pgettext_lazy("barrier plan", "Approved"),
    "accepted": pgettext_lazy("barrier plan", "Accepted by the engine, to approve"),
    "refused": pgettext_lazy("barrier plan", "Not accepted: entries left open"),
    "stale": pgettext_lazy("barrier plan", "To check again (plan, network or outline changed)"),
    "unchecked": pgettext_lazy("barrier plan", "Not checked yet"),
}

# "entry" context: "stopped" is also an interrupted import, elsewhere.
ENTRY_STATUS: dict[str, Promise] = {
    "stopped": pgettext_lazy("entry", "stopped"),
    "removed": pgettext_lazy("entry", "removed by a closure"),
    "unreached": pgettext_lazy("entry", "no longer reached"),
    "open": pgettext_lazy("entry", "still open"),
    "new": pgettext_lazy("entry", "new entry made by the plan"),
    "behind_line": pgettext_lazy("entry", "reached only from behind a line"),
}

ELEMENT_KINDS: dict[str, Promise] = {
    engine_plans.BarrierLine.kind: gettext_lazy("Barrier line"),
    engine_plans.SpeedReduction.kind: gettext_lazy("Speed reduction"),
    engine_plans.Closure.kind: gettext_lazy("Closure of a street or a turn"),
}

# An element holds for a class when its reason is one of these.
HOLDING = frozenset({"stops", "not_reached", "caps", "closes"})


def element_reason(item: dict[str, Any]) -> str:
    """Why one element does or does not act on one class, in a sentence."""
    reason = item.get("reason")
    figures = {
        "speed": _speed(item.get("hit_speed_kmh")),
        "needed": item.get("required_rating") or "—",
        "rating": item.get("rating") or _("unrated"),
        "gap": engine_plans.MAX_CLEAR_GAP_M,
    }
    texts = {
        "stops": _(
            "Stops this class: it hits the element at %(speed)s km/h, within its rating %(rating)s "
            "(%(needed)s needed)."
        ),
        "not_reached": _("Rated, but no approach of this class reaches it."),
        "unrated": _("Unrated elements stop nothing: give the rating of the product's test certificate."),
        "gap_too_wide": _("Its clear gaps are wider than %(gap)s m: a vehicle passes between the elements."),
        "opening_open": _(
            "Its emergency opening is not closed by a rated element: a vehicle passes through it."
        ),
        "class_too_heavy": _("This class is heavier than the rating's test vehicle (%(rating)s)."),
        "rating_too_low": _("Hit at %(speed)s km/h: %(rating)s is too low, %(needed)s is needed."),
        "inside_space": _("It stands inside the space: vehicles are in before they reach it."),
        "too_short": _("It does not reach across the way it crosses: a vehicle passes at its end."),
        "around": _("Vehicles go round its end."),
        "caps": _("Holds this class to the element's speed cap."),
        "closes": _("Closes the way to this class."),
        "not_on_a_way": _("It stands on no way of the street network: draw it across or on a street."),
    }
    text = texts.get(str(reason))
    return text % figures if text else str(item.get("message") or reason or "")


def _speed(value: Any) -> str:
    return "—" if value is None else f"{float(value):.0f}"


def element_verdicts(judgement: dict[str, Any]) -> dict[int, dict[str, Any]]:
    """Per element (0-based): ``holds`` when it holds for every class, ``fails`` when it fails one."""
    verdicts: dict[int, dict[str, Any]] = {}
    for item in judgement.get("elements", []):
        v = verdicts.setdefault(int(item["element"]), {"state": "holds"})
        if item.get("reason") not in HOLDING:
            v["state"] = "fails"
    return verdicts


def element_rows(judgement: dict[str, Any], elements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each element with its verdict per class."""
    by_element: dict[int, list[dict[str, Any]]] = {}
    for item in judgement.get("elements", []):
        by_element.setdefault(int(item["element"]), []).append(
            {
                "vehicle": item["vehicle"],
                "holds": item.get("reason") in HOLDING,
                "text": element_reason(item),
                "entries_stopped": item.get("entries_stopped") or 0,
            }
        )
    rows = []
    for index, element in enumerate(elements):
        rows.append(
            {
                "number": index + 1,
                "kind": ELEMENT_KINDS.get(element.get("kind", ""), element.get("kind")),
                "label": element.get("label") or "",
                "rating": element.get("rating") or "",
                "classes": by_element.get(index, []),
            }
        )
    return rows


def entry_rows(judgement: dict[str, Any]) -> list[dict[str, Any]]:
    """The entries one by one, open ones first, fastest first."""
    # the rating each element needs for each class: for the hit speed with the plan in place
    needed = {
        (int(c["element"]), c["vehicle"]): c.get("required_rating") for c in judgement.get("elements", [])
    }
    rows = [
        {
            **e,
            "status_label": ENTRY_STATUS.get(e["status"], e["status"]),
            "is_open": e["status"] in ("open", "new"),
            "element_number": None if e.get("element") is None else int(e["element"]) + 1,
            "needed_now": e.get("required_rating_after")
            if e["status"] in ("open", "new")
            else needed.get((int(e["element"]), e["vehicle"]))
            if e.get("element") is not None
            else None,
        }
        for e in judgement.get("entries", [])
    ]
    rows.sort(
        key=lambda r: (
            not r["is_open"],
            -(r.get("impact_speed_after_kmh") or r.get("impact_speed_before_kmh") or 0.0),
        )
    )
    return rows


def open_reasons(judgement: dict[str, Any]) -> list[str]:
    """One sentence per entry the plan leaves open (what must still be closed), without places."""
    texts = []
    for e in judgement.get("entries", []):
        if e["status"] not in ("open", "new"):
            continue
        values = {
            "vehicle": e["vehicle"],
            "speed": _speed(e.get("impact_speed_after_kmh")),
            "street": e.get("name") or _("an unnamed way"),
            "rating": e.get("required_rating_after") or "—",
        }
        if e["status"] == "new":
            texts.append(
                _(
                    "%(vehicle)s now reaches the space by %(street)s at %(speed)s km/h (a new way in): "
                    "%(rating)s needed."
                )
                % values
            )
        else:
            texts.append(
                _("%(vehicle)s still reaches the space by %(street)s at %(speed)s km/h: %(rating)s needed.")
                % values
            )
    return texts


ROLE_LABELS: dict[str, Promise] = {
    "line": gettext_lazy("line"),
    "opening": gettext_lazy("emergency opening"),
    "speed_reduction": gettext_lazy("speed reduction"),
    "closure": gettext_lazy("closure"),
}


def unpriced_rows(cost: dict[str, Any], elements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The parts of elements no priced catalogue type of their kind (and rating) can build."""
    rows = []
    for part in cost.get("unpriced", []):
        index = int(part["element"])
        element = elements[index] if index < len(elements) else {}
        rating = element.get("opening_rating" if part["role"] == "opening" else "rating")
        rows.append(
            {
                "number": index + 1,
                "role_label": ROLE_LABELS.get(part["role"], part["role"]),
                "rating": rating if rating and rating != "unrated" else "",
            }
        )
    return rows


def cost_rows(cost: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {**item, "number": item["element"] + 1, "role_label": ROLE_LABELS.get(item["role"], item["role"])}
        for item in cost.get("items", [])
    ]


def proposal_rows(proposal: dict[str, Any], city_id: int) -> list[dict[str, Any]]:
    """The engine's proposed lines with their alternatives and what each costs from the catalogue."""
    if not proposal.get("lines"):
        return []
    types = list(MeasureType.objects.for_city(city_id))
    rows = []
    for number, line in enumerate(proposal["lines"], start=1):
        fixed = barriers.suggested_type(types, barriers.PROPOSED_LINE_KINDS, line["design_rating"])
        line_cost = _range(fixed, line["elements"] - line["removable_elements"])
        opening = (
            barriers.suggested_type(types, barriers.OPENING_KINDS, line["design_rating"])
            if line["removable_elements"]
            else None
        )
        opening_cost = _range(opening, line["removable_elements"]) if opening else None
        reductions = []
        for option in line.get("speed_reductions", []):
            reducer = barriers.suggested_type(types, barriers.SPEED_REDUCTION_KINDS, None)
            reductions.append({**option, "cost": _range(reducer, option["elements"]), "type": reducer})
        closure = line.get("closure")
        closer = barriers.suggested_type(types, barriers.CLOSURE_KINDS, None) if closure else None
        rows.append(
            {
                "number": number,
                "line": line,
                "fixed_type": fixed,
                "line_cost": line_cost,
                "opening_type": opening,
                "opening_cost": opening_cost,
                "reductions": reductions,
                "closure": closure,
                "closure_type": closer,
                "closure_cost": _range(closer, 1) if closer else None,
            }
        )
    return rows


def _range(measure: MeasureType | None, quantity: float) -> dict[str, Any] | None:
    bounds = measure.unit_cost_bounds() if measure is not None else None
    if measure is None or bounds is None:
        return None
    low, high = bounds
    return {
        "min_eur": round(low * quantity),
        "max_eur": round(high * quantity),
        "estimated": measure.costs_estimated,
    }


def map_labels() -> dict[str, str]:
    """The plan map's words (layers, drawing tools)."""
    return {
        "space": _("The space"),
        "elements": _("Elements of the plan"),
        "proposed": _("Lines the engine proposes"),
        "entries": _("Entries (after the plan)"),
        "holds": _("holds for every class"),
        "fails": _("fails for a class"),
        "unchecked": _("not checked"),
        "drawLine": _("Draw a barrier line or a closure along a street"),
        "drawMarker": _("Mark a speed reduction or a closure at a point"),
        "element": _("Element"),
        "open": pgettext("entry", "open"),
    }
