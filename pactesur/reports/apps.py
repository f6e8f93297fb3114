"""The reports app: PDFs gathered from the other apps' records, and the local protection plans prepared
in the background (`ReportFile`)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "pactesur.reports"
    label = "reports"
    verbose_name = _("Reports")
    default_auto_field = "django.db.models.BigAutoField"
