"""`pactesur backup` and `pactesur restore`: a running installation saved whole, and put back exactly.

Each test runs on the suite's database: SQLite, or PostgreSQL when DATABASE_URL says so. The
source is the test database (committed rows: transactional tests, as `pactesur backup` reads it
from another connection or process) and the data directory of the `data_dir` fixture; restores
go into a new empty data directory and a new empty database — a temporary SQLite file, or a
PostgreSQL database created for the test and dropped after it — in a `pactesur restore` process.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import io
import json
import os
import signal
import sqlite3
import subprocess
import tarfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from pactesur.accounts.actions import do_add_member
from pactesur.analysis.actions import do_run_city_analysis
from pactesur.audit.models import AuditEvent
from pactesur.cities.actions import do_create_city
from pactesur.cities.models import City
from pactesur.cli import main
from pactesur.events.actions import do_create_event
from pactesur.spaces.actions import do_create_space
from pactesur.streets.actions import do_enqueue_import
from pactesur.streets.models import ImportJob, ImportStatus
from tests.analysis.helpers import box, import_leeds, woodhouse_space
from tests.commands.conftest import embedded_env, pactesur_argv
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

# A killed backup must stop while copying files: generous for a loaded CI machine.
_CHILD_TIMEOUT_S = 120.0
# Copying files in a `pactesur backup` process, this pauses at the first data file (after the
# database snapshot is in the partial archive), says so in a file, and waits to be killed.
_PAUSING_BACKUP = """
import os, sys, time
from pathlib import Path

import pactesur.backup.actions as actions

def pause(writer, item):
    Path(os.environ["PAUSED_MARK"]).write_text(str(writer.partial))
    time.sleep(600)

