"""URLs of streets."""

from django.urls import path

from pactesur.streets import views

app_name = "streets"
urlpatterns = [
    path("", views.network_list, name="list"),
    path("import/", views.import_osm, name="import"),
    path("map/", views.network_map, name="map"),
    path("jobs/<int:pk>/", views.job_detail, name="job"),
    path("jobs/<int:pk>/status.json", views.job_status, name="job-status"),
    path("jobs/<int:pk>/activate/", views.job_activate, name="job-activate"),
    path("jobs/<int:pk>/cancel/", views.job_cancel, name="job-cancel"),
    path("<int:city_id>/basemap.json", views.basemap, name="basemap"),
]
