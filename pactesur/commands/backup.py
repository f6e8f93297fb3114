"""`pactesur backup`: the database and the data directory in one archive, while the app runs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pactesur.commands._database import setup_django


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--output",
        type=Path,
        help="the archive to write (name.tar, or name.tar.gz to compress it) or a folder to write it "
        "in (default: DATA_DIR/backups/pactesur-<UTC time>.tar)",
    )
    parser.add_argument(
        "--keep",
        type=_positive_int,
        metavar="N",
        help="then delete all but the N newest pactesur-*.tar archives of that folder",
    )


def run(args: argparse.Namespace) -> int:
    setup_django()
    from pactesur.backup.actions import do_create_backup
    from pactesur.backup.errors import BackupError

    try:
        result = do_create_backup(output=args.output, keep=args.keep)
    except (BackupError, OSError) as exc:
        # OSError: a folder that is not writable, a full disk — the system's own words say it best.
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for path in result.removed_unfinished:
        print(f"removed the unfinished backup {path}", file=sys.stderr)
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for name in result.missing_files:
        print(
            f"warning: {name} is named in the database but missing from the data directory", file=sys.stderr
        )
    for path in result.pruned:
        print(f"deleted the old backup {path}", file=sys.stderr)
    size_mb = result.size_bytes / 1e6
    print(f"{result.path}: {result.engine} database and {result.file_count} files, {size_mb:.1f} MB")
    return 0
