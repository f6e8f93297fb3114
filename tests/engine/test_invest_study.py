"""A plan's whole study at once: each budget solved once, each solve started from the best plan already
found that fits it, the same plans as solving cold, progress as the work goes."""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest

from pactesur.engine import invest
from pactesur.engine.invest import (
    Candidate,
    Problem,
    Space,
    best_plan,
    frontier,
    greedy_plan,
    neighbours,
    study_plan,
)
from tests.engine.test_invest import _random_problem

SHARES = (0.2, 0.5, 0.9, 1.0, 1.1, 1.5, 2.0)


def _open(problem: Problem) -> Problem:
    """The problem without minimum protection (every budget has a plan)."""
    return replace(problem, spaces=[replace(s, max_residual_risk=None) for s in problem.spaces])


@pytest.mark.parametrize("seed", range(3))
def test_the_study_finds_the_plans_of_the_separate_solves(seed: int) -> None:
    problem = _open(_random_problem(410 + seed, count=12))
    budgets = [problem.budget_eur * s for s in SHARES]
    options = {"residual_tolerance": 1e-4}
    exact = {**options, "mip_rel_gap": 0.0}
    study = study_plan(
        problem, budgets, mip_rel_gap=0.0, frontier_rel_gap=0.0, workers=1 + seed % 2, **options
    )

    alone = best_plan(problem, **exact)
    assert study.plan.residual_risk == pytest.approx(alone.residual_risk, abs=1e-6)
    assert study.greedy.chosen_ids == greedy_plan(problem).chosen_ids
    cold = frontier(problem, budgets, **exact)
    assert [p.budget_eur for p in study.frontier] == budgets
    assert [p.residual_risk for p in study.frontier] == pytest.approx(
        [p.residual_risk for p in cold], abs=1e-6
    )
    around = neighbours(problem, **exact)
    assert study.neighbours.below is not None
    assert around.below is not None
    assert study.neighbours.below.budget_eur == pytest.approx(around.below.budget_eur)
    assert study.neighbours.below.plan.residual_risk == pytest.approx(
        around.below.plan.residual_risk, abs=1e-6
    )
    assert study.neighbours.above.plan.residual_risk == pytest.approx(
        around.above.plan.residual_risk, abs=1e-6
    )


def test_each_budget_is_solved_once_and_the_plan_is_a_frontier_point(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    problem = _open(_random_problem(7, count=12))
    budgets = [problem.budget_eur * s for s in SHARES]
    solved: list[float] = []
    real = invest._solve

    def counted(prep, model, budget, **kwargs):  # type: ignore[no-untyped-def]
        solved.append(budget)
        return real(prep, model, budget, **kwargs)

    monkeypatch.setattr(invest, "_solve", counted)
    study = study_plan(problem, budgets)

    # the budget, 10 % below and above (three of the frontier's budgets), then the four others
    assert len(solved) == len(budgets)
    assert solved[:3] == pytest.approx([problem.budget_eur * s for s in (1.0, 0.9, 1.1)])
    assert study.frontier[SHARES.index(1.0)].plan is study.plan
    assert study.frontier[SHARES.index(0.9)].plan is study.neighbours.below.plan  # type: ignore[union-attr]
    assert study.frontier[SHARES.index(1.1)].plan is study.neighbours.above.plan


def test_progress_says_the_best_plan_then_each_frontier_point() -> None:
    problem = _open(_random_problem(8, count=12))
    heard: list[tuple[str, int, int]] = []
    study_plan(
        problem, [problem.budget_eur * s for s in SHARES], workers=2, progress=lambda *a: heard.append(a)
    )
    n = len(SHARES)
    assert heard == [("plan", 0, n), *(("frontier", k, n) for k in range(1, n + 1))]


def test_a_larger_budget_never_leaves_more_risk_even_cut_short_by_the_time_limit() -> None:
    """Every point starts from the plans of the smaller budgets: it keeps one at least as good."""
    problem = _open(_random_problem(21, count=40))
    budgets = [30.0, 60.0, 90.0, 150.0, 300.0]
    points = frontier(problem, budgets, time_limit_s=1e-4)
    modelled = [p.residual_risk for p in points]
    assert all(p.plan.has_plan and not p.plan.violations for p in points)
    # the exact product may differ from the modelled residual by the chords' tolerance
    slack = invest.RESIDUAL_TOLERANCE * points[0].plan.risk_before
    assert all(b <= a + slack for a, b in itertools.pairwise(modelled))  # type: ignore[operator]


def test_a_warm_start_gives_highs_the_plan_and_finds_the_same_optimum() -> None:
    assert invest._HIGHS is not None  # the scipy this project pins ships HiGHS's bindings
    problem = _open(_random_problem(5, count=16))
    prep = invest._prepare(problem)
    model = invest._build_model(prep, 1e-4)
    small = invest._solve_at(prep, model, problem.budget_eur * 0.5, invest._Options(10.0, 0.0, 1e-4))
    start = invest._start_vector(prep, model, invest._periods_of(prep, small))
    # the start is a feasible point of the programme at any larger budget …
    row_upper = model.row_upper.copy()
    row_upper[model.budget_row] = problem.budget_eur / model.cost_scale
    rows = model.matrix @ start
    assert np.all(rows <= row_upper + 1e-9)
    assert np.all(rows >= model.row_lower - 1e-9)
    assert float(model.objective @ start) == pytest.approx(
        invest._model_value(prep, model, invest._periods_of(prep, small))
    )
    # … and HiGHS, given it, ends where it ends without it
    warm = invest._run_milp(
        model, model.objective, row_upper, time_limit_s=10.0, mip_rel_gap=0.0, start=start
    )
    cold = invest._run_milp(model, model.objective, row_upper, time_limit_s=10.0, mip_rel_gap=0.0)
    assert (warm.status, cold.status) == (0, 0)
    assert warm.fun == pytest.approx(cold.fun, rel=1e-9)
    assert warm.mip_dual_bound is not None


def test_without_scipys_highs_bindings_every_solve_starts_cold(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    problem = _open(_random_problem(9, count=10))
    budgets = [problem.budget_eur * s for s in (0.5, 1.0, 1.5)]
    options = {"residual_tolerance": 1e-4, "mip_rel_gap": 0.0}
    monkeypatch.undo()
    warm = frontier(problem, budgets, **options)
    monkeypatch.setattr(invest, "_HIGHS", None)
    cold = frontier(problem, budgets, **options)
    assert [p.residual_risk for p in cold] == pytest.approx([p.residual_risk for p in warm], abs=1e-6)


def test_a_zero_budget_has_no_plan_below_and_the_cheapest_candidate_above() -> None:
    problem = Problem(
        [Space("square", 100.0)],
        [Candidate("bollards", "square", 50, 60, 4.0), Candidate("signs", "square", 8, 10, 4.0)],
        0,
    )
    study = study_plan(problem, [0.0, 0.0])
    assert study.plan.chosen_ids == ()
    assert study.neighbours.below is None
    assert study.neighbours.above.budget_eur == 8.0
    assert study.neighbours.above.added == ("signs",)
    assert [p.residual_risk for p in study.frontier] == [100.0, 100.0]
