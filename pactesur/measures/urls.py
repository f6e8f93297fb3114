"""URLs of the measure catalogue."""

from django.urls import path

from pactesur.measures import barrier_views, plan_views, views

app_name = "measures"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("installed/", views.installed_list, name="installed"),
    path("installed/new/", views.installed_create, name="installed_create"),
    path("installed/<int:pk>/", views.installed_detail, name="installed_detail"),
    path("installed/<int:pk>/edit/", views.installed_edit, name="installed_edit"),
    path("feedback/<int:pk>/photo/", views.feedback_photo, name="feedback_photo"),
    path("barriers/", barrier_views.barrier_list, name="barriers"),
    path("barriers/<int:pk>/", barrier_views.barrier_detail, name="barrier"),
    path("barriers/<int:pk>/approve/", barrier_views.barrier_approve, name="barrier_approve"),
    path("plans/", plan_views.plan_list, name="plans"),
    path("plans/<int:pk>/", plan_views.plan_detail, name="plan"),
    path("plans/<int:pk>/status.json", plan_views.plan_status, name="plan_status"),
    path("plans/<int:pk>/approve/", plan_views.plan_approve, name="plan_approve"),
    path("plans/<int:pk>/frontier.png", plan_views.plan_frontier_png, name="plan_frontier"),
    path("plans/<int:pk>/plan.csv", plan_views.plan_csv, name="plan_csv"),
]
