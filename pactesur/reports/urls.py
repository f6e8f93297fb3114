"""URLs of the reports: the current city's local protection plans (prepared in the background, then
downloaded), an investment plan as PDF."""

from django.urls import path

from pactesur.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.protection_plan, name="protection_plan"),
    path("status.json", views.status, name="status"),
    path("<int:pk>/download.pdf", views.download, name="download"),
    path("investment-plans/<int:pk>.pdf", views.investment_plan, name="investment_plan"),
]
