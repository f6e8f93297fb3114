"""Wiring of the Django project: settings, URLs, WSGI/ASGI. No business logic here."""
