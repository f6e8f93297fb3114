"""What-if: planned measures count once, by their effect times their coverage; barriers only through
a barrier plan (docs/risk-method.md §5). The issue's measured overstatements are regression tests."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from pactesur.assessments.actions import do_add_measure, do_rate_scenario, do_update_assessment_context
from pactesur.assessments.models import ExistingMeasure, Scenario
from pactesur.assessments.risk import WhatIfRow, whatif
from pactesur.measures.models import MeasureType
from tests.assessments.helpers import scenario


def _rate(assessment, attack_type, threat, vulnerability, consequence, user):  # type: ignore[no-untyped-def]
    return do_rate_scenario(
        scenario(assessment, attack_type),
        acting_user=user,
        threat=threat,
        vulnerability=vulnerability,
        consequence=consequence,
        override_reason="site visit",
    )


def _planned(assessment, code, user, **coverage):  # type: ignore[no-untyped-def]
    return do_add_measure(
        assessment,
        acting_user=user,
        measure_type=MeasureType.objects.get(code=code),
        status="planned",
        **coverage,
    )


def _row(assessment, chosen, attack_type, **kw) -> WhatIfRow:  # type: ignore[no-untyped-def]
    return next(r for r in whatif(assessment, chosen, **kw) if r.scenario.attack_type == attack_type)


def _own_type(assessment, effects):  # type: ignore[no-untyped-def]
    """A city's own measure type with effects chosen for a hand calculation (no barrier kind)."""
    return MeasureType.objects.create(
        code=f"own-{MeasureType.objects.count()}",
        city=assessment.city,
        family="staff",
        name="Stewards at the gates",
        effects=effects,
    )


def test_a_bollard_at_one_of_four_entries_no_longer_removes_70_percent_of_the_vehicle_probability(  # type: ignore[no-untyped-def]
    assessment, security_officer
) -> None:
    # Before: P 4 × (1 − 0.7) = 1.2, whatever the share of entries the bollards closed.
    _rate(assessment, "vehicle", 4, 4, 5, security_officer)
    bollards = _planned(assessment, "hvm_rated_permanent", security_officer, coverage_pct=25)
    assert bollards.coverage == 0.25
    residual = _row(assessment, {bollards.pk}, "vehicle").residual
    assert residual is not None
    # Barriers count only through a barrier plan: alone, the vehicle risk stays 4 × 5 = 20.
    assert (residual.probability, residual.consequence, residual.score, residual.band) == (
        4.0,
        5.0,
        20.0,
        "very_high",
    )


def test_a_barrier_measure_no_longer_cuts_the_vehicle_consequence(assessment, security_officer) -> None:  # type: ignore[no-untyped-def]
    _rate(assessment, "vehicle", 4, 4, 5, security_officer)
    barriers = _planned(assessment, "hvm_rated_permanent", security_officer)
    unrated = _planned(assessment, "hvm_unrated", security_officer)
    residual = _row(assessment, {barriers.pk, unrated.pk}, "vehicle").residual
    assert residual is not None
    assert residual.consequence == 5.0  # was 5 × (1 − 0.3) = 3.5
    assert residual.probability == 4.0


def test_the_same_measure_type_cannot_be_recorded_twice_nor_counted_twice(  # type: ignore[no-untyped-def]
    assessment, security_officer
) -> None:
    _rate(assessment, "blade", 4, 4, 4, security_officer)
    stewards = _own_type(assessment, {"blade": {"probability": 0.4, "consequence": 0.2}})
    first = do_add_measure(assessment, acting_user=security_officer, measure_type=stewards, status="planned")
    again = do_add_measure(assessment, acting_user=security_officer, measure_type=stewards, status="planned")
    assert again.pk == first.pk
    assert ExistingMeasure.objects.filter(assessment=assessment, measure_type=stewards).count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        ExistingMeasure.objects.create(assessment=assessment, measure_type=stewards, status="planned")
    residual = _row(assessment, {first.pk, again.pk}, "blade").residual
    assert residual is not None
    # Once: V 4 × 0.6 = 2.4, P √(4 × 2.4) = 3.1; C 4 × 0.8 = 3.2; 3.1 × 3.2 = 9.92 → 9.9.
    assert (residual.probability, residual.consequence, residual.score) == (3.1, 3.2, 9.9)


def test_a_measure_acts_by_its_effect_times_its_coverage(assessment, security_officer) -> None:  # type: ignore[no-untyped-def]
    _rate(assessment, "blade", 4, 4, 4, security_officer)
    stewards = _own_type(assessment, {"blade": {"probability": 0.4, "consequence": 0.2}})
    m = do_add_measure(
        assessment,
        acting_user=security_officer,
        measure_type=stewards,
        status="planned",
        coverage_pct=50,
        hours="most",
    )
    # Coverage 0.5 × 0.75 = 0.375. V 4 × (1 − 0.4 × 0.375) = 3.4, P √(4 × 3.4) = 3.69 → 3.7;
    # C 4 × (1 − 0.2 × 0.375) = 3.7; 3.7 × 3.7 = 13.69 → 13.7, high (was 16, very high).
    residual = _row(assessment, {m.pk}, "blade").residual
    assert residual is not None
    assert (residual.probability, residual.consequence, residual.score, residual.band) == (
        3.7,
        3.7,
        13.7,
        "high",
    )


