"""Pages of accounts: log-in (with its two-factor step), password confirmation, my account and its
two-factor log-in, city members, invitations and accepting them, API tokens."""

from __future__ import annotations

import time
from typing import Any, cast

import django_otp
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from pactesur.accounts import actions, two_factor
from pactesur.accounts.errors import TooManyCodesError
from pactesur.accounts.forms import (
    AcceptInvitationForm,
    AccountForm,
    ApiTokenForm,
    ConfirmPasswordForm,
    DisableTwoFactorForm,
    EnableTwoFactorForm,
    InviteForm,
    LoginCodeForm,
    RoleForm,
)
from pactesur.accounts.models import ApiToken, Invitation, User
from pactesur.accounts.reauth import confirm_recent_auth, mark_recent_auth, reauth_redirect, safe_next
from pactesur.cities.access import city_permission_required, get_city_object_or_404
from pactesur.cities.errors import DomainError
from pactesur.cities.middleware import SESSION_KEY
from pactesur.cities.models import Membership, cities_where, has_city_perm
from pactesur.cities.roles import PRIVILEGED_ROLES, Role
from pactesur.web.i18n import page_in_language, remember_language

_LOGIN_BACKEND = "django.contrib.auth.backends.ModelBackend"
# Session key of a log-in waiting for its two-factor code: user id, backend, next URL, time.
PENDING_LOGIN_KEY = "pactesur_login_pending"
# How long the code step waits after the right password, in seconds (assumption: enough to find
# the phone and open the app, short enough that a password typed on a shared PC does not linger).
PENDING_LOGIN_S = 300.0


def redirect_in_language(url: str, language: str) -> HttpResponseRedirect:
    """Redirect to `url` in `language`, as the language switcher does (`pactesur.web.i18n`).

    The pages take their language from the URL prefix (i18n_patterns, no prefix for English), so
    the redirect goes to the /fr/… form of the URL; the cookie keeps the choice for URLs without one.
    """
    response = HttpResponseRedirect(page_in_language(url, language))
    remember_language(response, language)
    return response


def _known_language(code: str) -> bool:
    return bool(code) and code in dict(settings.LANGUAGES)


def _logged_in(request: HttpRequest, user: User, next_url: str) -> HttpResponse:
    """After a complete log-in: it counts as a fresh confirmation, then on in the preferred language."""
    mark_recent_auth(request)
    language = getattr(user, "preferred_language", "")
    if _known_language(language):
        return redirect_in_language(next_url, language)
    return HttpResponseRedirect(next_url)


class LoginView(auth_views.LoginView):
    """Django's log-in; a person with two-factor log-in then enters a code before the session is theirs."""

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        if two_factor.has_two_factor(user):
            # Not logged in yet: the session only remembers whose password was right, for a few minutes.
            self.request.session[PENDING_LOGIN_KEY] = {
                "user": user.pk,
                "backend": user.backend,
                "next": self.get_success_url(),
                "at": time.time(),
            }
            return redirect("accounts:login_code")
        login(self.request, user)
        return _logged_in(self.request, user, self.get_success_url())


def _pending_login(request: HttpRequest) -> tuple[User, str, str] | None:
    """The user whose password was right, their backend and next URL; None when absent or too old."""
    pending = request.session.get(PENDING_LOGIN_KEY)
    if not isinstance(pending, dict):
        return None
    at = pending.get("at")
    if not isinstance(at, int | float) or not 0.0 <= time.time() - at <= PENDING_LOGIN_S:
        del request.session[PENDING_LOGIN_KEY]
        return None
    user_id, backend = pending.get("user"), pending.get("backend")
    user = User.objects.filter(pk=user_id, is_active=True).first() if isinstance(user_id, int) else None
    if user is None or backend not in settings.AUTHENTICATION_BACKENDS:
        del request.session[PENDING_LOGIN_KEY]
        return None
    return user, str(backend), str(pending.get("next") or reverse(settings.LOGIN_REDIRECT_URL))


