"""A space no street of the network reaches is *outside the network*: not analysed, never failed, never safe.

The Leeds extract's bounds end at lon -1.54984; a 40 m box 0.2° of longitude east of Woodhouse
Lane (-1.55363) has its west side at lon -1.35393, 0.19591° or 12.88 km further east (65.76 km per
degree at 53.81° N). The nearest street runs a little past the bounds (whole ways are kept)::

    Leeds extract (bounds)                            "Far away" (40 m × 45 m)
    +------------------+                              +--+
    |  Woodhouse Lane  | <-- 12.88 km to the bounds --> |  |
    +------------------+                              +--+
"""

from __future__ import annotations

import importlib
import re
from typing import Any

import pytest
from django.apps import apps
from django.test import Client

from pactesur.accounts.models import ApiToken, hash_token
from pactesur.analysis.actions import (
    OUTSIDE_AWAY_MESSAGE,
    do_enqueue_space_analysis,
    do_run_city_analysis,
    do_run_space_analysis,
)
from pactesur.analysis.models import AnalysisStatus, ApproachAnalysis
from pactesur.analysis.parameters import vehicle_codes
from pactesur.analysis.results import city_progress, space_analyses, space_ranking, spaces_not_analysed
from pactesur.spaces.actions import do_create_space, do_update_space
from tests.analysis.helpers import WOODHOUSE_LAT, WOODHOUSE_LON, box, woodhouse_box

pytestmark = pytest.mark.django_db

FAR_LON = WOODHOUSE_LON + 0.2


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def far_away(city, leeds):  # type: ignore[no-untyped-def]
    return do_create_space(
        city, acting_user=None, name="Far away", kind="park", polygon=box(FAR_LON, WOODHOUSE_LAT)
    )


@pytest.fixture
def both_analysed(woodhouse, far_away):  # type: ignore[no-untyped-def]
    """Woodhouse Lane crossing analysed and Far away found outside, in one city run."""
    return do_run_city_analysis(woodhouse.city)


def test_a_space_no_street_reaches_is_outside_the_network_not_failed(far_away):
    stats = do_run_space_analysis(far_away)

    rows = list(ApproachAnalysis.objects.filter(space=far_away))
    assert len(rows) == len(vehicle_codes())
    assert {r.status for r in rows} == {AnalysisStatus.OUTSIDE}
    assert (stats.failed, stats.outside, stats.analyses) == (0, len(vehicle_codes()), 0)
    assert stats.outside_spaces == ["Far away"]
    row = rows[0]
    assert row.error == OUTSIDE_AWAY_MESSAGE
    assert row.error_params["version"] == 1
    # At most the 12.88 km to the extract's bounds: a street past them is nearer, by a few hundred metres.
    assert 12_500 < row.error_params["distance_m"] <= 12_880
    assert re.fullmatch(
        r"Not analysed: no street, footway or open square of street network version 1 reaches this space; "
        r"the nearest street of the extract is \d+ m from its outline\.",
        row.shown_error,
    )
    # Nothing that could read as a result: no speed, no rating, no entries.
    assert row.computed_at is None
    assert row.max_impact_speed_kmh is None
    assert row.required_rating == ""
    assert row.result == {}


def test_outside_is_not_computed_again_automatically_but_a_rerun_asks_again(
    far_away, django_capture_on_commit_callbacks
):
    do_run_space_analysis(far_away)

    again = do_run_space_analysis(far_away)
    assert (again.outside, again.skipped) == (0, len(vehicle_codes()))
    assert do_enqueue_space_analysis(far_away, acting_user=None, force=False) == []

    with django_capture_on_commit_callbacks(execute=True):
        queued = do_enqueue_space_analysis(far_away, acting_user=None, force=True)
    assert len(queued) == len(vehicle_codes())
    assert do_run_space_analysis(far_away).outside == len(vehicle_codes())


def test_moving_the_outline_onto_a_street_analyses_the_space(far_away, planner):
    do_run_space_analysis(far_away)

    do_update_space(far_away, acting_user=planner, polygon=woodhouse_box())
    do_run_space_analysis(far_away)

    _inputs, analyses = space_analyses(far_away)
    assert {a.status for a in analyses} == {AnalysisStatus.SUCCEEDED}
    assert not any(a.outside for a in analyses)


def test_a_missing_network_file_is_a_failure_not_outside(far_away, leeds):
    leeds.graph_path.unlink()

    stats = do_run_space_analysis(far_away)

    assert {r.status for r in ApproachAnalysis.objects.filter(space=far_away)} == {AnalysisStatus.FAILED}
    assert (stats.failed, stats.outside) == (len(vehicle_codes()), 0)
    assert spaces_not_analysed(far_away.city)[0]["outside"] is False


