"""Background tasks of the measures app, run by django-tasks workers (`pactesur serve` starts one)."""

from __future__ import annotations

from django_tasks import task

from pactesur.measures.actions import do_compute_plan


@task()
def compute_plan(plan_id: int) -> str:
    """Solve a queued investment plan: the best plan, its frontier and neighbours, saved on the plan."""
    plan = do_compute_plan(plan_id)
    if plan is None:
        return "plan deleted or not queued"
    return f"{plan.result.get('status')}: {len(plan.result.get('chosen', []))} measures"
