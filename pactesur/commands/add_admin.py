"""`pactesur add-admin CITY --username U --email E`: an administrator for a city, from the command line.

A city that `pactesur import-osm` created has no member; its first administrator is made here and
invites everyone else from the *Members* page. The password is asked on the terminal (twice, not
shown) or read from standard input: never a command-line argument, which the shell's history and
the process list would keep.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any, TextIO

from pactesur.commands._database import is_fresh, not_set_up_message, setup_django, unapplied_migrations

EXIT_BAD_INPUT = 2
# Where `pactesur serve` answers by default (its --host and --port).
_DEFAULT_LOGIN_URL = "http://127.0.0.1:8000/accounts/login/"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = (
        "The password is asked twice on the terminal, or read from the first line of standard input "
        "with --password-stdin (for scripts: `printf '%s\\n' \"$PW\" | pactesur add-admin …`). With "
        "--existing-user, an account that exists already (a member of another city) becomes an "
        "administrator of this one and keeps its password. Wrong input (an unknown city, a username "
        "or e-mail address taken, a password the validators refuse) is one line on stderr and exit "
        "code 2; nothing is changed."
    )
    parser.add_argument("city", help="the city's short name (slug), as given to `pactesur import-osm`")
    parser.add_argument("--username", required=True, help="the administrator's username, to log in with")
    parser.add_argument(
        "--email",
        help="the administrator's e-mail address (password resets go there); needed for a new account",
    )
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input instead of asking for it",
    )
    parser.add_argument(
        "--existing-user",
        action="store_true",
        help="make an existing account an administrator of the city (no new account, no password)",
    )


class _InputError(Exception):
    """Wrong input, reported as one line and exit code 2."""


def _fail(message: str, code: int = EXIT_BAD_INPUT) -> int:
    print(f"pactesur add-admin: error: {message}", file=sys.stderr)
    return code


def _database_problem() -> tuple[int, str] | None:
    """(exit code, message) when the database holds no city yet or is of an earlier version."""
    if is_fresh():
        return EXIT_BAD_INPUT, (
            "this data directory has no database yet: import the city's OpenStreetMap extract first "
            "(`pactesur import-osm SLUG FILE --name NAME --country CC`)"
        )
    missing = unapplied_migrations()
    if missing:
        return 1, not_set_up_message(missing)
    return None


def _city(slug: str) -> Any:
    from pactesur.cities.models import City

    city = City.objects.filter(slug=slug).first()
    if city is None:
        known = ", ".join(City.objects.order_by("slug").values_list("slug", flat=True)[:8])
        msg = (
            f"there is no city with the short name {slug!r}"
            + (f" (cities: {known})" if known else "")
            + f"; import its extract first: `pactesur import-osm {slug} FILE --name NAME --country CC`"
        )
        raise _InputError(msg)
    return city


def _read_password(username: str, *, from_stdin: bool, stdin: TextIO) -> str:
    if from_stdin:
        password = stdin.readline().rstrip("\r\n")
        if not password:
            msg = "--password-stdin read no password: give it on the first line of standard input"
            raise _InputError(msg)
        return password
    if not stdin.isatty():
        msg = "no terminal to ask the password on: pipe it on standard input with --password-stdin"
        raise _InputError(msg)
    password = getpass.getpass(f"Password for {username}: ")
    if password != getpass.getpass("The same password again: "):
        msg = "the two passwords differ; nothing was changed"
        raise _InputError(msg)
    return password


def _make_existing_user_admin(city: Any, username: str) -> str:
    from pactesur.accounts.actions import do_add_member
    from pactesur.accounts.models import User
    from pactesur.cities.models import Membership
    from pactesur.cities.roles import Role

    user = User.objects.filter(username__iexact=username).first()
    if user is None:
        msg = f"there is no user named {username!r}: leave out --existing-user to create the account"
        raise _InputError(msg)
    if Membership.objects.filter(city=city, user=user, role=Role.ADMIN).exists():
        return f"{user.get_username()} is already an administrator of {city.name}; nothing changed"
    do_add_member(city, user, Role.ADMIN, acting_user=None)
    return f"{user.get_username()} is now an administrator of {city.name} ({city.slug})"


def _create_admin(city: Any, args: argparse.Namespace, stdin: TextIO) -> str:
    from pactesur.accounts.actions import do_create_member
    from pactesur.accounts.models import User
    from pactesur.cities.roles import Role

    username = args.username.strip()
    if User.objects.filter(username__iexact=username).exists():
        msg = (
            f"a user named {username!r} exists already: give --existing-user to make them an "
            f"administrator of {city.slug}, or choose another --username"
        )
        raise _InputError(msg)
    if not (args.email or "").strip():
        msg = "give --email: the new administrator's e-mail address (password resets go there)"
        raise _InputError(msg)
    if User.objects.filter(email__iexact=args.email.strip()).exists():
        msg = (
            f"an account with the e-mail address {args.email.strip()} exists already: give its "
            "username with --existing-user, or another --email"
        )
        raise _InputError(msg)
    # Asked once everything else is known to be right: nobody types a password in vain.
    password = _read_password(username, from_stdin=args.password_stdin, stdin=stdin)
    membership = do_create_member(
        city, username=username, email=args.email, password=password, role=Role.ADMIN, acting_user=None
    )
    user = membership.user
    return f"created {user.get_username()} ({user.email}), administrator of {city.name} ({city.slug})"


def run(args: argparse.Namespace) -> int:
    setup_django()
    from pactesur.cities.errors import DomainError

    problem = _database_problem()
    if problem is not None:
        code, message = problem
        return _fail(message, code)
    try:
        city = _city(args.city)
        if args.existing_user:
            print(_make_existing_user_admin(city, args.username.strip()))
        else:
            print(_create_admin(city, args, sys.stdin))
    except (_InputError, DomainError) as exc:
        return _fail(str(exc))
    print(f"Log in at {_DEFAULT_LOGIN_URL} once `pactesur serve` runs.")
    return 0
