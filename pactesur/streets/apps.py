"""App configuration of streets."""

from django.apps import AppConfig


class StreetsConfig(AppConfig):
    name = "pactesur.streets"
    verbose_name = "Street networks"
