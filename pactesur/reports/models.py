"""The local protection plans prepared in the background: one row per PDF asked for, and its file."""

from __future__ import annotations

import datetime
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pactesur.cities.models import CityOwned
from pactesur.cities.stored_text import shown_text
from pactesur.streets.models import data_dir

# Plans asked for and prepared of each city that are kept: older ones go, file and row, when a new
# one is finished (`pactesur.reports.actions`).
KEPT_PER_CITY = 5
# A plan still queued after this long probably has no worker to prepare it: the page says so.
NO_WORKER_HINT_AFTER = datetime.timedelta(minutes=1)


def reports_root() -> Path:
    """Where prepared reports live: `reports/<city id>/` under the data directory."""
    return data_dir() / "reports"


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("being prepared")
    DONE = "done", _("ready")
    FAILED = "failed", _("failed")


class ReportFile(CityOwned):
    """A local protection plan asked for by a person, prepared by a worker into the data directory.

    The PDF is watermarked with `requested_by_name` and the time it was prepared (`started_at`); each
    download is audited as an export. Only the newest `KEPT_PER_CITY` ready plans of a city, and as
    many failed ones, are kept.
    """

    # The plan gathers restricted analyses and the plans: both actions are needed (`may_prepare`).
    view_action = "analysis.view"
    edit_action = "plan.view"

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Kept when the account is deleted: the watermark of the file names it.
    requested_by_name = models.CharField(_("asked by"), max_length=150)
    language = models.CharField(_("language"), max_length=8)
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    # Stored untranslated: a message id and its parameters, translated when shown (`shown_error`).
    error = models.TextField(_("error"), blank=True)
    error_params = models.JSONField(default=dict, blank=True)
    file = models.CharField(max_length=255, blank=True, help_text="relative to the data directory")
    size_bytes = models.BigIntegerField(_("size (bytes)"), default=0)
    pages = models.PositiveIntegerField(_("pages"), default=0)
    spaces = models.PositiveIntegerField(_("spaces"), default=0)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("asked at"), default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("local protection plan")
        verbose_name_plural = _("local protection plans")
        indexes = [models.Index(fields=["city", "status", "-created_at"], name="reports_city_status_idx")]

    def __str__(self) -> str:
        return f"{self.city} protection plan {self.pk} ({self.status})"

    @property
    def pending(self) -> bool:
        return self.status in (ReportStatus.QUEUED, ReportStatus.RUNNING)

    @property
    def waits_for_a_worker(self) -> bool:
        """Still queued after `NO_WORKER_HINT_AFTER`: is a worker running at all?"""
        return self.status == ReportStatus.QUEUED and timezone.now() - self.created_at > NO_WORKER_HINT_AFTER

    @property
    def path(self) -> Path | None:
        return data_dir() / self.file if self.file else None

    @property
    def shown_error(self) -> str:
        """Why the plan could not be prepared, in the active language."""
        return shown_text(self.error, self.error_params)
