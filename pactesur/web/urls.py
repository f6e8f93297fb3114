"""URL wiring: each app owns its own urls module."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from pactesur.web.api import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("django-admin/", admin.site.urls),
]
urlpatterns += i18n_patterns(
    path("", include("pactesur.cities.urls")),
    path("accounts/", include("pactesur.accounts.urls")),
    path("audit/", include("pactesur.audit.urls")),
    path("streets/", include("pactesur.streets.urls")),
    path("spaces/", include("pactesur.spaces.urls")),
    path("events/", include("pactesur.events.urls")),
    path("analysis/", include("pactesur.analysis.urls")),
    path("assessments/", include("pactesur.assessments.urls")),
    prefix_default_language=False,
)
