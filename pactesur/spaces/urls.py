"""URLs of spaces."""

from django.urls import path

from pactesur.spaces import views

app_name = "spaces"
urlpatterns = [
    path("", views.space_list, name="list"),
    path("map/", views.space_map, name="map"),
    path("new/", views.space_create, name="create"),
    path("export.geojson", views.export_geojson, name="export_geojson"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("<int:pk>/", views.space_detail, name="detail"),
    path("<int:pk>/edit/", views.space_edit, name="edit"),
    path("<int:pk>/delete/", views.space_delete, name="delete"),
]
