"""Consistent snapshots of the database (SQLite's online backup, pg_dump) and their restore.

A snapshot is taken while the app runs: SQLite's backup API copies the database in one read
transaction, and pg_dump reads a snapshot that a REPEATABLE READ transaction exported. What the
manifest says about the database — row counts, applied migrations, the files rows name — is
read from that same snapshot, so it matches the dump exactly.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings

from pactesur.backup.errors import BackupError, DatabaseToolError

ENGINE_SQLITE = "sqlite"
ENGINE_POSTGRESQL = "postgresql"
# Names of the database's member in the archive, per engine.
DATABASE_MEMBER = {ENGINE_SQLITE: "database.sqlite3", ENGINE_POSTGRESQL: "database.pgdump"}

# Columns holding a path relative to the data directory: a file that a row of the snapshot names
# must be in the backup. A speed map's drawing (`*.lines.json.gz`) lies beside its `speeds_file`.
_FILE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("streets.StreetNetwork", "graph_file"),
    ("streets.StreetNetwork", "basemap_file"),
    ("streets.ImportJob", "upload_file"),
    ("analysis.CitySpeedMap", "speeds_file"),
)
_SPEEDS_LABEL = "analysis.CitySpeedMap"
# Every record people make hangs off a user or a city, and every change leaves an audit row;
# `migrate` fills other tables (content types, permissions, the measure catalogue) by itself.
_DATA_MODELS: tuple[str, ...] = ("cities.City", "audit.AuditEvent")
# How long to wait for a writer's lock on SQLite before giving up (the app's own busy timeout).
_SQLITE_BUSY_TIMEOUT_S = 20.0
# Django's options of a PostgreSQL connection that are not libpq's.
_DJANGO_ONLY_OPTIONS = frozenset(
    {"pool", "server_side_binding", "isolation_level", "assume_role", "prepare_threshold", "cursor_factory"}
)
# (assumption) Long enough for a page's query to end, short enough to see a running app at once.
_RESTORE_LOCK_TIMEOUT = "30s"
_VERSION = re.compile(r"(\d+)(?:\.(\d+))?")


@dataclass(frozen=True)
class Snapshot:
    """What a database snapshot holds, read from the snapshot itself."""

    engine: str
    tables: dict[str, int]
    migrations: list[str]
    referenced_files: frozenset[str]
    server_version: str
    tool_version: str


def engine_of(settings_dict: dict[str, Any]) -> str:
    engine = str(settings_dict.get("ENGINE", ""))
    if engine.endswith("sqlite3"):
        return ENGINE_SQLITE
    if engine.endswith("postgresql"):
        return ENGINE_POSTGRESQL
    raise BackupError(f"backups support SQLite and PostgreSQL, not the database engine {engine}")


def snapshot_database(settings_dict: dict[str, Any], target: Path) -> Snapshot:
    """Write a consistent snapshot of the database to `target` and describe it."""
    if engine_of(settings_dict) == ENGINE_SQLITE:
        return _snapshot_sqlite(Path(settings_dict["NAME"]), target)
    return _snapshot_postgresql(settings_dict, target)


def quote_name(name: str) -> str:
    """An SQL identifier quoted for SQLite and PostgreSQL alike."""
    return '"' + name.replace('"', '""') + '"'


class _Reader:
    """Plain SQL on one DB-API connection (sqlite3 or psycopg), for facts both engines share.

    Table and column names come from the database's own catalogue or from the models, quoted:
    the queries built from them below (noqa: S608) take no outside input.
    """

    def __init__(self, connection: Any, *, tables_sql: str) -> None:
        self.connection = connection
        self.tables_sql = tables_sql

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        cursor = self.connection.cursor()
        try:
            cursor.execute(sql)
            return [tuple(row) for row in cursor.fetchall()]
        finally:
            cursor.close()

    def columns(self, table: str) -> set[str]:
        cursor = self.connection.cursor()
        try:
            # Both engines name the columns of an empty result: no catalogue query per engine.
            cursor.execute(f"SELECT * FROM {quote_name(table)} LIMIT 0")  # noqa: S608
            return {str(column[0]) for column in cursor.description or ()}
        finally:
            cursor.close()

    def tables(self) -> list[str]:
        return [str(name) for (name,) in self.rows(self.tables_sql)]

    def count(self, table: str) -> int:
        return int(self.rows(f"SELECT COUNT(*) FROM {quote_name(table)}")[0][0])  # noqa: S608

    def has_rows(self, table: str) -> bool:
        return bool(self.rows(f"SELECT 1 FROM {quote_name(table)} LIMIT 1"))  # noqa: S608

    def distinct(self, table: str, column: str) -> list[Any]:
        rows = self.rows(f"SELECT DISTINCT {quote_name(column)} FROM {quote_name(table)}")  # noqa: S608
        return [value for (value,) in rows]


_SQLITE_TABLES = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY 1"
_POSTGRESQL_TABLES = (
    "SELECT tablename FROM pg_tables WHERE schemaname = ANY(current_schemas(false)) ORDER BY 1"
)


def _describe(reader: _Reader) -> tuple[dict[str, int], list[str], frozenset[str]]:
    """Row counts of every table, applied migrations and the files that rows name."""
    counts = {table: reader.count(table) for table in reader.tables()}
    migrations: list[str] = []
    if "django_migrations" in counts:
        rows = reader.rows("SELECT app, name FROM django_migrations ORDER BY app, name")
        migrations = [f"{app}.{name}" for app, name in rows]
    referenced: set[str] = set()
    for label, field_name in _FILE_COLUMNS:
        model = apps.get_model(label)
        table, column = model._meta.db_table, model._meta.get_field(field_name).column
        if table not in counts or column not in reader.columns(table):
            continue  # a database from before that migration
        names = {str(value) for value in reader.distinct(table, column) if value}
        referenced |= names
        if label == _SPEEDS_LABEL:
            referenced |= {_speed_lines_name(name) for name in names}
    return counts, migrations, frozenset(referenced)


def _speed_lines_name(speeds_file: str) -> str:
    from pactesur.analysis.speedmaps import lines_path

    return lines_path(Path(speeds_file)).as_posix()


# --- SQLite ------------------------------------------------------------------------------------


def _snapshot_sqlite(db_path: Path, target: Path) -> Snapshot:
    if not db_path.is_file():
        raise BackupError(f"the database {db_path} does not exist: there is nothing to back up")
    try:
        with (
            contextlib.closing(sqlite3.connect(db_path, timeout=_SQLITE_BUSY_TIMEOUT_S)) as source,
            contextlib.closing(sqlite3.connect(target)) as copy,
        ):
            # In one step (pages=-1): one read transaction, so a consistent copy while the app writes.
            source.backup(copy, pages=-1)
            # One self-contained file: no write-ahead log beside it in the archive.
            copy.execute("PRAGMA journal_mode=DELETE")
        with contextlib.closing(sqlite3.connect(target)) as copy:
            counts, migrations, referenced = _describe(_Reader(copy, tables_sql=_SQLITE_TABLES))
    except sqlite3.Error as exc:
        raise BackupError(f"cannot read the database {db_path}: {exc}") from exc
    return Snapshot(
        engine=ENGINE_SQLITE,
        tables=counts,
        migrations=migrations,
        referenced_files=referenced,
        server_version=sqlite3.sqlite_version,
        tool_version=sqlite3.sqlite_version,
    )


def _sqlite_tables_with_data(db_path: Path) -> list[str]:
    if not db_path.is_file() or db_path.stat().st_size == 0:
        return []
    try:
        with contextlib.closing(sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)) as db:
            return _tables_with_data(_Reader(db, tables_sql=_SQLITE_TABLES))
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"cannot read the database {db_path} to restore into: {exc}") from exc


def _restore_sqlite(staged: Path, db_path: Path) -> None:
    # A journal of the database being replaced would be applied to the restored file: remove them first.
    for suffix in ("-wal", "-shm", "-journal"):
        db_path.with_name(db_path.name + suffix).unlink(missing_ok=True)
    os.replace(staged, db_path)
    fsync_directory(db_path.parent)


# --- PostgreSQL --------------------------------------------------------------------------------


def _libpq_params(settings_dict: dict[str, Any]) -> dict[str, str]:
    """The connection's libpq parameters (dbname, host, user, password, sslmode…) from Django's settings."""
    params = {
        key: str(value)
        for key, value in (settings_dict.get("OPTIONS") or {}).items()
        if key not in _DJANGO_ONLY_OPTIONS and value is not None
    }
    for setting, key in (("NAME", "dbname"), ("USER", "user"), ("PASSWORD", "password"), ("HOST", "host")):
        if settings_dict.get(setting):
            params[key] = str(settings_dict[setting])
    if settings_dict.get("PORT"):
        params["port"] = str(settings_dict["PORT"])
    return params


def _tool_command(settings_dict: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """The `--dbname` connection string of pg_dump and pg_restore, and their environment.

    The password goes in the environment, never on the command line that `ps` shows.
    """
    from psycopg.conninfo import make_conninfo

    params = _libpq_params(settings_dict)
    env = dict(os.environ)
    password = params.pop("password", None)
    if password is not None:
        env["PGPASSWORD"] = password
    return make_conninfo("", **params), env


def _tool(name: str) -> tuple[str, int, str]:
    """The path, major version and version of a PostgreSQL client tool."""
    path = shutil.which(name)
    if path is None:
        raise DatabaseToolError(
            f"{name} is not installed: install PostgreSQL's client programs of the server's major "
            "version (on Debian: apt-get install postgresql-client)"
        )
    output = subprocess.run([path, "--version"], capture_output=True, text=True, check=False).stdout  # noqa: S603
    match = _VERSION.search(output)
    if match is None:
        raise DatabaseToolError(f"cannot tell the version of {path} from {output.strip()!r}")
    return path, int(match.group(1)), match.group(0)


@contextlib.contextmanager
def _postgresql_connection(settings_dict: dict[str, Any]) -> Iterator[Any]:
    import psycopg
    from psycopg.conninfo import make_conninfo

    try:
        connection = psycopg.connect(make_conninfo("", **_libpq_params(settings_dict)))
    except psycopg.Error as exc:
        raise BackupError(f"cannot connect to the PostgreSQL database: {exc}".strip()) from exc
    try:
        yield connection
    finally:
        connection.close()


def _snapshot_postgresql(settings_dict: dict[str, Any], target: Path) -> Snapshot:
    import psycopg

    pg_dump, tool_major, tool_version = _tool("pg_dump")
    with _postgresql_connection(settings_dict) as connection:
        # The snapshot that pg_dump reads and the counts below see the same committed rows.
        connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        connection.read_only = True
        reader = _Reader(connection, tables_sql=_POSTGRESQL_TABLES)
        server_version = str(reader.rows("SHOW server_version")[0][0]).split()[0]
        server_major = int(reader.rows("SHOW server_version_num")[0][0]) // 10000
        if server_major > tool_major:
            raise DatabaseToolError(
                f"the PostgreSQL server is version {server_major} but pg_dump here is version "
                f"{tool_major}, which cannot read it: install postgresql-client-{server_major}"
            )
        snapshot_id = str(reader.rows("SELECT pg_export_snapshot()")[0][0])
        dbname, env = _tool_command(settings_dict)
        command = [
            pg_dump,
            "--format=custom",
            "--no-password",
            f"--snapshot={snapshot_id}",
            f"--dbname={dbname}",
        ]
        _run_tool(command, env=env, stdout_to=target)
        counts, migrations, referenced = _describe(reader)
        connection.rollback()
    return Snapshot(
        engine=ENGINE_POSTGRESQL,
        tables=counts,
        migrations=migrations,
        referenced_files=referenced,
        server_version=server_version,
        tool_version=tool_version,
    )


def _run_tool(command: list[str], *, env: dict[str, str], stdout_to: Path | None = None) -> None:
    """Run pg_dump or pg_restore; its errors become a DatabaseToolError with its last message.

    pg_dump's output goes through this process rather than straight to the file: should this
    process be killed, pg_dump's next write fails and it stops, instead of running on alone.
    """
    name = Path(command[0]).name
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(  # noqa: S603
            command, env=env, stdout=subprocess.PIPE if stdout_to else subprocess.DEVNULL, stderr=errors
        )
        try:
            if stdout_to is not None and process.stdout is not None:
                with stdout_to.open("wb") as out:
                    shutil.copyfileobj(process.stdout, out, 1 << 20)
                    out.flush()
                    os.fsync(out.fileno())
        finally:
            if process.stdout is not None:
                process.stdout.close()
            code = process.wait()
        errors.seek(0)
        messages = [
            line.strip() for line in errors.read().decode("utf-8", "replace").splitlines() if line.strip()
        ]
    if code != 0:
        detail = next(
            (line for line in messages if "error" in line.lower()), messages[-1] if messages else ""
        )
        raise DatabaseToolError(f"{name} failed (exit code {code}): {detail}")


def _restore_postgresql(settings_dict: dict[str, Any], dump: Path, *, dump_tool_version: str) -> None:
    pg_restore, tool_major, tool_version = _tool("pg_restore")
    match = _VERSION.search(dump_tool_version)
    if match is not None and int(match.group(1)) > tool_major:
        raise DatabaseToolError(
            f"this backup was written by pg_dump {dump_tool_version}, which pg_restore {tool_version} "
            f"cannot read: install postgresql-client-{match.group(1)}"
        )
    dbname, env = _tool_command(settings_dict)
    # A running app holds locks on the tables --clean drops: fail with a message, never wait for ever.
    env["PGOPTIONS"] = f"{env.get('PGOPTIONS', '')} -c lock_timeout={_RESTORE_LOCK_TIMEOUT}".strip()
    # One transaction: should anything fail, the database is as it was. --clean drops the tables
    # a `migrate` may have made in the empty database; the objects take the restoring role's name.
    command = [
        pg_restore,
        "--clean",
        "--if-exists",
        "--single-transaction",
        "--no-owner",
        "--no-acl",
        "--no-password",
        f"--dbname={dbname}",
        str(dump),
    ]
    try:
        _run_tool(command, env=env)
    except DatabaseToolError as exc:
        if "lock timeout" in str(exc):
            raise DatabaseToolError(
                f"{exc} (is PACTESUR still running on this database? stop it first)"
            ) from exc
        raise


# --- either engine -----------------------------------------------------------------------------


def _tables_with_data(reader: _Reader) -> list[str]:
    """The tables of users, cities and audit events that hold rows."""
    tables = set(reader.tables())
    labels = (settings.AUTH_USER_MODEL, *_DATA_MODELS)
    names = [apps.get_model(label)._meta.db_table for label in labels]
    return [name for name in names if name in tables and reader.has_rows(name)]


def tables_with_data(settings_dict: dict[str, Any]) -> list[str]:
    """Which of the tables of users, cities and audit events of the database hold rows."""
    if engine_of(settings_dict) == ENGINE_SQLITE:
        return _sqlite_tables_with_data(Path(settings_dict["NAME"]))
    with _postgresql_connection(settings_dict) as connection:
        found = _tables_with_data(_Reader(connection, tables_sql=_POSTGRESQL_TABLES))
        connection.rollback()
        return found


def check_restore_tools(engine: str) -> None:
    """Fail before anything changes when the restore would need a missing tool."""
    if engine == ENGINE_POSTGRESQL:
        _tool("pg_restore")


def staged_database_path(settings_dict: dict[str, Any], staging: Path) -> Path:
    """Where a restore writes the archive's database before it replaces the target.

    SQLite's is beside the database, so that the final rename stays on one file system.
    """
    if engine_of(settings_dict) == ENGINE_SQLITE:
        db_path = Path(settings_dict["NAME"])
        return db_path.with_name(db_path.name + ".restore.partial")
    return staging / DATABASE_MEMBER[ENGINE_POSTGRESQL]


def restore_database(settings_dict: dict[str, Any], staged: Path, *, dump_tool_version: str) -> None:
    """Replace the target database by the verified, staged copy of the archive's."""
    if engine_of(settings_dict) == ENGINE_SQLITE:
        _restore_sqlite(staged, Path(settings_dict["NAME"]))
    else:
        _restore_postgresql(settings_dict, staged, dump_tool_version=dump_tool_version)


def fsync_directory(folder: Path) -> None:
    """Make a rename in `folder` durable."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
