"""The assessments app: vulnerability self-assessment, risk scoring, review cycle, dashboard, reports."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "pactesur.assessments"
    label = "assessments"
    verbose_name = _("Assessments")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from pactesur.assessments import receivers

        receivers.connect()
