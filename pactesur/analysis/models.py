"""Approach analyses of spaces and city-wide speed maps, versioned by network and parameters.

Only `pactesur.analysis.actions` writes these rows. A result is never overwritten by a newer
network, outline or parameter set: it is marked stale and a new row is made, so the history of
what was known when stays readable.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pactesur.cities.models import CityOwned
from pactesur.cities.stored_text import shown_text
from pactesur.spaces.models import Space
from pactesur.streets.models import StreetNetwork

# A running analysis that has not finished after this long is taken as dead (its worker stopped).
RUNNING_TIMEOUT = datetime.timedelta(minutes=15)


class AnalysisStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    SUCCEEDED = "succeeded", _("succeeded")
    FAILED = "failed", _("failed")
    # Not analysed: no street of the network reaches the space (it lies outside the extract, or its
    # outline was drawn in the wrong place). An outcome of the inputs, not a failure to retry; it
    # says nothing of the space's exposure.
    OUTSIDE = "outside", _("not analysed: outside the street network")
    STALE = "stale", _("out of date")


# What the same inputs would give again: not computed again unless someone asks.
DONE_STATUSES = (AnalysisStatus.SUCCEEDED, AnalysisStatus.OUTSIDE)


class ApproachAnalysis(CityOwned):
    """For one space and one vehicle class: every entry with its impact speed, path and rating."""

    view_action = "analysis.view"
    edit_action = "analysis.run"

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="approach_analyses")
    vehicle = models.CharField(_("vehicle class"), max_length=8)
    network = models.ForeignKey(StreetNetwork, on_delete=models.CASCADE, related_name="approach_analyses")
    network_version = models.PositiveIntegerField(_("network version"))
    params_hash = models.CharField(_("parameters"), max_length=16)
    polygon_hash = models.CharField(_("outline"), max_length=16)
    status = models.CharField(
        _("status"), max_length=10, choices=AnalysisStatus.choices, default=AnalysisStatus.QUEUED
    )
    # Why the analysis failed or the space lies outside the network, untranslated: a message id and
    # its parameters (see `shown_error`).
    error = models.TextField(_("error"), blank=True)
    error_params = models.JSONField(default=dict, blank=True)
    # {"vehicle": {...the engine's vehicle JSON}, "entries": [...], "barriers": [...], "warnings": [...]}:
    # the `pactesur vda` entries and barriers of this class, the warnings about it or the whole space.
    result = models.JSONField(default=dict, blank=True)
    # The summary, as columns so that spaces can be ranked by the database.
    max_impact_speed_kmh = models.FloatField(_("highest impact speed (km/h)"), null=True, blank=True)
    max_kinetic_energy_kj = models.FloatField(_("highest kinetic energy (kJ)"), null=True, blank=True)
    entry_count = models.PositiveIntegerField(_("entries"), default=0)
    unprotected_entry_count = models.PositiveIntegerField(_("entries above 16 km/h"), default=0)
    max_exposure_m = models.FloatField(_("longest drive inside (m)"), null=True, blank=True)
    required_rating = models.CharField(_("highest required rating"), max_length=40, blank=True)
    required_test_speed_kmh = models.PositiveIntegerField(null=True, blank=True)
    beyond_rating = models.BooleanField(_("beyond any rating"), default=False)
    timings = models.JSONField(default=dict, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)

    class Meta:
        ordering = ["space", "vehicle", "-created_at", "-id"]
        verbose_name = _("approach analysis")
        verbose_name_plural = _("approach analyses")
        constraints = [
            models.UniqueConstraint(
                fields=["space", "vehicle", "network", "params_hash", "polygon_hash"],
                name="analysis_one_per_space_vehicle_inputs",
            ),
        ]
        # Results of 100 kB and more sit before the summary columns in a row: SQLite reads through
        # them to reach a later column, so the pages' counts and stamps read these indexes alone.
        indexes = [
            models.Index(fields=["city", "status"]),
            models.Index(fields=["space", "vehicle", "status"]),
            models.Index(fields=["network", "params_hash", "status", "updated_at"], name="analysis_progress"),
            # The progress leaves out the rows of archived spaces: with the space in the index, SQLite
            # counts without reading a row (its foreign keys come after the results).
            models.Index(
                fields=["network", "params_hash", "status", "space"], name="analysis_progress_space"
            ),
            models.Index(fields=["city", "updated_at"], name="analysis_city_changed"),
            models.Index(fields=["space", "updated_at"], name="analysis_space_changed"),
        ]

    def __str__(self) -> str:
        return f"{self.space} · {self.vehicle} · v{self.network_version}"

    @property
    def is_dead(self) -> bool:
        """Running for longer than RUNNING_TIMEOUT: its worker stopped."""
        return self.status == AnalysisStatus.RUNNING and timezone.now() - self.updated_at > RUNNING_TIMEOUT

    @property
    def shown_status(self) -> str:
        return AnalysisStatus.FAILED if self.is_dead else self.status

    @property
    def is_pending(self) -> bool:
        return self.shown_status in (AnalysisStatus.QUEUED, AnalysisStatus.RUNNING)

    @property
    def is_outside(self) -> bool:
        """Not analysed: no street of the network reaches the space."""
        return self.status == AnalysisStatus.OUTSIDE

    @property
    def shown_error(self) -> str:
        """Why the analysis failed, or why the space lies outside the network, in the active language."""
        return shown_text(self.error, self.error_params)

    def _result_list(self, key: str) -> list[dict[str, Any]]:
        found = self.result.get(key) if isinstance(self.result, dict) else None
        return [item for item in found or [] if isinstance(item, dict)]

    @property
    def entries(self) -> list[dict[str, Any]]:
        return self._result_list("entries")

    @property
    def barriers(self) -> list[dict[str, Any]]:
        """Existing barriers that stop an approach of this class (none in results before version 2)."""
        return self._result_list("barriers")

    @property
    def warnings(self) -> list[dict[str, Any]]:
        """Warnings about this class or the whole space: code, English message, params, vehicle."""
        return self._result_list("warnings")


class CitySpeedMap(CityOwned):
    """The attainable speed of one vehicle class on every segment of one network (a file)."""

    view_action = "analysis.view"
    edit_action = "analysis.run"

    network = models.ForeignKey(StreetNetwork, on_delete=models.CASCADE, related_name="speed_maps")
    vehicle = models.CharField(_("vehicle class"), max_length=8)
    params_hash = models.CharField(_("parameters"), max_length=16)
    # Relative to the data directory: one .npz with the per-segment speed in km/h.
    speeds_file = models.CharField(max_length=255)
    segment_count = models.PositiveIntegerField(default=0)
    usable_segment_count = models.PositiveIntegerField(default=0)
    max_speed_kmh = models.FloatField(null=True, blank=True)
    # Kilometres of street in each speed band (up to 16, 32 … 112 km/h, then above).
    km_by_band = models.JSONField(default=list, blank=True)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)
    compute_s = models.FloatField(default=0.0)

    class Meta:
        ordering = ["city", "network", "vehicle"]
        verbose_name = _("city speed map")
        verbose_name_plural = _("city speed maps")
        constraints = [
            models.UniqueConstraint(
                fields=["network", "vehicle", "params_hash"], name="analysis_one_speed_map_per_inputs"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.city} v{self.network.version} · {self.vehicle}"

    @property
    def speeds_path(self) -> Path:
        return Path(settings.PACTESUR_DATA_DIR) / self.speeds_file
