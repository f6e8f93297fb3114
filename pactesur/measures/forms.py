"""The form of a catalogue type: its fields, a 0–5 score per design principle, and per attack type the
share of the probability and consequence ratings it removes, in percent."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Case, Value, When
from django.utils.translation import gettext_lazy as _

from pactesur.assessments.library import ATTACK_ORDER, AttackType
from pactesur.cities.models import City
from pactesur.measures.actions import INSTALLATION_FIELDS, TYPE_FIELDS
from pactesur.measures.library import INTEGRATION_CRITERIA, INTEGRATION_MAX
from pactesur.measures.models import FeedbackKind, InstalledMeasure, MeasureType
from pactesur.spaces.models import Space

MODEL_FIELDS = TYPE_FIELDS
_SCORES = [("", "—"), *((str(n), str(n)) for n in range(INTEGRATION_MAX + 1))]


def _percent_field(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, required=False, min_value=0, max_value=100, widget=forms.NumberInput(attrs={"step": 5})
    )


class MeasureTypeForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = MeasureType
        fields = MODEL_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "source": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instance: MeasureType = self.instance
        if instance.pk and instance.city_id is None:
            # A seeded type shows its name in the reader's language; editing keeps the stored name.
            self.initial.setdefault("name", instance.name)
        for key, principle in INTEGRATION_CRITERIA:
            self.fields[f"integration_{key}"] = forms.TypedChoiceField(
                label=str(principle), choices=_SCORES, coerce=int, empty_value=None, required=False
            )
            value = (instance.integration or {}).get(key)
            if value is not None:
                self.initial[f"integration_{key}"] = str(value)
        for attack in ATTACK_ORDER:
            attack_label = str(AttackType(attack).label)
            effect = instance.effect_on(attack)
            for part, part_label in (("probability", _("probability")), ("consequence", _("consequence"))):
                name = f"effect_{attack}_{part}"
                self.fields[name] = _percent_field(
                    _("%(attack)s: %(part)s") % {"attack": attack_label, "part": part_label}
                )
                share = getattr(effect, part)
                if share:
                    self.initial[name] = round(share * 100)

    def integration_fields(self) -> list[forms.BoundField]:
        return [self[f"integration_{key}"] for key, _label in INTEGRATION_CRITERIA]

    def effect_rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [
            (
                str(AttackType(attack).label),
                self[f"effect_{attack}_probability"],
                self[f"effect_{attack}_consequence"],
            )
            for attack in ATTACK_ORDER
        ]

    def _post_clean(self) -> None:
        # The action validates the type as a whole (rating, cost range, kinds); the form stops at fields.
        pass

    def action_kwargs(self) -> dict[str, Any]:
        data = {f: self.cleaned_data[f] for f in MODEL_FIELDS}
        data["rating"] = (data.get("rating") or "").strip()
        data["integration"] = {
            key: self.cleaned_data[f"integration_{key}"]
            for key, _label in INTEGRATION_CRITERIA
            if self.cleaned_data.get(f"integration_{key}") is not None
        }
        effects: dict[str, dict[str, float]] = {}
        for attack in ATTACK_ORDER:
            shares = {
                part: (self.cleaned_data.get(f"effect_{attack}_{part}") or 0) / 100
                for part in ("probability", "consequence")
            }
            if any(shares.values()):
                effects[attack] = shares
        data["effects"] = effects
        return data


class _DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class InstallationForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = InstalledMeasure
        fields = INSTALLATION_FIELDS
        widgets = {"installed_on": _DateInput(), "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, city: City, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.city = city
        spaces = (
            Space.objects.filter(city=city)
            .active()
            .order_by(Case(When(name="", then=Value(1)), default=Value(0)), "name", "osm_id", "id")
        )
        self.fields["space"].queryset = spaces  # type: ignore[attr-defined]
        self.fields["space"].label_from_instance = lambda s: s.shown_name  # type: ignore[attr-defined]
        types = MeasureType.objects.for_city(city).order_by("family", "order", "code")
        self.fields["measure_type"].queryset = types  # type: ignore[attr-defined]
        self.fields["measure_type"].label_from_instance = lambda m: m.display_name  # type: ignore[attr-defined]

    def _post_clean(self) -> None:
        # The action checks the record as a whole (the space's city, the rating's form).
        pass

    def action_kwargs(self) -> dict[str, Any]:
        data = {f: self.cleaned_data[f] for f in INSTALLATION_FIELDS}
        data["rating"] = (data.get("rating") or "").strip()
        return data


class FeedbackForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=FeedbackKind.choices)
    happened_on = forms.DateField(label=_("Date"), widget=_DateInput())
    text = forms.CharField(
        label=_("What happened"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    acceptance = forms.TypedChoiceField(
        label=_("Public acceptance (1–5)"),
        choices=[("", "—"), *((str(n), str(n)) for n in range(1, 6))],
        coerce=int,
        empty_value=None,
        required=False,
    )
    cost_eur = forms.IntegerField(label=_("Cost (€)"), min_value=0, required=False)
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        help_text=_("JPEG, PNG or WebP, 5 MB at most; only the city's members see it."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )


def add_action_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show an action's errors beside their fields; those of no field of the form above it."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)
