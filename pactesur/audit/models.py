"""The audit event: one row per log-in, failed log-in, change, view or export of restricted data."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pactesur.cities.models import City


class AuditAction(models.TextChoices):
    LOGIN = "login", _("log-in")
    LOGIN_FAILED = "login_failed", _("failed log-in")
    LOGOUT = "logout", _("log-out")
    CREATE = "create", _("create")
    UPDATE = "update", _("update")
    DELETE = "delete", _("delete")
    ARCHIVE = "archive", _("archive")
    RESTORE = "restore", _("restore from archive")
    PURGE = "purge", _("permanent removal")
    VIEW = "view", _("view")
    EXPORT = "export", _("export")
    IMPORT = "import", _("import")
    MEMBERSHIP = "membership", _("membership change")
    REAUTH = "reauth", _("password confirmed")
    TWO_FACTOR = "two_factor", _("two-factor change")
    BACKUP = "backup", _("backup")


class AuditEvent(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    city = models.ForeignKey(City, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    username = models.CharField(max_length=150, blank=True, help_text="kept when the user is deleted")
    action = models.CharField(max_length=20, choices=AuditAction.choices, db_index=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["city", "-created_at"])]

    def __str__(self) -> str:
        when = f"{self.created_at:%Y-%m-%d %H:%M}"
        return f"{when} {self.username} {self.action} {self.object_type} {self.object_id}"
