"""Back up a running PACTESUR (its database and data directory) into one archive, and restore one.

A backup records itself in the audit trail first, then takes a consistent snapshot of the
database and copies the data directory's files after it. Street networks and speed maps are
renamed into place whole and never rewritten, so every file a row of the snapshot names is
there to copy — unless something removed it in between (an import finishing deletes its
upload): then the backup starts again from a new snapshot, and finally says which files are
missing (lost for good: a second snapshot that still names them settles it).

A restore verifies the whole archive, then refuses a target that already holds data (unless
forced), copies the archive out to a staging folder checking every checksum again, replaces the
database, and only then moves the files into place.
"""

from __future__ import annotations

import datetime
import importlib.metadata
import os
import re
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections, transaction

from pactesur.backup.archive import (
    DATA_PREFIX,
    FORMAT,
    FORMAT_VERSION,
    ArchiveWriter,
    Entry,
    FileChangedError,
    VerifiedArchive,
    extract_verified,
    remove_unfinished,
    verify_archive,
)
from pactesur.backup.database import (
    DATABASE_MEMBER,
    ENGINE_SQLITE,
    Snapshot,
    check_restore_tools,
    engine_of,
    fsync_directory,
    restore_database,
    snapshot_database,
    staged_database_path,
    tables_with_data,
)
from pactesur.backup.datadir import BACKUPS_DIR, RESTORE_STAGING_PREFIX, DataFile, saved_files
from pactesur.backup.errors import BackupError, TargetNotEmptyError

# A backup starts again from a new snapshot when a file changed under it or a file that the
# snapshot names vanished before it was copied; (assumption) three tries outlast any import.
_ATTEMPTS = 3
# Archives that `--keep` may delete: the default names, in the backup folder only.
_ARCHIVE_NAME = re.compile(r"^pactesur-\d{8}T\d{6}Z(-\d+)?\.(tar|tar\.gz|tgz)$")
# The data directory's files that exist before anything is imported: not "data" to protect.
_FRESH_FILES = frozenset({"secret_key"})


@dataclass(frozen=True)
class BackupResult:
    path: Path
    engine: str
    file_count: int
    size_bytes: int
    missing_files: list[str]
    removed_unfinished: list[Path]
    pruned: list[Path]
    warnings: list[str]


@dataclass(frozen=True)
class RestoreResult:
    archive: VerifiedArchive
    data_dir: Path
    pending_migrations: list[str]


def pactesur_version() -> str:
    try:
        return importlib.metadata.version("pactesur")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _data_dir() -> Path:
    return Path(settings.PACTESUR_DATA_DIR).resolve()


def _free_name(folder: Path, now: datetime.datetime) -> Path:
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    candidate = folder / f"pactesur-{stamp}.tar"
    number = 1
    while candidate.exists() or candidate.with_name(candidate.name + ".partial").exists():
        number += 1
        candidate = folder / f"pactesur-{stamp}-{number}.tar"
    return candidate


def backup_path(output: Path | None, *, data_dir: Path, now: datetime.datetime) -> Path:
    """The archive to write: `output` itself, a new name in the folder `output`, or in `<data dir>/backups`.

    A folder of the data directory other than `backups/` is refused: the next backups would
    save the earlier ones.
    """
    if output is None:
        folder = data_dir / BACKUPS_DIR
        folder.mkdir(mode=0o700, exist_ok=True)
        return _free_name(folder, now)
    output = output.expanduser().absolute()
    if output.is_dir():
        final = _free_name(output.resolve(), now)
    elif output.exists():
        raise BackupError(f"{output} exists already: give a new file name or a folder")
    elif not output.parent.is_dir():
        raise BackupError(f"there is no folder {output.parent} to write {output.name} in")
    elif not output.name.endswith((".tar", ".tar.gz", ".tgz")):
        raise BackupError(f"{output.name}: a backup is a .tar archive (or .tar.gz to compress it)")
    else:
        final = output.parent.resolve() / output.name
    if final.is_relative_to(data_dir) and not final.is_relative_to(data_dir / BACKUPS_DIR):
        raise BackupError(
            f"{final} is inside the data directory: write backups to {data_dir / BACKUPS_DIR} "
            "or outside the data directory"
        )
    return final


