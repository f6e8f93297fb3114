"""A city's street networks (one row per imported OSM extract) and the jobs that import them."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from pactesur.cities.models import CityOwned
from pactesur.cities.stored_text import shown_text

# A running import that has written no progress for this long is taken as dead (its worker was
# killed or the machine stopped); the import keeps the previous network active in that case.
STALE_AFTER = datetime.timedelta(minutes=10)
# A job still queued after this long probably has no worker to run it: the page says so.
NO_WORKER_HINT_AFTER = datetime.timedelta(minutes=1)

STOPPED_ERROR = gettext_noop(
    "The import stopped without finishing (its worker was stopped or crashed). "
    "The previous street network is still in use; upload the file again."
)
NO_WORKER_HINT = gettext_noop(
    "Still waiting for a worker: is `pactesur serve` (or `pactesur manage db_worker`) running on the server?"
)


def data_dir() -> Path:
    return Path(settings.PACTESUR_DATA_DIR)


class StreetNetwork(CityOwned):
    """One imported OSM extract of a city: its source, bounds, counts, and the engine's files."""

    view_action = "network.view"
    edit_action = "network.import"

    version = models.PositiveIntegerField(_("version"))
    source_name = models.CharField(_("source file"), max_length=255)
    file_sha256 = models.CharField(_("file SHA-256"), max_length=64, db_index=True)
    file_size_bytes = models.BigIntegerField(_("file size (bytes)"), default=0)
    data_date = models.DateTimeField(_("data date"), null=True, blank=True)
    min_lon = models.FloatField()
    min_lat = models.FloatField()
    max_lon = models.FloatField()
    max_lat = models.FloatField()
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    meta = models.JSONField(default=dict, blank=True)
    # Paths relative to the data directory, so a moved data directory keeps working.
    graph_file = models.CharField(max_length=255)
    basemap_file = models.CharField(max_length=255)
    is_active = models.BooleanField(_("active"), default=False)
    imported_at = models.DateTimeField(_("imported at"), default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["city", "-version"]
        verbose_name = _("street network")
        verbose_name_plural = _("street networks")
        constraints = [
            models.UniqueConstraint(fields=["city", "version"], name="streets_one_version_number_per_city"),
            models.UniqueConstraint(
                fields=["city"],
                condition=models.Q(is_active=True),
                name="streets_one_active_network_per_city",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.city} v{self.version} ({self.source_name})"

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(min lon, min lat, max lon, max lat) in WGS 84 degrees."""
        return (self.min_lon, self.min_lat, self.max_lon, self.max_lat)

    @property
    def graph_path(self) -> Path:
        return data_dir() / self.graph_file

    @property
    def basemap_path(self) -> Path:
        return data_dir() / self.basemap_file


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    SUCCEEDED = "succeeded", _("succeeded")
    FAILED = "failed", _("failed")
    # Imported, but the extract does not fit the city (`streets.fit`): waiting for a person to
    # activate or cancel it (`do_activate_held_import`, `do_cancel_held_import`).
    HELD = "held", _("waiting for confirmation")
    CANCELLED = "cancelled", _("cancelled")


@dataclass(frozen=True)
class ImportPhase:
    """A phase of an import as its job page lists it, and its share [start, end) of the progress bar."""

    key: str
    label: Any  # lazily translated
    start: float
    end: float


# The phases in the order an import goes through them. Shares of the bar (assumption, from imports
# of Helsinki and the shared extracts: reading takes about half the time, building the network,
# its spaces and base map most of the rest).
IMPORT_PHASES = (
    ImportPhase("read", _("Reading the file"), 0.0, 0.45),
    ImportPhase("network", _("Building the street network"), 0.45, 0.65),
    ImportPhase("spaces", _("Suggesting public spaces"), 0.65, 0.75),
    ImportPhase("basemap", _("Drawing the base map"), 0.75, 0.85),
    ImportPhase("save", _("Saving the network and the base map"), 0.85, 0.93),
    ImportPhase("check", _("Checking the extract against the city's spaces"), 0.93, 0.95),
    ImportPhase("activate", _("Updating the spaces and switching to the new network"), 0.95, 1.0),
)
PHASES_BY_KEY = {phase.key: phase for phase in IMPORT_PHASES}


class PhaseState(models.TextChoices):
    """Where a phase stands in a job, for the job page's list of phases."""

    PENDING = "pending", _("to do")
    CURRENT = "current", _("under way")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class ImportJob(CityOwned):
    """An OSM file uploaded for import, and how far its background import has got."""

    view_action = "network.view"
    edit_action = "network.import"

    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    progress = models.FloatField(_("progress"), default=0.0, help_text="0 … 1")
    # Stored untranslated: a message id and its parameters, translated when shown (`shown_message`).
    message = models.CharField(_("message"), max_length=255, blank=True)
    message_params = models.JSONField(default=dict, blank=True)
    # The phase (`IMPORT_PHASES` key) the import last reported; empty until it starts.
    phase = models.CharField(_("phase"), max_length=20, blank=True)
    error = models.TextField(_("error"), blank=True, help_text="why the import failed, for the user")
    error_params = models.JSONField(default=dict, blank=True)
    upload_file = models.CharField(max_length=255, blank=True, help_text="relative to the data directory")
    original_name = models.CharField(_("file name"), max_length=255)
    file_size_bytes = models.BigIntegerField(_("file size (bytes)"), default=0)
    task_id = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    network = models.ForeignKey(
        StreetNetwork, on_delete=models.SET_NULL, null=True, blank=True, related_name="import_jobs"
    )
    # How the extract fits the city (`streets.fit.FitReport.as_json`) when a person had to confirm it:
    # the spaces it leaves out and whether it overlaps the previous network. Empty otherwise.
    fit = models.JSONField(_("fit with the city"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")

    def __str__(self) -> str:
        return f"{self.city} import {self.pk} ({self.original_name}, {self.status})"

    @property
    def is_stale(self) -> bool:
        """Running, but silent for longer than STALE_AFTER: its worker died."""
        return self.status == ImportStatus.RUNNING and timezone.now() - self.updated_at > STALE_AFTER

    @property
    def shown_status(self) -> str:
        """The status a person sees: a stale job is a failed one."""
        return ImportStatus.FAILED if self.is_stale else self.status

    @property
    def shown_error(self) -> str:
        """Why the import failed, in the active language."""
        if self.is_stale:
            return shown_text(STOPPED_ERROR)
        return shown_text(self.error, self.error_params)

    @property
    def shown_message(self) -> str:
        """How far the import has got, in the active language."""
        if self.status == ImportStatus.QUEUED and timezone.now() - self.created_at > NO_WORKER_HINT_AFTER:
            return shown_text(NO_WORKER_HINT)
        return shown_text(self.message, self.message_params)

    @property
    def is_finished(self) -> bool:
        return self.shown_status in (ImportStatus.SUCCEEDED, ImportStatus.FAILED, ImportStatus.CANCELLED)

    def phase_states(self) -> list[tuple[ImportPhase, PhaseState]]:
        """Every phase with its `PhaseState`: done before the one the import reported, that one under
        way (or failed), the rest to do; all done once it succeeded, all but activation when held."""
        status = self.shown_status
        if status == ImportStatus.SUCCEEDED:
            return [(phase, PhaseState.DONE) for phase in IMPORT_PHASES]
        if status in (ImportStatus.HELD, ImportStatus.CANCELLED):
            last = "activate"
            current_state = PhaseState.PENDING
        else:
            last = self.phase if self.phase in PHASES_BY_KEY else ""
            current_state = PhaseState.FAILED if status == ImportStatus.FAILED else PhaseState.CURRENT
        states = []
        reached = False
        for phase in IMPORT_PHASES:
            if phase.key == last:
                states.append((phase, current_state))
                reached = True
            elif reached or not last:
                states.append((phase, PhaseState.PENDING))
            else:
                states.append((phase, PhaseState.DONE))
        return states

    @property
    def is_held(self) -> bool:
        """Imported, waiting for a person to activate or cancel it."""
        return self.status == ImportStatus.HELD
