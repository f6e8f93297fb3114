"""App configuration of streets: gives the spaces app the named streets of a city's network."""

from django.apps import AppConfig


class StreetsConfig(AppConfig):
    name = "pactesur.streets"
    verbose_name = "Street networks"

    def ready(self) -> None:
        from pactesur.spaces.naming import register_street_source
        from pactesur.streets.street_names import named_streets

        register_street_source(named_streets)