def test_no_single_catalogue_measure_turns_25_into_about_5(assessment, security_officer) -> None:  # type: ignore[no-untyped-def]
    """Before, the strongest measure took a 25 to 1.5 × 3.5 = 5.3. Now the threat stays what it is:
    with threat 5 and the vulnerability floored at 1 the probability keeps √5 = 2.2, and a measure
    at full coverage removes at most its share of the consequence."""
    for s in assessment.scenarios.all():
        _rate(assessment, s.attack_type, 5, 5, 5, security_officer)
    lowest = 25.0
    for mtype in MeasureType.objects.shared():
        m = do_add_measure(assessment, acting_user=security_officer, measure_type=mtype, status="planned")
        for row in whatif(assessment, {m.pk}):
            assert row.residual is not None
            lowest = min(lowest, row.residual.score)
    assert lowest >= 9
    assert lowest < 25  # some measure does act


def test_measures_not_ticked_or_not_planned_change_nothing(assessment, security_officer) -> None:  # type: ignore[no-untyped-def]
    _rate(assessment, "blade", 4, 4, 4, security_officer)
    stewards = _own_type(assessment, {"blade": {"probability": 0.4, "consequence": 0.2}})
    existing = do_add_measure(
        assessment, acting_user=security_officer, measure_type=stewards, status="existing"
    )
    for chosen in (set(), {existing.pk}):
        residual = _row(assessment, chosen, "blade").residual
        assert residual is not None
        assert residual.score == 16


def test_a_scenario_rated_before_method_2_uses_its_probability_for_threat_and_vulnerability(  # type: ignore[no-untyped-def]
    assessment, security_officer
) -> None:
    Scenario.objects.filter(assessment=assessment, attack_type="vehicle").update(
        threat=None, vulnerability=None, probability=4, consequence=5
    )
    stewards = _own_type(assessment, {"vehicle": {"probability": 0.5, "consequence": 0.0}})
    m = do_add_measure(assessment, acting_user=security_officer, measure_type=stewards, status="planned")
    # T = V = 4; V 4 × 0.5 = 2, P √(4 × 2) = 2.8; C 5; 14.0, high.
    residual = _row(assessment, {m.pk}, "vehicle").residual
    assert residual is not None
    assert (residual.probability, residual.consequence, residual.score, residual.band) == (
        2.8,
        5.0,
        14.0,
        "high",
    )


def test_fema_mode_lowers_the_vulnerability_and_bands_by_the_5x5_equivalent(
    assessment, security_officer
) -> None:  # type: ignore[no-untyped-def]
    do_update_assessment_context(assessment, acting_user=security_officer, mode="fema", asset_value=8)
    assessment.refresh_from_db()
    do_rate_scenario(
        scenario(assessment, "drone"),
        acting_user=security_officer,
        threat=2,
        vulnerability=9,
        override_reason="site visit",
    )
    detector = _planned(assessment, "drone_detection", security_officer)
    effect = detector.measure_type.effect_on("drone")
    assert (effect.probability, effect.consequence) == (0.4, 0.2)
    row = _row(assessment, {detector.pk}, "drone")
    assert (row.score, row.band) == (144, "medium")
    # V 9 × 0.6 × 0.8 = 4.32 → 4.3; 8 × 2 × 4.3 = 68.8; equivalent cell: T 2 → 1, V 4.3 → 3,
    # P table(1, 3) = 2, C 8 → 4; 2 × 4 = 8, medium.
    assert row.residual is not None
    assert (row.residual.consequence, row.residual.score, row.residual.band) == (4.3, 68.8, "medium")


def test_the_page_shows_the_residual_and_the_side_effects_of_ticked_measures_only(  # type: ignore[no-untyped-def]
    client, assessment, security_officer
) -> None:
    _rate(assessment, "blade", 4, 4, 4, security_officer)
    stewards = _own_type(assessment, {"blade": {"probability": 0.4, "consequence": 0.2}})
    m = do_add_measure(
        assessment,
        acting_user=security_officer,
        measure_type=stewards,
        status="planned",
        side_effects="A queue forms outside the gate, unscreened.",
    )
    client.force_login(security_officer)
    page = client.get(f"/assessments/{assessment.pk}/what-if/?measure={m.pk}")
    assert page.status_code == 200
    html = page.content.decode()
    assert "A queue forms outside the gate, unscreened." in html
    row = next(r for r in page.context["rows"] if r["row"].scenario.attack_type == "blade")
    assert row["residual_band"]["code"] == "medium"  # 9.9
    assert row["band"]["code"] == "very_high"
    unticked = client.get(f"/assessments/{assessment.pk}/what-if/").content.decode()
    assert "A queue forms outside the gate, unscreened." not in unticked


