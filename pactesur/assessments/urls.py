"""URLs of assessments."""

from django.urls import path

from pactesur.assessments import views

app_name = "assessments"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("report.pdf", views.city_report, name="city_report"),
    path("spaces/<int:space_id>/", views.space_assessment, name="space"),
    path("spaces/<int:space_id>/start/", views.start, name="start"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/context/", views.context, name="context"),
    path("<int:pk>/measures/", views.measures, name="measures"),
    path("<int:pk>/measures/<int:measure_id>/delete/", views.measure_delete, name="measure_delete"),
    path("<int:pk>/scenarios/<int:scenario_id>/", views.scenario, name="scenario"),
    path("<int:pk>/refresh/", views.refresh, name="refresh"),
    path("<int:pk>/what-if/", views.what_if, name="what_if"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/approve/", views.approve, name="approve"),
    path("<int:pk>/return/", views.return_to_draft, name="return"),
    path("<int:pk>/reopen/", views.reopen, name="reopen"),
    path("<int:pk>/history/", views.history, name="history"),
    path("<int:pk>/versions/<int:number>/", views.version, name="version"),
    path("<int:pk>/diff/", views.diff, name="diff"),
    path("<int:pk>/report.pdf", views.space_report, name="space_report"),
]
