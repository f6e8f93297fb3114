"""Choose which security measures to fund so that a city's residual risk is lowest within its budget.

A city has spaces, each with its current risk (the sum of its scenario scores), and candidate
measures: a catalogue measure placed at one space, with a capital cost, a yearly maintenance cost,
the risk it removes at its space when alone, and a security-by-design integration score (0–5).
`best_plan` chooses the candidates to fund, and with yearly budgets the year each is funded in,
by solving one mixed-integer programme with HiGHS (`scipy.optimize.milp`); `greedy_plan` is the
classic cost-effectiveness heuristic to compare with; `frontier` and `neighbours` show what more or
less money would buy; `study_plan` does all of it at once, each solve started from the best plan
already known that fits its budget; `evaluate_plan` scores a plan the caller chose.

The model (docs/risk-method.md §5 is the what-if it follows):

- **Overlap.** Measures combine as independent layers, as in the what-if: each measure leaves a
  share of a scenario's risk, ``1 − reduction/risk``, and the shares of the chosen measures
  multiply, so two measures that each remove half leave a quarter, not nothing. Risk given per
  scenario is combined per scenario (a barrier does not eat into the CCTV's effect on hostile
  reconnaissance); a reduction given as one number removes the same share of every scenario of
  its space. With ``L = Σ −ln(share left)``, linear in the choices, the residual ``risk·e^(−L)`` is
  convex; the programme follows it by chords (continuous pieces, filled steepest first), at most
  ``residual_tolerance`` (0.3 %) of the scenario's risk above the exact product; plans report
  the exact product.
- **Phasing.** Without yearly budgets the plan has one period. With them, each chosen candidate is
  funded in exactly one allowed year; a year's spending is the capital of what is funded in it
  plus the maintenance of what was funded in earlier plan years (maintenance starts the year after
  funding). The total budget caps capital plus that maintenance plus `maintenance_years` further
  years of it (whole-life cost; 0 by default, capital only in a one-period plan).
- **Integration.** `integration_floor` removes candidates scoring below it; `mean_integration_floor`
  asks the mean score of the chosen candidates to reach it (one linear row), so one poorly
  integrated but effective measure can be balanced by well-integrated ones.
- **Exclusions and requirements.** At most one candidate of an exclusion group is funded; a
  requirement ``(a, b)`` funds `a` only with `b`, and with phasing not before `b`.
- **Minimum protection** caps a space's residual risk (or floors the risk removed): exactly for
  each scenario, and for their sum up to the chord tolerance. An impossible one makes the plan
  infeasible, with the reason.

- **Warm starts.** A plan that fits a budget fits every larger one (only the total budget changes
  between the points of a frontier), so each solve is given the best plan already found that fits
  its budget as HiGHS's first incumbent: HiGHS prunes with it from the start, and a frontier
  solved budget after budget never leaves more modelled risk at a larger budget.
  `scipy.optimize.milp` takes no starting point, so these solves go through the HiGHS bindings
  scipy ships (`_highs_start`); without them (another scipy) every solve starts cold.

What a plan says about itself — why it is infeasible, what the solver did — comes as notes
(`Note`): a code and its figures, for callers to word in their reader's language, beside the
English sentence.
"""

from __future__ import annotations

import dataclasses
import importlib
import math
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import KW_ONLY, dataclass
from functools import lru_cache
from typing import Any, Literal

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, OptimizeResult, milp

from pactesur.engine._arrays import BoolArray, FloatArray, IntArray
from pactesur.engine.errors import EngineError

# Largest share of a scenario's risk the chords may rise above the exact residual (assumption:
# 0.3 %, a tenth of what the what-if's one-decimal rounding of P and C moves a score, 1–3 %).
RESIDUAL_TOLERANCE: float = 3e-3
# Share of risk a measure that removes all of it is taken to leave, so that its logarithm is finite
# (assumption; 1 in a million is nothing at the scale of 5 × 5 or FEMA scores).
FULL_REMOVAL_SHARE_LEFT: float = 1e-6
# HiGHS stops, and the plan counts as proven optimal, within this relative gap (HiGHS's default).
MIP_REL_GAP: float = 1e-4
# Wall-clock limit of one HiGHS solve, s (assumption: long enough for a city of a few hundred spaces,
# short enough that a plan of 1,000 spaces is ready within minutes in the background).
TIME_LIMIT_S: float = 60.0
# A frontier point is a dot on a chart and a line of a table: within 0.1 % of the least residual
# risk is closer than the chart or the chords (0.3 %) can tell (assumption), and each point has
# its own wall-clock limit, s (assumption: 20 points of a 1,000-space city in a few minutes; at
# 15 s the root LP of the larger budgets did not always finish there on a loaded machine).
FRONTIER_REL_GAP: float = 1e-3
FRONTIER_TIME_LIMIT_S: float = 30.0
# HiGHS's presolve spends most of a solve on the dense budget row of these models (measured on a
# synthetic city of 1,000 spaces: 34 s of a 51 s solve; without it the solve took 26 s), so off.
HIGHS_PRESOLVE: bool = False
# The whole spending of a plan weighs at most this share of the city's risk in the objective, so
# cost only breaks ties between plans that leave the same risk (assumption).
COST_TIE_BREAK_SHARE: float = 1e-6
# Integration scores are the mean of the five security-by-design principles, each rated 0–5
# (JRC Security by Design handbook, 2023; risk-assessment.md §7).
INTEGRATION_MAX: float = 5.0
# Budget step of `neighbours`, a share of the budget (assumption).
NEIGHBOUR_STEP: float = 0.10
# Relative slack when checking a plan against budgets and ceilings (floating-point noise).
CHECK_SLACK: float = 1e-6
# The scenario name of a space whose risk is given as one number.
WHOLE_SPACE: str = ""
# ln of the share a measure that removes all of a scenario's risk leaves in the exact product:
# finite so that it can be summed and taken back out; a sum at or below it means nothing is left.
NOTHING_LEFT_LOG: float = math.log(1e-300)
# How many spaces an infeasibility reason names before "and N more".
REASON_NAMES: int = 5

PlanStatus = Literal["optimal", "time_limit", "infeasible", "no_solution", "failed", "heuristic", "evaluated"]


class InvestInputError(EngineError, ValueError):
    """An investment problem cannot be solved as given: a negative cost or budget, an unknown id…"""


NoteFigure = float | int | str | tuple[str, ...]


@dataclass(frozen=True)
class Note:
    """One sentence of what a plan says about itself: a code and its figures, and the English text.

    Codes of infeasibility reasons (`Plan.infeasible_notes`), with their figures:

    - ``protection_out_of_reach``: `space` (id) keeps `residual` risk points with all its
      `candidates` fundable candidates, above its ceiling `ceiling`.
    - ``rules_conflict``: the minimum protection of `spaces` (ids) cannot be met together with the
      exclusions, requirements, allowed years and integration floors.
    - ``diagnosis_timed_out``: that of `spaces` cannot be met; the solver ran out of time finding why.
    - ``budget_too_small``: meeting that of `spaces` costs at least `cheapest_eur`, more than
      `budget_eur`.
    - ``yearly_budgets_too_small``: it fits the total budget (`cheapest_eur` of `budget_eur`) but
      not the yearly budgets.

    Codes of the solver's message (`Plan.message_notes`): ``protection_out_of_reach`` (no solve
    was needed to know), ``nothing_fundable``, ``solver_optimal``, ``solver_time_limit``
    (`time_limit_s`), ``solver_infeasible``, ``solver_unbounded``, ``solver_failed`` (each solver
    note with HiGHS's `status` and `solver_message`), ``greedy_better`` (the greedy plan replaced
    HiGHS's best plan found in time), ``greedy`` (`greedy_plan`'s).
    """

    code: str
    figures: Mapping[str, NoteFigure]
    text: str

    def as_json(self) -> dict[str, Any]:
        """The note as JSON: {"code", "figures", "text"} (tuples as lists)."""
        figures = {k: list(v) if isinstance(v, tuple) else v for k, v in self.figures.items()}
        return {"code": self.code, "figures": figures, "text": self.text}


@dataclass(frozen=True)
class Space:
    """A public space and the risk it carries now.

    Attributes
    ----------
    id : the caller's id, unique in the problem.
    risk : current risk in risk points, one number (the sum of its scenario scores) or per
        scenario (attack type → score); per scenario, measures combine scenario by scenario.
    max_residual_risk : minimum protection, as a ceiling on the risk the plan leaves here.
    min_risk_removed : minimum protection, as a floor on the risk the plan removes here; with both,
        the stricter binds.
    """

    id: str
    risk: float | Mapping[str, float]
    _: KW_ONLY
    max_residual_risk: float | None = None
    min_risk_removed: float | None = None

    @property
    def total_risk(self) -> float:
        """The space's risk, summed over its scenarios."""
        if isinstance(self.risk, Mapping):
            return float(sum(self.risk.values()))
        return float(self.risk)


@dataclass(frozen=True)
class Candidate:
    """A catalogue measure placed at one space, which the plan may fund.

    Attributes
    ----------
    id : the caller's id, unique in the problem.
    space_id : the id of its space.
    cost_eur : capital cost.
    risk_reduction : risk points it removes at its space when it is the only measure funded there:
        one number (the same share of every scenario) or per scenario of the space.
    integration_score : security-by-design score, 0–5 (mean of accessibility,
        multi-functionality, sustainability, proportionality and aesthetics).
    maintenance_eur_per_year : yearly maintenance, from the year after funding.
    earliest_year, years : with yearly budgets, the years it may be funded in (both apply);
        ignored without them.
    tags : the caller's labels; the optimiser does not read them.
    """

    id: str
    space_id: str
    cost_eur: float
    risk_reduction: float | Mapping[str, float]
    integration_score: float
    _: KW_ONLY
    maintenance_eur_per_year: float = 0.0
    earliest_year: int | None = None
    years: Collection[int] | None = None
    tags: Collection[str] = ()


