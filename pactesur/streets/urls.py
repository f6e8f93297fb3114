"""URLs of streets."""

from django.urls import path  # noqa: F401

app_name = "streets"
urlpatterns: list = []
