"""Choosing measures to fund: MILP against exhaustive search, each rule binding, greedy, frontier."""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import replace

import numpy as np
import pytest

from pactesur.engine.invest import (
    RESIDUAL_TOLERANCE,
    Candidate,
    InvestInputError,
    Problem,
    Space,
    best_plan,
    evaluate_plan,
    frontier,
    greedy_plan,
    neighbours,
)

# Exact enough to compare with exhaustive search: tangents within 1e-6 of the risk, no MIP gap.
EXACT = {"residual_tolerance": 1e-6, "mip_rel_gap": 0.0}
SCENARIOS = ("vehicle", "firearms")


def _candidate(
    cid: str, space: str, cost: float, reduction: float, score: float = 4.0, **options: object
) -> Candidate:
    return Candidate(cid, space, cost, reduction, score, **options)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# Exhaustive search, written independently of the module: the product model over every subset.


def _random_problem(seed: int, *, count: int) -> Problem:
    rng = random.Random(seed)
    spaces = []
    for s in range(rng.randint(2, 4)):
        if rng.random() < 0.5:
            risk: float | dict[str, float] = float(rng.randint(5, 60))
        else:
            risk = {name: float(rng.randint(1, 25)) for name in SCENARIOS}
        spaces.append(Space(f"s{s}", risk))
    candidates = []
    for i in range(count):
        space = rng.choice(spaces)
        total = space.total_risk
        reduction: float | dict[str, float]
        if isinstance(space.risk, dict) and rng.random() < 0.6:
            reduction = {
                name: rng.uniform(0.0, 1.1) * r for name, r in space.risk.items() if rng.random() < 0.7
            }
        else:
            reduction = rng.uniform(0.05, 0.9) * total
        candidates.append(
            Candidate(
                f"c{i}",
                space.id,
                float(rng.randint(1, 40)),
                reduction,
                round(rng.uniform(0.0, 5.0), 1),
                maintenance_eur_per_year=float(rng.choice([0, 0, 1, 3])),
            )
        )
    ids = [c.id for c in candidates]
    exclusions = [tuple(rng.sample(ids, 2)) for _ in range(rng.randint(0, 2))]
    requirements = [tuple(rng.sample(ids, 2)) for _ in range(rng.randint(0, 2))]
    if rng.random() < 0.5:
        target = rng.choice(spaces)
        spaces[spaces.index(target)] = replace(
            target, max_residual_risk=rng.uniform(0.4, 0.9) * target.total_risk
        )
    return Problem(
        spaces,
        candidates,
        float(rng.randint(20, 120)),
        maintenance_years=rng.choice([0, 2]),
        exclusions=exclusions,
        requirements=requirements,  # type: ignore[arg-type]
        integration_floor=rng.choice([None, None, 1.0]),
        mean_integration_floor=rng.choice([None, 2.5]),
    )


def _left_shares(problem: Problem) -> tuple[list[float], list[str], np.ndarray]:
    """Pools (space, scenario) with their risk, and the share of each pool each candidate leaves."""
    pools: list[tuple[str, str]] = []
    risks: list[float] = []
    for space in problem.spaces:
        scenarios = space.risk if isinstance(space.risk, dict) else {"": space.risk}
        for name, risk in scenarios.items():
            pools.append((space.id, name))
            risks.append(float(risk))
    by_id = {s.id: s for s in problem.spaces}
    left = np.ones((len(problem.candidates), len(pools)))
    for i, c in enumerate(problem.candidates):
        total = by_id[c.space_id].total_risk
        for k, (space_id, name) in enumerate(pools):
            if space_id != c.space_id or risks[k] == 0:
                continue
            if isinstance(c.risk_reduction, dict):
                left[i, k] = 1 - min(c.risk_reduction.get(name, 0.0) / risks[k], 1.0)
            else:
                left[i, k] = 1 - min(float(c.risk_reduction) / total, 1.0)
    return risks, [p[0] for p in pools], left


