"""App configuration of cities."""

from django.apps import AppConfig


class CitiesConfig(AppConfig):
    name = "pactesur.cities"
    verbose_name = "Cities"
