"""The backup archive: one tar file written under a temporary name, and its safe, verified reading.

Layout: the database (`database.sqlite3` or `database.pgdump`), the data directory's files under
`data/`, then `manifest.json` last, which lists every other member with its size and SHA-256. An
archive cut short lacks its manifest or the end-of-archive marker after it, and is refused as
incomplete.

Writing: the archive grows as `<name>.partial`, locked (flock) by the process writing it, and is
renamed to its final name only once complete and on disk. A killed backup leaves that partial
file and nothing else; the next backup removes it once its lock is free. Earlier archives are
never opened for writing.

Reading: every member must be a regular file with a plain relative name that a backup could
have written (no absolute path, no `..`, no links or devices), listed in the manifest with its
checksum. A restore reads the archive twice: once to verify all of it before changing anything,
once to copy it out, verifying again what it copies.
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import hashlib
import io
import json
import os
import re
import tarfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from pactesur.backup.database import DATABASE_MEMBER, fsync_directory
from pactesur.backup.datadir import is_saved
from pactesur.backup.errors import ArchiveError, BackupError

FORMAT = "pactesur-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATA_PREFIX = "data/"
PARTIAL_SUFFIX = ".partial"
# Scratch file beside a partial archive: the database snapshot before it goes into the archive.
SCRATCH_SUFFIX = ".db" + PARTIAL_SUFFIX
# What a backup left behind when killed: a partial archive or its scratch file.
_UNFINISHED = re.compile(r"\.(tar|tar\.gz|tgz)(\.db)?\.partial$")
# (assumption) A manifest lists a few thousand files: 64 MB is far beyond any real one.
_MAX_MANIFEST_BYTES = 64 * 1024 * 1024
_CHUNK_BYTES = 1 << 20
_READ_ERRORS = (tarfile.TarError, EOFError, zlib.error, OSError)


@dataclass(frozen=True)
class Entry:
    """A member of the archive as the manifest records it."""

    name: str
    size: int
    sha256: str


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


class FileChangedError(OSError):
    """A file changed size while the archive copied it: the backup starts again."""


def _open_locked(path: Path) -> IO[bytes]:
    """Create `path` (readable by its owner only) and hold an exclusive lock on it."""
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    stream = os.fdopen(descriptor, "w+b")
    fcntl.flock(stream.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    return stream


def remove_unfinished(folder: Path) -> list[Path]:
    """Remove what killed backups left in `folder`; a backup under way keeps its locked files."""
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    for path in sorted(folder.iterdir()):
        if not _UNFINISHED.search(path.name) or not path.is_file():
            continue
        try:
            with path.open("rb") as stream:
                fcntl.flock(stream.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                path.unlink()
        except (BlockingIOError, FileNotFoundError):
            continue  # another backup is writing it, or has just finished with it
        removed.append(path)
    return removed


class _HashingReader:
    """Read a file for tarfile while hashing what it reads."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.sha256 = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.sha256.update(data)
        return data


class ArchiveWriter:
    """Write one archive under a temporary, locked name; `commit` puts it in place."""

    def __init__(self, final: Path) -> None:
        self.final = final
        self.partial = final.with_name(final.name + PARTIAL_SUFFIX)
        self.scratch = final.with_name(final.name + SCRATCH_SUFFIX)
        self.entries: list[Entry] = []
        self._stream: IO[bytes] | None = None
        self._scratch_lock: IO[bytes] | None = None
        self._tar: tarfile.TarFile | None = None
        self._committed = False

    def __enter__(self) -> ArchiveWriter:
        try:
            self._stream = _open_locked(self.partial)
            self._scratch_lock = _open_locked(self.scratch)
        except FileExistsError as exc:
            if self._stream is not None:
                self._stream.close()
                self.partial.unlink(missing_ok=True)
            raise BackupError(f"another backup is writing {self.final} at this moment") from exc
        compressed = self.final.name.endswith((".tar.gz", ".tgz"))
        self._tar = tarfile.open(
            fileobj=self._stream, mode="w:gz" if compressed else "w", format=tarfile.PAX_FORMAT
        )
        return self

    def add_file(self, name: str, path: Path) -> Entry | None:
        """Copy the file at `path` as member `name`; None when it no longer exists."""
        assert self._tar is not None
        try:
            source = path.open("rb")
        except FileNotFoundError:
            return None
        with source:
            info = os.fstat(source.fileno())
            member = tarfile.TarInfo(name)
            member.size = info.st_size
            member.mtime = int(info.st_mtime)
            member.mode = info.st_mode & 0o777
            reader = _HashingReader(source)
            try:
                self._tar.addfile(member, reader)
            except OSError as exc:
                raise FileChangedError(f"{path} changed while it was copied ({exc})") from exc
        entry = Entry(name, info.st_size, reader.sha256.hexdigest())
        self.entries.append(entry)
        return entry

    def add_manifest(self, manifest: dict[str, Any]) -> None:
        assert self._tar is not None
        data = json.dumps(manifest, indent=1, sort_keys=True).encode("utf-8")
        member = tarfile.TarInfo(MANIFEST)
        member.size = len(data)
        member.mtime = int(datetime.datetime.now(datetime.UTC).timestamp())
        member.mode = 0o600
        self._tar.addfile(member, io.BytesIO(data))

    def commit(self) -> None:
        """Finish the archive, put it on disk, then give it its final name."""
        assert self._tar is not None
        assert self._stream is not None
        self._tar.close()
        self._stream.flush()
        os.fsync(self._stream.fileno())
        if self.final.exists():
            raise BackupError(f"{self.final} exists already: choose another name")
        os.replace(self.partial, self.final)
        fsync_directory(self.final.parent)
        self._committed = True

    def __exit__(self, *exc_info: object) -> None:
        if self._tar is not None and not self._committed:
            with contextlib.suppress(*_READ_ERRORS):
                self._tar.close()
        for stream in (self._stream, self._scratch_lock):
            if stream is not None:
                stream.close()
        if not self._committed:
            self.partial.unlink(missing_ok=True)
        self.scratch.unlink(missing_ok=True)