def _brute_force(problem: Problem) -> float | None:
    """Least residual risk over every feasible subset (one-period problems), or None."""
    n = len(problem.candidates)
    chosen = np.array(list(itertools.product([0, 1], repeat=n)), dtype=float)
    cost = np.array(
        [c.cost_eur + c.maintenance_eur_per_year * problem.maintenance_years for c in problem.candidates]
    )
    ok = chosen @ cost <= problem.budget_eur + 1e-9
    index = {c.id: i for i, c in enumerate(problem.candidates)}
    for group in problem.exclusions:
        ok &= chosen[:, [index[k] for k in group]].sum(axis=1) <= 1
    for a, b in problem.requirements:
        ok &= chosen[:, index[a]] <= chosen[:, index[b]]
    scores = np.array([c.integration_score for c in problem.candidates])
    if problem.integration_floor is not None:
        ok &= chosen[:, scores < problem.integration_floor].sum(axis=1) == 0
    if problem.mean_integration_floor is not None:
        ok &= chosen @ (scores - problem.mean_integration_floor) >= -1e-9
    risks, pool_space, left = _left_shares(problem)
    pool_residual = np.array(risks) * np.exp(chosen @ np.log(np.maximum(left, 1e-300)))
    total = pool_residual.sum(axis=1)
    for space in problem.spaces:
        if space.max_residual_risk is not None:
            mine = [k for k, s in enumerate(pool_space) if s == space.id]
            ok &= pool_residual[:, mine].sum(axis=1) <= space.max_residual_risk + 1e-9
    return float(total[ok].min()) if ok.any() else None


@pytest.mark.parametrize("seed", range(8))
def test_milp_finds_the_exhaustive_optimum_of_random_problems(seed: int) -> None:
    problem = _random_problem(seed, count=12)
    expected = _brute_force(problem)
    plan = best_plan(problem, **EXACT)
    if expected is None:
        assert plan.status == "infeasible"
        assert plan.infeasible_reasons
        return
    assert plan.status == "optimal"
    assert plan.violations == ()
    assert plan.residual_risk == pytest.approx(expected, abs=1e-5 * plan.risk_before)


@pytest.mark.parametrize("seed", range(4))
def test_default_tolerance_keeps_the_plan_within_it_of_the_optimum(seed: int) -> None:
    problem = _random_problem(100 + seed, count=12)
    expected = _brute_force(problem)
    plan = best_plan(problem)
    assert expected is not None or plan.status == "infeasible"
    if expected is not None:
        assert expected - 1e-9 <= plan.residual_risk <= expected + 1.1 * RESIDUAL_TOLERANCE * plan.risk_before


def _phased_brute_force(problem: Problem, years: list[int]) -> float:
    """Least residual risk over every assignment of each candidate to nothing or one year."""
    n, budgets = len(problem.candidates), problem.yearly_budgets_eur or {}
    best = math.inf
    risks, _, left = _left_shares(problem)
    index = {c.id: i for i, c in enumerate(problem.candidates)}
    for assignment in itertools.product([None, *years], repeat=n):
        spend = dict.fromkeys(years, 0.0)
        total = 0.0
        for c, year in zip(problem.candidates, assignment, strict=True):
            if year is None:
                continue
            if (c.years is not None and year not in c.years) or year < (c.earliest_year or year):
                break
            spend[year] += c.cost_eur
            later = [y for y in years if y > year]
            for y in later:
                spend[y] += c.maintenance_eur_per_year
            total += c.cost_eur + c.maintenance_eur_per_year * (len(later) + problem.maintenance_years)
        else:
            if total > problem.budget_eur + 1e-9 or any(spend[y] > budgets[y] + 1e-9 for y in years):
                continue
            ready = all(
                assignment[index[a]] is None
                or (assignment[index[b]] is not None and assignment[index[b]] <= assignment[index[a]])  # type: ignore[operator]
                for a, b in problem.requirements
            )
            if ready:
                taken = np.array([y is not None for y in assignment], dtype=float)
                best = min(
                    best, float((np.array(risks) * np.exp(taken @ np.log(np.maximum(left, 1e-300)))).sum())
                )
    return best


