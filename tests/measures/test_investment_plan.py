"""The investment plan of a city: its assessed spaces and the catalogue as one exact optimisation,
with the why of every chosen measure (cost basis, quantity, the entries a barrier stops), the
frontier, the plans just below and above the budget, and the greedy heuristic beside it."""

from __future__ import annotations

import itertools
import re
from typing import Any

import pytest

from pactesur.measures.models import InvestmentPlan, MeasureType
from pactesur.measures.planning import build_problem, solve
from pactesur.measures.tasks import compute_plan
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


def computed(plan: InvestmentPlan) -> InvestmentPlan:
    """The plan once its queued computation has run here, as a worker runs it."""
    compute_plan.call(plan.pk)
    plan.refresh_from_db()
    return plan


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

    client.force_login(planner)
    response = client.post(
        "/measures/plans/",
        {"name": "Plan 2027", "budget_eur": "80000", "yearly_budgets": "2027: 50000\n2028: 40000"},
    )

    plan = computed(InvestmentPlan.objects.get())
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

    plan = computed(do_create_plan(city, acting_user=None, name="Plan", budget_eur=60_000))
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
    client.force_login(planner)
    response = client.post("/measures/plans/", {"name": "P", "budget_eur": "1000", "yearly_budgets": yearly})
    assert response.status_code == 400
    assert message in str(response.context["form"].errors)
    assert not InvestmentPlan.objects.exists()


def test_an_infeasible_plan_cannot_be_approved(client, security_officer, city, two_spaces) -> None:  # type: ignore[no-untyped-def]
    from pactesur.measures.actions import do_create_plan

    plan = computed(
        do_create_plan(city, acting_user=None, name="Too little", budget_eur=100, min_protection_pct=95)
    )
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
    computed(InvestmentPlan.objects.get())
    page = client.get(response["Location"]).content.decode()
    assert 'id="plan-empty"' in page
    assert "proven optimal" not in page
    assert "Place Masséna" in page  # listed among the spaces left out


# ------------------------------------------------------------------------------------------------
# Ratings: one parser, the engine's rule


def _city_type(city: Any, code: str, like: str, **fields: Any) -> MeasureType:
    """A type of the city's own, copied from a seeded one with `fields` changed."""
    measure = MeasureType.objects.get(code=like)
    measure.pk = None
    measure.code = code
    measure.city = city
    for key, value in fields.items():
        setattr(measure, key, value)
    measure.save()
    return measure


def test_an_astm_rated_barrier_stops_what_its_iso_equivalent_covers_and_says_it_is_assumed(
    city, two_spaces
) -> None:  # type: ignore[no-untyped-def]
    from pactesur.engine.invest import Choice
    from pactesur.measures.planning import _chosen

    massena, _saleya = two_spaces
    astm = _city_type(city, "astm-bollards", "bollard_fixed_rated", name="ASTM bollards", rating="M50/P1")
    built = build_problem(city, budget_eur=100_000)

    info = built.candidates[f"{massena.space_id}:{astm.pk}"]
    # M50: 6,800 kg at 80.5 km/h. The car at 40 km/h is stopped; the 7,200 kg truck is heavier
    # than the ASTM test vehicle, so not, whatever its speed.
    assert [s["entry"] for s in info.stops] == ["Rue de l’Opéra"]
    assert [m["entry"] for m in info.misses] == ["Avenue Jean Médecin"]
    assert info.rating_assumed is True
    fixed = MeasureType.objects.get(code="bollard_fixed_rated")
    assert built.candidates[f"{massena.space_id}:{fixed.pk}"].rating_assumed is False
    row = _chosen(Choice(info.id, str(massena.space_id), None, info.cost_eur, 1.0, 1.0, None, None), info)
    assert row["rating_assumed"] is True


