"""Pages and API of analyses: who sees entries and paths, who sees the summary, audit of views and exports."""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest
from django.test import Client
from django_tasks_db.models import DBTaskResult

from pactesur.accounts.models import ApiToken, hash_token
from pactesur.analysis.models import AnalysisStatus, ApproachAnalysis
from pactesur.analysis.parameters import vehicle_codes
from pactesur.audit.models import AuditEvent
from tests.auth_support import confirm_password

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _api(user: Any) -> dict[str, str]:
    raw = ApiToken.new_raw_token()
    ApiToken.objects.create(user=user, name="t", token_hash=hash_token(raw), prefix=raw[:8])
    return {"Authorization": f"Bearer {raw}"}


def _page_data(html: str, element_id: str) -> Any:
    start = html.index(f'id="{element_id}"')
    start = html.index(">", start) + 1
    return json.loads(html[start : html.index("</script>", start)])


def test_security_manager_sees_entries_and_paths_and_the_view_is_audited(analysed, security_officer):
    response = _client(security_officer).get(f"/analysis/spaces/{analysed.pk}/?vehicle=N3F")

    assert response.status_code == 200
    html = response.content.decode()
    data = _page_data(html, "analysis-map-data")
    assert data["selected"] == "N3F"
    assert {e["vehicle"] for e in data["entries"]} == set(vehicle_codes())
    assert all(len(e["path"]) >= 2 for e in data["entries"] if e["vehicle"] == "N3F")
    assert data["basemapUrl"].endswith(f"/streets/{analysed.city_id}/basemap.json")
    assert 'id="entries-table"' in html
    assert "Woodhouse Lane" in html
    assert "V/30000[N3F]/" in html
    assert "<script>" not in html  # strict CSP: data only through json_script
    view = AuditEvent.objects.get(action="view", object_id=str(analysed.pk), user=security_officer)
    assert view.detail["what"] == "approach analyses"
    assert len(view.detail["analyses"]) == len(vehicle_codes())


