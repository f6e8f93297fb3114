"""Forms of barrier plans: a new plan for a space, and the drawn elements (one form per element).

An element's geometry is GeoJSON in lon/lat: the map's drawing tools fill it in, and it can be typed
or pasted where no script runs. The figures a kind does not use are ignored.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from pactesur.engine import plans as engine_plans
from pactesur.engine.vehicles import VEHICLE_CLASSES
from pactesur.measures import barriers
from pactesur.measures.models import MeasureType
from pactesur.spaces.models import Space

MAX_GEOMETRY_CHARS = 20_000


def vehicle_choices() -> list[tuple[str, str]]:
    from pactesur.analysis.vehicle_labels import vehicle_label

    return [(v.code, f"{v.code} — {vehicle_label(v.code)}") for v in VEHICLE_CLASSES]


class SpaceChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.shown_name)


class NewBarrierPlanForm(forms.Form):
    space = SpaceChoiceField(label=_("Space"), queryset=Space.objects.none())
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    vehicles = forms.MultipleChoiceField(
        label=_("Vehicle classes the plan must stop"),
        widget=forms.CheckboxSelectMultiple,
        choices=(),
    )
    start = forms.ChoiceField(
        label=_("Start from"),
        choices=(
            ("proposal", _("the lines the engine proposes across every entry")),
            ("empty", _("an empty plan, to draw every element")),
        ),
        initial="proposal",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, spaces: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["space"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = spaces
        vehicles = self.fields["vehicles"]
        assert isinstance(vehicles, forms.MultipleChoiceField)
        vehicles.choices = vehicle_choices()
        if not self.is_bound:
            self.initial.setdefault("vehicles", [v.code for v in VEHICLE_CLASSES])


class PlanHeaderForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    vehicles = forms.MultipleChoiceField(
        label=_("Vehicle classes the plan must stop"), widget=forms.CheckboxSelectMultiple, choices=()
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        vehicles = self.fields["vehicles"]
        assert isinstance(vehicles, forms.MultipleChoiceField)
        vehicles.choices = vehicle_choices()


KIND_CHOICES = (
    (engine_plans.BarrierLine.kind, _("Barrier line")),
    (engine_plans.SpeedReduction.kind, _("Speed reduction")),
    (engine_plans.Closure.kind, _("Closure of a street or a turn")),
)


def _type_choices(types: list[MeasureType], kinds: tuple[str, ...]) -> list[tuple[str, Any]]:
    choices: list[tuple[str, Any]] = [("", _("— proposed from the catalogue —"))]
    for t in types:
        if t.kind in kinds:
            label = f"{t.display_name} ({t.rating})" if t.rating else t.display_name
            choices.append((str(t.pk), label))
    return choices


class ElementForm(forms.Form):
    """One drawn element: its kind, geometry, catalogue type and figures."""

    # An initial kind, so that an untouched extra form counts as unchanged (and is skipped).
    kind = forms.ChoiceField(label=_("Kind"), choices=KIND_CHOICES, initial=engine_plans.BarrierLine.kind)
    geometry = forms.CharField(
        label=_("Geometry (GeoJSON, longitude and latitude)"),
        widget=forms.Textarea(attrs={"rows": 2, "class": "geometry"}),
        max_length=MAX_GEOMETRY_CHARS,
    )
    label = forms.CharField(label=_("Label"), max_length=200, required=False)
    measure_type = forms.TypedChoiceField(label=_("Built of"), required=False, coerce=int, empty_value=None)
    rating = forms.CharField(
        label=_("Rating of its elements"),
        max_length=60,
        required=False,
        help_text=_(
            "As on the test certificate, e.g. V/7200[N2A]/48/90; empty or “unrated” stops nothing. A "
            "catalogue type with a rating gives the element its rating."
        ),
    )
    gap_m = forms.DecimalField(
        label=_("Clear gap between elements (m)"), min_value=0, max_value=50, decimal_places=2, required=False
    )
    opening_m = forms.DecimalField(
        label=_("Emergency opening (m)"), min_value=0, max_value=50, decimal_places=2, required=False
    )
    opening_measure_type = forms.TypedChoiceField(
        label=_("Opening closed by"), required=False, coerce=int, empty_value=None
    )
    opening_rating = forms.CharField(
        label=_("Rating of the opening's elements"), max_length=60, required=False
    )
    cap_kmh = forms.DecimalField(
        label=_("Speed cap: no vehicle passes faster (km/h)"),
        min_value=1,
        max_value=200,
        decimal_places=1,
        required=False,
    )
    way_id = forms.IntegerField(label=_("Way closed (OpenStreetMap id, optional)"), required=False)
    to_way_id = forms.IntegerField(label=_("Turn into way (OpenStreetMap id, turns only)"), required=False)

    def __init__(self, *args: Any, types: list[MeasureType] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        types = types or []
        line_like = (*barriers.LINE_KINDS, *barriers.SPEED_REDUCTION_KINDS, *barriers.CLOSURE_KINDS)
        measure = self.fields["measure_type"]
        opening = self.fields["opening_measure_type"]
        assert isinstance(measure, forms.TypedChoiceField)
        assert isinstance(opening, forms.TypedChoiceField)
        measure.choices = _type_choices(types, line_like)
        opening.choices = _type_choices(types, barriers.OPENING_KINDS)

    def clean_geometry(self) -> dict[str, Any]:
        text = self.cleaned_data["geometry"]
        try:
            value = json.loads(text)
        except ValueError:
            raise ValidationError(
                _("Not GeoJSON: draw the element on the map or paste a GeoJSON geometry.")
            ) from None
        if not isinstance(value, dict) or value.get("type") not in ("LineString", "Point"):
            raise ValidationError(
                _("A barrier line or a closure along a street is a line; a point marks the rest.")
            )
        return value

    def element(self) -> dict[str, Any]:
        """The element as `barrier_actions.clean_elements` reads it."""
        data = self.cleaned_data
        kind = data["kind"]
        element: dict[str, Any] = {
            "kind": kind,
            "geometry": data["geometry"],
            "label": data.get("label") or "",
        }
        if data.get("measure_type"):
            element["measure_type"] = data["measure_type"]
        if kind == engine_plans.BarrierLine.kind:
            element["rating"] = (data.get("rating") or "").strip() or "unrated"
            element["gap_m"] = (
                float(data["gap_m"]) if data.get("gap_m") is not None else engine_plans.MAX_CLEAR_GAP_M
            )
            element["opening_m"] = float(data.get("opening_m") or 0)
            element["opening_rating"] = (data.get("opening_rating") or "").strip() or "unrated"
            if data.get("opening_measure_type"):
                element["opening_measure_type"] = data["opening_measure_type"]
        elif kind == engine_plans.SpeedReduction.kind:
            element["cap_kmh"] = float(data["cap_kmh"]) if data.get("cap_kmh") is not None else 0.0
        else:
            element["way_id"] = data.get("way_id")
            element["to_way_id"] = data.get("to_way_id")
        return element

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == engine_plans.SpeedReduction.kind and data.get("cap_kmh") is None:
            self.add_error("cap_kmh", _("Give the speed the speed reduction holds vehicles to."))
        return data


class BaseElementFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    def __init__(self, *args: Any, types: list[MeasureType] | None = None, **kwargs: Any) -> None:
        self.types = types or []
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {"types": self.types}

    def elements(self) -> list[dict[str, Any]]:
        """The elements kept: filled forms not marked for removal."""
        kept = []
        for form in self.forms:
            if not form.has_changed() and form.empty_permitted:
                continue
            if self.can_delete and form.cleaned_data.get("DELETE"):
                continue
            kept.append(form.element())
        return kept


ElementFormSet: type[BaseElementFormSet] = forms.formset_factory(  # type: ignore[assignment]
    ElementForm, formset=BaseElementFormSet, extra=1, can_delete=True, max_num=200, validate_max=True
)


def initial_of(element: dict[str, Any]) -> dict[str, Any]:
    """A stored element as the element form's initial data."""
    initial = {k: v for k, v in element.items() if k != "geometry"}
    initial["geometry"] = json.dumps(element.get("geometry"), separators=(",", ":"))
    if initial.get("rating") == "unrated":
        initial["rating"] = ""
    if initial.get("opening_rating") == "unrated":
        initial["opening_rating"] = ""
    return initial
