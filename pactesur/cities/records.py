"""What the city's records that people make share: who created and last changed them, and which fields."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Authored(models.Model):
    """When a record was created and last changed, and by whom (None: the command line or an import)."""

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        abstract = True


def stored_user(acting_user: Any) -> Any:
    """The acting user as `created_by` / `updated_by` store it: None when nobody is logged in."""
    return (
        acting_user if acting_user is not None and getattr(acting_user, "is_authenticated", False) else None
    )


def check_editable(changes: Iterable[str], editable: Iterable[str], *, action: str) -> None:
    """Refuse fields a person may not change; a caller's mistake, hence TypeError."""
    unknown = set(changes) - set(editable)
    if unknown:
        raise TypeError(f"{action}: not editable: {', '.join(sorted(unknown))}")
