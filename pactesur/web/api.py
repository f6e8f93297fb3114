"""The /api/v1/ REST API: one NinjaAPI, routers owned by the apps."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI

from pactesur.accounts.api_auth import ApiTokenAuth
from pactesur.cities.errors import DomainError

api = NinjaAPI(
    title="PACTESUR API",
    version="1",
    urls_namespace="api-v1",
    auth=ApiTokenAuth(),
    openapi_url="/openapi.json",
    docs_url=None,
)

api.add_router("/cities/", "pactesur.cities.api.router")
api.add_router("/networks/", "pactesur.streets.api.router")
api.add_router("/spaces/", "pactesur.spaces.api.router")
api.add_router("/events/", "pactesur.events.api.router")
api.add_router("/analysis/", "pactesur.analysis.api.router")
api.add_router("/assessments/", "pactesur.assessments.api.router")


# Domain errors become HTTP statuses here, in one place: 400 bad request, 403 role, 404 not yours.
@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


@api.exception_handler(PermissionDenied)
def _permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or _("Permission denied.")}, status=403)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": " ".join(exc.messages)}, status=400)
