"""What-if: planned measures switched on give the residual risk computed by hand (docs/risk-method.md §5)."""

from __future__ import annotations

from pactesur.assessments.actions import do_add_measure, do_rate_scenario, do_update_assessment_context
from pactesur.assessments.risk import whatif
from pactesur.measures.models import MeasureType
from tests.assessments.helpers import rate, scenario


def _planned(assessment, code, user):  # type: ignore[no-untyped-def]
    return do_add_measure(
        assessment, acting_user=user, measure_type=MeasureType.objects.get(code=code), status="planned"
    )


def test_planned_barriers_switched_on_lower_the_vehicle_risk_on_the_page(  # type: ignore[no-untyped-def]
    client, assessment, security_officer
) -> None:
    rate(assessment, "vehicle", 4, 5, security_officer)
    barriers = _planned(assessment, "hvm_rated_permanent", security_officer)
    client.force_login(security_officer)
    page = client.get(f"/assessments/{assessment.pk}/what-if/?measure={barriers.pk}")
    row = next(r for r in page.context["rows"] if r["row"].scenario.attack_type == "vehicle")
    residual = row["row"].residual
    # 4 × 0.3 = 1.2; 5 × 0.7 = 3.5; 4.2 → low (was 20, very high).
    assert (residual.probability, residual.consequence, residual.score, residual.band) == (
        1.2,
        3.5,
        4.2,
        "low",
    )
    assert row["band"]["code"] == "very_high"
    other = next(r for r in page.context["rows"] if r["row"].scenario.attack_type == "firearms")
    assert other["row"].residual is None  # firearms has no probability yet: nothing to compute


def test_measures_not_ticked_or_not_planned_change_nothing(assessment, security_officer) -> None:  # type: ignore[no-untyped-def]
    rate(assessment, "vehicle", 4, 5, security_officer)
    barriers = _planned(assessment, "hvm_rated_permanent", security_officer)
    existing = do_add_measure(
        assessment,
        acting_user=security_officer,
        measure_type=MeasureType.objects.get(code="hvm_unrated"),
        status="existing",
    )
    vehicle = next(r for r in whatif(assessment, {existing.pk}) if r.scenario.attack_type == "vehicle")
    assert vehicle.residual is not None
    assert vehicle.residual.score == 20
    vehicle = next(r for r in whatif(assessment, {barriers.pk}) if r.scenario.attack_type == "vehicle")
    assert vehicle.residual is not None
    assert vehicle.residual.score == 4.2


def test_fema_mode_scores_and_lowers_the_vulnerability(assessment, security_officer) -> None:  # type: ignore[no-untyped-def]
    do_update_assessment_context(assessment, acting_user=security_officer, mode="fema", asset_value=8)
    assessment.refresh_from_db()
    s = scenario(assessment, "drone")
    do_rate_scenario(s, acting_user=security_officer, consequence=4, threat=2, vulnerability=9)
    s.refresh_from_db()
    assert (s.score, s.band) == (144, "medium")
    detector = _planned(assessment, "drone_detection", security_officer)  # drone: 0.4 and 0.2
    drone = next(r for r in whatif(assessment, {detector.pk}) if r.scenario.attack_type == "drone")
    # V 9 × 0.6 × 0.8 = 4.32 → 4.3; 8 × 2 × 4.3 = 68.8 → medium.
    assert drone.residual is not None
    assert (drone.residual.consequence, drone.residual.score, drone.residual.band) == (4.3, 68.8, "medium")
