"""The upload form of an OSM extract."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from pactesur.streets.actions import has_accepted_suffix

# Largest upload accepted from the web (assumption: a large city's extract is a few hundred MB;
# bigger regions are imported with `pactesur import-osm` on the server).
MAX_UPLOAD_BYTES = 1024 * 1024 * 1024


class OsmUploadForm(forms.Form):
    file = forms.FileField(
        label=_("OpenStreetMap extract"),
        help_text=_("A .osm, .osm.pbf, .osm.gz or .osm.bz2 file of your city."),
        widget=forms.ClearableFileInput(attrs={"accept": ".osm,.pbf,.gz,.bz2,.xml"}),
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if not has_accepted_suffix(upload.name or ""):
            raise forms.ValidationError(
                _("“%(name)s” is not an OpenStreetMap file: choose a .osm, .osm.pbf, .osm.gz or .osm.bz2."),
                code="suffix",
                params={"name": upload.name},
            )
        if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than 1 GB: import it on the server with `pactesur import-osm`."),
                code="size",
            )
        return upload
