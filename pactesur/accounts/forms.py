"""Forms of the accounts pages: invitations, roles, accepting an invitation, API tokens, two-factor codes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from pactesur.accounts.models import User
from pactesur.cities.roles import CITY_ROLES

ROLE_CHOICES = [(r.value, r.label) for r in CITY_ROLES]


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES, initial="viewer")


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES)


class AcceptInvitationForm(forms.Form):
    """For an invitee without an account: choose a username and a password."""

    username = forms.CharField(label=_("Username"), max_length=150)
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label=_("Password again"), widget=forms.PasswordInput, strip=False)

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_username(self) -> str:
        username: str = User.normalize_username(self.cleaned_data["username"].strip())
        User._meta.get_field("username").run_validators(username)
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This username is taken; choose another."))
        return username

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        elif p1:
            try:
                validate_password(p1, User(username=data.get("username", ""), email=self.email))
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


class AccountForm(forms.Form):
    """The "my account" page: the language the pages speak to this person after they log in."""

    preferred_language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        help_text=_("The pages switch to it when you log in. You can still change it on any page."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["preferred_language"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("No preference (the browser’s language)")), *settings.LANGUAGES]


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=80, help_text=_("What will use it, e.g. “GIS sync script”.")
    )


def _code_field(**kwargs: Any) -> forms.CharField:
    """A one-time code: six digits from the app, or a recovery code; filled in by the phone when it can."""
    return forms.CharField(
        max_length=20,
        strip=True,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autocapitalize": "off"}
        ),
        **kwargs,
    )


class LoginCodeForm(forms.Form):
    """The second step of the log-in: a code from the authenticator app, or a recovery code."""

    code = _code_field(
        label=_("Code"),
        help_text=_("The 6 digits your authenticator app shows now, or one of your recovery codes."),
    )


class EnableTwoFactorForm(forms.Form):
    code = _code_field(label=_("Code from the app"), help_text=_("The 6 digits the app shows now."))


class ConfirmPasswordForm(forms.Form):
    """The re-authentication page: the password, and a code when the person uses two-factor log-in."""

    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )

    def __init__(self, *args: Any, with_code: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if with_code:
            self.fields["code"] = _code_field(
                label=_("Code"),
                help_text=_("The 6 digits your authenticator app shows now, or one of your recovery codes."),
            )


class DisableTwoFactorForm(forms.Form):
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    code = _code_field(
        label=_("Code"),
        help_text=_("The 6 digits your authenticator app shows now, or one of your recovery codes."),
    )