actions._add_data_file = pause
from pactesur.cli import main
sys.exit(main(sys.argv[1:]))
"""


# --- databases, on either engine -----------------------------------------------------------------


def _on_postgresql() -> bool:
    return connection.vendor == "postgresql"


@dataclass(frozen=True)
class Database:
    """A database a test reads with plain SQL: the source (test) database or a restore's target."""

    url: str | None  # for a child process's DATABASE_URL; None: the embedded default of its data dir
    sqlite_path: Path | None = None
    postgresql: dict[str, Any] | None = None

    @contextlib.contextmanager
    def connect(self) -> Iterator[Any]:
        if self.sqlite_path is not None:
            db = sqlite3.connect(self.sqlite_path)
        else:
            import psycopg

            db = psycopg.connect(**(self.postgresql or {}))
        try:
            yield db
        finally:
            db.close()

    def tables(self) -> list[str]:
        sql = (
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            if self.sqlite_path is not None
            else "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        )
        with self.connect() as db:
            return sorted(name for (name,) in _fetch(db, sql))

    def rows(self, table: str) -> list[tuple[Any, ...]]:
        with self.connect() as db:
            return sorted(_fetch(db, f'SELECT * FROM "{table}"'), key=repr)  # noqa: S608

    def count(self, table: str) -> int:
        with self.connect() as db:
            return int(_fetch(db, f'SELECT COUNT(*) FROM "{table}"')[0][0])  # noqa: S608


def _fetch(db: Any, sql: str) -> list[tuple[Any, ...]]:
    cursor = db.cursor()
    try:
        cursor.execute(sql)
        return [tuple(row) for row in cursor.fetchall()]
    finally:
        cursor.close()


def _postgresql_params(name: str) -> dict[str, Any]:
    settings_dict = connection.settings_dict
    params = {
        "dbname": name,
        "host": settings_dict["HOST"] or None,
        "port": settings_dict["PORT"] or None,
        "user": settings_dict["USER"] or None,
        "password": settings_dict["PASSWORD"] or None,
    }
    return {key: value for key, value in params.items() if value is not None}


def _postgresql_url(name: str) -> str:
    params = _postgresql_params(name)
    auth = quote(params.get("user", ""))
    if params.get("password"):
        auth += ":" + quote(params["password"])
    host = f"{params.get('host', 'localhost')}:{params.get('port', 5432)}"
    return f"postgres://{auth}{'@' if auth else ''}{host}/{name}"


def source_database() -> Database:
    """The test database that `pactesur backup` saves."""
    name = str(connection.settings_dict["NAME"])
    if _on_postgresql():
        return Database(_postgresql_url(name), postgresql=_postgresql_params(name))
    return Database(f"sqlite:///{name}", sqlite_path=Path(name))


@dataclass(frozen=True)
class Target:
    """An empty data directory and an empty database to restore into."""

    data_dir: Path
    database: Database

    def env(self) -> dict[str, str]:
        env = embedded_env(self.data_dir)
        if self.database.url is not None:
            env["DATABASE_URL"] = self.database.url
        return env


@pytest.fixture
def target(tmp_path: Path) -> Iterator[Target]:
    folder = tmp_path / "restored"
    folder.mkdir()
    if not _on_postgresql():
        yield Target(folder, Database(None, sqlite_path=folder / "pactesur.sqlite3"))
        return
    import psycopg

    name = f"test_restore_{uuid.uuid4().hex[:12]}"
    admin = {**_postgresql_params("postgres"), "autocommit": True}
    with psycopg.connect(**admin) as server:
        server.execute(f'CREATE DATABASE "{name}"')
    try:
        yield Target(folder, Database(_postgresql_url(name), postgresql=_postgresql_params(name)))
    finally:
        with psycopg.connect(**admin) as server:
            server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def restore(archive: Path, into: Target, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        pactesur_argv("restore", str(archive), *extra),
        env=into.env(),
        capture_output=True,
        text=True,
        timeout=_CHILD_TIMEOUT_S,
        check=False,
    )


# --- files and archives --------------------------------------------------------------------------


def file_hashes(folder: Path, *, skip_top: tuple[str, ...] = ("static", "backups")) -> dict[str, str]:
    """SHA-256 of every file under `folder` by relative path, but databases and skipped folders."""
    found = {}
    for path in folder.rglob("*"):
        relative = path.relative_to(folder)
        if path.is_file() and relative.parts[0] not in skip_top and ".sqlite3" not in path.name:
            found[relative.as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def manifest_of(archive: Path) -> dict[str, Any]:
    with tarfile.open(archive) as tar:
        member = tar.extractfile("manifest.json")
        assert member is not None
        return dict(json.load(member))


def backup(*args: str, capsys: pytest.CaptureFixture[str]) -> Path:
    """Run `pactesur backup` in this process; return the archive it wrote."""
    code = main(["backup", *args])
    out, err = capsys.readouterr()
    assert code == 0, err
    return Path(out.split(":")[0])


def only_archive(data_dir: Path) -> Path:
    (archive,) = (data_dir / "backups").glob("pactesur-*.tar")
    return archive


def craft_archive(
    path: Path, members: list[tuple[tarfile.TarInfo, bytes]], *, listed: bool = True, engine: str = ""
) -> Path:
    """An archive of these members with a manifest that lists them with their true checksums."""
    files = [
        {"path": info.name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        for info, data in members
        if listed
    ]
    manifest = {
        "format": "pactesur-backup",
        "format_version": 1,
        "created_at": "2025-01-01T00:00:00+00:00",
        "pactesur_version": "0.1.0",
        "database": {"engine": engine or connection.vendor, "tool_version": "15.0"},
        "migrations": [],
        "tables": {},
        "files": files,
    }
    text = json.dumps(manifest).encode()
    with tarfile.open(path, "w") as tar:
        for info, data in members:
            info.size = len(data) if info.isreg() else 0
            tar.addfile(info, io.BytesIO(data) if info.isreg() else None)
        info = tarfile.TarInfo("manifest.json")
        info.size = len(text)
        tar.addfile(info, io.BytesIO(text))
    return path


def _member(name: str, *, kind: bytes = tarfile.REGTYPE, link: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = link
    return info


# --- an installation with a bit of everything ----------------------------------------------------


def fill_installation(data_dir: Path) -> None:
    """A city, members, its network, spaces, an event, speed maps and analyses, an upload, a file."""
    city = do_create_city(
        acting_user=None, name="Leeds", slug="leeds", country="GB", languages="en", time_zone="Europe/London"
    )
    officer = UserFactory(username="officer")
    do_add_member(city, officer, "security", acting_user=None)
    import_leeds(city, officer)
    space = woodhouse_space(city, officer)
    starts = datetime.datetime(2025, 12, 1, 10, tzinfo=datetime.UTC)
    do_create_event(
        city,
        acting_user=officer,
        space=space,
        name="Christmas market",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=8),
        expected_attendance=4000,
    )
    do_run_city_analysis(city)
    do_enqueue_import(city, SimpleUploadedFile("next.osm", b"<osm version='0.6'/>"), acting_user=officer)
    (data_dir / "secret_key").write_text("a-secret-key-of-the-installation")
    (data_dir / "files").mkdir()
    (data_dir / "files" / "logo.png").write_bytes(os.urandom(2048))


def small_installation(data_dir: Path | None = None) -> Any:
    """A city with one network: enough for the tests of refusals."""
    city = do_create_city(
        acting_user=None, name="Leeds", slug="leeds", country="GB", languages="en", time_zone="Europe/London"
    )
    if data_dir is not None:
        import_leeds(city)
        (data_dir / "secret_key").write_text("the installation's key")
    return city


# --- the tests -----------------------------------------------------------------------------------


def test_restore_into_an_empty_database_and_folder_gives_back_every_table_and_file(data_dir, target, capsys):
    fill_installation(data_dir)
    # What a backup leaves out: collectstatic's output, temporary files, other databases.
    (data_dir / "static").mkdir(exist_ok=True)
    (data_dir / "static" / "app.css").write_text("body {}")
    (data_dir / "networks" / ".partial-abc.npz").write_bytes(b"half")
    (data_dir / "test-pactesur-1.sqlite3").write_bytes(b"another test run")

    archive = backup(capsys=capsys)
    result = restore(archive, target)

    assert result.returncode == 0, result.stderr
    assert "restored" in result.stdout
    assert archive.parent == data_dir / "backups"
    assert oct(archive.stat().st_mode & 0o777) == "0o600"
    source = source_database()
    tables = sorted(connection.introspection.table_names())
    assert target.database.tables() == tables
    for table in tables:
        assert target.database.rows(table) == source.rows(table), table
    assert source.count("streets_streetnetwork") == 1
    assert source.count("analysis_cityspeedmap") > 0
    saved = file_hashes(data_dir)
    assert {"networks", "uploads", "analysis", "files", "secret_key"} <= {p.split("/")[0] for p in saved}
    del saved["networks/.partial-abc.npz"]
    assert file_hashes(target.data_dir) == saved
    assert not (target.data_dir / "static" / "app.css").exists()
    backed_up = AuditEvent.objects.get(action="backup")
    assert (backed_up.username, backed_up.detail["file"]) == ("cli", archive.name)


def test_the_manifest_lists_every_file_with_its_checksum_and_every_table_with_its_rows(data_dir, capsys):
    fill_installation(data_dir)

    archive = backup(capsys=capsys)

    manifest = manifest_of(archive)
    assert manifest["format"] == "pactesur-backup"
    assert manifest["database"]["engine"] == connection.vendor
    assert "streets.0001_initial" in manifest["migrations"]
    source = source_database()
    assert manifest["tables"] == {table: source.count(table) for table in source.tables()}
    files = {item["path"]: item["sha256"] for item in manifest["files"]}
    database_member = "database.pgdump" if _on_postgresql() else "database.sqlite3"
    assert set(files) == {database_member} | {f"data/{name}" for name in file_hashes(data_dir)}
    assert all(files[f"data/{name}"] == sha for name, sha in file_hashes(data_dir).items())
    assert manifest["missing_files"] == []
    assert main(["restore", "--check", str(archive)]) == 0
    assert "intact" in capsys.readouterr().out


def test_a_backup_taken_while_the_app_writes_is_one_consistent_moment(data_dir, target, capsys):
    city = do_create_city(
        acting_user=None, name="Nice", slug="nice", country="FR", languages="fr", time_zone="Europe/Paris"
    )
    written: list[int] = []
    stop = threading.Event()
    failures: list[BaseException] = []

    def keep_writing() -> None:
        # Each space and its audit row are written in one transaction by the app's action.
        try:
            while not stop.is_set():
                n = len(written)
                do_create_space(
                    city, acting_user=None, name=f"Stand {n}", kind="market", polygon=box(7.27, 43.7)
                )
                written.append(n)
        except BaseException as exc:
            failures.append(exc)
        finally:
            connection.close()

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        deadline = time.monotonic() + 30
        while len(written) < 5 and time.monotonic() < deadline:
            time.sleep(0.01)
        before = len(written)
        archive = backup(capsys=capsys)
        during = len(written)
    finally:
        stop.set()
        writer.join()
    assert not failures
    assert during > before  # the app wrote while the backup ran

    result = restore(archive, target)

    assert result.returncode == 0, result.stderr
    manifest = manifest_of(archive)
    assert {table: target.database.count(table) for table in target.database.tables()} == manifest["tables"]
    spaces = target.database.count("spaces_space")
    with target.database.connect() as db:
        audited = _fetch(db, "SELECT COUNT(*) FROM audit_auditevent WHERE object_type = 'spaces.space'")[0][0]
    assert before <= spaces <= len(written)
    assert audited == spaces


def test_a_backup_killed_midway_leaves_the_previous_backup_whole_and_restorable(data_dir, target, capsys):
    city = small_installation(data_dir)
    first = backup(capsys=capsys)
    first_sha = hashlib.sha256(first.read_bytes()).hexdigest()
    woodhouse_space(city)
    mark = data_dir.parent / "paused"
    env = {**embedded_env(data_dir), "DATABASE_URL": str(source_database().url), "PAUSED_MARK": str(mark)}

    child = subprocess.Popen(  # noqa: S603
        [*pactesur_argv()[:1], "-c", _PAUSING_BACKUP, "backup"], env=env, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + _CHILD_TIMEOUT_S
        while not mark.exists() and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert mark.exists(), child.stderr.read() if child.poll() is not None and child.stderr else "timeout"
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.wait()
        if child.stderr:
            child.stderr.close()

    backups = data_dir / "backups"
    assert sorted(p.name for p in backups.glob("*.tar")) == [first.name]
    assert hashlib.sha256(first.read_bytes()).hexdigest() == first_sha
    unfinished = sorted(p.name for p in backups.iterdir() if p.name.endswith(".partial"))
    assert Path(mark.read_text()).name in unfinished
    assert all(".tar" in name for name in unfinished)

    result = restore(first, target)

    assert result.returncode == 0, result.stderr
    assert target.database.count("spaces_space") == manifest_of(first)["tables"]["spaces_space"]
    assert target.database.count("streets_streetnetwork") == 1
    # The next backup removes what the killed one left.
    second = backup(capsys=capsys)
    assert sorted(p.name for p in backups.iterdir()) == sorted([first.name, second.name])


def test_restore_refuses_a_database_that_holds_data_and_changes_nothing(data_dir, capsys):
    small_installation(data_dir)
    archive = backup(capsys=capsys)
    before_files = file_hashes(data_dir)
    source = source_database()
    before_rows = {table: source.rows(table) for table in source.tables()}

    code = main(["restore", str(archive)])

    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: the database already holds data")
    assert "--force" in err
    assert err.count("\n") == 1
    assert file_hashes(data_dir) == before_files
    assert {table: source.rows(table) for table in source.tables()} == before_rows


def test_restore_refuses_a_data_directory_that_holds_data_and_changes_nothing(data_dir, target, capsys):
    small_installation(data_dir)
    archive = backup(capsys=capsys)
    (target.data_dir / "networks" / "9").mkdir(parents=True)
    (target.data_dir / "networks" / "9" / "1.npz").write_bytes(b"someone's network")

    result = restore(archive, target)

    assert result.returncode == 2
    assert "the data directory" in result.stderr
    assert "already holds data (1 files, such as networks/9/1.npz)" in result.stderr
    assert "Traceback" not in result.stderr
    assert target.database.tables() == []
    assert sorted(file_hashes(target.data_dir)) == ["networks/9/1.npz", "secret_key"]


def test_restore_force_replaces_an_installation_that_holds_data(data_dir, target, capsys):
    small_installation(data_dir)
    archive = backup(capsys=capsys)
    assert restore(archive, target).returncode == 0
    (target.data_dir / "uploads" / "1").mkdir(parents=True)
    (target.data_dir / "uploads" / "1" / "stray.osm").write_text("<osm/>")
    assert restore(archive, target).returncode == 2

    result = restore(archive, target, "--force")

    assert result.returncode == 0, result.stderr
    assert target.database.count("cities_city") == 1
    assert file_hashes(target.data_dir) == file_hashes(data_dir)


def _restore_in_process_fails(archive: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """Restore into this test's installation, which holds a city: a refused archive must say why first."""
    if not City.objects.exists():
        small_installation()
    code = main(["restore", str(archive)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: ")
    assert err.count("\n") == 1
    assert "already holds data" not in err
    return err


def test_restore_refuses_an_archive_whose_file_was_altered(data_dir, tmp_path, capsys):
    small_installation(data_dir)
    archive = backup(capsys=capsys)
    tampered = tmp_path / "tampered.tar"
    tampered.write_bytes(archive.read_bytes())
    with tarfile.open(tampered) as tar:
        member = tar.getmember("data/secret_key")
    with tampered.open("r+b") as stream:
        stream.seek(member.offset_data)
        stream.write(b"b")

    err = _restore_in_process_fails(tampered, capsys)

    assert "data/secret_key does not match the checksum" in err


@pytest.mark.parametrize("cut", ["in a network file", "in the manifest", "after the manifest", "at 1 kB"])
def test_restore_refuses_a_truncated_archive(data_dir, tmp_path, cut, capsys):
    small_installation(data_dir)
    archive = backup(capsys=capsys)
    with tarfile.open(archive) as tar:
        network = next(m for m in tar.getmembers() if m.name.endswith(".npz"))
        manifest = tar.getmember("manifest.json")
    size = {
        "in a network file": network.offset_data + network.size // 2,
        "in the manifest": manifest.offset_data + manifest.size // 2,
        "after the manifest": manifest.offset_data + manifest.size,
        "at 1 kB": 1024,
    }[cut]
    truncated = tmp_path / "truncated.tar"
    truncated.write_bytes(archive.read_bytes()[:size])

    err = _restore_in_process_fails(truncated, capsys)

    assert "incomplete" in err


def test_restore_refuses_what_is_not_a_pactesur_backup(data_dir, tmp_path, capsys):
    text = tmp_path / "notes.tar"
    text.write_text("not an archive at all")
    assert "not a PACTESUR backup" in _restore_in_process_fails(text, capsys)

    foreign = tmp_path / "foreign.tar"
    with tarfile.open(foreign, "w") as tar:
        info = tarfile.TarInfo("photo.jpg")
        info.size = 3
        tar.addfile(info, io.BytesIO(b"jpg"))
    assert "never contains" in _restore_in_process_fails(foreign, capsys)

    unlisted = craft_archive(tmp_path / "unlisted.tar", [(_member("database.sqlite3"), b"x")], listed=False)
    assert "names no database" in _restore_in_process_fails(unlisted, capsys)


def test_restore_refuses_a_backup_of_the_other_database_engine(data_dir, tmp_path, capsys):
    other, member = ("sqlite", "database.sqlite3") if _on_postgresql() else ("postgresql", "database.pgdump")
    archive = craft_archive(tmp_path / "other.tar", [(_member(member), b"x")], engine=other)

    err = _restore_in_process_fails(archive, capsys)

    assert f"this backup holds a {other} database" in err


@pytest.mark.parametrize(
    ("member", "message"),
    [
        (_member("data/../../escaped.txt"), "unsafe path"),
        (_member("/srv/escaped.txt"), "unsafe path"),
        (_member("data/networks/../../../escaped.txt"), "unsafe path"),
        (_member("data/networks/1/link.npz", kind=tarfile.SYMTYPE, link="/etc/passwd"), "link"),
        (_member("data/networks/1/hard.npz", kind=tarfile.LNKTYPE, link="database.sqlite3"), "link"),
        (_member("data/static/evil.js"), "never contains"),
        (_member("data/pactesur.sqlite3"), "never contains"),
        (_member("data/networks/1", kind=tarfile.DIRTYPE), "special file or folder"),
    ],
)
def test_restore_refuses_an_archive_with_a_path_outside_its_layout(
    data_dir, tmp_path, member, message, capsys
):
    archive = craft_archive(
        tmp_path / "crafted.tar", [(_member("database.sqlite3"), b"x"), (member, b"escaped")]
    )

    err = _restore_in_process_fails(archive, capsys)

    assert message in err
    assert not (tmp_path.parent / "escaped.txt").exists()
    assert not list(data_dir.rglob("*escaped*"))


def test_a_file_that_rows_name_but_the_disk_lacks_is_reported_and_listed(data_dir, target, capsys):
    small_installation(data_dir)
    graph = next((data_dir / "networks").rglob("*.npz"))
    graph.unlink()
    relative = graph.relative_to(data_dir).as_posix()

    code = main(["backup"])

    err = capsys.readouterr().err
    assert code == 0
    assert f"warning: {relative} is named in the database but missing" in err
    archive = only_archive(data_dir)
    assert manifest_of(archive)["missing_files"] == [relative]
    result = restore(archive, target)
    assert result.returncode == 0
    assert f"warning: {relative} was already missing" in result.stderr


def test_a_file_removed_between_snapshot_and_copy_makes_the_backup_start_again(data_dir, monkeypatch, capsys):
    from pactesur.backup import actions

    city = small_installation(data_dir)
    job = do_enqueue_import(city, SimpleUploadedFile("next.osm", b"<osm version='0.6'/>"), acting_user=None)
    real_snapshot = actions.snapshot_database
    snapshots = []

    def snapshot_then_the_import_ends(settings_dict, target):
        snapshots.append(real_snapshot(settings_dict, target))
        if len(snapshots) == 1:  # as an import job does when it ends: its upload goes
            (data_dir / job.upload_file).unlink()
            ImportJob.objects.filter(pk=job.pk).update(upload_file="", status=ImportStatus.FAILED)
        return snapshots[-1]

    monkeypatch.setattr(actions, "snapshot_database", snapshot_then_the_import_ends)

    archive = backup(capsys=capsys)

    assert len(snapshots) == 2
    assert job.upload_file in snapshots[0].referenced_files
    assert job.upload_file not in snapshots[1].referenced_files
    assert manifest_of(archive)["missing_files"] == []
    assert not list(archive.parent.glob("*.partial"))


def test_backup_keep_deletes_the_oldest_archives(data_dir, capsys):
    small_installation()
    made = [backup(capsys=capsys) for _ in range(3)]
    for age, path in enumerate(reversed(made)):
        os.utime(path, (time.time() - 60 * age, time.time() - 60 * age))

    newest = backup("--keep", "2", capsys=capsys)

    assert sorted((data_dir / "backups").iterdir()) == sorted([made[-1], newest])


def test_backup_refuses_to_write_inside_the_data_directory_but_its_backups_folder(data_dir, capsys):
    (data_dir / "networks").mkdir()

    code = main(["backup", "--output", str(data_dir / "networks" / "b.tar")])

    assert code == 2
    assert "inside the data directory" in capsys.readouterr().err


def test_backup_to_a_compressed_archive_restores_too(data_dir, tmp_path, target, capsys):
    small_installation(data_dir)

    archive = backup("--output", str(tmp_path / "nightly.tar.gz"), capsys=capsys)

    assert archive == tmp_path / "nightly.tar.gz"
    assert restore(archive, target).returncode == 0
    assert file_hashes(target.data_dir) == file_hashes(data_dir)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump backs up PostgreSQL only")
def test_backup_with_a_pg_dump_older_than_the_server_says_which_client_to_install(
    data_dir, monkeypatch, capsys
):
    from pactesur.backup import database

    monkeypatch.setattr(database, "_tool", lambda name: (name, 9, "9.6"))

    code = main(["backup"])

    err = capsys.readouterr().err
    assert code == 2
    assert "pg_dump here is version 9" in err
    assert "install postgresql-client-" in err
    assert not list((data_dir / "backups").iterdir())
