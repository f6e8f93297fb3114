"""The analysis maps read without sight: each entry says its street, its kind of way in words and where
it comes from; the city speed map has, per class, its speed bands and fastest streets as tables and
every street in an audited CSV; no engine code is shown raw."""

from __future__ import annotations

import csv
import io
import math

import numpy as np
import pytest
from django.test import Client
from django.utils import translation

from pactesur.analysis.results import approach_bearing_deg
from pactesur.analysis.speedmaps import street_speeds
from pactesur.analysis.wording import BARRIER_KIND_LABELS, barrier_kind_label, direction_label
from pactesur.audit.models import AuditEvent
from pactesur.engine._barriers import CLOSING_NODE_BARRIERS, GATE_BARRIERS
from pactesur.engine.network import WayKind
from tests.auth_support import confirm_password
from tests.engine.synthetic import Seg, build_network

# 1° of latitude is 111 320 m; at Leeds (53.8° N) 1° of longitude is about 65 800 m.
LAT = 53.8
M_PER_DEG_LON = 111_320.0 * math.cos(math.radians(LAT))


def _path(*metres_east_north: tuple[float, float]) -> list[list[float]]:
    """A path of points given in metres east and north of (0°, 53.8°), ending at the entry."""
    return [[e / M_PER_DEG_LON, LAT + n / 111_320.0] for e, n in metres_east_north]


def test_an_approach_from_the_north_east_says_so() -> None:
    """
    (-100, 100) ·        · (100, 100)   the vehicle comes down the diagonal
                  ↘    ↙
                    ·  entry (0, 0)
    """
    assert approach_bearing_deg(_path((100, 100), (0, 0))) == pytest.approx(45.0, abs=0.5)
    assert direction_label(45.0) == "from the north-east"
    assert direction_label(approach_bearing_deg(_path((-100, 100), (0, 0)))) == "from the north-west"


def test_the_direction_is_read_40_m_back_so_a_last_bend_does_not_decide_it() -> None:
    """
      (0, 0) ·─5 m─· entry (5, 0)
             │
           200 m      the last 5 m come from the west, the 40 m before the entry
             │        mostly from the south: the approach comes from the south
    (0, -200) ·
    """
    path = _path((0, -200), (0, 0), (5, 0))
    assert direction_label(approach_bearing_deg(path)) == "from the south"


def test_a_path_too_short_or_missing_has_no_direction() -> None:
    assert approach_bearing_deg(None) is None
    assert approach_bearing_deg(_path((0, 0))) is None
    assert approach_bearing_deg(_path((0.3, 0.3), (0, 0))) is None
    assert direction_label(None) == ""
    assert direction_label(359.0) == "from the north"  # the sectors wrap round north


def test_directions_are_translated() -> None:
    with translation.override("fr"):
        assert direction_label(90.0) == "depuis l’est"
    with translation.override("it"):
        assert direction_label(225.0) == "da sud-ovest"


def test_every_barrier_the_import_keeps_has_a_label_in_every_language() -> None:
    kinds = CLOSING_NODE_BARRIERS | GATE_BARRIERS | {"stone", "lift_gate", "rising_bollard"}
    assert kinds <= set(BARRIER_KIND_LABELS), sorted(kinds - set(BARRIER_KIND_LABELS))
    with translation.override("en"):
        english = {kind: barrier_kind_label(kind) for kind in kinds}
    for language in ("fr", "it"):
        with translation.override(language):
            same = [kind for kind in kinds if barrier_kind_label(kind) == english[kind]]
        assert not same, f"shown in English in {language}: {sorted(same)}"
    with translation.override("fr"):
        assert barrier_kind_label("full-height_turnstile") == "tourniquet pleine hauteur"
    with translation.override("it"):
        assert barrier_kind_label("kissing_gate") == "cancelletto a chicane"


def _network():  # type: ignore[no-untyped-def]
    """
    A ──300 m── B ──300 m── C        way 10 "Long Avenue" (A–B) and way 11 "Long Avenue" (B–C): one street
                │
               50 m                  way 12, unnamed footway (B–D)
                │
                D ──(open area, way 0)── E
    """
    nodes = {"A": (0.0, 0.0), "B": (300.0, 0.0), "C": (600.0, 0.0), "D": (300.0, -50.0), "E": (400.0, -50.0)}
    segments = [
        Seg("A", "B", way_id=10),
        Seg("B", "C", way_id=11),
        Seg("B", "D", way_id=12, kind=WayKind.FOOTWAY, width_m=3.0),
        Seg("D", "E", way_id=0, kind=WayKind.OPEN_AREA),
    ]
    return build_network(nodes, segments, names={10: "Long Avenue", 11: "Long Avenue"})


def test_streets_are_named_ways_grouped_fastest_first_without_open_area_crossings() -> None:
    speeds = np.array([70.0, 95.5, 30.0, 80.0])

    streets = street_speeds(_network(), speeds)

    assert [(s["name"], s["kind"], s["max_speed_kmh"], s["length_m"]) for s in streets] == [
        ("Long Avenue", "road", 95.5, 600),
        ("", "footway", 30.0, 50),
    ]
    assert streets[0]["way_ids"] == [10, 11]
    assert streets[1]["way_ids"] == [12]
    # The avenue is fastest in the middle of B–C: 450 m east of A.
    assert streets[0]["lon"] > streets[1]["lon"]