@dataclass(frozen=True)
class Problem:
    """A city's spaces, its candidate measures, its budgets and the rules a plan must follow.

    Attributes
    ----------
    spaces, candidates : the data.
    budget_eur : cap on the plan's total spending (capital, maintenance inside the plan years, and
        `maintenance_years` more years of maintenance).
    yearly_budgets_eur : consecutive plan years → that year's budget; phases the plan.
    maintenance_years : years of maintenance after the plan counted in the total budget.
    exclusions : groups of candidate ids of which at most one is funded (a pair is the usual case:
        two barrier types for the same entry).
    requirements : pairs ``(a, b)``: `a` is funded only if `b` is (and, phased, not before `b`).
    integration_floor : candidates scoring below it are not funded.
    mean_integration_floor : the mean score of the funded candidates reaches it.
    """

    spaces: Sequence[Space]
    candidates: Sequence[Candidate]
    budget_eur: float
    _: KW_ONLY
    yearly_budgets_eur: Mapping[int, float] | None = None
    maintenance_years: int = 0
    exclusions: Sequence[Collection[str]] = ()
    requirements: Sequence[tuple[str, str]] = ()
    integration_floor: float | None = None
    mean_integration_floor: float | None = None


@dataclass(frozen=True)
class Choice:
    """A funded candidate, and why it is worth its money.

    Attributes
    ----------
    candidate_id, space_id : ids.
    year : the year it is funded in, None without yearly budgets.
    cost_eur : what it counts against the total budget (capital and counted maintenance).
    risk_reduction : risk points it removes when alone at its space.
    marginal_risk_removed : risk points the plan would leave more if it alone were dropped, the
        rest kept (smaller than `risk_reduction` when other measures overlap it).
    risk_removed_per_eur, marginal_risk_removed_per_eur : the two above per euro of `cost_eur`;
        None for a free measure.
    """

    candidate_id: str
    space_id: str
    year: int | None
    cost_eur: float
    risk_reduction: float
    marginal_risk_removed: float
    risk_removed_per_eur: float | None
    marginal_risk_removed_per_eur: float | None


@dataclass(frozen=True)
class Plan:
    """Which candidates to fund, what it costs and what risk it leaves.

    Attributes
    ----------
    status : ``optimal`` (proven within `mip_rel_gap`), ``time_limit`` (best plan found when time
        ran out), ``infeasible`` (see `infeasible_notes`), ``no_solution`` (time ran out before
        any plan), ``failed`` (solver error, see `message`), ``heuristic`` (`greedy_plan`),
        ``evaluated`` (`evaluate_plan`). Without a plan, `chosen` is empty and the figures are
        those of funding nothing.
    proven_optimal : True when HiGHS proved no plan is better by more than the gap.
    chosen : the funded candidates, in the problem's order.
    risk_before, residual_risk, risk_removed : city totals, risk points (exact product model).
    residual_by_space : space id → residual risk.
    total_cost_eur : spending counted against the total budget; `capital_cost_eur` and
        `maintenance_cost_eur` split it.
    spending_by_year_eur : plan year → spending counted against that year's budget (empty
        without yearly budgets).
    mip_gap : HiGHS's gap as a share of the plan's modelled residual risk, None for plans not from
        the solver.
    solve_s : wall time of the solver (or heuristic).
    infeasible_notes : what makes the problem infeasible, each with what to change (`Note`);
        `infeasible_reasons` gives their English sentences.
    violations : constraints a heuristic or caller's plan breaks.
    message : the solver's message, in English.
    message_notes : the same as codes and figures (`Note`).
    """

    status: PlanStatus
    proven_optimal: bool
    chosen: tuple[Choice, ...]
    risk_before: float
    residual_risk: float
    risk_removed: float
    residual_by_space: dict[str, float]
    total_cost_eur: float
    capital_cost_eur: float
    maintenance_cost_eur: float
    spending_by_year_eur: dict[int, float]
    mip_gap: float | None
    solve_s: float
    infeasible_notes: tuple[Note, ...] = ()
    violations: tuple[str, ...] = ()
    message: str = ""
    message_notes: tuple[Note, ...] = ()

    @property
    def infeasible_reasons(self) -> tuple[str, ...]:
        """What makes the problem infeasible, in English sentences a user can act on."""
        return tuple(note.text for note in self.infeasible_notes)

    @property
    def chosen_ids(self) -> tuple[str, ...]:
        """The ids of the funded candidates."""
        return tuple(c.candidate_id for c in self.chosen)

    @property
    def has_plan(self) -> bool:
        """False when the solver returned no plan (infeasible, no solution in time, failure)."""
        return self.status not in {"infeasible", "no_solution", "failed"}


@dataclass(frozen=True)
class FrontierPoint:
    """The best plan at one budget.

    Attributes
    ----------
    budget_eur : the total budget.
    residual_risk : the plan's residual risk; None without a plan.
    cost_eur : its total cost.
    plan_size : how many candidates it funds.
    plan : the plan itself.
    """

    budget_eur: float
    residual_risk: float | None
    cost_eur: float
    plan_size: int
    plan: Plan


@dataclass(frozen=True)
class Neighbour:
    """The best plan at a nearby budget and how it differs from the best plan at the budget.

    Attributes
    ----------
    budget_eur : the nearby budget.
    plan : its best plan.
    added, removed : candidate ids it funds that the base plan does not, and the other way round.
    rescheduled : candidate ids both fund, in different years.
    residual_change : its residual risk minus the base plan's (negative: it leaves less).
    cost_change_eur : its cost minus the base plan's.
    """

    budget_eur: float
    plan: Plan
    added: tuple[str, ...]
    removed: tuple[str, ...]
    rescheduled: tuple[str, ...]
    residual_change: float
    cost_change_eur: float


@dataclass(frozen=True)
class Neighbours:
    """The best plan at the budget, and at the budgets just below and above it."""

    plan: Plan
    below: Neighbour | None
    above: Neighbour


@dataclass(frozen=True)
class _Prepared:
    """A validated problem as arrays. A pool is one scenario of one space (or a whole space)."""

    problem: Problem
    space_ids: tuple[str, ...]
    space_risk: FloatArray
    ceiling: FloatArray  # per space; inf without minimum protection
    pool_space: IntArray
    pool_risk: FloatArray
    log_left: sparse.csc_array  # pools × candidates: ln of the share of the pool's risk left (≤ 0)
    candidate_index: dict[str, int]
    candidate_space: IntArray
    alone: FloatArray  # risk points each candidate removes alone
    capital: FloatArray
    maintenance: FloatArray
    integration: FloatArray
    years: tuple[int, ...]  # plan years; empty without yearly budgets (one period)
    allowed: tuple[tuple[int, ...], ...]  # periods each candidate may be funded in
    fundable: BoolArray  # has an allowed period and passes the integration floor
    exclusions: tuple[tuple[int, ...], ...]
    requirements: tuple[tuple[int, int], ...]

    @property
    def periods(self) -> int:
        return max(1, len(self.years))

    def counted_cost(self, i: int, period: int) -> float:
        """Capital plus the maintenance the total budget counts, for candidate `i` in `period`."""
        years_maintained = self.periods - 1 - period + self.problem.maintenance_years
        return float(self.capital[i] + self.maintenance[i] * years_maintained)

    def year_of(self, period: int) -> int | None:
        return self.years[period] if self.years else None


@dataclass(frozen=True)
class _Model:
    """The MILP's arrays, built once and solved for any total budget."""

    var_candidate: IntArray  # per binary variable
    var_period: IntArray
    var_cost: FloatArray  # counted cost per binary variable
    cost_scale: float  # euros per unit of the budget rows
    objective: FloatArray
    integrality: IntArray
    lower: FloatArray
    upper: FloatArray
    matrix: sparse.csr_array
    row_lower: FloatArray
    row_upper: FloatArray
    budget_row: int
    yearly_rows: tuple[int, ...]
    segments: _Segments


class _Rows:
    """Rows of a sparse constraint matrix, gathered as coordinate triplets."""

    def __init__(self) -> None:
        self.row: list[IntArray] = []
        self.col: list[IntArray] = []
        self.value: list[FloatArray] = []
        self.lower: list[FloatArray] = []
        self.upper: list[FloatArray] = []
        self.count = 0

    def block(self, row: Any, col: Any, value: Any, lower: Any, upper: Any) -> int:
        """Add rows ``count + row``; return the index of the first."""
        first = self.count
        lower_a = np.atleast_1d(np.asarray(lower, np.float64))
        self.row.append(first + np.asarray(row, np.int64))
        self.col.append(np.asarray(col, np.int64))
        self.value.append(np.asarray(value, np.float64))
        self.lower.append(lower_a)
        self.upper.append(np.broadcast_to(np.asarray(upper, np.float64), lower_a.shape).copy())
        self.count += lower_a.shape[0]
        return first

    def one(self, col: Sequence[int], value: Sequence[float], lower: float, upper: float) -> int:
        return self.block(np.zeros(len(col), np.int64), col, value, [lower], [upper])

    def build(self, columns: int) -> tuple[sparse.csr_array, FloatArray, FloatArray]:
        if not self.row:
            empty = np.empty(0)
            return sparse.csr_array((0, columns)), empty, empty
        matrix = sparse.csr_array(
            (np.concatenate(self.value), (np.concatenate(self.row), np.concatenate(self.col))),
            shape=(self.count, columns),
        )
        return matrix, np.concatenate(self.lower), np.concatenate(self.upper)


# ---------------------------------------------------------------------------------------------
# Validation


def _checked(value: float | None, what: str, *, upper: float = math.inf) -> float:
    if value is None or not math.isfinite(value) or not 0.0 <= value <= upper:
        bound = "" if math.isinf(upper) else f" and at most {upper:g}"
        raise InvestInputError(f"{what} must be a number of at least 0{bound}; it is {value!r}.")
    return float(value)


def _unique(ids: Sequence[str], what: str) -> dict[str, int]:
    index: dict[str, int] = {}
    for i, key in enumerate(ids):
        if key in index:
            raise InvestInputError(f"Two {what}s have the id {key!r}; give each its own id.")
        index[key] = i
    return index


def _plan_years(problem: Problem) -> tuple[int, ...]:
    _checked(problem.budget_eur, "The budget (budget_eur)")
    if problem.maintenance_years < 0:
        raise InvestInputError(f"maintenance_years must be 0 or more; it is {problem.maintenance_years}.")
    if not problem.yearly_budgets_eur:
        return ()
    years = tuple(sorted(problem.yearly_budgets_eur))
    if years != tuple(range(years[0], years[0] + len(years))):
        raise InvestInputError(f"Yearly budgets must cover consecutive years; they cover {list(years)}.")
    for year, amount in problem.yearly_budgets_eur.items():
        _checked(amount, f"The budget of {year}")
    return years


