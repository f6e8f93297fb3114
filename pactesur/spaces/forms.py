"""Forms of the spaces pages: attributes, plus the outline drawn on the map or uploaded as GeoJSON."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from pactesur.spaces.actions import EDITABLE_FIELDS
from pactesur.spaces.geometry import Outline, SpaceGeometryError, check_geojson_size, parse_geojson_text
from pactesur.spaces.models import Space, SpaceKind

# The outline comes from the form's own fields (drawn `polygon` or `geojson_file`), parsed in `clean`.
ATTRIBUTE_FIELDS = [f for f in EDITABLE_FIELDS if f != "polygon"]


# A usual crowd above the peak crowd, or a peak crowd above the capacity, is a typing error.
CROWD_ORDER = (("usual_crowd", "peak_crowd"), ("peak_crowd", "capacity"))
CROWD_ORDER_FIELDS = ("usual_crowd", "peak_crowd", "capacity")


def add_crowd_order_errors(
    form: forms.BaseForm, values: Mapping[str, Any], labels: Mapping[str, Any]
) -> None:
    """Add an error to `form` for each crowd figure above the one that bounds it (`CROWD_ORDER`).

    The space's form and an assessment's step 1, which writes the space's crowd figures, check the
    same; `values` and `labels` are keyed by the space's field names.
    """
    for low, high in CROWD_ORDER:
        if values.get(low) is not None and values.get(high) is not None and values[low] > values[high]:
            form.add_error(
                low, _("%(low)s cannot exceed %(high)s.") % {"low": labels[low], "high": labels[high]}
            )


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
        # The name of the uploaded file whose outline the drawn-outline field now carries.
        self.kept_upload = ""
        if self.instance.pk and not self.is_bound:
            self.initial["polygon"] = json.dumps(self.instance.polygon)
        # A space the import found unnamed needs no name: its generated label, shown as the field's
        # placeholder, names it in each reader's language until a person types one.
        generated = self.instance.generated_name if self.instance.pk else ""
        self.fields["name"].required = not generated
        if generated:
            self.fields["name"].widget.attrs["placeholder"] = generated
            self.fields["name"].help_text = _(
                "Optional: left empty, the space is called “%(label)s”, in each reader’s language."
            ) % {"label": generated}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        upload = cleaned.get("geojson_file")
        drawn = (cleaned.get("polygon") or "").strip()
        try:
            if upload:
                check_geojson_size(upload.size)  # before reading the file
                self.outline = parse_geojson_text(upload.read())
                self._keep_uploaded_outline(self.outline, upload.name or "")
            elif drawn:
                self.outline = parse_geojson_text(drawn)
        except SpaceGeometryError as exc:
            self.add_error("geojson_file" if upload else "polygon", str(exc))
            return cleaned
        if self.outline is None and not self.has_error("polygon"):  # e.g. a NUL, refused by the field
            self.add_error(
                "polygon", _("Draw the outline of the space on the map, or upload a GeoJSON file.")
            )
        add_crowd_order_errors(self, cleaned, {name: self.fields[name].label for name in CROWD_ORDER_FIELDS})
        return cleaned

    def _keep_uploaded_outline(self, outline: Outline, name: str) -> None:
        """Carry an uploaded outline in the drawn-outline field: a page sent back because another
        field is wrong shows it on the map and saves it with the next try, as a file input cannot
        be filled again."""
        data = self.data.copy()  # type: ignore[attr-defined]  # a QueryDict or a dict: both copy
        data[self.add_prefix("polygon")] = json.dumps(outline.geojson)
        self.data = data
        self.kept_upload = name

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
