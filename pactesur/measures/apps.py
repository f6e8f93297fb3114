"""The measures app: the catalogue of protective measures (shared by the network, and each city's own)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeasuresConfig(AppConfig):
    name = "pactesur.measures"
    label = "measures"
    verbose_name = _("Protective measures")
    default_auto_field = "django.db.models.BigAutoField"
