"""Pre-filled ratings of method v2: threat from the national level, attacks and symbolic value;
vulnerability from the analysis or the facts; consequence from the people within reach of each
attack type on the usable area. Every rule on hand-computed cases, then the database and real OSM."""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

import pytest
import shapely
from shapely.geometry import box

from pactesur.assessments.actions import do_record_facts, do_start_assessment
from pactesur.assessments.models import RecordedAttack, ThreatLevel
from pactesur.assessments.prefill import (
    PrefillContext,
    Suggestion,
    buildings_m2,
    read_context,
    recent_attack_types,
    suggestion_for,
)
from pactesur.assessments.vehicle import (
    BARRIER,
    ENTRY,
    Approach,
    VehicleAnalysis,
    rate_vehicle,
    vehicle_analysis,
)
from pactesur.engine.io.network_store import save_network
from tests.assessments.helpers import scenario
from tests.engine.synthetic import Seg, build_network, to_lonlat
from tests.factories import CityFactory
from tests.spaces.helpers import make_space
from tests.streets.factories import StreetNetworkFactory

STRONG_VEHICLE = {
    "entry_opening_m": 1.0,
    "side_access": False,
    "active_barriers_open": False,
    "service_vehicles_inside": False,
    "parked_vehicles_near_crowd": False,
}


def ctx(**kw: Any) -> PrefillContext:
    """1,000 people on 2,000 m² (0.5 p/m²), nothing taken off, national threat level 3."""
    base: dict[str, Any] = {
        "peak_crowd": 1000,
        "area_m2": 2000.0,
        "buildings_m2": 0.0,
        "obstacles_m2": 0.0,
        "threat_level": 3,
    }
    base.update(kw)
    return PrefillContext(**base)


def entry(speed: float, *, exposure: float | None = 40.0, run_up: float | None = 120.0) -> Approach:
    return Approach(
        vehicle="N3C",
        kind=ENTRY,
        impact_speed_kmh=speed,
        kinetic_energy_kj=0.5 * 7200 * (speed / 3.6) ** 2 / 1000,
        required_rating="V/7200[N3C]/64/90",
        run_up_m=run_up,
        exposure_m=exposure,
    )


def analysed(*approaches: Approach) -> VehicleAnalysis:
    evidence: Any = None  # the suggestion reads the approaches only
    return VehicleAnalysis(evidence=evidence, approaches=approaches)


# --- threat -----------------------------------------------------------------------------------------


def test_without_a_national_threat_level_there_is_no_threat_and_no_probability() -> None:
    s = suggestion_for("firearms", {}, ctx(threat_level=None))
    assert s.threat is None
    assert s.probability is None
    assert s.vulnerability == 5  # nothing answered: every fact assumed weak
    assert "record it on the assessments dashboard" in s.english


def test_threat_starts_at_the_national_level_and_adds_attacks_and_symbolic_value() -> None:
    s = suggestion_for(
        "vehicle",
        {"symbolic_value": "national_symbol"},
        ctx(threat_level_name="substantial", recent_attacks=frozenset({"vehicle"})),
    )
    assert s.threat == 5  # 3 + 1 (a ramming at a comparable space) + 1 (a national symbol)
    assert "National threat level 3 (substantial): threat 3." in s.parts
    assert "+1: the space is a national symbol (high symbolic value)." in s.parts


def test_threat_is_capped_at_five() -> None:
    c = ctx(threat_level=4, recent_attacks=frozenset({"blade"}))
    assert suggestion_for("blade", {"symbolic_value": "religious_site"}, c).threat == 5


def test_a_landmark_or_an_attack_of_another_type_adds_nothing() -> None:
    c = ctx(threat_level=2, recent_attacks=frozenset({"vehicle"}))
    s = suggestion_for("blade", {"symbolic_value": "landmark"}, c)
    assert s.threat == 2
    unanswered = suggestion_for("blade", {}, c)
    assert unanswered.threat == 2
    assert (
        "The symbolic value of the space is not answered: not counted (answer it below)." in unanswered.parts
    )


def test_probability_is_derived_from_threat_and_vulnerability_by_the_table() -> None:
    assert Suggestion(3, 5, 2).probability == 4  # √15 = 3.87 → 4
    assert Suggestion(1, 5, 2).probability == 2  # √5 = 2.24 → 2
    assert Suggestion(None, 5, 2).probability is None


