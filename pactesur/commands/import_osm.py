"""`pactesur import-osm CITY FILE`: import or refresh a city's street network and suggest spaces."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, TextIO

from pactesur.cities.time_zones import default_time_zone
from pactesur.commands._database import (
    is_fresh,
    not_set_up_message,
    set_up_fresh_database,
    setup_django,
    unapplied_migrations,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = (
        "Before the new network replaces the active one, the extract is checked against the city: a "
        "space farther than 50 m from every street of the extract lies outside it (it could not be "
        "analysed), and the extract must overlap the active network's area. An extract that does not fit is "
        "refused with the list of the spaces outside (exit code 2, nothing changed) unless "
        "--accept-outside is given. A city that --name created for an import that then fails is removed. "
        "In a new data directory (no database yet) the database is set up once the file has been read; "
        "a database of an earlier version is left for `pactesur manage migrate`."
    )
    parser.add_argument("city", help="the city's short name (slug), e.g. helsinki")
    parser.add_argument("file", type=Path, help="an OSM extract: .osm, .osm.pbf, .osm.gz or .osm.bz2")
    parser.add_argument("--name", help="create the city with this name if it does not exist")
    parser.add_argument("--country", help="ISO 3166-1 alpha-2 country code of a city to create (e.g. FI)")
    parser.add_argument("--languages", default="en", help="languages of a city to create (default: en)")
    parser.add_argument(
        "--time-zone",
        default=None,
        help=(
            "time zone of a city to create (default: the country's, from the IANA zone.tab; in a country "
            "of several zones, the one nearest the extract's centre)"
        ),
    )
    parser.add_argument(
        "--if-changed",
        action="store_true",
        help="do nothing when the city's active network already comes from this very file",
    )
    parser.add_argument(
        "--accept-outside",
        action="store_true",
        help=(
            "activate the extract even if some of the city's spaces lie outside it or it does not "
            "overlap the active network (without it, such an import is refused: exit code 2)"
        ),
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
    slug: str,
    *,
    name: str | None,
    country: str | None,
    languages: str,
    time_zone: str | None,
    near: tuple[float, float] | None = None,
) -> tuple[Any, bool]:
    """Return (city, created); a city to create without `time_zone` gets its country's (`near` (lon, lat)).

    Raises LookupError when it does not exist and name/country are missing, ValueError (the
    action's InvalidRequestError) when they cannot make a city.
    """
    from pactesur.cities.actions import do_create_city
    from pactesur.cities.models import City

    city = City.objects.filter(slug=slug).first()
    if city is not None:
        return city, False
    problem = creation_problem(slug, name=name, country=country, time_zone=time_zone)
    if problem or not name or not country:
        raise LookupError(problem)
    zone = time_zone or default_time_zone(country, near=near)
    city = do_create_city(
        acting_user=None, name=name, slug=slug, country=country, languages=languages, time_zone=str(zone)
    )
    return city, True


def creation_problem(
    slug: str, *, name: str | None, country: str | None, time_zone: str | None
) -> str | None:
    """Why the arguments cannot create the city `slug`, found before the file is read; None if they may."""
    if not name or not country:
        return f"there is no city with the short name {slug!r}: give --name and --country to create it"
    if time_zone is None and default_time_zone(country) is None:
        return (
            f"no time zone is known for the country {country!r}: give its two-letter ISO code "
            "(such as FI), or --time-zone"
        )
    return None


def _print_fit_problem(city: Any, report: Any, *, accepted: bool) -> None:
    """List what does not fit: the spaces outside the extract, and a missed previous network."""
    from pactesur.streets.fit import FIT_MARGIN_M

    lead = "warning: activated although" if accepted else "error: refused:"
    if report.outside:
        print(
            f"{lead} {len(report.outside)} of the {report.spaces_checked} spaces of {city.name} lie "
            f"outside the extract (farther than {FIT_MARGIN_M:.0f} m from its streets); "
            "no street of it reaches them, so they cannot be analysed on it:",
            file=sys.stderr,
        )
        for space in report.outside:
            away_km = space.distance_m / 1000
            print(f"  space {space.id}: {space.name} ({away_km:.1f} km from its streets)", file=sys.stderr)
    if not report.overlaps_previous:
        print(
            f"{lead} the extract does not overlap the area of the active network "
            f"(version {report.previous_version}) at all",
            file=sys.stderr,
        )
    if not accepted:
        print(
            "Nothing was changed. Check that this is the file of this city, or give --accept-outside "
            "to activate it all the same.",
            file=sys.stderr,
        )


def _check_arguments(args: argparse.Namespace, *, fresh: bool) -> tuple[int | None, Any]:
    """(exit code, None) when there is nothing to import, else (None, the city or None to create).

    A `fresh` database (a new data directory) is not touched: it has no city, and it is set up
    only once the file has been read.
    """
    from pactesur.cities.models import City
    from pactesur.streets.actions import active_network

    path: Path = args.file
    if not path.is_file():
        print(f"error: no such file: {path}", file=sys.stderr)
        return 2, None
    missing = [] if fresh else unapplied_migrations()
    if missing:
        print(f"error: {not_set_up_message(missing)}", file=sys.stderr)
        return 1, None
    city = None if fresh else City.objects.filter(slug=args.city).first()
    if city is None:
        problem = creation_problem(args.city, name=args.name, country=args.country, time_zone=args.time_zone)
        if problem:
            print(f"error: {problem}", file=sys.stderr)
            return 2, None
    elif args.if_changed:
        from pactesur.engine.io.osm import file_sha256

        current = active_network(city)
        if current is not None and current.file_sha256 == file_sha256(path):
            print(f"{city.name}: version {current.version} already comes from this file; nothing to do")
            return 0, None
    return None, city


def run(args: argparse.Namespace) -> int:
    setup_django()
    from pactesur.engine.errors import OsmInputError
    from pactesur.streets.actions import prepare_osm_import

    fresh = is_fresh()
    code, city = _check_arguments(args, fresh=fresh)
    if code is not None:
        return code
    progress = None if args.quiet else ProgressPrinter(sys.stderr)
    # The file is read before a new city is made: its time zone comes from the extract's centre,
    # and a file that cannot be read leaves no city behind (nor, in a new data directory, a database).
    try:
        prepared = prepare_osm_import(args.file, city=city, progress=progress)
    except OsmInputError as exc:
        print(f"\nerror: {exc}", file=sys.stderr)
        return 2
    if fresh:
        # Importing a first city is how one starts: its data directory gets its database here.
        try:
            where = set_up_fresh_database()
        except BaseException:
            prepared.discard()
            raise
        if where:
            print(f"set up a new database ({where})", file=sys.stderr)
    return _import_prepared(args, city, prepared, progress)


def _import_prepared(args: argparse.Namespace, city: Any, prepared: Any, progress: Any) -> int:
    """Create the city if asked, then import the prepared file; a city made here and left empty goes."""
    from pactesur.streets.actions import IfOutside, ImportFitError, do_discard_empty_city, do_import_osm

    path: Path = args.file
    created = imported = False
    try:
        if city is None:
            city, created = get_or_create_city(
                args.city,
                name=args.name,
                country=args.country,
                languages=args.languages,
                time_zone=args.time_zone,
                near=prepared.centre,
            )
            if created:
                print(f"created the city {city.name} ({city.slug}, {city.time_zone})", file=sys.stderr)
        network = do_import_osm(
            city,
            prepared,
            acting_user=None,
            original_name=path.name,
            progress=progress,
            if_outside=IfOutside.ACTIVATE if args.accept_outside else IfOutside.REFUSE,
        )
        imported = True
    except ImportFitError as exc:
        print("", file=sys.stderr)
        _print_fit_problem(city, exc.report, accepted=False)
        return 2
    except (LookupError, ValueError) as exc:
        print(f"\nerror: {exc}", file=sys.stderr)
        return 2
    finally:
        prepared.discard()  # nothing left to remove once the import took its files
        if created and not imported and do_discard_empty_city(city, acting_user=None):
            print(f"removed the city {city.slug} created for this import", file=sys.stderr)
    counts = ", ".join(f"{k} {v}" for k, v in network.counts.items())
    print(f"{city.name}: imported {path.name} as version {network.version} ({counts})")
    if "fit" in network.meta:
        from pactesur.streets.fit import FitReport

        _print_fit_problem(city, FitReport.from_json(network.meta["fit"]), accepted=True)
    for warning in network.meta.get("warnings", []):
        print(f"warning: {warning}", file=sys.stderr)
    _print_next_step(city)
    return 0


def _print_next_step(city: Any) -> None:
    """Tell how a city nobody administers gets its first administrator (`pactesur add-admin`)."""
    from pactesur.cities.models import Membership
    from pactesur.cities.roles import Role

    if not Membership.objects.filter(city=city, role=Role.ADMIN).exists():
        print(
            f"{city.name} has no administrator yet: give it one with "
            f"`pactesur add-admin {city.slug} --username NAME --email ADDRESS`"
        )
