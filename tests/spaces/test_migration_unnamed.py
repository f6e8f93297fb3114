"""Migration 0003: the English names the import made up for unnamed spaces are blanked, nothing else."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation

from pactesur.spaces.models import Space
from tests.spaces.helpers import square

BEFORE = [("spaces", "0002_space_archived_at_space_archived_by")]
AFTER = [("spaces", "0003_unnamed_spaces")]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_latest_migrations")
def test_made_up_names_of_unedited_suggestions_are_blanked_and_typed_names_kept(city) -> None:  # type: ignore[no-untyped-def]
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("spaces", "Space")

    def space(name: str, osm_id: int | None, *, kind: str = "square", **fields: Any) -> int:
        fields.setdefault("source", "suggested" if osm_id is not None else "manual")
        fields.setdefault("osm_type", "way" if osm_id is not None else "")
        row = old.objects.create(
            city_id=city.pk,
            name=name,
            kind=kind,
            polygon=square(),
            osm_id=osm_id,
            **fields,
        )
        return int(row.pk)

    made_up = space("Unnamed square (way 11)", 11)
    relation = space(
        "Unnamed pedestrian area (relation -12)", -12, kind="pedestrian_area", osm_type="relation"
    )
    forecourt = space(
        "Rautatientori station forecourt", 13, kind="station_forecourt", osm_tags={"name": "Rautatientori"}
    )
    typed = space("Unnamed market (way 14)", 14, kind="market", edited=True)  # a person kept it so
    osm_named = space("Senaatintori", 15, osm_tags={"name": "Senaatintori"})
    drawn = space("Unnamed square (way 16)", None)
    lookalike = space("Unnamed square (way 17) north", 17)

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)

    names = dict(Space.objects.values_list("pk", "name"))
    assert names == {
        made_up: "",
        relation: "",
        forecourt: "",
        typed: "Unnamed market (way 14)",
        osm_named: "Senaatintori",
        drawn: "Unnamed square (way 16)",
        lookalike: "Unnamed square (way 17) north",
    }
    with translation.override("fr"):
        shown = {pk: str(s) for pk, s in Space.objects.in_bulk([made_up, relation, forecourt]).items()}
    assert shown == {
        made_up: "Place sans nom (chemin 11)",
        relation: "Zone piétonne sans nom (relation -12)",
        forecourt: "Parvis de la gare Rautatientori",
    }

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)  # going back writes the English names again
    assert old.objects.get(pk=made_up).name == "Unnamed square (way 11)"
    assert old.objects.get(pk=forecourt).name == "Rautatientori station forecourt"
    MigrationExecutor(connection).migrate(AFTER)
