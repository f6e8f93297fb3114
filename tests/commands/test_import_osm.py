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


# --- extracts that do not fit the city (issue 9) --------------------------------------------------

BERLIN = "berlin_tiergarten_siegessaeule.osm.gz"


def _files(folder):  # type: ignore[no-untyped-def]
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def leeds_with_a_space(city, data_dir):  # type: ignore[no-untyped-def]
    """Nice's network is the Leeds extract, and a space is drawn on Woodhouse Lane."""
    from tests.analysis.helpers import woodhouse_space

    assert main(["import-osm", "nice", str(shared_osm(LEEDS)), "--quiet"]) == 0
    return woodhouse_space(city)


def test_import_osm_of_another_citys_extract_lists_the_spaces_outside_and_changes_nothing(
    city, data_dir, leeds_with_a_space, capsys
):
    from pactesur.spaces.models import Space

    capsys.readouterr()
    files_before = _files(data_dir)
    spaces_before = list(
        Space.objects.filter(city=city).values_list("pk", "name", "polygon", "in_latest_import")
    )
    audit_before = AuditEvent.objects.count()

    code = main(["import-osm", "nice", str(shared_osm(BERLIN)), "--quiet"])

    out, err = capsys.readouterr()
    assert code == 2
    assert (
        f"error: refused: {len(spaces_before)} of the {len(spaces_before)} spaces of Nice lie outside" in err
    )
    assert f"  space {leeds_with_a_space.pk}: Woodhouse Lane crossing (" in err
    assert "km from its streets)" in err
    assert "does not overlap the area of the active network (version 1)" in err
    assert "--accept-outside" in err
    assert out == ""
    assert list(StreetNetwork.objects.filter(city=city).values_list("version", "is_active")) == [(1, True)]
    assert list(Space.objects.filter(city=city).values_list("pk", "name", "polygon", "in_latest_import")) == (
        spaces_before
    )
    assert AuditEvent.objects.count() == audit_before
    assert _files(data_dir) == files_before


def test_import_osm_accept_outside_activates_the_extract_and_says_what_lies_outside(
    city, data_dir, leeds_with_a_space, capsys
):
    code = main(["import-osm", "nice", str(shared_osm(BERLIN)), "--quiet", "--accept-outside"])

    out, err = capsys.readouterr()
    assert code == 0, err
    assert "as version 2" in out
    assert "warning: activated although" in err
    assert "Woodhouse Lane crossing" in err
    assert StreetNetwork.objects.get(city=city, is_active=True).version == 2


def test_import_osm_help_documents_the_fit_check_and_accept_outside(capsys):
    with pytest.raises(SystemExit) as done:
        main(["import-osm", "--help"])

    out = capsys.readouterr().out
    assert done.value.code == 0
    assert "--accept-outside" in out
    assert "farther than 50 m from every street" in " ".join(out.split())
    assert "exit code 2" in out


# --- a city created for an import that fails is not left behind ----------------------------------


def test_a_corrupt_file_given_with_name_leaves_no_city(data_dir, tmp_path, capsys):
    corrupt = tmp_path / "corrupt.osm.pbf"
    corrupt.write_bytes(shared_osm(LEEDS).read_bytes()[:5000])

    code = main(["import-osm", "leeds", str(corrupt), "--name", "Leeds", "--country", "GB", "--quiet"])

    assert code == 2
    assert "corrupt.osm.pbf" in capsys.readouterr().err
    assert not City.objects.filter(slug="leeds").exists()
    assert not AuditEvent.objects.filter(action="create", object_type="cities.city").exists()
    assert _files(data_dir) == set()