# --- consequence: people within reach ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("attack_type", "people", "level"),
    [
        # 200 people on 2,000 m²: 0.1 p/m².
        ("firearms", 200, 4),  # the whole crowd
        ("cbrn", 200, 4),
        ("blade", 50, 3),  # 0.1 × 5 m either side × 50 m = 0.1 × 500 m²
        ("placed_ied", 126, 3),  # 0.1 × π × 20² = 125.7
        ("pbied", 126, 3),
        ("vbied", 200, 4),  # 0.1 × π × 100² = 3,142, at most the crowd
        ("drone", 71, 3),  # 0.1 × π × 15² = 70.7
        ("arson", 50, 3),  # a quarter of the crowd, not answered how many are in enclosed parts
    ],
)
def test_each_attack_type_reaches_its_own_people(attack_type: str, people: int, level: int) -> None:
    s = suggestion_for(attack_type, {}, ctx(peak_crowd=200))
    assert s.consequence == level
    assert any(part.msgid.startswith("Within reach") and part.params["people"] == people for part in s.parts)


def test_a_knife_in_a_crowd_of_one_person_per_square_metre_is_four_not_five() -> None:
    assert suggestion_for("blade", {}, ctx(peak_crowd=1000, area_m2=1000.0)).consequence == 4  # 500 people
    assert suggestion_for("blade", {}, ctx(peak_crowd=4000, area_m2=1000.0)).consequence == 5  # 2,000 people


def test_arson_counts_the_people_in_enclosed_parts_when_answered() -> None:
    s = suggestion_for("arson", {"people_enclosed": 8}, ctx(peak_crowd=200))
    assert s.consequence == 1
    assert "Within reach: the 8 people in the enclosed parts or among the stalls (a fact)." in s.parts


def test_a_bomb_threat_moves_the_whole_crowd_one_level_lower() -> None:
    s = suggestion_for("bomb_threat", {}, ctx(peak_crowd=200))
    assert s.consequence == 3  # 200 people → 4, less one


@pytest.mark.parametrize("attack_type", ["cyber", "recon", "insider"])
def test_enabling_attacks_get_no_consequence(attack_type: str) -> None:
    s = suggestion_for(attack_type, {}, ctx())
    assert s.consequence is None
    assert s.threat == 3
    assert "rate the consequence of the attack it would lead to" in s.english


def test_density_is_on_the_usable_area() -> None:
    # 10,000 m² less 4,000 of buildings and 4,000 of stalls = 2,000 m²; 1,000 people = 0.5 p/m²: a
    # knife reaches 250 (4). On the gross area (0.1 p/m²) it would reach 50 (3).
    s = suggestion_for("blade", {}, ctx(area_m2=10_000.0, buildings_m2=4000.0, obstacles_m2=4000.0))
    assert s.consequence == 4
    assert (
        "Usable area 2000 m² (the outline’s 10000 m² less 4000 m² of buildings and 4000 m² of stalls, stages "
        "and other obstacles): peak crowd 1000 gives 0.50 people/m²."
    ) in s.parts


def test_unknown_obstacles_and_buildings_are_assumed_none_and_said_so() -> None:
    s = suggestion_for("blade", {}, ctx(obstacles_m2=None, buildings_m2=None))
    assert s.consequence == 4  # 0.5 × 500 = 250
    assert any("stalls, stages and other obstacles is not entered: assumed 0 m²" in p for p in s.parts)
    assert any("No street network to read the buildings from" in p for p in s.parts)


def test_an_outline_covered_by_buildings_and_obstacles_gets_no_consequence() -> None:
    s = suggestion_for("firearms", {}, ctx(area_m2=1000.0, buildings_m2=600.0, obstacles_m2=400.0))
    assert s.consequence is None
    assert "buildings and obstacles cover the whole outline" in s.english


def test_without_a_peak_crowd_there_is_no_consequence() -> None:
    s = suggestion_for("firearms", {}, ctx(peak_crowd=None))
    assert s.consequence is None
    assert "No consequence suggestion: enter the peak crowd of the space (step 1)." in s.parts


# --- the vehicle ------------------------------------------------------------------------------------


def test_vehicle_consequence_counts_the_people_on_the_drive_and_the_speed() -> None:
    # 0.5 p/m² × 6 m × 40 m = 120 people → 3; the open entry at 55 km/h after 120 m: +1 → 4.
    s = suggestion_for("vehicle", STRONG_VEHICLE, ctx(analysis=analysed(entry(55.0))))
    assert (s.vulnerability, s.consequence) == (5, 4)
    assert s.probability == 4  # threat 3, vulnerability 5: √15 → 4
    assert (
        "+1: the worst unprotected approach arrives at 55 km/h after a 120 m run-up (50 km/h or more)."
        in s.parts
    )
    assert s.vehicle is not None


