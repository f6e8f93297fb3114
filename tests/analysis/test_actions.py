"""Analyses on the real Leeds extract: entries, versioning, staleness and the jobs queued on changes."""

from __future__ import annotations

import re

import numpy as np
import pytest
from django_tasks_db.models import DBTaskResult

from pactesur.analysis import _engine_cache, parameters
from pactesur.analysis.actions import (
    do_enqueue_city_analysis,
    do_enqueue_space_analysis,
    do_run_city_analysis,
    do_run_space_analysis,
    summary_of,
)
from pactesur.analysis.models import AnalysisStatus, ApproachAnalysis, CitySpeedMap
from pactesur.analysis.parameters import parameters_hash, vehicle_codes
from pactesur.analysis.results import space_analyses, space_ranking
from pactesur.analysis.speedmaps import BANDS_KMH, load_speeds_kmh, speed_bands
from pactesur.audit.models import AuditEvent
from pactesur.cities.errors import InvalidRequestError
from pactesur.spaces.actions import do_create_space, do_update_space
from pactesur.spaces.models import Space
from tests.analysis.helpers import WOODHOUSE_LAT, WOODHOUSE_LON, box, import_leeds

RATING = re.compile(r"^V/\d+\[(M1|N1G|N1|N2A|N3C|N3F)\]/\d+/90$")

pytestmark = pytest.mark.django_db


def _tasks(path: str) -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=path))


def test_analysis_of_a_space_over_woodhouse_lane_gives_entries_with_speeds_and_ratings(
    woodhouse, security_officer
):
    stats = do_run_space_analysis(woodhouse, acting_user=security_officer)

    assert stats.analyses == len(vehicle_codes())
    rows = {r.vehicle: r for r in ApproachAnalysis.objects.filter(space=woodhouse)}
    assert set(rows) == set(vehicle_codes())
    for code, row in rows.items():
        assert row.status == AnalysisStatus.SUCCEEDED, row.error
        assert row.entry_count == len(row.entries) > 0
        assert all(e["vehicle"] == code for e in row.entries)
        assert all(e["impact_speed_kmh"] > 0 for e in row.entries)
        assert all(RATING.match(e["required_rating"]) for e in row.entries)
        assert row.max_impact_speed_kmh == max(e["impact_speed_kmh"] for e in row.entries)
        assert row.required_rating.startswith(f"V/{round(row.result['vehicle']['mass_kg'])}[{code}]/")
        assert row.computed_at is not None
        assert row.network.is_active
        assert row.params_hash == parameters_hash()
    # The A660 is a long straight: a car arrives far faster than a 30 t truck, both well above 16 km/h.
    assert rows["M1"].max_impact_speed_kmh > rows["N3F"].max_impact_speed_kmh > 40
    assert rows["M1"].max_kinetic_energy_kj < rows["N3F"].max_kinetic_energy_kj
    fastest = max(rows["M1"].entries, key=lambda e: e["impact_speed_kmh"])
    assert fastest["name"] == "Woodhouse Lane"
    assert len(fastest["path"]) >= 2
    assert AuditEvent.objects.filter(
        object_id=str(woodhouse.pk), detail__what="approach analysis computed"
    ).exists()


def test_summary_counts_entries_faster_than_the_lowest_test_speed():
    entries = [
        {
            "impact_speed_kmh": s,
            "kinetic_energy_kj": s * 10,
            "exposure_m": s / 2,
            "required_rating": f"R{t}",
            "test_speed_kmh": t,
            "beyond_rating": t > 112,
        }
        for s, t in ((12.0, 16), (16.0, 16), (40.0, 48), (130.0, 144))
    ]

    summary = summary_of(entries)

    assert summary["entry_count"] == 4
    assert summary["unprotected_entry_count"] == 2
    assert summary["max_impact_speed_kmh"] == 130.0
    assert summary["max_kinetic_energy_kj"] == 1300.0
    assert summary["max_exposure_m"] == 65.0
    assert summary["required_rating"] == "R144"
    assert summary["beyond_rating"] is True
    assert summary_of([])["entry_count"] == 0


def test_a_space_that_touches_no_street_is_outside_the_network_with_a_message(city, leeds):
    lake = do_create_space(
        city, acting_user=None, name="Far away", kind="park", polygon=box(WOODHOUSE_LON + 0.2, WOODHOUSE_LAT)
    )

    stats = do_run_space_analysis(lake)

    rows = list(ApproachAnalysis.objects.filter(space=lake))
    assert len(rows) == len(vehicle_codes())
    assert {r.status for r in rows} == {AnalysisStatus.OUTSIDE}
    assert all(r.error for r in rows)
    assert (stats.outside, stats.failed) == (len(vehicle_codes()), 0)