def test_a_new_city_whose_import_is_interrupted_is_removed_and_the_removal_recorded(
    data_dir, monkeypatch, capsys
):
    from pactesur.streets import actions

    def interrupted(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt

    monkeypatch.setattr(actions, "_commit_import", interrupted)

    with pytest.raises(KeyboardInterrupt):
        main(["import-osm", "leeds", str(shared_osm(LEEDS)), "--name", "Leeds", "--country", "GB", "--quiet"])

    err = capsys.readouterr().err
    assert "created the city Leeds" in err
    assert "removed the city leeds created for this import" in err
    assert not City.objects.filter(slug="leeds").exists()
    removed = AuditEvent.objects.get(action="delete", object_type="cities.city")
    assert (removed.username, removed.detail["slug"]) == ("cli", "leeds")
    assert _files(data_dir) == set()


def test_a_city_that_someone_started_using_is_not_removed(data_dir):
    from pactesur.streets.actions import do_discard_empty_city
    from tests.factories import CityFactory, MembershipFactory, UserFactory

    empty = CityFactory(slug="empty")
    used = CityFactory(slug="used")
    MembershipFactory(city=used, user=UserFactory(username="early"), role="admin")

    assert do_discard_empty_city(empty, acting_user=None)
    assert not do_discard_empty_city(used, acting_user=None)
    assert list(City.objects.values_list("slug", flat=True)) == ["used"]


# --- the time zone of a new city comes from its country --------------------------------------------


def test_a_new_city_without_time_zone_gets_its_countrys(data_dir, capsys):
    assert (
        main(["import-osm", "helsinki", str(shared_osm(LEEDS)), "--name", "Helsinki", "--country", "fi"]) == 0
    )

    assert City.objects.get(slug="helsinki").time_zone == "Europe/Helsinki"
    assert "(helsinki, Europe/Helsinki)" in capsys.readouterr().err


def test_a_given_time_zone_wins(data_dir):
    args = ["import-osm", "leeds", str(shared_osm(LEEDS)), "--name", "Leeds", "--country", "GB"]

    assert main([*args, "--time-zone", "Europe/Dublin", "--quiet"]) == 0

    assert City.objects.get(slug="leeds").time_zone == "Europe/Dublin"


def _streets_at(tmp_path, lon: float, lat: float):  # type: ignore[no-untyped-def]
    """A tiny OSM file: one residential street 200 m long at (lon, lat)."""
    path = tmp_path / f"streets_{lon}_{lat}.osm"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="test">\n'
        f'  <node id="1" version="1" lat="{lat:.6f}" lon="{lon:.6f}"/>\n'
        f'  <node id="2" version="1" lat="{lat:.6f}" lon="{lon + 0.002:.6f}"/>\n'
        '  <way id="10" version="1"><nd ref="1"/><nd ref="2"/><tag k="highway" v="residential"/></way>\n'
        "</osm>\n"
    )
    return path


@pytest.mark.parametrize(
    ("country", "lon", "lat", "zone"),
    [
        ("ES", -15.43, 28.12, "Atlantic/Canary"),  # Las Palmas de Gran Canaria
        ("ES", -4.42, 36.72, "Europe/Madrid"),  # Málaga: nearest to Ceuta, whose clock is Madrid's
        ("PT", -25.67, 37.74, "Atlantic/Azores"),  # Ponta Delgada
        ("PT", -8.61, 41.15, "Europe/Lisbon"),  # Porto
    ],
)
def test_a_new_city_of_a_country_of_several_zones_gets_the_zone_of_its_extract(
    data_dir, tmp_path, country, lon, lat, zone
):
    extract = _streets_at(tmp_path, lon, lat)

    assert main(["import-osm", "town", str(extract), "--name", "Town", "--country", country, "--quiet"]) == 0

    assert City.objects.get(slug="town").time_zone == zone


def test_an_unknown_country_without_time_zone_is_refused_before_the_file_is_read(data_dir, capsys):
    code = main(["import-osm", "x", str(shared_osm(LEEDS)), "--name", "X", "--country", "XX"])

    assert code == 2
    assert "no time zone is known for the country 'XX'" in capsys.readouterr().err
    assert not City.objects.exists()
    assert not (data_dir / "networks").exists()


def test_a_city_without_administrator_is_told_how_to_get_one(city, data_dir, capsys):
    assert main(["import-osm", "nice", str(shared_osm(LEEDS)), "--quiet"]) == 0

    assert (
        "Nice has no administrator yet: give it one with `pactesur add-admin nice" in capsys.readouterr().out
    )


def test_a_city_with_an_administrator_is_not_told(city, city_admin, data_dir, capsys):
    assert main(["import-osm", "nice", str(shared_osm(LEEDS)), "--quiet"]) == 0

    assert "add-admin" not in capsys.readouterr().out