def _space_pools(space: Space) -> dict[str, float]:
    _checked(space.total_risk if math.isfinite(space.total_risk) else None, f"The risk of space {space.id!r}")
    if not isinstance(space.risk, Mapping):
        return {WHOLE_SPACE: float(space.risk)}
    for scenario, score in space.risk.items():
        _checked(score, f"The risk of scenario {scenario!r} at space {space.id!r}")
    return {scenario: float(score) for scenario, score in space.risk.items()}


def _space_ceiling(space: Space, risk: float) -> float:
    ceiling = math.inf
    if space.max_residual_risk is not None:
        ceiling = _checked(space.max_residual_risk, f"max_residual_risk of space {space.id!r}")
    if space.min_risk_removed is not None:
        removed = _checked(space.min_risk_removed, f"min_risk_removed of space {space.id!r}")
        if removed > risk * (1.0 + CHECK_SLACK):
            raise InvestInputError(
                f"Space {space.id!r} asks to remove {removed:g} risk points but carries only {risk:g}."
            )
        ceiling = min(ceiling, max(0.0, risk - removed))
    return ceiling


def _shares_left(
    candidate: Candidate, pools: Mapping[str, float], total: float
) -> dict[str, tuple[float, float]]:
    """Per scenario of the candidate's space: (share of its risk left, risk points removed)."""
    where = f"candidate {candidate.id!r}"
    if not isinstance(candidate.risk_reduction, Mapping):
        reduction = _checked(candidate.risk_reduction, f"The risk reduction of {where}")
        share = min(reduction / total, 1.0) if total > 0.0 else 0.0
        return {name: (1.0 - share, risk * share) for name, risk in pools.items()}
    if WHOLE_SPACE in pools and len(pools) == 1:
        raise InvestInputError(
            f"The reduction of {where} is given per scenario but its space's risk is one number; "
            "give both per scenario or both as one number."
        )
    result: dict[str, tuple[float, float]] = {}
    for name, value in candidate.risk_reduction.items():
        reduction = _checked(value, f"The risk reduction of {where} on {name!r}")
        if name not in pools:
            raise InvestInputError(f"{where.capitalize()} reduces scenario {name!r}, which its space lacks.")
        risk = pools[name]
        share = min(reduction / risk, 1.0) if risk > 0.0 else 0.0
        result[name] = (1.0 - share, risk * share)
    return result


def _candidate_periods(candidate: Candidate, years: tuple[int, ...]) -> tuple[int, ...]:
    if not years:
        return (0,)
    allowed = set(years) if candidate.years is None else set(candidate.years)
    earliest = -math.inf if candidate.earliest_year is None else candidate.earliest_year
    return tuple(p for p, year in enumerate(years) if year in allowed and year >= earliest)


def _links(
    problem: Problem, index: dict[str, int]
) -> tuple[tuple[tuple[int, ...], ...], tuple[tuple[int, int], ...]]:
    def known(key: str, what: str) -> int:
        if key not in index:
            raise InvestInputError(f"{what} names candidate {key!r}, which is not in the problem.")
        return index[key]

    groups = []
    for group in problem.exclusions:
        members = tuple(dict.fromkeys(known(k, "An exclusion") for k in group))
        if len(members) < 2:
            raise InvestInputError(f"An exclusion needs two different candidates; it has {sorted(group)}.")
        groups.append(members)
    pairs = []
    for needing, needed in problem.requirements:
        a, b = known(needing, "A requirement"), known(needed, "A requirement")
        if a == b:
            raise InvestInputError(f"Candidate {needing!r} cannot require itself.")
        pairs.append((a, b))
    return tuple(groups), tuple(pairs)


def _prepare(problem: Problem) -> _Prepared:
    """Validate `problem` and turn it into arrays; raise `InvestInputError` on impossible input."""
    years = _plan_years(problem)
    for floor, name in (
        (problem.integration_floor, "integration_floor"),
        (problem.mean_integration_floor, "mean_integration_floor"),
    ):
        if floor is not None:
            _checked(floor, name, upper=INTEGRATION_MAX)
    space_index = _unique([s.id for s in problem.spaces], "space")
    candidate_index = _unique([c.id for c in problem.candidates], "candidate")
    pools: list[dict[str, float]] = [_space_pools(s) for s in problem.spaces]
    space_risk = np.array([sum(p.values()) for p in pools], np.float64)
    ceiling = np.array([_space_ceiling(s, float(r)) for s, r in zip(problem.spaces, space_risk, strict=True)])
    pool_of: list[dict[str, int]] = []
    pool_space: list[int] = []
    pool_risk: list[float] = []
    for s, scenarios in enumerate(pools):
        pool_of.append({})
        for name, risk in scenarios.items():
            if risk > 0.0:
                pool_of[s][name] = len(pool_risk)
                pool_space.append(s)
                pool_risk.append(risk)
    rows: list[int] = []
    cols: list[int] = []
    logs: list[float] = []
    n = len(problem.candidates)
    candidate_space = np.zeros(n, np.int64)
    alone, capital, maintenance, integration = (np.zeros(n) for _ in range(4))
    for i, c in enumerate(problem.candidates):
        if c.space_id not in space_index:
            raise InvestInputError(
                f"Candidate {c.id!r} is placed at space {c.space_id!r}, which is not in the problem."
            )
        s = space_index[c.space_id]
        candidate_space[i] = s
        capital[i] = _checked(c.cost_eur, f"The cost of candidate {c.id!r}")
        maintenance[i] = _checked(c.maintenance_eur_per_year, f"The maintenance of candidate {c.id!r}")
        integration[i] = _checked(
            c.integration_score, f"The integration score of candidate {c.id!r}", upper=INTEGRATION_MAX
        )
        for name, (left, removed) in _shares_left(c, pools[s], float(space_risk[s])).items():
            alone[i] += removed
            if left < 1.0 and name in pool_of[s]:
                rows.append(pool_of[s][name])
                cols.append(i)
                logs.append(max(math.log(left), NOTHING_LEFT_LOG) if left > 0.0 else NOTHING_LEFT_LOG)
    allowed = tuple(_candidate_periods(c, years) for c in problem.candidates)
    floor = problem.integration_floor
    fundable = np.array([bool(a) for a in allowed], dtype=bool)
    if floor is not None:
        fundable &= integration >= floor
    exclusions, requirements = _links(problem, candidate_index)
    return _Prepared(
        problem=problem,
        space_ids=tuple(space_index),
        space_risk=space_risk,
        ceiling=ceiling,
        pool_space=np.array(pool_space, np.int64),
        pool_risk=np.array(pool_risk, np.float64),
        log_left=sparse.csc_array((logs, (rows, cols)), shape=(len(pool_risk), n)),
        candidate_index=candidate_index,
        candidate_space=candidate_space,
        alone=alone,
        capital=capital,
        maintenance=maintenance,
        integration=integration,
        years=years,
        allowed=allowed,
        fundable=fundable,
        exclusions=exclusions,
        requirements=requirements,
    )


# ---------------------------------------------------------------------------------------------
# The mixed-integer programme


@lru_cache(maxsize=8)
def _breakpoints(tolerance: float) -> FloatArray:
    """Return points of ``L`` whose chords of ``e^(−L)`` stay within `tolerance` above it.

    Each next point is the farthest whose chord from the last point rises at most `tolerance`
    above the curve (bisection); the list stops once the curve itself is below `tolerance`, past
    which the model keeps the share flat.
    """

    def gap(a: float, b: float) -> float:
        slope = (math.exp(-b) - math.exp(-a)) / (b - a)
        farthest = -math.log(-slope)  # where the curve is parallel to the chord
        return math.exp(-a) + slope * (farthest - a) - math.exp(-farthest)

    points = [0.0]
    while math.exp(-points[-1]) > tolerance:
        a = points[-1]
        low, high = a, a + 1.0
        while gap(a, high) <= tolerance:
            low, high = high, high + 1.0
        for _ in range(60):
            middle = 0.5 * (low + high)
            low, high = (middle, high) if gap(a, middle) <= tolerance else (low, middle)
        points.append(low)
    return np.array(points, np.float64)


@dataclass(frozen=True)
class _Segments:
    """The pieces of each pool's residual share: ``share = 1 + Σ slope·length used``."""

    pool: IntArray
    start: FloatArray  # where on L the piece starts
    slope: FloatArray  # change of the share per unit of L, < 0, steepest first
    length: FloatArray  # how much of L the piece takes, up to the pool's reach


def _variables(prep: _Prepared) -> tuple[IntArray, IntArray, list[list[int]]]:
    """One binary per fundable candidate and allowed period; the variables of each candidate."""
    var_candidate: list[int] = []
    var_period: list[int] = []
    of_candidate: list[list[int]] = [[] for _ in prep.allowed]
    for i in np.flatnonzero(prep.fundable).tolist():
        for period in prep.allowed[i]:
            of_candidate[i].append(len(var_candidate))
            var_candidate.append(i)
            var_period.append(period)
    return np.array(var_candidate, np.int64), np.array(var_period, np.int64), of_candidate


def _weights(prep: _Prepared) -> sparse.csc_array:
    """Pools × candidates: ``−ln(share left)``, capped where a measure removes everything."""
    weight = prep.log_left.copy()
    weight.data = np.minimum(-weight.data, -math.log(FULL_REMOVAL_SHARE_LEFT))
    return weight


def _pool_rows(rows: _Rows, prep: _Prepared, var_candidate: IntArray, tolerance: float) -> _Segments:
    """Cut each pool's share curve into chord pieces and link the pieces used to the choices.

    The pieces are continuous variables; since the curve is convex, the steepest pieces are the
    cheapest to fill, so no binary is needed to fill them in order.
    """
    n_x, n_pool = var_candidate.shape[0], prep.pool_risk.shape[0]
    weight = _weights(prep)
    reach = np.asarray(weight @ prep.fundable.astype(np.float64), np.float64)
    points = _breakpoints(tolerance)
    count = np.searchsorted(points[:-1], reach, side="left")  # pieces that start below the reach
    pool = np.repeat(np.arange(n_pool), count)
    j = np.arange(pool.size) - np.repeat(np.cumsum(count) - count, count)
    start, end = points[j], points[j + 1]
    slope = (np.exp(-end) - np.exp(-start)) / (end - start)
    segments = _Segments(pool=pool, start=start, slope=slope, length=np.minimum(end, reach[pool]) - start)
    # Σ pieces used − Σ w_ik·x_i ≤ 0: a pool's L is what its chosen measures give, at most
    chosen = sparse.coo_array(weight[:, var_candidate])
    rows.block(
        np.concatenate([chosen.row, pool]),
        np.concatenate([chosen.col, n_x + np.arange(pool.size)]),
        np.concatenate([-chosen.data, np.ones(pool.size)]),
        np.full(n_pool, -np.inf),
        np.zeros(n_pool),
    )
    return segments