def test_a_slow_vehicle_lowers_the_consequence_and_a_protected_space_keeps_it() -> None:
    slow = suggestion_for("vehicle", STRONG_VEHICLE, ctx(analysis=analysed(entry(20.0))))
    assert (slow.vulnerability, slow.consequence) == (3, 2)  # 120 people → 3, −1 below 25 km/h
    protected = suggestion_for("vehicle", STRONG_VEHICLE, ctx(analysis=analysed(entry(12.0))))
    assert (protected.vulnerability, protected.consequence) == (1, 3)
    assert "No unprotected approach: the impact speed changes nothing." in protected.parts


def test_without_a_drive_inside_the_square_root_of_the_usable_area_is_assumed() -> None:
    bollard = Approach(
        vehicle="M1", kind=BARRIER, impact_speed_kmh=40.0, kinetic_energy_kj=92.6, barrier_key="9"
    )
    s = suggestion_for("vehicle", STRONG_VEHICLE, ctx(analysis=analysed(bollard)))
    # √2,000 = 44.7 m; 0.5 × 6 × 44.7 = 134 people → 3; the unrated bollard hit at 40 km/h changes nothing.
    assert (s.vulnerability, s.consequence) == (4, 3)
    assert "the square root of the usable area, 45 m, is assumed" in s.english


def test_without_an_analysis_the_vehicle_vulnerability_is_not_prefilled_and_that_comes_first() -> None:
    s = suggestion_for("vehicle", STRONG_VEHICLE, ctx())
    assert s.vulnerability is None
    assert s.probability is None
    assert s.threat == 3
    assert s.consequence == 3  # √2,000 m assumed, as above
    assert s.english.startswith("No current approach analysis of this space: the vehicle vulnerability")


def test_steps_are_message_ids_with_figures() -> None:
    s = suggestion_for("blade", {"stewards_present": "no"}, ctx())
    stored = s.stored_parts
    assert stored[0] == {
        "msgid": "National threat level %(level)s: threat %(level)s.",
        "params": {"level": 3},
    }
    weak = next(p for p in stored if p["msgid"].startswith("Weak:"))
    assert weak["params"]["answer"] == {"msgid": "no", "params": {}}
    assert s.explanation == s.english  # English is the active language of the tests


# --- from the database ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_latest_threat_level_of_the_city_is_read(assessment) -> None:  # type: ignore[no-untyped-def]
    ThreatLevel.objects.create(city=assessment.city, level=2, name="moderate")
    ThreatLevel.objects.create(city=assessment.city, level=4, name="severe")
    ThreatLevel.objects.create(city=CityFactory(), level=5, name="critical")

    found = read_context(assessment)

    assert (found.threat_level, found.threat_level_name) == (4, "severe")
    assert (found.peak_crowd, round(found.area_m2)) == (20000, round(assessment.area_m2))
    assert found.buildings_m2 is None  # no street network
    assert found.analysis is None


@pytest.mark.django_db
def test_attacks_at_this_space_or_a_space_of_the_same_kind_in_24_months_count(assessment) -> None:  # type: ignore[no-untyped-def]
    space = assessment.space  # a square
    other_square = make_space(assessment.city, name="Place Garibaldi")
    market = make_space(assessment.city, name="Cours Saleya", kind="market")
    today = datetime.date(2025, 3, 31)

    def attack(attack_type: str, day: datetime.date, city: Any = None, **kw: Any) -> None:
        RecordedAttack.objects.create(
            city=city or assessment.city, attack_type=attack_type, happened_on=day, place="x", **kw
        )

    attack("vehicle", datetime.date(2023, 3, 31), space=space)  # exactly 24 months before
    attack("blade", datetime.date(2024, 6, 1), space=other_square)
    attack("arson", datetime.date(2025, 1, 1), space_kind="square")  # a square elsewhere
    attack("pbied", datetime.date(2023, 3, 30), space=space)  # a day too early
    attack("firearms", datetime.date(2025, 1, 1), space=market)
    attack("drone", datetime.date(2025, 1, 1), space_kind="market")
    attack("cbrn", datetime.date(2025, 1, 1), city=CityFactory(), space_kind="square")

    assert recent_attack_types(space, today=today) == frozenset({"vehicle", "blade", "arson"})


