"""The investment plan of a city: its assessed spaces and the catalogue as one exact optimisation,
with the why of every chosen measure (cost basis, quantity, the entries a barrier stops), the
frontier, the plans just below and above the budget, and the greedy heuristic beside it."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from pactesur.measures.models import MeasureType
from pactesur.measures.planning import build_problem, solve
from tests.analysis.factories import entry, make_analysis
from tests.assessments.helpers import rate, settle_the_rest, start
from tests.streets.factories import StreetNetworkFactory

pytestmark = pytest.mark.django_db


def _assessed(city: Any, name: str, vehicle: tuple[int, int], firearms: tuple[int, int]) -> Any:
    assessment = start(city, None, name=name, peak_crowd=4000)
    rate(assessment, "vehicle", *vehicle)
    rate(assessment, "firearms", *firearms)
    settle_the_rest(assessment)
    return assessment


@pytest.fixture
def two_spaces(city):  # type: ignore[no-untyped-def]
    """Place Masséna, open to a truck at 60 km/h and a car at 40 on two streets; Cours Saleya with
    no approach analysis."""
    massena = _assessed(city, "Place Masséna", (5, 5), (3, 4))
    saleya = _assessed(city, "Cours Saleya", (3, 4), (4, 4))
    network = StreetNetworkFactory(city=city)
    make_analysis(massena.space, network, "N3C", [entry("N3C", 60.0, name="Avenue Jean Médecin")])
    make_analysis(massena.space, network, "M1", [entry("M1", 40.0, name="Rue de l’Opéra")])
    return massena, saleya


def test_barriers_are_sized_from_the_entries_and_credited_only_where_their_rating_stops(
    city, two_spaces
) -> None:  # type: ignore[no-untyped-def]
    massena, _saleya = two_spaces
    built = build_problem(city, budget_eur=100_000)

    fixed = MeasureType.objects.get(code="bollard_fixed_rated")  # V/7200[N2A]/64/90, 0.25 m
    removable = MeasureType.objects.get(code="bollard_removable_rated")  # V/7200[N2A]/48/90
    strong = built.candidates[f"{massena.space_id}:{fixed.pk}"]
    weak = built.candidates[f"{massena.space_id}:{removable.pk}"]
    # Two open entries of 7 m each: ceil(8.2 / 1.45) = 6 elements per entry.
    assert strong.quantity == 12
    assert strong.quantity_basis == {
        "basis": "elements", "count": 12, "element_m": 0.25, "gap_m": 1.2, "entries": 2, "width_m": 14.0,
        "assumed_widths": 0,
    }  # fmt: skip
    assert strong.cost_eur == 12 * (2500 + 9000) / 2
    assert [s["entry"] for s in strong.stops] == ["Avenue Jean Médecin", "Rue de l’Opéra"]
    # Rated for 48 km/h: the truck at 60 km/h gets through, the car at 40 does not.
    assert [s["entry"] for s in weak.stops] == ["Rue de l’Opéra"]
    assert [(m["entry"], m["vehicle"], m["speed_kmh"]) for m in weak.misses] == [
        ("Avenue Jean Médecin", "N3C", 60)
    ]
    assert weak.reductions["vehicle"] < strong.reductions["vehicle"]
    # Without an analysis, Cours Saleya's barriers cannot be sized: said, not guessed.
    assert any("Cours Saleya" in u for u in built.unsized)


def test_the_plan_is_optimal_within_budget_and_beats_or_ties_the_greedy_heuristic(city, two_spaces) -> None:  # type: ignore[no-untyped-def]
    result = solve(city, budget_eur=60_000)

    assert result["status"] == "optimal"
    assert result["proven_optimal"] is True
    assert 0 < result["total_cost_eur"] <= 60_000
    assert result["residual_risk"] < result["risk_before"]
    assert sum(c["cost_eur"] for c in result["chosen"]) == pytest.approx(result["total_cost_eur"], abs=1)
    assert result["greedy"]["residual_risk"] >= result["residual_risk"] - 1e-6
    for chosen in result["chosen"]:
        assert chosen["marginal_risk_removed"] > 0
        assert chosen["cost_basis"]["basis"] == "catalogue"
    residuals = [p["residual_risk"] for p in result["frontier"]]
    assert len(residuals) == 20
    assert all(b <= a + 1e-6 for a, b in itertools.pairwise(residuals))
    assert result["above"]["budget_eur"] > 60_000
    assert result["above"]["residual_change"] <= 0


def test_a_larger_budget_never_leaves_more_risk_and_zero_buys_nothing(city, two_spaces) -> None:  # type: ignore[no-untyped-def]
    small, large = solve(city, budget_eur=20_000), solve(city, budget_eur=400_000)
    assert large["residual_risk"] <= small["residual_risk"]
    nothing = solve(city, budget_eur=0)
    assert nothing["chosen"] == []
    assert nothing["residual_risk"] == nothing["risk_before"]


def test_an_integration_floor_keeps_poorly_integrated_measures_out(city, two_spaces) -> None:  # type: ignore[no-untyped-def]
    result = solve(city, budget_eur=400_000, integration_floor=4.5)
    assert result["chosen"]
    assert all(c["integration"] >= 4.5 for c in result["chosen"])
    assert "Concrete blocks (unrated)" not in {c["type"] for c in result["chosen"]}


def test_an_unreachable_minimum_protection_is_infeasible_with_a_reason(city, two_spaces) -> None:  # type: ignore[no-untyped-def]
    result = solve(city, budget_eur=1_000, min_protection_pct=90)
    assert result["status"] == "infeasible"
    assert result["infeasible_reasons"]


def test_a_planner_solves_a_plan_on_the_page_and_reads_why(client, planner, city, two_spaces) -> None:  # type: ignore[no-untyped-def]
    from pactesur.audit.models import AuditAction, AuditEvent
    from pactesur.measures.models import InvestmentPlan

    client.force_login(planner)
    response = client.post(
        "/measures/plans/",
        {"name": "Plan 2027", "budget_eur": "80000", "yearly_budgets": "2027: 50000\n2028: 40000"},
    )

    plan = InvestmentPlan.objects.get()
    assert response.status_code == 302
    assert plan.yearly_budgets == {"2027": 50000, "2028": 40000}
    assert plan.result["status"] == "optimal"
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_id=str(plan.pk)).exists()
    page = client.get(f"/measures/plans/{plan.pk}/").content.decode()
    assert "proven optimal" in page
    assert "Measures chosen, and why" in page
    assert "Greedy cost-effectiveness choice" in page
    assert "Cours Saleya" in page
    chart = client.get(f"/measures/plans/{plan.pk}/frontier.png")
    assert chart["Content-Type"] == "image/png"
    assert chart.content.startswith(b"\x89PNG")
    assert client.post(f"/measures/plans/{plan.pk}/approve/").status_code == 403  # planners do not approve


def test_security_approves_and_the_csv_export_is_audited(client, security_officer, city, two_spaces) -> None:  # type: ignore[no-untyped-def]
    from pactesur.audit.models import AuditAction, AuditEvent
    from pactesur.measures.actions import do_create_plan

    plan = do_create_plan(city, acting_user=None, name="Plan", budget_eur=60_000)
    client.force_login(security_officer)

    assert client.post(f"/measures/plans/{plan.pk}/approve/").status_code == 302
    plan.refresh_from_db()
    assert plan.status == "approved"
    assert plan.approved_by == security_officer
    csv_text = client.get(f"/measures/plans/{plan.pk}/plan.csv").content.decode()
    header, *rows = csv_text.strip().splitlines()
    assert header.startswith("space,measure,year,quantity")
    assert len(rows) == len(plan.result["chosen"]) > 0
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, object_id=str(plan.pk)).exists()


@pytest.mark.parametrize(
    ("yearly", "message"),
    [
        ("2027 50000", "write a year and an amount"),
        ("1990: 5", "from 2000 to 2100"),
        ("2027: 1\n2027: 2", "given twice"),
    ],
)
def test_a_wrong_yearly_budget_says_which_line(client, planner, yearly, message) -> None:  # type: ignore[no-untyped-def]
    from pactesur.measures.models import InvestmentPlan

    client.force_login(planner)
    response = client.post("/measures/plans/", {"name": "P", "budget_eur": "1000", "yearly_budgets": yearly})
    assert response.status_code == 400
    assert message in str(response.context["form"].errors)
    assert not InvestmentPlan.objects.exists()


def test_an_infeasible_plan_cannot_be_approved(client, security_officer, city, two_spaces) -> None:  # type: ignore[no-untyped-def]
    from pactesur.measures.actions import do_create_plan

    plan = do_create_plan(city, acting_user=None, name="Too little", budget_eur=100, min_protection_pct=95)
    client.force_login(security_officer)
    page = client.get(f"/measures/plans/{plan.pk}/").content.decode()
    assert 'id="plan-infeasible"' in page
    client.post(f"/measures/plans/{plan.pk}/approve/")
    plan.refresh_from_db()
    assert plan.status == "draft"


def test_a_city_without_rated_assessments_is_told_what_to_do_first(client, planner, city) -> None:  # type: ignore[no-untyped-def]
    from tests.spaces.helpers import make_space

    make_space(city, None)
    client.force_login(planner)
    response = client.post("/measures/plans/", {"name": "Empty", "budget_eur": "1000"})
    page = client.get(response["Location"]).content.decode()
    assert 'id="plan-empty"' in page
    assert "proven optimal" not in page
    assert "Place Masséna" in page  # listed among the spaces left out
