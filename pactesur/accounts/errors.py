"""Errors of the accounts actions, with messages a city administrator can act on."""

from __future__ import annotations

from django.utils.translation import ngettext

from pactesur.cities.errors import InvalidRequestError, NotAllowedError


class LastAdminError(InvalidRequestError):
    """The change would leave a city without any administrator."""


class InvitationError(InvalidRequestError):
    """The invitation cannot be made or used (already a member, expired, revoked, used…)."""


class NotYourInvitationError(NotAllowedError):
    """The invitation was sent to another e-mail address than the logged-in user's."""


class TwoFactorError(InvalidRequestError):
    """Two-factor log-in cannot be set up or turned off as asked (wrong code, required by a city…)."""


class TooManyCodesError(InvalidRequestError):
    """Wrong codes were entered just before: the device accepts no other try for `wait_s` seconds."""

    def __init__(self, wait_s: int) -> None:
        self.wait_s = wait_s
        super().__init__(
            ngettext(
                "Too many wrong codes: wait %(seconds)d second before trying again.",
                "Too many wrong codes: wait %(seconds)d seconds before trying again.",
                wait_s,
            )
            % {"seconds": wait_s}
        )
