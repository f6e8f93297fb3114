"""Pre-filled suggestions are stored as the rule's steps (message ids and figures) and read in each
reader's language: a French officer's pre-fill reads in English, French or Italian to whoever opens it.

The steps of method v2 are new message ids: the tests that read them in French or Italian are
expected to fail until their translations are in the catalogues (strict: they fail once translated,
so the marker is removed then).
"""

from __future__ import annotations

import dataclasses
import io

import pytest
from django.test import Client
from django.utils import translation
from pypdf import PdfReader

from pactesur.accounts.models import ApiToken, hash_token
from pactesur.assessments.actions import do_refresh_suggestions
from pactesur.assessments.prefill import PrefillContext, suggestion_for
from pactesur.assessments.vehicle import BARRIER, ENTRY, Approach, VehicleAnalysis, VehicleOutside
from pactesur.cities.stored_text import StoredText, shown_parts, shown_text
from tests.auth_support import confirm_password

NO_LEVEL = "No national threat level recorded: record it on the assessments dashboard to pre-fill the threat."
NO_ANALYSIS = "No current approach analysis of this space: the vehicle vulnerability cannot be pre-filled."


def _approach(kind: str, speed: float, **kw: object) -> Approach:
    return Approach(vehicle="N3C", kind=kind, impact_speed_kmh=speed, kinetic_energy_kj=speed * 15, **kw)  # type: ignore[arg-type]


def _every_rule_branch() -> list[StoredText]:
    """The steps of every branch of the rules: threat with and without a level, name, attack and
    symbolic value; facts weak, strong and unanswered; the vehicle outside, unanalysed, open, slow,
    behind unrated and under-rated barriers; each attack type's reach; no crowd; a covered outline."""
    full = PrefillContext(
        peak_crowd=2000,
        area_m2=1000.0,
        buildings_m2=None,
        obstacles_m2=None,
        threat_level=3,
        threat_level_name="substantial",
        recent_attacks=frozenset({"vehicle"}),
    )
    bare = PrefillContext(peak_crowd=2000, area_m2=1000.0, buildings_m2=0.0, obstacles_m2=0.0, threat_level=2)
    outside = PrefillContext(
        peak_crowd=None,
        area_m2=1000.0,
        buildings_m2=0.0,
        obstacles_m2=0.0,
        outside=VehicleOutside(network_version=1, message="", params={}),
    )
    covered = PrefillContext(peak_crowd=10, area_m2=100.0, buildings_m2=100.0, obstacles_m2=0.0)
    analysis = VehicleAnalysis(
        evidence=None,  # type: ignore[arg-type]
        approaches=(
            _approach(ENTRY, 55.0, run_up_m=80.0, exposure_m=60.0),
            _approach(BARRIER, 40.0, barrier_key="1", barrier_kind="bollard"),
            _approach(BARRIER, 40.0, barrier_key="2", barrier_kind="planter"),
        ),
    )
    ratings = {"barrier_ratings": {"2": "V/1500[M1]/48/90"}}
    suggestions = [
        suggestion_for(
            "vehicle", {"symbolic_value": "national_symbol", "side_access": True, **ratings}, full
        ),
        suggestion_for("vehicle", {}, outside),
        suggestion_for("vehicle", {}, bare),
        suggestion_for("vehicle", {}, dataclasses.replace(bare, analysis=analysis)),
        suggestion_for(
            "vehicle",
            {},
            dataclasses.replace(bare, analysis=VehicleAnalysis(None, (_approach(ENTRY, 10.0),))),  # type: ignore[arg-type]
        ),
        suggestion_for(
            "vehicle",
            {},
            dataclasses.replace(bare, analysis=VehicleAnalysis(None, (_approach(ENTRY, 20.0),))),  # type: ignore[arg-type]
        ),
        suggestion_for("firearms", {"exit_count": 2, "cctv_coverage": "part"}, full),
        suggestion_for("firearms", {}, covered),
        suggestion_for("blade", {"symbolic_value": "landmark"}, bare),
        suggestion_for("placed_ied", {}, bare),
        suggestion_for("arson", {"people_enclosed": 40}, bare),
        suggestion_for("arson", {}, bare),
        suggestion_for("bomb_threat", {}, bare),
        suggestion_for("cyber", {}, bare),
        suggestion_for("drone", {}, outside),
    ]
    steps = [step for s in suggestions for step in s.parts]
    words = [
        StoredText(value["msgid"])
        for step in steps
        for value in step.params.values()
        if isinstance(value, dict)
    ]
    return steps + words


def test_the_rules_write_their_steps_as_message_ids() -> None:
    steps = _every_rule_branch()
    assert len({step.msgid for step in steps}) >= 40
    assert all(step.stored()["msgid"] == step.msgid for step in steps)


@pytest.mark.parametrize("language", ["fr", "it"])
def test_every_step_of_the_rules_is_translated(language: str) -> None:
    steps = _every_rule_branch()
    with translation.override(language):
        untranslated = sorted({s.msgid for s in steps if shown_text(s.msgid) == s.msgid})
    assert untranslated == []


