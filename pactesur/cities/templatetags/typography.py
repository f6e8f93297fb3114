"""Punctuation that each language spaces its own way, for labels written in templates.

French puts a no-break space before a colon ("Statut : validé"); the other languages of the platform
do not. A template writes `{% translate "Status" %}{% colon %}` instead of a bare ":" so that pages
and PDFs follow the language they are read in (docs/glossary.md, typography).
"""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

register = template.Library()

NO_BREAK_SPACE = "\u00a0"


@register.simple_tag
def colon() -> str:
    """A colon after a label, with the no-break space French puts before it."""
    language = (get_language() or "").lower()
    return f"{NO_BREAK_SPACE}:" if language.startswith("fr") else ":"
