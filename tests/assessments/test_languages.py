"""The checklist's texts in French and Italian: attack types, guidance for every level, measures."""

from __future__ import annotations

import pytest
from django.utils import translation

from pactesur.assessments.library import (
    ATTACK_HINTS,
    CONSEQUENCE_GUIDANCE,
    PROBABILITY_GUIDANCE,
    AttackType,
)
from pactesur.measures.library import MEASURE_NAMES


@pytest.mark.parametrize("language", ["fr", "it"])
def test_every_checklist_text_is_translated(language: str) -> None:
    texts = [
        *AttackType.labels,
        *ATTACK_HINTS.values(),
        *PROBABILITY_GUIDANCE.values(),
        *CONSEQUENCE_GUIDANCE.values(),
        *MEASURE_NAMES.values(),
    ]
    english = [str(t) for t in texts]
    with translation.override(language):
        translated = [str(t) for t in texts]
    untranslated = [e for e, t in zip(english, translated, strict=True) if e == t and e != "Drone"]
    assert not untranslated


def test_the_scenario_page_speaks_french(client, assessment, security_officer) -> None:  # type: ignore[no-untyped-def]
    client.force_login(security_officer)
    vehicle = assessment.scenarios.get(attack_type="vehicle")
    page = client.get(f"/fr/assessments/{assessment.pk}/scenarios/{vehicle.pk}/").content.decode()
    assert "Véhicule-bélier (véhicule utilisé comme arme)" in page
    assert "Très probable" in page
    assert "Catastrophique" in page
