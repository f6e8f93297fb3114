"""Migrations 0007–0009 (method v2): an assessment keeps its measures, a type recorded twice becomes one
row with both notes, and every assessment gains the scenarios of the two new attack types."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from pactesur.measures.models import MeasureType
from tests.measures.helpers import seed_catalogue
from tests.spaces.helpers import make_space

BEFORE = [("assessments", "0006_measure_type_moved_to_measures")]
AFTER = [("assessments", "0009_one_measure_type_per_space")]
OLD_TYPES = ("vehicle", "firearms", "blade", "placed_ied", "pbied", "vbied", "arson", "cbrn", "drone")


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_latest_migrations")
def test_a_measure_type_recorded_twice_becomes_one_row_and_the_new_scenarios_are_added(city) -> None:  # type: ignore[no-untyped-def]
    seed_catalogue()
    space = make_space(city, None, name="Place Masséna")
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    assessment = old.get_model("assessments", "Assessment").objects.create(city_id=city.pk, space_id=space.pk)
    scenario = old.get_model("assessments", "Scenario")
    for order, code in enumerate((*OLD_TYPES, "recon", "insider")):
        scenario.objects.create(assessment_id=assessment.pk, attack_type=code, order=order, probability=3)
    # The measures app stays as it is: its catalogue row, read with today's model.
    cctv = MeasureType.objects.get(code="cctv").pk
    measure = old.get_model("assessments", "ExistingMeasure")
    for status, notes in (("planned", "east"), ("existing", "west")):
        measure.objects.create(assessment_id=assessment.pk, measure_type_id=cctv, status=status, notes=notes)

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps

    rows = list(new.get_model("assessments", "ExistingMeasure").objects.filter(assessment_id=assessment.pk))
    assert [(r.status, r.notes, r.coverage_pct, r.hours) for r in rows] == [
        ("existing", "west\neast", 100, "always")
    ]
    codes = list(
        new.get_model("assessments", "Scenario")
        .objects.filter(assessment_id=assessment.pk)
        .order_by("order")
        .values_list("attack_type", flat=True)
    )
    assert codes == [*OLD_TYPES, "bomb_threat", "cyber", "recon", "insider"]
    # The earlier ratings stay: a probability alone, rated before threat and vulnerability.
    kept = new.get_model("assessments", "Scenario").objects.get(
        assessment_id=assessment.pk, attack_type="blade"
    )
    assert (kept.probability, kept.threat, kept.vulnerability) == (3, None, None)
