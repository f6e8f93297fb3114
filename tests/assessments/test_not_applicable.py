"""Scenarios out of scope at a space: marked not applicable with a reason, never silently unrated."""

from __future__ import annotations

import io

import pytest
from django.db import IntegrityError, transaction
from pypdf import PdfReader

from pactesur.assessments import risk
from pactesur.assessments.actions import (
    AssessmentStateError,
    diff_snapshots,
    do_approve_assessment,
    do_rate_scenario,
    do_refresh_suggestions,
    do_return_assessment,
    do_submit_assessment,
)
from pactesur.assessments.models import Scenario
from pactesur.audit.models import AuditAction, AuditEvent
from pactesur.cities.errors import InvalidRequestError
from tests.assessments.helpers import rate, scenario, settle_the_rest
from tests.auth_support import confirm_password

DRONE_REASON = "covered market hall: no drone can fly over the crowd"


def _not_applicable(assessment, attack_type, user, reason=DRONE_REASON):  # type: ignore[no-untyped-def]
    return do_rate_scenario(
        scenario(assessment, attack_type),
        acting_user=user,
        not_applicable=True,
        not_applicable_reason=reason,
    )


def test_submitting_is_refused_while_a_scenario_is_unrated_and_the_message_names_it(
    assessment, security_officer
) -> None:  # type: ignore[no-untyped-def]
    rate(assessment, "vehicle", 4, 5, security_officer)
    for s in assessment.scenarios.exclude(attack_type__in=["vehicle", "drone"]):
        do_rate_scenario(s, acting_user=security_officer, not_applicable=True, not_applicable_reason="none")

    with pytest.raises(AssessmentStateError) as refused:
        do_submit_assessment(assessment, acting_user=security_officer)

    assert "Drone" in str(refused.value)
    assert "Vehicle as a weapon" not in str(refused.value)
    assert "Insider" not in str(refused.value)
    assessment.refresh_from_db()
    assert assessment.status == "draft"
    assert not assessment.versions.exists()


def test_submitting_is_accepted_once_every_unrated_scenario_is_not_applicable_with_a_reason(
    assessment, security_officer
) -> None:  # type: ignore[no-untyped-def]
    rate(assessment, "vehicle", 4, 5, security_officer)
    settle_the_rest(assessment, security_officer)

    version = do_submit_assessment(assessment, acting_user=security_officer)

    assessment.refresh_from_db()
    assert assessment.status == "in_review"
    drone = version.snapshot["scenarios"]["drone"]
    assert (drone["not_applicable"], drone["not_applicable_reason"], drone["score"]) == (
        True,
        "not at this space",
        None,
    )


def test_not_applicable_without_a_reason_is_refused_and_writes_nothing(assessment, security_officer) -> None:  # type: ignore[no-untyped-def]
    drone = scenario(assessment, "drone")
    with pytest.raises(InvalidRequestError, match="not applicable"):
        do_rate_scenario(drone, acting_user=security_officer, not_applicable=True, not_applicable_reason="  ")
    assert not Scenario.objects.get(pk=drone.pk).not_applicable
    rate(assessment, "vehicle", 4, 5, security_officer)
    with pytest.raises(AssessmentStateError, match="Drone"):
        do_submit_assessment(assessment, acting_user=security_officer)


def test_the_database_refuses_a_not_applicable_scenario_without_a_reason(assessment) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(IntegrityError), transaction.atomic():
        Scenario.objects.filter(assessment=assessment, attack_type="drone").update(not_applicable=True)


def test_submitting_is_refused_when_every_scenario_is_not_applicable(assessment, security_officer) -> None:  # type: ignore[no-untyped-def]
    for s in assessment.scenarios.all():
        do_rate_scenario(s, acting_user=security_officer, not_applicable=True, not_applicable_reason="none")

    with pytest.raises(AssessmentStateError, match="rate at least one"):
        do_submit_assessment(assessment, acting_user=security_officer)


def test_a_not_applicable_scenario_loses_its_ratings_and_has_no_score(assessment, security_officer) -> None:  # type: ignore[no-untyped-def]
    rate(assessment, "firearms", 3, 4, security_officer)
    firearms = _not_applicable(assessment, "firearms", security_officer, reason="no public access")

    firearms.refresh_from_db()
    assert (firearms.probability, firearms.consequence) == (None, None)
    assert (firearms.score, firearms.band) == (None, None)
    assert firearms.override_reason == ""
    assert "firearms" not in {r.attack_type for r in risk.profile(assessment)}
    row = next(r for r in risk.whatif(assessment, []) if r.scenario.attack_type == "firearms")
    assert (row.score, row.residual) == (None, None)
    event = AuditEvent.objects.filter(action=AuditAction.UPDATE, object_id=str(assessment.pk)).latest("pk")
    assert event.detail["after"]["not_applicable"] is True
    assert event.detail["after"]["not_applicable_reason"] == "no public access"
    # Refreshing the suggestions brings no rating back to a scenario out of scope.
    do_refresh_suggestions(assessment, acting_user=security_officer)
    firearms.refresh_from_db()
    assert (firearms.not_applicable, firearms.consequence) == (True, None)


