"""The assessment team (the municipality leads, with the police and others): added and removed on a
draft, audited, and a warning when the municipality or the police is missing."""

from __future__ import annotations

import pytest

from pactesur.assessments.actions import AssessmentStateError, do_submit_assessment
from pactesur.assessments.decisions import do_add_team_member, do_remove_team_member, team_gaps
from pactesur.assessments.models import Assessment, TeamMember
from pactesur.audit.models import AuditAction, AuditEvent
from pactesur.cities.errors import InvalidRequestError
from tests.assessments.helpers import rate, settle_the_rest

MISSING_MUNICIPALITY = "Nobody from the municipality is on the team"
MISSING_POLICE = "Nobody from the police is on the team"


def test_a_member_is_added_with_name_organisation_role_and_audited(assessment, security_officer) -> None:  # type: ignore[no-untyped-def]
    member = do_add_team_member(
        assessment,
        acting_user=security_officer,
        name="  Claire Martin ",
        organisation="police",
        role="Counter-terrorism security adviser",
    )

    member = TeamMember.objects.get(pk=member.pk)
    assert (member.name, member.organisation, member.role) == (
        "Claire Martin",
        "police",
        "Counter-terrorism security adviser",
    )
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, detail__step="team")
    assert event.object_id == str(assessment.pk)
    assert event.detail["added"]["name"] == "Claire Martin"
    assert security_officer.pk in Assessment.objects.get(pk=assessment.pk).editors


@pytest.mark.parametrize(
    ("name", "organisation", "message"),
    [("  ", "police", "name"), ("Claire", "army", "organisation"), ("x" * 151, "police", "under 150")],
)
def test_a_member_with_garbage_is_refused(assessment, security_officer, name, organisation, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidRequestError, match=message):
        do_add_team_member(assessment, acting_user=security_officer, name=name, organisation=organisation)

    assert not TeamMember.objects.exists()


def test_removing_a_member_is_audited(assessment, security_officer) -> None:  # type: ignore[no-untyped-def]
    member = do_add_team_member(assessment, acting_user=security_officer, name="Luc", organisation="operator")

    do_remove_team_member(member, acting_user=security_officer)

    assert not TeamMember.objects.exists()
    removed = AuditEvent.objects.get(detail__step="team", detail__removed__name="Luc")
    assert removed.user == security_officer


def test_the_team_is_changed_on_a_draft_only(assessment, security_officer) -> None:  # type: ignore[no-untyped-def]
    member = do_add_team_member(assessment, acting_user=security_officer, name="Luc", organisation="operator")
    rate(assessment, "vehicle", 2, 2, security_officer)
    settle_the_rest(assessment, security_officer)
    do_submit_assessment(assessment, acting_user=security_officer)

    with pytest.raises(AssessmentStateError):
        do_add_team_member(assessment, acting_user=security_officer, name="Ana", organisation="police")
    with pytest.raises(AssessmentStateError):
        do_remove_team_member(member, acting_user=security_officer)
    assert TeamMember.objects.count() == 1


def test_a_team_without_the_municipality_or_the_police_is_warned_about(assessment, security_officer) -> None:  # type: ignore[no-untyped-def]
    assert [g.split(":")[0] for g in team_gaps(assessment)] == [MISSING_MUNICIPALITY, MISSING_POLICE]

    do_add_team_member(assessment, acting_user=security_officer, name="Ana", organisation="municipality")
    assert [g.split(":")[0] for g in team_gaps(assessment)] == [MISSING_POLICE]

    do_add_team_member(assessment, acting_user=security_officer, name="Claire", organisation="police")
    assert team_gaps(assessment) == []


def test_the_team_page_lists_members_and_warns(client, assessment, security_officer) -> None:  # type: ignore[no-untyped-def]
    do_add_team_member(assessment, acting_user=security_officer, name="Claire Martin", organisation="police")
    client.force_login(security_officer)

    html = client.get(f"/assessments/{assessment.pk}/team/").content.decode()

    assert "Claire Martin" in html
    assert MISSING_MUNICIPALITY in html
    assert MISSING_POLICE not in html
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, detail__team=True).exists()


def test_a_member_form_with_garbage_comes_back_with_what_was_typed(
    client, assessment, security_officer
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(security_officer)

    response = client.post(
        f"/assessments/{assessment.pk}/team/", {"name": "  ", "organisation": "army", "role": "site manager"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "site manager" in html
    assert "Give the team member" in html
    assert "Select a valid choice" in html
    assert not TeamMember.objects.exists()


def test_a_member_posted_is_added_and_removed_from_the_page(client, assessment, security_officer) -> None:  # type: ignore[no-untyped-def]
    client.force_login(security_officer)

    added = client.post(
        f"/assessments/{assessment.pk}/team/",
        {"name": "Ana Ruiz", "organisation": "municipality", "role": ""},
    )
    member = TeamMember.objects.get()
    removed = client.post(f"/assessments/{assessment.pk}/team/{member.pk}/delete/")

    assert (added.status_code, removed.status_code) == (302, 302)
    assert member.name == "Ana Ruiz"
    assert not TeamMember.objects.exists()


def test_a_viewer_or_planner_cannot_see_the_team_and_another_city_finds_nothing(  # type: ignore[no-untyped-def]
    client, assessment, planner, viewer, other_city_admin
) -> None:
    for user in (planner, viewer):
        client.force_login(user)
        assert client.get(f"/assessments/{assessment.pk}/team/").status_code == 403
        assert client.post(f"/assessments/{assessment.pk}/team/", {"name": "x"}).status_code == 403
    client.force_login(other_city_admin)
    assert client.get(f"/assessments/{assessment.pk}/team/").status_code == 404
