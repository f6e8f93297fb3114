"""Background tasks of the reports app, run by django-tasks workers (`pactesur serve` starts one)."""

from __future__ import annotations

from django_tasks import task

from pactesur.reports.actions import do_prepare_protection_plan


@task()
def prepare_protection_plan(report_id: int) -> str:
    """Prepare the local protection plan of one queued `ReportFile`; the row carries the outcome."""
    report = do_prepare_protection_plan(report_id)
    if report is None:
        return "plan deleted"
    return f"{report.status}: {report.pages} pages, {report.size_bytes} bytes"
