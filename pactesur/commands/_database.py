"""The database as the commands find it: set up Django, tell a fresh database from an old one, set it up."""

from __future__ import annotations

import os
from pathlib import Path


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pactesur.web.settings")
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()


def missing_database_file() -> Path | None:
    """The embedded (SQLite) database's file when it does not exist yet; None when there is one.

    Connecting to SQLite creates the file: a command that only reads must ask this first, so that a
    run that fails (an unknown city, a data directory mistyped) leaves no empty database behind.
    """
    from django.db import connection

    if connection.vendor != "sqlite":
        return None
    name = str(connection.settings_dict["NAME"])
    # An in-memory database (the tests') has no file to find.
    if name == ":memory:" or name.startswith("file:"):
        return None
    path = Path(name)
    return None if path.is_file() else path


def unapplied_migrations() -> list[str]:
    """Names of the migrations the database still lacks."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def is_fresh() -> bool:
    """Whether the database holds nothing of PACTESUR yet: no file, or no migration applied."""
    if missing_database_file() is not None:
        return True
    from django.db import connection
    from django.db.migrations.recorder import MigrationRecorder

    return not MigrationRecorder(connection).applied_migrations()


def set_up_fresh_database() -> str | None:
    """Create every table in a fresh database; return where it is, or None when it was not fresh.

    A database of an earlier version (some migrations applied) is left alone: upgrading it is
    `pactesur manage migrate`, after a backup, never a side effect of another command.
    """
    if not is_fresh():
        return None
    from django.conf import settings
    from django.core.management import call_command

    where = str(missing_database_file() or settings.DATABASES["default"]["NAME"])
    call_command("migrate", interactive=False, verbosity=0)
    return where


def not_set_up_message(missing: list[str]) -> str:
    """What to do about a database that lacks `missing` migrations."""
    return (
        f"the database is not up to date ({len(missing)} migrations to apply): back it up "
        "(`pactesur backup`), then run `pactesur manage migrate`"
    )