@pytest.mark.parametrize("seed", range(4))
def test_phased_milp_finds_the_exhaustive_optimum(seed: int) -> None:
    rng = random.Random(seed)
    base = _random_problem(200 + seed, count=7)
    years = [2026, 2027, 2028]
    candidates = [
        replace(
            c, maintenance_eur_per_year=float(rng.choice([0, 2, 5])), earliest_year=rng.choice([None, 2027])
        )
        for c in base.candidates
    ]
    problem = Problem(
        [replace(s, max_residual_risk=None) for s in base.spaces],
        candidates,
        float(rng.randint(30, 90)),
        yearly_budgets_eur={y: float(rng.randint(10, 40)) for y in years},
        requirements=base.requirements,
    )
    plan = best_plan(problem, **EXACT)
    assert plan.status == "optimal"
    assert plan.violations == ()
    assert plan.residual_risk == pytest.approx(
        _phased_brute_force(problem, years), abs=1e-5 * plan.risk_before
    )


# ---------------------------------------------------------------------------------------------
# The model


def test_two_measures_that_each_halve_a_risk_leave_a_quarter() -> None:
    problem = Problem(
        [Space("square", 100.0)], [_candidate("a", "square", 1, 50), _candidate("b", "square", 1, 50)], 10
    )
    assert evaluate_plan(problem, {"a": None, "b": None}).residual_risk == pytest.approx(25.0)


def test_measures_on_different_scenarios_do_not_overlap() -> None:
    space = Space("square", {"vehicle": 20.0, "recon": 10.0})
    barrier = _candidate("barrier", "square", 1, {"vehicle": 16.0})
    cctv = _candidate("cctv", "square", 1, {"recon": 5.0})
    plan = evaluate_plan(Problem([space], [barrier, cctv], 10), {"barrier": None, "cctv": None})
    assert plan.residual_risk == pytest.approx(4.0 + 5.0)
    assert [c.marginal_risk_removed for c in plan.chosen] == pytest.approx([16.0, 5.0])


def test_one_number_reduction_removes_the_same_share_of_every_scenario() -> None:
    space = Space("square", {"vehicle": 20.0, "recon": 10.0})
    plan = evaluate_plan(
        Problem([space], [_candidate("stewards", "square", 1, 15.0)], 10), {"stewards": None}
    )
    assert plan.residual_risk == pytest.approx(15.0)
    assert plan.chosen[0].risk_reduction == pytest.approx(15.0)


def test_marginal_contribution_is_the_residual_risk_added_by_dropping_the_measure() -> None:
    problem = _random_problem(7, count=10)
    plan = best_plan(
        replace(
            problem, budget_eur=200.0, spaces=[replace(s, max_residual_risk=None) for s in problem.spaces]
        )
    )
    assert len(plan.chosen) >= 2
    for choice in plan.chosen:
        without = evaluate_plan(problem, {c.candidate_id: None for c in plan.chosen if c is not choice})
        assert choice.marginal_risk_removed == pytest.approx(without.residual_risk - plan.residual_risk)
        assert choice.marginal_risk_removed <= choice.risk_reduction + 1e-9
        assert choice.risk_removed_per_eur == pytest.approx(choice.risk_reduction / choice.cost_eur)


def test_measure_that_removes_nothing_is_not_funded_even_with_money_left() -> None:
    problem = Problem(
        [Space("square", 50.0)],
        [_candidate("a", "square", 10, 20), _candidate("useless", "square", 10, 0)],
        1000,
    )
    assert best_plan(problem).chosen_ids == ("a",)


def test_measure_made_useless_by_one_that_removes_all_the_risk_is_not_funded() -> None:
    candidates = [_candidate("closure", "square", 10, 50), _candidate("bollards", "square", 10, 20)]
    plan = best_plan(Problem([Space("square", 50.0)], candidates, 1000))
    assert plan.chosen_ids == ("closure",)
    assert plan.residual_risk == 0.0


def test_zero_budget_funds_nothing() -> None:
    problem = _random_problem(3, count=10)
    plan = best_plan(
        replace(problem, budget_eur=0.0, spaces=[replace(s, max_residual_risk=None) for s in problem.spaces])
    )
    assert plan.status == "optimal"
    assert plan.chosen == ()
    assert plan.residual_risk == pytest.approx(plan.risk_before)


