"""A label's colon follows the language it is read in: French puts a no-break space before it."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import translation


@pytest.mark.parametrize(
    ("language", "expected"), [("fr", "Statut\u00a0:"), ("en", "Status:"), ("it", "Stato:")]
)
def test_the_colon_after_a_label_is_spaced_as_the_language_writes_it(language: str, expected: str) -> None:
    template = Template('{% load i18n typography %}{% translate "Status" %}{% colon %}')
    with translation.override(language):
        assert template.render(Context()) == expected
