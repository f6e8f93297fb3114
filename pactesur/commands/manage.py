"""`pactesur manage …`: Django's management commands with PACTESUR's settings."""

from __future__ import annotations

import argparse
import os


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "args", nargs=argparse.REMAINDER, help="a Django management command and its arguments"
    )


def run_raw(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pactesur.web.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["pactesur manage", *argv])
    return 0


def run(args: argparse.Namespace) -> int:
    return run_raw(list(args.args))
