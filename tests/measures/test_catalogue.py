"""The measure catalogue as its users work with it: the shared types with costs, ratings and
integration scores, a city's own types kept to the city, experts curating the shared ones, checks
that refuse a wrong rating or cost range and lose nothing, every change audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from pactesur.accounts.models import ApiToken, hash_token
from pactesur.audit.models import AuditAction, AuditEvent
from pactesur.measures.actions import do_create_measure_type
from pactesur.measures.models import MeasureType
from pactesur.measures.ratings import RatingError, parse_rating

pytestmark = pytest.mark.django_db


def _form(**changes: str) -> dict[str, str]:
    data = {
        "name": "Steel cable barrier",
        "family": "vehicle",
        "kind": "fixed_bollard",
        "rating": "v/7200[n2a]/48/90 : 1.5",
        "cost_unit": "metre",
        "permanence": "permanent",
        "cost_min_eur": "900",
        "cost_max_eur": "1500",
        "maintenance_eur_per_year": "80",
        "installation_days": "12",
        "integration_accessibility": "5",
        "integration_aesthetics": "4",
        "effect_vehicle_probability": "65",
        "effect_vehicle_consequence": "25",
        "source": "Nice, Promenade des Anglais, north side",
    }
    data.update(changes)
    return data


def _own(city: Any, name: str = "Steel cable barrier") -> MeasureType:
    return do_create_measure_type(city, acting_user=None, name=name, family="vehicle", kind="fixed_bollard")


def test_the_catalogue_shows_every_kind_of_the_issue_with_costs_ratings_and_integration(
    client, planner
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(planner)
    html = client.get("/measures/").content.decode()

    shared = MeasureType.objects.shared()
    kinds = set(shared.values_list("kind", flat=True))
    assert kinds >= {
        "fixed_bollard", "removable_bollard", "retractable_bollard", "planter", "street_furniture", "block",
        "gate", "temporary_barrier", "road_geometry", "access_control", "cctv", "lighting", "stewarding",
        "signage", "training", "procedure",
    }  # fmt: skip
    assert all(m.cost_min_eur is not None and m.integration_score is not None for m in shared)
    row = html[html.index('data-code="planter_rated"') :]
    row = row[: row.index("</tr>")]
    assert "Rated planters" in row
    assert "V/7200[N2A]/48/90" in row
    assert "4,000–15,000 € per element" in row
    assert "estimate" in row
    assert ">4.4<" in row


def test_filters_keep_one_family_or_kind(client, viewer) -> None:  # type: ignore[no-untyped-def]
    client.force_login(viewer)
    html = client.get("/measures/?kind=road_geometry").content.decode()
    assert "Chicane" in html
    assert "Raised table" in html
    assert "Rated planters" not in html
    assert "Rated planters" in client.get("/measures/?kind=nonsense").content.decode()


def test_a_citys_own_type_is_shown_to_its_members_only(
    client, planner, other_city, other_city_admin, expert, city
) -> None:  # type: ignore[no-untyped-def]
    own = _own(city)
    assert own.code.startswith(f"{city.slug}-steel-cable-barrier")
    client.force_login(planner)
    assert "Steel cable barrier" in client.get("/measures/").content.decode()

    for outsider in (other_city_admin, expert):
        client.force_login(outsider)
        assert "Steel cable barrier" not in client.get("/measures/").content.decode()
        assert client.get(f"/measures/{own.pk}/").status_code == 404
        assert client.get(f"/measures/{own.pk}/edit/").status_code == 404


def test_a_planner_adds_the_citys_own_type_and_it_is_audited(client, planner, city) -> None:  # type: ignore[no-untyped-def]
    client.force_login(planner)
    response = client.post("/measures/new/", _form())

    measure = MeasureType.objects.get(name="Steel cable barrier")
    assert response.status_code == 302
    assert response["Location"] == f"/measures/{measure.pk}/"
    assert measure.city_id == city.pk
    assert measure.rating == "V/7200[N2A]/48/90:1.5"  # normalised to the certificate's form
    assert (measure.cost_min_eur, measure.cost_max_eur, measure.cost_unit) == (900, 1500, "metre")
    assert measure.integration == {"accessibility": 5, "aesthetics": 4}
    assert measure.effects == {"vehicle": {"probability": 0.65, "consequence": 0.25}}
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_id=str(measure.pk))
    assert event.city_id == city.pk
    assert event.detail["catalogue"] == "city"

    page = client.get(f"/measures/{measure.pk}/").content.decode()
    assert "900–1,500 € per metre" in page
    assert "−65 %" in page
    assert "−25 %" in page
    assert "Nice, Promenade des Anglais" in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"rating": "K12"}, "rating", "is not a barrier rating"),
        ({"kind": "cctv", "family": "surveillance"}, "rating", "Only vehicle barriers"),
        ({"cost_min_eur": "5000", "cost_max_eur": "100"}, "cost_max_eur", "cannot be below the lowest"),
        ({"effect_vehicle_probability": "150"}, "effect_vehicle_probability", "less than or equal to 100"),
        ({"integration_aesthetics": "9"}, "integration_aesthetics", "Select a valid choice"),
        ({"name": ""}, "name", "This field is required"),
    ],
)
def test_a_wrong_form_says_what_is_wrong_and_creates_nothing(
    client, planner, changes, field, message
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(planner)
    before = MeasureType.objects.count()

    response = client.post("/measures/new/", _form(**changes))

    assert response.status_code == 400
    assert message in str(response.context["form"].errors.get(field) or response.context["form"].errors)
    assert MeasureType.objects.count() == before
    assert (
        'value="Nice, Promenade des Anglais' in response.content.decode()
        or "Nice, Promenade des Anglais" in (response.content.decode())
    )


def test_only_experts_edit_the_shared_catalogue_and_their_edit_is_audited(client, city_admin, expert) -> None:  # type: ignore[no-untyped-def]
    planter = MeasureType.objects.get(code="planter_rated")
    client.force_login(city_admin)
    assert client.get(f"/measures/{planter.pk}/edit/").status_code == 403
    assert client.post("/measures/new/?scope=shared", _form()).status_code == 403

    client.force_login(expert)
    form = client.get(f"/measures/{planter.pk}/edit/").context["form"]
    data = {k: ("" if v is None else str(v)) for k, v in form.initial.items() if k in form.fields}
    data.update({"cost_min_eur": "4500", "costs_estimated": ""})
    data = {k: v for k, v in data.items() if v not in ("", "False")}
    response = client.post(f"/measures/{planter.pk}/edit/", data)

    assert response.status_code == 302, response.content.decode()[:2000]
    planter.refresh_from_db()
    assert planter.cost_min_eur == 4500
    assert planter.costs_estimated is False
    assert planter.rating == "V/7200[N2A]/48/90"  # unchanged fields kept
    assert planter.integration_score == 4.4
    event = AuditEvent.objects.filter(action=AuditAction.UPDATE, object_id=str(planter.pk)).latest("id")
    assert event.city_id is None
    assert set(event.detail["fields"]) == {"cost_min_eur", "costs_estimated"}


def test_assessments_offer_the_shared_types_and_the_citys_own_only(
    client, security_officer, city, other_city
) -> None:  # type: ignore[no-untyped-def]
    from pactesur.assessments.actions import do_add_measure
    from pactesur.cities.errors import InvalidRequestError
    from tests.assessments.helpers import start

    mine, theirs = _own(city, "Nice cables"), _own(other_city, "Liège mobile barrier")
    assessment = start(city, security_officer, peak_crowd=1000)
    client.force_login(security_officer)
    html = client.get(f"/assessments/{assessment.pk}/measures/").content.decode()
    assert "Nice cables" in html
    assert "Rated planters" in html
    assert "Liège mobile barrier" not in html
    with pytest.raises(InvalidRequestError):
        do_add_measure(assessment, acting_user=security_officer, measure_type=theirs)
    do_add_measure(assessment, acting_user=security_officer, measure_type=mine)


def test_the_api_gives_the_catalogue_in_the_readers_language(city, planner, other_city) -> None:  # type: ignore[no-untyped-def]
    _own(other_city, "Liège mobile barrier")
    raw = ApiToken.new_raw_token()
    ApiToken.objects.create(user=planner, name="t", token_hash=hash_token(raw), prefix=raw[:8])
    headers = {"Authorization": f"Bearer {raw}", "Accept-Language": "fr"}

    body = Client().get("/api/v1/measures/", headers=headers).json()

    by_code = {m["code"]: m for m in body}
    assert "Liège mobile barrier" not in {m["name"] for m in body}
    planter = by_code["planter_rated"]
    assert planter["name"] == "Jardinières certifiées"
    assert planter["rating"] == "V/7200[N2A]/48/90"
    assert planter["costs_estimated"] is True
    assert planter["integration_score"] == 4.4
    assert planter["effects"]["vehicle"] == {"probability": 0.7, "consequence": 0.3}


def test_the_french_catalogue_reads_in_french(client, planner) -> None:  # type: ignore[no-untyped-def]
    client.force_login(planner)
    html = client.get("/fr/measures/").content.decode()
    assert "Mesures de protection" in html
    assert "Jardinières certifiées" in html
    assert "par élément" in html


@pytest.mark.parametrize(
    ("text", "cls", "mass", "speed"),
    [
        ("V/7500[N2]/48/90:1.5", "N2", 7500, 48),
        ("V/30000(N3)/80/90:3.30", "N3", 30000, 80),
        ("V/7500[N3C]/80/90.0/1.1/0", "N3C", 7500, 80),
        ("v/7200 [n2a]/64/90", "N2A", 7200, 64),
        ("M50/P1", "N3C", 6800, 80.5),
    ],
)
def test_ratings_are_read_in_every_standards_form(text: str, cls: str, mass: int, speed: float) -> None:
    rating = parse_rating(text)
    assert (rating.vehicle_class, rating.mass_kg, rating.speed_kmh) == (cls, mass, speed)


@pytest.mark.parametrize("text", ["", "K12", "V/7500/48/90", "V/75[N2]/48/90", "crash rated"])
def test_anything_else_is_no_rating(text: str) -> None:
    with pytest.raises(RatingError, match=r"e\.g\. V/7200"):
        parse_rating(text)
