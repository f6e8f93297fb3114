"""The tester's GeoJSON cases (issue 9): the same limits and words on the page and in the API, never a
500 and nothing stored; lists carry outlines simplified for display, the stored ones stay whole."""

from __future__ import annotations

import json
import math
import time
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from pactesur.spaces.geometry import (
    MAX_GEOJSON_DEPTH,
    MAX_OUTLINE_VERTICES,
    SpaceGeometryError,
    display_outline,
    parse_geojson_text,
)
from pactesur.spaces.models import Space
from tests.spaces.helpers import NICE_LAT, NICE_LON, make_space, square
from tests.spaces.test_api import Api

pytestmark = pytest.mark.django_db

FORM = {"name": "Place Garibaldi", "kind": "square"}
VERTEX_LIMIT = "more than 20,000 vertices"
DEPTH_LIMIT = f"more than {MAX_GEOJSON_DEPTH} levels deep"
SIZE_LIMIT = "larger than 2 MB"
NUL_IN_GEOJSON = "contains a NUL character"
NUL_IN_TEXT = "Null characters are not allowed."


def round_outline(positions: int, *, radius_m: float = 80.0) -> dict[str, Any]:
    """A GeoJSON Polygon of `positions` positions (the last closes the ring) on a circle round Place
    Masséna, as a GPS trace or a densified export gives: consecutive points a few centimetres apart.

        . ' ' .
      '    r    '     r = radius_m, area ≈ π r² ≈ 20,100 m² for 80 m
      .    +    .
        ' . . '
    """
    metres_per_degree = 111_320.0
    n = positions - 1
    ring = [
        [
            round(NICE_LON + radius_m * math.cos(2 * math.pi * i / n) / (metres_per_degree * 0.723), 7),
            round(NICE_LAT + radius_m * math.sin(2 * math.pi * i / n) / metres_per_degree, 7),
        ]
        for i in range(n)
    ]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def nested_arrays(depth: int) -> str:
    """A Polygon whose coordinates are `depth` arrays nested in one another."""
    return '{"type": "Polygon", "coordinates": ' + "[" * depth + "]" * depth + "}"


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _create_through_api(api: Api, body: str) -> Any:
    return api.client.post("/api/v1/spaces/", body, content_type="application/json")


def _api_body(city: Any, polygon_json: str, name: str = "Place Garibaldi") -> str:
    """A POST /spaces/ body around GeoJSON text sent as it is, even when it is not valid JSON."""
    return f'{{"city": {city.pk}, "name": {json.dumps(name)}, "kind": "square", "polygon": {polygon_json}}}'


def _api_messages(response: Any) -> str:
    return " ".join(d["msg"] for d in response.json()["detail"])


def _page_errors(response: Any, field: str) -> str:
    return " ".join(response.context["form"].errors[field])


def _nothing_stored() -> bool:
    return not Space.objects.exists()


def test_five_thousand_nested_arrays_get_a_clear_error_on_the_page_not_a_500(city, planner) -> None:
    client = _client(planner)
    drawn = client.post("/spaces/new/", {**FORM, "polygon": nested_arrays(5000)})
    assert drawn.status_code == 400
    assert DEPTH_LIMIT in _page_errors(drawn, "polygon")
    upload = SimpleUploadedFile("space.geojson", nested_arrays(5000).encode())
    uploaded = client.post("/spaces/new/", {**FORM, "geojson_file": upload})
    assert uploaded.status_code == 400
    assert DEPTH_LIMIT in _page_errors(uploaded, "geojson_file")
    assert _nothing_stored()


def test_five_thousand_nested_arrays_get_a_json_400_from_the_api_not_a_500(city, planner) -> None:
    api = Api(planner)
    # Too deep for the API's JSON parser: django-ninja answers its own 400 before our code runs.
    response = _create_through_api(api, _api_body(city, nested_arrays(5000)))
    assert response.status_code == 400
    assert response.json() == {"detail": "Cannot parse request body"}
    # Deep enough to parse, too deep for shapely (which recursed into a 500): our words.
    response = _create_through_api(api, _api_body(city, nested_arrays(500)))
    assert response.status_code == 422
    assert DEPTH_LIMIT in _api_messages(response)
    assert _nothing_stored()


