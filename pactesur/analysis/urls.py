"""URLs of analysis."""

from django.urls import path

from pactesur.analysis import views

app_name = "analysis"
urlpatterns = [
    path("", views.city_analysis, name="city"),
    path("run/", views.city_run, name="city-run"),
    path("<int:city_id>/speeds/<str:vehicle>.json", views.city_speeds, name="city-speeds"),
    path("<int:city_id>/speeds/<str:vehicle>.csv", views.city_speeds_csv, name="city-speeds-csv"),
    path("spaces/<int:pk>/", views.space_analysis, name="space"),
    path("spaces/<int:pk>/status.json", views.space_status, name="space-status"),
    path("spaces/<int:pk>/run/", views.space_run, name="space-run"),
    path("spaces/<int:pk>/export.json", views.space_export_json, name="space-export-json"),
    path("spaces/<int:pk>/export.geojson", views.space_export_geojson, name="space-export-geojson"),
]
