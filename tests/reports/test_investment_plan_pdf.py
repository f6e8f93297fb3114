"""An investment plan as PDF: what its page shows, with the frontier chart, RESTRICTED and watermarked
on every page, in the reader's language, and an audited export."""

from __future__ import annotations

import re

import pytest

from pactesur.audit.models import AuditAction, AuditEvent
from tests.auth_support import confirm_password
from tests.reports.helpers import assessed, images, investment_plan, pages
from tests.spaces.helpers import make_space

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(city, security_officer):  # type: ignore[no-untyped-def]
    """A plan over two assessed spaces of Nice, solved for real and approved."""
    for name in ("Place Masséna", "Cours Saleya"):
        assessed(make_space(city, None, name=name, peak_crowd=20000), security_officer)
    return investment_plan(city, approved_by=security_officer, budget_eur=120_000)


def _download(client, user, url: str):  # type: ignore[no-untyped-def]
    client.force_login(user)
    confirm_password(client)
    return client.get(url)


def test_a_planner_downloads_the_plan_with_its_figures_and_frontier(client, plan, planner) -> None:  # type: ignore[no-untyped-def]
    response = _download(client, planner, f"/reports/investment-plans/{plan.pk}.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="investment-plan-{plan.pk}.pdf"'
    assert {"no-store", "private"} <= {d.strip() for d in response["Cache-Control"].split(",")}
    texts = pages(response.content)
    for number, text in enumerate(texts, start=1):
        assert re.search(r"RESTRICTED · ?planner", text), f"page {number} has no watermark"
        assert "Exported by planner" in text
    text = " ".join(texts)
    result = plan.result
    assert "Investment plan · Nice" in text
    assert f"{plan.name} Approved · approved by security_officer on" in text
    assert "Budget 120,000 €" in text
    assert f"Cost of the plan {round(result['total_cost_eur']):,} €" in text
    assert f"Risk today {result['risk_before']:.1f}" in text
    assert f"Risk left {result['residual_risk']:.1f}" in text
    assert "What each budget buys" in text
    assert "Efficient frontier" in text
    assert "Measures chosen, and why" in text
    for chosen in result["chosen"]:
        assert chosen["type"] in text
    assert "Risk per space" in text
    assert "Place Masséna" in text
    assert "Cours Saleya" in text
    assert len(images(response.content)) == 1  # the frontier chart


def test_the_export_is_audited_with_the_measures_it_lists(client, plan, city_admin) -> None:  # type: ignore[no-untyped-def]
    _download(client, city_admin, f"/reports/investment-plans/{plan.pk}.pdf")

    event = AuditEvent.objects.get(action=AuditAction.EXPORT, object_id=str(plan.pk))
    assert event.detail == {"what": "investment plan", "format": "pdf", "rows": len(plan.result["chosen"])}
    assert (event.user, event.city, event.object_type) == (city_admin, plan.city, "measures.investmentplan")


def test_the_pdf_is_in_the_readers_language(client, plan, security_officer) -> None:  # type: ignore[no-untyped-def]
    response = _download(client, security_officer, f"/it/reports/investment-plans/{plan.pk}.pdf")

    text = " ".join(pages(response.content))
    assert "Piano di investimenti · Nice" in text
    assert "Frontiera efficiente" in text
    assert re.search(r"RISERVATO · ?security_officer", text)
    assert "What each budget buys" not in text


def test_a_plan_without_rated_assessments_says_what_to_do_first(client, city, security_officer) -> None:  # type: ignore[no-untyped-def]
    empty = investment_plan(city, name="Nothing to lower")

    response = _download(client, security_officer, f"/reports/investment-plans/{empty.pk}.pdf")

    text = " ".join(pages(response.content))
    assert "Nothing to lower" in text
    assert "Draft" in text
    assert "No space of the city has a rated assessment yet: the plan has no risk to lower." in text
    assert images(response.content) == set()
