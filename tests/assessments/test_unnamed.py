"""The assessment of a space OpenStreetMap gives no name calls it by its label in the reader's
language: its pages, the risk dashboard and both PDF reports."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation

from pactesur.assessments.actions import do_start_assessment
from pactesur.assessments.reports import city_report_html, space_report_html
from pactesur.spaces.actions import do_sync_suggested_spaces
from pactesur.spaces.models import Space
from tests.spaces.test_unnamed import UNNAMED_SQUARE

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_pages_dashboard_and_reports_name_an_unnamed_space_the_readers_way(city, security_officer) -> None:  # type: ignore[no-untyped-def]
    do_sync_suggested_spaces(city, [UNNAMED_SQUARE], acting_user=None, network=None)
    assessment = do_start_assessment(Space.objects.get(), acting_user=security_officer)
    client = _client(security_officer)

    page = client.get(f"/fr/assessments/{assessment.pk}/").content.decode()
    dashboard = client.get("/it/assessments/").content.decode()
    with translation.override("fr"):
        stamp = {"exported_by": "security_officer", "exported_at": timezone.now()}
        report = space_report_html(assessment, **stamp)
        summary, _count = city_report_html(city, **stamp)

    assert "<title>Évaluation · Place sans nom (chemin 1001) · PACTESUR</title>" in page
    assert "Piazza senza nome (percorso 1001)" in dashboard
    assert "<title>Place sans nom (chemin 1001)</title>" in report
    assert "Place sans nom (chemin 1001)" in summary
    assert "Unnamed square" not in page + report + summary