def _rule_rows(rows: _Rows, prep: _Prepared, var_period: IntArray, of_candidate: list[list[int]]) -> None:
    """Once per candidate, exclusions, requirements (not before, when phased), mean integration."""
    for variables in of_candidate:
        if len(variables) > 1:
            rows.one(variables, [1.0] * len(variables), -np.inf, 1.0)
    for group in prep.exclusions:
        variables = [v for i in group for v in of_candidate[i]]
        if len(variables) > 1:
            rows.one(variables, [1.0] * len(variables), -np.inf, 1.0)
    for a, b in prep.requirements:
        for period in sorted({int(var_period[v]) for v in of_candidate[a]}):
            mine = [v for v in of_candidate[a] if var_period[v] <= period]
            theirs = [v for v in of_candidate[b] if var_period[v] <= period]
            rows.one(mine + theirs, [1.0] * len(mine) + [-1.0] * len(theirs), -np.inf, 0.0)
    floor = prep.problem.mean_integration_floor
    if floor is not None:
        variables = [v for vs in of_candidate for v in vs]
        scores = [float(prep.integration[i]) - floor for i, vs in enumerate(of_candidate) for _ in vs]
        rows.one(variables, scores, 0.0, np.inf)


def _budget_rows(
    rows: _Rows,
    prep: _Prepared,
    var_candidate: IntArray,
    var_period: IntArray,
    *,
    var_cost: FloatArray,
    scale: float,
) -> tuple[int, tuple[int, ...]]:
    """The total budget row (its bound set per solve) and one row per plan year, in `scale` euros."""
    n_x = var_candidate.shape[0]
    budget_row = rows.one(np.arange(n_x).tolist(), (var_cost / scale).tolist(), -np.inf, np.inf)
    yearly: list[int] = []
    budgets = prep.problem.yearly_budgets_eur or {}
    for period, year in enumerate(prep.years):
        # capital of what is funded this year, maintenance of what was funded before
        value = np.where(
            var_period == period,
            prep.capital[var_candidate],
            np.where(var_period < period, prep.maintenance[var_candidate], 0.0),
        )
        used = np.flatnonzero(value)
        yearly.append(rows.one(used.tolist(), (value[used] / scale).tolist(), -np.inf, budgets[year] / scale))
    return budget_row, tuple(yearly)


def _protection_rows(
    rows: _Rows, prep: _Prepared, var_candidate: IntArray, segments: _Segments, tolerance: float
) -> None:
    """Minimum protection: exact per scenario, and on the space's modelled residual within tolerance.

    Each scenario alone must get down to the ceiling, ``Σ w_ik·x_i ≥ ln(risk_k / ceiling)``
    (exact); a space of several scenarios also caps the sum of their modelled residuals, which lie
    at most `tolerance` of the risk above the exact ones.
    """
    n_x = var_candidate.shape[0]
    weight = _weights(prep)
    floor_left = np.maximum(prep.ceiling[prep.pool_space], prep.pool_risk * FULL_REMOVAL_SHARE_LEFT)
    need = np.log(np.maximum(prep.pool_risk / floor_left, 1.0))
    for k in np.flatnonzero(need > 0.0).tolist():
        column = sparse.coo_array(weight[[k], :][:, var_candidate])
        rows.one(column.col.tolist(), column.data.tolist(), float(need[k]), np.inf)
    for s in np.flatnonzero(np.isfinite(prep.ceiling)).tolist():
        pools = np.flatnonzero(prep.pool_space == s)
        if pools.size < 2:
            continue
        pieces = np.flatnonzero(np.isin(segments.pool, pools))
        risk = prep.pool_risk[segments.pool[pieces]]
        room = float(prep.ceiling[s] + tolerance * prep.space_risk[s] - prep.pool_risk[pools].sum())
        rows.one((n_x + pieces).tolist(), (risk * segments.slope[pieces]).tolist(), -np.inf, room)


def _build_model(prep: _Prepared, tolerance: float) -> _Model:
    """Build the MILP's arrays (scipy.sparse), once per problem whatever the total budget."""
    if not 0.0 < tolerance < 1.0:
        raise InvestInputError(f"residual_tolerance must be between 0 and 1; it is {tolerance!r}.")
    var_candidate, var_period, of_candidate = _variables(prep)
    n_x = var_candidate.shape[0]
    years_maintained = prep.periods - 1 - var_period + prep.problem.maintenance_years
    var_cost = prep.capital[var_candidate] + prep.maintenance[var_candidate] * years_maintained
    # budget rows in units of the dearest candidate, so that their coefficients are near 1
    scale = max(float(var_cost.max(initial=0.0)), 1.0)
    rows = _Rows()
    segments = _pool_rows(rows, prep, var_candidate, tolerance)
    _rule_rows(rows, prep, var_period, of_candidate)
    budget_row, yearly_rows = _budget_rows(
        rows, prep, var_candidate, var_period, var_cost=var_cost, scale=scale
    )
    _protection_rows(rows, prep, var_candidate, segments, tolerance)
    n_pieces = segments.pool.shape[0]
    # one last column fixed at 1 carries the constant Σ risk_k, so that the objective is the
    # modelled residual risk itself and HiGHS's relative gap is a share of it
    matrix, row_lower, row_upper = rows.build(n_x + n_pieces + 1)
    tie_break = COST_TIE_BREAK_SHARE * float(prep.pool_risk.sum()) / max(float(var_cost.sum()), 1.0)
    objective = np.concatenate(
        [tie_break * var_cost, prep.pool_risk[segments.pool] * segments.slope, [prep.pool_risk.sum()]]
    )
    return _Model(
        var_candidate=var_candidate,
        var_period=var_period,
        var_cost=var_cost,
        cost_scale=scale,
        objective=objective,
        integrality=np.concatenate([np.ones(n_x, np.int64), np.zeros(n_pieces + 1, np.int64)]),
        lower=np.concatenate([np.zeros(n_x + n_pieces), [1.0]]),
        upper=np.concatenate([np.ones(n_x), segments.length, [1.0]]),
        matrix=matrix,
        row_lower=row_lower,
        row_upper=row_upper,
        budget_row=budget_row,
        yearly_rows=yearly_rows,
        segments=segments,
    )


def _highs_bindings() -> Any | None:
    """The HiGHS bindings scipy ships (private to scipy, pinned with it), or None without them."""
    try:
        core = importlib.import_module("scipy.optimize._highspy._core")
        status = importlib.import_module("scipy.optimize._linprog_highs")._highs_to_scipy_status_message
    except (ImportError, AttributeError):
        return None
    if not all(hasattr(core, name) for name in ("_Highs", "HighsLp", "HighsOptions", "HighsSolution")):
        return None
    return (core, status)


_HIGHS = _highs_bindings()
# HiGHS's model statuses after which it may hold a plan (a MIP stopped by a limit may have one).
_STOPPED_WITH_PLAN = ("kOptimal", "kTimeLimit", "kIterationLimit", "kSolutionLimit")


def _highs_start(
    model: _Model,
    objective: FloatArray,
    row_upper: FloatArray,
    start: FloatArray,
    *,
    time_limit_s: float,
    mip_rel_gap: float,
) -> OptimizeResult | None:
    """Solve as `scipy.optimize.milp` does, with `start` (a feasible point) as the first incumbent.

    The same HiGHS and options as `milp`, through the bindings scipy ships; the result has the
    fields `milp` returns. None without the bindings.
    """
    if _HIGHS is None:
        return None
    core, scipy_status = _HIGHS
    matrix = model.matrix.tocsc()
    lp = core.HighsLp()
    lp.num_col_, lp.num_row_ = matrix.shape[1], matrix.shape[0]
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = matrix.shape[1], matrix.shape[0]
    lp.a_matrix_.format_ = core.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_ = matrix.indptr, matrix.indices
    lp.a_matrix_.value_ = matrix.data.astype(np.float64)
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = objective, model.lower, model.upper
    lp.row_lower_, lp.row_upper_ = model.row_lower, row_upper
    lp.integrality_ = [core.HighsVarType(int(i)) for i in model.integrality]
    options = core.HighsOptions()
    options.time_limit, options.mip_rel_gap = time_limit_s, mip_rel_gap
    options.presolve = "on" if HIGHS_PRESOLVE else "off"
    options.output_flag = options.log_to_console = False
    highs = core._Highs()
    highs.passOptions(options)
    highs.passModel(lp)
    solution = core.HighsSolution()
    solution.col_value = start.tolist()
    solution.value_valid = True
    highs.setSolution(solution)
    highs.run()
    status = highs.getModelStatus()
    info = highs.getInfo()
    code, message = scipy_status(status, highs.modelStatusToString(status))
    has_plan = status.name in _STOPPED_WITH_PLAN and info.objective_function_value != core.kHighsInf
    return OptimizeResult(
        status=code,
        message=message,
        success=code == 0,
        x=np.array(highs.getSolution().col_value) if has_plan else None,
        fun=info.objective_function_value if has_plan else None,
        mip_node_count=info.mip_node_count,
        mip_dual_bound=info.mip_dual_bound,
        mip_gap=info.mip_gap,
    )


def _run_milp(
    model: _Model,
    objective: FloatArray,
    row_upper: FloatArray,
    *,
    time_limit_s: float,
    mip_rel_gap: float,
    start: FloatArray | None = None,
) -> Any:
    """HiGHS's answer for these objective and row bounds, from `start` when given (`_highs_start`)."""
    if start is not None:
        warm = _highs_start(
            model, objective, row_upper, start, time_limit_s=time_limit_s, mip_rel_gap=mip_rel_gap
        )
        if warm is not None:
            return warm
    return milp(
        objective,
        integrality=model.integrality,
        bounds=Bounds(model.lower, model.upper),
        constraints=LinearConstraint(model.matrix, model.row_lower, row_upper),
        options={
            "time_limit": time_limit_s,
            "mip_rel_gap": mip_rel_gap,
            "presolve": HIGHS_PRESOLVE,
            "disp": False,
        },
    )


