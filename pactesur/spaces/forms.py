"""Forms of the spaces pages: attributes, plus the outline drawn on the map or uploaded as GeoJSON."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from pactesur.spaces.actions import EDITABLE_FIELDS
from pactesur.spaces.geometry import Outline, SpaceGeometryError, check_geojson_size, parse_geojson_text
from pactesur.spaces.models import Space, SpaceKind

# The outline comes from the form's own fields (drawn `polygon` or `geojson_file`), parsed in `clean`.
ATTRIBUTE_FIELDS = [f for f in EDITABLE_FIELDS if f != "polygon"]


class SpaceForm(forms.ModelForm):  # type: ignore[type-arg]
    # Filled by the map's drawing tool (spaces-edit.js) with the GeoJSON geometry of the outline.
    polygon = forms.CharField(required=False, widget=forms.HiddenInput)
    geojson_file = forms.FileField(
        label=_("…or upload a GeoJSON file"),
        required=False,
        help_text=_(
            "A Polygon or MultiPolygon geometry, a Feature or a FeatureCollection holding one polygon, "
            "in WGS 84 longitude/latitude. It replaces the outline drawn on the map."
        ),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".geojson,.json,application/geo+json,application/json"}
        ),
    )

    class Meta:
        model = Space
        fields = ATTRIBUTE_FIELDS
        widgets = {
            "peak_times": forms.Textarea(attrs={"rows": 2}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.outline: Outline | None = None
        if self.instance.pk and not self.is_bound:
            import json

            self.initial["polygon"] = json.dumps(self.instance.polygon)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        upload = cleaned.get("geojson_file")
        drawn = (cleaned.get("polygon") or "").strip()
        try:
            if upload:
                check_geojson_size(upload.size)  # before reading the file
                self.outline = parse_geojson_text(upload.read())
            elif drawn:
                self.outline = parse_geojson_text(drawn)
        except SpaceGeometryError as exc:
            self.add_error("geojson_file" if upload else "polygon", str(exc))
            return cleaned
        if self.outline is None and not self.has_error("polygon"):  # e.g. a NUL, refused by the field
            self.add_error(
                "polygon", _("Draw the outline of the space on the map, or upload a GeoJSON file.")
            )
        for low, high in (("usual_crowd", "peak_crowd"), ("peak_crowd", "capacity")):
            if (
                cleaned.get(low) is not None
                and cleaned.get(high) is not None
                and cleaned[low] > cleaned[high]
            ):
                self.add_error(
                    low,
                    _("%(low)s cannot exceed %(high)s.")
                    % {
                        "low": self.fields[low].label,
                        "high": self.fields[high].label,
                    },
                )
        return cleaned

    def action_kwargs(self) -> dict[str, Any]:
        """The keyword arguments of do_create_space / do_update_space."""
        kwargs = {f: self.cleaned_data[f] for f in ATTRIBUTE_FIELDS}
        kwargs["polygon"] = self.outline
        return kwargs


class SpaceFilterForm(forms.Form):
    SORTS = {
        "name": "name",
        "-name": "-name",
        "kind": "kind",
        "area": "area_m2",
        "-area": "-area_m2",
        "capacity": "capacity",
        "-capacity": "-capacity",
        "-updated": "-updated_at",
    }
    q = forms.CharField(label=_("Name"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *SpaceKind.choices]
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("name", _("name (A–Z)")),
            ("-name", _("name (Z–A)")),
            ("kind", _("kind")),
            ("-area", _("largest first")),
            ("area", _("smallest first")),
            ("-capacity", _("highest capacity first")),
            ("capacity", _("lowest capacity first")),
            ("-updated", _("recently changed")),
        ],
    )
