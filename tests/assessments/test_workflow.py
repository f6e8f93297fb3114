"""The review cycle: draft → in review → approved → draft; the reviewer is never the author."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from pactesur.assessments import scoring
from pactesur.assessments.actions import (
    AssessmentStateError,
    ReviewerIsAuthorError,
    add_months,
    diff_snapshots,
    do_add_measure,
    do_approve_assessment,
    do_rate_scenario,
    do_reopen_assessment,
    do_return_assessment,
    do_submit_assessment,
    do_update_assessment_context,
)
from pactesur.assessments.models import Assessment, AssessmentVersion, ImmutableError, Scenario
from pactesur.audit.models import AuditAction, AuditEvent
from pactesur.cities.errors import InvalidRequestError
from pactesur.measures.models import MeasureType
from pactesur.spaces.actions import do_update_space
from tests.assessments.helpers import rate, scenario, settle_the_rest
from tests.factories import MembershipFactory, UserFactory


def test_starting_creates_one_scenario_per_attack_type_prefilled_from_the_space(assessment) -> None:  # type: ignore[no-untyped-def]
    codes = list(assessment.scenarios.values_list("attack_type", flat=True))
    assert codes == [
        "vehicle",
        "firearms",
        "blade",
        "placed_ied",
        "pbied",
        "vbied",
        "arson",
        "cbrn",
        "drone",
        "bomb_threat",
        "cyber",
        "recon",
        "insider",
    ]
    assert assessment.peak_crowd == 20000
    assert assessment.area_m2 == pytest.approx(assessment.space.area_m2)
    # A marauding attack reaches the whole peak crowd: 20,000 people, consequence 5; a knife the
    # people within 5 m of a 50 m path: 2.23 p/m² × 500 m² ≈ 1,117, also 5.
    firearms = scenario(assessment, "firearms")
    assert (firearms.suggested_consequence, firearms.consequence) == (5, 5)
    assert "20000" in firearms.suggestion_explanation.replace(",", "").replace("\u202f", "")
    assert "2.23" in scenario(assessment, "blade").suggestion_explanation
    # No threat level recorded and no fact answered: no threat, and every fact assumed weak.
    assert (firearms.suggested_threat, firearms.suggested_vulnerability) == (None, 5)
    assert firearms.probability is None
    assert scenario(assessment, "recon").suggested_consequence is None
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_id=str(assessment.pk)).exists()


def test_overruling_a_suggestion_needs_a_reason_and_writes_nothing_without_one(
    assessment, security_officer
) -> None:  # type: ignore[no-untyped-def]
    s = scenario(assessment, "firearms")
    with pytest.raises(InvalidRequestError, match="say why"):
        do_rate_scenario(
            s, acting_user=security_officer, threat=2, vulnerability=2, consequence=2, description="x"
        )
    s = Scenario.objects.get(pk=s.pk)
    assert (s.threat, s.vulnerability, s.description) == (None, s.suggested_vulnerability, "")
    do_rate_scenario(
        s,
        acting_user=security_officer,
        threat=2,
        vulnerability=2,
        consequence=2,
        override_reason="the square is fenced",
    )
    s.refresh_from_db()
    assert (s.consequence, s.override_reason) == (2, "the square is fenced")


def test_keeping_the_suggestion_needs_no_reason(assessment, security_officer) -> None:  # type: ignore[no-untyped-def]
    s = scenario(assessment, "blade")
    # No threat level is recorded: the threat is the assessor's; vulnerability and consequence kept.
    s = do_rate_scenario(
        s,
        acting_user=security_officer,
        threat=3,
        vulnerability=s.suggested_vulnerability,
        consequence=s.suggested_consequence,
    )
    assert s.override_reason == ""
    assert s.probability == scoring.probability_from(3, s.suggested_vulnerability)
    assert s.score == s.probability * s.suggested_consequence


def test_ratings_outside_the_scale_are_refused(assessment, security_officer) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidRequestError, match="between 1 and 5"):
        do_rate_scenario(
            scenario(assessment, "blade"),
            acting_user=security_officer,
            threat=6,
            vulnerability=3,
            consequence=4,
        )


def test_submitting_needs_every_scenario_rated_or_not_applicable(assessment, security_officer) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(AssessmentStateError, match="not applicable with a reason"):
        do_submit_assessment(assessment, acting_user=security_officer)
    assessment.refresh_from_db()
    assert assessment.status == "draft"
    assert not assessment.versions.exists()


def test_the_author_of_the_submitted_version_cannot_approve_it(
    assessment, security_officer, city_admin
) -> None:  # type: ignore[no-untyped-def]
    rate(assessment, "vehicle", 4, 5, security_officer)
    settle_the_rest(assessment, security_officer)
    do_submit_assessment(assessment, acting_user=security_officer)
    with pytest.raises(ReviewerIsAuthorError):
        do_approve_assessment(assessment, acting_user=security_officer)
    assessment.refresh_from_db()
    assert assessment.status == "in_review"
    do_approve_assessment(assessment, acting_user=city_admin)
    assessment.refresh_from_db()
    assert assessment.status == "approved"
    assert assessment.approved_by == city_admin
    assert assessment.approved_profile["scores"]["vehicle"] == 20


def test_the_author_gets_403_from_the_approve_page_and_another_reviewer_approves(  # type: ignore[no-untyped-def]
    client, assessment, security_officer, city_admin
) -> None:
    rate(assessment, "vehicle", 4, 5, security_officer)
    settle_the_rest(assessment, security_officer)
    do_submit_assessment(assessment, acting_user=security_officer)
    client.force_login(security_officer)
    assert client.post(f"/assessments/{assessment.pk}/approve/").status_code == 403
    client.force_login(city_admin)
    assert client.post(f"/assessments/{assessment.pk}/approve/").status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == "approved"


def test_default_review_date_is_three_months_for_a_very_high_risk(
    assessment, security_officer, city_admin
) -> None:  # type: ignore[no-untyped-def]
    rate(assessment, "vehicle", 4, 5, security_officer)  # 20, very high
    settle_the_rest(assessment, security_officer)
    do_submit_assessment(assessment, acting_user=security_officer)
    do_approve_assessment(assessment, acting_user=city_admin)
    assessment.refresh_from_db()
    today = timezone.localdate()
    assert (assessment.review_due - today).days in range(89, 93)


def test_default_review_date_is_twelve_months_when_every_risk_is_medium_or_low(
    city, security_officer, city_admin
) -> None:  # type: ignore[no-untyped-def]
    from tests.assessments.helpers import start

    a = start(city, security_officer)  # no peak crowd: nothing pre-filled
    rate(a, "vehicle", 2, 3, security_officer)
    settle_the_rest(a, security_officer)
    do_submit_assessment(a, acting_user=security_officer)
    do_approve_assessment(a, acting_user=city_admin)
    a.refresh_from_db()
    assert (a.review_due - timezone.localdate()).days in range(364, 367)


def test_a_chosen_review_date_must_be_in_the_future_and_at_most_12_months_ahead(
    assessment, security_officer, city_admin
) -> None:  # type: ignore[no-untyped-def]
    rate(assessment, "vehicle", 4, 5, security_officer)
    settle_the_rest(assessment, security_officer)
    do_submit_assessment(assessment, acting_user=security_officer)
    today = timezone.localdate()
    with pytest.raises(InvalidRequestError, match="future"):
        do_approve_assessment(assessment, acting_user=city_admin, review_due=today)
    latest = add_months(today, 12)
    with pytest.raises(InvalidRequestError, match="at most 12 months"):
        do_approve_assessment(
            assessment, acting_user=city_admin, review_due=latest + datetime.timedelta(days=1)
        )
    assessment.refresh_from_db()
    assert assessment.status == "in_review"
    do_approve_assessment(assessment, acting_user=city_admin, review_due=latest)
    assessment.refresh_from_db()
    assert assessment.review_due == latest


def test_nobody_who_edited_the_cycle_approves_it(assessment, security_officer, city_admin) -> None:  # type: ignore[no-untyped-def]
    """The admin rated one scenario, a colleague submitted: the admin still may not approve."""
    rate(assessment, "vehicle", 3, 3, city_admin)
    settle_the_rest(assessment, security_officer)
    do_submit_assessment(assessment, acting_user=security_officer)
    with pytest.raises(ReviewerIsAuthorError, match="changed this assessment in this cycle"):
        do_approve_assessment(assessment, acting_user=city_admin)
    reviewer = UserFactory(username="fresh_reviewer")
    MembershipFactory(user=reviewer, city=assessment.city, role="security")
    do_approve_assessment(assessment, acting_user=reviewer)
    assessment.refresh_from_db()
    assert assessment.status == "approved"
    # A new cycle starts with no editors: the admin may review it if they leave it alone.
    do_reopen_assessment(assessment, acting_user=security_officer)
    assessment.refresh_from_db()
    assert assessment.editors == []


def test_a_new_cycle_takes_the_space_s_updated_crowd_figures(
    assessment, security_officer, city_admin
) -> None:  # type: ignore[no-untyped-def]
    rate(assessment, "vehicle", 3, 3, security_officer)
    settle_the_rest(assessment, security_officer)
    do_submit_assessment(assessment, acting_user=security_officer)
    do_approve_assessment(assessment, acting_user=city_admin)
    do_update_space(assessment.space, acting_user=city_admin, peak_crowd=300)
    assessment.refresh_from_db()
    assert assessment.peak_crowd == 20000  # approved: the figures it was approved with
    do_reopen_assessment(assessment, acting_user=security_officer)
    assessment = Assessment.objects.get(pk=assessment.pk)
    assert assessment.peak_crowd == 300
    blade = scenario(assessment, "blade")
    assert "300" in blade.suggestion_explanation


def test_only_a_draft_can_be_changed(assessment, security_officer, city_admin) -> None:  # type: ignore[no-untyped-def]
    rate(assessment, "vehicle", 4, 5, security_officer)
    settle_the_rest(assessment, security_officer)
    do_submit_assessment(assessment, acting_user=security_officer)
    with pytest.raises(AssessmentStateError, match="draft"):
        rate(assessment, "blade", 1, 1, security_officer)
    with pytest.raises(AssessmentStateError):
        do_update_assessment_context(assessment, acting_user=security_officer, peak_crowd=10)
    with pytest.raises(AssessmentStateError):
        do_add_measure(assessment, acting_user=security_officer, measure_type=MeasureType.objects.first())
    with pytest.raises(AssessmentStateError):
        do_submit_assessment(assessment, acting_user=security_officer)


def test_transitions_follow_the_cycle(assessment, security_officer, city_admin) -> None:  # type: ignore[no-untyped-def]
    rate(assessment, "vehicle", 4, 5, security_officer)
    with pytest.raises(AssessmentStateError):
        do_approve_assessment(assessment, acting_user=city_admin)
    with pytest.raises(AssessmentStateError):
        do_reopen_assessment(assessment, acting_user=city_admin)
    settle_the_rest(assessment, security_officer)
    do_submit_assessment(assessment, acting_user=security_officer)
    do_return_assessment(assessment, acting_user=city_admin, comment="add the evidence")
    assessment.refresh_from_db()
    assert (assessment.status, assessment.review_comment) == ("draft", "add the evidence")
    settle_the_rest(assessment, security_officer)
    do_submit_assessment(assessment, acting_user=security_officer)
    do_approve_assessment(assessment, acting_user=city_admin)
    do_reopen_assessment(assessment, acting_user=security_officer)
    assessment.refresh_from_db()
    assert (assessment.status, assessment.cycle) == ("draft", 2)
    kinds = list(assessment.versions.order_by("number").values_list("number", "kind", "cycle"))
    assert kinds == [(1, "submitted", 1), (2, "returned", 1), (3, "submitted", 1), (4, "approved", 1)]


def test_versions_are_immutable(assessment, security_officer) -> None:  # type: ignore[no-untyped-def]
    rate(assessment, "vehicle", 4, 5, security_officer)
    settle_the_rest(assessment, security_officer)
    version = do_submit_assessment(assessment, acting_user=security_officer)
    version.snapshot = {}
    with pytest.raises(ImmutableError):
        version.save()
    with pytest.raises(ImmutableError):
        version.delete()
    stored = AssessmentVersion.objects.get(pk=version.pk)
    assert stored.snapshot["scenarios"]["vehicle"]["score"] == 20


def test_diff_lists_changed_ratings_and_measures_between_cycles(
    assessment, security_officer, city_admin
) -> None:  # type: ignore[no-untyped-def]
    rate(assessment, "vehicle", 4, 5, security_officer)
    settle_the_rest(assessment, security_officer)
    do_submit_assessment(assessment, acting_user=security_officer)
    first = do_approve_assessment(assessment, acting_user=city_admin)
    do_reopen_assessment(assessment, acting_user=security_officer)
    do_add_measure(
        assessment,
        acting_user=security_officer,
        measure_type=MeasureType.objects.get(code="hvm_rated_permanent"),
        status="existing",
    )
    rate(assessment, "vehicle", 2, 5, security_officer, override_reason="barriers installed")
    settle_the_rest(assessment, security_officer)
    second = do_submit_assessment(assessment, acting_user=security_officer)
    changes = diff_snapshots(first.snapshot, second.snapshot)
    found = {(c.section, c.item, c.field, c.before, c.after) for c in changes}
    assert ("scenario", "vehicle", "probability", 4, 2) in found
    assert ("scenario", "vehicle", "score", 20, 10) in found
    assert ("measures", "hvm_rated_permanent", "existing", None, "added") in found
    assert not any(c.item == "firearms" for c in changes)


def test_diff_page_shows_the_changed_rating(client, assessment, security_officer, city_admin) -> None:  # type: ignore[no-untyped-def]
    rate(assessment, "vehicle", 4, 5, security_officer)
    settle_the_rest(assessment, security_officer)
    do_submit_assessment(assessment, acting_user=security_officer)
    do_return_assessment(assessment, acting_user=city_admin)
    rate(assessment, "vehicle", 3, 5, security_officer)
    settle_the_rest(assessment, security_officer)
    do_submit_assessment(assessment, acting_user=security_officer)
    client.force_login(city_admin)
    page = client.get(f"/assessments/{assessment.pk}/diff/?from=1&to=3").content.decode()
    assert "Vehicle as a weapon" in page
    assert "probability" in page