@require_http_methods(["GET", "POST"])
def login_code(request: HttpRequest) -> HttpResponse:
    """The log-in's second step: a code from the authenticator app, or a recovery code.

    A wrong code is a failed log-in: audited, and counted by django-axes with the wrong passwords
    (5 lock the account from that address); django-otp also makes each device wait longer after
    each wrong code.
    """
    pending = _pending_login(request)
    if pending is None:
        messages.info(request, _("Enter your username and password again: the log-in took too long."))
        return redirect("accounts:login")
    user, backend, next_url = pending
    credentials = {"username": user.get_username()}
    form = LoginCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if AxesProxyHandler.is_locked(request, credentials):
            locked: HttpResponse = get_lockout_response(request, None, credentials)
            return locked
        try:
            device = actions.do_check_two_factor_code(user, form.cleaned_data["code"], request=request)
        except TooManyCodesError as exc:
            form.add_error("code", str(exc))
        else:
            if device is not None:
                del request.session[PENDING_LOGIN_KEY]
                user.otp_device = device  # type: ignore[attr-defined]  # django-otp keeps it in the session
                login(request, user, backend=backend)
                if isinstance(device, StaticDevice):
                    _warn_recovery_codes_left(request, device)
                return _logged_in(request, user, next_url)
            two_factor.record_failed_code(request, user)
            form.add_error("code", _("This code is wrong or was already used."))
    status = 400 if form.is_bound else 200
    return render(request, "accounts/login_code.html", {"form": form}, status=status)


def _warn_recovery_codes_left(request: HttpRequest, device: StaticDevice) -> None:
    left = device.token_set.count()
    messages.warning(
        request,
        ngettext(
            "You used a recovery code: %(count)d is left. Make new ones on your two-factor page.",
            "You used a recovery code: %(count)d are left. Make new ones on your two-factor page.",
            left,
        )
        % {"count": left},
    )


@require_http_methods(["GET", "POST"])
@login_required
def reauth(request: HttpRequest) -> HttpResponse:
    """Confirm the password (and a code, with two-factor log-in) before a sensitive action, then go on."""
    user = cast(User, request.user)
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next")) or reverse("home")
    with_code = two_factor.has_two_factor(user)
    form = ConfirmPasswordForm(request.POST or None, with_code=with_code)
    if request.method == "POST" and form.is_valid():
        if not two_factor.password_confirms(request, user, form.cleaned_data["password"]):
            form.add_error("password", _("The password is wrong."))
        elif not with_code or _code_accepted(request, user, form):
            confirm_recent_auth(request, two_factor=with_code)
            return redirect(next_url)
    context = {"form": form, "next": next_url, "minutes": round(float(settings.PACTESUR_REAUTH_MINUTES))}
    return render(request, "accounts/reauth.html", context, status=400 if form.is_bound else 200)


def _code_accepted(request: HttpRequest, user: User, form: Any) -> bool:
    """Check the form's code; when refused, say why on the form (a wrong code is a failed log-in)."""
    try:
        device = actions.do_check_two_factor_code(user, form.cleaned_data["code"], request=request)
    except TooManyCodesError as exc:
        form.add_error("code", str(exc))
        return False
    if device is None:
        two_factor.record_failed_code(request, user)
        form.add_error("code", _("This code is wrong or was already used."))
        return False
    if isinstance(device, StaticDevice):
        _warn_recovery_codes_left(request, device)
    return True


@login_required
def account(request: HttpRequest) -> HttpResponse:
    """My account: the preferred language, and links to the password and API token pages."""
    user = cast(User, request.user)
    form = AccountForm(request.POST or None, initial={"preferred_language": user.preferred_language})
    if request.method == "POST" and form.is_valid():
        language = form.cleaned_data["preferred_language"]
        try:
            actions.do_set_preferred_language(user, language, acting_user=user, request=request)
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            with translation.override(language or translation.get_language()):
                messages.success(request, _("Your account is saved."))
            if _known_language(language):
                return redirect_in_language(request.path, language)
            return redirect("accounts:account")
    status = 400 if form.is_bound else 200
    context = {"form": form, "two_factor_on": two_factor.has_two_factor(user)}
    return render(request, "accounts/account.html", context, status=status)


def _two_factor_page(
    request: HttpRequest, disable_form: DisableTwoFactorForm | None = None, status: int = 200
) -> HttpResponse:
    user = cast(User, request.user)
    context = {
        "enabled": two_factor.has_two_factor(user),
        "codes_left": two_factor.recovery_codes_left(user),
        "required_by": two_factor.cities_requiring_two_factor(user),
        "disable_form": disable_form or DisableTwoFactorForm(),
    }
    return render(request, "accounts/two_factor.html", context, status=status)


@require_GET
@login_required
def two_factor_status(request: HttpRequest) -> HttpResponse:
    """Two-factor log-in of my account: on or off, recovery codes left, turn it on or off."""
    return _two_factor_page(request)


