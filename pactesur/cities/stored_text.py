"""Text stored untranslated — a message id and its parameters — and translated when it is shown.

A background worker runs in no one's language: what it writes for people to read (an import's
progress, why an analysis failed) is stored as the English message id, marked with `gettext_noop`
so that makemessages finds it, plus a dict of parameters. Pages, JSON and the API translate it
into the reader's language with `shown_text`. Text stored before this (already translated, no
parameters) is shown as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext


class StoredText(str):
    """A message in English, carrying the message id and parameters to translate it later.

    It is a `str` (the English text), so it can go wherever a message goes — an exception, a log
    line, a progress callback — and whoever stores it keeps `msgid` and `params`.
    """

    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, params: Mapping[str, Any] | None = None) -> StoredText:
        values = dict(params or {})
        text = super().__new__(cls, msgid % values if values else msgid)
        text.msgid = msgid
        text.params = values
        return text

    def translated(self) -> str:
        return shown_text(self.msgid, self.params)


def as_stored(message: str) -> StoredText:
    """`message` as a StoredText: itself if it is one, else a text without parameters."""
    return message if isinstance(message, StoredText) else StoredText(str(message))


def shown_text(msgid: str, params: Mapping[str, Any] | None = None) -> str:
    """Translate a stored message id into the active language and fill in its parameters."""
    if not msgid:
        return ""
    translated = gettext(msgid)
    if not params:
        return translated
    try:
        return translated % dict(params)
    except (KeyError, TypeError, ValueError):
        # A translation that lost a placeholder must not hide the message: fall back to English.
        try:
            return msgid % dict(params)
        except (KeyError, TypeError, ValueError):
            return msgid