def test_a_not_applicable_scenario_stays_out_of_the_approved_profile_and_the_diff_shows_it(
    assessment, security_officer, city_admin
) -> None:  # type: ignore[no-untyped-def]
    rate(assessment, "vehicle", 4, 5, security_officer)
    rate(assessment, "drone", 2, 2, security_officer)
    settle_the_rest(assessment, security_officer)
    first = do_submit_assessment(assessment, acting_user=security_officer)
    do_return_assessment(assessment, acting_user=city_admin)
    _not_applicable(assessment, "drone", security_officer)
    second = do_submit_assessment(assessment, acting_user=security_officer)
    do_approve_assessment(assessment, acting_user=city_admin)

    assessment.refresh_from_db()
    assert set(assessment.approved_profile["scores"]) == {"vehicle"}
    found = {(c.item, c.field, c.before, c.after) for c in diff_snapshots(first.snapshot, second.snapshot)}
    assert ("drone", "not_applicable", False, True) in found
    assert ("drone", "not_applicable_reason", "", DRONE_REASON) in found
    assert ("drone", "score", 4, None) in found


def test_the_detail_page_shows_the_reason_and_why_submitting_is_refused(
    client, assessment, security_officer
) -> None:  # type: ignore[no-untyped-def]
    rate(assessment, "vehicle", 4, 5, security_officer)
    _not_applicable(assessment, "drone", security_officer)
    client.force_login(security_officer)

    html = client.get(f"/assessments/{assessment.pk}/").content.decode()

    row = html[html.index('data-attack="drone"') :]
    row = row[: row.index("</tr>")]
    assert f"Not applicable: {DRONE_REASON}" in row
    refusal = html[html.index('data-testid="submit-refusal"') :]
    refusal = refusal[: refusal.index("</p>")]
    assert "Marauding firearms attack" in refusal
    assert "Drone" not in refusal
    assert 'id="submit-assessment" disabled' in html


def test_the_report_shows_the_reason_of_a_not_applicable_scenario(
    client, assessment, security_officer
) -> None:  # type: ignore[no-untyped-def]
    rate(assessment, "vehicle", 4, 5, security_officer)
    _not_applicable(assessment, "drone", security_officer)
    client.force_login(security_officer)
    confirm_password(client)

    response = client.get(f"/assessments/{assessment.pk}/report.pdf")

    pages = [page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages]
    text = " ".join(" ".join(pages).split())
    assert f"Drone — Not applicable: {DRONE_REASON}" in text


def test_a_security_officer_marks_a_scenario_not_applicable_through_the_page(
    client, assessment, security_officer
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(security_officer)
    drone = scenario(assessment, "drone")
    url = f"/assessments/{assessment.pk}/scenarios/{drone.pk}/"
    page = client.get(url).content.decode()
    assert 'name="not_applicable"' in page
    assert 'name="not_applicable_reason"' in page

    refused = client.post(url, {"description": "", "not_applicable": "on", "not_applicable_reason": ""})
    assert refused.status_code == 200
    assert "not_applicable_reason" in refused.context["form"].errors
    assert not Scenario.objects.get(pk=drone.pk).not_applicable

    saved = client.post(
        url, {"description": "", "not_applicable": "on", "not_applicable_reason": DRONE_REASON}
    )
    assert saved.status_code == 302
    drone.refresh_from_db()
    assert (drone.not_applicable, drone.not_applicable_reason) == (True, DRONE_REASON)
    assert f"Not applicable: {DRONE_REASON}" in client.get(url).content.decode()

    # Unticking it brings the scenario back in scope, without its reason.
    back = client.post(
        url,
        {"description": "", "threat": "2", "vulnerability": "2", "consequence": "2", "override_reason": "x"},
    )
    assert back.status_code == 302
    drone.refresh_from_db()
    assert (drone.not_applicable, drone.not_applicable_reason, drone.score) == (False, "", 4)


def test_the_refusal_and_the_reason_speak_french(client, assessment, security_officer) -> None:  # type: ignore[no-untyped-def]
    rate(assessment, "vehicle", 4, 5, security_officer)
    _not_applicable(assessment, "drone", security_officer, reason="halle couverte")
    client.force_login(security_officer)

    html = client.get(f"/fr/assessments/{assessment.pk}/").content.decode()

    assert "Non applicable\u00a0: halle couverte" in html
    assert "Notez ces scénarios ou marquez-les non applicables" in html
