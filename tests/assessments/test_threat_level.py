"""The city's threat level: recorded with its source, its history kept, and a change of level flags
every assessment in review or approved for re-assessment — drafts and other cities left alone."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from pactesur.assessments import triggers
from pactesur.assessments.models import FlagReason, RiskAction, ThreatLevel
from pactesur.audit.models import AuditAction, AuditEvent
from pactesur.cities.errors import InvalidRequestError
from tests.assessments.test_triggers import approved, draft, in_review, only_flag, open_flags

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_the_latest_level_recorded_is_the_current_one(city, security_officer) -> None:  # type: ignore[no-untyped-def]
    assert triggers.current_threat_level(city) is None

    triggers.do_set_threat_level(city, 3, name="Substantial", acting_user=security_officer)
    triggers.do_set_threat_level(
        city, 4, name="Severe", source="Prefecture, 2 May", acting_user=security_officer
    )

    current = triggers.current_threat_level(city)
    assert current is not None
    assert (current.level, current.name, current.source) == (4, "Severe", "Prefecture, 2 May")
    assert current.set_by == security_officer
    assert (
        AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="assessments.threatlevel").count()
        == 2
    )


def test_a_change_of_level_flags_assessments_in_review_and_approved_but_not_drafts(
    city, other_city, security_officer, city_admin, other_city_admin
) -> None:  # type: ignore[no-untyped-def]
    a = approved(city, security_officer, city_admin)
    r = in_review(city, security_officer, name="Cours Saleya")
    d = draft(city, security_officer, name="Place Garibaldi")
    liege = approved(other_city, other_city_admin, None, name="Place Saint-Lambert")
    triggers.do_set_threat_level(city, 2, name="Moderate", acting_user=security_officer)
    assert open_flags(a) == []  # the first level recorded changes nothing

    triggers.do_set_threat_level(city, 3, name="Substantial", acting_user=security_officer)

    for flagged in (a, r):
        flag = only_flag(flagged, FlagReason.THREAT_LEVEL)
        assert flag.detail == {"level": {"from": 2, "to": 3}, "name": "Substantial"}
        assert flag.raised_by == security_officer
        assert flag.task is not None
        assert flag.task.assessment_id == flagged.pk
        assert triggers.flag_text(flag) == "From level 2 to level 3; Substantial"
    assert open_flags(d) == []
    assert open_flags(liege) == []


def test_the_same_level_again_flags_nothing(city, security_officer, city_admin) -> None:  # type: ignore[no-untyped-def]
    a = approved(city, security_officer, city_admin)
    triggers.do_set_threat_level(city, 3, acting_user=security_officer)

    triggers.do_set_threat_level(city, 3, source="Confirmed by the police", acting_user=security_officer)

    assert open_flags(a) == []
    assert ThreatLevel.objects.filter(city=city).count() == 2


def test_a_second_change_updates_the_flag_from_where_it_started(city, security_officer, city_admin) -> None:  # type: ignore[no-untyped-def]
    a = approved(city, security_officer, city_admin)
    triggers.do_set_threat_level(city, 2, acting_user=security_officer)
    triggers.do_set_threat_level(city, 3, acting_user=security_officer)

    triggers.do_set_threat_level(city, 5, name="Critical", acting_user=security_officer)

    flag = only_flag(a, FlagReason.THREAT_LEVEL)
    assert flag.detail == {"level": {"from": 2, "to": 5}, "name": "Critical"}
    assert RiskAction.objects.filter(assessment=a).count() == 1


def test_a_level_outside_1_to_5_is_refused(city, security_officer) -> None:  # type: ignore[no-untyped-def]
    for level in (0, 6):
        with pytest.raises(InvalidRequestError):
            triggers.do_set_threat_level(city, level, acting_user=security_officer)
    assert not ThreatLevel.objects.exists()


def test_the_page_records_a_level_and_shows_the_city_s_history_only(
    city, other_city, security_officer, city_admin, other_city_admin
) -> None:  # type: ignore[no-untyped-def]
    a = approved(city, security_officer, city_admin)
    triggers.do_set_threat_level(other_city, 5, name="Niveau 4 OCAM", acting_user=other_city_admin)
    triggers.do_set_threat_level(city, 2, name="Vigilance", acting_user=security_officer)
    client = _client(security_officer)

    response = client.post(
        "/assessments/threat-level/",
        {"level": "3", "name": "Sécurité renforcée – risque attentat", "source": "Vigipirate, SGDSN"},
    )

    assert response.status_code == 302
    assert triggers.current_threat_level(city).level == 3  # type: ignore[union-attr]
    only_flag(a, FlagReason.THREAT_LEVEL)
    page = client.get("/assessments/threat-level/").content.decode()
    assert "Sécurité renforcée – risque attentat" in page
    assert "Vigipirate, SGDSN" in page
    assert "Vigilance" in page
    assert "Niveau 4 OCAM" not in page
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, detail__what="threat levels").exists()


def test_a_planner_cannot_record_a_level_and_a_bad_level_is_not_recorded(
    city, planner, security_officer
) -> None:  # type: ignore[no-untyped-def]
    refused = _client(planner).post("/assessments/threat-level/", {"level": "4"})
    invalid = _client(security_officer).post("/assessments/threat-level/", {"level": "9"})

    assert refused.status_code == 403
    assert invalid.status_code == 200  # the form again, with its error
    assert not ThreatLevel.objects.exists()


def test_the_assessment_s_flags_show_in_the_include(city, security_officer, city_admin) -> None:  # type: ignore[no-untyped-def]
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    a = approved(city, security_officer, city_admin)
    triggers.do_set_threat_level(city, 2, acting_user=security_officer)
    triggers.do_set_threat_level(city, 4, acting_user=security_officer)
    request = RequestFactory().get(f"/assessments/{a.pk}/")

    html = render_to_string(
        "assessments/_flags.html",
        {"flags": triggers.open_flags_for(a), "can_dismiss": True, "request": request},
    )

    assert "The threat level changed" in html
    assert "From level 2 to level 4" in html
    assert f'action="/assessments/flags/{a.flags.get().pk}/dismiss/"' in html
    assert f'value="/assessments/{a.pk}/"' in html
    assert render_to_string("assessments/_flags.html", {"flags": []}).strip() == ""