# --- reading -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class VerifiedArchive:
    """An archive whose every member matched its manifest; `entries` are all members but the manifest."""

    path: Path
    manifest: dict[str, Any]
    entries: dict[str, Entry]

    @property
    def engine(self) -> str:
        return str(self.manifest["database"]["engine"])

    @property
    def database_member(self) -> str:
        return DATABASE_MEMBER[self.engine]

    @property
    def data_files(self) -> list[str]:
        """The data directory's files, relative to it."""
        return sorted(name[len(DATA_PREFIX) :] for name in self.entries if name.startswith(DATA_PREFIX))


def check_member_name(name: str) -> None:
    """Refuse a member name a backup never writes: absolute, with `..`, or outside its layout."""
    path = PurePosixPath(name)
    if (
        not name
        or "\\" in name
        or "\x00" in name
        or path.is_absolute()
        or ".." in path.parts
        or path.as_posix() != name
    ):
        raise ArchiveError(f"the archive holds an unsafe path {name!r}: it is not a PACTESUR backup")
    if name == MANIFEST or name in DATABASE_MEMBER.values():
        return
    if not name.startswith(DATA_PREFIX) or not is_saved(PurePosixPath(name[len(DATA_PREFIX) :])):
        raise ArchiveError(f"the archive holds {name!r}, which a PACTESUR backup never contains")


def _check_member(member: tarfile.TarInfo, seen: set[str]) -> None:
    check_member_name(member.name)
    if not member.isreg():
        kind = "link" if member.issym() or member.islnk() else "special file or folder"
        raise ArchiveError(f"the archive holds a {kind} {member.name!r}: a PACTESUR backup holds only files")
    if member.name in seen:
        raise ArchiveError(f"the archive holds {member.name!r} twice: it is not a PACTESUR backup")
    seen.add(member.name)


@contextlib.contextmanager
def _open_archive(path: Path) -> Iterator[tarfile.TarFile]:
    try:
        tar = tarfile.open(path, mode="r:*")  # noqa: SIM115 (closed below, after the yield)
    except _READ_ERRORS as exc:
        raise ArchiveError(f"{path} is not a PACTESUR backup: not a tar archive, or a damaged one") from exc
    try:
        yield tar
    finally:
        tar.close()


def _members(tar: tarfile.TarFile, path: Path) -> Iterator[tarfile.TarInfo]:
    """Each member, checked, reading headers one at a time (a corrupt header is a clear error)."""
    seen: set[str] = set()
    while True:
        try:
            member = tar.next()
        except _READ_ERRORS as exc:
            raise ArchiveError(f"{path} is damaged or incomplete: {_one_line(exc)}") from exc
        if member is None:
            return
        _check_member(member, seen)
        yield member


def _copy_member(
    tar: tarfile.TarFile, member: tarfile.TarInfo, path: Path, write: Callable[[bytes], object] | None
) -> str:
    """Read a member through, passing its bytes to `write`; return its SHA-256."""
    digest = hashlib.sha256()
    try:
        stream = tar.extractfile(member)
        assert stream is not None  # a regular file
        remaining = member.size
        while remaining > 0:
            chunk = stream.read(min(_CHUNK_BYTES, remaining))
            if not chunk:
                raise EOFError("unexpected end of data")
            digest.update(chunk)
            if write is not None:
                write(chunk)
            remaining -= len(chunk)
    except _READ_ERRORS as exc:
        raise ArchiveError(f"{path} is damaged or incomplete (cut short?): {_one_line(exc)}") from exc
    return digest.hexdigest()