# ---------------------------------------------------------------------------------------------
# Each rule changes the answer where it binds


def test_exclusion_keeps_only_the_better_of_two_barrier_types() -> None:
    problem = Problem(
        [Space("square", 100.0)],
        [_candidate("bollards", "square", 10, 50), _candidate("planters", "square", 10, 40)],
        20,
    )
    assert best_plan(problem).chosen_ids == ("bollards", "planters")
    assert best_plan(replace(problem, exclusions=[("bollards", "planters")])).chosen_ids == ("bollards",)


def test_requirement_buys_the_needed_measure_instead_of_another() -> None:
    spaces = [Space("square", 100.0), Space("market", 100.0)]
    candidates = [
        _candidate("cctv_analytics", "square", 10, 60),
        _candidate("cctv_cameras", "square", 10, 0),
        _candidate("stewards", "market", 10, 30),
    ]
    problem = Problem(spaces, candidates, 20)
    assert best_plan(problem).chosen_ids == ("cctv_analytics", "stewards")
    needing = replace(problem, requirements=[("cctv_analytics", "cctv_cameras")])
    assert best_plan(needing).chosen_ids == ("cctv_analytics", "cctv_cameras")


def test_integration_floor_excludes_a_bunker_like_barrier() -> None:
    candidates = [
        _candidate("blocks", "square", 10, 60, score=1.0),
        _candidate("planters", "square", 10, 40, score=4.5),
    ]
    problem = Problem([Space("square", 100.0)], candidates, 10)
    assert best_plan(problem).chosen_ids == ("blocks",)
    assert best_plan(replace(problem, integration_floor=2.0)).chosen_ids == ("planters",)


def test_mean_integration_floor_balances_the_plan() -> None:
    candidates = [
        _candidate("blocks", "square", 10, 60, score=1.0),
        _candidate("planters", "square", 10, 30, score=5.0),
        _candidate("benches", "market", 10, 20, score=4.0),
    ]
    problem = Problem([Space("square", 100.0), Space("market", 100.0)], candidates, 20)
    assert best_plan(problem).chosen_ids == ("blocks", "benches")  # 40 + 80 left, mean 2.5
    # a mean of 3 allows the blocks only with the planters (28 + 100 left), 4 not at all (70 + 80)
    assert best_plan(replace(problem, mean_integration_floor=3.0)).chosen_ids == ("blocks", "planters")
    assert best_plan(replace(problem, mean_integration_floor=4.0)).chosen_ids == ("planters", "benches")


def test_minimum_protection_moves_money_to_a_smaller_risk() -> None:
    spaces = [Space("square", 100.0), Space("school", 10.0)]
    candidates = [
        _candidate("square_barrier", "square", 10, 50),
        _candidate("school_barrier", "school", 10, 8),
    ]
    problem = Problem(spaces, candidates, 10)
    assert best_plan(problem).chosen_ids == ("square_barrier",)
    protected = replace(problem, spaces=[spaces[0], replace(spaces[1], max_residual_risk=5.0)])
    plan = best_plan(protected)
    assert plan.chosen_ids == ("school_barrier",)
    assert plan.residual_by_space["school"] == pytest.approx(2.0)
    floor = replace(problem, spaces=[spaces[0], replace(spaces[1], min_risk_removed=5.0)])
    assert best_plan(floor).chosen_ids == ("school_barrier",)


def test_minimum_protection_over_several_scenarios_caps_their_sum() -> None:
    space = Space("square", {"vehicle": 20.0, "recon": 10.0})
    candidates = [
        _candidate("barrier", "square", 10, {"vehicle": 18.0}),
        _candidate("cctv", "square", 10, {"recon": 9.0}),
    ]
    problem = Problem([space], candidates, 10)
    assert best_plan(problem).chosen_ids == ("barrier",)  # 12 left
    plan = best_plan(replace(problem, spaces=[replace(space, max_residual_risk=11.5)], budget_eur=20))
    assert plan.chosen_ids == ("barrier", "cctv")
    assert best_plan(replace(problem, spaces=[replace(space, max_residual_risk=11.5)])).status == "infeasible"


