"""Spaces the import found without a name keep none: pages word their label in the reader's language.

Until now the import stored an English name it made up — "Unnamed square (way 123)", "Rautatientori
station forecourt" — which every reader saw in English. This blanks those names on the suggested
spaces nobody edited (a name a person typed is never touched); `Space.shown_name` gives the label.
Going back writes the English names again.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import migrations, models

# The names the import made up: `pactesur.engine.spaces` before spaces got `named`.
UNNAMED = re.compile(r"^Unnamed (square|market|pedestrian area) \((way|relation) -?\d+\)$")
FORECOURT_SUFFIX = " station forecourt"
UNNAMED_KINDS = ("square", "market", "pedestrian_area")


def _station(space: Any) -> str:
    tags = space.osm_tags if isinstance(space.osm_tags, dict) else {}
    station = tags.get("name")
    return station if isinstance(station, str) else ""


def is_made_up(space: Any) -> bool:
    """Whether the name of a suggested space is one the import made up, not OpenStreetMap's."""
    station = _station(space)
    return bool(UNNAMED.match(space.name)) or bool(station and space.name == station + FORECOURT_SUFFIX)


def _unedited_suggestions(apps: Any) -> Any:
    space_model = apps.get_model("spaces", "Space")
    return space_model.objects.filter(source="suggested", edited=False, osm_id__isnull=False)


def blank_made_up_names(apps: Any, schema_editor: Any) -> None:
    spaces = _unedited_suggestions(apps).exclude(name="").only("pk", "name", "osm_tags")
    blank = [space.pk for space in spaces.iterator(chunk_size=1000) if is_made_up(space)]
    space_model = apps.get_model("spaces", "Space")
    for start in range(0, len(blank), 500):
        space_model.objects.filter(pk__in=blank[start : start + 500]).update(name="")


def write_english_names(apps: Any, schema_editor: Any) -> None:
    space_model = apps.get_model("spaces", "Space")
    for space in _unedited_suggestions(apps).filter(name="").iterator(chunk_size=1000):
        station = _station(space)
        if space.kind == "station_forecourt" and station:
            name = station + FORECOURT_SUFFIX
        elif space.kind in UNNAMED_KINDS:
            name = f"Unnamed {space.kind.replace('_', ' ')} ({space.osm_type} {space.osm_id})"
        else:
            name = f"Unnamed space ({space.osm_type} {space.osm_id})"
        space_model.objects.filter(pk=space.pk).update(name=name[:200])


class Migration(migrations.Migration):
    dependencies = [
        ("spaces", "0002_space_archived_at_space_archived_by"),
    ]

    operations = [
        migrations.AlterField(
            model_name="space",
            name="name",
            field=models.CharField(blank=True, max_length=200, verbose_name="name"),
        ),
        migrations.RunPython(blank_made_up_names, write_english_names, elidable=False),
    ]
