"""Form of the events pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Case, Value, When
from django.utils.translation import gettext_lazy as _

from pactesur.cities.models import City
from pactesur.events.actions import EDITABLE_FIELDS
from pactesur.events.models import Event
from pactesur.spaces.models import Space


class _DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


class EventForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Event
        fields = EDITABLE_FIELDS
        widgets = {
            "starts_at": _DateTimeInput(),
            "ends_at": _DateTimeInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
            "temporary_measures": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, city: City, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.city = city
        # The model's own clean compares the space's city with the event's.
        self.instance.city = city
        # Only spaces of this city in use can be chosen: a space id of another city, or of an archived
        # space, is "not one of the choices".
        # Named spaces first, then those the import found unnamed (shown by their generated label).
        spaces = (
            Space.objects.filter(city=city)
            .active()
            .order_by(Case(When(name="", then=Value(1)), default=Value(0)), "name", "osm_id", "id")
        )
        self.fields["space"].queryset = spaces  # type: ignore[attr-defined]
        for name in ("starts_at", "ends_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The event must end after it starts."))
        return cleaned

    def action_kwargs(self) -> dict[str, Any]:
        return {f: self.cleaned_data[f] for f in EDITABLE_FIELDS}
