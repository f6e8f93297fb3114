"""Migrations measures 0001–0003: the catalogue leaves assessments with its rows and ids, the measures
recorded at spaces still point to them, and the seeded types gain costs, ratings and integration."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.assessments.helpers import start

BEFORE = [("measures", None), ("assessments", "0005_suggestion_steps_in_the_readers_language")]
AFTER = [("measures", "0003_seed_catalogue"), ("assessments", "0006_measure_type_moved_to_measures")]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_latest_migrations")
def test_the_catalogue_moves_with_its_rows_and_the_measures_recorded_at_spaces(city) -> None:  # type: ignore[no-untyped-def]
    assessment = start(city, None, peak_crowd=2000)
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old_apps = executor.loader.project_state(BEFORE[1:]).apps
    old_type = old_apps.get_model("assessments", "MeasureType")
    old_measure = old_apps.get_model("assessments", "ExistingMeasure")
    # Seeded by assessments 0002; an earlier transactional test may have flushed it.
    cctv, _ = old_type.objects.get_or_create(
        code="cctv", defaults={"family": "surveillance", "name": "CCTV with live monitoring"}
    )
    own = old_type.objects.create(code="nice-steel-cables", family="vehicle", name="Steel cables", order=99)
    old_measure.objects.create(assessment_id=assessment.pk, measure_type_id=cctv.pk, status="existing")
    old_measure.objects.create(assessment_id=assessment.pk, measure_type_id=own.pk, status="planned")
    assert not old_type.objects.filter(code="planter_rated").exists()

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)

    from pactesur.measures.models import MeasureType

    # The assessments' model as it stood after 0006 (later migrations add columns not there yet).
    new_measure = executor.loader.project_state(AFTER).apps.get_model("assessments", "ExistingMeasure")
    type_ids = new_measure.objects.filter(assessment_id=assessment.pk).values_list(
        "measure_type_id", flat=True
    )
    recorded = {t.code: t for t in MeasureType.objects.filter(pk__in=list(type_ids))}
    assert set(recorded) == {"cctv", "nice-steel-cables"}
    assert recorded["cctv"].pk == cctv.pk
    assert recorded["cctv"].kind == "cctv"
    assert (recorded["cctv"].cost_min_eur, recorded["cctv"].cost_max_eur) == (4000, 15000)
    assert recorded["nice-steel-cables"].name == "Steel cables"
    assert recorded["nice-steel-cables"].cost_min_eur is None  # a type nobody seeded keeps no estimate
    planter = MeasureType.objects.get(code="planter_rated")
    assert planter.rating == "V/7200[N2A]/48/90"
    assert planter.integration_score == 4.4
    assert MeasureType._meta.db_table == "measures_measuretype"