@require_http_methods(["GET", "POST"])
@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Turn two-factor log-in on: scan the QR code (or type the secret), enter a code, get recovery codes.

    Needs a recent password confirmation (a log-in counts): a session left open must not let
    someone else bind their phone to the account.
    """
    user = cast(User, request.user)
    if two_factor.has_two_factor(user):
        return redirect("accounts:two_factor")
    confirm = reauth_redirect(request, fallback="accounts:two_factor_setup")
    if confirm is not None:
        return confirm
    device = actions.do_start_two_factor(user, acting_user=user)
    form = EnableTwoFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = actions.do_enable_two_factor(
                device, form.cleaned_data["code"], acting_user=user, request=request
            )
        except DomainError as exc:
            form.add_error("code", str(exc))
        else:
            # The code just entered verifies this session: pages requiring two-factor log-in open.
            django_otp.login(request, device)
            messages.success(request, _("Two-factor log-in is on."))
            return _recovery_codes_page(request, codes)
    context = {
        "form": form,
        "qr_svg": two_factor.qr_svg(device, title=_("QR code to scan with your authenticator app")),
        "secret": two_factor.secret_text(device),
        "required_by": two_factor.cities_requiring_two_factor(user),
    }
    return render(request, "accounts/two_factor_setup.html", context, status=400 if form.is_bound else 200)


def _recovery_codes_page(request: HttpRequest, codes: list[str]) -> HttpResponse:
    """The new recovery codes, shown on this one answer and never again."""
    grouped = [f"{code[:4]}-{code[4:]}" for code in codes]
    response = render(request, "accounts/recovery_codes.html", {"codes": grouped})
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@login_required
def two_factor_recovery(request: HttpRequest) -> HttpResponse:
    """Replace the recovery codes (after a recent password confirmation); the old ones stop working."""
    confirm = reauth_redirect(request, fallback="accounts:two_factor")
    if confirm is not None:
        return confirm
    user = cast(User, request.user)
    try:
        codes = actions.do_regenerate_recovery_codes(user, acting_user=user, request=request)
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("accounts:two_factor")
    return _recovery_codes_page(request, codes)


@require_POST
@login_required
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    """Turn two-factor log-in off with the password and a code; refused where a city requires it."""
    user = cast(User, request.user)
    form = DisableTwoFactorForm(request.POST)
    if form.is_valid():
        try:
            actions.do_disable_two_factor(
                user,
                password=form.cleaned_data["password"],
                code=form.cleaned_data["code"],
                acting_user=user,
                request=request,
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            request.session.pop(django_otp.DEVICE_ID_SESSION_KEY, None)
            messages.success(request, _("Two-factor log-in is off."))
            return redirect("accounts:two_factor")
    return _two_factor_page(request, form, status=400)


def _membership_or_404(request: HttpRequest, pk: int) -> Membership:
    """A membership of one of the user's cities (else 404) that they may manage (else 403)."""
    membership = get_object_or_404(
        Membership.objects.select_related("user", "city").filter(
            city_id__in=cities_where(request.user, "city.view")
        ),
        pk=pk,
    )
    if not has_city_perm(request.user, membership.city_id, "members.manage"):
        raise PermissionDenied
    return membership


def _members_page(request: HttpRequest, invite_form: InviteForm, status: int = 200) -> HttpResponse:
    city = request.city  # type: ignore[attr-defined]
    members = list(Membership.objects.filter(city=city).select_related("user").order_by("user__username"))
    with_two_factor = set(
        TOTPDevice.objects.filter(user__in=[m.user_id for m in members], confirmed=True).values_list(
            "user_id", flat=True
        )
    )
    rows = [
        (m, RoleForm(initial={"role": m.role}, prefix=f"m{m.pk}"), m.user_id in with_two_factor)
        for m in members
    ]
    pending = Invitation.objects.pending().filter(city=city).select_related("invited_by")
    context = {"rows": rows, "pending": pending, "invite_form": invite_form, "city": city}
    return render(request, "accounts/members.html", context, status=status)


@city_permission_required("members.manage")
def members(request: HttpRequest) -> HttpResponse:
    return _members_page(request, InviteForm())