def test_yearly_budgets_phase_the_plan() -> None:
    candidates = [_candidate("bollards", "square", 10, 50), _candidate("planters", "market", 10, 40)]
    problem = Problem(
        [Space("square", 100.0), Space("market", 100.0)],
        candidates,
        100,
        yearly_budgets_eur={2026: 10, 2027: 10},
    )
    plan = best_plan(problem)
    assert set(plan.chosen_ids) == {"bollards", "planters"}
    assert {c.year for c in plan.chosen} == {2026, 2027}
    assert plan.spending_by_year_eur == {2026: 10.0, 2027: 10.0}


def test_maintenance_of_earlier_years_counts_against_later_budgets() -> None:
    candidates = [
        _candidate("bollards", "square", 10, 50, maintenance_eur_per_year=1.0),
        _candidate("planters", "market", 10, 40, maintenance_eur_per_year=1.0),
    ]
    problem = Problem(
        [Space("square", 100.0), Space("market", 100.0)],
        candidates,
        100,
        yearly_budgets_eur={2026: 10, 2027: 10},
    )
    plan = best_plan(problem)
    assert plan.chosen_ids == ("bollards",)
    (choice,) = plan.chosen
    # funded in 2026 it also pays its 2027 maintenance
    assert plan.total_cost_eur == pytest.approx(11.0 if choice.year == 2026 else 10.0)
    without_maintenance = [replace(c, maintenance_eur_per_year=0.0) for c in candidates]
    assert len(best_plan(replace(problem, candidates=without_maintenance)).chosen) == 2


def test_earliest_year_delays_a_measure() -> None:
    candidates = [
        _candidate("bollards", "square", 10, 50, earliest_year=2027),
        _candidate("planters", "market", 10, 40),
    ]
    problem = Problem(
        [Space("square", 100.0), Space("market", 100.0)],
        candidates,
        100,
        yearly_budgets_eur={2026: 10, 2027: 10},
    )
    years = {c.candidate_id: c.year for c in best_plan(problem).chosen}
    assert years == {"bollards": 2027, "planters": 2026}
    allowed = replace(
        problem, candidates=[replace(candidates[0], years=[2026], earliest_year=None), candidates[1]]
    )
    assert {c.candidate_id: c.year for c in best_plan(allowed).chosen} == {"bollards": 2026, "planters": 2027}


def test_phased_requirement_is_not_funded_before_what_it_needs() -> None:
    candidates = [
        _candidate("analytics", "square", 5, 50),
        _candidate("cameras", "square", 5, 0, years=[2027]),
        _candidate("stewards", "market", 5, 30),
    ]
    problem = Problem(
        [Space("square", 100.0), Space("market", 100.0)],
        candidates,
        100,
        yearly_budgets_eur={2026: 5, 2027: 5},
        requirements=[("analytics", "cameras")],
    )
    plan = best_plan(problem)
    assert "analytics" not in plan.chosen_ids
    assert "stewards" in plan.chosen_ids
    early = evaluate_plan(problem, {"analytics": 2026, "cameras": 2027})
    assert any("before 'cameras'" in v for v in early.violations)


def test_whole_life_maintenance_counts_against_the_total_budget() -> None:
    problem = Problem(
        [Space("square", 100.0)], [_candidate("cctv", "square", 10, 50, maintenance_eur_per_year=5.0)], 20
    )
    assert best_plan(problem).chosen_ids == ("cctv",)
    assert best_plan(replace(problem, maintenance_years=3)).chosen_ids == ()


# ---------------------------------------------------------------------------------------------
# Infeasibility and bad input