def test_the_plan_page_says_an_astm_rating_is_read_at_an_assumed_equivalent(
    client, planner, city, two_spaces
) -> None:  # type: ignore[no-untyped-def]
    from pactesur.engine.invest import Choice
    from pactesur.measures.planning import _chosen

    massena, _saleya = two_spaces
    astm = _city_type(city, "astm-bollards", "bollard_fixed_rated", name="ASTM bollards", rating="M50/P1")
    info = build_problem(city, budget_eur=100_000).candidates[f"{massena.space_id}:{astm.pk}"]
    result = solve(city, budget_eur=1_000)
    result["chosen"] = [
        _chosen(Choice(info.id, str(massena.space_id), None, info.cost_eur, 1.0, 1.0, None, None), info)
    ]
    plan = InvestmentPlan.objects.create(
        city=city, name="P", budget_eur=1_000, result=result, computation="done"
    )
    client.force_login(planner)
    page = client.get(f"/measures/plans/{plan.pk}/").content.decode()
    assert "ASTM bollards" in page
    assert "ASTM F2656 rating, read at an assumed ISO 22343-1 equivalent" in page


def test_a_catalogue_rating_error_is_in_the_readers_language_and_reads_astm(city) -> None:  # type: ignore[no-untyped-def]
    from pactesur.measures.ratings import RatingError, parse_rating

    assert parse_rating("M50/P1").equivalence_assumed
    with pytest.raises(RatingError, match="“K12” is not a barrier rating"):
        parse_rating("K12")
    with pytest.raises(RatingError):
        parse_rating("unrated")  # a type or an installed measure carries a rating, or none at all


# ------------------------------------------------------------------------------------------------
# Why a plan is infeasible, and what the solver did, in the reader's language


def test_infeasibility_is_stored_as_codes_and_figures_naming_spaces_not_ids(city, two_spaces) -> None:  # type: ignore[no-untyped-def]
    result = solve(city, budget_eur=1_000, min_protection_pct=90)

    assert result["status"] == "infeasible"
    (note,) = result["infeasible_notes"][:1]
    assert note["code"] in {"protection_out_of_reach", "budget_too_small"}
    assert note["msgid"].startswith(("%(space)s keeps", "Meeting the minimum protection of %(spaces)s"))
    named = note["params"].get("space") or note["params"].get("spaces")
    assert "Place Masséna" in str(named) or "Cours Saleya" in str(named)
    assert note["text"] == result["infeasible_reasons"][0]  # the engine's English, kept beside
    assert [n["code"] for n in result["message_notes"]]