@require_POST
@city_permission_required("members.manage")
def member_invite(request: HttpRequest) -> HttpResponse:
    form = InviteForm(request.POST)
    if not form.is_valid():
        return _members_page(request, form, status=400)
    if form.cleaned_data["role"] in PRIVILEGED_ROLES:
        confirm = reauth_redirect(request, fallback="accounts:members")
        if confirm is not None:
            return confirm

    def accept_url(raw: str) -> str:
        return request.build_absolute_uri(reverse("accounts:invitation_accept", args=[raw]))

    try:
        invitation = actions.do_invite_member(
            request.city,  # type: ignore[attr-defined]
            form.cleaned_data["email"],
            form.cleaned_data["role"],
            acting_user=request.user,
            accept_url=accept_url,
            request=request,
        )
    except DomainError as exc:
        form.add_error(None, str(exc))
        return _members_page(request, form, status=400)
    messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
    return redirect("accounts:members")


@require_POST
@login_required
def member_role(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership_or_404(request, pk)
    confirm = reauth_redirect(request, fallback="accounts:members")
    if confirm is not None:
        return confirm
    form = RoleForm(request.POST, prefix=f"m{pk}")
    if not form.is_valid():
        messages.error(request, _("Choose one of the listed roles."))
        return redirect("accounts:members")
    try:
        actions.do_change_role(
            membership, form.cleaned_data["role"], acting_user=request.user, request=request
        )
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("%(user)s is now %(role)s.")
            % {"user": membership.user.get_username(), "role": membership.get_role_display()},
        )
    return redirect("accounts:members")


@require_POST
@login_required
def member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership_or_404(request, pk)
    confirm = reauth_redirect(request, fallback="accounts:members")
    if confirm is not None:
        return confirm
    try:
        actions.do_remove_member(membership, acting_user=request.user, request=request)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("%(user)s was removed from %(city)s.")
            % {"user": membership.user.get_username(), "city": membership.city},
        )
    return redirect("accounts:members")


@require_POST
@login_required
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_city_object_or_404(Invitation.objects, request.user, "members.manage", pk=pk)
    try:
        actions.do_revoke_invitation(invitation, acting_user=request.user, request=request)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The invitation to %(email)s was revoked.") % {"email": invitation.email})
    return redirect("accounts:members")


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The link of an invitation e-mail: accept as the logged-in user, or create an account."""
    invitation = actions.find_pending_invitation(token)
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    context: dict[str, Any] = {"invitation": invitation}
    if request.user.is_authenticated:
        context["mismatch"] = request.user.email.lower() != invitation.email.lower()
        if request.method == "POST" and not context["mismatch"]:
            return _accept(request, invitation)
        return render(request, "accounts/invitation_accept.html", context)
    if User.objects.filter(email__iexact=invitation.email).exists():
        context["login_first"] = True
        return render(request, "accounts/invitation_accept.html", context)
    form = AcceptInvitationForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        return _accept(
            request,
            invitation,
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password1"],
        )
    context["form"] = form
    return render(request, "accounts/invitation_accept.html", context, status=400 if form.is_bound else 200)


def _accept(request: HttpRequest, invitation: Invitation, **account: str) -> HttpResponse:
    try:
        membership = actions.do_accept_invitation(
            invitation, acting_user=request.user, request=request, **account
        )
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect(request.path)
    if not request.user.is_authenticated:
        login(request, membership.user, backend=_LOGIN_BACKEND)
    request.session[SESSION_KEY] = membership.city_id
    messages.success(
        request,
        _("Welcome to %(city)s, as %(role)s.")
        % {"city": membership.city, "role": Role(membership.role).label},
    )
    return redirect("home")


@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    """The user's API tokens; a new token's raw value is shown once, on the page answering the POST."""
    form = ApiTokenForm(request.POST or None)
    raw_token = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                _token, raw_token = actions.do_create_api_token(
                    form.cleaned_data["name"], acting_user=request.user, request=request
                )
            except DomainError as exc:
                form.add_error(None, str(exc))
                status = 400
            else:
                form = ApiTokenForm()
        else:
            status = 400
    tokens = ApiToken.objects.filter(user=cast(User, request.user)).order_by("revoked", "-created_at")
    context = {"form": form, "tokens": tokens, "raw_token": raw_token}
    response = render(request, "accounts/api_tokens.html", context, status=status)
    if raw_token:
        response["Cache-Control"] = "no-store"
    return response


@require_POST
@login_required
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken.objects.filter(user=cast(User, request.user)), pk=pk)
    actions.do_revoke_api_token(token, acting_user=request.user, request=request)
    messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("accounts:api_tokens")
