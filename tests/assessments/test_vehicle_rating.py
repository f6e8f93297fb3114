"""The vehicle scenario rated from the analysis: only a barrier rated for the class and the speed
that reach it protects; unrated street furniture is an approach to verify; a checked barrier plan
protects the entries its check says are stopped."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from pactesur.analysis.models import AnalysisStatus, ApproachAnalysis
from pactesur.analysis.parameters import parameters_hash, polygon_hash
from pactesur.assessments.facts import BARRIER_RATINGS
from pactesur.assessments.vehicle import (
    BARRIER,
    ENTRY,
    Approach,
    VehicleAnalysis,
    approaches_of,
    barrier_key,
    barriers_to_rate,
    rate_vehicle,
    vehicle_analysis,
    vehicle_evidence,
    vehicle_summary,
    vehicle_with_plan,
)
from pactesur.measures.barriers import current_inputs
from pactesur.measures.models import BarrierPlan
from tests.streets.factories import StreetNetworkFactory

# Every vehicle fact answered and none opens a way round the protection.
STRONG = {
    "entry_opening_m": 1.0,
    "side_access": False,
    "active_barriers_open": False,
    "service_vehicles_inside": False,
    "parked_vehicles_near_crowd": False,
}


def entry(speed: float, *, vehicle: str = "N3C", exposure: float = 40.0, run_up: float = 120.0) -> Approach:
    return Approach(
        vehicle=vehicle,
        kind=ENTRY,
        impact_speed_kmh=speed,
        kinetic_energy_kj=0.5 * 7200 * (speed / 3.6) ** 2 / 1000,
        required_rating="V/7200[N3C]/64/90",
        run_up_m=run_up,
        exposure_m=exposure,
        name="Rue de France",
    )


def barrier(speed: float, *, vehicle: str = "M1", key: str = "123", kind: str = "bollard") -> Approach:
    mass = {"M1": 1500.0, "N3C": 7200.0}[vehicle]
    return Approach(
        vehicle=vehicle,
        kind=BARRIER,
        impact_speed_kmh=speed,
        kinetic_energy_kj=0.5 * mass * (speed / 3.6) ** 2 / 1000,
        required_rating=f"V/{mass:.0f}[{vehicle}]/48/90",
        barrier_kind=kind,
        barrier_key=key,
    )


@pytest.mark.parametrize(("speed", "level"), [(55.0, 5), (50.0, 5), (35.0, 4), (30.0, 4), (20.0, 3)])
def test_an_open_entry_gives_three_plus_one_from_30_and_50_kmh(speed: float, level: int) -> None:
    rated = rate_vehicle([entry(speed)], STRONG)
    assert rated.vulnerability == level
    assert rated.steps[-1] == f"→ vulnerability {level}."


def test_entries_at_16_kmh_or_less_need_no_rated_barrier() -> None:
    rated = rate_vehicle([entry(16.0), entry(12.0)], STRONG)
    assert rated.vulnerability == 1
    assert rated.classes[0].slow == 2
    assert rated.worst_unprotected is None


def test_an_unrated_bollard_does_not_protect_and_is_said_assumed() -> None:
    rated = rate_vehicle([barrier(40.0)], STRONG)
    assert rated.vulnerability == 4  # 3, +1 from 30 km/h
    step = next(s for s in rated.steps if s.msgid.startswith("Assumed unprotected"))
    assert "the bollard at 123 is not rated (hit by M1 at 40 km/h, 93 kJ" in step
    assert "enter its rating if it has one" in step
    assert rated.classes[0].unrated_barriers == 1


def test_a_barrier_rated_for_the_class_and_speed_protects() -> None:
    # V/1500[M1]/48/90: test mass 1,500 kg ≥ the car's, test speed 48 ≥ 40 km/h (133 kJ ≥ 93 kJ).
    answers = {**STRONG, BARRIER_RATINGS: {"123": "V/1500[M1]/48/90"}}
    rated = rate_vehicle([barrier(40.0)], answers)
    assert rated.vulnerability == 1
    assert rated.classes[0].protected == 1
    assert rated.classes[0].all_protected


def test_a_rating_for_a_lighter_vehicle_or_a_lower_speed_does_not_protect() -> None:
    answers = {**STRONG, BARRIER_RATINGS: {"123": "V/1500[M1]/48/90", "456": "V/7200[N3C]/32/90"}}
    # The truck hits the car-rated bollard at 40 km/h (444 kJ); the truck-rated one at 40 > 32 km/h.
    rated = rate_vehicle([barrier(40.0, vehicle="N3C"), barrier(40.0, vehicle="N3C", key="456")], answers)
    assert rated.vulnerability == 4
    assert rated.classes[0].under_rated_barriers == 2
    step = next(s for s in rated.steps if "rated V/1500[M1]/48/90" in s)
    assert "(133 kJ) but is hit by N3C at 40 km/h (444 kJ); it would need V/7200[N3C]/48/90" in step


def test_one_barrier_hit_by_two_classes_gives_one_step_at_the_hardest_hit() -> None:
    rated = rate_vehicle([barrier(40.0), barrier(38.0, vehicle="N3C")], STRONG)
    steps = [s for s in rated.steps if s.msgid.startswith("Assumed unprotected")]
    assert len(steps) == 1
    assert "hit by N3C at 38 km/h" in steps[0]
    assert [c.vehicle for c in rated.classes] == ["M1", "N3C"]


def test_every_class_must_be_protected_for_vulnerability_one() -> None:
    answers = {**STRONG, BARRIER_RATINGS: {"123": "V/1500[M1]/48/90"}}
    rated = rate_vehicle([barrier(40.0), entry(25.0)], answers)
    assert rated.vulnerability == 3  # the truck's open entry at 25 km/h: 3, below 30
    m1, n3c = rated.classes
    assert (m1.protected, m1.worst_unprotected_speed_kmh) == (1, None)
    assert (n3c.entries_open, n3c.worst_unprotected_speed_kmh, n3c.required_rating) == (
        1,
        25.0,
        "V/7200[N3C]/64/90",
    )


def test_a_way_round_the_protection_adds_one_up_to_five() -> None:
    assert rate_vehicle([entry(35.0)], {**STRONG, "side_access": "yes"}).vulnerability == 5
    assert rate_vehicle([entry(55.0)], {**STRONG, "active_barriers_open": True}).vulnerability == 5
    protected = rate_vehicle([entry(10.0)], {**STRONG, "entry_opening_m": 2.0})
    assert protected.vulnerability == 2
    assert any(s == "+1: a vehicle can get round or past the protection." for s in protected.steps)


def test_unanswered_vehicle_facts_count_as_a_way_round() -> None:
    rated = rate_vehicle([entry(10.0)], {})
    assert rated.vulnerability == 2
    assert sum(s.msgid.startswith("Assumed weak") for s in rated.steps) == 5


def test_the_drive_inside_is_the_longest_entry_exposure() -> None:
    rated = rate_vehicle([entry(30.0, exposure=40.0), entry(20.0, exposure=75.0), barrier(30.0)], STRONG)
    assert rated.exposure_m == 75.0
    assert rate_vehicle([barrier(30.0)], STRONG).exposure_m is None


def test_the_analysis_json_is_read_into_approaches() -> None:
    result = {
        "entries": [
            {
                "vehicle": "N3C",
                "impact_speed_kmh": 47.5,
                "kinetic_energy_kj": 626.7,
                "required_rating": "V/7200[N3C]/48/90",
                "beyond_rating": False,
                "run_up_m": 85.0,
                "exposure_m": 60.0,
                "name": "Avenue Jean Médecin",
            },
            {"vehicle": "N3C", "impact_speed_kmh": None},
        ],
        "barriers": [
            {
                "vehicle": "N3C",
                "kind": "bollard",
                "osm_id": 991,
                "lon": 7.27,
                "lat": 43.69,
                "impact_speed_kmh": 31.0,
            },
            {
                "vehicle": "N3C",
                "kind": "fence",
                "osm_id": 0,
                "lon": 7.2712345,
                "lat": 43.6981234,
                "impact_speed_kmh": 22.0,
            },
        ],
    }
    found = approaches_of("N3C", result)
    assert [(a.kind, a.impact_speed_kmh) for a in found] == [(ENTRY, 47.5), (BARRIER, 31.0), (BARRIER, 22.0)]
    assert found[0].run_up_m == 85.0
    assert [a.barrier_key for a in found[1:]] == ["991", "7.271235,43.698123"]
    assert barrier_key({"osm_id": 0, "lon": 7.2712345, "lat": 43.6981234}) == "7.271235,43.698123"


# --- from the database ------------------------------------------------------------------------------


def _analyse(
    space: Any, network: Any, vehicle: str, result: dict[str, Any], **summary: Any
) -> ApproachAnalysis:
    return ApproachAnalysis.objects.create(
        city=space.city,
        space=space,
        vehicle=vehicle,
        network=network,
        network_version=network.version,
        params_hash=parameters_hash(),
        polygon_hash=polygon_hash(space.polygon),
        status=AnalysisStatus.SUCCEEDED,
        result=result,
        computed_at=timezone.now(),
        **summary,
    )


TRUCK_RESULT = {
    "entries": [
        {
            "vehicle": "N3C",
            "lon": 7.2701,
            "lat": 43.6978,
            "impact_speed_kmh": 52.0,
            "kinetic_energy_kj": 751.1,
            "required_rating": "V/7200[N3C]/64/90",
            "beyond_rating": False,
            "run_up_m": 140.0,
            "exposure_m": 90.0,
        }
    ],
    "barriers": [
        {
            "vehicle": "N3C",
            "kind": "bollard",
            "osm_id": 555,
            "lon": 7.2705,
            "lat": 43.6980,
            "impact_speed_kmh": 33.0,
            "kinetic_energy_kj": 302.5,
            "required_rating": "V/7200[N3C]/48/90",
            "beyond_rating": False,
            "rated": None,
        }
    ],
}
TRUCK_SUMMARY = {
    "max_impact_speed_kmh": 52.0,
    "max_kinetic_energy_kj": 751.1,
    "entry_count": 1,
    "unprotected_entry_count": 1,
    "max_exposure_m": 90.0,
    "required_rating": "V/7200[N3C]/64/90",
}


@pytest.mark.django_db
def test_the_latest_succeeded_analysis_of_each_class_is_read(assessment, data_dir) -> None:  # type: ignore[no-untyped-def]
    space = assessment.space
    network = StreetNetworkFactory(city=assessment.city, version=3)
    old = _analyse(space, network, "N3C", {"entries": [], "barriers": []}, max_impact_speed_kmh=10.0)
    ApproachAnalysis.objects.filter(pk=old.pk).update(computed_at=timezone.now() - timezone.timedelta(days=3))
    newer = StreetNetworkFactory(city=assessment.city, version=4, is_active=False)
    _analyse(space, newer, "N3C", TRUCK_RESULT, **TRUCK_SUMMARY)

    found = vehicle_analysis(space)

    assert found is not None
    assert found.evidence == vehicle_evidence(space)
    assert found.evidence.max_impact_speed_kmh == 52.0
    assert [(a.kind, a.impact_speed_kmh) for a in found.approaches] == [(ENTRY, 52.0), (BARRIER, 33.0)]
    rated = rate_vehicle(found.approaches, {**STRONG, BARRIER_RATINGS: {"555": "V/7200[N3C]/48/90"}})
    assert rated.vulnerability == 5  # the open entry at 52 km/h: 3 + 1 + 1; the bollard protects
    assert rated.classes[0].protected == 1


def _plan(space: Any, judgement: dict[str, Any]) -> BarrierPlan:
    plan = BarrierPlan(
        city=space.city, space=space, name="Rue de France line", vehicles=["N3C"], judgement=judgement
    )
    plan.checked_inputs = current_inputs(plan) or {}
    plan.save()
    return plan


def _check_entry(status: str, **kw: Any) -> dict[str, Any]:
    return {
        "vehicle": "N3C",
        "status": status,
        "impact_speed_before_kmh": 52.0,
        "impact_speed_after_kmh": kw.pop("after", None),
        "required_rating_before": "V/7200[N3C]/64/90",
        "required_rating_after": kw.pop("required_after", None),
        "rating_covers": kw.pop("covers", None),
        **kw,
    }


@pytest.mark.django_db
def test_a_plan_whose_check_stops_the_entry_leaves_the_existing_barrier_to_verify(
    assessment, data_dir
) -> None:  # type: ignore[no-untyped-def]
    space = assessment.space
    network = StreetNetworkFactory(city=assessment.city, version=3)
    _analyse(space, network, "N3C", TRUCK_RESULT, **TRUCK_SUMMARY)
    plan = _plan(
        space, {"accepted": True, "vehicles": ["N3C"], "entries": [_check_entry("stopped", covers=True)]}
    )

    found = vehicle_with_plan(space, plan, {}, answers=STRONG)

    assert found is not None
    vulnerability, steps = found
    # The entry is stopped; the unrated bollard hit at 33 km/h stays unprotected: 3, +1 from 30 km/h.
    assert vulnerability == 4.0
    assert any(s.msgid.startswith("Assumed unprotected") and "555" in s for s in steps)
    rated_too = vehicle_with_plan(space, plan, {"555": "V/7200[N3C]/48/90"}, answers=STRONG)
    assert rated_too is not None
    assert rated_too[0] == 1.0


@pytest.mark.django_db
def test_a_plan_entry_left_open_keeps_its_speed_after_the_plan(assessment, data_dir) -> None:  # type: ignore[no-untyped-def]
    space = assessment.space
    network = StreetNetworkFactory(city=assessment.city, version=3)
    _analyse(space, network, "N3C", TRUCK_RESULT, **TRUCK_SUMMARY)
    plan = _plan(
        space,
        {
            "accepted": False,
            "vehicles": ["N3C"],
            "entries": [
                _check_entry("open", after=28.0, required_after="V/7200[N3C]/32/90"),
                _check_entry("removed"),
            ],
        },
    )

    found = vehicle_with_plan(space, plan, {"555": "V/7200[N3C]/48/90"}, answers=STRONG)

    assert found is not None
    assert found[0] == 3.0  # open at 28 km/h after the plan: 3, below 30 km/h


@pytest.mark.django_db
def test_a_plan_whose_check_is_not_current_gives_nothing(assessment, data_dir) -> None:  # type: ignore[no-untyped-def]
    space = assessment.space
    network = StreetNetworkFactory(city=assessment.city, version=3)
    _analyse(space, network, "N3C", TRUCK_RESULT, **TRUCK_SUMMARY)
    plan = _plan(
        space, {"accepted": True, "vehicles": ["N3C"], "entries": [_check_entry("stopped", covers=True)]}
    )
    plan.elements = [{"kind": "closure", "geometry": {"type": "Point", "coordinates": [7.27, 43.69]}}]
    plan.save()

    assert vehicle_with_plan(space, plan, {}) is None


@pytest.mark.django_db
def test_the_pages_summary_rates_the_space_with_its_facts(assessment, data_dir) -> None:  # type: ignore[no-untyped-def]
    space = assessment.space
    assert vehicle_summary(space, STRONG) is None
    _analyse(
        space, StreetNetworkFactory(city=assessment.city, version=3), "N3C", TRUCK_RESULT, **TRUCK_SUMMARY
    )

    found = vehicle_summary(space, STRONG)

    assert found is not None
    (truck,) = found.classes
    assert (truck.vehicle, truck.entries_open, truck.unrated_barriers, truck.protected) == ("N3C", 1, 1, 0)
    assert (truck.worst_unprotected_speed_kmh, truck.worst_unprotected_energy_kj) == (52.0, 751.1)
    assert truck.required_rating == "V/7200[N3C]/64/90"


def test_each_barrier_is_asked_once_at_its_hardest_hit() -> None:
    analysis = VehicleAnalysis(
        evidence=None,  # type: ignore[arg-type]
        approaches=(
            barrier(40.0, key="1"),  # car: 93 kJ
            barrier(38.0, vehicle="N3C", key="1"),  # truck: 401 kJ
            barrier(20.0, key="2", kind="planter"),  # car: 23 kJ
            entry(50.0),
        ),
    )
    found = barriers_to_rate(analysis)
    assert [(b.key, b.kind, b.vehicle, b.impact_speed_kmh) for b in found] == [
        ("1", "bollard", "N3C", 38.0),
        ("2", "planter", "M1", 20.0),
    ]
    assert found[0].required_rating == "V/7200[N3C]/48/90"
    assert barriers_to_rate(None) == []
