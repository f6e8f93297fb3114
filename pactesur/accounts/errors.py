"""Errors of the accounts actions, with messages a city administrator can act on."""

from __future__ import annotations

from pactesur.cities.errors import InvalidRequestError, NotAllowedError


class LastAdminError(InvalidRequestError):
    """The change would leave a city without any administrator."""


class InvitationError(InvalidRequestError):
    """The invitation cannot be made or used (already a member, expired, revoked, used…)."""


class NotYourInvitationError(NotAllowedError):
    """The invitation was sent to another e-mail address than the logged-in user's."""
