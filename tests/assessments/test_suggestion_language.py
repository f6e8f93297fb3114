"""Pre-filled suggestions are stored as the rule's steps (message ids and figures) and read in each
reader's language: a French officer's pre-fill reads in English, French or Italian to whoever opens it."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.utils import translation
from pypdf import PdfReader

from pactesur.accounts.models import ApiToken, hash_token
from pactesur.assessments.actions import do_refresh_suggestions
from pactesur.assessments.prefill import VehicleEvidence, VehicleOutside, suggestion_for
from pactesur.cities.stored_text import StoredText, shown_parts, shown_text
from tests.auth_support import confirm_password

FRENCH_CROWD = "Affluence de pointe 20000 sur"
ENGLISH_CROWD = "Peak crowd 20000 on"


def _evidence(**changes: object) -> VehicleEvidence:
    figures: dict[str, object] = {
        "max_impact_speed_kmh": 55.0,
        "max_kinetic_energy_kj": 1200.0,
        "entry_count": 4,
        "unprotected_entry_count": 3,
        "max_exposure_m": 150.0,
        "required_rating": "V/7200[N3C]/64/90",
        "beyond_rating": False,
        "vehicles": ("N3C",),
        "network_version": 1,
    }
    figures.update(changes)
    return VehicleEvidence(**figures)  # type: ignore[arg-type]


def _every_rule_branch() -> list[StoredText]:
    """The steps of every branch of the rules: no analysis, outside, open and closed entries, short
    and long drives, every density band, a large sparse crowd, no crowd figure."""
    outside = VehicleOutside(network_version=1, message="", params={})
    suggestions = [
        suggestion_for("vehicle", None, 2000, 1000),
        suggestion_for("vehicle", None, None, 1000, outside=outside),
        suggestion_for("vehicle", _evidence(), 6000, 1000),
        suggestion_for("vehicle", _evidence(unprotected_entry_count=0, max_exposure_m=10.0), 3000, 1000),
        suggestion_for("firearms", None, 4000, 1000),
        suggestion_for("firearms", None, 1000, 1000),
        suggestion_for("firearms", None, 500, 1000),
        suggestion_for("firearms", None, 6000, 20000),
        suggestion_for("firearms", None, None, None),
    ]
    steps = [step for s in suggestions for step in s.parts]
    bands = [
        StoredText(value["msgid"])
        for step in steps
        for value in step.params.values()
        if isinstance(value, dict)
    ]
    return steps + bands


@pytest.mark.parametrize("language", ["fr", "it"])
def test_every_step_of_the_rules_is_translated(language: str) -> None:
    steps = _every_rule_branch()
    assert len({step.msgid for step in steps}) >= 15
    with translation.override(language):
        untranslated = sorted(
            {s.msgid for s in steps if shown_text(s.msgid) == s.msgid and s.msgid != "stable"}
        )
    assert untranslated == []


def test_the_stored_steps_are_english_message_ids_whoever_prefilled(city, security_officer) -> None:  # type: ignore[no-untyped-def]
    from tests.assessments.helpers import start

    with translation.override("fr"):
        assessment = start(city, security_officer, peak_crowd=20000)
    firearms = assessment.scenarios.get(attack_type="firearms")
    assert firearms.suggestion_parts[0]["msgid"].startswith("Peak crowd %(people)s on %(area)s m²")
    assert firearms.suggestion_parts[0]["params"]["band"] == {"msgid": "stable", "params": {}}
    assert firearms.suggestion_explanation.startswith(ENGLISH_CROWD)
    with translation.override("it"):
        italian = firearms.suggestion_text
        assert italian.startswith("Affluenza di punta 20000 su")
        assert "(stabile)" in italian or "stabile" in italian
    with translation.override("en"):
        assert firearms.suggestion_text.startswith(ENGLISH_CROWD)


def test_the_scenario_page_shows_the_suggestion_in_the_readers_language(
    client, city, security_officer
) -> None:  # type: ignore[no-untyped-def]
    from tests.assessments.helpers import start

    with translation.override("fr"):
        assessment = start(city, security_officer, peak_crowd=20000)
    vehicle = assessment.scenarios.get(attack_type="vehicle")
    client.force_login(security_officer)

    english = client.get(f"/assessments/{assessment.pk}/scenarios/{vehicle.pk}/").content.decode()
    french = client.get(f"/fr/assessments/{assessment.pk}/scenarios/{vehicle.pk}/").content.decode()
    italian = client.get(f"/it/assessments/{assessment.pk}/scenarios/{vehicle.pk}/").content.decode()

    assert "No current approach analysis of this space" in english
    assert ENGLISH_CROWD in english
    assert FRENCH_CROWD not in english
    assert FRENCH_CROWD in french
    assert "No current approach analysis" not in french
    assert ENGLISH_CROWD not in italian
    assert "No current approach analysis" not in italian


def test_the_api_gives_the_suggestion_in_the_requested_language(city, security_officer) -> None:  # type: ignore[no-untyped-def]
    from tests.assessments.helpers import start

    assessment = start(city, security_officer, peak_crowd=20000)
    raw = ApiToken.new_raw_token()
    ApiToken.objects.create(user=security_officer, name="t", token_hash=hash_token(raw), prefix=raw[:8])

    def explanation(language: str) -> str:
        body = (
            Client()
            .get(
                f"/api/v1/assessments/{assessment.pk}",
                headers={"Authorization": f"Bearer {raw}", "Accept-Language": language},
            )
            .json()
        )
        return next(s["suggestion_explanation"] for s in body["scenarios"] if s["attack_type"] == "firearms")

    assert explanation("en").startswith(ENGLISH_CROWD)
    assert explanation("fr").startswith(FRENCH_CROWD)


def test_the_pdf_gives_the_suggestion_in_the_readers_language(client, city, security_officer) -> None:  # type: ignore[no-untyped-def]
    from tests.assessments.helpers import start

    assessment = start(city, security_officer, peak_crowd=20000)
    client.force_login(security_officer)
    confirm_password(client)

    def text(prefix: str) -> str:
        content = client.get(f"{prefix}/assessments/{assessment.pk}/report.pdf").content
        return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).split())

    english, french = text(""), text("/fr")
    assert "Pre-filled suggestion: No current approach analysis of this space" in english
    assert ENGLISH_CROWD in english
    assert "Suggestion pré-remplie : Aucune analyse des approches" in french  # the no-break space split away
    assert FRENCH_CROWD in french
    assert ENGLISH_CROWD not in french


def test_a_suggestion_stored_before_the_steps_is_shown_as_it_was(assessment) -> None:  # type: ignore[no-untyped-def]
    firearms = assessment.scenarios.get(attack_type="firearms")
    firearms.suggestion_parts = []
    firearms.suggestion_explanation = "Texte enregistré avant."
    firearms.save()
    firearms.refresh_from_db()
    assert firearms.suggestion_text == "Texte enregistré avant."

    do_refresh_suggestions(assessment, acting_user=None)
    firearms.refresh_from_db()
    assert firearms.suggestion_text.startswith(ENGLISH_CROWD)


def test_a_translation_that_lost_a_figure_falls_back_to_english_and_junk_is_skipped() -> None:
    assert shown_text("%(n)s entries", {"n": 3}) == "3 entries"
    assert shown_text("%(n)s entries", {"m": 3}) == "%(n)s entries"
    assert shown_parts(
        [{"msgid": "Band: %(b)s", "params": {"b": {"msgid": "stable"}}}, "junk", {"x": 1}]
    ) == ("Band: stable")
    assert shown_parts("not a list") == ""
