"""Exports of the reports app: each PDF is made, watermarked with who exported it and when, and audited.

Both documents are RESTRICTED, marked and watermarked in the page margins like the assessment PDFs
(`pactesur.assessments.reports`). Who may export them is the caller's to check (the views check the
roles; the command line is the server's operator).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from pactesur.assessments.reports import pdf_of
from pactesur.audit.actions import do_record_export
from pactesur.cities.actions import CLI_USERNAME
from pactesur.cities.models import City
from pactesur.cities.records import stored_user
from pactesur.measures.models import InvestmentPlan
from pactesur.reports.content import investment_plan_html, protection_plan_html


def _exported_by(acting_user: Any) -> str:
    user = stored_user(acting_user)
    return user.get_username() if user is not None else CLI_USERNAME


def do_export_protection_plan(
    city: City,
    *,
    acting_user: Any,
    language: str | None = None,
    request: HttpRequest | None = None,
) -> bytes:
    """The city's local protection plan as a PDF, in `language` (default: the city's); audited.

    `acting_user` None is the command line: the watermark and the audit trail say "cli".
    """
    html, count = protection_plan_html(
        city, exported_by=_exported_by(acting_user), exported_at=timezone.now(), language=language
    )
    pdf = pdf_of(html)
    do_record_export(
        acting_user=acting_user,
        city=city,
        what="local protection plan",
        fmt="pdf",
        rows=count,
        request=request,
        username="" if acting_user is not None else CLI_USERNAME,
    )
    return pdf


def do_export_investment_plan(
    plan: InvestmentPlan, *, acting_user: Any, request: HttpRequest | None = None
) -> bytes:
    """An investment plan as a PDF in the reader's language: its page with the frontier chart; audited."""
    pdf = pdf_of(
        investment_plan_html(plan, exported_by=_exported_by(acting_user), exported_at=timezone.now())
    )
    do_record_export(
        acting_user=acting_user,
        city=plan.city,
        what="investment plan",
        fmt="pdf",
        rows=len(plan.result.get("chosen", [])),
        obj=plan,
        request=request,
    )
    return pdf