def _names(ids: Sequence[str]) -> str:
    shown = ", ".join(repr(i) for i in ids[:REASON_NAMES])
    more = len(ids) - REASON_NAMES
    return (
        f"space {shown}" if len(ids) == 1 else f"spaces {shown}" + (f" and {more} more" if more > 0 else "")
    )


def _unreachable_protection(prep: _Prepared) -> tuple[Note, ...]:
    """Spaces whose minimum protection even every fundable candidate there cannot reach."""
    log_sum = prep.log_left @ prep.fundable.astype(np.float64)
    best = np.bincount(prep.pool_space, prep.pool_risk * _left(log_sum), minlength=len(prep.space_ids))
    slack = CHECK_SLACK * (1.0 + prep.space_risk)
    reasons = []
    for s in np.flatnonzero(best > prep.ceiling + slack).tolist():
        count = int(np.count_nonzero(prep.fundable & (prep.candidate_space == s)))
        reasons.append(
            Note(
                "protection_out_of_reach",
                {
                    "space": prep.space_ids[s],
                    "residual": round(float(best[s]), 2),
                    "candidates": count,
                    "ceiling": round(float(prep.ceiling[s]), 2),
                },
                f"Space {prep.space_ids[s]!r} keeps {best[s]:.2f} risk points even with all its {count} "
                f"fundable candidates, above its minimum protection (at most {prep.ceiling[s]:.2f} left); "
                "add candidates there, allow more years, lower the integration floor or relax its "
                "minimum protection.",
            )
        )
    return tuple(reasons)


def _diagnose(prep: _Prepared, model: _Model, budget: float, *, time_limit_s: float) -> tuple[Note, ...]:
    """Say why a problem whose ceilings are each reachable is infeasible: rules, budget or phasing."""
    row_upper = model.row_upper.copy()
    row_upper[[model.budget_row, *model.yearly_rows]] = np.inf
    objective = np.zeros_like(model.objective)
    objective[: model.var_cost.shape[0]] = model.var_cost
    result = _run_milp(model, objective, row_upper, time_limit_s=time_limit_s, mip_rel_gap=MIP_REL_GAP)
    ids = tuple(prep.space_ids[s] for s in np.flatnonzero(np.isfinite(prep.ceiling)).tolist())
    names = _names(ids)
    if result.x is None:
        if result.status == 2:
            return (
                Note(
                    "rules_conflict",
                    {"spaces": ids},
                    f"The minimum protection of {names} cannot be met together with the exclusions, "
                    "requirements, allowed years and integration floors; relax one of them.",
                ),
            )
        return (
            Note(
                "diagnosis_timed_out",
                {"spaces": ids},
                f"The minimum protection of {names} cannot be met; the solver ran out of time finding why.",
            ),
        )
    cheapest = float(objective @ result.x)
    figures: dict[str, NoteFigure] = {
        "spaces": ids,
        "cheapest_eur": round(cheapest),
        "budget_eur": round(budget),
    }
    if cheapest > budget * (1.0 + CHECK_SLACK) + CHECK_SLACK:
        return (
            Note(
                "budget_too_small",
                figures,
                f"Meeting the minimum protection of {names} costs at least {cheapest:,.0f} € (the "
                f"cheapest plan that meets it), more than the budget of {budget:,.0f} €; raise the "
                "budget or relax the minimum protection.",
            ),
        )
    return (
        Note(
            "yearly_budgets_too_small",
            figures,
            f"The minimum protection of {names} fits the total budget ({cheapest:,.0f} € of "
            f"{budget:,.0f} €) but not the yearly budgets; raise them or allow more years.",
        ),
    )


# HiGHS's status in `scipy.optimize.milp` → the code of its note.
_SOLVER_CODES: dict[int, str] = {
    0: "solver_optimal",
    1: "solver_time_limit",
    2: "solver_infeasible",
    3: "solver_unbounded",
}


def _solver_note(status: int, message: str, time_limit_s: float) -> Note:
    """HiGHS's answer as a note: the code of its status, its own message as the text."""
    figures: dict[str, NoteFigure] = {
        "status": status,
        "solver_message": message,
        "time_limit_s": time_limit_s,
    }
    return Note(_SOLVER_CODES.get(status, "solver_failed"), figures, message)


def _prune(prep: _Prepared, chosen: dict[int, int]) -> dict[int, int]:
    """Drop funded candidates that remove nothing given the others (the solver's gap may keep them)."""
    taken = np.zeros(prep.alone.shape[0])
    taken[list(chosen)] = 1.0
    log_sum = np.asarray(prep.log_left @ taken, np.float64)
    needed = {b for a, b in prep.requirements if a in chosen}
    floor = prep.problem.mean_integration_floor
    surplus = sum(float(prep.integration[i]) - (floor or 0.0) for i in chosen)
    indptr, indices, data = prep.log_left.indptr, prep.log_left.indices, prep.log_left.data
    for i in sorted(chosen, key=lambda i: -prep.counted_cost(i, chosen[i])):
        pools, logs = indices[indptr[i] : indptr[i + 1]], data[indptr[i] : indptr[i + 1]]
        left = prep.pool_risk[pools] * _left(log_sum[pools])
        marginal = float(np.sum(prep.pool_risk[pools] * _left(log_sum[pools] - logs) - left))
        if marginal > 1e-12 * max(float(prep.space_risk[prep.candidate_space[i]]), 1.0) or i in needed:
            continue
        if floor is not None and surplus - (float(prep.integration[i]) - floor) < 0.0:
            continue
        del chosen[i]
        log_sum[pools] -= logs
        surplus -= float(prep.integration[i]) - (floor or 0.0)
        needed = {b for a, b in prep.requirements if a in chosen}
    return chosen


def _model_value(prep: _Prepared, model: _Model, chosen: Mapping[int, int]) -> float:
    """The objective the programme gives `chosen`: modelled residual risk plus the cost tie-break."""
    taken = np.zeros(prep.alone.shape[0])
    taken[list(chosen)] = 1.0
    reach = np.asarray(_weights(prep) @ taken, np.float64)
    pieces = model.segments
    used = np.clip(reach[pieces.pool] - pieces.start, 0.0, pieces.length)
    n_x = model.var_candidate.shape[0]
    # variables are ordered by candidate, then period
    key = model.var_candidate * prep.periods + model.var_period
    wanted = np.array([i * prep.periods + p for i, p in chosen.items()], np.int64)
    tie_break = float(model.objective[np.searchsorted(key, wanted)].sum()) if wanted.size else 0.0
    return tie_break + float(model.objective[n_x:-1] @ used) + float(model.objective[-1])


def _start_vector(prep: _Prepared, model: _Model, chosen: Mapping[int, int]) -> FloatArray:
    """The programme's variables for a choice of candidates: its binaries, each pool's pieces filled
    as far as its measures reach (steepest first), and the constant column."""
    x = np.zeros(model.objective.shape[0])
    n_x = model.var_candidate.shape[0]
    key = model.var_candidate * prep.periods + model.var_period
    wanted = np.array([i * prep.periods + p for i, p in chosen.items()], np.int64)
    x[np.searchsorted(key, wanted)] = 1.0
    taken = np.zeros(prep.alone.shape[0])
    taken[list(chosen)] = 1.0
    reach = np.asarray(_weights(prep) @ taken, np.float64)
    pieces = model.segments
    x[n_x:-1] = np.clip(reach[pieces.pool] - pieces.start, 0.0, pieces.length)
    x[-1] = 1.0
    return x


def _periods_of(prep: _Prepared, plan: Plan) -> dict[int, int]:
    """Candidate index → period of a plan's choices."""
    return {
        prep.candidate_index[c.candidate_id]: prep.years.index(c.year) if c.year is not None else 0
        for c in plan.chosen
    }


def _incumbent(prep: _Prepared, model: _Model, plans: Sequence[Plan], budget: float) -> dict[int, int] | None:
    """The choice of the plan that leaves the least modelled risk among `plans` that keep every rule
    and fit `budget` (each fits the others' budgets and rules: only the total budget differs)."""
    best: tuple[float, dict[int, int]] | None = None
    for plan in plans:
        if not plan.has_plan or plan.violations or not plan.chosen:
            continue
        if _over(plan.total_cost_eur, budget):
            continue
        chosen = _periods_of(prep, plan)
        if not all(prep.fundable[i] and p in prep.allowed[i] for i, p in chosen.items()):
            continue
        value = _model_value(prep, model, chosen)
        if best is None or value < best[0]:
            best = (value, chosen)
    return None if best is None else best[1]


def _fallback(prep: _Prepared, model: _Model, value: float) -> tuple[dict[int, int], float] | None:
    """The greedy plan and its model value when it keeps every rule and beats `value`."""
    chosen = _greedy_choice(prep)
    plan = _evaluate(prep, chosen, status="heuristic", proven_optimal=False, mip_gap=None, solve_s=0.0)
    greedy_value = _model_value(prep, model, chosen)
    return (chosen, greedy_value) if not plan.violations and greedy_value < value else None