def test_done_analyses_are_not_computed_again_unless_asked(woodhouse, django_capture_on_commit_callbacks):
    do_run_space_analysis(woodhouse)
    first = {r.vehicle: r.computed_at for r in ApproachAnalysis.objects.filter(space=woodhouse)}

    assert do_run_space_analysis(woodhouse).analyses == 0
    assert do_enqueue_space_analysis(woodhouse, acting_user=None, force=False) == []

    with django_capture_on_commit_callbacks(execute=True):
        queued = do_enqueue_space_analysis(woodhouse, acting_user=None, force=True)
    assert len(queued) == len(vehicle_codes())
    assert {r.status for r in ApproachAnalysis.objects.filter(space=woodhouse)} == {AnalysisStatus.QUEUED}
    do_run_space_analysis(woodhouse)
    again = {r.vehicle: r.computed_at for r in ApproachAnalysis.objects.filter(space=woodhouse)}
    assert all(again[c] > first[c] for c in first)
    assert ApproachAnalysis.objects.filter(space=woodhouse).count() == len(vehicle_codes())


def test_changing_the_outline_marks_the_old_analysis_stale_and_queues_the_new_one(
    woodhouse, planner, django_capture_on_commit_callbacks
):
    do_run_space_analysis(woodhouse)
    old_ids = set(ApproachAnalysis.objects.filter(space=woodhouse).values_list("pk", flat=True))

    with django_capture_on_commit_callbacks(execute=True):
        do_update_space(
            woodhouse, acting_user=planner, polygon=box(WOODHOUSE_LON, WOODHOUSE_LAT, 0.0005, 0.0003)
        )

    old = ApproachAnalysis.objects.filter(pk__in=old_ids)
    assert {r.status for r in old} == {AnalysisStatus.STALE}
    assert all(r.entries for r in old)  # kept as history
    new = ApproachAnalysis.objects.filter(space=woodhouse).exclude(pk__in=old_ids)
    assert new.count() == len(vehicle_codes())
    assert {r.status for r in new} == {AnalysisStatus.QUEUED}
    (task,) = _tasks("pactesur.analysis.tasks.analyse_space")
    assert task.args_kwargs["args"] == [woodhouse.pk]
    assert {r.task_id for r in new} == {str(task.pk)}

    do_run_space_analysis(woodhouse)
    _inputs, shown = space_analyses(woodhouse)
    assert all(a.current and a.status == AnalysisStatus.SUCCEEDED for a in shown)


