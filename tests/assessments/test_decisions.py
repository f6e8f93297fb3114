"""Decisions on each risk (accept or treat, why, who, when) and the register of actions: owner,
deadline, cost, status, overdue; the pages that write them and the list the dashboard shows."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone

from pactesur.assessments.actions import AssessmentStateError, do_submit_assessment
from pactesur.assessments.decisions import (
    ActionFields,
    actions_for,
    cost_totals,
    do_add_risk_action,
    do_decide_scenario,
    do_set_risk_action_status,
    do_update_risk_action,
    drop_decision_if_band_changed,
    open_actions_context,
    open_actions_for_city,
    submission_gaps,
)
from pactesur.assessments.models import Assessment, RiskAction, Scenario
from pactesur.audit.models import AuditAction, AuditEvent
from pactesur.cities.errors import InvalidRequestError
from pactesur.measures.models import MeasureType
from tests.assessments.helpers import rate, scenario, settle_the_rest, start

TODAY = datetime.date(2026, 5, 4)


def _fields(**overrides: Any) -> ActionFields:
    values: dict[str, Any] = {
        "title": "Install rated bollards at the east entry",
        "owner": "Roads department",
        "due_on": TODAY + datetime.timedelta(days=60),
        "cost_eur": 48000,
    }
    return ActionFields(**(values | overrides))


def _vehicle_very_high(assessment: Assessment, user: Any) -> Scenario:
    return rate(assessment, "vehicle", 5, 5, user)


# --- deciding ------------------------------------------------------------------------------------


def test_deciding_records_the_decision_its_reason_who_and_when(assessment, security_officer) -> None:  # type: ignore[no-untyped-def]
    s = _vehicle_very_high(assessment, security_officer)
    before = timezone.now()

    do_decide_scenario(
        s, acting_user=security_officer, decision="treat", reason="  Open to trucks at 60 km/h  "
    )

    s = Scenario.objects.get(pk=s.pk)
    assert (s.decision, s.decision_reason) == ("treat", "Open to trucks at 60 km/h")
    assert s.decided_by == security_officer
    assert s.decided_by_name == "security_officer"
    assert s.decided_at is not None
    assert s.decided_at >= before
    event = AuditEvent.objects.filter(action=AuditAction.UPDATE, detail__step="decision").get()
    assert event.user == security_officer
    assert event.object_id == str(assessment.pk)
    assert event.detail["after"] == {"decision": "treat", "reason": "Open to trucks at 60 km/h"}
    assert event.detail["band"] == "very_high"


def test_deciding_counts_the_decider_as_an_editor_of_the_cycle(
    assessment, security_officer, city_admin
) -> None:  # type: ignore[no-untyped-def]
    s = _vehicle_very_high(assessment, security_officer)

    do_decide_scenario(s, acting_user=city_admin, decision="accept", reason="Police on site")

    assert city_admin.pk in Assessment.objects.get(pk=assessment.pk).editors


@pytest.mark.parametrize("reason", ["", "   \n  "])
def test_a_decision_without_a_reason_is_refused(assessment, security_officer, reason: str) -> None:  # type: ignore[no-untyped-def]
    s = _vehicle_very_high(assessment, security_officer)

    with pytest.raises(InvalidRequestError, match="Say why"):
        do_decide_scenario(s, acting_user=security_officer, decision="accept", reason=reason)

    assert Scenario.objects.get(pk=s.pk).decision == ""
    assert not AuditEvent.objects.filter(detail__step="decision").exists()


def test_an_unrated_or_not_applicable_scenario_cannot_be_decided(assessment, security_officer) -> None:  # type: ignore[no-untyped-def]
    unrated = rate(assessment, "insider", None, None, security_officer)
    settle_the_rest(assessment, security_officer)
    not_applicable = scenario(assessment, "drone")
    assert unrated.score is None
    assert not_applicable.not_applicable

    for s in (unrated, not_applicable):
        with pytest.raises(InvalidRequestError, match="Rate this scenario"):
            do_decide_scenario(s, acting_user=security_officer, decision="accept", reason="fine")
        assert Scenario.objects.get(pk=s.pk).decision == ""


def test_a_decision_other_than_accept_or_treat_is_refused(assessment, security_officer) -> None:  # type: ignore[no-untyped-def]
    s = _vehicle_very_high(assessment, security_officer)

    with pytest.raises(InvalidRequestError, match="accept the risk or to treat it"):
        do_decide_scenario(s, acting_user=security_officer, decision="ignore", reason="budget")


def test_decisions_are_taken_on_a_draft_only(assessment, security_officer) -> None:  # type: ignore[no-untyped-def]
    s = rate(assessment, "vehicle", 2, 2, security_officer)
    settle_the_rest(assessment, security_officer)
    do_submit_assessment(assessment, acting_user=security_officer)

    with pytest.raises(AssessmentStateError, match="only be changed as a draft"):
        do_decide_scenario(s, acting_user=security_officer, decision="accept", reason="low")


def test_a_decision_is_forgotten_when_the_band_it_was_taken_on_changes(assessment, security_officer) -> None:  # type: ignore[no-untyped-def]
    s = rate(assessment, "vehicle", 2, 2, security_officer)
    do_decide_scenario(s, acting_user=security_officer, decision="accept", reason="low")
    s = Scenario.objects.get(pk=s.pk)
    band = s.band

    assert not drop_decision_if_band_changed(s, band)
    assert s.decision == "accept"
    s.threat = s.vulnerability = 5
    s.probability = s.consequence = 5
    assert drop_decision_if_band_changed(s, band)
    assert (s.decision, s.decision_reason, s.decided_by, s.decided_at) == ("", "", None, None)


# --- what submission needs ----------------------------------------------------------------------


def test_a_high_risk_without_a_decision_is_a_gap_and_a_medium_one_is_not(
    assessment, security_officer
) -> None:  # type: ignore[no-untyped-def]
    _vehicle_very_high(assessment, security_officer)
    rate(assessment, "firearms", 2, 3, security_officer)  # 6: medium

    gaps = submission_gaps(assessment)

    assert gaps == ["Decide whether to accept or treat these high risks: Vehicle as a weapon (ramming)."]


def test_a_risk_to_treat_needs_an_action_that_is_not_cancelled(assessment, security_officer) -> None:  # type: ignore[no-untyped-def]
    s = _vehicle_very_high(assessment, security_officer)
    do_decide_scenario(s, acting_user=security_officer, decision="treat", reason="trucks")
    assert submission_gaps(assessment) == [
        "Plan at least one action for each risk you decided to treat: Vehicle as a weapon (ramming)."
    ]

    action = do_add_risk_action(assessment, _fields(scenario=s), acting_user=security_officer)
    assert submission_gaps(assessment) == []

    do_set_risk_action_status(action, acting_user=security_officer, status="cancelled")
    assert len(submission_gaps(assessment)) == 1

    do_set_risk_action_status(action, acting_user=security_officer, status="done")
    assert submission_gaps(assessment) == []


def test_an_accepted_high_risk_needs_no_action(assessment, security_officer) -> None:  # type: ignore[no-untyped-def]
    s = _vehicle_very_high(assessment, security_officer)

    do_decide_scenario(s, acting_user=security_officer, decision="accept", reason="Closed to traffic by law")

    assert submission_gaps(assessment) == []


# --- the register --------------------------------------------------------------------------------


def test_adding_an_action_keeps_every_field_and_is_audited(assessment, security_officer) -> None:  # type: ignore[no-untyped-def]
    s = _vehicle_very_high(assessment, security_officer)
    bollards = MeasureType.objects.for_city(assessment.city).get(code="hvm_unrated")

    action = do_add_risk_action(
        assessment,
        _fields(scenario=s, measure_type=bollards, notes=" tender in June ", owner="  Roads department "),
        acting_user=security_officer,
    )

    action = RiskAction.objects.get(pk=action.pk)
    assert (action.title, action.owner, action.cost_eur, action.notes) == (
        "Install rated bollards at the east entry",
        "Roads department",
        48000,
        "tender in June",
    )
    assert (action.scenario, action.measure_type, action.status) == (s, bollards, "open")
    assert action.created_by == security_officer
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="assessments.riskaction")
    assert event.object_id == str(action.pk)
    assert event.city == assessment.city
    assert event.detail["assessment"] == assessment.pk
    assert event.detail["after"]["owner"] == "Roads department"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": "  "}, "Say what is to be done"),
        ({"owner": ""}, "Name the person or service"),
        ({"cost_eur": -1}, "cannot be negative"),
        ({"due_on": None}, "deadline"),
        ({"title": "x" * 301}, "under 300 characters"),
    ],
)
def test_an_action_with_garbage_is_refused(assessment, security_officer, overrides, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidRequestError, match=message):
        do_add_risk_action(assessment, _fields(**overrides), acting_user=security_officer)

    assert not RiskAction.objects.exists()


def test_an_action_cannot_point_at_another_assessment_or_another_citys_measure(  # type: ignore[no-untyped-def]
    assessment, security_officer, city, other_city
) -> None:
    other = start(city, security_officer, name="Cours Saleya")
    liege_type = MeasureType.objects.create(city=other_city, code="liege_planters", name="Planters of Liège")

    with pytest.raises(InvalidRequestError, match="another assessment"):
        do_add_risk_action(
            assessment, _fields(scenario=scenario(other, "vehicle")), acting_user=security_officer
        )
    with pytest.raises(InvalidRequestError, match="another city"):
        do_add_risk_action(assessment, _fields(measure_type=liege_type), acting_user=security_officer)


def test_done_records_when_and_reopening_forgets_it(assessment, security_officer) -> None:  # type: ignore[no-untyped-def]
    action = do_add_risk_action(assessment, _fields(), acting_user=security_officer)

    done = do_set_risk_action_status(action, acting_user=security_officer, status="done")
    assert done.done_at is not None
    again = do_set_risk_action_status(action, acting_user=security_officer, status="in_progress")

    assert RiskAction.objects.get(pk=action.pk).done_at is None
    assert again.status == "in_progress"
    moves = AuditEvent.objects.filter(action=AuditAction.UPDATE, object_type="assessments.riskaction")
    assert [e.detail["after"]["status"] for e in moves.order_by("id")] == ["done", "in_progress"]
    with pytest.raises(InvalidRequestError, match="Unknown action status"):
        do_set_risk_action_status(action, acting_user=security_officer, status="forgotten")


def test_editing_an_action_audits_what_changed(assessment, security_officer) -> None:  # type: ignore[no-untyped-def]
    action = do_add_risk_action(assessment, _fields(), acting_user=security_officer)

    do_update_risk_action(
        action, _fields(owner="Police municipale", cost_eur=None), acting_user=security_officer, status="open"
    )

    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_type="assessments.riskaction")
    assert event.detail["before"] == {"owner": "Roads department", "cost_eur": 48000}
    assert event.detail["after"] == {"owner": "Police municipale", "cost_eur": None}


def test_the_register_of_an_approved_assessment_lives_on(assessment, security_officer, city_admin) -> None:  # type: ignore[no-untyped-def]
    from pactesur.assessments.actions import do_approve_assessment

    rate(assessment, "vehicle", 2, 2, security_officer)
    settle_the_rest(assessment, security_officer)
    do_submit_assessment(assessment, acting_user=security_officer)
    do_approve_assessment(assessment, acting_user=city_admin)

    action = do_add_risk_action(assessment, _fields(), acting_user=city_admin)
    do_set_risk_action_status(action, acting_user=city_admin, status="done")

    assert RiskAction.objects.get(pk=action.pk).status == "done"
    assert Assessment.objects.get(pk=assessment.pk).status == "approved"


def test_an_open_action_past_its_deadline_is_overdue_and_a_done_one_is_not(
    assessment, security_officer
) -> None:  # type: ignore[no-untyped-def]
    late = do_add_risk_action(
        assessment,
        _fields(title="late", due_on=TODAY - datetime.timedelta(days=1)),
        acting_user=security_officer,
    )
    finished = do_add_risk_action(
        assessment,
        _fields(title="finished", due_on=TODAY - datetime.timedelta(days=9)),
        acting_user=security_officer,
    )
    do_set_risk_action_status(finished, acting_user=security_officer, status="done")
    do_add_risk_action(assessment, _fields(title="today", due_on=TODAY), acting_user=security_officer)

    rows = {r.action.title: r.overdue for r in actions_for(assessment, today=TODAY)}

    assert rows == {"finished": False, "late": True, "today": False}
    assert late.is_open


def test_the_city_list_holds_only_open_actions_of_its_own_spaces_by_deadline(  # type: ignore[no-untyped-def]
    assessment, security_officer, other_city, other_city_admin
) -> None:
    soon = do_add_risk_action(assessment, _fields(title="soon", due_on=TODAY), acting_user=security_officer)
    later = do_add_risk_action(
        assessment,
        _fields(title="later", due_on=TODAY + datetime.timedelta(days=3)),
        acting_user=security_officer,
    )
    do_set_risk_action_status(later, acting_user=security_officer, status="in_progress")
    gone = do_add_risk_action(assessment, _fields(title="gone"), acting_user=security_officer)
    do_set_risk_action_status(gone, acting_user=security_officer, status="cancelled")
    liege = start(other_city, other_city_admin, name="Place Saint-Lambert")
    do_add_risk_action(liege, _fields(title="in Liège"), acting_user=other_city_admin)

    rows = open_actions_for_city(assessment.city, TODAY)

    assert [r.action.pk for r in rows] == [soon.pk, later.pk]
    assert rows[0].space == assessment.space


def test_costs_are_totalled_by_status_without_the_cancelled_ones(assessment, security_officer) -> None:  # type: ignore[no-untyped-def]
    for title, cost, status in (
        ("a", 1000, "open"),
        ("b", 2500, "open"),
        ("c", None, "in_progress"),
        ("d", 400, "done"),
        ("e", 90000, "cancelled"),
    ):
        action = do_add_risk_action(
            assessment, _fields(title=title, cost_eur=cost), acting_user=security_officer
        )
        do_set_risk_action_status(action, acting_user=security_officer, status=status)

    totals = cost_totals(actions_for(assessment, today=TODAY))

    assert {(line.status, line.count, line.cost_eur) for line in totals.lines} == {
        ("open", 2, 3500),
        ("in_progress", 1, 0),
        ("done", 1, 400),
        ("cancelled", 1, 90000),
    }
    assert (totals.committed_eur, totals.uncosted) == (3900, 1)


# --- pages ---------------------------------------------------------------------------------------


def _decisions_url(assessment: Assessment) -> str:
    return f"/assessments/{assessment.pk}/decisions/"


def test_the_page_shows_each_rated_risk_its_decision_and_the_register(  # type: ignore[no-untyped-def]
    client, assessment, security_officer
) -> None:
    s = _vehicle_very_high(assessment, security_officer)
    do_decide_scenario(s, acting_user=security_officer, decision="treat", reason="Open to trucks")
    do_add_risk_action(assessment, _fields(scenario=s), acting_user=security_officer)
    client.force_login(security_officer)

    html = client.get(_decisions_url(assessment)).content.decode()

    assert "Open to trucks" in html
    assert "Decided by security_officer" in html
    assert "Install rated bollards at the east entry" in html
    assert "Roads department" in html
    assert "48,000" in html
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, detail__decisions=True).exists()


def test_a_decision_refused_comes_back_with_what_was_typed(client, assessment, security_officer) -> None:  # type: ignore[no-untyped-def]
    s = _vehicle_very_high(assessment, security_officer)
    client.force_login(security_officer)

    response = client.post(
        f"{_decisions_url(assessment)}{s.pk}/",
        {f"s{s.pk}-decision": "maybe", f"s{s.pk}-reason": "my careful words"},
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "my careful words" in html
    assert "Select a valid choice" in html
    assert Scenario.objects.get(pk=s.pk).decision == ""


def test_a_decision_on_an_unrated_scenario_is_refused_with_the_reason_kept(  # type: ignore[no-untyped-def]
    client, assessment, security_officer
) -> None:
    s = rate(assessment, "insider", None, None, security_officer)
    client.force_login(security_officer)

    response = client.post(
        f"{_decisions_url(assessment)}{s.pk}/",
        {f"s{s.pk}-decision": "accept", f"s{s.pk}-reason": "kept text"},
    )

    assert response.status_code == 200
    assert "Rate this scenario before deciding" in response.content.decode()
    assert "kept text" in response.content.decode()


def test_a_decision_posted_is_recorded_and_leads_back_to_the_risk(
    client, assessment, security_officer
) -> None:  # type: ignore[no-untyped-def]
    s = _vehicle_very_high(assessment, security_officer)
    client.force_login(security_officer)

    response = client.post(
        f"{_decisions_url(assessment)}{s.pk}/",
        {f"s{s.pk}-decision": "accept", f"s{s.pk}-reason": "Pedestrian zone"},
    )

    assert response.status_code == 302
    assert response["Location"].endswith(f"#scenario-{s.pk}")
    assert Scenario.objects.get(pk=s.pk).decision_reason == "Pedestrian zone"


def test_an_action_form_with_garbage_is_shown_again_with_every_value_kept(  # type: ignore[no-untyped-def]
    client, assessment, security_officer
) -> None:
    client.force_login(security_officer)

    response = client.post(
        f"/assessments/{assessment.pk}/actions/new/",
        {
            "title": "Move the market stalls",
            "owner": "   ",
            "due_on": "31/31/2026",
            "cost_eur": "-5",
            "status": "open",
            "notes": "ask the traders first",
        },
    )

    assert response.status_code == 200
    html = response.content.decode()
    for kept in ("Move the market stalls", "31/31/2026", "-5", "ask the traders first"):
        assert kept in html
    assert "Name the person or service responsible" in html
    assert "Enter a valid date" in html
    assert "greater than or equal to 0" in html
    assert not RiskAction.objects.exists()


def test_an_action_posted_is_added_with_its_risk(client, assessment, security_officer) -> None:  # type: ignore[no-untyped-def]
    s = _vehicle_very_high(assessment, security_officer)
    client.force_login(security_officer)
    form = client.get(f"/assessments/{assessment.pk}/actions/new/?scenario={s.pk}").content.decode()
    assert f'<option value="{s.pk}" selected>' in form

    response = client.post(
        f"/assessments/{assessment.pk}/actions/new/",
        {
            "title": "Bollards",
            "owner": "Roads",
            "due_on": "2026-09-30",
            "cost_eur": "",
            "status": "open",
            "scenario": s.pk,
        },
    )

    assert response.status_code == 302
    action = RiskAction.objects.get()
    assert (action.scenario, action.due_on, action.cost_eur) == (s, datetime.date(2026, 9, 30), None)


def test_the_status_of_an_action_changes_from_the_register(client, assessment, security_officer) -> None:  # type: ignore[no-untyped-def]
    action = do_add_risk_action(assessment, _fields(), acting_user=security_officer)
    client.force_login(security_officer)

    client.post(f"/assessments/{assessment.pk}/actions/{action.pk}/status/", {"status": "done"})
    response = client.post(f"/assessments/{assessment.pk}/actions/{action.pk}/status/", {"status": "lost"})

    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == "done"
    assert action.done_at is not None


def test_an_action_of_another_assessment_is_not_found_through_this_one(  # type: ignore[no-untyped-def]
    client, assessment, security_officer, city
) -> None:
    other = start(city, security_officer, name="Cours Saleya")
    action = do_add_risk_action(other, _fields(), acting_user=security_officer)
    client.force_login(security_officer)

    assert client.get(f"/assessments/{assessment.pk}/actions/{action.pk}/").status_code == 404
    assert (
        client.post(
            f"/assessments/{assessment.pk}/actions/{action.pk}/status/", {"status": "done"}
        ).status_code
        == 404
    )


def test_a_planner_may_not_read_or_write_the_decisions_and_another_city_finds_nothing(  # type: ignore[no-untyped-def]
    client, assessment, planner, other_city_admin
) -> None:
    client.force_login(planner)
    assert client.get(_decisions_url(assessment)).status_code == 403
    assert client.post(f"/assessments/{assessment.pk}/actions/new/", {}).status_code == 403
    client.force_login(other_city_admin)
    assert client.get(_decisions_url(assessment)).status_code == 404


def _open_actions_html(user: Any, city: Any) -> str:
    request = RequestFactory().get("/assessments/")
    request.user = user
    context = open_actions_context(request, city, TODAY) | {"show_space": True}
    return render_to_string("assessments/_open_actions.html", context)


def test_the_dashboard_list_links_to_the_register_for_security_and_not_for_a_planner(  # type: ignore[no-untyped-def]
    assessment, security_officer, planner
) -> None:
    do_add_risk_action(
        assessment,
        _fields(title="Brief the stewards", due_on=TODAY - datetime.timedelta(days=2)),
        acting_user=security_officer,
    )
    link = f"/assessments/{assessment.pk}/decisions/#register"

    for_security = _open_actions_html(security_officer, assessment.city)
    for_planner = _open_actions_html(planner, assessment.city)

    for html in (for_security, for_planner):
        assert "Brief the stewards" in html
        assert "Place Masséna" in html
        assert "overdue" in html
    assert link in for_security
    assert link not in for_planner
