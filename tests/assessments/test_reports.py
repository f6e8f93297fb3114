"""PDF reports read back: sensitivity marking and watermark on every page, scenarios, audited export."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone, translation
from pypdf import PdfReader

from pactesur.assessments.models import Assessment
from pactesur.assessments.reports import city_report_html, space_report_html, space_report_pdf
from pactesur.audit.models import AuditAction, AuditEvent
from tests.assessments.helpers import rate, settle_the_rest, start
from tests.auth_support import confirm_password


def _pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def test_space_report_is_marked_restricted_and_watermarked_on_every_page(
    client, assessment, security_officer
) -> None:  # type: ignore[no-untyped-def]
    rate(
        assessment,
        "vehicle",
        4,
        5,
        security_officer,
        description="A truck from the promenade",
        evidence="walk",
    )
    rate(assessment, "firearms", 2, 4, security_officer)
    client.force_login(security_officer)
    confirm_password(client)
    response = client.get(f"/assessments/{assessment.pk}/report.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert {"no-store", "private"} <= {d.strip() for d in response["Cache-Control"].split(",")}
    pages = _pages(response.content)
    assert len(pages) >= 2
    for text in pages:
        assert "RESTRICTED" in text
        assert "Exported by security_officer" in text
    text = "\n".join(pages)
    for name in ("Vehicle as a weapon (ramming)", "Marauding firearms attack", "Insider", "Place Masséna"):
        assert name in text
    assert "A truck from the promenade" in text
    event = AuditEvent.objects.get(action=AuditAction.EXPORT, object_id=str(assessment.pk))
    assert (event.detail["what"], event.detail["format"]) == ("assessment report", "pdf")
    assert event.user == security_officer


def _approve(assessment: Assessment, author: Any, reviewer: Any) -> None:
    """Submit `assessment` (the rest not applicable, high risks accepted) and have `reviewer` approve it:
    the city summary ranks approved assessments only."""
    from pactesur.assessments.actions import do_approve_assessment, do_submit_assessment
    from pactesur.assessments.decisions import do_decide_scenario

    settle_the_rest(assessment, author)
    for s in assessment.scenarios.all():
        if s.band in ("high", "very_high"):
            do_decide_scenario(s, acting_user=author, decision="accept", reason="police on site")
    do_submit_assessment(assessment, acting_user=author)
    do_approve_assessment(assessment, acting_user=reviewer)


def test_city_report_lists_the_ranked_spaces_with_the_watermark(
    client, city, security_officer, city_admin
) -> None:  # type: ignore[no-untyped-def]
    a = start(city, security_officer, name="Promenade des Anglais")
    rate(a, "vehicle", 5, 5, security_officer)
    _approve(a, security_officer, city_admin)
    b = start(city, security_officer, name="Cours Saleya")
    rate(b, "vehicle", 1, 1, security_officer)
    _approve(b, security_officer, city_admin)
    client.force_login(city_admin)
    confirm_password(client)
    response = client.get("/assessments/report.pdf")
    assert response.status_code == 200
    pages = _pages(response.content)
    for text in pages:
        assert "RESTRICTED" in text
        assert "Exported by city_admin" in text
    text = "\n".join(pages)
    assert text.index("Promenade des Anglais") < text.index("Cours Saleya")
    assert "Very high" in text
    event = AuditEvent.objects.get(
        action=AuditAction.EXPORT, detail__what="city risk summary", detail__format="pdf"
    )
    assert event.detail["rows"] == Assessment.objects.filter(city=city).count()


def test_map_image_draws_the_city_base_map(city, security_officer, data_dir) -> None:  # type: ignore[no-untyped-def]
    from pactesur.assessments.actions import do_start_assessment
    from pactesur.assessments.reports import space_map_png
    from tests.analysis.helpers import import_leeds, woodhouse_space

    import_leeds(city)
    a = do_start_assessment(woodhouse_space(city), acting_user=security_officer)
    png = space_map_png(a)
    assert png.startswith(b"\x89PNG")
    bare = start(city, security_officer, name="Nowhere")  # Nice coordinates: outside the Leeds base map
    # A map with streets and buildings is a bigger image than the outline alone.
    assert len(png) > len(space_map_png(bare))


def _with_issue7_analyses(assessment: Assessment) -> None:
    """A car beyond any tested rating at 116 km/h, a truck within one, barriers and warnings."""
    from tests.analysis.factories import make_issue7_analyses
    from tests.streets.factories import StreetNetworkFactory

    make_issue7_analyses(assessment.space, StreetNetworkFactory(city=assessment.city))


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_space_report_gives_every_class_rating_and_never_an_untested_one(
    client, assessment, security_officer
) -> None:  # type: ignore[no-untyped-def]
    _with_issue7_analyses(assessment)
    client.force_login(security_officer)
    confirm_password(client)

    response = client.get(f"/assessments/{assessment.pk}/report.pdf")

    assert response.status_code == 200
    text = _flat("\n".join(_pages(response.content)))
    assert "M1 (car), 116 km/h — no tested rating: reduce the speed first" in text
    assert "N3F (multi-axle heavy rigid truck), 70 km/h — V/30000[N3F]/80/90" in text
    assert "V/1500[M1]/128/90" not in text  # the test step above 112 km/h that nobody runs
    assert "Existing protection to verify" in text
    assert "bollard — not rated in OpenStreetMap" in text
    assert "43.69810, 7.27050" in text
    assert "a vehicle needs to reach its top speed (1,693 m)" in text
    assert "engine says" not in text


def test_space_report_writes_the_warnings_in_the_readers_language(
    client, assessment, security_officer
) -> None:  # type: ignore[no-untyped-def]
    _with_issue7_analyses(assessment)
    client.force_login(security_officer)
    confirm_password(client)

    response = client.get(f"/fr/assessments/{assessment.pk}/report.pdf")

    text = _flat("\n".join(_pages(response.content)))
    assert "aucune classe de résistance testée : réduire d’abord la vitesse" in text
    assert "à 240 m du bord du réseau viaire importé" in text
    assert "importé par une version plus ancienne de PACTESUR" in text
    assert "imported by an older version" not in text


def test_assessment_page_lists_every_class_rating(client, assessment, security_officer) -> None:  # type: ignore[no-untyped-def]
    _with_issue7_analyses(assessment)
    client.force_login(security_officer)

    html = client.get(f"/assessments/{assessment.pk}/").content.decode()

    summary = html[html.index('id="analysis-report-summary"') :]
    summary = summary[: summary.index("</div>")]
    assert "no tested rating: reduce the speed first" in summary
    assert "V/30000[N3F]/80/90" in summary
    assert "V/1500[M1]/128/90" not in html
    assert "M1, N3F:" in summary  # the warning about the extract's edge, for both classes
    assert "Existing protection to verify" not in summary  # barrier positions stay on the analysis page


# --- layout of the printed page ------------------------------------------------------------------


def _drawing_order(page: Any) -> list[str]:
    """What a PDF page draws, in the order it draws it: each text run, and "<image>" for each image."""
    drawn: list[str] = []

    def on_operator(operator: bytes, _args: Any, _cm: Any, _tm: Any) -> None:
        if operator == b"Do":
            drawn.append("<image>")

    def on_text(text: str, _cm: Any, _tm: Any, _font: Any, _size: Any) -> None:
        if text.strip():
            drawn.append(text.strip())

    page.extract_text(visitor_operand_before=on_operator, visitor_text=on_text)
    return drawn


def test_the_watermark_is_drawn_over_the_map_of_the_first_page(assessment, security_officer) -> None:  # type: ignore[no-untyped-def]
    """The page draws what comes later over what came first: the watermark must come after the map."""
    rate(assessment, "vehicle", 4, 5, security_officer)

    pdf = space_report_pdf(assessment, exported_by="security_officer", exported_at=timezone.now())

    first = _drawing_order(PdfReader(io.BytesIO(pdf)).pages[0])
    watermark = next(i for i, text in enumerate(first) if text == "RESTRICTED · security_officer")
    assert "<image>" in first
    assert first.index("<image>") < watermark


def _boxes(box: Any) -> Iterator[Any]:
    yield box
    for child in getattr(box, "children", ()):
        yield from _boxes(child)


def _classes(box: Any) -> list[str]:
    element = getattr(box, "element", None)
    return (element.get("class") or "").split() if element is not None else []


@pytest.mark.parametrize("report", ["space", "city"])
def test_the_risk_matrix_label_column_is_as_narrow_as_a_level_column(
    report: str, assessment, security_officer
) -> None:  # type: ignore[no-untyped-def]
    from weasyprint import HTML

    rate(assessment, "vehicle", 4, 5, security_officer)
    stamp = {"exported_by": "security_officer", "exported_at": timezone.now()}
    if report == "space":
        html = space_report_html(assessment, **stamp)
    else:
        html, _count = city_report_html(assessment.city, **stamp)

    pages = HTML(string=html).render().pages
    table = next(
        box
        for page in pages
        for box in _boxes(page._page_box)
        if "matrix" in _classes(box) and type(box).__name__ == "TableBox"
    )
    header = next(box for box in _boxes(table) if type(box).__name__ == "TableRowBox")
    cells = [cell.border_width() for cell in header.children]
    content_width = pages[0]._page_box.width

    assert len(cells) == 6  # "P \ C", then consequence 1 to 5
    assert cells[0] <= 1.5 * max(cells[1:])
    assert table.border_width() < content_width / 2


# --- dates the reader's way, times in the city's zone ---------------------------------------------


@pytest.mark.parametrize(
    ("exported_at", "shown"),
    [
        (datetime.datetime(2026, 12, 5, 9, 30, tzinfo=datetime.UTC), "05/12/2026 10:30 Europe/Paris"),
        (datetime.datetime(2026, 7, 1, 21, 30, tzinfo=datetime.UTC), "01/07/2026 23:30 Europe/Paris"),
    ],
)
def test_the_watermark_gives_the_citys_local_time_and_names_its_zone(
    assessment, exported_at: datetime.datetime, shown: str
) -> None:  # type: ignore[no-untyped-def]
    with translation.override("fr"):
        html = space_report_html(assessment, exported_by="security_officer", exported_at=exported_at)
        city_html, _count = city_report_html(
            assessment.city, exported_by="security_officer", exported_at=exported_at
        )

    assert f"security_officer · {shown}" in html
    assert f"security_officer · {shown}" in city_html


def test_the_review_date_is_written_the_readers_way(assessment, security_officer, city_admin) -> None:  # type: ignore[no-untyped-def]
    rate(assessment, "vehicle", 2, 2, security_officer)
    _approve(assessment, security_officer, city_admin)
    Assessment.objects.filter(pk=assessment.pk).update(review_due=datetime.date(2030, 3, 1))
    assessment.refresh_from_db()
    stamp = {"exported_by": "security_officer", "exported_at": timezone.now()}

    with translation.override("it"):
        html = space_report_html(assessment, **stamp)
        city_html, _count = city_report_html(assessment.city, **stamp)

    assert "01/03/2030" in html
    assert "01/03/2030" in city_html
    assert "2030-03-01" not in html + city_html


# --- the team, the decisions and the register (Martyn's Law s.7) ---------------------------------


def test_space_report_gives_the_team_the_decisions_and_the_action_register(  # type: ignore[no-untyped-def]
    client, assessment, security_officer
) -> None:
    from pactesur.assessments.decisions import (
        ActionFields,
        do_add_risk_action,
        do_add_team_member,
        do_decide_scenario,
        do_set_risk_action_status,
    )
    from pactesur.assessments.facts import questions_for

    vehicle = rate(assessment, "vehicle", 5, 5, security_officer)
    firearms = rate(assessment, "firearms", 2, 3, security_officer)
    do_add_team_member(
        assessment, acting_user=security_officer, name="Claire Martin", organisation="police", role="CTSA"
    )
    do_decide_scenario(
        vehicle, acting_user=security_officer, decision="treat", reason="Trucks reach the terraces"
    )
    do_decide_scenario(
        firearms, acting_user=security_officer, decision="accept", reason="Armed patrols nearby"
    )
    for title, cost, status in (
        ("Rated bollards at the east entry", 48000, "in_progress"),
        ("Brief the stewards", 1500, "done"),
        ("Steel planters", 9000, "cancelled"),
    ):
        action = do_add_risk_action(
            assessment,
            ActionFields(
                title=title,
                owner="Roads department",
                due_on=datetime.date(2027, 3, 31),
                cost_eur=cost,
                scenario=vehicle,
            ),
            acting_user=security_officer,
        )
        do_set_risk_action_status(action, acting_user=security_officer, status=status)
    client.force_login(security_officer)
    confirm_password(client)

    response = client.get(f"/assessments/{assessment.pk}/report.pdf")

    text = _flat("\n".join(_pages(response.content)))
    assert "Assessment team" in text
    assert "Claire Martin Police CTSA" in text
    assert "Nobody from the municipality is on the team" in text
    assert "Trucks reach the terraces" in text
    assert "Armed patrols nearby" in text
    assert "Decided by" in text
    assert text.count("security_officer, ") >= 2  # who decided, beside each decision
    assert "Action register" in text
    assert "Rated bollards at the east entry" in text
    assert "Roads department" in text
    assert "31/03/2027" in text
    assert "In progress" in text
    assert "48,000" in text
    assert "Total, cancelled actions aside 49,500" in text
    assert _flat(str(questions_for("vehicle")[0].text)) in text  # the facts asked, as evidence


def test_city_report_lists_the_actions_to_do(client, assessment, security_officer, city_admin) -> None:  # type: ignore[no-untyped-def]
    from pactesur.assessments.decisions import ActionFields, do_add_risk_action, do_set_risk_action_status

    for title, status in (("Close the service road", "open"), ("Brief the stewards", "done")):
        action = do_add_risk_action(
            assessment,
            ActionFields(
                title=title, owner="Police municipale", due_on=datetime.date(2020, 1, 31), cost_eur=700
            ),
            acting_user=security_officer,
        )
        do_set_risk_action_status(action, acting_user=security_officer, status=status)
    client.force_login(city_admin)
    confirm_password(client)

    text = _flat("\n".join(_pages(client.get("/assessments/report.pdf").content)))

    assert "Actions to do" in text
    assert "Close the service road" in text
    assert "(overdue)" in text
    assert "Brief the stewards" not in text
