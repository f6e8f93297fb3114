"""Forms of the cities pages: the city's settings."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class CitySettingsForm(forms.Form):
    two_factor_required = forms.BooleanField(
        label=_("Require two-factor log-in for administrators and security managers"),
        required=False,
        help_text=_(
            "They then enter a code from an authenticator app after their password at every log-in; "
            "those without one are asked to set it up before they can open anything else."
        ),
    )