def _record_backup(final: Path, engine: str, acting_user: Any) -> str | None:
    """Write the backup's audit row before the snapshot (so it is in the backup); a warning if it cannot."""
    from pactesur.audit.actions import do_record_audit
    from pactesur.audit.models import AuditAction
    from pactesur.cities.actions import CLI_USERNAME

    try:
        with transaction.atomic():
            do_record_audit(
                AuditAction.BACKUP,
                acting_user=acting_user,
                detail={"file": final.name, "database": engine},
                username="" if acting_user is not None else CLI_USERNAME,
            )
    except DatabaseError as exc:
        # A database a new version has not migrated yet is exactly what one backs up before `migrate`.
        return f"the backup is not in the audit trail, the database refused the row: {exc}"
    return None


def _manifest(
    snapshot: Snapshot, entries: list[Entry], missing: list[str], *, now: datetime.datetime
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": now.isoformat(timespec="seconds"),
        "pactesur_version": pactesur_version(),
        "database": {
            "engine": snapshot.engine,
            "member": DATABASE_MEMBER[snapshot.engine],
            "server_version": snapshot.server_version,
            "tool_version": snapshot.tool_version,
        },
        "migrations": snapshot.migrations,
        "tables": snapshot.tables,
        "files": [{"path": e.name, "size": e.size, "sha256": e.sha256} for e in entries],
        "missing_files": missing,
    }


@dataclass(frozen=True)
class _Written:
    committed: bool
    file_count: int
    missing_files: list[str]


def _write_archive(
    final: Path, settings_dict: dict[str, Any], data_dir: Path, *, tolerated: frozenset[str] | None
) -> _Written:
    """Write the archive once, unless files the snapshot names are missing and not all `tolerated`.

    `tolerated` None accepts any missing file: the last try.
    """
    now = datetime.datetime.now(datetime.UTC)
    with ArchiveWriter(final) as writer:
        snapshot = snapshot_database(settings_dict, writer.scratch)
        writer.add_file(DATABASE_MEMBER[snapshot.engine], writer.scratch)
        writer.scratch.write_bytes(b"")  # the snapshot is in the archive: free its space now
        copied: set[str] = set()
        for item in saved_files(data_dir):
            if _add_data_file(writer, item) is not None:
                copied.add(item.relative)
        missing = sorted(snapshot.referenced_files - copied)
        if tolerated is not None and not tolerated.issuperset(missing):
            return _Written(committed=False, file_count=len(copied), missing_files=missing)
        writer.add_manifest(_manifest(snapshot, writer.entries, missing, now=now))
        writer.commit()
    return _Written(committed=True, file_count=len(copied), missing_files=missing)


def _add_data_file(writer: ArchiveWriter, item: DataFile) -> Entry | None:
    return writer.add_file(DATA_PREFIX + item.relative, item.path)


def _prune(final: Path, keep: int) -> list[Path]:
    """Delete all but the `keep` newest archives of the default names beside `final`."""
    archives = [path for path in final.parent.iterdir() if _ARCHIVE_NAME.match(path.name) and path.is_file()]
    archives.sort(key=lambda path: (path.stat().st_mtime, path.name), reverse=True)
    doomed = [path for path in archives[keep:] if path != final]
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


def do_create_backup(
    *, output: Path | None = None, keep: int | None = None, acting_user: Any = None
) -> BackupResult:
    """Back up the database and the data directory into one new archive; return what it holds."""
    data_dir = _data_dir()
    settings_dict = connections["default"].settings_dict
    engine = engine_of(settings_dict)
    if engine == ENGINE_SQLITE and not Path(settings_dict["NAME"]).is_file():
        # Checked before the audit row: Django would create an empty database to write it in.
        raise BackupError(f"the database {settings_dict['NAME']} does not exist: there is nothing to back up")
    final = backup_path(output, data_dir=data_dir, now=datetime.datetime.now(datetime.UTC))
    removed = remove_unfinished(final.parent)
    warnings = [w for w in [_record_backup(final, engine, acting_user)] if w]
    # The first try accepts no missing file; the next ones, files missing from two snapshots in
    # a row (lost for good, not removed by a job in between); the last one, anything.
    tolerated: frozenset[str] | None = frozenset()
    written: _Written | None = None
    for attempt in range(1, _ATTEMPTS + 1):
        try:
            written = _write_archive(
                final, settings_dict, data_dir, tolerated=None if attempt == _ATTEMPTS else tolerated
            )
        except FileChangedError as exc:
            if attempt == _ATTEMPTS:
                raise BackupError(f"files kept changing during the backup; try again later ({exc})") from exc
            continue
        if written.committed:
            break
        tolerated = frozenset(written.missing_files)
    assert written is not None
    pruned = _prune(final, keep) if keep is not None else []
    return BackupResult(
        path=final,
        engine=engine,
        file_count=written.file_count,
        size_bytes=final.stat().st_size,
        missing_files=written.missing_files,
        removed_unfinished=removed,
        pruned=pruned,
        warnings=warnings,
    )


