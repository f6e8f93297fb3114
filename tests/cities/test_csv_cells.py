"""Every export writes its cells through one function that keeps spreadsheets from running formulas."""

from __future__ import annotations

import datetime

import pytest

from pactesur.cities.csv_cells import csv_cell


@pytest.mark.parametrize("text", ["=1+1", "+33 4 93", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"])
def test_text_a_spreadsheet_would_run_is_quoted(text: str) -> None:
    assert csv_cell(text) == "'" + text


def test_other_values_keep_their_meaning() -> None:
    assert csv_cell(None) == ""
    assert csv_cell(-5) == -5
    assert csv_cell(2.5) == 2.5
    assert csv_cell("Place Masséna") == "Place Masséna"
    moment = datetime.datetime(2026, 12, 1, 17, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=1)))
    assert csv_cell(moment) == "2026-12-01T17:30:00+01:00"
    assert csv_cell(datetime.date(2026, 12, 1)) == "2026-12-01"
