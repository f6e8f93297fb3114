"""`pactesur import-osm CITY FILE`: import or refresh a city's street network and suggest spaces."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any, TextIO


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pactesur.web.settings")
    import django

    django.setup()


def unapplied_migrations() -> list[str]:
    """Names of the migrations the database still lacks."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("city", help="the city's short name (slug), e.g. helsinki")
    parser.add_argument("file", type=Path, help="an OSM extract: .osm, .osm.pbf, .osm.gz or .osm.bz2")
    parser.add_argument("--name", help="create the city with this name if it does not exist")
    parser.add_argument("--country", help="ISO 3166-1 alpha-2 country code of a city to create (e.g. FI)")
    parser.add_argument("--languages", default="en", help="languages of a city to create (default: en)")
    parser.add_argument(
        "--time-zone",
        default="Europe/Brussels",
        help="time zone of a city to create (default: Europe/Brussels)",
    )
    parser.add_argument(
        "--if-changed",
        action="store_true",
        help="do nothing when the city's active network already comes from this very file",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")


class ProgressPrinter:
    """Print an import's progress on a terminal line, or one line per step when not a terminal."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.last: tuple[int, str] = (-1, "")

    def __call__(self, fraction: float, message: str) -> None:
        percent = int(fraction * 100)
        if self.tty:
            self.stream.write(f"\r{percent:3d} % {message[:60]:<60}")
            if fraction >= 1.0:
                self.stream.write("\n")
        elif message != self.last[1] or percent >= self.last[0] + 10:
            self.stream.write(f"{percent:3d} % {message}\n")
        else:
            return
        self.stream.flush()
        self.last = (percent, message)


def get_or_create_city(
    slug: str, *, name: str | None, country: str | None, languages: str, time_zone: str
) -> tuple[Any, bool]:
    """Return (city, created).

    Raises LookupError when it does not exist and name/country are missing, ValueError (the
    action's InvalidRequestError) when they cannot make a city.
    """
    from pactesur.cities.actions import do_create_city
    from pactesur.cities.models import City

    city = City.objects.filter(slug=slug).first()
    if city is not None:
        return city, False
    if not name or not country:
        raise LookupError(
            f"there is no city with the short name {slug!r}: give --name and --country to create it"
        )
    city = do_create_city(
        acting_user=None, name=name, slug=slug, country=country, languages=languages, time_zone=time_zone
    )
    return city, True


def run(args: argparse.Namespace) -> int:
    setup_django()
    from pactesur.engine.errors import OsmInputError
    from pactesur.streets.actions import active_network, do_import_osm

    path: Path = args.file
    if not path.is_file():
        print(f"error: no such file: {path}", file=sys.stderr)
        return 2
    missing = unapplied_migrations()
    if missing:
        print(
            f"error: the database is not set up ({len(missing)} migrations to apply): "
            "run `pactesur manage migrate` first",
            file=sys.stderr,
        )
        return 1
    try:
        city, created = get_or_create_city(
            args.city,
            name=args.name,
            country=args.country,
            languages=args.languages,
            time_zone=args.time_zone,
        )
    except (LookupError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if created:
        print(f"created the city {city.name} ({city.slug})", file=sys.stderr)
    if args.if_changed:
        from pactesur.engine.io.osm import file_sha256

        current = active_network(city)
        if current is not None and current.file_sha256 == file_sha256(path):
            print(f"{city.name}: version {current.version} already comes from this file; nothing to do")
            return 0
    try:
        network = do_import_osm(
            city,
            path,
            acting_user=None,
            original_name=path.name,
            progress=None if args.quiet else ProgressPrinter(sys.stderr),
        )
    except OsmInputError as exc:
        print(f"\nerror: {exc}", file=sys.stderr)
        return 2
    counts = ", ".join(f"{k} {v}" for k, v in network.counts.items())
    print(f"{city.name}: imported {path.name} as version {network.version} ({counts})")
    for warning in network.meta.get("warnings", []):
        print(f"warning: {warning}", file=sys.stderr)
    return 0
