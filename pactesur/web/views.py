"""Error pages and the favicon: Django's error handlers, wired to the app's layout.

403 and 404 are pages of the layout (menu, city, language) with the reason in words and a way back.
The 500 page is rendered without the request: no context processor runs and nothing reads the
database, which may be the very thing that failed. Under /api/ every error stays JSON, as the API
document says (the same body `pactesur.web.middleware.ApiJsonErrorsMiddleware` gives).
"""

from __future__ import annotations

from http import HTTPStatus

from django.core.exceptions import DisallowedHost
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseForbidden,
    HttpResponseNotFound,
    HttpResponsePermanentRedirect,
    HttpResponseServerError,
    JsonResponse,
)
from django.template import loader
from django.templatetags.static import static
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_safe

from pactesur.cities.models import City, is_network_expert, roles_of
from pactesur.cities.roles import Role
from pactesur.web.middleware import API_PATH_PREFIX


def _api_error(request: HttpRequest, status: int) -> JsonResponse | None:
    """The JSON error of an /api/ request, or None for a page."""
    if not request.path_info.startswith(API_PATH_PREFIX):
        return None
    return JsonResponse({"detail": HTTPStatus(status).phrase}, status=status)


def _back_url(request: HttpRequest) -> str | None:
    """The page the person came from, if it is one of ours and not the page that failed."""
    referer = str(request.META.get("HTTP_REFERER", ""))
    try:
        host = request.get_host()
    except DisallowedHost:
        return None
    if not referer or not url_has_allowed_host_and_scheme(
        referer, allowed_hosts={host}, require_https=request.is_secure()
    ):
        return None
    if referer == request.build_absolute_uri():
        return None
    return referer


def _role_names(request: HttpRequest, city: City | None) -> str:
    names = sorted(str(Role(role).label) for role in roles_of(request.user, city) if role in Role.values)
    return ", ".join(names)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """403: what refused the page (the view's own words when it gave some) and who the person is here."""
    api = _api_error(request, 403)
    if api is not None:
        return api
    # Set by the middleware, unless a middleware before them refused the request.
    city: City | None = getattr(request, "city", None)
    user = getattr(request, "user", None)
    context = {
        # The views' PermissionDenied messages are written for the person ("Your role in this city
        # does not allow this."); a bare one gets the general reason.
        "reason": str(exception or "") or _("This page belongs to another role."),
        "expert": city is None and is_network_expert(user),
        "role_names": _role_names(request, city) if city is not None else "",
        "back_url": _back_url(request),
    }
    html = loader.render_to_string("403.html", context, request=request)
    return HttpResponseForbidden(html)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404: one reason for every case, so that it never tells whether another city's record exists.

    The exception's own text is not shown: Django's says which model was looked up.
    """
    api = _api_error(request, 404)
    if api is not None:
        return api
    context = {"request_path": request.path, "back_url": _back_url(request)}
    html = loader.render_to_string("404.html", context, request=request)
    return HttpResponseNotFound(html)


def server_error(request: HttpRequest) -> HttpResponse:
    """500: the layout's look from static files only, with no request context and no database."""
    api = _api_error(request, 500)
    if api is not None:
        return api
    html = loader.get_template("500.html").render({"back_url": _back_url(request)})
    return HttpResponseServerError(html)


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, which browsers ask for on their own (on a JSON or PDF answer): our SVG icon."""
    return HttpResponsePermanentRedirect(static("pactesur/favicon.svg"))
