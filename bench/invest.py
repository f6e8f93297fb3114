"""Benchmark choosing the measures to fund (`pactesur.engine.invest`) on a synthetic city; prints JSON.

The city has `--spaces` spaces (1,000), each with the eleven attack scenarios of the library rated
5 × 5, and 40 candidate measures (40,000 binaries): at each of 4 vehicle entries three barrier
types that exclude each other, and twelve other families (CCTV, analytics that needs CCTV,
stewarding, training, …; two offers of one system exclude each other). Costs run 500–400,000 €,
log-uniform per family; each measure removes a share of some of its space's scenario scores;
maintenance counts for 5 years (whole-life cost); the mean integration score must reach 3.5; the
5 % riskiest spaces must keep at most 60 % of their risk. The budget is 5 % of what every
candidate would cost. All figures are (assumption) and only meant to look like a real city.

Measured, in one process: the best plan (HiGHS to `--gap`, under `--time-limit`), the greedy
heuristic (time and how much more risk it leaves), a `--frontier`-budget frontier (1–20 % of the
cost of everything, `--frontier-gap`, `--frontier-time-limit` per budget, `--workers` threads,
each budget started from the best plan of the smaller ones, or cold with `--cold-frontier`), the
whole computation of a plan's page (`study_plan`: the best plan, the 20 budgets of its frontier, a
tenth to twice its budget, and its neighbours ±10 %, with the engine's defaults; `--plan-page`,
always in the full run), and two baselines so that times compare across machines: the LP
relaxation of the same problem (HiGHS, same matrix) and a 100-space city of the same kind solved
to the same gap.

    python bench/invest.py              # 1,000 spaces, frontier, plan page (10–15 minutes, 2 cores)
    python bench/invest.py --quick      # 200 spaces, 5 budgets (CI, about 1 minute)
    python bench/invest.py --quick --plan-page   # and the plan page's computation (2–3 minutes)

Each HiGHS solve at 1,000 spaces costs about ten LP relaxations, so the frontier is solved to a
0.1 % gap, two budgets at a time, each from the plans already found (`pactesur.engine.invest`'s
warm start).
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import random
import sys
import time
from typing import Any

import numpy as np
import scipy
from scipy.optimize import Bounds, LinearConstraint, milp

from pactesur.engine import invest as _invest
from pactesur.engine.invest import (
    HIGHS_PRESOLVE,
    Candidate,
    Plan,
    Problem,
    Space,
    _build_model,
    _prepare,
    best_plan,
    frontier,
    greedy_plan,
    study_plan,
)

ATTACKS = (
    "vehicle",
    "firearms",
    "bladed",
    "placed_ied",
    "person_ied",
    "vbied",
    "arson",
    "cbr",
    "drone",
    "recon",
    "insider",
)
# Per family (assumption): offers per space, capital cost range €, yearly maintenance as a share of
# capital, integration score range, and the share of each scenario's score it removes (range).
FAMILIES: dict[
    str, tuple[int, tuple[float, float], float, tuple[float, float], dict[str, tuple[float, float]]]
] = {
    "cctv": (
        3,
        (10_000, 80_000),
        0.08,
        (3.0, 4.5),
        {"recon": (0.2, 0.5), "firearms": (0.05, 0.15), "placed_ied": (0.1, 0.3), "insider": (0.05, 0.2)},
    ),
    "analytics": (2, (5_000, 30_000), 0.15, (3.5, 4.5), {"recon": (0.1, 0.3), "placed_ied": (0.05, 0.2)}),
    "stewards": (
        3,
        (2_000, 20_000),
        0.5,
        (4.0, 5.0),
        {
            "recon": (0.1, 0.3),
            "bladed": (0.1, 0.3),
            "person_ied": (0.1, 0.3),
            "firearms": (0.05, 0.15),
            "arson": (0.1, 0.2),
        },
    ),
    "training": (
        4,
        (500, 5_000),
        0.2,
        (4.5, 5.0),
        {"recon": (0.05, 0.2), "insider": (0.1, 0.3), "firearms": (0.05, 0.1), "bladed": (0.05, 0.1)},
    ),
    "lighting": (
        2,
        (5_000, 60_000),
        0.05,
        (4.0, 5.0),
        {"recon": (0.05, 0.15), "bladed": (0.05, 0.15), "arson": (0.05, 0.1)},
    ),
    "bag_checks": (
        2,
        (3_000, 25_000),
        0.6,
        (2.5, 3.5),
        {"person_ied": (0.2, 0.5), "firearms": (0.1, 0.3), "bladed": (0.1, 0.3), "placed_ied": (0.1, 0.3)},
    ),
    "drone_detection": (2, (50_000, 250_000), 0.1, (3.0, 4.0), {"drone": (0.3, 0.7)}),
    "cbr_sensors": (2, (40_000, 200_000), 0.1, (3.0, 4.0), {"cbr": (0.2, 0.5)}),
    "glazing": (2, (20_000, 150_000), 0.02, (3.5, 4.5), {"vbied": (0.1, 0.3), "placed_ied": (0.1, 0.3)}),
    "fire_safety": (2, (5_000, 40_000), 0.05, (4.0, 5.0), {"arson": (0.2, 0.5)}),
    "signage": (2, (500, 5_000), 0.05, (4.0, 5.0), {"recon": (0.02, 0.08), "bladed": (0.02, 0.05)}),
    "access_control": (
        2,
        (10_000, 100_000),
        0.1,
        (3.0, 4.0),
        {"insider": (0.2, 0.5), "placed_ied": (0.1, 0.2)},
    ),
}
# Families where the offers are two quotes for one system, so at most one is bought (assumption).
ONE_OFFER = ("cctv", "drone_detection", "cbr_sensors", "bag_checks", "access_control")
# Per vehicle entry, alternatives (assumption): cost range €, maintenance share, integration range,
# share of the vehicle risk through that entry they stop.
BARRIERS: dict[str, tuple[tuple[float, float], float, tuple[float, float], tuple[float, float]]] = {
    "rated_bollards": ((60_000, 400_000), 0.02, (3.0, 4.0), (0.7, 0.95)),
    "planters": ((20_000, 120_000), 0.03, (4.0, 5.0), (0.4, 0.7)),
    "mobile_barrier": ((5_000, 40_000), 0.1, (2.0, 3.0), (0.3, 0.6)),
}
ENTRIES = 4
MAINTENANCE_YEARS = 5
MEAN_INTEGRATION_FLOOR = 3.5
PROTECTED_SHARE, PROTECTED_RESIDUAL = 0.05, 0.6  # riskiest 5 % of spaces keep at most 60 %
BUDGET_SHARE = 0.05  # of the cost of every candidate
FRONTIER_SHARES = (0.01, 0.20)  # frontier budgets, evenly between these shares
SMALL_CITY_SPACES = 100


def _cost(rng: random.Random, low: float, high: float) -> float:
    return max(500.0, round(math.exp(rng.uniform(math.log(low), math.log(high))), -2))


def _barriers(
    rng: random.Random, sid: str, risk: dict[str, float]
) -> tuple[list[Candidate], list[tuple[str, ...]]]:
    candidates, exclusions = [], []
    for entry in range(ENTRIES):
        group = []
        for kind, ((low, high), maintenance, (g0, g1), (e0, e1)) in BARRIERS.items():
            cost = _cost(rng, low, high)
            share = rng.uniform(e0, e1) / ENTRIES  # each line closes one of the entries
            reduction = {"vehicle": risk["vehicle"] * share, "vbied": risk["vbied"] * share * 0.8}
            cid = f"{sid}-{kind}-{entry}"
            score = round(rng.uniform(g0, g1), 1)
            candidates.append(
                Candidate(
                    cid, sid, cost, reduction, score, maintenance_eur_per_year=round(cost * maintenance)
                )
            )
            group.append(cid)
        exclusions.append(tuple(group))
    return candidates, exclusions


def synthetic_city(spaces: int, *, seed: int = 1) -> Problem:
    """A city of `spaces` spaces with 40 candidates each, budget 5 % of their total cost."""
    rng = random.Random(seed)
    all_spaces: list[Space] = []
    candidates: list[Candidate] = []
    exclusions: list[tuple[str, ...]] = []
    requirements: list[tuple[str, str]] = []
    for s in range(spaces):
        sid = f"s{s}"
        risk = {a: float(rng.choice([1, 1, 2, 2, 3, 4, 5]) * rng.choice([2, 3, 3, 4, 5])) for a in ATTACKS}
        all_spaces.append(Space(sid, risk))
        lines, groups = _barriers(rng, sid, risk)
        candidates += lines
        exclusions += groups
        for family, (count, (low, high), maintenance, (g0, g1), effects) in FAMILIES.items():
            ids = []
            for k in range(count):
                cost = _cost(rng, low, high)
                scale = min(1.0, (cost / high) ** 0.3)  # dearer offers do somewhat more
                reduction = {a: risk[a] * rng.uniform(*r) * scale for a, r in effects.items()}
                cid = f"{sid}-{family}-{k}"
                score = round(rng.uniform(g0, g1), 1)
                candidates.append(
                    Candidate(
                        cid, sid, cost, reduction, score, maintenance_eur_per_year=round(cost * maintenance)
                    )
                )
                ids.append(cid)
            if family in ONE_OFFER:
                exclusions.append(tuple(ids[:2]))
        requirements += [(f"{sid}-analytics-{k}", f"{sid}-cctv-{k}") for k in range(2)]
    riskiest = sorted(all_spaces, key=lambda s: -s.total_risk)[: max(1, round(PROTECTED_SHARE * spaces))]
    protected = {s.id for s in riskiest}
    all_spaces = [
        Space(s.id, s.risk, max_residual_risk=PROTECTED_RESIDUAL * s.total_risk) if s.id in protected else s
        for s in all_spaces
    ]
    whole_life = sum(c.cost_eur + MAINTENANCE_YEARS * c.maintenance_eur_per_year for c in candidates)
    return Problem(
        all_spaces,
        candidates,
        BUDGET_SHARE * whole_life,
        maintenance_years=MAINTENANCE_YEARS,
        exclusions=exclusions,
        requirements=requirements,
        mean_integration_floor=MEAN_INTEGRATION_FLOOR,
    )


def _lp_relaxation(problem: Problem) -> dict[str, Any]:
    """Solve the LP relaxation of the same matrix with HiGHS: a machine-speed yardstick."""
    t0 = time.perf_counter()
    prep = _prepare(problem)
    model = _build_model(prep, 1e-3)
    build_s = time.perf_counter() - t0
    row_upper = model.row_upper.copy()
    row_upper[model.budget_row] = problem.budget_eur / model.cost_scale
    t1 = time.perf_counter()
    result = milp(
        model.objective,
        integrality=np.zeros_like(model.integrality),
        bounds=Bounds(model.lower, model.upper),
        constraints=LinearConstraint(model.matrix, model.row_lower, row_upper),
        options={"presolve": HIGHS_PRESOLVE, "time_limit": 120.0},
    )
    return {
        "lp_relaxation_s": round(time.perf_counter() - t1, 3),
        "model_build_s": round(build_s, 3),
        "rows": int(model.matrix.shape[0]),
        "columns": int(model.matrix.shape[1]),
        "binaries": int(model.var_candidate.shape[0]),
        "nonzeros": int(model.matrix.nnz),
        "lp_bound_residual_risk": round(float(result.fun), 3) if result.x is not None else None,
    }


def _plan_summary(plan: Plan, wall_s: float, time_limit_s: float) -> dict[str, Any]:
    return {
        "status": plan.status,
        "proven_optimal": plan.proven_optimal,
        "time_limit_hit": plan.status in {"time_limit", "no_solution"} or plan.solve_s >= time_limit_s,
        "mip_gap": plan.mip_gap,
        "solve_s": round(plan.solve_s, 3),
        "wall_s": round(wall_s, 3),
        "funded": len(plan.chosen),
        "cost_eur": round(plan.total_cost_eur),
        "risk_before": round(plan.risk_before, 2),
        "residual_risk": round(plan.residual_risk, 2),
        "risk_removed_pct": round(100 * plan.risk_removed / plan.risk_before, 2),
        "violations": len(plan.violations),
    }


def _frontier(problem: Problem, args: argparse.Namespace) -> dict[str, Any]:
    low, high = FRONTIER_SHARES
    whole = problem.budget_eur / BUDGET_SHARE
    budgets = [whole * (low + (high - low) * k / max(args.frontier - 1, 1)) for k in range(args.frontier)]
    bindings = _invest._HIGHS
    if args.cold_frontier:
        _invest._HIGHS = None  # every solve through `scipy.optimize.milp`, from nothing
    t0 = time.perf_counter()
    try:
        points = frontier(
            problem,
            budgets,
            time_limit_s=args.frontier_time_limit,
            mip_rel_gap=args.frontier_gap,
            workers=args.workers,
        )
    finally:
        _invest._HIGHS = bindings
    total_s = time.perf_counter() - t0
    residuals = [p.residual_risk for p in points if p.residual_risk is not None]
    return {
        "budgets": len(budgets),
        "mip_rel_gap": args.frontier_gap,
        "time_limit_per_budget_s": args.frontier_time_limit,
        "workers": args.workers,
        "warm_start": not args.cold_frontier and bindings is not None,
        "total_s": round(total_s, 2),
        "proven_optimal": sum(p.plan.proven_optimal for p in points),
        "time_limit_hit": sum(p.plan.status in {"time_limit", "no_solution"} for p in points),
        "largest_gap": max((p.plan.mip_gap or 0.0 for p in points), default=None),
        # each point is within its gap of the optimum, so a larger budget may look worse by that much
        "residual_never_grows_beyond_gap": all(
            b <= a * (1 + args.frontier_gap) for a, b in itertools.pairwise(residuals)
        ),
        "points": [
            {
                "budget_eur": round(p.budget_eur),
                "residual_risk": None if p.residual_risk is None else round(p.residual_risk, 2),
                "cost_eur": round(p.cost_eur),
                "funded": p.plan_size,
                "status": p.plan.status,
                "mip_gap": p.plan.mip_gap,
                "solve_s": round(p.plan.solve_s, 2),
            }
            for p in points
        ],
    }


def _plan_page(problem: Problem, args: argparse.Namespace) -> dict[str, Any]:
    """What a plan's page computes in the background (`pactesur.measures.planning.solve`)."""
    shares = [round(0.1 * n, 1) for n in range(1, 21)]  # planning.FRONTIER_SHARES
    budgets = [problem.budget_eur * share for share in shares]
    t0 = time.perf_counter()
    study = study_plan(problem, budgets, workers=args.workers)
    total_s = time.perf_counter() - t0
    points = study.frontier
    return {
        "budgets": len(budgets),
        "workers": args.workers,
        "time_limit_s": _invest.TIME_LIMIT_S,
        "frontier_time_limit_s": _invest.FRONTIER_TIME_LIMIT_S,
        "frontier_rel_gap": _invest.FRONTIER_REL_GAP,
        "total_s": round(total_s, 1),
        "best_plan_s": round(study.plan.solve_s, 1),
        "best_plan_status": study.plan.status,
        "proven_optimal": sum(p.plan.proven_optimal for p in points),
        "largest_gap": max((p.plan.mip_gap or 0.0 for p in points), default=None),
        "points": [
            {
                "share": share,
                "status": p.plan.status,
                "mip_gap": p.plan.mip_gap,
                "solve_s": round(p.plan.solve_s, 2),
            }
            for share, p in zip(shares, points, strict=True)
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spaces", type=int, default=1000)
    parser.add_argument("--frontier", type=int, default=20, help="budgets on the frontier")
    parser.add_argument("--gap", type=float, default=1e-4, help="relative MIP gap of the best plan")
    parser.add_argument("--time-limit", type=float, default=120.0, help="HiGHS limit of the best plan, s")
    parser.add_argument("--frontier-gap", type=float, default=1e-3)
    parser.add_argument("--frontier-time-limit", type=float, default=15.0, help="HiGHS limit per budget, s")
    parser.add_argument("--workers", type=int, default=2, help="frontier threads")
    parser.add_argument("--quick", action="store_true", help="200 spaces, 5 budgets (CI)")
    parser.add_argument("--cold-frontier", action="store_true", help="frontier without warm starts")
    parser.add_argument("--plan-page", action="store_true", help="the plan page's computation (--quick)")
    args = parser.parse_args()
    if args.quick:
        args.spaces, args.frontier = 200, 5
    started = time.perf_counter()
    problem = synthetic_city(args.spaces)
    small = synthetic_city(SMALL_CITY_SPACES, seed=2)
    print("[bench] baselines", file=sys.stderr, flush=True)
    baseline = _lp_relaxation(problem)
    t0 = time.perf_counter()
    small_plan = best_plan(small, mip_rel_gap=args.gap, time_limit_s=args.time_limit)
    baseline.update(
        {
            "small_city_spaces": SMALL_CITY_SPACES,
            "small_city_s": round(time.perf_counter() - t0, 3),
            "small_city_status": small_plan.status,
            "small_city_mip_gap": small_plan.mip_gap,
        }
    )
    print("[bench] best plan", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    plan = best_plan(problem, mip_rel_gap=args.gap, time_limit_s=args.time_limit)
    best = _plan_summary(plan, time.perf_counter() - t0, args.time_limit)
    best.update({"mip_rel_gap": args.gap, "time_limit_s": args.time_limit})
    if baseline["lp_bound_residual_risk"] is not None:
        best["over_lp_bound_pct"] = round(
            100 * (plan.residual_risk / baseline["lp_bound_residual_risk"] - 1), 4
        )
    best["over_lp_relaxation_time"] = round(plan.solve_s / baseline["lp_relaxation_s"], 2)
    print("[bench] greedy", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    greedy = greedy_plan(problem)
    greedy_s = time.perf_counter() - t0
    extra = greedy.residual_risk - plan.residual_risk
    print("[bench] frontier", file=sys.stderr, flush=True)
    front = _frontier(problem, args)
    page = None
    if args.plan_page or not args.quick:
        print("[bench] plan page", file=sys.stderr, flush=True)
        page = _plan_page(problem, args)
    print(
        json.dumps(
            {
                "machine": {
                    "cpus": os.cpu_count(),
                    "python": sys.version.split()[0],
                    "scipy": scipy.__version__,
                },
                "city": {
                    "spaces": len(problem.spaces),
                    "candidates": len(problem.candidates),
                    "scenarios_per_space": len(ATTACKS),
                    "exclusion_groups": len(problem.exclusions),
                    "requirements": len(problem.requirements),
                    "protected_spaces": sum(s.max_residual_risk is not None for s in problem.spaces),
                    "budget_eur": round(problem.budget_eur),
                    "cost_range_eur": [
                        min(c.cost_eur for c in problem.candidates),
                        max(c.cost_eur for c in problem.candidates),
                    ],
                },
                "baseline": baseline,
                "best_plan": best,
                "greedy": {
                    "s": round(greedy_s, 3),
                    "funded": len(greedy.chosen),
                    "cost_eur": round(greedy.total_cost_eur),
                    "residual_risk": round(greedy.residual_risk, 2),
                    "extra_residual_risk": round(extra, 2),
                    "extra_residual_pct": round(100 * extra / plan.residual_risk, 3),
                    "violations": len(greedy.violations),
                },
                "frontier": front,
                "plan_page": page,
                "bench_wall_s": round(time.perf_counter() - started, 1),
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
