"""Domain errors a person can act on; the API maps each family to one HTTP status in web/api.py."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error raised by an action because of what the user asked for."""

    status_code = 400


class InvalidRequestError(DomainError, ValueError):
    """The request cannot be carried out as asked (bad value, conflicting state): HTTP 400."""

    status_code = 400


class NotAllowedError(DomainError, PermissionError):
    """The user's role does not allow this action in this city: HTTP 403."""

    status_code = 403


class NotFoundError(DomainError, LookupError):
    """No such record for this user (it may exist in a city they do not belong to): HTTP 404."""

    status_code = 404
