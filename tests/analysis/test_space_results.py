"""A space's results of issue #7: barriers to verify, speed profiles, assumed widths, warnings, and
summaries that never show a rating nobody tests — for each role, on the page, in exports and the API.

Results are made in the engine's JSON shape (tests.analysis.factories.make_issue7_analyses): a car
beyond any tested rating at 116 km/h, a truck at 70 km/h, a bollard and a wall, four warnings.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from pactesur.accounts.models import ApiToken, hash_token
from pactesur.audit.models import AuditEvent
from tests.analysis.factories import make_issue7_analyses
from tests.auth_support import confirm_password
from tests.spaces.helpers import make_space
from tests.streets.factories import StreetNetworkFactory

pytestmark = pytest.mark.django_db

# What the engine names for the car at 116 km/h: the ladder step above, which no test reaches.
UNTESTED_CAR_RATING = "V/1500[M1]/128/90"
TRUCK_RATING = "V/30000[N3F]/80/90"
NO_TESTED_RATING = "no tested rating: reduce the speed first"


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _api(user: Any, language: str = "en") -> dict[str, str]:
    raw = ApiToken.new_raw_token()
    ApiToken.objects.create(user=user, name="t", token_hash=hash_token(raw), prefix=raw[:8])
    return {"Authorization": f"Bearer {raw}", "Accept-Language": language}


def _page_data(html: str, element_id: str) -> Any:
    start = html.index(f'id="{element_id}"')
    start = html.index(">", start) + 1
    return json.loads(html[start : html.index("</script>", start)])


def _section(html: str, element_id: str) -> str:
    """The HTML of the element with this id up to the end of its table or list."""
    start = html.index(f'id="{element_id}"')
    ends = [html.find(tag, start) for tag in ("</table>", "</div>")]
    return html[start : min(e for e in ends if e > 0)]


@pytest.fixture
def network(city):  # type: ignore[no-untyped-def]
    return StreetNetworkFactory(city=city)


@pytest.fixture
def space(city, network):  # type: ignore[no-untyped-def]
    space = make_space(city, None)
    make_issue7_analyses(space, network)
    return space


# --- the space page, per role ------------------------------------------------------------------


@pytest.mark.parametrize("role", ["security", "admin"])
def test_security_and_admin_see_barriers_profiles_and_ways_to_measure(space, user_by_role, role):
    user = user_by_role(role)
    html = _client(user).get(f"/analysis/spaces/{space.pk}/?vehicle=M1").content.decode()

    barriers = _section(html, "barriers-table")
    assert barriers.count("<tr data-barrier=") == 2  # the bollard (hit by both classes) and the wall
    assert "bollard" in barriers
    assert "wall" in barriers
    assert "43.69810, 7.27050" in barriers  # its position (lat, lon)
    assert "not rated in OpenStreetMap" in barriers
    bollard = barriers[barriers.index('data-barrier="1"') : barriers.index('data-barrier="2"')]
    assert "45 km/h" in bollard  # the car hits it at 45 km/h…
    assert "V/1500[M1]/48/90" in bollard
    assert "38 km/h" in bollard  # …the truck at 38
    assert "V/30000[N3F]/48/90" in bollard
    ways = _section(html, "assumed-ways")
    assert "Rue de la Poissonnerie" in ways
    assert "4.0" in ways  # its assumed width
    assert "M1, N3F" in ways  # on the approach paths of both classes
    data = _page_data(html, "analysis-map-data")
    fastest = max((e for e in data["entries"] if e["vehicle"] == "M1"), key=lambda e: e["impact_speed_kmh"])
    assert data["selectedEntry"] == fastest["id"]
    assert fastest["speed_profile"][-1] == [120.0, 116.0]
    assert fastest["turns"] == [[40.0, 31.0]]
    assert {b["id"] for b in data["barriers"]} == {"M1-b0", "N3F-b0", "N3F-b1"}
    assert all(len(b["speed_profile"]) >= 2 for b in data["barriers"])
    assert data["profileLabels"]["corner"] == "corner: %(speed)s km/h"
    assert 'src="/static/analysis/speed-profile.js"' in html
    assert 'id="speed-profile-table"' in html  # the chart's text alternative
    assert "<script>" not in html  # strict CSP: data only through json_script
    assert AuditEvent.objects.filter(action="view", user=user, object_id=str(space.pk)).count() == 1


def test_entries_say_how_the_vehicle_gets_in_and_flag_assumed_widths(space, security_officer):
    html = _client(security_officer).get(f"/analysis/spaces/{space.pk}/?vehicle=M1").content.decode()

    table = _section(html, "entries-table")
    rows = table.split("<tr data-entry=")[1:]
    by_id = {row.split('"')[1]: row for row in rows}
    assert "along a way that crosses the outline" in by_id["M1-0"]
    assert "straight across an open area" in by_id["M1-1"]
    assert "leaving a way that runs along the outline" in by_id["N3F-0"]
    assert "assumed" in by_id["M1-1"]
    assert 'data-width-assumed="true"' in by_id["M1-1"]
    assert 'data-width-assumed="true"' not in by_id["M1-0"]
    assert "mapped" in by_id["M1-0"]
    # The car at 116 km/h: no tested rating, never the rating of a test nobody runs.
    assert NO_TESTED_RATING in by_id["M1-0"]
    assert UNTESTED_CAR_RATING not in html


def test_planner_sees_summaries_and_warnings_but_no_barrier_position_or_profile(space, planner):
    html = _client(planner).get(f"/analysis/spaces/{space.pk}/").content.decode()

    assert 'id="summary-table"' in html
    assert 'id="analysis-warnings"' in html
    for restricted in (
        "barriers-table",
        "assumed-ways",
        "speed-profile",
        "analysis-map-data",
        "entries-table",
    ):
        assert f'id="{restricted}"' not in html
    assert "Rue de la Poissonnerie" not in html
    assert "7.2705" not in html
    assert "43.6981" not in html
    assert "speed-profile.js" not in html
    assert not AuditEvent.objects.filter(action="view", user=planner).exists()


@pytest.mark.parametrize("role", ["trainer", "viewer"])
def test_trainers_and_viewers_get_no_results(space, user_by_role, role):
    assert _client(user_by_role(role)).get(f"/analysis/spaces/{space.pk}/").status_code == 403


def test_another_citys_admin_gets_404_for_the_page_exports_and_api(space, other_city_admin):
    client = _client(other_city_admin)
    confirm_password(client)
    for url in ("", "export.json", "export.geojson"):
        assert client.get(f"/analysis/spaces/{space.pk}/{url}").status_code == 404
    response = Client().get(f"/api/v1/analysis/spaces/{space.pk}", headers=_api(other_city_admin))
    assert response.status_code == 404


def test_summary_names_the_class_beyond_any_rating_and_its_speed(space, planner):
    html = _client(planner).get(f"/analysis/spaces/{space.pk}/").content.decode()

    summary = _section(html, "summary-table")
    car = summary[summary.index('data-vehicle="M1"') :]
    car = car[: car.index("</tr>")]
    assert NO_TESTED_RATING in car
    assert "M1 arrives at 116 km/h, faster than any test of its class." in car
    assert UNTESTED_CAR_RATING not in html
    truck = summary[summary.index('data-vehicle="N3F"') :]
    assert TRUCK_RATING in truck[: truck.index("</tr>")]


# --- warnings ----------------------------------------------------------------------------------


def test_warnings_are_written_from_their_codes_and_params_each_once(space, planner):
    html = _client(planner).get(f"/analysis/spaces/{space.pk}/").content.decode()

    box = _section(html, "analysis-warnings")
    assert box.count("<li") == 3  # the edge (two classes merged), the truck's widths, the old network
    assert (
        "This space lies 240 m from the edge of the imported street network, closer than the run-up a "
        "vehicle needs to reach its top speed (1,693 m)" in box
    )
    assert "M1, N3F:" in box
    assert "N3F (multi-axle heavy rigid truck):</strong> 82% of the fastest approach" in box
    assert "imported by an older version of PACTESUR" in box
    assert "engine says" not in box  # never the engine's English message when the code is known


@pytest.mark.parametrize(
    ("language", "edge", "widths"),
    [
        ("fr", "à 240 m du bord du réseau viaire importé", "82\u00a0% de l’approche la plus rapide"),
        ("it", "a 240 m dal bordo della rete stradale importata", "82% del percorso su vie"),
    ],
)
def test_warnings_are_translated(space, security_officer, language, edge, widths):
    html = _client(security_officer).get(f"/{language}/analysis/spaces/{space.pk}/").content.decode()

    box = _section(html, "analysis-warnings")
    assert edge in box
    assert widths in box
    assert "street network" not in box


def test_a_warning_code_the_app_does_not_know_shows_the_engines_message(space, security_officer):
    row = space.approach_analyses.get(vehicle="M1")
    row.result["warnings"].append(
        {"code": "future", "message": "Something new.", "params": {}, "vehicle": None}
    )
    row.save()

    html = _client(security_officer).get(f"/fr/analysis/spaces/{space.pk}/").content.decode()

    assert "Something new." in _section(html, "analysis-warnings")


def test_results_stored_before_barriers_and_warnings_still_show(city, network, security_officer):
    from tests.analysis.factories import entry, make_analysis

    old = make_space(city, None, name="Old result")
    row = make_analysis(old, network, "M1", [entry("M1")])
    legacy = {k: v for k, v in row.entries[0].items() if k not in ("via", "width_source", "speed_profile")}
    row.result = {"vehicle": {"code": "M1"}, "entries": [legacy]}
    row.save()

    response = _client(security_officer).get(f"/analysis/spaces/{old.pk}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="analysis-warnings"' not in html
    assert "No mapped barrier stops an approach to this space." in html


# --- exports and API ---------------------------------------------------------------------------


def test_exports_carry_barriers_and_warnings_and_are_audited(space, security_officer):
    client = _client(security_officer)
    confirm_password(client)
    plain = json.loads(client.get(f"/analysis/spaces/{space.pk}/export.json").content)
    geo = json.loads(client.get(f"/analysis/spaces/{space.pk}/export.geojson").content)

    assert len(plain["barriers"]) == 3
    assert {b["kind"] for b in plain["barriers"]} == {"bollard", "wall"}
    assert all(b["rated"] is None for b in plain["barriers"])
    codes = sorted(w["code"] for w in plain["warnings"])
    # Per class as the engine gave them; the whole-space warning once.
    assert codes == ["assumed_widths", "near_extract_edge", "near_extract_edge", "old_network"]
    features = geo["features"]
    points = [f for f in features if f["properties"]["feature"] == "barrier"]
    assert len(points) == 3
    assert all(f["geometry"]["type"] == "Point" for f in points)
    assert sum(1 for f in features if f["properties"]["feature"] == "barrier_approach_path") == 3
    assert "speed_profile" in points[0]["properties"]
    assert geo["warnings"] == plain["warnings"]
    assert AuditEvent.objects.filter(action="export", user=security_officer).count() == 2


def test_api_gives_barriers_to_security_and_summaries_that_cannot_mislead_to_planners(
    space, security_officer, planner
):
    full = Client().get(f"/api/v1/analysis/spaces/{space.pk}", headers=_api(security_officer)).json()
    summary = Client().get(f"/api/v1/analysis/spaces/{space.pk}", headers=_api(planner)).json()

    car = next(a for a in full["analyses"] if a["vehicle"] == "M1")
    assert [b["kind"] for b in car["barriers"]] == ["bollard"]
    assert car["entries"][0]["speed_profile"]
    for body in (full, summary):
        by_class = {a["vehicle"]: a for a in body["analyses"]}
        assert by_class["M1"]["required_rating"] is None
        assert by_class["M1"]["beyond_rating"] is True
        assert by_class["M1"]["rating_summary"] == NO_TESTED_RATING
        assert by_class["M1"]["max_impact_speed_kmh"] == 116.0
        assert by_class["N3F"]["required_rating"] == TRUCK_RATING
        assert by_class["N3F"]["rating_summary"] == TRUCK_RATING
        assert {w["code"] for w in body["warnings"]} == {"near_extract_edge", "assumed_widths", "old_network"}
    assert all(a["barriers"] is None and a["entries"] is None for a in summary["analyses"])
    assert "7.2705" not in json.dumps(summary)
    assert UNTESTED_CAR_RATING not in json.dumps(summary)


def test_api_writes_warnings_and_ratings_in_the_language_asked(space, planner):
    body = Client().get(f"/api/v1/analysis/spaces/{space.pk}", headers=_api(planner, "it")).json()

    car = next(a for a in body["analyses"] if a["vehicle"] == "M1")
    assert car["rating_summary"] == "nessuna classe di resistenza testata: ridurre prima la velocità"
    edge = next(w for w in body["warnings"] if w["code"] == "near_extract_edge")
    assert edge["vehicles"] == ["M1", "N3F"]
    assert edge["params"] == {"distance_m": 240.0, "run_up_m": 1692.8}
    assert "a 240 m dal bordo" in edge["text"]


# --- the city ranking --------------------------------------------------------------------------


def test_ranking_says_which_class_is_beyond_any_rating_at_what_speed(space, planner, security_officer):
    for user in (planner, security_officer):
        html = _client(user).get("/analysis/").content.decode()
        table = _section(html, "ranking-table")
        assert '<li data-vehicle="M1" class="beyond">' in table
        car = table[table.index('<li data-vehicle="M1"') :]
        car = car[: car.index("</li>")]
        assert "116 km/h" in car
        assert NO_TESTED_RATING in car
        assert TRUCK_RATING in table
        assert UNTESTED_CAR_RATING not in html


def test_ranking_api_gives_every_class_rating(space, security_officer):
    body = Client().get(f"/api/v1/analysis/cities/{space.city_id}/speeds", headers=_api(security_officer))

    (ranked,) = body.json()["spaces"]
    assert ranked["required_rating"] == TRUCK_RATING  # the heaviest impact, the truck's, is rated
    assert ranked["beyond_classes"] == ["M1"]
    ratings = {r["vehicle"]: r for r in ranked["ratings"]}
    assert ratings["M1"] == {
        "vehicle": "M1",
        "max_impact_speed_kmh": 116.0,
        "max_kinetic_energy_kj": pytest.approx(778.7, abs=0.1),
        "required_rating": None,
        "beyond_rating": True,
        "rating_summary": NO_TESTED_RATING,
        # a result computed before path speeds says it has none, rather than a speed it lacks
        "has_path": False,
        "path_speed_kmh": None,
        "path_required_rating": None,
        "path_beyond_rating": False,
        "path_rating_summary": "",
        "path_closed": 0,
    }
    assert ratings["N3F"]["required_rating"] == TRUCK_RATING
    assert ranked["kind"] == "square"
    assert ranked["name_shared"] is False


def test_ranking_tells_apart_spaces_of_the_same_name(city, network, planner):
    from tests.analysis.factories import entry, make_analysis
    from tests.spaces.helpers import square

    square_one = make_space(city, None, name="Parking")
    street = make_space(
        city, None, name="Parking", kind="pedestrian_street", polygon=square(7.28, 43.70, 0.0005)
    )
    other = make_space(city, None, name="Cours Saleya", polygon=square(7.275, 43.695))
    for made, speed in ((square_one, 60.0), (street, 40.0), (other, 50.0)):
        make_analysis(made, network, "M1", [entry("M1", speed)])

    html = _client(planner).get("/analysis/").content.decode()

    table = _section(html, "ranking-table")
    rows = {row.split('"')[1]: row for row in table.split("<tr data-space=")[1:]}
    first, second = rows[str(square_one.pk)], rows[str(street.pk)]
    # No base map with street names here: the namesakes are told apart by their areas.
    assert "Square" in first
    assert "Pedestrian street" in second
    assert f"{round(square_one.area_m2):,} m²" in first
    assert f"{round(street.area_m2):,} m²" in second
    assert f"{round(street.area_m2):,} m²" not in first
    from pactesur.analysis.results import space_ranking

    ranking = {item["space_id"]: item for item in space_ranking(city)}
    assert ranking[square_one.pk]["name_shared"]
    assert ranking[street.pk]["name_shared"]
    assert ranking[square_one.pk]["distinguishing_label"] != ranking[street.pk]["distinguishing_label"]
    assert ranking[other.pk]["distinguishing_label"] == ""  # a unique name needs no label
    api = Client().get(f"/api/v1/analysis/cities/{city.pk}/speeds", headers=_api(planner))
    assert api.status_code == 403  # the API ranking comes with city-wide speeds: security and admin


def test_space_detail_box_lists_every_class_rating(space, planner):
    html = _client(planner).get(f"/spaces/{space.pk}/").content.decode()

    box = _section(html, "space-analysis-ratings")
    assert NO_TESTED_RATING in box
    assert "116 km/h" in box
    assert TRUCK_RATING in box
    assert UNTESTED_CAR_RATING not in html


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("fr", "aucune classe de résistance testée\u00a0: réduire d’abord la vitesse"),
        ("it", "nessuna classe di resistenza testata: ridurre prima la velocità"),
        ("de", "keine geprüfte Widerstandsklasse: zuerst die Geschwindigkeit senken"),
        ("es", "ninguna clase de resistencia ensayada: reducir antes la velocidad"),
    ],
)
def test_no_tested_rating_is_said_in_every_language_of_the_app(space, planner, language, text):
    html = _client(planner).get(f"/{language}/analysis/").content.decode()

    assert text in _section(html, "ranking-table")


def test_an_unnamed_space_is_called_by_its_label_on_its_analysis_page(space, user_by_role):
    from pactesur.spaces.models import Space

    # As the import stores a square OpenStreetMap gives no name (shown as a label, never blank).
    Space.objects.filter(pk=space.pk).update(name="", source="suggested", osm_type="way", osm_id=123)

    html = _client(user_by_role("security")).get(f"/fr/analysis/spaces/{space.pk}/").content.decode()

    assert "<title>Dynamique des véhicules · Place sans nom (chemin 123) · PACTESUR</title>" in html
    assert "Place sans nom (chemin 123)</h1>" in html
