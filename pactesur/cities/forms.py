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
    population = forms.IntegerField(
        label=_("Population"),
        required=False,
        min_value=0,
        max_value=50_000_000,
        help_text=_(
            "Inhabitants. When the city shares field experience anonymised, the network reads its size "
            "band (under 50,000; to 250,000; to a million; more), never its name."
        ),
    )
