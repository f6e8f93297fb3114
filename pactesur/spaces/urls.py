"""URLs of spaces."""

from django.urls import path

from pactesur.spaces import views

app_name = "spaces"
urlpatterns = [
    path("", views.space_list, name="list"),
    path("map/", views.space_map, name="map"),
    path("archived/", views.archived_list, name="archived"),
    path("new/", views.space_create, name="create"),
    path("export.geojson", views.export_geojson, name="export_geojson"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("<int:pk>/", views.space_detail, name="detail"),
    path("<int:pk>/edit/", views.space_edit, name="edit"),
    path("<int:pk>/archive/", views.space_archive, name="archive"),
    path("<int:pk>/restore/", views.space_restore, name="restore"),
    path("<int:pk>/purge/", views.space_purge, name="purge"),
]