def test_the_city_counts_spaces_outside_apart_from_failures_and_ranks_only_results(both_analysed, city):
    assert both_analysed.outside_spaces == ["Far away"]
    assert both_analysed.failed == 0
    progress = city_progress(city)
    assert progress[AnalysisStatus.OUTSIDE] == len(vehicle_codes())
    assert AnalysisStatus.FAILED not in progress
    ranked = [r["name"] for r in space_ranking(city)]
    assert "Woodhouse Lane crossing" in ranked
    assert "Far away" not in ranked
    (item,) = spaces_not_analysed(city)
    assert (item["name"], item["outside"]) == ("Far away", True)
    assert item["vehicles"] == list(vehicle_codes())


@pytest.mark.parametrize("role", ["security_officer", "planner"])
def test_the_city_page_says_which_spaces_were_not_analysed_and_why(both_analysed, far_away, request, role):
    html = _client(request.getfixturevalue(role)).get("/analysis/").content.decode()

    assert "1 space outside the street network, not analysed" in html
    assert " failed" not in html.split('id="analysis-progress"')[1].split("</p>")[0]
    not_analysed = html.split('id="not-analysed-table"')[1].split("</table>")[0]
    assert f'data-space="{far_away.pk}" data-reason="outside"' in not_analysed
    assert "Outside the street network" in not_analysed
    assert "the nearest street of the extract is" in not_analysed
    assert "Not analysed does not mean safe" in html
    assert "Import an extract that covers it" in html
    ranking = html.split('id="ranking-table"')[1]
    assert "Far away" not in ranking


def test_the_space_page_says_not_analysed_and_shows_no_speed(both_analysed, far_away, security_officer):
    html = _client(security_officer).get(f"/analysis/spaces/{far_away.pk}/").content.decode()

    assert 'id="analysis-outside"' in html
    assert "This space was not analysed: it lies outside the street network." in html
    assert "not analysed does not mean safe" in html
    summary = html.split('id="summary-table"')[1].split("</table>")[0]
    assert summary.count("not analysed: outside the street network") == len(vehicle_codes())
    assert "km/h" not in summary.split("</thead>")[1]
    assert "V/" not in summary


def test_an_analysed_space_says_nothing_of_outside(both_analysed, woodhouse, security_officer):
    html = _client(security_officer).get(f"/analysis/spaces/{woodhouse.pk}/").content.decode()

    assert 'id="analysis-outside"' not in html
    assert "outside the street network" not in html


def test_the_explanation_speaks_the_readers_language(both_analysed, far_away, security_officer):
    client = _client(security_officer)

    french = client.get(f"/fr/analysis/spaces/{far_away.pk}/").content.decode()
    italian = client.get("/it/analysis/").content.decode()

    assert "Cet espace n’a pas été analysé\u00a0: il se trouve hors du réseau viaire." in french
    assert "la rue la plus proche de l’extrait est à" in french
    assert "Spazi non analizzati" in italian
    assert "1 spazio fuori dalla rete stradale, non analizzato" in italian


def test_the_kept_ranking_follows_a_space_that_comes_inside(both_analysed, far_away, security_officer):
    client = _client(security_officer)
    before = client.get("/analysis/").content.decode()
    assert "Far away" not in before.split('id="ranking-table"')[1]

    do_update_space(far_away, acting_user=security_officer, polygon=woodhouse_box())
    do_run_space_analysis(far_away)

    after = client.get("/analysis/").content.decode()
    assert "Far away" in after.split('id="ranking-table"')[1]
    assert 'id="not-analysed-table"' not in after


def test_the_api_gives_the_status_and_the_reason(both_analysed, far_away, security_officer):
    raw = ApiToken.new_raw_token()
    ApiToken.objects.create(user=security_officer, name="t", token_hash=hash_token(raw), prefix=raw[:8])

    body = (
        Client()
        .get(f"/api/v1/analysis/spaces/{far_away.pk}", headers={"Authorization": f"Bearer {raw}"})
        .json()
    )

    assert {a["status"] for a in body["analyses"]} == {"outside"}
    assert all(a["error"].startswith("Not analysed: no street") for a in body["analyses"])
    assert all(a["max_impact_speed_kmh"] is None for a in body["analyses"])


def test_the_migration_turns_old_no_touch_failures_into_outside(far_away):
    migration = importlib.import_module("pactesur.analysis.migrations.0004_approachanalysis_status_outside")
    do_run_space_analysis(far_away)
    reason = "the area does not touch the street network: no way of the extract crosses or lies inside it"
    ApproachAnalysis.objects.filter(space=far_away, vehicle="M1").update(
        status="failed",
        error="The engine cannot analyse this space: %(reason)s",
        error_params={"reason": reason},
    )
    ApproachAnalysis.objects.filter(space=far_away, vehicle="N1").update(
        status="failed",
        error="The engine cannot analyse this space: %(reason)s",
        error_params={"reason": "other"},
    )

    migration._mark_outside(apps, None)

    m1 = ApproachAnalysis.objects.get(space=far_away, vehicle="M1")
    assert m1.status == AnalysisStatus.OUTSIDE
    assert m1.shown_error.startswith(
        "Not analysed: no street, footway or open square of street network version 1"
    )
    assert ApproachAnalysis.objects.get(space=far_away, vehicle="N1").status == AnalysisStatus.FAILED