def test_changing_other_fields_queues_nothing(woodhouse, planner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        do_update_space(woodhouse, acting_user=planner, capacity=5000)

    assert _tasks("pactesur.analysis.tasks.analyse_space") == []


def test_a_new_network_queues_the_city_and_makes_older_results_stale(
    analysed, city, security_officer, django_capture_on_commit_callbacks
):
    before = set(ApproachAnalysis.objects.filter(space=analysed).values_list("pk", flat=True))

    with django_capture_on_commit_callbacks(execute=True):
        network = import_leeds(city, security_officer)

    assert network.version == 2
    assert {r.status for r in ApproachAnalysis.objects.filter(pk__in=before)} == {AnalysisStatus.STALE}
    (task,) = _tasks("pactesur.analysis.tasks.analyse_city")
    assert task.args_kwargs["args"] == [city.pk]
    queued = ApproachAnalysis.objects.filter(network=network)
    assert queued.count() >= len(vehicle_codes())  # Woodhouse and the suggested spaces of Leeds
    assert {r.status for r in queued} == {AnalysisStatus.QUEUED}

    stats = do_run_city_analysis(city)

    # A suggested space of Leeds lies beyond the extract's streets: its rows fail with a message.
    assert stats.analyses + stats.failed == queued.count()
    assert not queued.filter(status__in=["queued", "running"]).exists()
    assert {
        r.network_version for r in ApproachAnalysis.objects.filter(space=analysed, status="succeeded")
    } == {2}
    assert CitySpeedMap.objects.filter(network=network).count() == len(vehicle_codes())


def test_results_are_versioned_by_parameters(analysed, monkeypatch):
    old = set(ApproachAnalysis.objects.filter(space=analysed).values_list("pk", flat=True))
    monkeypatch.setattr(parameters, "ANALYSIS_VERSION", parameters.ANALYSIS_VERSION + 1)
    parameters.parameters_hash.cache_clear()
    try:
        new_hash = parameters_hash()
        do_run_space_analysis(analysed)
    finally:
        parameters.parameters_hash.cache_clear()

    assert {r.status for r in ApproachAnalysis.objects.filter(pk__in=old)} == {AnalysisStatus.STALE}
    new = ApproachAnalysis.objects.filter(space=analysed, params_hash=new_hash)
    assert new.count() == len(vehicle_codes())
    assert {r.status for r in new} == {AnalysisStatus.SUCCEEDED}


def test_the_parameters_hash_follows_every_vehicle_figure():
    import dataclasses

    from pactesur.engine import vehicles

    before = parameters_hash()
    heavier = tuple(
        dataclasses.replace(v, mass_kg=v.mass_kg + 1) if v.code == "N3F" else v
        for v in vehicles.VEHICLE_CLASSES
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(parameters, "VEHICLE_CLASSES", heavier)
        parameters.parameters_hash.cache_clear()
        try:
            assert parameters_hash() != before
        finally:
            parameters.parameters_hash.cache_clear()
    assert parameters_hash() == before


def test_a_city_run_computes_each_class_speeds_once_for_all_spaces(city, leeds, monkeypatch):
    for i in range(3):
        do_create_space(
            city,
            acting_user=None,
            name=f"Box {i}",
            kind="square",
            polygon=box(WOODHOUSE_LON + 0.0006 * i, WOODHOUSE_LAT),
        )
    calls: list[str] = []
    real = _engine_cache.attainable_speeds

    def counting(network, vehicle, **options):  # type: ignore[no-untyped-def]
        calls.append(vehicle.code)
        return real(network, vehicle, **options)

    monkeypatch.setattr(_engine_cache, "attainable_speeds", counting)

    stats = do_run_city_analysis(city)

    assert stats.spaces >= 3
    assert sorted(calls) == sorted(vehicle_codes())
    # A later single-space job in the same worker process reuses them as well.
    box0 = Space.objects.get(city=city, name="Box 0")
    do_enqueue_space_analysis(box0, acting_user=None, force=True)
    assert do_run_space_analysis(box0).analyses == len(vehicle_codes())
    assert sorted(calls) == sorted(vehicle_codes())


def test_speed_maps_give_every_usable_segment_a_speed_band(analysed, city, leeds):
    speed_map = CitySpeedMap.objects.get(network=leeds, vehicle="M1")
    speeds = load_speeds_kmh(speed_map.speeds_path)

    assert speeds.shape == (leeds.counts["segments"],)
    assert speed_map.usable_segment_count == int((~np.isnan(speeds)).sum()) > 0
    assert speed_map.max_speed_kmh == pytest.approx(float(np.nanmax(speeds)), abs=0.1)
    bands = speed_bands(speeds)
    assert bands.max() <= len(BANDS_KMH)
    assert (bands[~np.isnan(speeds)] >= 0).all()
    assert sum(speed_map.km_by_band) > 1.0
    truck = CitySpeedMap.objects.get(network=leeds, vehicle="N3F")
    assert truck.max_speed_kmh < speed_map.max_speed_kmh


def test_ranking_puts_the_fastest_space_first(analysed, city):
    quiet = do_create_space(
        city,
        acting_user=None,
        name="Quiet corner",
        kind="square",
        polygon=box(-1.5590, 53.8075, 0.0002, 0.0001),
    )
    do_run_space_analysis(quiet)

    ranking = space_ranking(city)

    speeds = [r["max_impact_speed_kmh"] or 0 for r in ranking]
    assert speeds == sorted(speeds, reverse=True)
    names = [r["name"] for r in ranking]
    # Woodhouse Lane is the fastest street of the extract: its crossing ranks among the suggested
    # spaces that meet it or other main roads, far above the quiet corner.
    assert names.index(analysed.name) < names.index("Quiet corner")
    woodhouse = ranking[names.index(analysed.name)]
    assert woodhouse["speed_vehicle"] == "M1"
    # each class's line carries the path speed of its stored summary, read without the result
    stored = {
        row.vehicle: row.result["path_summary"]
        for row in ApproachAnalysis.objects.filter(space_id=analysed.pk, status=AnalysisStatus.SUCCEEDED)
    }
    lines = {line["vehicle"]: line for line in woodhouse["ratings"]}
    assert set(lines) == set(stored)
    for code, summary in stored.items():
        assert lines[code]["has_path"]
        assert lines[code]["path_speed_kmh"] == summary["max_speed_kmh"]


def test_queueing_needs_a_street_network(city):
    space = do_create_space(
        city, acting_user=None, name="No streets yet", kind="square", polygon=box(7.27, 43.7)
    )

    with pytest.raises(InvalidRequestError, match="no street network"):
        do_enqueue_space_analysis(space, acting_user=None)
    with pytest.raises(InvalidRequestError, match="no street network"):
        do_enqueue_city_analysis(city, acting_user=None)