@pytest.mark.parametrize(
    ("language", "words"), [("en", VERTEX_LIMIT), ("fr", "Le contour a plus de 20\xa0000 sommets")]
)
def test_an_outline_above_the_vertex_limit_gets_the_same_words_on_the_page_and_in_the_api(
    city, planner, language, words
) -> None:
    too_many = json.dumps(round_outline(MAX_OUTLINE_VERTICES + 1))
    prefix = "" if language == "en" else f"/{language}"  # English pages have no prefix
    page = _client(planner).post(f"{prefix}/spaces/new/", {**FORM, "polygon": too_many})
    api = Api(planner)
    response = api.client.post(
        "/api/v1/spaces/",
        _api_body(city, too_many),
        content_type="application/json",
        headers={"Accept-Language": language},
    )
    assert page.status_code == 400
    assert response.status_code == 422
    assert words in _page_errors(page, "polygon")
    assert _page_errors(page, "polygon") == _api_messages(response)
    assert _nothing_stored()


def test_an_outline_at_the_vertex_limit_is_accepted_and_stored_whole(city, planner) -> None:
    response = _create_through_api(
        Api(planner), _api_body(city, json.dumps(round_outline(MAX_OUTLINE_VERTICES)))
    )
    assert response.status_code == 201
    assert len(Space.objects.get().polygon["coordinates"][0]) == MAX_OUTLINE_VERTICES


def test_a_million_vertex_body_is_refused_quickly_on_the_page_and_in_the_api(city, planner) -> None:
    # The shortest positions there are, so the API's JSON parser has the most to build (7 MB).
    million = '{"type": "Polygon", "coordinates": [[' + "[7,43]," * 1_000_000 + "[7,43]]]}"
    started = time.monotonic()
    page = _client(planner).post("/spaces/new/", {**FORM, "polygon": million})
    upload = SimpleUploadedFile("space.geojson", million.encode())
    uploaded = _client(planner).post("/spaces/new/", {**FORM, "geojson_file": upload})
    api = Api(planner)
    parsed = _create_through_api(api, _api_body(city, million))
    # With seven decimals the body passes Django's 20 MB request limit, which answers 400 itself.
    precise = "[7.2712345,43.6912345]," * 1_000_000
    too_big = _create_through_api(api, _api_body(city, "[[" + precise + "[7.2712345,43.6912345]]]"))
    # About 5 s on a busy machine, nearly all of it django-ninja parsing the 7 MB body.
    assert time.monotonic() - started < 20
    assert (page.status_code, uploaded.status_code, parsed.status_code, too_big.status_code) == (
        400,
        400,
        422,
        400,
    )
    assert SIZE_LIMIT in _page_errors(page, "polygon")
    assert SIZE_LIMIT in _page_errors(uploaded, "geojson_file")
    assert VERTEX_LIMIT in _api_messages(parsed)
    assert _nothing_stored()


def test_a_polygon_larger_than_the_size_limit_as_compact_json_is_refused_by_the_api(city, planner) -> None:
    polygon = {**square(), "padding": "x" * (2 * 1024 * 1024)}
    response = _create_through_api(Api(planner), _api_body(city, json.dumps(polygon)))
    assert response.status_code == 422
    assert SIZE_LIMIT in _api_messages(response)
    assert _nothing_stored()


