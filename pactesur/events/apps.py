"""App configuration of events."""

from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "pactesur.events"
    verbose_name = "Events"
