"""`pactesur manage send_assessment_reminders`: e-mail the reviews that are overdue (once a day per city)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from pactesur.assessments.actions import do_send_assessment_reminders


class Command(BaseCommand):
    help = "E-mail each city's security managers and administrators the assessments overdue for review."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date", type=datetime.date.fromisoformat, help="pretend today is this day (YYYY-MM-DD)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        result = do_send_assessment_reminders(today=options.get("date"))
        self.stdout.write(
            f"{result.emails} e-mails sent for {result.cities} cities with overdue reviews"
            f" ({result.skipped} already reminded today)."
        )