def test_unreachable_minimum_protection_names_the_space() -> None:
    spaces = [Space("square", 100.0, max_residual_risk=10.0), Space("market", 50.0)]
    candidates = [
        _candidate("a", "square", 10, 50),
        _candidate("b", "square", 10, 50),
        _candidate("c", "market", 1, 10),
    ]
    plan = best_plan(Problem(spaces, candidates, 1000))
    assert plan.status == "infeasible"
    assert not plan.has_plan
    assert len(plan.infeasible_reasons) == 1
    assert "'square'" in plan.infeasible_reasons[0]
    assert "25.00" in plan.infeasible_reasons[0]
    (note,) = plan.infeasible_notes
    assert note.code == "protection_out_of_reach"
    assert note.figures == {"space": "square", "residual": 25.0, "candidates": 2, "ceiling": 10.0}
    assert note.text == plan.infeasible_reasons[0]


def test_minimum_protection_beyond_the_budget_says_what_it_costs() -> None:
    spaces = [Space("square", 100.0, max_residual_risk=30.0)]
    candidates = [
        _candidate("a", "square", 40, 50),
        _candidate("b", "square", 30, 50),
        _candidate("c", "square", 100, 80),
    ]
    plan = best_plan(Problem(spaces, candidates, 50))
    assert plan.status == "infeasible"
    assert "70 €" in plan.infeasible_reasons[0]
    assert "budget of 50 €" in plan.infeasible_reasons[0]
    (note,) = plan.infeasible_notes
    assert (note.code, note.figures) == (
        "budget_too_small",
        {"spaces": ("square",), "cheapest_eur": 70, "budget_eur": 50},
    )
    assert note.as_json()["figures"]["spaces"] == ["square"]  # JSON-ready
    assert plan.message_notes[0].code == "solver_infeasible"


def test_minimum_protection_within_the_total_but_not_the_yearly_budgets_says_so() -> None:
    spaces = [Space("square", 100.0, max_residual_risk=30.0)]
    candidates = [_candidate("a", "square", 40, 50), _candidate("b", "square", 30, 50)]
    plan = best_plan(Problem(spaces, candidates, 500, yearly_budgets_eur={2027: 40, 2028: 20}))
    assert plan.status == "infeasible"
    (note,) = plan.infeasible_notes
    assert (note.code, note.figures["cheapest_eur"], note.figures["budget_eur"]) == (
        "yearly_budgets_too_small",
        70,
        500,
    )


def test_minimum_protection_against_the_rules_says_so() -> None:
    spaces = [Space("square", 100.0, max_residual_risk=30.0)]
    candidates = [_candidate("a", "square", 40, 50), _candidate("b", "square", 30, 50)]
    plan = best_plan(Problem(spaces, candidates, 500, exclusions=[("a", "b")]))
    assert plan.status == "infeasible"
    assert "exclusions" in plan.infeasible_reasons[0]
    assert [(n.code, n.figures) for n in plan.infeasible_notes] == [
        ("rules_conflict", {"spaces": ("square",)})
    ]


def test_the_solver_message_comes_with_its_code() -> None:
    problem = Problem([Space("square", 100.0)], [_candidate("a", "square", 40, 50)], 500)
    plan = best_plan(problem)
    assert [n.code for n in plan.message_notes] == ["solver_optimal"]
    assert plan.message == plan.message_notes[0].text
    assert plan.message_notes[0].figures["status"] == 0
    assert [n.code for n in greedy_plan(problem).message_notes] == ["greedy"]
    nothing = best_plan(
        replace(
            problem,
            candidates=[_candidate("a", "square", 40, 50, years=[1999])],
            yearly_budgets_eur={2027: 100},
        )
    )
    assert [n.code for n in nothing.message_notes] == ["nothing_fundable"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"budget_eur": -1.0}, "budget"),
        ({"candidates": [_candidate("a", "square", -5, 10)]}, "cost of candidate 'a'"),
        ({"candidates": [_candidate("a", "nowhere", 5, 10)]}, "'nowhere'"),
        ({"candidates": [_candidate("a", "square", 5, 10), _candidate("a", "square", 5, 10)]}, "'a'"),
        ({"candidates": [_candidate("a", "square", 5, 10, score=7.0)]}, "integration score"),
        ({"candidates": [_candidate("a", "square", 5, {"vehicle": 3.0})]}, "per scenario"),
        ({"exclusions": [("a", "ghost")]}, "'ghost'"),
        ({"requirements": [("a", "a")]}, "itself"),
        ({"spaces": [Space("square", 10.0, min_risk_removed=20.0)]}, "carries only"),
        ({"yearly_budgets_eur": {2026: 10.0, 2028: 10.0}}, "consecutive"),
        ({"spaces": [Space("square", math.nan)]}, "risk of space"),
    ],
)
def test_impossible_input_raises_an_actionable_error(change: dict[str, object], message: str) -> None:
    problem = replace(Problem([Space("square", 10.0)], [_candidate("a", "square", 5, 10)], 10), **change)  # type: ignore[arg-type]
    with pytest.raises(InvestInputError, match=message) as error:
        best_plan(problem)
    assert isinstance(error.value, ValueError)


