"""A space outside the street network (no street of the extract reaches it) has no vehicle figures:
its assessment, the pre-fill's explanation and the PDF say it was not analysed, why, and what to do —
never a low vehicle probability that would read as "safe"."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from pypdf import PdfReader

from pactesur.analysis.actions import OUTSIDE_AWAY_MESSAGE
from pactesur.analysis.models import AnalysisStatus, ApproachAnalysis
from pactesur.analysis.parameters import parameters_hash, polygon_hash, vehicle_codes
from pactesur.assessments.actions import do_refresh_suggestions
from pactesur.assessments.models import Assessment
from pactesur.assessments.prefill import PrefillContext, suggestion_for, vehicle_outside, vehicle_reading
from tests.assessments.helpers import scenario
from tests.auth_support import confirm_password
from tests.streets.factories import StreetNetworkFactory

pytestmark = pytest.mark.django_db


def _found_outside(assessment: Assessment) -> None:
    """Every class's analysis of the space ends "outside": the nearest street is 12,800 m away."""
    space = assessment.space
    network = StreetNetworkFactory(city=assessment.city, version=3)
    for vehicle in vehicle_codes():
        ApproachAnalysis.objects.create(
            city=space.city,
            space=space,
            vehicle=vehicle,
            network=network,
            network_version=network.version,
            params_hash=parameters_hash(),
            polygon_hash=polygon_hash(space.polygon),
            status=AnalysisStatus.OUTSIDE,
            error=OUTSIDE_AWAY_MESSAGE,
            error_params={"version": network.version, "distance_m": 12800},
        )


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_the_vehicle_scenario_is_not_prefilled_and_says_why(assessment, security_officer, data_dir) -> None:  # type: ignore[no-untyped-def]
    _found_outside(assessment)

    do_refresh_suggestions(assessment, acting_user=security_officer)

    vehicle = scenario(assessment, "vehicle")
    assert (vehicle.suggested_vulnerability, vehicle.vulnerability) == (None, None)
    assert (vehicle.suggested_probability, vehicle.probability) == (None, None)
    # The crowd still counts: 20,000 people on ≈ 8,956 m² (no network: no building taken off, no
    # obstacles entered) = 2.23 p/m²; no drive from the analysis, so √8,956 ≈ 94.6 m is assumed:
    # 2.23 × 6 m × 94.6 m ≈ 1,268 people ≥ 1,000 → 5.
    assert vehicle.suggested_consequence == 5
    assert vehicle.suggestion_explanation.startswith("Not analysed: outside the street network")
    assert "does not mean the space is safe" in vehicle.suggestion_explanation
    assert "import an extract that covers it" in vehicle.suggestion_explanation
    assert "square root of the usable area" in vehicle.suggestion_explanation
    assert "vulnerability 1" not in vehicle.suggestion_explanation


def test_outside_is_read_only_without_a_current_analysis(assessment, data_dir) -> None:  # type: ignore[no-untyped-def]
    assert vehicle_reading(assessment.space) == (None, None)
    _found_outside(assessment)

    evidence, outside = vehicle_reading(assessment.space)

    assert evidence is None
    assert outside is not None
    assert outside.network_version == 3
    assert outside.reason == (
        "Not analysed: no street, footway or open square of street network version 3 reaches this space; "
        "the nearest street of the extract is 12800 m from its outline."
    )
    assert vehicle_outside(assessment.space) == outside
    ctx = PrefillContext(peak_crowd=None, area_m2=1000.0, buildings_m2=0.0, obstacles_m2=0.0, outside=outside)
    suggestion = suggestion_for("vehicle", {}, ctx)
    assert (suggestion.vulnerability, suggestion.probability) == (None, None)


def test_the_assessment_page_says_not_analysed_and_what_to_do(assessment, security_officer, data_dir) -> None:  # type: ignore[no-untyped-def]
    _found_outside(assessment)
    client = _client(security_officer)

    html = client.get(f"/assessments/{assessment.pk}/").content.decode()
    french = client.get(f"/fr/assessments/{assessment.pk}/").content.decode()

    block = html[html.index('id="outside-network"') :]
    block = block[: block.index("</div>")]
    assert "Not analysed: outside the street network." in block
    assert "the nearest street of the extract is 12800 m from its outline" in block
    assert "This does not mean the space is safe" in block
    assert "Import an extract that covers the space (Street network page)" in block
    assert 'data-testid="no-analysis"' not in html
    assert "Non analysé\u00a0: hors du réseau viaire." in french
    assert "Cela ne veut pas dire que l’espace est sûr" in french


def test_the_pdf_says_not_analysed_and_what_to_do(assessment, security_officer, data_dir) -> None:  # type: ignore[no-untyped-def]
    _found_outside(assessment)
    client = _client(security_officer)
    confirm_password(client)

    response = client.get(f"/it/assessments/{assessment.pk}/report.pdf")

    pages = PdfReader(io.BytesIO(response.content)).pages
    text = " ".join(" ".join(page.extract_text() for page in pages).split())
    assert "Non analizzato: fuori dalla rete stradale." in text
    assert "Questo non significa che lo spazio sia sicuro" in text
    assert "Importa un estratto che copra lo spazio" in text
    assert "Nessuna analisi di avvicinamento aggiornata" not in text
