"""Background tasks of assessments, run by django-tasks workers (`pactesur serve` starts one)."""

from __future__ import annotations

from django_tasks import task

from pactesur.assessments.actions import do_send_assessment_reminders


@task()
def send_assessment_reminders() -> int:
    """E-mail overdue-review reminders; safe to enqueue several times a day (one e-mail per city a day)."""
    return do_send_assessment_reminders().emails
