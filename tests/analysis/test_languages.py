"""Analyses speak the reader's language: class labels, counts with plurals, errors translated when shown."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from pactesur.accounts.models import ApiToken, hash_token
from pactesur.analysis.actions import do_run_space_analysis
from pactesur.analysis.models import AnalysisStatus, ApproachAnalysis
from pactesur.analysis.parameters import vehicle_codes
from pactesur.analysis.vehicle_labels import VEHICLE_LABELS, vehicle_label
from pactesur.engine.vehicles import vehicle_by_code
from pactesur.spaces.actions import do_create_space
from tests.analysis.factories import make_analysis
from tests.analysis.helpers import WOODHOUSE_LAT, WOODHOUSE_LON, box
from tests.spaces.helpers import make_space
from tests.streets.factories import StreetNetworkFactory


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _api(user: Any, language: str) -> dict[str, str]:
    raw = ApiToken.new_raw_token()
    ApiToken.objects.create(user=user, name="t", token_hash=hash_token(raw), prefix=raw[:8])
    return {"Authorization": f"Bearer {raw}", "Accept-Language": language}


def test_every_engine_vehicle_class_has_a_label():
    assert set(VEHICLE_LABELS) == set(vehicle_codes())


@pytest.mark.parametrize("language", ["fr", "it", "de", "es"])
def test_every_vehicle_class_label_is_translated(language):
    with translation.override(language):
        untranslated = [c for c in vehicle_codes() if vehicle_label(c) == vehicle_by_code(c).description]
    assert not untranslated


def test_a_class_missing_from_the_table_falls_back_to_the_engine_description(monkeypatch):
    monkeypatch.delitem(VEHICLE_LABELS, "N1")
    with translation.override("fr"):
        assert vehicle_label("N1") == vehicle_by_code("N1").description
    assert vehicle_label("XX") == "XX"


@pytest.fixture
def one_analysis(city):  # type: ignore[no-untyped-def]
    network = StreetNetworkFactory(city=city)
    space = make_space(city, None)
    make_analysis(space, network, "N3F")
    return space


@pytest.mark.django_db
def test_space_page_describes_the_classes_in_the_page_language(one_analysis, security_officer):
    html = _client(security_officer).get(f"/fr/analysis/spaces/{one_analysis.pk}/").content.decode()

    assert "fourgon" in html
    assert "camion porteur lourd à plusieurs essieux" in html
    assert "panel van" not in html
    assert "multi-axle heavy rigid truck" not in html


@pytest.mark.django_db
def test_city_page_lists_the_classes_in_the_page_language(one_analysis, security_officer):
    html = _client(security_officer).get("/it/analysis/").content.decode()

    assert "N1 — furgone" in html
    assert 'title="autocarro rigido pesante a più assi"' in html
    assert "panel van" not in html


@pytest.mark.django_db
def test_space_detail_box_names_the_fastest_class_in_the_page_language(one_analysis, security_officer):
    html = _client(security_officer).get(f"/de/spaces/{one_analysis.pk}/").content.decode()

    assert "(N3F, schwerer mehrachsiger Lkw)" in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "one", "many"),
    [
        ("en", "1 analysis up to date", "2 analyses up to date"),
        ("fr", "1 analyse à jour", "2 analyses à jour"),
        ("it", "1 analisi aggiornata", "2 analisi aggiornate"),
    ],
)
def test_city_progress_counts_take_the_plural_of_the_language(city, security_officer, language, one, many):
    network = StreetNetworkFactory(city=city)
    space = make_space(city, None)
    make_analysis(space, network, "M1")
    prefix = "" if language == "en" else f"/{language}"
    client = _client(security_officer)

    assert one in client.get(f"{prefix}/analysis/").content.decode()
    make_analysis(space, network, "N1")
    assert many in client.get(f"{prefix}/analysis/").content.decode()


@pytest.mark.django_db
def test_failed_count_takes_the_plural(city, security_officer):
    network = StreetNetworkFactory(city=city)
    space = make_space(city, None)
    make_analysis(space, network, "M1")
    ApproachAnalysis.objects.filter(space=space).update(status=AnalysisStatus.FAILED)

    assert "1 échec" in _client(security_officer).get("/fr/analysis/").content.decode()


@pytest.mark.django_db
def test_queued_messages_take_the_plural(one_analysis, security_officer):
    client = _client(security_officer)

    space_page = client.post(f"/fr/analysis/spaces/{one_analysis.pk}/run/", follow=True).content.decode()
    city_page = client.post("/fr/analysis/run/", follow=True).content.decode()

    count = len(vehicle_codes())
    assert f"est en file d’attente pour {count} classes de véhicules." in space_page
    assert f"{count} analyses de Nice sont en file d’attente." in city_page


def test_a_failed_analysis_is_stored_untranslated_and_shown_in_the_readers_language(
    city, leeds, security_officer, monkeypatch
):
    from pactesur.engine import vda
    from pactesur.engine.errors import AreaError

    def refuse(*args: Any, **kwargs: Any) -> Any:
        # An engine error other than "no street reaches the space" (that one is `outside`).
        raise AreaError("the area polygon is invalid (Self-intersection[-1.55 53.81])")

    monkeypatch.setattr(vda, "analyse_area", refuse)
    lake = do_create_space(
        city, acting_user=None, name="Lake", kind="park", polygon=box(WOODHOUSE_LON, WOODHOUSE_LAT)
    )
    with translation.override("fr"):
        do_run_space_analysis(lake)

    row = ApproachAnalysis.objects.filter(space=lake).first()
    assert row is not None
    assert row.status == AnalysisStatus.FAILED
    assert row.error == "The engine cannot analyse this space: %(reason)s"
    reason = row.error_params["reason"]
    assert reason.startswith("the area polygon is invalid")
    with translation.override("it"):
        assert row.shown_error == f"Il motore non può analizzare questo spazio: {reason}"
    status = _client(security_officer).get(f"/fr/analysis/spaces/{lake.pk}/status.json").json()
    assert {a["error"] for a in status["analyses"]} == {
        f"Le moteur ne peut pas analyser cet espace\u00a0: {reason}"
    }
    api = Client().get(f"/api/v1/analysis/spaces/{lake.pk}", headers=_api(security_officer, "de")).json()
    assert api["analyses"][0]["error"] == f"Die Berechnung kann diesen Ort nicht analysieren: {reason}"


def test_a_space_outside_the_network_is_explained_in_the_readers_language(city, leeds, security_officer):
    lake = do_create_space(
        city, acting_user=None, name="Far away", kind="park", polygon=box(WOODHOUSE_LON + 0.2, WOODHOUSE_LAT)
    )
    with translation.override("fr"):
        do_run_space_analysis(lake)

    row = ApproachAnalysis.objects.filter(space=lake).first()
    assert row is not None
    assert row.status == AnalysisStatus.OUTSIDE
    assert row.error.startswith("Not analysed: no street")
    distance = row.error_params["distance_m"]
    with translation.override("it"):
        assert row.shown_error.startswith("Non analizzato: nessuna strada")
        assert f"a {distance} m dal suo contorno" in row.shown_error
    status = _client(security_officer).get(f"/fr/analysis/spaces/{lake.pk}/status.json").json()
    assert {a["status"] for a in status["analyses"]} == {"outside"}
    assert all(a["error"].startswith("Non analysé\u00a0: aucune rue") for a in status["analyses"])
    for language, start in (("de", "Nicht analysiert: "), ("es", "No analizado: ")):
        api = (
            Client()
            .get(f"/api/v1/analysis/spaces/{lake.pk}", headers=_api(security_officer, language))
            .json()
        )
        assert api["analyses"][0]["error"].startswith(start)


@pytest.mark.django_db
def test_an_error_stored_before_is_shown_as_it_was(one_analysis):
    row = ApproachAnalysis.objects.get(space=one_analysis)
    row.error = "Échec : 100 % des entrées"
    row.save()

    with translation.override("it"):
        assert row.shown_error == "Échec : 100 % des entrées"


@pytest.mark.django_db
def test_api_denials_are_in_the_language_asked(one_analysis, planner):
    headers = _api(planner, "fr")

    analysis = Client().get(f"/api/v1/analysis/cities/{one_analysis.city_id}/speeds", headers=headers)
    rerun = Client().post(f"/api/v1/analysis/spaces/{one_analysis.pk}/run", headers=headers)

    assert analysis.status_code == rerun.status_code == 403
    assert (
        analysis.json()["detail"] == rerun.json()["detail"] == "Votre rôle dans cette ville ne le permet pas."
    )
