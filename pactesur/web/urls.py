"""URL wiring: each app owns its own urls module."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from pactesur.web import views
from pactesur.web.api import api

# Errors are pages of the app's layout (API paths answer JSON); the 500 page needs no database.
handler403 = views.permission_denied
handler404 = views.page_not_found
handler500 = views.server_error

urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v1/", api.urls),
    path("i18n/", include("pactesur.web.i18n")),
    path("django-admin/", admin.site.urls),
    path("favicon.ico", views.favicon, name="favicon"),
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
    path("measures/", include("pactesur.measures.urls")),
    path("reports/", include("pactesur.reports.urls")),
    prefix_default_language=False,
)
