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
        # A parameter that is itself a StoredText (a word to translate, say a density band) is kept
        # as {"msgid", "params"} so that it is translated with the message.
        english = {
            key: str(value) if isinstance(value, StoredText) else value for key, value in values.items()
        }
        text = super().__new__(cls, msgid % english if values else msgid)
        text.msgid = msgid
        text.params = {
            key: value.stored() if isinstance(value, StoredText) else value for key, value in values.items()
        }
        return text

    def translated(self) -> str:
        return shown_text(self.msgid, self.params)

    def stored(self) -> dict[str, Any]:
        """The message as it is stored in a JSON field: {"msgid": …, "params": {…}}."""
        return {"msgid": self.msgid, "params": dict(self.params)}


def as_stored(message: str) -> StoredText:
    """`message` as a StoredText: itself if it is one, else a text without parameters."""
    return message if isinstance(message, StoredText) else StoredText(str(message))


def shown_text(msgid: str, params: Mapping[str, Any] | None = None) -> str:
    """Translate a stored message id into the active language and fill in its parameters.

    A parameter stored as {"msgid": …, "params": …} is a message of its own, translated first.
    """
    if not msgid:
        return ""
    translated = gettext(msgid)
    if not params:
        return translated
    values = {key: _shown_param(value) for key, value in params.items()}
    try:
        return translated % values
    except (KeyError, TypeError, ValueError):
        # A translation that lost a placeholder must not hide the message: fall back to English.
        try:
            return msgid % values
        except (KeyError, TypeError, ValueError):
            return msgid


def _shown_param(value: Any) -> Any:
    if isinstance(value, Mapping) and isinstance(value.get("msgid"), str):
        nested = value.get("params")
        return shown_text(value["msgid"], nested if isinstance(nested, Mapping) else None)
    return value


def shown_parts(parts: Any) -> str:
    """Stored messages ([{"msgid", "params"}, …]) translated and joined into one text; anything
    else stored there (a hand-edited row) is skipped rather than shown raw."""
    if not isinstance(parts, list):
        return ""
    texts = []
    for part in parts:
        if isinstance(part, Mapping) and isinstance(part.get("msgid"), str):
            params = part.get("params")
            texts.append(shown_text(part["msgid"], params if isinstance(params, Mapping) else None))
    return " ".join(text for text in texts if text)