def _solve(
    prep: _Prepared,
    model: _Model,
    budget: float,
    *,
    time_limit_s: float,
    mip_rel_gap: float,
    tolerance: float,
    start: Sequence[Plan] = (),
    diagnose: bool = True,
) -> Plan:
    """Solve the model for one total budget and turn HiGHS's answer into a plan.

    An infeasible plan says why (`_diagnose`, one more solve) unless `diagnose` is False.
    HiGHS starts from the best of the `start` plans that fits the budget (`_incumbent`). When it
    stops on the time limit, the greedy plan replaces its best plan if it keeps every rule and is
    better; either counts as proven when its gap to HiGHS's bound is within `mip_rel_gap` (HiGHS
    checks the gap only between phases, so it may stop just after reaching it).
    """
    _checked(budget, "The budget")
    # the greedy fallback and the checks of the plan read the budget of this solve
    prep = dataclasses.replace(prep, problem=dataclasses.replace(prep.problem, budget_eur=budget))
    reasons = _unreachable_protection(prep)
    if reasons:
        out_of_reach = Note("protection_out_of_reach", {}, "Minimum protection out of reach.")
        return _without_plan(prep, "infeasible", 0.0, reasons, (out_of_reach,))
    if model.var_candidate.size == 0:
        return _evaluate(
            prep,
            {},
            status="optimal",
            proven_optimal=True,
            mip_gap=0.0,
            solve_s=0.0,
            notes=(Note("nothing_fundable", {}, "Nothing can be funded."),),
        )
    row_upper = model.row_upper.copy()
    row_upper[model.budget_row] = budget / model.cost_scale
    started = time.perf_counter()
    incumbent = _incumbent(prep, model, start, budget)
    result = _run_milp(
        model,
        model.objective,
        row_upper,
        time_limit_s=time_limit_s,
        mip_rel_gap=mip_rel_gap,
        start=None if incumbent is None else _start_vector(prep, model, incumbent),
    )
    notes = [_solver_note(int(result.status), str(result.message), time_limit_s)]
    if result.status == 2:
        reasons = _diagnose(prep, model, budget, time_limit_s=time_limit_s) if diagnose else ()
        return _without_plan(prep, "infeasible", time.perf_counter() - started, reasons, tuple(notes))
    chosen: dict[int, int] | None = None
    value = math.inf
    if result.x is not None:
        binaries = np.flatnonzero(result.x[: model.var_candidate.shape[0]] > 0.5)
        chosen = {int(model.var_candidate[v]): int(model.var_period[v]) for v in binaries}
        value = float(result.fun)
    gap = None if result.mip_gap is None else float(result.mip_gap)
    if result.status == 1 and (better := _fallback(prep, model, value)) is not None:
        chosen, value = better
        notes.append(
            Note("greedy_better", {}, "The greedy plan was better than HiGHS's best plan found in time.")
        )
    bound = getattr(result, "mip_dual_bound", None)
    if result.status == 1 and chosen is not None and bound is not None and math.isfinite(bound):
        # a plan below the bound would mean an inconsistency: then claim nothing
        below = value < float(bound) - CHECK_SLACK * max(abs(value), 1.0)
        gap = None if below else max(value - float(bound), 0.0) / max(abs(value), 1e-12)
    solve_s = time.perf_counter() - started
    if chosen is None:
        return _without_plan(
            prep, "no_solution" if result.status == 1 else "failed", solve_s, (), tuple(notes)
        )
    proven = result.status == 0 or (gap is not None and gap <= mip_rel_gap)
    return _evaluate(
        prep,
        _prune(prep, chosen),
        status="optimal" if proven else "time_limit",
        proven_optimal=proven,
        mip_gap=gap,
        solve_s=solve_s,
        notes=tuple(notes),
        ceiling_slack=tolerance,
    )


# ---------------------------------------------------------------------------------------------
# Scoring a plan


def _left(log_sum: FloatArray) -> FloatArray:
    """The share of each pool's risk left, from the sum of the logarithms of the chosen shares."""
    return np.where(log_sum <= NOTHING_LEFT_LOG * (1.0 - CHECK_SLACK), 0.0, np.exp(log_sum))


def _marginals(prep: _Prepared, taken: IntArray, log_sum: FloatArray) -> FloatArray:
    """Residual risk each funded candidate saves given the others: its plan's residual without it."""
    columns = sparse.coo_array(prep.log_left[:, taken])
    pool = columns.row
    left = prep.pool_risk[pool] * _left(log_sum[pool])
    without = prep.pool_risk[pool] * _left(log_sum[pool] - columns.data)
    return np.asarray(np.bincount(columns.col, without - left, minlength=taken.shape[0]), np.float64)


def _spending_by_year(prep: _Prepared, taken: IntArray, period: IntArray) -> dict[int, float]:
    spending = {}
    for p, year in enumerate(prep.years):
        capital = prep.capital[taken][period == p].sum()
        spending[year] = float(capital + prep.maintenance[taken][period < p].sum())
    return spending


def _over(value: float, limit: float) -> bool:
    return value > limit * (1.0 + CHECK_SLACK) + CHECK_SLACK


def _budget_violations(prep: _Prepared, total: float, spending: Mapping[int, float]) -> list[str]:
    found = []
    if _over(total, prep.problem.budget_eur):
        found.append(f"It spends {total:,.0f} €, over the budget of {prep.problem.budget_eur:,.0f} €.")
    budgets = prep.problem.yearly_budgets_eur or {}
    found.extend(
        f"It spends {spent:,.0f} € in {year}, over that year's budget of {budgets[year]:,.0f} €."
        for year, spent in spending.items()
        if _over(spent, budgets[year])
    )
    return found


def _rule_violations(prep: _Prepared, chosen: Mapping[int, int]) -> list[str]:
    ids = [c.id for c in prep.problem.candidates]
    floor = prep.problem.integration_floor
    found = [
        f"{ids[i]!r} is funded in {prep.year_of(p)}, a year it does not allow."
        for i, p in chosen.items()
        if p not in prep.allowed[i]
    ]
    if floor is not None:
        found.extend(
            f"{ids[i]!r} scores {prep.integration[i]:g} for integration, below the floor of {floor:g}."
            for i in chosen
            if prep.integration[i] < floor
        )
    for group in prep.exclusions:
        funded = [ids[i] for i in group if i in chosen]
        if len(funded) > 1:
            found.append(
                f"{', '.join(repr(f) for f in funded)} exclude each other, but more than one is funded."
            )
    for a, b in prep.requirements:
        if a in chosen and b not in chosen:
            found.append(f"{ids[a]!r} needs {ids[b]!r}, which is not funded.")
        elif a in chosen and chosen[b] > chosen[a]:
            found.append(
                f"{ids[a]!r} is funded in {prep.year_of(chosen[a])}, before {ids[b]!r} "
                f"({prep.year_of(chosen[b])}) that it needs."
            )
    mean_floor = prep.problem.mean_integration_floor
    if mean_floor is not None and chosen:
        mean = float(np.mean(prep.integration[list(chosen)]))
        if mean < mean_floor - CHECK_SLACK:
            found.append(
                f"The funded candidates score {mean:.2f} for integration on average, below the floor "
                f"of {mean_floor:g}."
            )
    return found


def _protection_violations(prep: _Prepared, residual: FloatArray, slack: float) -> list[str]:
    over = residual > prep.ceiling + (slack + CHECK_SLACK) * (1.0 + prep.space_risk)
    return [
        f"Space {prep.space_ids[s]!r} keeps {residual[s]:.2f} risk points, above its minimum protection "
        f"(at most {prep.ceiling[s]:.2f} left)."
        for s in np.flatnonzero(over).tolist()
    ]


def _evaluate(
    prep: _Prepared,
    chosen: Mapping[int, int],
    *,
    status: PlanStatus,
    proven_optimal: bool,
    mip_gap: float | None,
    solve_s: float,
    notes: tuple[Note, ...] = (),
    ceiling_slack: float = 0.0,
) -> Plan:
    """Score a choice of candidates and periods with the exact product model; `notes` say what the
    solver did (`Plan.message` joins their texts)."""
    taken = np.array(sorted(chosen), np.int64)
    period = np.array([chosen[i] for i in taken.tolist()], np.int64)
    indicator = np.zeros(prep.alone.shape[0])
    indicator[taken] = 1.0
    log_sum = np.asarray(prep.log_left @ indicator, np.float64)
    residual = np.asarray(
        np.bincount(prep.pool_space, prep.pool_risk * _left(log_sum), minlength=len(prep.space_ids)),
        np.float64,
    )
    marginal = _marginals(prep, taken, log_sum)
    years_maintained = prep.periods - 1 - period + prep.problem.maintenance_years
    cost = prep.capital[taken] + prep.maintenance[taken] * years_maintained
    choices = []
    for j, i in enumerate(taken.tolist()):
        candidate = prep.problem.candidates[i]
        per_eur = cost[j] > 0.0
        choices.append(
            Choice(
                candidate_id=candidate.id,
                space_id=candidate.space_id,
                year=prep.year_of(int(period[j])),
                cost_eur=float(cost[j]),
                risk_reduction=float(prep.alone[i]),
                marginal_risk_removed=float(marginal[j]),
                risk_removed_per_eur=float(prep.alone[i] / cost[j]) if per_eur else None,
                marginal_risk_removed_per_eur=float(marginal[j] / cost[j]) if per_eur else None,
            )
        )
    spending = _spending_by_year(prep, taken, period)
    total, capital = float(cost.sum()), float(prep.capital[taken].sum())
    violations = [
        *_budget_violations(prep, total, spending),
        *_rule_violations(prep, chosen),
        *_protection_violations(prep, residual, ceiling_slack),
    ]
    risk_before, residual_risk = float(prep.space_risk.sum()), float(residual.sum())
    return Plan(
        status=status,
        proven_optimal=proven_optimal,
        chosen=tuple(choices),
        risk_before=risk_before,
        residual_risk=residual_risk,
        risk_removed=risk_before - residual_risk,
        residual_by_space=dict(zip(prep.space_ids, residual.tolist(), strict=True)),
        total_cost_eur=total,
        capital_cost_eur=capital,
        maintenance_cost_eur=total - capital,
        spending_by_year_eur=spending,
        mip_gap=mip_gap,
        solve_s=solve_s,
        violations=tuple(violations),
        message=" ".join(note.text for note in notes),
        message_notes=notes,
    )


def _without_plan(
    prep: _Prepared, status: PlanStatus, solve_s: float, reasons: tuple[Note, ...], notes: tuple[Note, ...]
) -> Plan:
    empty = _evaluate(
        prep, {}, status=status, proven_optimal=False, mip_gap=None, solve_s=solve_s, notes=notes
    )
    return dataclasses.replace(empty, infeasible_notes=reasons, violations=())


# ---------------------------------------------------------------------------------------------
# The greedy heuristic


