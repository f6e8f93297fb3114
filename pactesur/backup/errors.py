"""Errors of backups and restores, with messages a person can act on."""

from __future__ import annotations


class BackupError(RuntimeError):
    """A backup or a restore cannot go on; the message says why and what to do."""


class ArchiveError(BackupError, ValueError):
    """The archive is not a complete, intact and safe PACTESUR backup."""


class TargetNotEmptyError(BackupError):
    """The database or the data directory to restore into already holds data."""


class DatabaseToolError(BackupError):
    """pg_dump or pg_restore is missing, of the wrong version, or failed."""
