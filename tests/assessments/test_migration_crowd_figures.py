"""Migration 0004: an assessment's crowd figures move to its space without losing what was entered."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from pactesur.spaces.models import Space
from tests.spaces.helpers import make_space

BEFORE = [("assessments", "0003_scenario_not_applicable")]
AFTER = [("assessments", "0004_crowd_figures_on_the_space")]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_latest_migrations")
def test_a_draft_gives_its_space_the_figures_it_lacks_and_an_approved_one_keeps_its_own(city) -> None:  # type: ignore[no-untyped-def]
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("assessments", "Assessment")
    bare = make_space(city, None, name="Cours Saleya")
    counted = make_space(city, None, name="Place Masséna", peak_crowd=20000)
    approved_space = make_space(city, None, name="Place Garibaldi", peak_crowd=6000)
    old.objects.create(
        city_id=city.pk, space_id=bare.pk, status="draft", peak_crowd=4000, peak_times="Market"
    )
    old.objects.create(city_id=city.pk, space_id=counted.pk, status="draft", peak_crowd=900, usual_crowd=300)
    old.objects.create(city_id=city.pk, space_id=approved_space.pk, status="approved", peak_crowd=5000)

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)

    # The model as it stood after 0004 (later migrations add columns this database has not got yet).
    assessment = executor.loader.project_state(AFTER).apps.get_model("assessments", "Assessment")

    bare, counted = Space.objects.get(pk=bare.pk), Space.objects.get(pk=counted.pk)
    assert (bare.peak_crowd, bare.peak_times) == (4000, "Market")
    assert (counted.peak_crowd, counted.usual_crowd) == (20000, 300)  # the space's own figure stays
    approved = assessment.objects.get(space_id=approved_space.pk)
    # An approved assessment keeps the figure it was approved with; its space keeps its own.
    assert (approved.submitted_peak_crowd, Space.objects.get(pk=approved_space.pk).peak_crowd) == (5000, 6000)