class _Ledger:
    """What a greedy plan has spent, in total and per plan year."""

    def __init__(self, prep: _Prepared) -> None:
        self.prep = prep
        self.total = 0.0
        self.spent = np.zeros(prep.periods)
        budgets = prep.problem.yearly_budgets_eur or {}
        self.limit = np.array([budgets[y] for y in prep.years]) if prep.years else np.full(1, np.inf)

    def _yearly(self, bundle: Sequence[int], period: int) -> FloatArray:
        added = np.zeros(self.prep.periods)
        added[period] = sum(float(self.prep.capital[j]) for j in bundle)
        added[period + 1 :] = sum(float(self.prep.maintenance[j]) for j in bundle)
        return added

    def first_period(self, bundle: Sequence[int], not_before: int) -> int | None:
        """The first period from `not_before` where every member is allowed and the budgets hold."""
        for period in range(not_before, self.prep.periods):
            if any(period not in self.prep.allowed[j] for j in bundle):
                continue
            cost = sum(self.prep.counted_cost(j, period) for j in bundle)
            if _over(self.total + cost, self.prep.problem.budget_eur):
                continue
            if not np.any(
                self.spent + self._yearly(bundle, period) > self.limit * (1.0 + CHECK_SLACK) + CHECK_SLACK
            ):
                return period
        return None

    def commit(self, bundle: Sequence[int], period: int) -> None:
        self.total += sum(self.prep.counted_cost(j, period) for j in bundle)
        self.spent += self._yearly(bundle, period)


def _bundle(i: int, needs: Mapping[int, list[int]], chosen: Mapping[int, int]) -> list[int]:
    """`i` and every candidate it needs, directly or not, that is not funded yet."""
    found, stack = [i], [i]
    while stack:
        for b in needs.get(stack.pop(), []):
            if b not in chosen and b not in found:
                found.append(b)
                stack.append(b)
    return found


class _Greedy:
    """A greedy plan being built: what is funded, spent, excluded, and the risk left per pool."""

    def __init__(self, prep: _Prepared) -> None:
        self.prep = prep
        self.needs: dict[int, list[int]] = {}
        for a, b in prep.requirements:
            self.needs.setdefault(a, []).append(b)
        self.groups_of: dict[int, list[int]] = {}
        for g, group in enumerate(prep.exclusions):
            for i in group:
                self.groups_of.setdefault(i, []).append(g)
        self.ledger = _Ledger(prep)
        self.chosen: dict[int, int] = {}
        self.taken_groups: set[int] = set()
        self.surplus = 0.0  # Σ (score − mean floor) over the funded candidates
        self.log_sum = np.zeros(prep.pool_risk.shape[0])

    def residual(self, space: int) -> float:
        pools = np.flatnonzero(self.prep.pool_space == space)
        return float(np.sum(self.prep.pool_risk[pools] * _left(self.log_sum[pools])))

    def add(self, i: int) -> None:
        """Fund `i` with what it needs, if no rule or budget stops it."""
        prep, floor = self.prep, self.prep.problem.mean_integration_floor
        bundle = [] if i in self.chosen else _bundle(i, self.needs, self.chosen)
        groups = [g for j in bundle for g in self.groups_of.get(j, [])]
        if not bundle or not all(prep.fundable[j] for j in bundle) or len(set(groups)) < len(groups):
            return
        gain = sum(float(prep.integration[j]) - (floor or 0.0) for j in bundle)
        if self.taken_groups.intersection(groups) or (
            floor is not None and self.surplus + gain < -CHECK_SLACK
        ):
            return
        needed = (self.chosen[b] for j in bundle for b in self.needs.get(j, []) if b in self.chosen)
        period = self.ledger.first_period(bundle, max(needed, default=0))
        if period is None:
            return
        self.ledger.commit(bundle, period)
        self.chosen.update(dict.fromkeys(bundle, period))
        self.taken_groups.update(groups)
        self.surplus += gain
        for j in bundle:
            column = slice(prep.log_left.indptr[j], prep.log_left.indptr[j + 1])
            self.log_sum[prep.log_left.indices[column]] += prep.log_left.data[column]


def _greedy_choice(prep: _Prepared) -> dict[int, int]:
    """Fund candidates by risk removed alone per euro, each with what it needs, while money lasts.

    Spaces with minimum protection come first: their own candidates, in the same order, until their
    ceiling holds; then every candidate in that order.
    """
    useful = np.flatnonzero(prep.fundable & (prep.alone > 0.0))
    ratio = [
        prep.alone[i] / cost if (cost := prep.counted_cost(i, prep.allowed[i][0])) > 0.0 else math.inf
        for i in useful.tolist()
    ]
    order = useful[np.argsort(-np.array(ratio), kind="stable")].tolist()
    greedy = _Greedy(prep)
    for s in np.flatnonzero(np.isfinite(prep.ceiling)).tolist():
        for i in (i for i in order if prep.candidate_space[i] == s):
            if greedy.residual(s) <= prep.ceiling[s]:
                break
            greedy.add(i)
    for i in order:
        greedy.add(i)
    return greedy.chosen


# ---------------------------------------------------------------------------------------------
# Public API


def best_plan(
    problem: Problem,
    *,
    time_limit_s: float = TIME_LIMIT_S,
    mip_rel_gap: float = MIP_REL_GAP,
    residual_tolerance: float = RESIDUAL_TOLERANCE,
) -> Plan:
    """Return the plan that leaves the least residual risk within the budgets and rules.

    One mixed-integer programme solved by HiGHS (`scipy.optimize.milp`): a binary per candidate
    and allowed year; per scenario pool, ``L = Σ −ln(share left)`` of the chosen measures and a
    residual share following ``e^(−L)`` by chords (see the module docstring). The
    objective is the city's residual risk, plus a tie-breaking cost a millionth of the risk's
    scale. Candidates the optimum funds that remove nothing given the others are dropped after.
    When time runs out, the greedy plan is returned instead of HiGHS's best if it is better and
    keeps every rule; HiGHS may overrun the limit by some seconds while it finishes a heuristic.

    Parameters
    ----------
    problem
        The spaces, candidates, budgets and rules.
    time_limit_s
        HiGHS's wall-clock limit; the best plan found by then is returned with status
        ``time_limit`` (``optimal`` if it is already within `mip_rel_gap` of HiGHS's bound).
    mip_rel_gap
        HiGHS stops when no plan can leave less residual risk by more than this share of it.
    residual_tolerance
        Largest share of a scenario's risk the chords may rise above the exact residual.

    Returns
    -------
    Plan
        The plan, scored with the exact product model; status ``infeasible`` with
        `infeasible_notes` (and their English `infeasible_reasons`) when minimum protection cannot
        be met.
    """
    prep = _prepare(problem)
    model = _build_model(prep, residual_tolerance)
    return _solve(
        prep,
        model,
        problem.budget_eur,
        time_limit_s=time_limit_s,
        mip_rel_gap=mip_rel_gap,
        tolerance=residual_tolerance,
    )


# What `study_plan` and `frontier` report as they go: a stage ("plan", then "frontier"), the
# frontier points known so far and how many there are.
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class _Options:
    """HiGHS's limits and the chords' tolerance of a kind of solve; whether an infeasible one says why."""

    time_limit_s: float
    mip_rel_gap: float
    tolerance: float
    diagnose: bool = True


def _solve_at(
    prep: _Prepared, model: _Model, budget: float, options: _Options, start: Sequence[Plan] = ()
) -> Plan:
    return _solve(
        prep,
        model,
        budget,
        time_limit_s=options.time_limit_s,
        mip_rel_gap=options.mip_rel_gap,
        tolerance=options.tolerance,
        start=start,
        diagnose=options.diagnose,
    )


def _trace(
    prep: _Prepared,
    model: _Model,
    budgets: Sequence[float],
    options: _Options,
    *,
    known: Sequence[Plan] = (),
    workers: int = 1,
    on_point: Callable[[float, Plan], None] | None = None,
) -> dict[float, Plan]:
    """Solve each budget, the smaller ones first, each from the best plan already found that fits it.

    The sorted budgets are cut into `workers` runs of neighbouring budgets solved side by side
    (HiGHS releases the GIL), one budget of each run per round, so that each round starts from
    every plan found before it (and `known`). `on_point` hears of each plan in the calling thread.
    """
    order = sorted(set(budgets))
    size = max(1, math.ceil(len(order) / workers))
    runs = [order[k : k + size] for k in range(0, len(order), size)]
    solved: dict[float, Plan] = {}

    def solve_round(batch: list[float]) -> list[Plan]:
        start = (*known, *solved.values())

        def one(budget: float) -> Plan:
            return _solve_at(prep, model, budget, options, start)

        if len(batch) == 1:
            return [one(batch[0])]
        with ThreadPoolExecutor(max_workers=len(batch)) as pool:
            return list(pool.map(one, batch))

    for r in range(max((len(run) for run in runs), default=0)):
        batch = [run[r] for run in runs if r < len(run)]
        for budget, plan in zip(batch, solve_round(batch), strict=True):
            solved[budget] = plan
            if on_point is not None:
                on_point(budget, plan)
    return solved


def _point(budget: float, plan: Plan) -> FrontierPoint:
    residual = plan.residual_risk if plan.has_plan else None
    return FrontierPoint(float(budget), residual, plan.total_cost_eur, len(plan.chosen), plan)


def frontier(
    problem: Problem,
    budgets_eur: Sequence[float],
    *,
    time_limit_s: float = FRONTIER_TIME_LIMIT_S,
    mip_rel_gap: float = FRONTIER_REL_GAP,
    residual_tolerance: float = RESIDUAL_TOLERANCE,
    workers: int = 1,
) -> list[FrontierPoint]:
    """Return the best plan at each total budget in `budgets_eur` (the problem's own is ignored).

    The constraint matrix is built once; each budget only changes the bound of the budget row.
    Budgets are solved from the smallest, each from the best plan already found that fits it
    (a warm start), so the modelled residual risk never grows with the budget. HiGHS releases the
    GIL, so `workers` threads solve that many runs of neighbouring budgets at once (where two runs
    meet, a point cut short by the time limit may leave more risk than the one below, by at most
    its gap). An infeasible budget's plan does not say why (`best_plan` does: another solve).

    Parameters
    ----------
    problem
        The spaces, candidates, yearly budgets and rules.
    budgets_eur
        Total budgets to solve for.
    time_limit_s, mip_rel_gap, residual_tolerance
        As in `best_plan`, for each budget; by default a frontier point's (`FRONTIER_TIME_LIMIT_S`,
        `FRONTIER_REL_GAP`): each point says its gap (`Plan.mip_gap`, `Plan.proven_optimal`).
    workers
        Budgets solved at the same time (threads; at most the machine's cores is useful).

    Returns
    -------
    list[FrontierPoint]
        One point per budget, in the given order.
    """
    if workers < 1:
        raise InvestInputError(f"workers must be 1 or more; it is {workers}.")
    prep = _prepare(problem)
    for budget in budgets_eur:
        _checked(budget, "A frontier budget")
    model = _build_model(prep, residual_tolerance)
    solved = _trace(
        prep,
        model,
        [float(b) for b in budgets_eur],
        _Options(time_limit_s, mip_rel_gap, residual_tolerance, diagnose=False),
        workers=workers,
    )
    return [_point(float(b), solved[float(b)]) for b in budgets_eur]