def test_the_stored_steps_are_english_message_ids_whoever_prefilled(city, security_officer) -> None:  # type: ignore[no-untyped-def]
    from tests.assessments.helpers import start

    with translation.override("fr"):
        assessment = start(city, security_officer, peak_crowd=20000)
    firearms = assessment.scenarios.get(attack_type="firearms")
    assert firearms.suggestion_parts[0] == {"msgid": NO_LEVEL, "params": {}}
    assumed = next(p for p in firearms.suggestion_parts if p["msgid"].startswith("Assumed weak"))
    assert assumed["params"]["question"] == {
        "msgid": "How many exits can the crowd use to get away?",
        "params": {},
    }
    assert firearms.suggestion_explanation.startswith(NO_LEVEL)
    with translation.override("en"):
        assert firearms.suggestion_text.startswith(NO_LEVEL)


def test_the_steps_read_in_the_readers_language(city, security_officer) -> None:  # type: ignore[no-untyped-def]
    from tests.assessments.helpers import start

    with translation.override("fr"):
        assessment = start(city, security_officer, peak_crowd=20000)
    firearms = assessment.scenarios.get(attack_type="firearms")
    with translation.override("it"):
        assert not firearms.suggestion_text.startswith(NO_LEVEL)
        assert "How many exits" not in firearms.suggestion_text


def _scenario_pages(client, city, security_officer) -> dict[str, str]:  # type: ignore[no-untyped-def]
    from tests.assessments.helpers import start

    with translation.override("fr"):
        assessment = start(city, security_officer, peak_crowd=20000)
    vehicle = assessment.scenarios.get(attack_type="vehicle")
    client.force_login(security_officer)
    return {
        prefix or "en": client.get(
            f"{prefix}/assessments/{assessment.pk}/scenarios/{vehicle.pk}/"
        ).content.decode()
        for prefix in ("", "/fr", "/it")
    }


def test_the_scenario_page_shows_the_suggestion(client, city, security_officer) -> None:  # type: ignore[no-untyped-def]
    pages = _scenario_pages(client, city, security_officer)
    assert NO_ANALYSIS in pages["en"]
    assert NO_LEVEL in pages["en"]


def test_the_scenario_page_shows_the_suggestion_in_the_readers_language(
    client, city, security_officer
) -> None:  # type: ignore[no-untyped-def]
    pages = _scenario_pages(client, city, security_officer)
    assert NO_ANALYSIS not in pages["/fr"]
    assert NO_ANALYSIS not in pages["/it"]


def _api_explanation(city, security_officer, language: str) -> str:  # type: ignore[no-untyped-def]
    from tests.assessments.helpers import start

    assessment = start(city, security_officer, peak_crowd=20000)
    raw = ApiToken.new_raw_token()
    ApiToken.objects.create(user=security_officer, name="t", token_hash=hash_token(raw), prefix=raw[:8])
    body = (
        Client()
        .get(
            f"/api/v1/assessments/{assessment.pk}",
            headers={"Authorization": f"Bearer {raw}", "Accept-Language": language},
        )
        .json()
    )
    return str(next(s["suggestion_explanation"] for s in body["scenarios"] if s["attack_type"] == "firearms"))


def test_the_api_gives_the_suggestion(city, security_officer) -> None:  # type: ignore[no-untyped-def]
    assert _api_explanation(city, security_officer, "en").startswith(NO_LEVEL)


def test_the_api_gives_the_suggestion_in_the_requested_language(city, security_officer) -> None:  # type: ignore[no-untyped-def]
    assert not _api_explanation(city, security_officer, "fr").startswith(NO_LEVEL)


def _pdf_text(client, city, security_officer, prefix: str) -> str:  # type: ignore[no-untyped-def]
    from tests.assessments.helpers import start

    assessment = start(city, security_officer, peak_crowd=20000)
    client.force_login(security_officer)
    confirm_password(client)
    content = client.get(f"{prefix}/assessments/{assessment.pk}/report.pdf").content
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).split())


def test_the_pdf_gives_the_suggestion(client, city, security_officer) -> None:  # type: ignore[no-untyped-def]
    english = _pdf_text(client, city, security_officer, "")
    assert f"Pre-filled suggestion: {NO_ANALYSIS}" in english
    assert f"Pre-filled suggestion: {NO_LEVEL}" in english


def test_the_pdf_gives_the_suggestion_in_the_readers_language(client, city, security_officer) -> None:  # type: ignore[no-untyped-def]
    french = _pdf_text(client, city, security_officer, "/fr")
    assert "Suggestion pré-remplie" in french
    assert NO_LEVEL not in french


def test_a_suggestion_stored_before_the_steps_is_shown_as_it_was(assessment) -> None:  # type: ignore[no-untyped-def]
    firearms = assessment.scenarios.get(attack_type="firearms")
    firearms.suggestion_parts = []
    firearms.suggestion_explanation = "Texte enregistré avant."
    firearms.save()
    firearms.refresh_from_db()
    assert firearms.suggestion_text == "Texte enregistré avant."

    do_refresh_suggestions(assessment, acting_user=None)
    firearms.refresh_from_db()
    assert firearms.suggestion_text.startswith(NO_LEVEL)


def test_a_translation_that_lost_a_figure_falls_back_to_english_and_junk_is_skipped() -> None:
    assert shown_text("%(n)s entries", {"n": 3}) == "3 entries"
    assert shown_text("%(n)s entries", {"m": 3}) == "%(n)s entries"
    assert shown_parts(
        [{"msgid": "Band: %(b)s", "params": {"b": {"msgid": "stable"}}}, "junk", {"x": 1}]
    ) == ("Band: stable")
    assert shown_parts("not a list") == ""
