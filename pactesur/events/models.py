"""The event: a temporary use of a space, with its dates, expected attendance and temporary measures."""

from __future__ import annotations

from typing import Self

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pactesur.cities.models import CityOwned
from pactesur.cities.records import Authored
from pactesur.spaces.models import Archivable, ArchivableQuerySet, Space


class EventQuerySet(ArchivableQuerySet):
    def active(self) -> Self:
        """Events in use: neither the event nor its space archived (archiving a space keeps its events,
        out of the lists until the space is restored)."""
        return self.filter(archived_at__isnull=True, space__archived_at__isnull=True)


class Event(CityOwned, Authored, Archivable):
    """An event on a space of the same city. Only `pactesur.events.actions` writes it; it is archived,
    not deleted, and removed for good only by `do_purge_event`."""

    view_action = "event.view"
    edit_action = "event.edit"

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="events", verbose_name=_("space"))
    name = models.CharField(_("name"), max_length=200)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    expected_attendance = models.PositiveIntegerField(
        _("expected attendance (people)"), null=True, blank=True
    )
    organiser = models.CharField(_("organiser"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    temporary_measures = models.TextField(
        _("temporary measures"),
        blank=True,
        help_text=_("Temporary barriers, closures, stewarding, checks… planned for this event."),
    )
    public = models.BooleanField(
        _("public"), default=False, help_text=_("The event's information may be shown on the public portal.")
    )

    objects = EventQuerySet.as_manager()  # type: ignore[misc]  # a narrower queryset than the base's

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["city", "starts_at"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = [str(_("The event must end after it starts."))]
        if self.space_id is not None and self.city_id is not None and self.space.city_id != self.city_id:
            errors["space"] = [str(_("The space belongs to another city."))]
        if errors:
            raise ValidationError(errors)

    @property
    def is_past(self) -> bool:
        return self.ends_at < timezone.now()
