"""Fixtures of the jobs tests: the streets tests' private data directory."""

from tests.streets.conftest import data_dir

__all__ = ["data_dir"]