# ---------------------------------------------------------------------------------------------
# Greedy, frontier, neighbours


def test_greedy_loses_to_the_milp_when_the_efficient_small_measure_blocks_the_big_one() -> None:
    candidates = [_candidate("signs", "square", 1, 10), _candidate("barrier_line", "square", 10, 90)]
    problem = Problem([Space("square", 100.0)], candidates, 10)
    greedy = greedy_plan(problem)
    best = best_plan(problem)
    assert greedy.chosen_ids == ("signs",)
    assert best.chosen_ids == ("barrier_line",)
    assert greedy.residual_risk == pytest.approx(90.0)
    assert best.residual_risk == pytest.approx(10.0)


@pytest.mark.parametrize("seed", range(6))
def test_greedy_is_never_better_than_the_milp(seed: int) -> None:
    problem = _random_problem(300 + seed, count=12)
    problem = replace(problem, spaces=[replace(s, max_residual_risk=None) for s in problem.spaces])
    greedy = greedy_plan(problem)
    assert greedy.status == "heuristic"
    assert greedy.violations == ()
    assert best_plan(problem, **EXACT).residual_risk <= greedy.residual_risk + 1e-9


def test_greedy_meets_minimum_protection_before_ranking_the_rest() -> None:
    spaces = [Space("square", 100.0), Space("school", 10.0, max_residual_risk=5.0)]
    candidates = [
        _candidate("square_barrier", "square", 10, 50),
        _candidate("school_barrier", "school", 10, 8),
    ]
    greedy = greedy_plan(Problem(spaces, candidates, 10))
    assert greedy.chosen_ids == ("school_barrier",)
    assert greedy.violations == ()


def test_greedy_reports_the_minimum_protection_it_cannot_afford() -> None:
    spaces = [Space("square", 100.0), Space("school", 10.0, max_residual_risk=5.0)]
    candidates = [
        _candidate("square_barrier", "square", 10, 50),
        _candidate("school_barrier", "school", 30, 8),
    ]
    greedy = greedy_plan(Problem(spaces, candidates, 10))
    assert greedy.chosen_ids == ("square_barrier",)
    assert any("'school'" in v for v in greedy.violations)


def test_greedy_funds_a_measure_with_what_it_needs() -> None:
    candidates = [_candidate("analytics", "square", 5, 50), _candidate("cameras", "square", 5, 0)]
    problem = Problem([Space("square", 100.0)], candidates, 10, requirements=[("analytics", "cameras")])
    assert greedy_plan(problem).chosen_ids == ("analytics", "cameras")
    assert greedy_plan(replace(problem, budget_eur=9)).chosen_ids == ()


def test_plan_cut_short_by_the_time_limit_is_never_worse_than_greedy() -> None:
    base = _random_problem(21, count=40)
    problem = replace(
        base, spaces=[replace(s, max_residual_risk=None) for s in base.spaces], budget_eur=150.0
    )
    plan = best_plan(problem, time_limit_s=1e-4)
    greedy = greedy_plan(problem)
    assert plan.has_plan
    assert plan.status in {"time_limit", "optimal"}
    assert plan.violations == ()
    assert plan.residual_risk <= greedy.residual_risk + 2e-3 * plan.risk_before


