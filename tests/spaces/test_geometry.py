"""GeoJSON outlines: what we accept, and a message a person can act on for everything we refuse."""

from __future__ import annotations

import json

import pytest
from shapely.geometry import Polygon

from pactesur.spaces.geometry import (
    SpaceGeometryError,
    outline_from_geometry,
    parse_geojson_text,
)
from tests.spaces.helpers import NICE_LAT, NICE_LON, bowtie, square


def test_square_of_a_thousandth_of_a_degree_at_nice_covers_about_8900_m2() -> None:
    # 0.001° of latitude ≈ 111.1 m; 0.001° of longitude at 43.7° ≈ 80.6 m → ≈ 8 950 m².
    outline = parse_geojson_text(json.dumps(square()))
    assert outline.area_m2 == pytest.approx(8950, rel=0.01)
    assert outline.centroid_lon == pytest.approx(NICE_LON + 0.0005)
    assert outline.centroid_lat == pytest.approx(NICE_LAT + 0.0005)


def test_feature_and_feature_collection_with_one_polygon_are_accepted() -> None:
    feature = {"type": "Feature", "properties": {"name": "x"}, "geometry": square()}
    collection = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [7, 43]}},
            feature,
        ],
    }
    assert parse_geojson_text(json.dumps(feature)).geojson["type"] == "Polygon"
    assert parse_geojson_text(json.dumps(collection)).geojson["type"] == "Polygon"


def test_clockwise_ring_is_stored_counter_clockwise_as_rfc7946_asks() -> None:
    clockwise = square()
    clockwise["coordinates"][0].reverse()
    ring = parse_geojson_text(json.dumps(clockwise)).geojson["coordinates"][0]
    assert Polygon(ring).exterior.is_ccw


def test_crs84_member_is_accepted() -> None:
    data = {**square(), "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}}
    assert parse_geojson_text(json.dumps(data)).area_m2 > 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The file is empty"),
        ("{not json", r"not valid JSON \(line 1, column 2"),
        ('{"a": 1}', "not GeoJSON"),
        ('{"type": "Topology"}', "“Topology” is not a GeoJSON type"),
        ('{"type": "Point", "coordinates": [7.2, 43.7]}', "holds a Point, not a polygon"),
        ('{"type": "FeatureCollection", "features": []}', "contains no polygon"),
        ('{"type": "Feature", "geometry": null}', "not a polygon"),
        ('{"type": "Polygon", "coordinates": [[[7, 43], [7.1, 43]]]}', "coordinates are malformed"),
    ],
)
def test_unreadable_input_is_refused_with_its_reason(text: str, message: str) -> None:
    with pytest.raises(SpaceGeometryError, match=message):
        parse_geojson_text(text)


def test_two_polygons_in_a_collection_ask_for_one_space_at_a_time() -> None:
    feature = {"type": "Feature", "properties": {}, "geometry": square()}
    with pytest.raises(SpaceGeometryError, match="contains 2 polygons"):
        parse_geojson_text(json.dumps({"type": "FeatureCollection", "features": [feature, feature]}))


def test_self_intersecting_polygon_says_where_its_outline_crosses_itself() -> None:
    with pytest.raises(SpaceGeometryError) as caught:
        parse_geojson_text(json.dumps(bowtie()))
    message = str(caught.value)
    assert "crosses itself" in message
    # The bow tie's edges cross at its centre.
    assert f"longitude {round(NICE_LON + 0.0005, 6)}" in message
    assert f"latitude {round(NICE_LAT + 0.0005, 6)}" in message


def test_web_mercator_coordinates_are_recognised_as_a_projected_system() -> None:
    x, y = 809_300.0, 5_416_000.0  # Nice in EPSG:3857 metres
    data = {"type": "Polygon", "coordinates": [[[x, y], [x + 100, y], [x + 100, y + 100], [x, y]]]}
    with pytest.raises(
        SpaceGeometryError, match=r"projected coordinate system such as Web Mercator \(EPSG:3857\)"
    ):
        parse_geojson_text(json.dumps(data))


def test_declared_crs_other_than_wgs84_is_named_in_the_message() -> None:
    data = {**square(), "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}}}
    with pytest.raises(
        SpaceGeometryError, match="declares the coordinate system “urn:ogc:def:crs:EPSG::3857”"
    ):
        parse_geojson_text(json.dumps(data))


def test_outline_larger_than_any_public_space_is_refused() -> None:
    with pytest.raises(SpaceGeometryError, match="more than the 30 km²"):
        parse_geojson_text(json.dumps(square(size_deg=0.2)))


def test_oversized_file_is_refused_before_parsing() -> None:
    with pytest.raises(SpaceGeometryError, match="larger than 2 MB"):
        parse_geojson_text(b" " * (2 * 1024 * 1024 + 1))


def test_line_geometry_from_the_engine_is_not_an_outline() -> None:
    from shapely.geometry import LineString

    with pytest.raises(SpaceGeometryError, match="not a LineString"):
        outline_from_geometry(LineString([(7, 43), (7.1, 43.1)]))