def test_a_barrier_plan_whose_check_is_not_current_asks_for_a_new_check(  # type: ignore[no-untyped-def]
    client, assessment, security_officer
) -> None:
    from pactesur.measures.models import BarrierPlan

    _rate(assessment, "vehicle", 4, 4, 5, security_officer)
    plan = BarrierPlan.objects.create(
        city=assessment.city, space=assessment.space, name="Bollards on rue de France", vehicles=["N1"]
    )
    client.force_login(security_officer)
    page = client.get(f"/assessments/{assessment.pk}/what-if/?plan={plan.pk}")
    assert page.status_code == 200
    assert page.context["plan_stale"] is True
    assert 'data-testid="plan-stale"' in page.content.decode()
    vehicle = next(r for r in page.context["rows"] if r["row"].scenario.attack_type == "vehicle")
    assert vehicle["row"].residual.score == 20  # the plan does not count until checked again
    other_space_plan = client.get(f"/assessments/{assessment.pk}/what-if/?plan=999999")
    assert other_space_plan.context["plan"] is None


def test_a_checked_barrier_plan_gives_the_residual_vehicle_vulnerability_through_the_analysis(  # type: ignore[no-untyped-def]
    client, assessment, security_officer, data_dir
) -> None:
    """The analysis: one truck entry at 52 km/h and a bollard (OSM 555) hit at 33 km/h. The plan's
    check stops the entry; the bollard is rated for the truck at 48 km/h: every approach is
    protected with the plan, vulnerability 1."""
    from pactesur.assessments.facts import BARRIER_RATINGS
    from tests.assessments.test_vehicle_rating import (
        STRONG,
        TRUCK_RESULT,
        TRUCK_SUMMARY,
        _analyse,
        _check_entry,
        _plan,
    )
    from tests.streets.factories import StreetNetworkFactory

    space = assessment.space
    _analyse(
        space, StreetNetworkFactory(city=assessment.city, version=3), "N3C", TRUCK_RESULT, **TRUCK_SUMMARY
    )
    plan = _plan(
        space, {"accepted": True, "vehicles": ["N3C"], "entries": [_check_entry("stopped", covers=True)]}
    )
    Scenario.objects.filter(assessment=assessment, attack_type="vehicle").update(
        facts={**STRONG, BARRIER_RATINGS: {"555": "V/7200[N3C]/48/90"}}
    )
    _rate(assessment, "vehicle", 4, 5, 5, security_officer)  # P table(4, 5) = 4; 20
    bollards = _planned(assessment, "hvm_rated_permanent", security_officer)

    row = _row(assessment, {bollards.pk}, "vehicle", plan=plan)

    # V 1 with the plan; P √(4 × 1) = 2.0; C 5 (barriers no longer cut it); 10.0, high.
    assert row.residual is not None
    assert (row.residual.probability, row.residual.consequence, row.residual.score) == (2.0, 5.0, 10.0)
    assert row.plan_steps
    without_plan = _row(assessment, {bollards.pk}, "vehicle").residual
    assert without_plan is not None
    assert without_plan.score == 20
    client.force_login(security_officer)
    page = client.get(f"/assessments/{assessment.pk}/what-if/?measure={bollards.pk}&plan={plan.pk}")
    assert page.context["plan"] == plan
    assert page.context["plan_stale"] is False
    vehicle = next(r for r in page.context["rows"] if r["row"].scenario.attack_type == "vehicle")
    assert vehicle["residual_band"]["code"] == "high"


def test_a_measure_never_raises_the_risk_above_the_rated_one(assessment, security_officer) -> None:  # type: ignore[no-untyped-def]
    """Threat 4, vulnerability 5: the table rates √20 = 4.47 as 4. A residual keeps a decimal, so
    without the cap nothing ticked would give 4.5 × 5 = 22.5 above the 20 rated."""
    _rate(assessment, "blade", 4, 5, 5, security_officer)
    stewards = _own_type(assessment, {"blade": {"probability": 0.0, "consequence": 0.2}})
    m = do_add_measure(assessment, acting_user=security_officer, measure_type=stewards, status="planned")
    untouched = _row(assessment, set(), "blade").residual
    assert untouched is not None
    assert (untouched.probability, untouched.score) == (4.0, 20.0)
    # C 5 × 0.8 = 4.0; P stays 4; 16.0.
    residual = _row(assessment, {m.pk}, "blade").residual
    assert residual is not None
    assert (residual.probability, residual.consequence, residual.score) == (4.0, 4.0, 16.0)


def test_the_page_says_what_each_planned_measure_covers(client, assessment, security_officer) -> None:  # type: ignore[no-untyped-def]
    _planned(assessment, "cctv", security_officer, coverage_pct=40, hours="events")
    _planned(assessment, "hvm_rated_permanent", security_officer)
    client.force_login(security_officer)
    html = client.get(f"/assessments/{assessment.pk}/what-if/").content.decode()
    assert "covers 40 %, Only during events" in html  # the choice as the form names it
    assert "against a vehicle only through a barrier plan" in html
    assert "No barrier plan has been drawn for this space." in html