@pytest.mark.django_db
def test_buildings_of_the_street_network_are_taken_off_the_area(assessment, data_dir) -> None:  # type: ignore[no-untyped-def]
    space = assessment.space
    network = StreetNetworkFactory(city=assessment.city, version=2)
    synthetic = build_network({"a": (0.0, 0.0), "b": (100.0, 0.0)}, [Seg("a", "b")])
    outline = shapely.Polygon([_local(lon, lat) for lon, lat in space.polygon["coordinates"][0]])
    minx, miny, maxx, maxy = outline.bounds
    half = box(minx - 10, miny - 10, (minx + maxx) / 2, maxy + 10)  # the western half and beyond
    overlapping = box(minx + 5, miny + 5, minx + 15, miny + 15)  # inside the first: not counted twice
    away = box(maxx + 100, maxy + 100, maxx + 200, maxy + 200)
    save_network(dataclasses.replace(synthetic, buildings_xy=(half, overlapping, away)), network.graph_path)

    found = buildings_m2(space)

    assert found is not None
    assert found == pytest.approx(space.area_m2 / 2, rel=0.01)
    assert read_context(assessment).buildings_m2 == found


def _local(lon: float, lat: float) -> tuple[float, float]:
    import pyproj

    from tests.engine.synthetic import LOCAL_CRS

    x, y = pyproj.Transformer.from_crs(4326, LOCAL_CRS, always_xy=True).transform(lon, lat)
    assert to_lonlat(x, y) == pytest.approx((lon, lat))
    return float(x), float(y)


@pytest.mark.django_db
def test_facts_and_the_threat_level_prefill_a_scenario(assessment, security_officer) -> None:  # type: ignore[no-untyped-def]
    ThreatLevel.objects.create(city=assessment.city, level=3, name="substantial")
    firearms = scenario(assessment, "firearms")
    do_record_facts(
        firearms,
        acting_user=security_officer,
        answers={
            "exit_count": "2",
            "places_to_hide": "yes",
            "armed_response_min": "15",
            "cctv_coverage": "all",
            "staff_run_hide_tell": "yes",
            "lockdown_plan": "yes",
            "symbolic_value": "religious_site",
        },
    )
    firearms.refresh_from_db()
    # threat 3 + 1 (religious site) = 4; weak: 2 exits (2) and 15 min (2) of 8 → 1 + 2 = 3;
    # the whole crowd of 20,000 → 5; probability √12 = 3.46 → 3.
    assert (firearms.suggested_threat, firearms.suggested_vulnerability, firearms.suggested_consequence) == (
        4,
        3,
        5,
    )
    assert (firearms.threat, firearms.vulnerability, firearms.consequence) == (4, 3, 5)
    assert firearms.probability == 3
    assert firearms.suggestion_explanation.startswith("National threat level 3 (substantial): threat 3.")
    assert (
        firearms.suggestion_parts[0]["msgid"]
        == "National threat level %(level)s (%(name)s): threat %(level)s."
    )


@pytest.mark.slow
@pytest.mark.django_db
def test_a_real_approach_analysis_prefills_the_vehicle_scenario(city, security_officer, data_dir) -> None:  # type: ignore[no-untyped-def]
    from pactesur.analysis.actions import do_run_city_analysis
    from pactesur.spaces.actions import do_update_space
    from tests.analysis.helpers import import_leeds, woodhouse_space

    import_leeds(city)
    space = woodhouse_space(city)
    do_update_space(space, acting_user=None, peak_crowd=2000)
    assessment = do_start_assessment(space, acting_user=security_officer)
    assert scenario(assessment, "vehicle").suggested_vulnerability is None
    do_run_city_analysis(city)
    do_record_facts(scenario(assessment, "vehicle"), acting_user=security_officer, answers=STRONG_VEHICLE)

    found = vehicle_analysis(space)
    assert found is not None
    rated = rate_vehicle(found.approaches, STRONG_VEHICLE)
    worst = rated.worst_unprotected
    assert worst is not None
    assert worst.impact_speed_kmh > 16
    vehicle = scenario(assessment, "vehicle")
    assert vehicle.suggested_vulnerability == rated.vulnerability >= 3
    assert vehicle.vulnerability == rated.vulnerability
    assert f"at {worst.impact_speed_kmh:.0f} km/h" in vehicle.suggestion_explanation
    ctx_now = read_context(assessment)
    assert ctx_now.buildings_m2 is not None
    assert vehicle.suggested_consequence == suggestion_for("vehicle", vehicle.facts, ctx_now).consequence
