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
    path("<int:city_id>/basemap.json", views.basemap, name="basemap"),
]
