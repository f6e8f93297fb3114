"""Backups of the database and the data directory in one archive, and their restore."""