def test_a_segment_no_vehicle_can_use_is_no_street() -> None:
    assert street_speeds(_network(), np.array([np.nan, np.nan, np.nan, 10.0])) == []
    streets = street_speeds(_network(), np.array([np.nan, 50.0, np.nan, np.nan]))
    assert [(s["name"], s["length_m"]) for s in streets] == [("Long Avenue", 300)]


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_entry_rows_say_the_street_the_kind_of_way_and_where_it_comes_from(analysed, security_officer):  # type: ignore[no-untyped-def]
    html = _client(security_officer).get(f"/analysis/spaces/{analysed.pk}/?vehicle=M1").content.decode()

    table = html.split('id="entries-table"')[1].split("</table>")[0]
    rows = table.split("<tr data-entry=")[1:]
    assert rows
    for row in rows:
        header = row.split('<th scope="row" class="analysis-approach">')[1].split("</th>")[0]
        assert "from the " in header, header
        assert "along a way" in header or "leaving a way" in header or "straight across" in header
    woodhouse = [r for r in rows if "Woodhouse Lane" in r]
    assert woodhouse
    assert all("road" in r for r in woodhouse)
    assert "unnamed way" in table  # ways without a name are said to be so, not left blank


def test_city_page_gives_each_class_its_bands_and_fastest_streets(analysed, security_officer):  # type: ignore[no-untyped-def]
    html = _client(security_officer).get("/analysis/?vehicle=N3F").content.decode()

    sections = html.split("data-street-speeds")[1:]
    assert len(sections) == 6
    n3f = next(s for s in sections if 'data-vehicle="N3F"' in s.split(">")[0])
    assert " hidden" not in n3f.split(">")[0]
    m1 = next(s for s in sections if 'data-vehicle="M1"' in s.split(">")[0])
    assert " hidden" in m1.split(">")[0]
    assert "The 15 fastest streets for N3F" in n3f
    assert "Woodhouse Lane" in n3f
    speeds = [float(v) for v in n3f.split('<tr data-speed="')[1:] for v in [v.split('"')[0]]]
    assert speeds == sorted(speeds, reverse=True)
    assert "Length of street in each speed band (N3F)" in n3f
    assert f"/analysis/{analysed.city_id}/speeds/N3F.csv" in n3f
    assert AuditEvent.objects.filter(
        action="view", user=security_officer, detail__what="fastest streets per class"
    ).exists()


def test_planners_get_no_street_speeds(analysed, planner):  # type: ignore[no-untyped-def]
    client = _client(planner)
    html = client.get("/analysis/").content.decode()
    assert "data-street-speeds" not in html
    confirm_password(client)
    assert client.get(f"/analysis/{analysed.city_id}/speeds/M1.csv").status_code == 403


def test_street_speeds_csv_lists_every_street_and_is_audited(analysed, security_officer):  # type: ignore[no-untyped-def]
    client = _client(security_officer)
    url = f"/analysis/{analysed.city_id}/speeds/M1.csv"
    # A restricted export: the password first.
    assert client.get(url)["Location"].startswith("/accounts/confirm/")
    confirm_password(client)

    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) > 15  # every street, not only the ones the page shows
    speeds = [float(r["max_speed_kmh"]) for r in rows]
    assert speeds == sorted(speeds, reverse=True)
    assert {r["vehicle"] for r in rows} == {"M1"}
    assert any(r["street"] == "Woodhouse Lane" and r["kind_label"] == "road" for r in rows)
    assert all(r["osm_way_ids"] for r in rows)
    event = AuditEvent.objects.get(action="export", user=security_officer)
    assert event.detail["what"] == "city street speeds"
    assert event.detail["rows"] == len(rows)
    assert event.detail["filters"]["vehicle"] == "M1"


def test_another_citys_admin_gets_404_for_the_csv(analysed, other_city_admin):  # type: ignore[no-untyped-def]
    client = _client(other_city_admin)
    confirm_password(client)
    assert client.get(f"/analysis/{analysed.city_id}/speeds/M1.csv").status_code == 404


def test_maps_computed_before_the_streets_file_get_it_on_first_view(analysed, security_officer):  # type: ignore[no-untyped-def]
    from pactesur.analysis.models import CitySpeedMap
    from pactesur.analysis.speedmaps import streets_path

    found = CitySpeedMap.objects.get(network__city=analysed.city, vehicle="N3F")
    streets_path(found.speeds_path).unlink()

    html = _client(security_officer).get("/analysis/?vehicle=N3F").content.decode()

    assert "Woodhouse Lane" in html.split('data-vehicle="N3F"')[1]
    assert streets_path(found.speeds_path).exists()


def test_the_street_tables_follow_the_chosen_class_and_a_map_computed_again(analysed, security_officer):  # type: ignore[no-untyped-def]
    from django.utils import timezone

    from pactesur.analysis.models import CitySpeedMap
    from pactesur.analysis.speedmaps import save_street_speeds

    client = _client(security_officer)

    def shown(vehicle: str) -> str:
        html = client.get(f"/analysis/?vehicle={vehicle}").content.decode()
        return next(
            s
            for s in html.split("<section ")[1:]
            if "data-street-speeds" in s and " hidden" not in s.split(">")[0]
        )

    assert 'data-vehicle="N3F"' in shown("N3F")
    assert 'data-vehicle="M1"' in shown("M1")  # kept apart per class, not served from N3F's rendering
    found = CitySpeedMap.objects.get(network__city=analysed.city, vehicle="M1")
    street = {
        "name": "Rue Neuve",
        "kind": "road",
        "way_ids": [7],
        "length_m": 80,
        "max_speed_kmh": 31.0,
        "lon": 0.0,
        "lat": 0.0,
    }
    save_street_speeds(found.speeds_path, [street])
    found.computed_at = timezone.now()
    found.save(update_fields=["computed_at"])
    assert "Rue Neuve" in shown("M1")
