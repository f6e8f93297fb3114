"""Analyses run as django-tasks jobs on the database backend, picked up by `db_worker`."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from pactesur.analysis.models import AnalysisStatus, ApproachAnalysis, CitySpeedMap
from pactesur.analysis.parameters import vehicle_codes
from pactesur.spaces.actions import do_update_space
from tests.analysis.helpers import WOODHOUSE_LAT, WOODHOUSE_LON, box, import_leeds, woodhouse_space


def _run_worker_until_idle() -> None:
    call_command("db_worker", batch=True, reload=False, startup_delay=False, interval=0, verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_import_and_outline_change_are_analysed_by_the_database_worker(city, security_officer, data_dir):
    network = import_leeds(city, security_officer)  # commits: the city analysis is queued
    space = woodhouse_space(city, security_officer)  # commits: the space analysis is queued
    paths = sorted(DBTaskResult.objects.values_list("task_path", flat=True))
    assert paths == ["pactesur.analysis.tasks.analyse_city", "pactesur.analysis.tasks.analyse_space"]

    _run_worker_until_idle()

    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    rows = ApproachAnalysis.objects.filter(space=space)
    assert rows.count() == len(vehicle_codes())
    assert {r.status for r in rows} == {AnalysisStatus.SUCCEEDED}
    assert all(r.entry_count > 0 for r in rows)
    assert CitySpeedMap.objects.filter(network=network).count() == len(vehicle_codes())
    assert not ApproachAnalysis.objects.filter(status__in=["queued", "running"]).exists()

    do_update_space(
        space, acting_user=security_officer, polygon=box(WOODHOUSE_LON, WOODHOUSE_LAT, 0.0004, 0.0003)
    )
    _run_worker_until_idle()

    assert ApproachAnalysis.objects.filter(space=space, status=AnalysisStatus.STALE).count() == len(
        vehicle_codes()
    )
    assert ApproachAnalysis.objects.filter(space=space, status=AnalysisStatus.SUCCEEDED).count() == len(
        vehicle_codes()
    )
