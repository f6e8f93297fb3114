"""`pactesur report CITY --out FILE.pdf`: the city's local protection plan, from the command line.

The city is named by its short name (slug) or its name, in any case. The PDF is in the city's
language unless `--language` says another; it is RESTRICTED and watermarked "cli" with the time,
and the export is audited as the command line's. The file is written whole or not at all (a
temporary file beside it, then renamed). The command only reads the database: it never creates one.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from pactesur.commands._database import missing_database_file, not_set_up_message, setup_django

EXIT_BAD_INPUT = 2
# Cities a "no such city" message lists at most.
_LISTED = 8


class _InputError(Exception):
    """Wrong input, reported as one line and exit code 2."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = (
        "The PDF is restricted: it holds the city's approach analyses and plans. It is written to a "
        "temporary file beside FILE, then renamed, so FILE is never left half written. An unknown "
        "city or language is one line on stderr and exit code 2."
    )
    parser.add_argument("city", metavar="CITY", help="the city's short name (slug) or its name")
    parser.add_argument("--out", metavar="FILE.pdf", required=True, help="where to write the PDF")
    parser.add_argument(
        "--language",
        metavar="LANG",
        help="the language of the plan (en, fr, it, de, es); default: the city's language",
    )


def _fail(message: str, code: int = EXIT_BAD_INPUT) -> int:
    print(f"pactesur report: error: {message}", file=sys.stderr)
    return code


def _city(name: str) -> Any:
    from django.db.models import Q

    from pactesur.cities.models import City

    found = list(City.objects.filter(Q(slug__iexact=name) | Q(name__iexact=name)).order_by("pk")[:2])
    if len(found) == 1:
        return found[0]
    if found:
        msg = f"several cities are called {name!r}: give the short name (slug) of one"
        raise _InputError(msg)
    known = ", ".join(City.objects.order_by("slug").values_list("slug", flat=True)[:_LISTED])
    msg = f"there is no city {name!r} in the database" + (f" (cities: {known})" if known else "")
    raise _InputError(msg)


def _language(asked: str | None) -> str | None:
    from django.conf import settings

    if asked is None:
        return None
    offered = [code for code, _name in settings.LANGUAGES]
    if asked.lower() not in offered:
        msg = f"the plan is not written in {asked!r}: choose one of {', '.join(offered)}"
        raise _InputError(msg)
    return asked.lower()


def write_atomically(target: Path, content: bytes) -> None:
    """Write `content` to `target` through a temporary file in the same folder, then rename it."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def run(args: argparse.Namespace) -> int:
    setup_django()
    from pactesur.commands._database import unapplied_migrations

    missing = missing_database_file()
    if missing is not None:
        return _fail(
            f"there is no database at {missing}: set PACTESUR_DATA_DIR (or DATABASE_URL) as for "
            "`pactesur serve`, or import a city first with `pactesur import-osm`"
        )
    not_applied = unapplied_migrations()
    if not_applied:
        return _fail(not_set_up_message(not_applied), 1)
    out = Path(args.out)
    if not out.parent.is_dir():
        return _fail(f"cannot write {out}: the folder {out.parent} does not exist")
    try:
        city = _city(args.city.strip())
        language = _language(args.language)
    except _InputError as exc:
        return _fail(str(exc))

    from pactesur.reports.actions import do_export_protection_plan

    pdf = do_export_protection_plan(city, acting_user=None, language=language)
    try:
        write_atomically(out, pdf)
    except OSError as exc:
        return _fail(f"cannot write {out}: {exc.strerror or exc}", 1)
    print(f"wrote the local protection plan of {city.name} ({len(pdf):,} bytes) to {out.resolve()}")
    return 0
