"""`pactesur report CITY --out FILE.pdf`, run in-process: the PDF written whole, where it says, in the
city's language or the one asked for; bad input is one line and exit code 2."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pactesur.audit.models import AuditAction, AuditEvent
from pactesur.cli import main
from tests.reports.helpers import pages
from tests.spaces.helpers import make_space

pytestmark = pytest.mark.django_db


def _error_line(capsys) -> str:  # type: ignore[no-untyped-def]
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_the_command_writes_the_plan_and_says_where(city, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    make_space(city, None, name="Place Masséna")
    out = tmp_path / "plan.pdf"

    code = main(["report", "nice", "--out", str(out)])

    assert code == 0, capsys.readouterr().err
    assert f"to {out.resolve()}" in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.pdf"]  # no temporary file left
    texts = pages(out.read_bytes())
    assert "Plan local de protection" in texts[0]  # Nice's language
    for text in texts:
        assert re.search(r"DIFFUSION RESTREINTE · ?cli", text)
    assert "Place Masséna" in " ".join(texts)
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert (event.username, event.user, event.city) == ("cli", None, city)
    assert event.detail == {"what": "local protection plan", "format": "pdf", "rows": 1}


def test_the_city_goes_by_its_name_and_the_language_can_be_chosen(city, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "plan.pdf"
    out.write_bytes(b"an older plan")

    assert main(["report", "NICE", "--out", str(out), "--language", "en"]) == 0, capsys.readouterr().err

    assert "Local protection plan" in pages(out.read_bytes())[0]


def test_an_unknown_city_exits_2_and_writes_nothing(city, other_city, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "plan.pdf"

    assert main(["report", "atlantis", "--out", str(out)]) == 2

    line = _error_line(capsys)
    assert line == "pactesur report: error: there is no city 'atlantis' in the database (cities: liege, nice)"
    assert not out.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_an_unknown_language_exits_2(city, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["report", "nice", "--out", str(tmp_path / "plan.pdf"), "--language", "fi"]) == 2

    assert "choose one of en, fr, it, de, es" in _error_line(capsys)


def test_a_missing_folder_exits_2(city, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["report", "nice", "--out", str(tmp_path / "nowhere" / "plan.pdf")]) == 2

    assert "does not exist" in _error_line(capsys)
