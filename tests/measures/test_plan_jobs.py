"""An investment plan is computed by a worker: the form keeps the plan at once and queues it, the task
solves it and saves how far it has got at each step, the page follows it through a JSON status and
shows the result once done; a solve that raises or a lost worker fails it with a message, and a plan
is approved only once computed."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from pactesur.audit.models import AuditAction, AuditEvent
from pactesur.engine.invest import InvestInputError
from pactesur.jobs.sweeps import do_sweep_lost_tasks
from pactesur.measures import actions, planning
from pactesur.measures.actions import (
    PLAN_QUEUED_AGAIN,
    PLAN_WORKER_LOST,
    do_approve_plan,
    do_create_plan,
)
from pactesur.measures.models import InvestmentPlan, PlanComputation, PlanStatus
from pactesur.measures.tasks import compute_plan
from tests.assessments.helpers import rate, settle_the_rest, start

pytestmark = pytest.mark.django_db

TASK_PATH = "pactesur.measures.tasks.compute_plan"
PLAN_TYPE = "measures.investmentplan"


@pytest.fixture
def assessed(city):  # type: ignore[no-untyped-def]
    """One space whose firearms and vehicle scenarios are rated: a plan has something to lower."""
    assessment = start(city, None, name="Place Masséna", peak_crowd=4000)
    rate(assessment, "vehicle", 4, 4)
    rate(assessment, "firearms", 3, 4)
    settle_the_rest(assessment)
    return assessment


def _queued(city: Any, **fields: Any) -> InvestmentPlan:
    return do_create_plan(
        city, acting_user=None, name=fields.pop("name", "Plan 2027"), budget_eur=60_000, **fields
    )


def _status(client: Any, plan: InvestmentPlan) -> dict[str, Any]:
    response = client.get(f"/measures/plans/{plan.pk}/status.json")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    data: dict[str, Any] = response.json()
    return data


def test_the_form_keeps_the_plan_at_once_and_queues_its_computation(
    client, planner, city, assessed, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(planner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/measures/plans/", {"name": "Plan 2027", "budget_eur": "60000"})

    plan = InvestmentPlan.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/measures/plans/{plan.pk}/"
    assert plan.computation == PlanComputation.QUEUED
    assert plan.result == {}
    task = DBTaskResult.objects.get(task_path=TASK_PATH)
    assert task.status == "READY"
    assert task.args_kwargs == {"args": [plan.pk], "kwargs": {}}
    assert plan.task_id == str(task.pk)
    audit = AuditEvent.objects.get(action=AuditAction.CREATE, object_type=PLAN_TYPE, object_id=str(plan.pk))
    assert audit.detail["computation"] == "queued"

    page = client.get(f"/measures/plans/{plan.pk}/").content.decode()
    assert 'id="plan-computation"' in page
    assert "The plan is being computed in the background" in page
    assert "Waiting for a worker to compute it." in page
    assert 'id="plan-status-data"' in page
    assert "measures/plan-status.js" in page
    assert "<script>" not in page.replace('<script type="application/json"', "")  # no inline script (CSP)
    assert 'id="plan-summary"' not in page
    assert "plan.csv" not in page
    listing = client.get("/measures/plans/").content.decode()
    assert 'data-computation="queued"' in listing
    assert "Queued (0&nbsp;%)" in listing


def test_running_the_task_fills_the_result_and_marks_the_plan_done(client, planner, city, assessed) -> None:  # type: ignore[no-untyped-def]
    plan = _queued(city)

    assert compute_plan.call(plan.pk).startswith("optimal: ")
    plan.refresh_from_db()

    assert plan.computation == PlanComputation.DONE
    assert plan.progress == 1.0
    assert plan.computation_message == ""
    assert plan.computation_started_at is not None
    assert plan.computation_finished_at is not None
    assert plan.result["status"] == "optimal"
    assert plan.result["residual_risk"] < plan.result["risk_before"]
    assert len(plan.result["frontier"]) == len(planning.FRONTIER_SHARES)
    assert all(p["proven_optimal"] for p in plan.result["frontier"])  # one small space: all proven
    assert plan.result["above"]["residual_change"] <= 0
    audit = AuditEvent.objects.get(action=AuditAction.UPDATE, object_type=PLAN_TYPE, object_id=str(plan.pk))
    assert audit.detail["event"] == "computed"
    client.force_login(planner)
    page = client.get(f"/measures/plans/{plan.pk}/").content.decode()
    assert 'id="plan-summary"' in page
    assert "proven optimal" in page
    assert "not proven" not in page
    assert 'id="plan-computation"' not in page
    assert "plan-status.js" not in page
    assert _status(client, plan) == {
        "plan": plan.pk,
        "computation": "done",
        "label": "Done",
        "pending": False,
        "message": "",
        "percent": 100,
    }
    # A second run (a duplicate task) finds nothing queued and changes nothing.
    assert compute_plan.call(plan.pk) == "plan deleted or not queued"


def test_the_task_saves_its_progress_on_the_plan_at_each_step(
    client, planner, city, assessed, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    plan = _queued(city)
    client.force_login(planner)
    seen: list[dict[str, Any]] = []
    saved = actions._save_plan_progress

    def watched(plan_id: int, message: Any, share: float) -> None:
        saved(plan_id, message, share)
        seen.append(_status(client, plan))  # what the page's script reads at that moment

    monkeypatch.setattr(actions, "_save_plan_progress", watched)
    compute_plan.call(plan.pk)

    assert all(s["computation"] == "running" and s["pending"] for s in seen)
    assert seen[0]["message"] == "Gathering the assessed spaces, the candidate measures and the rules."
    assert seen[1]["message"] == "Solving the best plan within the budget."
    frontier = seen[2:]
    n = len(planning.FRONTIER_SHARES)
    # the best plan is the first point of the frontier; each point solved after it is one more
    assert [s["message"] for s in frontier] == [
        f"Best plan found; what each budget buys: {k} of {n} budgets solved." for k in range(1, n + 1)
    ]
    percents = [s["percent"] for s in seen]
    assert percents == sorted(percents)
    assert percents[-1] == 100
    assert 0 < frontier[0]["percent"] < 100


def test_a_solve_that_raises_fails_the_plan_with_its_message(
    client, security_officer, city, assessed, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    plan = _queued(city)

    def broken(*args: Any, **kwargs: Any) -> dict[str, Any]:
        raise InvestInputError("The cost of candidate '3:12' must be a finite number; it is nan.")

    monkeypatch.setattr(planning, "solve", broken)
    with pytest.raises(InvestInputError):
        compute_plan.call(plan.pk)  # raised again: the worker's log and the task's row keep it

    plan.refresh_from_db()
    assert plan.computation == PlanComputation.FAILED
    assert plan.computation_message == "The computation failed: %(reason)s"
    expected = "The computation failed: The cost of candidate '3:12' must be a finite number; it is nan."
    assert plan.shown_computation_message == expected
    client.force_login(security_officer)
    page = client.get(f"/measures/plans/{plan.pk}/").content.decode()
    assert 'role="alert" data-computation="failed"' in page
    assert "The computation failed: The cost of candidate &#x27;3:12&#x27;" in page
    assert 'id="approve-plan"' not in page
    assert "plan-status.js" not in page  # nothing left to follow
    status = _status(client, plan)
    assert (status["computation"], status["pending"], status["label"]) == ("failed", False, "Failed")
    assert status["message"] == expected
    with pytest.raises(ValidationError, match="computation failed"):
        do_approve_plan(plan, acting_user=security_officer)


def test_the_message_is_shown_in_the_readers_language(client, planner, city, assessed) -> None:  # type: ignore[no-untyped-def]
    plan = _queued(city)
    client.force_login(planner)
    response = client.get(f"/fr/measures/plans/{plan.pk}/status.json")
    assert response.json()["message"] == "En attente d’un processus de calcul."
    assert response.json()["label"] == "En file d’attente"


def test_a_plan_no_worker_takes_asks_whether_one_runs(client, planner, city, assessed) -> None:  # type: ignore[no-untyped-def]
    plan = _queued(city)
    client.force_login(planner)
    assert _status(client, plan)["message"] == "Waiting for a worker to compute it."

    InvestmentPlan.objects.filter(pk=plan.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=2)
    )
    assert "is `pactesur serve`" in _status(client, plan)["message"]
    # once a worker has taken it (a retry waits for the next one), the row's own message again
    InvestmentPlan.objects.filter(pk=plan.pk).update(
        computation_started_at=timezone.now(), computation_message=PLAN_QUEUED_AGAIN
    )
    assert _status(client, plan)["message"] == "Queued again: the worker computing it stopped."


def _claimed(task_id: str, worker: str) -> None:
    """The task as a worker killed on it left it: claimed, RUNNING since 5 minutes."""
    result = DBTaskResult.objects.get(pk=task_id)
    result.claim(worker)
    DBTaskResult.objects.filter(pk=task_id).update(started_at=timezone.now() - datetime.timedelta(minutes=5))


def test_a_plan_whose_worker_is_lost_is_queued_again_once_then_failed(city, assessed) -> None:  # type: ignore[no-untyped-def]
    plan = _queued(city)
    task = compute_plan.enqueue(plan.pk)
    InvestmentPlan.objects.filter(pk=plan.pk).update(computation=PlanComputation.RUNNING, progress=0.4)
    _claimed(task.id, "dead-a")

    assert do_sweep_lost_tasks().retried == 1
    plan.refresh_from_db()
    assert plan.computation == PlanComputation.QUEUED  # so that the retried task takes it
    assert plan.computation_message == PLAN_QUEUED_AGAIN
    assert plan.progress == 0.0

    InvestmentPlan.objects.filter(pk=plan.pk).update(computation=PlanComputation.RUNNING)
    _claimed(task.id, "dead-b")
    assert do_sweep_lost_tasks().failed == 1
    plan.refresh_from_db()
    assert plan.computation == PlanComputation.FAILED
    assert plan.computation_message == PLAN_WORKER_LOST
    assert "stopped twice without finishing" in plan.shown_computation_message
    assert compute_plan.call(plan.pk) == "plan deleted or not queued"


def test_a_plan_is_approved_only_once_computed(client, security_officer, city, assessed) -> None:  # type: ignore[no-untyped-def]
    plan = _queued(city)
    client.force_login(security_officer)

    assert 'id="approve-plan"' not in client.get(f"/measures/plans/{plan.pk}/").content.decode()
    response = client.post(f"/measures/plans/{plan.pk}/approve/", follow=True)
    assert "still being computed" in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT
    InvestmentPlan.objects.filter(pk=plan.pk).update(computation=PlanComputation.RUNNING)
    with pytest.raises(ValidationError, match="still being computed"):
        do_approve_plan(plan, acting_user=security_officer)

    InvestmentPlan.objects.filter(pk=plan.pk).update(computation=PlanComputation.QUEUED)
    compute_plan.call(plan.pk)
    assert 'id="approve-plan"' in client.get(f"/measures/plans/{plan.pk}/").content.decode()
    client.post(f"/measures/plans/{plan.pk}/approve/")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED


def test_a_not_proven_frontier_point_says_its_gap(client, planner, city) -> None:  # type: ignore[no-untyped-def]
    result = {
        "status": "optimal",
        "proven_optimal": True,
        "mip_gap": 0.0,
        "solve_s": 0.1,
        "candidates": 2,
        "risk_before": 20.0,
        "residual_risk": 10.0,
        "total_cost_eur": 900.0,
        "spaces": [{"id": "1", "name": "X", "before": 20.0, "after": 10.0}],
        "chosen": [],
        "greedy": {"residual_risk": 12.0, "cost_eur": 800.0, "size": 1, "violations": []},
        "frontier": [
            {"budget_eur": 100.0, "residual_risk": 15.0, "cost_eur": 90.0, "size": 1,
             "proven_optimal": False, "mip_gap": 0.0123},
            {"budget_eur": 1000.0, "residual_risk": 10.0, "cost_eur": 900.0, "size": 2,
             "proven_optimal": True, "mip_gap": 0.0},
            {"budget_eur": 2000.0, "residual_risk": 9.0, "cost_eur": 1900.0, "size": 3},  # stored before
        ],
    }  # fmt: skip
    plan = InvestmentPlan.objects.create(
        city=city, name="P", budget_eur=1_000, result=result, computation=PlanComputation.DONE
    )
    client.force_login(planner)
    page = client.get(f"/measures/plans/{plan.pk}/").content.decode()
    assert page.count("not proven") == 1
    assert "not proven: within 0.0123 of the optimum" in page


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_latest_migrations")
def test_plans_made_before_background_computing_are_done(city) -> None:  # type: ignore[no-untyped-def]
    before = [("measures", "0007_plan_measure_rules")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old_plan = executor.loader.project_state(before).apps.get_model("measures", "InvestmentPlan")
    made = old_plan.objects.create(city_id=city.pk, name="Old", budget_eur=10, result={"status": "optimal"})

    executor = MigrationExecutor(connection)
    executor.migrate([("measures", "0008_plan_computation")])

    plan = InvestmentPlan.objects.get(pk=made.pk)
    assert plan.computation == PlanComputation.DONE
    assert plan.result == {"status": "optimal"}
    assert InvestmentPlan(city=city, name="New", budget_eur=1).computation == PlanComputation.QUEUED
