"""App configuration of audit."""

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "pactesur.audit"
    verbose_name = "Audit"
