"""URLs of assessments."""

from django.urls import path

from pactesur.assessments import views, views_triggers
from pactesur.assessments import views_decisions as decisions_views

app_name = "assessments"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("report.pdf", views.city_report, name="city_report"),
    path("threat-level/", views_triggers.threat_level, name="threat_level"),
    path("attacks/", views_triggers.recorded_attacks, name="attacks"),
    path("flags/", views_triggers.flags, name="flags"),
    path("flags/<int:flag_id>/dismiss/", views_triggers.flag_dismiss, name="flag_dismiss"),
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
    path("<int:pk>/decisions/", decisions_views.decisions_page, name="decisions"),
    path("<int:pk>/decisions/<int:scenario_id>/", decisions_views.decide, name="decide"),
    path("<int:pk>/actions/new/", decisions_views.action_new, name="action_new"),
    path("<int:pk>/actions/<int:action_id>/", decisions_views.action_edit, name="action_edit"),
    path("<int:pk>/actions/<int:action_id>/status/", decisions_views.action_status, name="action_status"),
    path("<int:pk>/team/", decisions_views.team, name="team"),
    path("<int:pk>/team/<int:member_id>/delete/", decisions_views.team_remove, name="team_remove"),
]