# --- restore -----------------------------------------------------------------------------------


def _pending_migrations(manifest: dict[str, Any]) -> list[str]:
    """Migrations this code has that the backup lacks; refuse a backup of a newer PACTESUR."""
    from django.db.migrations.loader import MigrationLoader

    known = {
        f"{app}.{name}" for app, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    }
    applied = {str(name) for name in manifest.get("migrations", [])}
    unknown = sorted(applied - known)
    if unknown:
        raise BackupError(
            f"this backup comes from PACTESUR {manifest.get('pactesur_version', '?')}, whose database "
            f"has changes this version does not know ({unknown[0]}): restore it with that version "
            "or a newer one"
        )
    return sorted(known - applied)


def _remove_unfinished_restores(data_dir: Path, staged_db: Path) -> None:
    for path in data_dir.glob(f"{RESTORE_STAGING_PREFIX}*"):
        shutil.rmtree(path, ignore_errors=True)
    if staged_db.name.endswith(".partial"):
        staged_db.unlink(missing_ok=True)


def _check_empty(settings_dict: dict[str, Any], data_dir: Path, existing: list[DataFile]) -> None:
    tables = tables_with_data(settings_dict)
    if tables:
        raise TargetNotEmptyError(
            f"the database already holds data (in {', '.join(tables)}): restore into an empty "
            "database, or give --force to replace it"
        )
    files = [item.relative for item in existing if item.relative not in _FRESH_FILES]
    if files:
        raise TargetNotEmptyError(
            f"the data directory {data_dir} already holds data ({len(files)} files, such as {files[0]}): "
            "restore into an empty one, or give --force to replace them"
        )


def _move_into_place(staging: Path, data_dir: Path, restored: list[str], existing: list[DataFile]) -> None:
    """Replace the data directory's files by the staged ones; files the backup lacks go (not the key)."""
    keep = set(restored) | _FRESH_FILES
    for item in existing:
        if item.relative not in keep:
            item.path.unlink(missing_ok=True)
    folders: set[Path] = set()
    for relative in restored:
        target = data_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging / relative, target)
        folders.add(target.parent)
    for folder in folders:
        fsync_directory(folder)


def verify_backup(archive: Path) -> VerifiedArchive:
    """Check an archive completely, changing nothing."""
    if not archive.is_file():
        raise BackupError(f"no such file: {archive}")
    return verify_archive(archive)


def do_restore_backup(archive: Path, *, force: bool = False) -> RestoreResult:
    """Restore the archive into the configured database and data directory (empty ones unless `force`)."""
    verified = verify_backup(archive)
    settings_dict = connections["default"].settings_dict
    engine = engine_of(settings_dict)
    if verified.engine != engine:
        raise BackupError(
            f"this backup holds a {verified.engine} database and PACTESUR is set up with {engine}: "
            "restore it into the same kind of database (DATABASE_URL)"
        )
    pending = _pending_migrations(verified.manifest)
    check_restore_tools(engine)
    data_dir = _data_dir()
    staging = data_dir / f"{RESTORE_STAGING_PREFIX}{uuid.uuid4().hex}"
    staged_db = staged_database_path(settings_dict, staging)
    _remove_unfinished_restores(data_dir, staged_db)
    existing = saved_files(data_dir, exclude=[archive])
    if not force:
        _check_empty(settings_dict, data_dir, existing)
    # Nothing of this process may hold the database open while it is replaced.
    connections.close_all()
    staging.mkdir(mode=0o700)
    try:
        staged_db.parent.mkdir(parents=True, exist_ok=True)
        extract_to = {verified.database_member: staged_db}
        extract_verified(verified, lambda name: extract_to.get(name) or staging / name[len(DATA_PREFIX) :])
        tool_version = str(verified.manifest["database"].get("tool_version", ""))
        restore_database(settings_dict, staged_db, dump_tool_version=tool_version)
        _move_into_place(staging, data_dir, verified.data_files, existing)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if staged_db.name.endswith(".partial"):
            staged_db.unlink(missing_ok=True)
    return RestoreResult(archive=verified, data_dir=data_dir, pending_migrations=pending)
