"""App configuration of spaces."""

from django.apps import AppConfig


class SpacesConfig(AppConfig):
    name = "pactesur.spaces"
    verbose_name = "Spaces"
