"""The spaces and events API: CRUD with a token, GeoJSON list, the forms' messages on bad input."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client

from pactesur.accounts.models import ApiToken, hash_token
from pactesur.events.models import Event
from pactesur.spaces.models import Space
from tests.spaces.helpers import NICE_LON, bowtie, make_event, make_space, square

pytestmark = pytest.mark.django_db


class Api:
    """A client for /api/v1/ carrying a bearer token of `user`."""

    def __init__(self, user: Any) -> None:
        raw = ApiToken.new_raw_token()
        ApiToken.objects.create(user=user, name="test", token_hash=hash_token(raw), prefix=raw[:8])
        self.client = Client(headers={"Authorization": f"Bearer {raw}"})

    def get(self, url: str, **params: Any) -> Any:
        return self.client.get(f"/api/v1{url}", params)

    def send(self, method: str, url: str, body: Any = None) -> Any:
        return self.client.generic(
            method, f"/api/v1{url}", json.dumps(body or {}), content_type="application/json"
        )


def _messages(response: Any) -> str:
    return " ".join(d["msg"] for d in response.json()["detail"])


def test_space_crud_through_the_api(city, planner) -> None:
    api = Api(planner)
    created = api.send(
        "POST",
        "/spaces/",
        {"city": city.pk, "name": "Place Garibaldi", "kind": "square", "polygon": square(), "capacity": 8000},
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["name"], body["city"], body["capacity"], body["source"]) == (
        "Place Garibaldi",
        city.pk,
        8000,
        "manual",
    )
    assert body["area_m2"] == pytest.approx(8950, rel=0.01)
    space_id = body["id"]

    assert api.get(f"/spaces/{space_id}").json()["name"] == "Place Garibaldi"
    patched = api.send(
        "PATCH", f"/spaces/{space_id}", {"peak_crowd": 6000, "polygon": square(NICE_LON + 0.001)}
    )
    assert patched.status_code == 200
    assert patched.json()["peak_crowd"] == 6000
    assert patched.json()["polygon"]["coordinates"][0][0][0] == pytest.approx(NICE_LON + 0.001)

    # DELETE archives: the space leaves the lists, stays readable, and comes back with restore.
    assert api.send("DELETE", f"/spaces/{space_id}").status_code == 204
    assert Space.objects.archived().get().pk == space_id
    assert api.get("/spaces/").json() == []
    assert [s["id"] for s in api.get("/spaces/", archived="true").json()] == [space_id]
    assert api.get(f"/spaces/{space_id}").json()["archived_at"] is not None
    restored = api.send("POST", f"/spaces/{space_id}/restore")
    assert (restored.status_code, restored.json()["archived_at"]) == (200, None)


def test_space_list_filters_by_city_kind_and_name(city, planner) -> None:
    make_space(city, None, name="Place Masséna")
    make_space(city, None, name="Jardin Albert Ier", kind="park")
    api = Api(planner)
    assert [s["name"] for s in api.get("/spaces/", city=city.pk).json()] == [
        "Jardin Albert Ier",
        "Place Masséna",
    ]
    assert [s["name"] for s in api.get("/spaces/", kind="park").json()] == ["Jardin Albert Ier"]
    assert [s["name"] for s in api.get("/spaces/", q="massena place").json()] == []
    assert [s["name"] for s in api.get("/spaces/", q="place").json()] == ["Place Masséna"]


def test_spaces_geojson_is_a_feature_collection_with_attributes(city, viewer) -> None:
    make_space(city, None, capacity=10000)
    data = Api(viewer).get("/spaces/geojson", city=city.pk).json()
    assert data["type"] == "FeatureCollection"
    feature = data["features"][0]
    assert feature["geometry"]["type"] == "Polygon"
    assert feature["properties"]["capacity"] == 10000
    assert len(feature["geometry"]["coordinates"][0]) == 5


@pytest.mark.parametrize(
    ("polygon", "message"),
    [
        (bowtie(), "crosses itself"),
        (square(809_300.0, 5_416_000.0, 100), "Web Mercator (EPSG:3857)"),
        ({"type": "Point", "coordinates": [7.2, 43.7]}, "holds a Point, not a polygon"),
        (square(size_deg=0.3), "more than the 30 km²"),
    ],
)
def test_bad_outline_gets_422_with_the_form_message_and_creates_nothing(
    city, planner, polygon, message
) -> None:
    response = Api(planner).send(
        "POST", "/spaces/", {"city": city.pk, "name": "x", "kind": "square", "polygon": polygon}
    )
    assert response.status_code == 422
    assert message in _messages(response)
    assert not Space.objects.exists()


def test_unknown_kind_and_bad_email_get_422(city, planner) -> None:
    api = Api(planner)
    response = api.send(
        "POST", "/spaces/", {"city": city.pk, "name": "x", "kind": "castle", "polygon": square()}
    )
    assert response.status_code == 422
    response = api.send(
        "POST",
        "/spaces/",
        {"city": city.pk, "name": "x", "kind": "square", "polygon": square(), "contact_email": "nope"},
    )
    assert response.status_code == 422
    assert "valid email" in _messages(response)
    assert not Space.objects.exists()


def test_patch_cannot_null_a_required_field(city, planner) -> None:
    space = make_space(city, None)
    response = Api(planner).send("PATCH", f"/spaces/{space.pk}", {"name": None})
    assert response.status_code == 422
    space.refresh_from_db()
    assert space.name == "Place Masséna"


def test_event_crud_through_the_api_with_city_local_times(city, planner) -> None:
    space = make_space(city, None)
    api = Api(planner)
    created = api.send(
        "POST",
        "/events/",
        {
            "space": space.pk,
            "name": "Carnaval",
            "starts_at": "2027-02-13T14:00",
            "ends_at": "2027-02-13T18:00",
            "expected_attendance": 60000,
        },
    )
    assert created.status_code == 201
    body = created.json()
    # 14:00 in Nice is 13:00 UTC in February.
    assert datetime.fromisoformat(body["starts_at"]) == datetime(2027, 2, 13, 13, 0, tzinfo=UTC)
    assert api.get("/events/", space=space.pk).json()[0]["id"] == body["id"]
    patched = api.send("PATCH", f"/events/{body['id']}", {"public": True})
    assert patched.json()["public"] is True
    assert api.send("DELETE", f"/events/{body['id']}").status_code == 204
    assert Event.objects.archived().get().pk == body["id"]
    assert api.get("/events/").json() == []
    assert [e["id"] for e in api.get("/events/", archived="true").json()] == [body["id"]]
    assert api.send("POST", f"/events/{body['id']}/restore").json()["archived_at"] is None


def test_event_ending_before_it_starts_gets_422_with_the_form_message(city, planner) -> None:
    space = make_space(city, None)
    response = Api(planner).send(
        "POST",
        "/events/",
        {"space": space.pk, "name": "x", "starts_at": "2027-02-13T14:00", "ends_at": "2027-02-13T13:00"},
    )
    assert response.status_code == 422
    assert "end after it starts" in _messages(response)
    assert not Event.objects.exists()


def test_event_cannot_move_to_a_space_of_another_city_of_the_same_person(city, other_city, planner) -> None:
    from tests.factories import MembershipFactory

    MembershipFactory(user=planner, city=other_city, role="planner")
    event = make_event(make_space(city, None), None)
    liege = make_space(other_city, None, name="Place Saint-Lambert")
    response = Api(planner).send("PATCH", f"/events/{event.pk}", {"space": liege.pk})
    assert response.status_code == 422
    assert "another city" in _messages(response)


def test_anonymous_api_call_gets_401(city) -> None:
    space = make_space(city, None)
    assert Client().get(f"/api/v1/spaces/{space.pk}").status_code == 401


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (None, "Your role in this city does not allow this."),
        ("it", "Il tuo ruolo in questa città non lo consente."),
    ],
)
def test_a_denial_is_in_the_language_the_client_asks_for(city, viewer, language, expected) -> None:
    api = Api(viewer)
    if language:
        api.client.defaults["HTTP_ACCEPT_LANGUAGE"] = language

    response = api.send(
        "POST", "/spaces/", {"city": city.pk, "name": "X", "kind": "square", "polygon": square()}
    )

    assert response.status_code == 403
    assert response.json()["detail"] == expected
