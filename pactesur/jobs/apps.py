"""App configuration of jobs."""

from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "pactesur.jobs"
    verbose_name = "Background jobs"
