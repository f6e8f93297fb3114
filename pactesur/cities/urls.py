"""URLs of cities."""

from django.urls import path

from pactesur.cities import views

urlpatterns = [
    path("", views.home, name="home"),
]
