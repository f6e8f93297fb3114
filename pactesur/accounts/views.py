"""Pages of accounts: log-in, my account, city members, invitations and accepting them, API tokens."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, translate_url
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pactesur.accounts import actions
from pactesur.accounts.forms import AcceptInvitationForm, AccountForm, ApiTokenForm, InviteForm, RoleForm
from pactesur.accounts.models import ApiToken, Invitation, User
from pactesur.cities.access import city_permission_required, get_city_object_or_404
from pactesur.cities.errors import DomainError
from pactesur.cities.middleware import SESSION_KEY
from pactesur.cities.models import Membership, cities_where, has_city_perm
from pactesur.cities.roles import Role

_LOGIN_BACKEND = "django.contrib.auth.backends.ModelBackend"


def redirect_in_language(url: str, language: str) -> HttpResponseRedirect:
    """Redirect to `url` in `language`, as Django's `set_language` view does.

    The pages take their language from the URL prefix (i18n_patterns, no prefix for English), so
    the redirect goes to the /fr/… form of the URL; the cookie keeps the choice for URLs without one.
    """
    response = HttpResponseRedirect(translate_url(url, language))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


def _known_language(code: str) -> bool:
    return bool(code) and code in dict(settings.LANGUAGES)


class LoginView(auth_views.LoginView):
    """Django's log-in, then into the person's preferred language if they chose one."""

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        language = getattr(form.get_user(), "preferred_language", "")
        if _known_language(language):
            return redirect_in_language(self.get_success_url(), language)
        return response


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
    return render(request, "accounts/account.html", {"form": form}, status=status)


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
    members = Membership.objects.filter(city=city).select_related("user").order_by("user__username")
    rows = [(m, RoleForm(initial={"role": m.role}, prefix=f"m{m.pk}")) for m in members]
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
