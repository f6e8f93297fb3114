"""The /api/v1/ REST API: one NinjaAPI, routers owned by the apps."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

from pactesur.accounts.api_auth import ApiTokenAuth
from pactesur.cities.errors import DomainError

# The answers every operation may give besides its own, all with a JSON body {"detail": …}:
# `detail` is a sentence, or for 422 the list of what did not match the operation's schema.
ERROR_RESPONSES: dict[str, str] = {
    "401": "No API token, or a token that is unknown, revoked or of a deactivated user.",
    "403": "The token's user has no role in the city that allows this.",
    "404": "No such record among the cities of the token's user (another city's records are not found).",
}
# ...and these where the request carries parameters or a body that the domain checks.
INPUT_ERROR_RESPONSES: dict[str, str] = {
    "400": "The request is well formed but the domain refuses it; `detail` says why.",
    "422": "The parameters or body do not match the operation's schema; `detail` lists each problem.",
}
_ERROR_BODY = {
    "type": "object",
    "properties": {
        "detail": {
            "anyOf": [
                {"type": "string"},
                {"type": "array", "items": {"type": "object", "additionalProperties": True}},
            ]
        }
    },
    "required": ["detail"],
}


class PactesurApi(NinjaAPI):
    """The NinjaAPI whose OpenAPI document lists every status an operation answers (issue 9)."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = _ERROR_BODY
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                _document_errors(operation)
        for component in schema["components"]["schemas"].values():
            _refuse_nul(component)
        return schema


def _document_errors(operation: dict[str, Any]) -> None:
    responses = operation.setdefault("responses", {})
    codes = dict(ERROR_RESPONSES)
    if operation.get("requestBody") or operation.get("parameters"):
        codes.update(INPUT_ERROR_RESPONSES)
    for code, text in codes.items():
        responses.setdefault(
            code,
            {
                "description": text,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            },
        )


# Text with a NUL character is refused everywhere (PostgreSQL cannot store it): the document says so.
NO_NUL_PATTERN = "^[^\\u0000]*$"


def _refuse_nul(schema: Any) -> None:
    """Give every free-text string of a schema (no pattern, format or choices) the NUL-free pattern."""
    if isinstance(schema, list):
        for item in schema:
            _refuse_nul(item)
        return
    if not isinstance(schema, dict):
        return
    if schema.get("type") == "string" and not {"pattern", "format", "enum", "const"} & set(schema):
        schema["pattern"] = NO_NUL_PATTERN
    for value in schema.values():
        if isinstance(value, dict | list):
            _refuse_nul(value)


def _signed_in_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The OpenAPI document is for the platform's users: a session or an API token (401 otherwise)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = getattr(request, "user", None)
        if not (user is not None and user.is_authenticated):
            header = request.headers.get("Authorization", "")
            scheme, _space, token = header.partition(" ")
            if scheme.lower() != "bearer" or ApiTokenAuth().authenticate(request, token.strip()) is None:
                return JsonResponse(
                    {"detail": _("Sign in, or send an API token, to read the API's description.")}, status=401
                )
        return view(request, *args, **kwargs)

    return wrapped


api = PactesurApi(
    title="PACTESUR API",
    version="1",
    urls_namespace="api-v1",
    auth=ApiTokenAuth(),
    openapi_url="/openapi.json",
    docs_url=None,
    docs_decorator=_signed_in_only,
)

api.add_router("/cities/", "pactesur.cities.api.router")
api.add_router("/networks/", "pactesur.streets.api.router")
api.add_router("/spaces/", "pactesur.spaces.api.router")
api.add_router("/events/", "pactesur.events.api.router")
api.add_router("/analysis/", "pactesur.analysis.api.router")
api.add_router("/assessments/", "pactesur.assessments.api.router")
api.add_router("/measures/", "pactesur.measures.api.router")


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
