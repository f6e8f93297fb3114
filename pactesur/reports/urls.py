"""URLs of the reports: the local protection plan of the current city, an investment plan as PDF."""

from django.urls import path

from pactesur.reports import views

app_name = "reports"
urlpatterns = [
    path("protection-plan.pdf", views.protection_plan, name="protection_plan"),
    path("investment-plans/<int:pk>.pdf", views.investment_plan, name="investment_plan"),
]
