"""URLs of cities: the home page (global name `home`) and the `cities:` pages."""

from django.urls import include, path

from pactesur.cities import views

city_patterns = (
    [
        path("switch/", views.switch, name="switch"),
        path("settings/", views.city_settings, name="settings"),
    ],
    "cities",
)

urlpatterns = [
    path("", views.home, name="home"),
    path("city/", include(city_patterns)),
]