def _neighbour(base: Plan, plan: Plan, budget: float) -> Neighbour:
    before = {c.candidate_id: c.year for c in base.chosen}
    after = {c.candidate_id: c.year for c in plan.chosen}
    return Neighbour(
        budget_eur=budget,
        plan=plan,
        added=tuple(k for k in after if k not in before),
        removed=tuple(k for k in before if k not in after),
        rescheduled=tuple(k for k in after if k in before and after[k] != before[k]),
        residual_change=plan.residual_risk - base.residual_risk,
        cost_change_eur=plan.total_cost_eur - base.total_cost_eur,
    )


def _neighbour_budgets(budget: float, step: float, model: _Model) -> tuple[float | None, float]:
    """The budgets just below and above `budget` (with none, the cheapest candidate's cost above)."""
    if not 0.0 < step < 1.0:
        raise InvestInputError(
            f"The neighbour step must be between 0 and 1 (a share of the budget); it is {step!r}."
        )
    cheapest = float(model.var_cost.min()) if model.var_cost.size else 0.0
    below = budget * (1.0 - step) if budget > 0.0 else None
    return below, budget * (1.0 + step) if budget > 0.0 else cheapest


def neighbours(
    problem: Problem,
    *,
    step: float = NEIGHBOUR_STEP,
    time_limit_s: float = TIME_LIMIT_S,
    mip_rel_gap: float = MIP_REL_GAP,
    residual_tolerance: float = RESIDUAL_TOLERANCE,
) -> Neighbours:
    """Return the best plan, and what the best plans at a budget `step` lower and higher change.

    Three solves of one model: at the budget, at ``budget·(1 − step)`` and ``budget·(1 + step)``
    (with a zero budget, above is the cheapest candidate's cost and there is no below); the one
    above starts from the plan at the budget.

    Parameters
    ----------
    problem
        The spaces, candidates, budgets and rules.
    step
        Share of the budget to go down and up, between 0 and 1.
    time_limit_s, mip_rel_gap, residual_tolerance
        As in `best_plan`, for each solve.

    Returns
    -------
    Neighbours
        The base plan and its two neighbours, with candidates added, removed and rescheduled.
    """
    prep = _prepare(problem)
    model = _build_model(prep, residual_tolerance)
    down, up = _neighbour_budgets(problem.budget_eur, step, model)
    options = _Options(time_limit_s, mip_rel_gap, residual_tolerance)
    base = _solve_at(prep, model, problem.budget_eur, options)
    below = None if down is None else _neighbour(base, _solve_at(prep, model, down, options), down)
    return Neighbours(
        plan=base, below=below, above=_neighbour(base, _solve_at(prep, model, up, options, (base,)), up)
    )


@dataclass(frozen=True)
class PlanStudy:
    """What the plan page shows of a problem: the best plan, the greedy one, a frontier, neighbours.

    Attributes
    ----------
    plan : the best plan at the problem's budget (`best_plan`).
    greedy : the greedy plan (`greedy_plan`).
    frontier : one point per frontier budget, in the given order.
    neighbours : the plans just below and above the budget (`neighbours`).
    """

    plan: Plan
    greedy: Plan
    frontier: tuple[FrontierPoint, ...]
    neighbours: Neighbours


def _same_budget(budgets: Mapping[float, Plan], budget: float) -> Plan | None:
    return next((p for b, p in budgets.items() if math.isclose(b, budget, rel_tol=1e-9, abs_tol=1e-9)), None)


def study_plan(
    problem: Problem,
    frontier_budgets_eur: Sequence[float],
    *,
    step: float = NEIGHBOUR_STEP,
    time_limit_s: float = TIME_LIMIT_S,
    mip_rel_gap: float = MIP_REL_GAP,
    frontier_time_limit_s: float = FRONTIER_TIME_LIMIT_S,
    frontier_rel_gap: float = FRONTIER_REL_GAP,
    residual_tolerance: float = RESIDUAL_TOLERANCE,
    workers: int = 1,
    progress: Progress | None = None,
) -> PlanStudy:
    """Return the best plan, the greedy plan, the frontier and the neighbours, solving each budget once.

    The model is built once. The plans just below and above the budget are solved as the best
    plan is (`time_limit_s`, `mip_rel_gap`), the one above from the best plan; the other frontier
    budgets as `frontier` solves them (`frontier_time_limit_s`, `frontier_rel_gap`, from the
    smallest, each from the best plan already found that fits it, infeasible ones not diagnosed).
    A frontier budget equal to one of those three is not solved again. `progress` hears
    ``("plan", 0, n)`` before the best plan, then ``("frontier", k, n)`` each time `k` of the `n`
    frontier points are known.

    Parameters
    ----------
    problem
        The spaces, candidates, budgets and rules.
    frontier_budgets_eur
        Total budgets of the frontier.
    step
        As in `neighbours`.
    time_limit_s, mip_rel_gap
        HiGHS's limits for the best plan and the neighbours, as in `best_plan`.
    frontier_time_limit_s, frontier_rel_gap
        HiGHS's limits for each other frontier point.
    residual_tolerance
        As in `best_plan`.
    workers
        Frontier budgets solved at the same time (threads).
    progress
        Called in the calling thread as the work goes (see above).

    Returns
    -------
    PlanStudy
        The plans; each frontier point says its gap (`Plan.mip_gap`, `Plan.proven_optimal`).
    """
    if workers < 1:
        raise InvestInputError(f"workers must be 1 or more; it is {workers}.")
    prep = _prepare(problem)
    budgets = [float(b) for b in frontier_budgets_eur]
    for b in budgets:
        _checked(b, "A frontier budget")
    model = _build_model(prep, residual_tolerance)
    down, up = _neighbour_budgets(problem.budget_eur, step, model)
    wanted = len(budgets)

    def report() -> None:
        if progress is not None:
            progress("frontier", sum(1 for b in budgets if _same_budget(solved, b) is not None), wanted)

    if progress is not None:
        progress("plan", 0, wanted)
    greedy = _greedy(prep)
    options = _Options(time_limit_s, mip_rel_gap, residual_tolerance)
    # HiGHS finds better plans than the greedy one within its first seconds: no start for this one
    base = _solve_at(prep, model, problem.budget_eur, options)
    solved: dict[float, Plan] = {problem.budget_eur: base}
    report()
    for budget in (down, up):
        if budget is not None and _same_budget(solved, budget) is None:
            solved[budget] = _solve_at(prep, model, budget, options, tuple(solved.values()))
            report()

    def heard(budget: float, plan: Plan) -> None:
        solved[budget] = plan
        report()

    _trace(
        prep,
        model,
        [b for b in budgets if _same_budget(solved, b) is None],
        _Options(frontier_time_limit_s, frontier_rel_gap, residual_tolerance, diagnose=False),
        known=tuple(solved.values()),
        workers=workers,
        on_point=heard,
    )

    def at(budget: float) -> Plan:
        plan = _same_budget(solved, budget)
        assert plan is not None  # every budget was solved above
        return plan

    below = None if down is None else _neighbour(base, at(down), down)
    return PlanStudy(
        plan=base,
        greedy=greedy,
        frontier=tuple(_point(b, at(b)) for b in budgets),
        neighbours=Neighbours(plan=base, below=below, above=_neighbour(base, at(up), up)),
    )


def greedy_plan(problem: Problem) -> Plan:
    """Return the classic cost-effectiveness plan, to compare with `best_plan`.

    Candidates are taken in decreasing order of the risk they remove alone per euro, each with the
    candidates it needs (at once, in the first year where all are allowed, none is before what it
    needs, and the budgets hold), skipping those that would break an exclusion or the mean
    integration floor. It ignores overlap and minimum protection; `violations` lists what it breaks.

    Parameters
    ----------
    problem
        The spaces, candidates, budgets and rules.

    Returns
    -------
    Plan
        Status ``heuristic``, scored with the exact product model.
    """
    return _greedy(_prepare(problem))


def _greedy(prep: _Prepared) -> Plan:
    started = time.perf_counter()
    chosen = _greedy_choice(prep)
    return _evaluate(
        prep,
        chosen,
        status="heuristic",
        proven_optimal=False,
        mip_gap=None,
        solve_s=time.perf_counter() - started,
        notes=(Note("greedy", {}, "Greedy: candidates by risk removed alone per euro."),),
    )


def evaluate_plan(problem: Problem, chosen: Mapping[str, int | None]) -> Plan:
    """Score the caller's plan: its cost, residual risk, the worth of each measure, what it breaks.

    Parameters
    ----------
    problem
        The spaces, candidates, budgets and rules.
    chosen
        Candidate id → year it is funded in (None without yearly budgets).

    Returns
    -------
    Plan
        Status ``evaluated``; `violations` lists the budgets and rules it breaks.
    """
    prep = _prepare(problem)
    periods: dict[int, int] = {}
    for key, year in chosen.items():
        if key not in prep.candidate_index:
            raise InvestInputError(f"The plan funds {key!r}, which is not a candidate of the problem.")
        if not prep.years and year is not None:
            raise InvestInputError(f"The problem has no yearly budgets: fund {key!r} with year None.")
        if prep.years and year not in prep.years:
            raise InvestInputError(
                f"Fund {key!r} in a year of the plan ({prep.years[0]}–{prep.years[-1]}); it has {year!r}."
            )
        periods[prep.candidate_index[key]] = prep.years.index(year) if year is not None else 0
    return _evaluate(prep, periods, status="evaluated", proven_optimal=False, mip_gap=None, solve_s=0.0)
