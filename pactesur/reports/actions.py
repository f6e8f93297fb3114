"""Exports of the reports app: each PDF is made, watermarked with who asked for it and when, and audited.

Both documents are RESTRICTED, marked and watermarked in the page margins like the assessment PDFs
(`pactesur.assessments.reports`). Who may export them is the caller's to check (the views check the
roles; the command line is the server's operator).

The local protection plan takes half a minute on a city of fifty spaces: from the web it is prepared
by a background worker (`do_request_protection_plan`, then the task `prepare_protection_plan` runs
`do_prepare_protection_plan`), written into the data directory (`reports/<city id>/`) through a
temporary file renamed into place, and recorded in a `ReportFile` row; each download of it is an
audited export (`prepared_plan_file`). A city keeps its `KEPT_PER_CITY` newest plans. A worker lost
while preparing one has its job queued again once, then failed (`do_handle_lost_report`, called by
`pactesur.jobs.sweeps`); files no row names go with the orphan sweep
(`do_sweep_orphan_report_files`). The command line makes the plan at once (`do_export_protection_plan`).
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_noop

from pactesur.assessments.reports import pdf_of as investment_pdf_of
from pactesur.audit.actions import do_record_audit, do_record_export
from pactesur.audit.models import AuditAction
from pactesur.cities.actions import CLI_USERNAME
from pactesur.cities.models import City
from pactesur.cities.records import stored_user
from pactesur.cities.stored_text import StoredText
from pactesur.measures.models import InvestmentPlan
from pactesur.reports.content import city_language, investment_plan_html, protection_plan_html
from pactesur.reports.models import KEPT_PER_CITY, ReportFile, ReportStatus, reports_root
from pactesur.reports.pdf import pdf_of
from pactesur.streets.models import data_dir

logger = logging.getLogger(__name__)

# What the audit trail calls the document.
PROTECTION_PLAN = "local protection plan"
# Temporary files of a plan being written start with this; the orphan sweep removes old ones.
PARTIAL_PREFIX = ".partial-"
# Files without a row are removed by the orphan sweep once this old (a plan being finished has its
# file renamed into place a moment before its row says so).
ORPHAN_MIN_AGE_S = 3600.0

WRITE_ERROR = gettext_noop(
    "The plan could not be written on the server (%(reason)s). Ask the administrator to check the "
    "data directory, then prepare it again."
)
INTERNAL_ERROR = gettext_noop(
    "The plan could not be prepared because of an internal error (%(kind)s); the administrator can "
    "find details in the worker log. Prepare it again later."
)
LOST_ERROR = gettext_noop(
    "The worker preparing this plan stopped before finishing it (killed, out of memory, or its "
    "machine stopped). Prepare it again."
)


class PreparedPlanMissingError(FileNotFoundError):
    """The plan is not ready, or its file is no longer on the server."""


def _exported_by(acting_user: Any) -> str:
    user = stored_user(acting_user)
    return user.get_username() if user is not None else CLI_USERNAME


@dataclass(frozen=True)
class ProtectionPlanPdf:
    content: bytes
    pages: int
    spaces: int


def make_protection_plan_pdf(
    city: City, *, exported_by: str, exported_at: datetime.datetime, language: str | None = None
) -> ProtectionPlanPdf:
    """The city's local protection plan as a PDF in `language` (default: the city's), watermarked with
    `exported_by` and `exported_at`; not audited (the callers are)."""
    made = protection_plan_html(city, exported_by=exported_by, exported_at=exported_at, language=language)
    pdf = pdf_of(made.html, made.images)
    return ProtectionPlanPdf(content=pdf.content, pages=pdf.pages, spaces=made.spaces)


def do_export_protection_plan(
    city: City,
    *,
    acting_user: Any,
    language: str | None = None,
    request: HttpRequest | None = None,
) -> bytes:
    """The city's local protection plan as a PDF, made now, in `language` (default: the city's); audited.

    `acting_user` None is the command line: the watermark and the audit trail say "cli".
    """
    pdf = make_protection_plan_pdf(
        city, exported_by=_exported_by(acting_user), exported_at=timezone.now(), language=language
    )
    do_record_export(
        acting_user=acting_user,
        city=city,
        what=PROTECTION_PLAN,
        fmt="pdf",
        rows=pdf.spaces,
        request=request,
        username="" if acting_user is not None else CLI_USERNAME,
    )
    return pdf.content


def do_export_investment_plan(
    plan: InvestmentPlan, *, acting_user: Any, request: HttpRequest | None = None
) -> bytes:
    """An investment plan as a PDF in the reader's language: its page with the frontier chart; audited."""
    pdf = investment_pdf_of(
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


# --- plans prepared in the background -------------------------------------------------------------


def plans_dir(city: City | int) -> Path:
    return reports_root() / str(city if isinstance(city, int) else city.pk)


def do_request_protection_plan(
    city: City, *, acting_user: Any, language: str | None = None, request: HttpRequest | None = None
) -> tuple[ReportFile, bool]:
    """Queue the preparation of the city's local protection plan for `acting_user`, in `language`
    (default: the city's); return its row and whether it is new.

    A plan this person asked for in this language and not prepared yet is returned instead of a
    second one.
    """
    from pactesur.reports.tasks import prepare_protection_plan

    user = stored_user(acting_user)
    language = language or city_language(city)
    with transaction.atomic():
        waiting = (
            ReportFile.objects.filter(
                city=city,
                requested_by=user,
                language=language,
                status__in=(ReportStatus.QUEUED, ReportStatus.RUNNING),
            )
            .order_by("-created_at", "-pk")
            .first()
        )
        if waiting is not None:
            return waiting, False
        report = ReportFile.objects.create(
            city=city,
            requested_by=user,
            requested_by_name=_exported_by(acting_user),
            language=language,
            status=ReportStatus.QUEUED,
        )
        do_record_audit(
            AuditAction.CREATE,
            acting_user=acting_user,
            city=city,
            obj=report,
            detail={"what": PROTECTION_PLAN, "language": language},
            request=request,
        )

        def enqueue() -> None:
            result = prepare_protection_plan.enqueue(report.pk)
            ReportFile.objects.filter(pk=report.pk, task_id="").update(task_id=str(result.id)[:64])

        transaction.on_commit(enqueue)
    return report, True


def _write_atomically(target: Path, content: bytes) -> None:
    """Write `content` to `target` through a temporary file in the same folder, then rename it."""
    partial = target.with_name(f"{PARTIAL_PREFIX}{target.name}")
    try:
        with partial.open("wb") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(partial, target)
    except BaseException:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise


def _unlink_later(paths: list[Path]) -> None:
    """Remove the files once the transaction that forgets them commits."""

    def unlink() -> None:
        for path in paths:
            with contextlib.suppress(OSError):
                path.unlink()

    transaction.on_commit(unlink)


def _fail(report: ReportFile, error: StoredText) -> None:
    """Record that the plan could not be prepared, with a message for the person who asked."""
    with transaction.atomic():
        ReportFile.objects.filter(pk=report.pk, status=ReportStatus.RUNNING).update(
            status=ReportStatus.FAILED,
            error=error.msgid,
            error_params=error.params,
            finished_at=timezone.now(),
        )
        _prune(report.city_id)


def _prune(city_id: int) -> None:
    """Keep the city's `KEPT_PER_CITY` newest ready plans and as many failed ones: older rows go,
    and their files once the transaction commits."""
    gone: list[ReportFile] = []
    for status in (ReportStatus.DONE, ReportStatus.FAILED):
        rows = ReportFile.objects.filter(city_id=city_id, status=status).order_by("-created_at", "-pk")
        gone += list(rows[KEPT_PER_CITY:])
    if not gone:
        return
    ReportFile.objects.filter(pk__in=[r.pk for r in gone]).delete()
    _unlink_later([r.path for r in gone if r.path is not None])


def do_prepare_protection_plan(report_id: int) -> ReportFile | None:
    """Prepare a queued plan (the background task's body): make the PDF, write it into the data
    directory, record it ready; or record why it failed, leaving no file behind.

    An error writing into the data directory fails the plan with a message; an error making it fails
    it too and is raised for the worker log.
    """
    claimed = ReportFile.objects.filter(pk=report_id, status=ReportStatus.QUEUED).update(
        status=ReportStatus.RUNNING, started_at=timezone.now()
    )
    report = ReportFile.objects.select_related("city").filter(pk=report_id).first()
    if report is None or not claimed:
        # Gone with its city, or already prepared (a task run twice): nothing to do.
        return report
    target = plans_dir(report.city) / f"protection-plan-{uuid.uuid4().hex}.pdf"
    try:
        pdf = make_protection_plan_pdf(
            report.city,
            exported_by=report.requested_by_name,
            exported_at=report.started_at or timezone.now(),
            language=report.language,
        )
    except Exception as exc:
        logger.exception("protection plan %s failed", report.pk)
        _fail(report, StoredText(INTERNAL_ERROR, {"kind": type(exc).__name__}))
        raise
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _write_atomically(target, pdf.content)
    except OSError as exc:
        with contextlib.suppress(OSError):
            target.unlink()
        logger.warning("protection plan %s could not be written: %s", report.pk, exc)
        _fail(report, StoredText(WRITE_ERROR, {"reason": exc.strerror or type(exc).__name__}))
        return ReportFile.objects.filter(pk=report.pk).first()
    with transaction.atomic():
        finished = ReportFile.objects.filter(pk=report.pk, status=ReportStatus.RUNNING).update(
            status=ReportStatus.DONE,
            file=str(target.relative_to(data_dir())),
            size_bytes=len(pdf.content),
            pages=pdf.pages,
            spaces=pdf.spaces,
            finished_at=timezone.now(),
        )
        if finished:
            _prune(report.city_id)
        else:
            # Failed by the sweep meanwhile, or deleted: the file has no row to name it.
            _unlink_later([target])
    return ReportFile.objects.filter(pk=report.pk).first()


def do_handle_lost_report(report_id: int, *, retried: bool) -> None:
    """The worker preparing this plan was lost (`pactesur.jobs.sweeps`): queue it again, or fail it."""
    report = ReportFile.objects.filter(pk=report_id, status=ReportStatus.RUNNING).first()
    if report is None:
        return
    if retried:
        ReportFile.objects.filter(pk=report.pk, status=ReportStatus.RUNNING).update(
            status=ReportStatus.QUEUED, started_at=None
        )
        return
    _fail(report, StoredText(LOST_ERROR))


def prepared_plan_file(report: ReportFile, *, acting_user: Any, request: HttpRequest | None = None) -> Path:
    """The file of a ready plan, to download; the download is audited as an export.

    Raises PreparedPlanMissingError when the plan is not ready or its file is gone.
    """
    path = report.path
    if report.status != ReportStatus.DONE or path is None or not path.is_file():
        raise PreparedPlanMissingError(report.pk)
    do_record_export(
        acting_user=acting_user,
        city=report.city,
        what=PROTECTION_PLAN,
        fmt="pdf",
        rows=report.spaces,
        obj=report,
        request=request,
    )
    return path


def do_sweep_orphan_report_files(*, max_age_s: float = ORPHAN_MIN_AGE_S) -> int:
    """Remove the report files no row names (a worker killed between writing a plan and recording
    it) and the temporary files of plans being written, once older than `max_age_s`; return how many."""
    root = reports_root()
    if not root.is_dir():
        return 0
    named = set(ReportFile.objects.exclude(file="").values_list("file", flat=True))
    cutoff = time.time() - max_age_s
    removed = 0
    for path in root.rglob("*"):
        with contextlib.suppress(OSError):
            if not path.is_file() or path.stat().st_mtime >= cutoff:
                continue
            if path.name.startswith(PARTIAL_PREFIX) or str(path.relative_to(data_dir())) not in named:
                path.unlink()
                removed += 1
    return removed
