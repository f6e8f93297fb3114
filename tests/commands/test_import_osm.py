"""`pactesur import-osm CITY FILE`: import from the command line, progress on stderr, clear errors."""

from __future__ import annotations

import pytest

from pactesur.audit.models import AuditEvent
from pactesur.cities.models import City
from pactesur.cli import main
from pactesur.streets.models import StreetNetwork
from tests.conftest import shared_osm

pytestmark = pytest.mark.django_db

LEEDS = "leeds_university_its-example.osm.pbf"


def test_import_osm_creates_the_city_and_its_active_network(data_dir, capsys):
    extract = shared_osm(LEEDS)

    code = main(["import-osm", "leeds", str(extract), "--name", "Leeds", "--country", "gb"])

    out, err = capsys.readouterr()
    assert code == 0, err
    city = City.objects.get(slug="leeds")
    assert (city.name, city.country) == ("Leeds", "GB")
    network = StreetNetwork.objects.get(city=city)
    assert network.is_active
    assert network.version == 1
    assert "imported leeds_university_its-example.osm.pbf as version 1" in out
    assert "100 %" in err
    assert "created the city Leeds" in err
    created = AuditEvent.objects.get(action="create", object_type="cities.city")
    assert (created.city, created.username) == (city, "cli")


def test_import_osm_into_an_existing_city_adds_a_version(city, data_dir, capsys):
    extract = shared_osm(LEEDS)
    assert main(["import-osm", "nice", str(extract), "--quiet"]) == 0
    assert main(["import-osm", "nice", str(extract), "--quiet"]) == 0

    assert list(StreetNetwork.objects.filter(city=city).values_list("version", "is_active")) == [
        (2, True),
        (1, False),
    ]
    assert capsys.readouterr().err == ""


def test_import_osm_if_changed_skips_the_file_already_active(city, data_dir, capsys):
    extract = shared_osm(LEEDS)
    main(["import-osm", "nice", str(extract), "--quiet"])

    assert main(["import-osm", "nice", str(extract), "--if-changed"]) == 0

    assert StreetNetwork.objects.filter(city=city).count() == 1
    assert "already comes from this file" in capsys.readouterr().out


def test_import_osm_of_an_unknown_city_without_name_and_country_says_how_to_create_it(data_dir, capsys):
    code = main(["import-osm", "atlantis", str(shared_osm(LEEDS))])

    assert code == 2
    assert "give --name and --country" in capsys.readouterr().err
    assert not City.objects.filter(slug="atlantis").exists()


def test_import_osm_of_a_bad_file_exits_2_with_the_engine_message(city, data_dir, tmp_path, capsys):
    bad = tmp_path / "empty.osm"
    bad.write_bytes(b"")

    code = main(["import-osm", "nice", str(bad)])

    assert code == 2
    assert "empty" in capsys.readouterr().err
    assert not StreetNetwork.objects.exists()
    assert not list((data_dir / "networks").rglob("*.*")) if (data_dir / "networks").exists() else True


def test_import_osm_of_a_missing_file_exits_2(city, data_dir, tmp_path, capsys):
    assert main(["import-osm", "nice", str(tmp_path / "nope.osm.pbf")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_import_osm_with_a_bad_country_creates_nothing_and_exits_2(data_dir, capsys):
    code = main(["import-osm", "leeds", str(shared_osm(LEEDS)), "--name", "Leeds", "--country", "GBR"])

    assert code == 2
    assert "two-letter ISO code" in capsys.readouterr().err
    assert not City.objects.filter(slug="leeds").exists()
