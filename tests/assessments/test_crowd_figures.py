"""One source of truth for a space's crowd: the space holds its figures, a draft assessment reads and
writes them there, and a submitted or approved assessment keeps those it was submitted with."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from pactesur.assessments.actions import (
    do_approve_assessment,
    do_reopen_assessment,
    do_submit_assessment,
    do_update_assessment_context,
)
from pactesur.assessments.models import Assessment
from pactesur.audit.models import AuditAction, AuditEvent
from pactesur.spaces.actions import do_update_space
from pactesur.spaces.models import Space
from tests.assessments.helpers import rate, scenario, settle_the_rest

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _dd(html: str, term: str) -> str:
    """The description of `term` in the page's first description list that has it."""
    after = html[html.index(f"<dt>{term}</dt>") :]
    return after[after.index("<dd>") + 4 : after.index("</dd>")]


def test_the_peak_crowd_entered_in_step_1_shows_on_the_space_page(
    assessment, security_officer, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    client = _client(security_officer)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/assessments/{assessment.pk}/context/",
            {"peak_crowd": "12000", "usual_crowd": "2500", "peak_times": "Carnival", "mode": "matrix"},
        )

    assert response.status_code == 302
    space = Space.objects.get(pk=assessment.space_id)
    assert (space.peak_crowd, space.usual_crowd, space.peak_times) == (12000, 2500, "Carnival")
    page = client.get(f"/spaces/{space.pk}/").content.decode()
    assert _dd(page, "Peak crowd") == "12000"
    assert _dd(page, "Usual crowd") == "2500"
    # The space's own action wrote it: its audit row names the fields.
    row = AuditEvent.objects.filter(action=AuditAction.UPDATE, object_type="spaces.space").first()
    assert row is not None
    assert sorted(row.detail["fields"]) == ["peak_crowd", "peak_times", "usual_crowd"]


def test_a_crowd_changed_on_the_space_shows_in_the_draft_and_its_suggestions_follow(
    assessment, security_officer, planner, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    # A knife reaches the people within 5 m of a 50 m path: 20,000 on ≈ 8,956 m² is ≈ 1,117 people.
    assert scenario(assessment, "blade").suggested_consequence == 5

    with django_capture_on_commit_callbacks(execute=True):
        do_update_space(Space.objects.get(pk=assessment.space_id), acting_user=planner, peak_crowd=300)

    assessment = Assessment.objects.get(pk=assessment.pk)
    assert assessment.peak_crowd == 300
    blade = scenario(assessment, "blade")
    assert blade.suggested_consequence == 2  # 300 people: ≈ 17 within reach
    assert blade.consequence == blade.suggested_consequence  # it still followed the suggestion
    page = _client(security_officer).get(f"/assessments/{assessment.pk}/").content.decode()
    assert _dd(page, "Peak crowd").startswith("300")
    assert AuditEvent.objects.filter(
        action=AuditAction.UPDATE, object_id=str(assessment.pk), detail__space_changed=True
    ).exists()


def test_an_approved_assessment_keeps_the_figures_it_was_approved_with(
    assessment, security_officer, city_admin, planner, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    rate(assessment, "vehicle", 4, 5, security_officer)
    settle_the_rest(assessment, security_officer)
    do_submit_assessment(assessment, acting_user=security_officer)
    approved = do_approve_assessment(assessment, acting_user=city_admin)
    before = {s.attack_type: (s.suggested_consequence, s.consequence) for s in assessment.scenarios.all()}

    with django_capture_on_commit_callbacks(execute=True):
        do_update_space(
            Space.objects.get(pk=assessment.space_id), acting_user=planner, peak_crowd=300, usual_crowd=100
        )

    assessment = Assessment.objects.get(pk=assessment.pk)
    assert (assessment.peak_crowd, assessment.usual_crowd) == (20000, 3000)
    assert approved.snapshot["context"]["peak_crowd"] == 20000
    assert before == {
        s.attack_type: (s.suggested_consequence, s.consequence) for s in assessment.scenarios.all()
    }
    page = _client(security_officer).get(f"/assessments/{assessment.pk}/").content.decode()
    assert _dd(page, "Peak crowd").startswith("20000")
    assert 'id="figures-changed"' in page
    assert "usual crowd, peak crowd changed since" in page

    do_reopen_assessment(assessment, acting_user=security_officer)

    assessment = Assessment.objects.get(pk=assessment.pk)
    assert (assessment.peak_crowd, assessment.usual_crowd) == (300, 100)
    assert scenario(assessment, "blade").suggested_consequence == 2


def test_step_1_refuses_a_peak_crowd_above_the_spaces_capacity(city, security_officer) -> None:  # type: ignore[no-untyped-def]
    from tests.assessments.helpers import start

    assessment = start(city, security_officer, capacity=5000, peak_crowd=4000)

    response = _client(security_officer).post(
        f"/assessments/{assessment.pk}/context/", {"peak_crowd": "9000", "mode": "matrix"}
    )

    assert response.status_code == 200
    assert "cannot exceed the space’s capacity (5000 people)" in response.content.decode()
    assert Space.objects.get(pk=assessment.space_id).peak_crowd == 4000


def test_the_action_writes_the_crowd_on_the_space_only(assessment, security_officer) -> None:  # type: ignore[no-untyped-def]
    do_update_assessment_context(
        assessment, acting_user=security_officer, peak_crowd=15000, users_description="tourists"
    )

    space = Space.objects.get(pk=assessment.space_id)
    stored = Assessment.objects.get(pk=assessment.pk)
    assert space.peak_crowd == 15000
    assert stored.submitted_peak_crowd is None  # a draft keeps no copy of its own
    assert stored.users_description == "tourists"
    assert space.description == ""  # who uses the space stays the assessment's text
