"""API: full assessments for security and admin, the summary for planners, 404 outside the city."""

from __future__ import annotations

from typing import Any

from django.test import Client

from pactesur.accounts.models import ApiToken, hash_token
from tests.assessments.helpers import rate


def _get(user: Any, url: str) -> Any:
    raw = ApiToken.new_raw_token()
    ApiToken.objects.create(user=user, name="t", token_hash=hash_token(raw), prefix=raw[:8])
    return Client().get(url, headers={"Authorization": f"Bearer {raw}"})


def test_security_gets_scenarios_and_evidence(assessment, security_officer) -> None:  # type: ignore[no-untyped-def]
    rate(assessment, "vehicle", 4, 5, security_officer, evidence="approach analysis v1")
    body = _get(security_officer, f"/api/v1/assessments/{assessment.pk}").json()
    assert body["full"] is True
    assert body["top_band"] == "very_high"
    vehicle = next(s for s in body["scenarios"] if s["attack_type"] == "vehicle")
    assert (vehicle["score"], vehicle["evidence"]) == (20, "approach analysis v1")


def test_a_planner_gets_the_summary_without_scenarios(assessment, security_officer, planner) -> None:  # type: ignore[no-untyped-def]
    rate(assessment, "vehicle", 4, 5, security_officer, evidence="approach analysis v1")
    body = _get(
        planner, f"/api/v1/spaces/{assessment.space_id}".replace("spaces", "assessments/spaces")
    ).json()
    assert body["full"] is False
    assert body["scenarios"] is None
    assert body["top_risks"][0] == {"attack_type": "vehicle", "score": 20, "band": "very_high"}
    listed = _get(planner, f"/api/v1/assessments/?city={assessment.city_id}").json()
    assert [a["id"] for a in listed] == [assessment.pk]
    assert listed[0]["scenarios"] is None


def test_outsiders_get_404_and_viewers_403(assessment, other_city_admin, viewer) -> None:  # type: ignore[no-untyped-def]
    assert _get(other_city_admin, f"/api/v1/assessments/{assessment.pk}").status_code == 404
    assert _get(other_city_admin, f"/api/v1/assessments/?city={assessment.city_id}").status_code == 404
    assert _get(other_city_admin, "/api/v1/assessments/").json() == []
    assert _get(viewer, f"/api/v1/assessments/{assessment.pk}").status_code == 403
