"""URLs of events."""

from django.urls import path

from pactesur.events import views

app_name = "events"
urlpatterns = [
    path("", views.event_list, name="list"),
    path("new/", views.event_create, name="create"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("archived/", views.archived_list, name="archived"),
    path("<int:pk>/", views.event_detail, name="detail"),
    path("<int:pk>/edit/", views.event_edit, name="edit"),
    path("<int:pk>/archive/", views.event_archive, name="archive"),
    path("<int:pk>/restore/", views.event_restore, name="restore"),
    path("<int:pk>/purge/", views.event_purge, name="purge"),
]