def test_planner_sees_the_summary_without_entry_positions_or_paths(analysed, planner):
    response = _client(planner).get(f"/analysis/spaces/{analysed.pk}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="summary-table"' in html
    assert "V/30000[N3F]/" in html  # the required rating is what a planner designs for
    assert "analysis-map-data" not in html
    assert 'id="entries-table"' not in html
    entry = ApproachAnalysis.objects.filter(space=analysed, vehicle="M1").first().entries[0]
    assert str(entry["lon"]) not in html
    assert not AuditEvent.objects.filter(action="view", user=planner).exists()


@pytest.mark.parametrize("role", ["trainer", "viewer"])
def test_trainers_and_viewers_may_not_see_analyses(analysed, user_by_role, role):
    user = user_by_role(role)
    assert _client(user).get(f"/analysis/spaces/{analysed.pk}/").status_code == 403
    assert Client().get(f"/api/v1/analysis/spaces/{analysed.pk}", headers=_api(user)).status_code == 403


def test_another_citys_admin_gets_404_for_a_space_and_its_speeds(analysed, other_city_admin):
    client = _client(other_city_admin)
    confirm_password(client)
    assert client.get(f"/analysis/spaces/{analysed.pk}/").status_code == 404
    assert client.get(f"/analysis/spaces/{analysed.pk}/export.json").status_code == 404
    assert client.get(f"/analysis/{analysed.city_id}/speeds/M1.json").status_code == 404
    headers = _api(other_city_admin)
    assert Client().get(f"/api/v1/analysis/spaces/{analysed.pk}", headers=headers).status_code == 404
    assert (
        Client().get(f"/api/v1/analysis/cities/{analysed.city_id}/speeds", headers=headers).status_code == 404
    )


def test_status_json_reports_every_class(analysed, planner):
    response = _client(planner).get(f"/analysis/spaces/{analysed.pk}/status.json")

    body = response.json()
    assert body["pending"] is False
    assert [a["vehicle"] for a in body["analyses"]] == vehicle_codes()
    assert {a["status"] for a in body["analyses"]} == {"succeeded"}


def test_rerun_queues_a_job_and_is_audited(analysed, security_officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _client(security_officer).post(f"/analysis/spaces/{analysed.pk}/run/")

    assert response.status_code == 302
    assert response["Location"].endswith(f"/analysis/spaces/{analysed.pk}/")
    assert DBTaskResult.objects.filter(task_path="pactesur.analysis.tasks.analyse_space").count() == 1
    rows = ApproachAnalysis.objects.filter(space=analysed, network__is_active=True)
    assert {r.status for r in rows} == {AnalysisStatus.QUEUED}
    assert AuditEvent.objects.filter(
        action="update", user=security_officer, detail__what="approach analysis queued"
    ).exists()
    page = _client(security_officer).get(f"/analysis/spaces/{analysed.pk}/")
    assert _page_data(page.content.decode(), "analysis-status-data")["pending"] is True


def test_exports_carry_every_entry_and_are_audited(analysed, security_officer):
    client = _client(security_officer)
    confirm_password(client)
    plain = client.get(f"/analysis/spaces/{analysed.pk}/export.json")
    geo = client.get(f"/analysis/spaces/{analysed.pk}/export.geojson")

    assert plain.status_code == geo.status_code == 200
    assert "attachment" in plain["Content-Disposition"]
    data = json.loads(plain.content)
    total = sum(r.entry_count for r in ApproachAnalysis.objects.filter(space=analysed))
    assert len(data["entries"]) == total
    assert {v["code"] for v in data["vehicles"]} == set(vehicle_codes())
    features = json.loads(geo.content)["features"]
    assert sum(1 for f in features if f["properties"]["feature"] == "entry") == total
    assert any(f["geometry"]["type"] == "LineString" for f in features)
    exports = AuditEvent.objects.filter(action="export", user=security_officer)
    assert sorted((e.detail["what"], e.detail["format"]) for e in exports) == [
        ("approach analysis", "geojson"),
        ("approach analysis", "json"),
    ]
    assert {e.detail["rows"] for e in exports} == {total}


def test_city_speed_map_serves_banded_lines_of_the_active_network(analysed, security_officer, leeds):
    response = _client(security_officer).get(f"/analysis/{analysed.city_id}/speeds/N3F.json")

    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    body = json.loads(
        gzip.decompress(response.getvalue()) if response.get("Content-Encoding") else response.content
    )
    assert body["network"] == {"id": leeds.pk, "version": leeds.version}
    assert len(body["lines"]) == 8
    lines = [line for band in body["lines"] for line in band]
    assert lines
    assert all(len(line) >= 4 and len(line) % 2 == 0 for line in lines)
    assert max(len(str(c).split(".")[-1]) for line in lines[:50] for c in line) <= 5
    # A 30 t truck never goes beyond 96 km/h (its limiter is 90): the two top bands stay empty.
    assert body["lines"][6] == body["lines"][7] == []
    assert AuditEvent.objects.filter(
        action="view", user=security_officer, detail__what="city speed map"
    ).exists()
    assert _client(security_officer).get(f"/analysis/{analysed.city_id}/speeds/XX.json").status_code == 404


def test_city_page_ranks_spaces_and_gives_the_map_only_to_security(analysed, security_officer, planner):
    page = _client(security_officer).get("/analysis/?vehicle=M1").content.decode()
    assert 'id="ranking-table"' in page
    assert analysed.name in page
    data = _page_data(page, "analysis-city-data")
    assert data["selected"] == "M1"
    assert "VEHICLE" in data["speedsUrl"]

    planner_page = _client(planner).get("/analysis/").content.decode()
    assert analysed.name in planner_page
    assert "analysis-city-data" not in planner_page
    assert _client(planner).get(f"/analysis/{analysed.city_id}/speeds/M1.json").status_code == 403


def test_api_gives_entries_to_security_and_the_summary_to_planners(analysed, security_officer, planner):
    full = Client().get(f"/api/v1/analysis/spaces/{analysed.pk}", headers=_api(security_officer)).json()
    summary = Client().get(f"/api/v1/analysis/spaces/{analysed.pk}", headers=_api(planner)).json()

    assert [a["vehicle"] for a in full["analyses"]] == vehicle_codes()
    assert all(a["entries"] for a in full["analyses"])
    assert all(a["entries"] is None for a in summary["analyses"])
    assert summary["analyses"][0]["max_impact_speed_kmh"] == full["analyses"][0]["max_impact_speed_kmh"] > 0
    # both speeds, in the summary for every role and on every entry for security (issue 8)
    car = summary["analyses"][0]
    assert car["has_path"] is True
    assert 0 < car["path_speed_kmh"] <= car["max_impact_speed_kmh"]
    assert car["path_rating_summary"]
    entry = full["analyses"][0]["entries"][0]
    assert {"path_speed_kmh", "path_required_rating", "path_speed_profile", "streetscape", "review"} <= set(
        entry
    )
    assert "lon" not in json.dumps(summary)
    assert AuditEvent.objects.filter(action="view", user=security_officer).count() == 1
    assert not AuditEvent.objects.filter(action="view", user=planner).exists()


def test_api_rerun_and_city_speed_summary(analysed, security_officer, django_capture_on_commit_callbacks):
    headers = _api(security_officer)
    with django_capture_on_commit_callbacks(execute=True):
        run = Client().post(f"/api/v1/analysis/spaces/{analysed.pk}/run", headers=headers)
    assert run.status_code == 202
    assert run.json()["queued"] == vehicle_codes()
    assert DBTaskResult.objects.filter(task_path="pactesur.analysis.tasks.analyse_space").exists()

    speeds = Client().get(f"/api/v1/analysis/cities/{analysed.city_id}/speeds", headers=headers).json()
    assert speeds["bands_kmh"] == [16, 32, 48, 64, 80, 96, 112]
    assert {m["vehicle"] for m in speeds["speed_maps"]} == set(vehicle_codes())
    assert all(len(m["km_by_band"]) == 8 for m in speeds["speed_maps"])
    # Woodhouse waits for its re-run: the ranking holds the suggested spaces of Leeds, fastest first.
    ranked = [r["max_impact_speed_kmh"] or 0.0 for r in speeds["spaces"]]
    assert ranked == sorted(ranked, reverse=True)
    assert analysed.name not in {r["name"] for r in speeds["spaces"]}


def test_a_city_without_network_says_so_on_rerun(city, security_officer):
    client = _client(security_officer)
    response = client.post("/analysis/run/", follow=True)
    assert "no street network yet" in response.content.decode()


def test_space_detail_links_to_its_analysis_for_allowed_roles(analysed, security_officer, viewer):
    link = f"/analysis/spaces/{analysed.pk}/"
    assert link in _client(security_officer).get(f"/spaces/{analysed.pk}/").content.decode()
    assert link not in _client(viewer).get(f"/spaces/{analysed.pk}/").content.decode()


def test_after_a_re_import_the_previous_speed_map_stands_in_until_the_new_one_is_computed(
    analysed, security_officer, leeds
):
    from pactesur.streets.models import StreetNetwork
    from tests.streets.factories import StreetNetworkFactory

    StreetNetwork.objects.filter(pk=leeds.pk).update(is_active=False)
    StreetNetworkFactory(city=analysed.city, version=leeds.version + 1, is_active=True)
    response = _client(security_officer).get(f"/analysis/{analysed.city_id}/speeds/N3F.json")

    assert response.status_code == 200  # not a 404 while the new network's maps are computed
    assert response["X-Network-Previous"] == "1"
    assert response["X-Network-Version"] == str(leeds.version)
    body = json.loads(
        gzip.decompress(response.getvalue()) if response.get("Content-Encoding") else response.content
    )
    assert body["network"] == {"id": leeds.pk, "version": leeds.version}
    page = _client(security_officer).get("/analysis/")
    assert "Speeds of the previous street network" in page.content.decode()