def _parse_manifest(tar: tarfile.TarFile, member: tarfile.TarInfo, path: Path) -> dict[str, Any]:
    if member.size > _MAX_MANIFEST_BYTES:
        raise ArchiveError(f"{path}: its manifest is implausibly large; it is not a PACTESUR backup")
    chunks: list[bytes] = []
    _copy_member(tar, member, path, chunks.append)
    try:
        manifest = json.loads(b"".join(chunks))
    except ValueError as exc:
        raise ArchiveError(f"{path}: its manifest is not valid JSON; it is not a PACTESUR backup") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ArchiveError(f"{path} is not a PACTESUR backup (its manifest is another program's)")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise ArchiveError(
            f"{path} is a PACTESUR backup of format {manifest.get('format_version')!r}; this "
            f"PACTESUR reads format {FORMAT_VERSION} (backup made by PACTESUR "
            f"{manifest.get('pactesur_version', '?')})"
        )
    return manifest


def _manifest_entries(manifest: dict[str, Any], path: Path) -> dict[str, Entry]:
    try:
        entries = {
            str(item["path"]): Entry(str(item["path"]), int(item["size"]), str(item["sha256"]))
            for item in manifest["files"]
        }
        engine = str(manifest["database"]["engine"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ArchiveError(f"{path}: its manifest lacks {exc}; it is not a complete PACTESUR backup") from exc
    if DATABASE_MEMBER.get(engine) not in entries:
        raise ArchiveError(f"{path}: its manifest names no database; it is not a complete PACTESUR backup")
    for name in entries:
        check_member_name(name)
    return entries


def _ends_after(tar: tarfile.TarFile, last: tarfile.TarInfo) -> bool:
    """Whether the end-of-archive marker (two zero blocks) follows `last`, the manifest."""
    blocks = -(-last.size // tarfile.BLOCKSIZE)
    stream: Any = tar.fileobj
    try:
        stream.seek(last.offset_data + blocks * tarfile.BLOCKSIZE)
        return bool(stream.read(2 * tarfile.BLOCKSIZE) == bytes(2 * tarfile.BLOCKSIZE))
    except _READ_ERRORS:
        return False


def verify_archive(path: Path) -> VerifiedArchive:
    """Read the whole archive, check every member against the manifest; change nothing."""
    found: dict[str, Entry] = {}
    manifest: dict[str, Any] | None = None
    complete = False
    with _open_archive(path) as tar:
        for member in _members(tar, path):
            if manifest is not None:
                raise ArchiveError(f"{path} holds {member.name!r} after its manifest: it was altered")
            if member.name == MANIFEST:
                manifest = _parse_manifest(tar, member, path)
                complete = _ends_after(tar, member)
            else:
                found[member.name] = Entry(member.name, member.size, _copy_member(tar, member, path, None))
    if manifest is None or not complete:
        raise ArchiveError(
            f"{path} is incomplete (a backup cut short, or a truncated copy)"
            + ("" if manifest is not None else ", or not a PACTESUR backup: it has no manifest")
        )
    expected = _manifest_entries(manifest, path)
    missing = sorted(set(expected) - set(found))
    if missing:
        raise ArchiveError(
            f"{path} is incomplete: {len(missing)} files of its manifest are missing ({missing[0]}…)"
        )
    extra = sorted(set(found) - set(expected))
    if extra:
        raise ArchiveError(f"{path} holds files its manifest does not list ({extra[0]}): it was altered")
    for name, entry in expected.items():
        if found[name] != entry:
            raise ArchiveError(
                f"{path} is damaged or was altered: {name} does not match the checksum of the manifest"
            )
    return VerifiedArchive(path, manifest, expected)


def extract_verified(archive: VerifiedArchive, destination: Callable[[str], Path]) -> None:
    """Copy every member but the manifest to `destination(name)`, checking each checksum again.

    Files are created anew (never through an existing file or link) with the archive's mode.
    """
    expected = archive.entries
    with _open_archive(archive.path) as tar:
        for member in _members(tar, archive.path):
            if member.name == MANIFEST:
                continue
            entry = expected.get(member.name)
            if entry is None or member.size != entry.size:
                raise ArchiveError(f"{archive.path} changed since it was verified: restore it again")
            target = destination(member.name)
            target.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(
                target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, (member.mode & 0o777) | 0o600
            )
            with os.fdopen(descriptor, "wb") as out:
                digest = _copy_member(tar, member, archive.path, out.write)
                out.flush()
                os.fsync(out.fileno())
            if digest != entry.sha256:
                raise ArchiveError(f"{archive.path} changed since it was verified: restore it again")
            os.utime(target, (member.mtime, member.mtime))