def test_frontier_cut_short_by_the_time_limit_keeps_each_budget() -> None:
    base = _random_problem(21, count=40)
    problem = replace(
        base, spaces=[replace(s, max_residual_risk=None) for s in base.spaces], budget_eur=500.0
    )
    for point in frontier(problem, [30.0, 150.0], time_limit_s=1e-4):
        assert point.plan.has_plan
        assert point.cost_eur <= point.budget_eur + 1e-6
        assert point.plan.violations == ()


def test_model_value_of_the_solvers_plan_is_its_objective() -> None:
    from pactesur.engine.invest import _build_model, _model_value, _prepare, _run_milp

    problem = _random_problem(5, count=12)
    problem = replace(problem, yearly_budgets_eur={2026: 30.0, 2027: 30.0}, budget_eur=80.0)
    prep = _prepare(problem)
    model = _build_model(prep, 1e-3)
    row_upper = model.row_upper.copy()
    row_upper[model.budget_row] = problem.budget_eur / model.cost_scale
    result = _run_milp(model, model.objective, row_upper, time_limit_s=10.0, mip_rel_gap=0.0)
    binaries = np.flatnonzero(result.x[: model.var_candidate.shape[0]] > 0.5)
    chosen = {int(model.var_candidate[v]): int(model.var_period[v]) for v in binaries}
    assert chosen
    assert _model_value(prep, model, chosen) == pytest.approx(result.fun, rel=1e-7)


def test_frontier_residual_risk_never_grows_with_the_budget() -> None:
    problem = _random_problem(11, count=30)
    problem = replace(problem, spaces=[replace(s, max_residual_risk=None) for s in problem.spaces])
    budgets = [0.0, 10.0, 25.0, 50.0, 80.0, 120.0, 200.0, 400.0, 1000.0]
    points = frontier(problem, budgets, residual_tolerance=1e-5, mip_rel_gap=0.0)
    residuals = [p.residual_risk for p in points]
    assert all(r is not None for r in residuals)
    # the model's optimum never grows; the exact product may differ from it by the tolerance
    slack = 1e-5 * points[0].plan.risk_before
    assert all(b <= a + slack for a, b in itertools.pairwise(residuals))  # type: ignore[operator]
    assert residuals[0] == pytest.approx(points[0].plan.risk_before)
    assert residuals[-1] < residuals[0]  # type: ignore[operator]
    assert all(p.cost_eur <= p.budget_eur + 1e-9 for p in points)
    assert [p.plan_size for p in points] == [len(p.plan.chosen) for p in points]


def test_frontier_on_two_threads_finds_the_same_plans() -> None:
    problem = _random_problem(12, count=14)
    problem = replace(problem, spaces=[replace(s, max_residual_risk=None) for s in problem.spaces])
    budgets = [5.0, 20.0, 40.0, 80.0]
    alone = frontier(problem, budgets, **EXACT)
    threaded = frontier(problem, budgets, workers=2, **EXACT)
    assert [p.budget_eur for p in threaded] == budgets
    assert [p.residual_risk for p in threaded] == pytest.approx([p.residual_risk for p in alone], abs=1e-6)


def test_frontier_marks_infeasible_budgets() -> None:
    spaces = [Space("square", 100.0, max_residual_risk=60.0)]
    points = frontier(Problem(spaces, [_candidate("a", "square", 40, 50)], 0), [10.0, 40.0])
    assert [p.residual_risk for p in points] == [None, pytest.approx(50.0)]


def test_neighbours_show_what_ten_percent_more_or_less_changes() -> None:
    spaces = [Space("square", 100.0), Space("market", 100.0)]
    candidates = [
        _candidate("bollards", "square", 50, 60),
        _candidate("stewards", "market", 45, 30),
        _candidate("signs", "market", 8, 10),
    ]
    result = neighbours(Problem(spaces, candidates, 100))
    assert result.plan.chosen_ids == ("bollards", "stewards")
    assert result.below is not None
    assert result.below.budget_eur == pytest.approx(90.0)
    assert result.below.removed == ("stewards",)
    assert result.below.added == ("signs",)
    assert result.below.residual_change == pytest.approx(
        result.below.plan.residual_risk - result.plan.residual_risk
    )
    assert result.below.residual_change > 0
    assert result.above.added == ("signs",)
    assert result.above.residual_change < 0
