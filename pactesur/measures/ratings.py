"""Vehicle security barrier ratings of catalogue types and installed measures, read by the engine.

`pactesur.engine.ratings.parse_rating` reads every form (ISO 22343-1, IWA 14-1, PAS 68 and ASTM
F2656, the last mapped to the ISO ladder with `equivalence_assumed`); here a type or an installed
measure must carry a rating, so "unrated" is refused too, with a message in the reader's language.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from pactesur.engine import ratings as engine_ratings
from pactesur.engine.ratings import Rating

__all__ = ["Rating", "RatingError", "parse_rating"]


class RatingError(ValueError):
    """A rating string that is not in a form the platform reads."""


def parse_rating(text: str) -> Rating:
    """Read a rating string; raise `RatingError` saying the expected forms otherwise."""
    try:
        rating = engine_ratings.parse_rating(text)
    except engine_ratings.RatingError:
        rating = None
    if rating is None:
        raise RatingError(
            _(
                "“%(text)s” is not a barrier rating: write it as on the test certificate, e.g. "
                "V/7200[N2A]/48/90:1.5 (IWA 14-1, ISO 22343-1), V/7500[N2]/48/90 (PAS 68) or "
                "M50/P1 (ASTM F2656)."
            )
            % {"text": text.strip()}
        )
    return rating
