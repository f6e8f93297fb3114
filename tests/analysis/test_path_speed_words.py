"""The path speed in summaries and the entries table, in the reader's language (issue #8)."""

from __future__ import annotations

import pytest
from django.utils import translation

from pactesur.analysis.actions import path_summary_of
from pactesur.analysis.wording import (
    STREET_OBJECT_LABELS,
    class_rating,
    path_speed_text,
    streetscape_text,
    warning_text,
)
from pactesur.engine.streetscape import STREET_OBJECT_KINDS, rigid_for


def _entry(speed: float, path: float | None, rating: str = "V/1500[M1]/64/90") -> dict:
    return {
        "impact_speed_kmh": speed,
        "path_speed_kmh": path,
        "path_required_rating": rating if path is not None else None,
        "path_beyond_rating": False,
    }


def test_the_summary_takes_the_fastest_path_and_counts_the_closed_entries() -> None:
    summary = path_summary_of(
        [_entry(150.0, 96.4), _entry(120.0, None), _entry(90.0, 61.0, "V/1500[M1]/64/90")]
    )
    assert summary == {
        "max_speed_kmh": 96.4,
        "required_rating": "V/1500[M1]/64/90",
        "beyond_rating": False,
        "closed": 1,
    }
    closed = path_summary_of([_entry(150.0, None)])
    assert closed == {"max_speed_kmh": None, "required_rating": "", "beyond_rating": False, "closed": 1}
    # results of an engine without path speeds have no summary: nothing is shown for them
    assert path_summary_of([{"impact_speed_kmh": 50.0}]) is None
    assert (
        class_rating("M1", max_impact_speed_kmh=50.0, required_rating="x", beyond_rating=False)["has_path"]
        is False
    )


def test_a_class_closed_by_the_streetscape_says_so_instead_of_a_rating() -> None:
    line = class_rating(
        "M1",
        max_impact_speed_kmh=150.0,
        required_rating=None,
        beyond_rating=True,
        path={"max_speed_kmh": None, "required_rating": "", "beyond_rating": False, "closed": 3},
    )
    assert line["path_rating_summary"] == "no line fits between the mapped streetscape"
    assert line["path_closed"] == 3
    assert path_speed_text(_entry(150.0, None)) == "no line fits between the mapped streetscape"
    assert path_speed_text({"impact_speed_kmh": 1.0}) == ""


@pytest.mark.parametrize("language", ["fr", "it", "de", "es"])
def test_path_speed_words_are_translated(language: str) -> None:
    entry = {
        **_entry(150.0, None),
        "streetscape": [
            {"kind": "planter", "effect": "closes"},
            {"kind": "street_lamp", "effect": "narrows"},
            {"kind": "street_lamp", "effect": "narrows"},
        ],
    }
    with translation.override("en"):
        english = (path_speed_text(entry), streetscape_text(entry))
    with translation.override(language):
        shown = (path_speed_text(entry), streetscape_text(entry))
        sparse = warning_text(
            {"code": "sparse_streetscape", "params": {"count": 3, "radius_m": 300, "per_km": 1.2}}
        )
    assert english == (
        "no line fits between the mapped streetscape",
        "1 × planter close the way; 2 × lamp column force a weave",
    )
    assert shown[0] != english[0]
    assert shown[1] != english[1]
    assert "300" in sparse
    assert "streetscape" not in sparse


def test_every_rigid_kind_has_words() -> None:
    rigid = {k.code for i, k in enumerate(STREET_OBJECT_KINDS) if rigid_for(i, 1500.0)}
    assert rigid <= set(STREET_OBJECT_LABELS)
