"""App configuration of analysis: connects the receivers that re-run analyses when inputs change."""

from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    name = "pactesur.analysis"
    verbose_name = "Vehicle dynamics assessment"

    def ready(self) -> None:
        from pactesur.analysis import receivers

        receivers.connect()