def test_the_page_translates_the_stored_reasons_with_their_figures(
    client, security_officer, city, two_spaces, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from pactesur.cities import stored_text
    from pactesur.measures.actions import do_create_plan

    plan = computed(
        do_create_plan(city, acting_user=None, name="Too little", budget_eur=100, min_protection_pct=95)
    )
    # A translator that marks what it translated: the page must send the message id through it.
    monkeypatch.setattr(stored_text, "gettext", lambda msgid: "«" + msgid + "»")
    client.force_login(security_officer)
    page = client.get(f"/measures/plans/{plan.pk}/").content.decode()
    assert 'id="plan-infeasible"' in page
    # …with the space's name, not its id, and the figures in the reader's number format
    assert re.search(r"«(Place Masséna|Cours Saleya) keeps \d+\.\d\d risk points even with every", page)


def test_the_budget_reason_formats_euros_in_the_readers_locale(city) -> None:  # type: ignore[no-untyped-def]
    from django.utils import translation

    from pactesur.measures.planning import shown_note

    note = {
        "code": "budget_too_small",
        "msgid": "Meeting the minimum protection of %(spaces)s costs at least %(cheapest_eur)s € (the "
        "cheapest plan that meets it), more than the budget of %(budget_eur)s €: raise the budget or "
        "relax the minimum protection.",
        "params": {
            "spaces": {
                "msgid": "%(names)s and %(more)s more",
                "params": {"names": "A, B, C, D, E", "more": 2},
            },
            "cheapest_eur": 123456,
            "budget_eur": 1000,
        },
        "text": "English",
    }
    with translation.override("en"):
        text = shown_note(note)
    assert "A, B, C, D, E and 2 more costs at least 123,456 €" in text
    assert "budget of 1,000 €" in text


def test_a_plan_stored_before_the_notes_keeps_its_english_reasons(client, security_officer, city) -> None:  # type: ignore[no-untyped-def]
    plan = InvestmentPlan.objects.create(
        city=city,
        name="Old",
        budget_eur=10,
        computation="done",  # as the migration leaves the plans made before background computing
        result={
            "status": "infeasible",
            "spaces": [{"id": "1", "name": "X", "before": 5, "after": 5}],
            "infeasible_reasons": ["Space '7' keeps 4.00 risk points, in old English."],
            "message": "Minimum protection out of reach.",
            "risk_before": 5,
            "residual_risk": 5,
            "greedy": {"residual_risk": 5, "cost_eur": 0, "size": 0, "violations": []},
        },
    )
    client.force_login(security_officer)
    page = client.get(f"/measures/plans/{plan.pk}/").content.decode()
    assert "Space &#x27;7&#x27; keeps 4.00 risk points, in old English." in page


# ------------------------------------------------------------------------------------------------
# Measures that exclude or need each other


def _type_name(code: str) -> str:
    return MeasureType.objects.get(code=code).display_name


def test_types_that_exclude_each_other_are_never_both_at_a_space(city, two_spaces) -> None:  # type: ignore[no-untyped-def]
    from pactesur.measures.planning import TypeRules

    massena, _saleya = two_spaces
    temporary = MeasureType.objects.get(code="hvm_rated_temporary")
    blocks = MeasureType.objects.get(code="blocks_concrete")
    free = solve(city, budget_eur=60_000)
    at_massena = {c["type_id"] for c in free["chosen"] if c["space_id"] == massena.space_id}
    assert {temporary.pk, blocks.pk} <= at_massena  # both, without the rule

    rules = TypeRules(exclude=((temporary.pk, blocks.pk),))
    built = build_problem(city, budget_eur=60_000, rules=rules)
    assert (
        f"{massena.space_id}:{temporary.pk}",
        f"{massena.space_id}:{blocks.pk}",
    ) in built.problem.exclusions
    ruled = solve(city, budget_eur=60_000, rules=rules)
    at_massena = {c["type_id"] for c in ruled["chosen"] if c["space_id"] == massena.space_id}
    assert not {temporary.pk, blocks.pk} <= at_massena
    assert ruled["rules"]["exclude"] == [[temporary.display_name, blocks.display_name]]
    assert ruled["rules"]["exclusion_groups"] == 1  # only Masséna has both as candidates


def test_a_type_that_needs_another_is_planned_only_with_it(city, two_spaces) -> None:  # type: ignore[no-untyped-def]
    from pactesur.measures.planning import TypeRules

    closure = MeasureType.objects.get(code="street_closure")
    chicane = MeasureType.objects.get(code="chicane")
    free = solve(city, budget_eur=20_000)
    assert closure.pk in {c["type_id"] for c in free["chosen"]}
    assert chicane.pk not in {c["type_id"] for c in free["chosen"]}  # 37,500 €: beyond this budget

    ruled = solve(city, budget_eur=20_000, rules=TypeRules(need=((closure.pk, chicane.pk),)))
    chosen = {(c["space_id"], c["type_id"]) for c in ruled["chosen"]}
    for space_id, type_id in chosen:
        if type_id == closure.pk:
            assert (space_id, chicane.pk) in chosen
    assert closure.pk not in {t for _s, t in chosen}
    assert ruled["rules"]["requirements"] == 2  # both spaces have both candidates


def test_a_type_excluded_by_one_already_at_the_space_is_left_out_and_said(
    client, planner, city, two_spaces
) -> None:  # type: ignore[no-untyped-def]
    from pactesur.assessments.actions import do_add_measure
    from pactesur.measures.actions import do_create_plan

    massena, _saleya = two_spaces
    temporary = MeasureType.objects.get(code="hvm_rated_temporary")
    blocks = MeasureType.objects.get(code="blocks_concrete")
    do_add_measure(massena, acting_user=None, measure_type=blocks)  # already there
    plan = computed(
        do_create_plan(
            city,
            acting_user=None,
            name="P",
            budget_eur=60_000,
            measure_rules={"exclude": [[temporary.pk, blocks.pk]]},
        )
    )

    assert plan.result["rules"]["ruled_out"] == [
        {
            "space": "Place Masséna",
            "type": temporary.display_name,
            "rule": "exclude",
            "other_id": blocks.pk,
            "other": blocks.display_name,
        }
    ]
    assert temporary.pk not in {
        c["type_id"] for c in plan.result["chosen"] if c["space_id"] == massena.space_id
    }
    client.force_login(planner)
    page = client.get(f"/measures/plans/{plan.pk}/").content.decode()
    assert f"{temporary.display_name} at Place Masséna: it excludes “{blocks.display_name}”" in page


def test_rules_at_a_space_follow_what_is_already_there() -> None:
    from pactesur.measures.planning import TypeRules, _space_rules

    candidates = {1: "s:1", 2: "s:2", 3: "s:3", 4: "s:4"}
    rules = TypeRules(exclude=((1, 9), (2, 3)), need=((4, 1), (3, 8), (2, 7)))
    ruled = _space_rules(candidates, existing={9, 8}, rules=rules)
    # 1 excludes 9, already there: out; so 4, which needs 1, is out too. 3 needs 8, already there:
    # no requirement. 2 needs 7, which is neither there nor a candidate: out, and so no exclusion.
    assert ruled.dropped == {1: ("exclude", 9), 4: ("need", 1), 2: ("need", 7)}
    assert ruled.exclusions == []
    assert ruled.requirements == []


def test_a_planner_writes_rules_by_name_and_sees_them_on_the_plan(client, planner, city, two_spaces) -> None:  # type: ignore[no-untyped-def]
    temporary, blocks = _type_name("hvm_rated_temporary"), _type_name("blocks_concrete")
    closure, chicane = _type_name("street_closure"), _type_name("chicane")
    client.force_login(planner)
    response = client.post(
        "/measures/plans/",
        {
            "name": "Ruled",
            "budget_eur": "60000",
            "exclusions": f"{temporary} + {blocks.upper()}\n\n{blocks} + {temporary}",
            "requirements": f"{closure} -> {chicane}",
        },
    )

    assert response.status_code == 302, response.context["form"].errors
    plan = computed(InvestmentPlan.objects.get())
    ids = {name: MeasureType.objects.get(code=code).pk for name, code in (
        ("temporary", "hvm_rated_temporary"), ("blocks", "blocks_concrete"),
        ("closure", "street_closure"), ("chicane", "chicane"),
    )}  # fmt: skip
    assert plan.measure_rules == {
        "exclude": [[ids["temporary"], ids["blocks"]]],
        "need": [[ids["closure"], ids["chicane"]]],
    }
    page = client.get(f"/measures/plans/{plan.pk}/").content.decode()
    assert 'id="plan-rules"' in page
    assert f"“{closure}” needs “{chicane}” at the same space." in page.replace("&#x27;", "'")


@pytest.mark.parametrize(
    ("field", "text", "message"),
    [
        ("exclusions", "Fixed rated bolards + Rated planters", "did you mean “Fixed rated bollards”?"),
        ("exclusions", "Unicorn fence + Rated planters", "no measure type “Unicorn fence”"),
        ("exclusions", "Rated planters", "write two measure types joined by “+”"),
        ("exclusions", "Rated planters + planter_rated", "cannot exclude itself"),
        ("requirements", "Chicane + Raised table", "joined by “-&gt;”"),
        ("requirements", "Chicane -> Chicane", "cannot need itself"),
    ],
)
def test_a_wrong_rule_line_says_what_to_write(client, planner, city, field, text, message) -> None:  # type: ignore[no-untyped-def]
    client.force_login(planner)
    response = client.post("/measures/plans/", {"name": "P", "budget_eur": "1000", field: text})
    assert response.status_code == 400
    assert message in str(response.context["form"].errors[field])
    assert "Line 1:" in str(response.context["form"].errors[field])
    assert not InvestmentPlan.objects.exists()


def test_a_type_cannot_both_need_and_exclude_another(client, planner, city) -> None:  # type: ignore[no-untyped-def]
    client.force_login(planner)
    response = client.post(
        "/measures/plans/",
        {"name": "P", "budget_eur": "1000", "exclusions": "Chicane + Raised table",
         "requirements": "Raised table -> Chicane"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "exclude each other" in str(response.context["form"].errors["requirements"])


def test_another_citys_type_is_not_in_the_catalogue_of_the_rules(client, planner, city, other_city) -> None:  # type: ignore[no-untyped-def]
    theirs = _city_type(other_city, "their-fence", "bollard_fixed_rated", name="Their fence")
    client.force_login(planner)
    response = client.post(
        "/measures/plans/", {"name": "P", "budget_eur": "1000", "exclusions": f"{theirs.name} + Chicane"}
    )
    assert response.status_code == 400
    assert "no measure type “Their fence”" in str(response.context["form"].errors["exclusions"])


# ------------------------------------------------------------------------------------------------
# Checked barrier plans


def _barrier_plan(space: Any, *, name: str, approved: bool = True, current: bool = True) -> Any:
    from pactesur.measures import barriers
    from pactesur.measures.models import BarrierPlan, PlanStatus

    fixed = MeasureType.objects.get(code="bollard_fixed_rated")
    plan = BarrierPlan.objects.create(
        city=space.city,
        space=space,
        name=name,
        vehicles=["M1", "N3C"],
        elements=[
            {
                "kind": "barrier_line",
                "geometry": {"type": "LineString", "coordinates": [[7.2700, 43.6980], [7.2702, 43.6980]]},
                "rating": "V/7200[N2A]/64/90",
                "gap_m": 1.2,
                "opening_m": 0.0,
                "opening_rating": "unrated",
                "label": "Avenue Jean Médecin",
                "measure_type": fixed.pk,
            }
        ],
        status=PlanStatus.APPROVED if approved else PlanStatus.DRAFT,
        judgement={"accepted": True, "vehicles": ["M1", "N3C"], "entries": [], "elements": []},
        cost={
            "min_eur": 1_000,
            "max_eur": 3_000,
            "maintenance_eur_per_year": 40,
            "items": [{"element": 0, "role": "line", "type_id": fixed.pk, "quantity": 6}],
            "unpriced": [],
        },
    )
    plan.checked_inputs = barriers.current_inputs(plan) if current else {"network": -1}
    plan.save()
    return plan


def test_an_approved_accepted_barrier_plan_is_a_candidate_with_its_cost_and_is_chosen(
    client, planner, city, two_spaces
) -> None:  # type: ignore[no-untyped-def]
    from pactesur.measures.actions import do_create_plan

    massena, _saleya = two_spaces
    plan = _barrier_plan(massena.space, name="Jean Médecin line")
    built = build_problem(city, budget_eur=20_000)

    info = built.candidates[f"{massena.space_id}:plan{plan.pk}"]
    assert info.cost_eur == 2_000  # the middle of its range
    assert info.maintenance_eur_per_year == 40
    fixed = MeasureType.objects.get(code="bollard_fixed_rated")
    assert info.integration == fixed.integration_score
    # It stops both open entries (both classes claimed): the fixed bollards' full effect.
    assert info.reductions == built.candidates[f"{massena.space_id}:{fixed.pk}"].reductions
    assert [s["entry"] for s in info.stops] == ["Avenue Jean Médecin", "Rue de l’Opéra"]
    generic = [i.id for i in built.candidates.values() if i.barrier and i.space_id == massena.space_id]
    assert generic
    assert all((info.id, g) in built.problem.exclusions for g in generic)

    result = computed(do_create_plan(city, acting_user=None, name="With the line", budget_eur=20_000)).result
    row = next(c for c in result["chosen"] if c["barrier_plan_id"] == plan.pk)
    assert row["cost_eur"] == 2_000
    assert row["type"] == "Barrier plan “Jean Médecin line”"
    barrier_ids = {i.type_id for i in built.candidates.values() if i.barrier}
    assert not any(c["type_id"] in barrier_ids for c in result["chosen"] if c["space_id"] == massena.space_id)

    client.force_login(planner)
    saved = computed(do_create_plan(city, acting_user=None, name="Again", budget_eur=20_000))
    page = client.get(f"/measures/plans/{saved.pk}/").content.decode()
    assert f'href="/measures/barriers/{plan.pk}/"' in page
    assert "Barrier plan “Jean Médecin line”" in page
    csv_text = client.get(f"/measures/plans/{saved.pk}/plan.csv").content.decode()
    assert "Barrier plan “Jean Médecin line”" in csv_text
    assert f"/measures/barriers/{plan.pk}/" in csv_text


def test_a_draft_or_stale_barrier_plan_is_no_candidate(client, planner, city, two_spaces) -> None:  # type: ignore[no-untyped-def]
    from pactesur.measures.actions import do_create_plan

    massena, _saleya = two_spaces
    draft = _barrier_plan(massena.space, name="Draft line", approved=False)
    stale = _barrier_plan(massena.space, name="Stale line", current=False)
    built = build_problem(city, budget_eur=20_000)

    assert not any(i.barrier_plan_id for i in built.candidates.values())
    assert [b["id"] for b in built.barrier_plans_left_out] == [stale.pk]  # drafts are not listed
    assert built.barrier_plans_left_out[0]["reason"] == "not_accepted_now"
    plan = computed(do_create_plan(city, acting_user=None, name="Without", budget_eur=20_000))
    assert not any(c["barrier_plan_id"] for c in plan.result["chosen"])
    client.force_login(planner)
    page = client.get(f"/measures/plans/{plan.pk}/").content.decode()
    assert 'id="plan-barrier-plans-left-out"' in page
    assert "Stale line" in page
    assert draft.name not in page


# ------------------------------------------------------------------------------------------------
# Loading the open entries


def _entries_from_whole_results(space_id: int) -> list[Any]:
    """The open entries as they were read before: every analysis's whole result loaded."""
    from pactesur.analysis.models import AnalysisStatus, ApproachAnalysis
    from pactesur.measures.planning import OPEN_ENTRY_KMH, OpenEntry

    rows = ApproachAnalysis.objects.filter(space_id=space_id, status=AnalysisStatus.SUCCEEDED).order_by(
        "vehicle", "-computed_at", "-id"
    )
    latest: dict[str, Any] = {}
    for row in rows:
        latest.setdefault(row.vehicle, row)
    grouped: dict[str, dict[str, Any]] = {}
    for vehicle, row in latest.items():
        for e in (row.result or {}).get("entries", []):
            speed = float(e.get("impact_speed_kmh") or 0.0)
            if speed <= OPEN_ENTRY_KMH:
                continue
            key = f"{e.get('way_id')}:{e.get('name') or ''}"
            item = grouped.setdefault(
                key, {"name": e.get("name") or "", "width": 0.0, "assumed": False, "hits": {}}
            )
            item["width"] = max(item["width"], float(e.get("width_m") or 0.0))
            item["assumed"] = item["assumed"] or e.get("width_source", "mapped") != "mapped"
            item["hits"][vehicle] = max(item["hits"].get(vehicle, 0.0), speed)
    return [
        OpenEntry(key, v["name"], v["width"], v["assumed"], tuple(sorted(v["hits"].items())))
        for key, v in sorted(grouped.items())
    ]


@pytest.mark.parametrize("vendor", ["this database", "another database"])
def test_open_entries_read_only_their_fields_and_match_the_whole_results(city, vendor, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from pactesur.measures import planning

    massena = _assessed(city, "Place Masséna", (5, 5), (3, 4))
    network = StreetNetworkFactory(city=city)
    wide = entry("N3C", 60.0, name="Avenue Jean Médecin")
    wide["width_m"] = 11.5
    unmapped = entry("N3C", 33.0, name=None, assumed=True)
    unmapped["way_id"] = 77
    old = entry("M1", 50.0, name="Rue de l’Opéra")
    del old["width_source"]  # an analysis from before the field: a mapped width
    make_analysis(massena.space, network, "N3C", [wide, unmapped, entry("N3C", 12.0, name="Slow lane")])
    make_analysis(massena.space, network, "M1", [old, entry("M1", 70.0, name="Avenue Jean Médecin")])
    make_analysis(massena.space, network, "N2A", [])
    if vendor == "another database":  # read through the ORM's key transform instead
        monkeypatch.setattr(planning, "_ENTRY_SQL", {})

    entries = planning._entries(massena.space_id)

    assert entries == _entries_from_whole_results(massena.space_id)
    assert [(e.name, e.width_m, e.width_assumed, e.hits) for e in entries] == [
        ("Avenue Jean Médecin", 11.5, False, (("M1", 70.0), ("N3C", 60.0))),
        ("Rue de l’Opéra", 7.0, False, (("M1", 50.0),)),
        ("", 7.0, True, (("N3C", 33.0),)),
    ]
