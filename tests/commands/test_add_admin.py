"""`pactesur add-admin CITY`: a city's first administrator from the command line, through the actions."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from pactesur.accounts.actions import do_create_member
from pactesur.accounts.models import User
from pactesur.audit.models import AuditEvent
from pactesur.cities.errors import InvalidRequestError, NotAllowedError
from pactesur.cities.models import Membership
from pactesur.cli import main
from tests.commands.conftest import embedded_env, pactesur_argv
from tests.factories import TEST_PASSWORD, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a long city passphrase 2024"


@pytest.fixture
def stdin(monkeypatch):  # type: ignore[no-untyped-def]
    """Standard input of the command: set its text with `stdin(text)`."""

    def feed(text: str) -> None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(text))

    feed("")
    return feed


def _add_admin(*args: str) -> int:
    return main(["add-admin", *args])


def _error_line(capsys) -> str:  # type: ignore[no-untyped-def]
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_a_new_administrator_is_created_with_the_password_from_stdin_and_audited(city, stdin, capsys):
    stdin(f"{PASSWORD}\n")

    code = _add_admin("nice", "--username", "alice", "--email", "Alice@Example.org", "--password-stdin")

    assert code == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert "created alice (alice@example.org), administrator of Nice (nice)" in out
    assert "http://127.0.0.1:8000/accounts/login/" in out
    user = User.objects.get(username="alice")
    assert user.check_password(PASSWORD)
    assert Membership.objects.get(user=user).city == city
    assert Membership.objects.get(user=user).role == "admin"
    created = AuditEvent.objects.get(action="create", object_type="accounts.user", object_id=str(user.pk))
    assert (created.username, created.city, created.detail["event"]) == ("cli", city, "user_created")
    added = AuditEvent.objects.get(action="membership", detail__event="added", detail__user="alice")
    assert (added.username, added.detail["role"]) == ("cli", "admin")


def test_the_password_is_asked_twice_on_a_terminal(city, monkeypatch, capsys):
    answers = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    monkeypatch.setattr(sys, "stdin", _Terminal())

    assert _add_admin("nice", "--username", "alice", "--email", "alice@example.org") == 0, capsys.readouterr()
    assert User.objects.get(username="alice").check_password(PASSWORD)


def test_two_different_passwords_change_nothing(city, monkeypatch, capsys):
    answers = iter([PASSWORD, PASSWORD + "!"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    monkeypatch.setattr(sys, "stdin", _Terminal())

    assert _add_admin("nice", "--username", "alice", "--email", "alice@example.org") == 2
    assert "the two passwords differ" in _error_line(capsys)
    assert not User.objects.filter(username="alice").exists()


def test_without_a_terminal_the_password_must_come_on_stdin(city, stdin, capsys):
    assert _add_admin("nice", "--username", "alice", "--email", "alice@example.org") == 2
    assert "--password-stdin" in _error_line(capsys)
    assert not User.objects.exists()


def test_an_unknown_city_is_one_line_that_lists_the_cities_and_says_how_to_import(city, stdin, capsys):
    stdin(f"{PASSWORD}\n")

    code = _add_admin("paris", "--username", "alice", "--email", "alice@example.org", "--password-stdin")

    assert code == 2
    line = _error_line(capsys)
    assert "no city with the short name 'paris' (cities: nice)" in line
    assert "pactesur import-osm paris FILE --name NAME --country CC" in line
    assert not User.objects.exists()


def test_an_existing_username_is_refused_with_the_way_to_use_it(city, stdin, capsys):
    UserFactory(username="alice")
    stdin(f"{PASSWORD}\n")

    code = _add_admin("nice", "--username", "Alice", "--email", "new@example.org", "--password-stdin")

    assert code == 2
    assert "--existing-user" in _error_line(capsys)
    assert not Membership.objects.filter(city=city).exists()


def test_an_existing_email_is_refused(city, stdin, capsys):
    UserFactory(username="bob", email="alice@example.org")
    stdin(f"{PASSWORD}\n")

    code = _add_admin("nice", "--username", "alice", "--email", "ALICE@example.org", "--password-stdin")

    assert code == 2
    line = _error_line(capsys)
    assert "an account with the e-mail address" in line
    assert "alice@example.org exists already" in line.lower()
    assert not User.objects.filter(username="alice").exists()


def test_the_action_checks_what_the_command_checks_and_who_may_call_it(city, planner, city_admin):
    UserFactory(username="bob", email="bob@example.org")

    with pytest.raises(InvalidRequestError, match="already exists"):
        do_create_member(
            city, username="bobby", email="BOB@example.org", password=PASSWORD, role="admin", acting_user=None
        )
    with pytest.raises(InvalidRequestError, match="taken"):
        do_create_member(
            city, username="BOB", email="b2@example.org", password=PASSWORD, role="admin", acting_user=None
        )
    with pytest.raises(NotAllowedError):
        do_create_member(
            city,
            username="dan",
            email="dan@example.org",
            password=PASSWORD,
            role="viewer",
            acting_user=planner,
        )
    membership = do_create_member(
        city,
        username="dan",
        email="dan@example.org",
        password=PASSWORD,
        role="viewer",
        acting_user=city_admin,
    )
    assert (membership.role, membership.user.get_username()) == ("viewer", "dan")
    assert AuditEvent.objects.get(action="create", object_type="accounts.user").user == city_admin


def test_a_new_account_needs_an_email(city, stdin, capsys):
    assert _add_admin("nice", "--username", "alice", "--password-stdin") == 2
    assert "give --email" in _error_line(capsys)


@pytest.mark.parametrize(
    ("password", "reason"),
    [("short", "too short"), ("password123", "too common"), ("alice-example-org", "too similar")],
)
def test_a_password_the_validators_refuse_creates_nothing(city, stdin, capsys, password, reason):
    stdin(f"{password}\n")

    code = _add_admin("nice", "--username", "alice", "--email", "alice@example.org", "--password-stdin")

    assert code == 2
    assert reason in _error_line(capsys)
    assert not User.objects.filter(username="alice").exists()
    assert not AuditEvent.objects.filter(action="create", object_type="accounts.user").exists()


def test_an_existing_user_becomes_administrator_and_keeps_the_password(city, other_city, capsys):
    user = UserFactory(username="carla")
    MembershipFactory(user=user, city=other_city, role="admin")

    assert _add_admin("nice", "--username", "carla", "--existing-user") == 0
    assert "carla is now an administrator of Nice (nice)" in capsys.readouterr().out
    assert Membership.objects.get(user=user, city=city).role == "admin"
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)
    assert _add_admin("nice", "--username", "carla", "--existing-user") == 0
    assert "already an administrator" in capsys.readouterr().out


def test_existing_user_that_does_not_exist_is_refused(city, capsys):
    assert _add_admin("nice", "--username", "nobody", "--existing-user") == 2
    assert "no user named 'nobody'" in _error_line(capsys)


def test_an_empty_data_directory_gets_no_database_and_is_told_to_import_first(tmp_path: Path):
    data_dir = tmp_path / "data"

    result = subprocess.run(  # noqa: S603
        pactesur_argv("add-admin", "nice", "--username", "alice", "--email", "alice@example.org"),
        env=embedded_env(data_dir),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 2, result.stderr
    assert "no database yet" in result.stderr
    assert "pactesur import-osm" in result.stderr
    assert not (data_dir / "pactesur.sqlite3").exists()


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True
