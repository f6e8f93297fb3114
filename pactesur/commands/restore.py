"""`pactesur restore ARCHIVE`: put a backup back into an empty database and data directory."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pactesur.commands._database import setup_django


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("archive", type=Path, help="an archive written by `pactesur backup`")
    parser.add_argument(
        "--check",
        action="store_true",
        help="only verify the archive (every checksum) and say what it holds; change nothing",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace a database and a data directory that already hold data (stop the app first)",
    )


def run(args: argparse.Namespace) -> int:
    setup_django()
    from pactesur.backup.actions import do_restore_backup, verify_backup
    from pactesur.backup.errors import BackupError

    try:
        if args.check:
            verified = verify_backup(args.archive)
        else:
            result = do_restore_backup(args.archive, force=args.force)
            verified = result.archive
    except (BackupError, OSError) as exc:
        # OSError: a folder that is not writable, a full disk — the system's own words say it best.
        print(f"error: {exc}", file=sys.stderr)
        return 2
    manifest = verified.manifest
    made = f"made {manifest.get('created_at', '?')} by PACTESUR {manifest.get('pactesur_version', '?')}"
    holds = f"{verified.engine} database and {len(verified.data_files)} files"
    if args.check:
        print(f"{args.archive}: intact, {made}: {holds}")
        return 0
    print(f"restored {args.archive} ({made}): {holds} into {result.data_dir}")
    for name in manifest.get("missing_files", []):
        print(f"warning: {name} was already missing when the backup was made", file=sys.stderr)
    if result.pending_migrations:
        print(
            f"this version has {len(result.pending_migrations)} database migrations the backup lacks: "
            "run `pactesur manage migrate` before `pactesur serve`",
            file=sys.stderr,
        )
    return 0
