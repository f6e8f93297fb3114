"""`pactesur vda FILE --space NAME [--city CITY]` reads the space's outline from the database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pactesur.analysis.spaces_lookup import SpaceLookupError, space_polygon
from pactesur.cli import main
from pactesur.spaces.actions import do_create_space
from tests.analysis.helpers import LEEDS, woodhouse_box
from tests.conftest import shared_osm

pytestmark = pytest.mark.django_db


@pytest.fixture
def woodhouse_row(city):  # type: ignore[no-untyped-def]
    return do_create_space(
        city, acting_user=None, name="Woodhouse Lane crossing", kind="square", polygon=woodhouse_box()
    )


def test_vda_analyses_a_space_of_the_database(woodhouse_row, tmp_path: Path, capsys):
    out = tmp_path / "vda.json"

    code = main(
        [
            "vda",
            str(shared_osm(LEEDS)),
            "--space",
            "woodhouse lane crossing",
            "--vehicle",
            "N3F",
            "--out",
            str(out),
        ]
    )

    assert code == 0, capsys.readouterr().err
    result = json.loads(out.read_text())
    assert [v["code"] for v in result["vehicles"]] == ["N3F"]
    assert result["entries"]
    assert max(e["impact_speed_kmh"] for e in result["entries"]) > 40
    assert {e["name"] for e in result["entries"]} >= {"Woodhouse Lane"}


def test_a_unique_part_of_the_name_is_enough(woodhouse_row):
    assert space_polygon("Woodhouse").equals(space_polygon("Woodhouse Lane crossing"))


def test_a_space_without_a_name_is_found_by_the_osm_object_of_its_label(woodhouse_row, capsys):
    from pactesur.spaces.models import Space

    Space.objects.filter(pk=woodhouse_row.pk).update(name="", osm_type="way", osm_id=4242)
    woodhouse_row.refresh_from_db()
    label = woodhouse_row.shown_name
    assert label == "Unnamed square (way 4242)"

    polygon = space_polygon(label)
    assert polygon.equals(space_polygon("way/4242"))
    assert polygon.equals(space_polygon("WAY 4242"))
    with pytest.raises(SpaceLookupError, match="'way 123'"):
        space_polygon("node 4242")


def test_an_unknown_space_is_a_clear_error(woodhouse_row, capsys):
    code = main(["vda", str(shared_osm(LEEDS)), "--space", "Place Stanislas"])

    assert code == 2
    err = capsys.readouterr().err
    assert "no space named 'Place Stanislas'" in err
    assert "Traceback" not in err


def test_a_name_shared_by_two_cities_asks_for_the_city(woodhouse_row, other_city, capsys):
    do_create_space(
        other_city, acting_user=None, name="Woodhouse Lane crossing", kind="square", polygon=woodhouse_box()
    )

    code = main(["vda", str(shared_osm(LEEDS)), "--space", "Woodhouse Lane crossing", "--vehicle", "M1"])

    assert code == 2
    err = capsys.readouterr().err
    assert "2 spaces match" in err
    assert "--city" in err
    assert "Nice" in err
    assert "Liège" in err
    assert (
        main(
            [
                "vda",
                str(shared_osm(LEEDS)),
                "--space",
                "Woodhouse Lane crossing",
                "--city",
                "nice",
                "--vehicle",
                "M1",
            ]
        )
        == 0
    )


def test_an_unknown_city_lists_the_known_ones(woodhouse_row):
    with pytest.raises(SpaceLookupError, match=r"no city 'Paris'.*Nice"):
        space_polygon("Woodhouse", city="Paris")


def test_without_a_database_the_error_says_what_to_set(monkeypatch):
    from django.db import connection

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        from django.db import OperationalError

        raise OperationalError("unable to open database file")

    monkeypatch.setattr(connection, "cursor", broken)
    with pytest.raises(SpaceLookupError, match="DATABASE_URL"):
        space_polygon("Woodhouse")


def test_a_space_of_another_city_is_not_found_in_the_city_given(woodhouse_row, other_city, capsys):
    code = main(
        ["vda", str(shared_osm(LEEDS)), "--space", "Woodhouse Lane crossing", "--city", other_city.slug]
    )

    assert code == 2
    err = capsys.readouterr().err
    assert f"no space named 'Woodhouse Lane crossing' in {other_city.slug} in the database" in err
    assert "Traceback" not in err


def test_a_database_without_any_space_exits_2_before_reading_the_extract(tmp_path: Path, capsys):
    code = main(["vda", str(tmp_path / "never-read.osm.pbf"), "--space", "Place Masséna"])

    assert code == 2
    err = capsys.readouterr().err
    assert "pactesur vda: error: no space named 'Place Masséna' in the database" in err
    assert "never-read" not in err


def _vda_json(*args: str, out: Path) -> dict:  # type: ignore[type-arg]
    code = main(["vda", *args, "--vehicle", "N3F", "--out", str(out)])
    assert code == 0
    return json.loads(out.read_text())  # type: ignore[no-any-return]


def test_without_file_vda_uses_the_active_network_of_the_spaces_city(leeds, woodhouse_row, tmp_path, capsys):
    from_db = _vda_json("--space", "Woodhouse Lane crossing", out=tmp_path / "db.json")
    err = capsys.readouterr().err
    from_file = _vda_json(
        str(shared_osm(LEEDS)), "--space", "Woodhouse Lane crossing", out=tmp_path / "f.json"
    )

    assert "street network version 1 of nice (leeds_university_its-example.osm.pbf)" in err
    assert from_db["entries"]
    speeds = sorted(round(e["impact_speed_kmh"], 3) for e in from_db["entries"])
    assert speeds == sorted(round(e["impact_speed_kmh"], 3) for e in from_file["entries"])


def test_without_file_a_city_without_network_says_to_import_it(woodhouse_row, capsys):
    code = main(["vda", "--space", "Woodhouse Lane crossing"])

    assert code == 2
    err = capsys.readouterr().err
    assert "the city nice has no street network yet" in err
    assert "pactesur import-osm nice FILE" in err


def test_without_file_the_network_file_gone_from_the_server_is_a_clear_error(leeds, woodhouse_row, capsys):
    leeds.graph_path.unlink()

    code = main(["vda", "--space", "Woodhouse Lane crossing"])

    assert code == 2
    assert "the network file of the city is missing on the server" in capsys.readouterr().err


def test_an_area_needs_a_file(tmp_path: Path, capsys):
    area = tmp_path / "area.geojson"
    area.write_text(json.dumps(woodhouse_box()))

    code = main(["vda", "--area", str(area)])

    assert code == 2
    assert "give FILE" in capsys.readouterr().err
