"""Which files of the data directory a backup saves, and which it leaves out."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

# The default folder of backups, inside the data directory; never saved itself.
BACKUPS_DIR = "backups"
# Top-level folders left out: collectstatic's output is made again from the package.
_SKIPPED_TOP = frozenset({"static", BACKUPS_DIR})
# A restore stages the archive's files here before moving them into place.
RESTORE_STAGING_PREFIX = ".restore-partial-"
# Temporary files: an import's (`.partial-*`), a speed map's and the secret key's (`*.tmp`),
# a backup's or a restore's (`*.partial`). Databases (`*.sqlite3` and their journals) are saved
# from a consistent snapshot, never copied as files: a copy of a database being written is torn.
_SKIPPED_NAME = re.compile(r"^\.partial-|\.tmp$|\.partial$|\.sqlite3(-wal|-shm|-journal)?$")


@dataclass(frozen=True)
class DataFile:
    """A file a backup saves: its path relative to the data directory, with `/` separators."""

    relative: str
    path: Path


def is_saved(relative: PurePosixPath) -> bool:
    """Whether a backup saves the file at `relative` (also what a restore accepts to write)."""
    parts = relative.parts
    if not parts or relative.is_absolute() or any(part in ("", ".", "..") for part in parts):
        return False
    if parts[0] in _SKIPPED_TOP or parts[0].startswith(RESTORE_STAGING_PREFIX):
        return False
    return _SKIPPED_NAME.search(parts[-1]) is None


def saved_files(data_dir: Path, *, exclude: Iterable[Path] = ()) -> list[DataFile]:
    """List the regular files a backup of `data_dir` saves, sorted by path.

    Symbolic links are followed (a `networks` folder may live on another disk), each real
    folder is walked once so that a link loop ends, and `exclude` (archives, staging folders)
    is left out wherever it lies.
    """
    root = data_dir.resolve()
    excluded = {path.resolve() for path in exclude}
    seen_dirs: set[tuple[int, int]] = set()
    found: list[DataFile] = []
    for folder, dir_names, file_names in os.walk(root, followlinks=True):
        here = Path(folder)
        info = here.stat()
        identity = (info.st_dev, info.st_ino)
        if identity in seen_dirs:
            dir_names[:] = []
            continue
        seen_dirs.add(identity)
        dir_names[:] = sorted(
            name
            for name in dir_names
            if (here / name).resolve() not in excluded
            and is_saved(PurePosixPath((here / name).relative_to(root).as_posix()) / "_")
        )
        for name in file_names:
            path = here / name
            relative = PurePosixPath(path.relative_to(root).as_posix())
            if not is_saved(relative) or path.resolve() in excluded:
                continue
            try:
                if not stat.S_ISREG(path.stat().st_mode):  # no sockets, pipes or devices
                    continue
            except FileNotFoundError:
                continue  # gone since the walk listed it, or a dangling link
            found.append(DataFile(str(relative), path))
    return sorted(found, key=lambda item: item.relative)