@pytest.mark.parametrize(
    "geojson",
    [
        '{"type": "Feature", "properties": {"name": "Place\\u0000"}, "geometry": %s}',
        '{"type": "Feature", "properties": {"na\\u0000me": 1}, "geometry": %s}',
    ],
)
def test_a_nul_in_the_geojson_is_refused_on_the_page_and_in_the_api(city, planner, geojson) -> None:
    text = geojson % json.dumps(square())
    client = _client(planner)
    drawn = client.post("/spaces/new/", {**FORM, "polygon": text})
    upload = SimpleUploadedFile("space.geojson", text.encode())
    uploaded = client.post("/spaces/new/", {**FORM, "geojson_file": upload})
    api = _create_through_api(Api(planner), _api_body(city, text))
    assert (drawn.status_code, uploaded.status_code, api.status_code) == (400, 400, 422)
    assert NUL_IN_GEOJSON in _page_errors(drawn, "polygon")
    assert NUL_IN_GEOJSON in _page_errors(uploaded, "geojson_file")
    assert NUL_IN_GEOJSON in _api_messages(api)
    assert _nothing_stored()


def test_a_nul_in_a_name_or_description_is_refused_on_the_page_and_in_the_api(city, planner) -> None:
    polygon = json.dumps(square())
    page = _client(planner).post("/spaces/new/", {**FORM, "name": "Place\x00", "polygon": polygon})
    assert page.status_code == 400
    assert _page_errors(page, "name") == NUL_IN_TEXT
    api = Api(planner)
    response = _create_through_api(api, _api_body(city, polygon, name="Place\x00"))
    assert response.status_code == 422
    assert _api_messages(response) == NUL_IN_TEXT
    assert _nothing_stored()

    space = make_space(city, None)
    response = api.send("PATCH", f"/spaces/{space.pk}", {"description": "a\x00b"})
    assert response.status_code == 422
    assert _api_messages(response) == NUL_IN_TEXT
    assert api.get("/spaces/", q="\x00").status_code == 422
    space.refresh_from_db()
    assert space.description == ""


def test_lists_carry_simplified_outlines_and_one_space_its_stored_outline(city, viewer) -> None:
    space = make_space(city, None, polygon=round_outline(MAX_OUTLINE_VERTICES))
    stored = len(json.dumps(space.polygon))
    api = Api(viewer)
    client = _client(viewer)
    sizes = {
        "api list": len(api.get("/spaces/").content),
        "api geojson": len(api.get("/spaces/geojson").content),
        "list page": len(client.get("/spaces/").content),
        "map page": len(client.get("/spaces/map/").content),
        "detail page": len(client.get(f"/spaces/{space.pk}/").content),
    }
    assert stored > 400_000
    assert max(sizes.values()) < 30_000, sizes
    one = api.get(f"/spaces/{space.pk}").json()
    assert len(one["polygon"]["coordinates"][0]) == MAX_OUTLINE_VERTICES
    space.refresh_from_db()
    assert len(space.polygon["coordinates"][0]) == MAX_OUTLINE_VERTICES


def test_display_outline_stays_within_half_a_metre_of_the_stored_one() -> None:
    import shapely
    from shapely.geometry import shape

    stored = round_outline(MAX_OUTLINE_VERTICES)
    shown = display_outline(stored)
    assert len(shown["coordinates"][0]) < 100
    # Hausdorff distance in degrees, turned into metres with a degree of latitude (the longer axis).
    assert shapely.hausdorff_distance(shape(stored), shape(shown)) * 111_320 <= 0.5
    assert display_outline(square()) == square()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"type": "Polygon", "coordinates": "[[[[[[[[[[[[[[[[[[[[[[[[["}', "coordinates"),
        ('{"type": "Polygon", "coordinates": [[[' + "1" * 5000 + ", 1]]]}", "numbers is too long"),
        ('"' + '\\"' * 200_000, "not valid JSON"),
        ('{"type": "Polygon\x00"}', NUL_IN_GEOJSON),
    ],
)
def test_brackets_in_strings_long_numbers_and_unterminated_strings_get_their_reason(
    text: str, message: str
) -> None:
    with pytest.raises(SpaceGeometryError, match=message):
        parse_geojson_text(text)


def test_a_lone_surrogate_escape_is_not_a_500() -> None:
    feature = json.dumps({"type": "Feature", "properties": {"name": "?"}, "geometry": square()})
    text = feature.replace('"?"', '"\\ud800"')  # half of a UTF-16 pair, valid JSON, not encodable
    assert parse_geojson_text(text).area_m2 > 0
