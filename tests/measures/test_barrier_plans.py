"""Barrier plans: proposed from a space's entries, drawn, costed from the catalogue, checked by the
engine on the real Leeds extract, approved only when the engine accepts them as they are now."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from pactesur.analysis import _engine_cache
from pactesur.audit.models import AuditEvent
from pactesur.measures import barriers
from pactesur.measures.barrier_actions import (
    do_approve_barrier_plan,
    do_check_barrier_plan,
    do_create_barrier_plan,
    do_update_barrier_plan,
)
from pactesur.measures.models import BarrierPlan, MeasureType, PlanStatus
from tests.analysis.helpers import WOODHOUSE_LAT, WOODHOUSE_LON, import_leeds, woodhouse_space
from tests.auth_support import confirm_password

pytestmark = pytest.mark.django_db

CLASSES = ["M1", "N3C"]


@pytest.fixture(autouse=True)
def _fresh_engine_cache() -> Iterator[None]:
    _engine_cache.clear()
    yield
    _engine_cache.clear()


@pytest.fixture
def woodhouse(city, settings, tmp_path: Path):  # type: ignore[no-untyped-def]
    settings.PACTESUR_DATA_DIR = tmp_path / "data"
    settings.PACTESUR_DATA_DIR.mkdir()
    import_leeds(city)
    return woodhouse_space(city)


@pytest.fixture
def proposed(woodhouse, security_officer):  # type: ignore[no-untyped-def]
    return do_create_barrier_plan(woodhouse, acting_user=security_officer, name="Woodhouse", vehicles=CLASSES)


# Woodhouse Lane runs north-west to south-east through the space; cars come up from the south-east
# at up to 135 km/h. A line across the lane just south-east of the space, about 24 m long:
ACROSS_LANE = [[-1.55331, 53.8091045], [-1.55309, 53.8092755]]


def _across_woodhouse(rating: str, *, label: str = "drawn") -> dict[str, Any]:
    """A barrier line across Woodhouse Lane south-east of the space."""
    return {
        "kind": "barrier_line",
        "geometry": {"type": "LineString", "coordinates": ACROSS_LANE},
        "rating": rating,
        "gap_m": 1.2,
        "opening_m": 0.0,
        "opening_rating": "unrated",
        "label": label,
    }


def test_the_proposal_is_costed_checked_accepted_and_approved(proposed, security_officer) -> None:
    lines = [e for e in proposed.elements if e["kind"] == "barrier_line"]
    assert lines, "the proposal closes the entries of the space with lines"
    # Every line is built of a permanent rated type of the catalogue; openings of removable ones.
    kinds = {MeasureType.objects.get(pk=e["measure_type"]).kind for e in lines if "measure_type" in e}
    assert kinds <= {"fixed_bollard", "planter", "street_furniture", "gate"}
    assert proposed.cost["min_eur"] > 0
    assert proposed.cost["max_eur"] >= proposed.cost["min_eur"]
    counted = [i for i in proposed.cost["items"] if i["quantity_basis"]["basis"] == "elements"]
    assert all(i["quantity"] >= 1 for i in counted)
    # Woodhouse Lane's impacts are beyond every test rating for a car: the proposal slows them first.
    assert any(e["kind"] == "speed_reduction" for e in proposed.elements)
    assert barriers.shown_state(proposed) == "unchecked"
    with pytest.raises(ValidationError):
        do_approve_barrier_plan(proposed, acting_user=security_officer)

    checked = do_check_barrier_plan(proposed, acting_user=security_officer)
    assert checked.judgement["accepted"] is True, checked.judgement["reasons"]
    summary = {row["vehicle"]: row for row in barriers.speed_summary(checked.judgement)}
    assert set(summary) == set(CLASSES)
    assert summary["M1"]["before_kmh"] > 60
    assert summary["M1"]["after_kmh"] is None
    assert summary["M1"]["open"] == 0
    assert summary["M1"]["stopped"] >= 1
    assert barriers.shown_state(checked) == "accepted"

    approved = do_approve_barrier_plan(checked, acting_user=security_officer)
    assert approved.status == PlanStatus.APPROVED
    assert approved.approved_by == security_officer
    events = list(AuditEvent.objects.filter(object_id=str(approved.pk)).values_list("detail", flat=True))
    assert any(d.get("event") == "checked" and d.get("accepted") for d in events)
    assert any(d.get("event") == "approved" for d in events)


def test_an_unrated_line_is_refused_with_its_reason(woodhouse, planner) -> None:
    plan = do_create_barrier_plan(
        woodhouse, acting_user=planner, name="Planters", vehicles=["N3C"], from_proposal=False
    )
    assert plan.elements == []
    plan = do_update_barrier_plan(
        plan, acting_user=planner, name="Planters", vehicles=["N3C"], elements=[_across_woodhouse("unrated")]
    )
    checked = do_check_barrier_plan(plan, acting_user=planner)
    assert checked.judgement["accepted"] is False
    assert checked.judgement["reasons"]
    reasons = {e["reason"] for e in checked.judgement["elements"]}
    assert "unrated" in reasons or "not_reached" in reasons
    assert barriers.shown_state(checked) == "refused"
    with pytest.raises(ValidationError, match="Only a plan the engine accepts"):
        do_approve_barrier_plan(checked, acting_user=planner)


def test_an_empty_plan_leaves_every_entry_open(woodhouse, planner) -> None:
    plan = do_create_barrier_plan(
        woodhouse, acting_user=planner, name="Nothing", vehicles=["M1"], from_proposal=False
    )
    checked = do_check_barrier_plan(plan, acting_user=planner)
    assert checked.judgement["accepted"] is False
    summary = barriers.speed_summary(checked.judgement)[0]
    assert summary["open"] >= 1
    assert summary["after_kmh"] == pytest.approx(summary["before_kmh"])


def test_a_change_of_the_outline_or_the_elements_makes_the_check_stale(proposed, security_officer) -> None:
    from pactesur.spaces.actions import do_update_space
    from tests.analysis.helpers import box

    checked = do_check_barrier_plan(proposed, acting_user=security_officer)
    assert barriers.is_accepted_now(checked)
    space = checked.space
    do_update_space(
        space, acting_user=security_officer, polygon=box(WOODHOUSE_LON, WOODHOUSE_LAT, 0.0004, 0.0003)
    )
    checked.refresh_from_db()
    assert barriers.shown_state(checked) == "stale"
    with pytest.raises(ValidationError):
        do_approve_barrier_plan(checked, acting_user=security_officer)


def test_changing_an_approved_plan_withdraws_the_approval(proposed, security_officer) -> None:
    approved = do_approve_barrier_plan(
        do_check_barrier_plan(proposed, acting_user=security_officer), acting_user=security_officer
    )
    changed = do_update_barrier_plan(
        approved,
        acting_user=security_officer,
        name=approved.name,
        vehicles=approved.vehicles,
        elements=approved.elements[:-1],
    )
    assert changed.status == PlanStatus.DRAFT
    assert changed.approved_at is None
    assert barriers.shown_state(changed) == "stale"
    last = AuditEvent.objects.filter(object_id=str(changed.pk)).order_by("-id").first()
    assert last is not None
    assert last.detail["approval_withdrawn"] is True


def test_elements_the_engine_cannot_read_are_refused_and_nothing_changes(
    proposed, planner, other_city
) -> None:
    before = list(proposed.elements)
    bad_line = {
        "kind": "barrier_line",
        "geometry": {"type": "LineString", "coordinates": [[0, 0]]},
        "rating": "unrated",
    }
    with pytest.raises(ValidationError, match="Element 1"):
        do_update_barrier_plan(proposed, acting_user=planner, name="x", vehicles=CLASSES, elements=[bad_line])
    bad_rating = _across_woodhouse("very strong")
    with pytest.raises(ValidationError, match="Element 1"):
        do_update_barrier_plan(
            proposed, acting_user=planner, name="x", vehicles=CLASSES, elements=[bad_rating]
        )
    foreign = MeasureType.objects.create(
        code="other-city-bollard", city=other_city, family="vehicle", kind="fixed_bollard", name="Theirs"
    )
    with pytest.raises(ValidationError, match="catalogue type"):
        do_update_barrier_plan(
            proposed,
            acting_user=planner,
            name="x",
            vehicles=CLASSES,
            elements=[{**_across_woodhouse("V/7200[N2A]/48/90"), "measure_type": foreign.pk}],
        )
    with pytest.raises(ValidationError):
        do_update_barrier_plan(proposed, acting_user=planner, name="x", vehicles=["TANK"], elements=[])
    proposed.refresh_from_db()
    assert proposed.elements == before


def test_the_cost_counts_elements_for_clear_gaps_over_the_drawn_length(woodhouse) -> None:
    bollard = MeasureType.objects.get(code="bollard_fixed_rated")
    line = {**_across_woodhouse("V/7200[N2A]/64/90"), "measure_type": bollard.pk}
    length = barriers.line_length_m(line["geometry"])
    assert 22 < length < 26  # 0.00022° of longitude and 0.000171° of latitude at 53.8° N
    cost = barriers.plan_cost([line], woodhouse.city_id)
    (item,) = cost["items"]
    width = float(bollard.element_width_m)
    assert item["quantity"] == pytest.approx(-(-(length + 1.2) // (width + 1.2)))
    assert cost["min_eur"] == round(bollard.cost_min_eur * item["quantity"])
    assert item["suggested"] is False


# --- pages --------------------------------------------------------------------------------------


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    confirm_password(client)
    return client


def _post_data(plan: BarrierPlan, elements: list[dict[str, Any]], **extra: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": plan.name,
        "vehicles": plan.vehicles,
        "el-TOTAL_FORMS": str(len(elements)),
        "el-INITIAL_FORMS": str(len(plan.elements)),
        "el-MIN_NUM_FORMS": "0",
        "el-MAX_NUM_FORMS": "200",
        **extra,
    }
    for i, e in enumerate(elements):
        for key, value in e.items():
            data[f"el-{i}-{key}"] = (
                json.dumps(value) if key == "geometry" else ("" if value is None else value)
            )
    return data


def test_a_planner_draws_and_checks_a_plan_on_the_page(woodhouse, planner) -> None:
    client = _client(planner)
    response = client.post(
        "/measures/barriers/",
        {"space": woodhouse.pk, "name": "Drawn", "vehicles": ["N3C"], "start": "empty"},
    )
    assert response.status_code == 302
    plan = BarrierPlan.objects.get(name="Drawn")
    page = client.get(f"/measures/barriers/{plan.pk}/")
    assert page.status_code == 200
    assert b"Not checked yet" in page.content
    bollards = MeasureType.objects.get(code="bollard_fixed_rated")
    element = {**_across_woodhouse("V/7200[N3C]/80/90"), "measure_type": bollards.pk}
    response = client.post(f"/measures/barriers/{plan.pk}/", _post_data(plan, [element], check="1"))
    assert response.status_code == 302
    plan.refresh_from_db()
    assert len(plan.elements) == 1
    assert plan.elements[0]["measure_type"] == bollards.pk
    assert plan.judgement
    page = client.get(f"/measures/barriers/{plan.pk}/")
    text = page.content.decode()
    assert 'id="speeds-before-after"' in text
    assert 'id="element-verdicts"' in text
    # A planner reads the summaries, not the entries one by one with their places.
    assert 'id="entries-before-after"' not in text
    assert 'id="approve-barrier-plan"' not in text


def test_security_reads_every_entry_and_approves_on_the_page(proposed, security_officer) -> None:
    client = _client(security_officer)
    do_check_barrier_plan(proposed, acting_user=security_officer)
    page = client.get(f"/measures/barriers/{proposed.pk}/")
    text = page.content.decode()
    assert 'id="entries-before-after"' in text
    assert 'id="approve-barrier-plan"' in text
    assert "Existing protection to verify" in text
    assert client.post(f"/measures/barriers/{proposed.pk}/approve/").status_code == 302
    proposed.refresh_from_db()
    assert proposed.status == PlanStatus.APPROVED
    listing = client.get("/measures/barriers/").content.decode()
    assert "Woodhouse" in listing
    assert "Approved" in listing


def test_garbage_in_the_form_is_refused_and_the_plan_kept(proposed, planner) -> None:
    client = _client(planner)
    before = list(proposed.elements)
    garbage = [{"kind": "barrier_line", "geometry": "not json", "rating": ""}]
    data = _post_data(proposed, garbage)
    data["el-0-geometry"] = "{not json"
    data["el-INITIAL_FORMS"] = "0"
    response = client.post(f"/measures/barriers/{proposed.pk}/", data)
    assert response.status_code == 400
    assert b"Not GeoJSON" in response.content
    proposed.refresh_from_db()
    assert proposed.elements == before


def test_the_page_speaks_french(proposed, security_officer) -> None:
    client = _client(security_officer)
    do_check_barrier_plan(proposed, acting_user=security_officer)
    text = client.get(f"/fr/measures/barriers/{proposed.pk}/").content.decode()
    assert "Le verdict du moteur" in text
    assert "Impact le plus rapide par classe, avant et après le plan" in text
    assert "Protections existantes à vérifier" in text


def test_an_approved_barrier_plan_keeps_its_space_from_removal(woodhouse, security_officer) -> None:
    from pactesur.spaces.actions import do_archive_space, space_removal

    plan = do_create_barrier_plan(woodhouse, acting_user=security_officer, name="Kept", vehicles=["M1"])
    do_archive_space(woodhouse, acting_user=security_officer)
    woodhouse.refresh_from_db()
    removal = space_removal(woodhouse)
    assert removal.allowed  # a draft plan goes with its space, listed
    assert any(g.type == "measures.barrierplan" for g in removal.groups)
    BarrierPlan.objects.filter(pk=plan.pk).update(status=PlanStatus.APPROVED)
    removal = space_removal(woodhouse)
    assert not removal.allowed
    assert "“Kept” is approved" in " ".join(removal.blockers)


def test_the_catalogue_type_s_rating_is_the_one_the_engine_judges(woodhouse, planner) -> None:
    planters = MeasureType.objects.get(code="planter_rated")  # V/7200[N2A]/48/90
    plan = do_create_barrier_plan(
        woodhouse, acting_user=planner, name="Planters", vehicles=["M1"], from_proposal=False
    )
    # The planner types a stronger rating than the planters carry: the planters' certificate counts.
    claimed = {**_across_woodhouse("V/7200[N3C]/80/90"), "measure_type": planters.pk}
    plan = do_update_barrier_plan(
        plan, acting_user=planner, name="Planters", vehicles=["M1"], elements=[claimed]
    )
    assert plan.elements[0]["rating"] == planters.rating
    checked = do_check_barrier_plan(plan, acting_user=planner)
    verdicts = [e for e in checked.judgement["elements"] if e["element"] == 0]
    assert verdicts
    # M1 comes down Woodhouse Lane faster than the planters' 48 km/h test
    assert max(v["hit_speed_kmh"] or 0 for v in verdicts) > 48.1
    assert checked.judgement["accepted"] is False
    assert "rating_too_low" in {v["reason"] for v in verdicts}


def test_a_line_beyond_every_rating_is_drawn_at_the_strongest_catalogue_rating(db) -> None:
    """Entries along a square's street hit faster than any test, and no speed reduction helps: the
    proposal draws the strongest rated type the catalogue has, never a rating no product carries."""
    line = {
        "geometry": {"type": "LineString", "coordinates": [[24.95, 60.17], [24.951, 60.17]]},
        "design_rating": "V/30000[N3F]/112/90",
        "beyond_rating": True,
        "gap_m": 1.2,
        "opening_m": 0.0,
        "names": ["Aleksanterinkatu"],
        "speed_reductions": [{"cap_kmh": 20.0, "design_rating": "V/30000[N3F]/96/90", "beyond_rating": True}],
    }
    (element,) = barriers.proposal_elements({"lines": [line]}, MeasureType.objects.for_city(None))
    bollards = MeasureType.objects.get(code="bollard_fixed_rated")
    assert element["rating"] == bollards.rating == "V/7200[N2A]/64/90"
    assert element["measure_type"] == bollards.pk
