"""WSGI entry point: Django behind the trusted-proxy middleware (`pactesur.web.proxy`)."""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from pactesur.web.proxy import TrustedProxyMiddleware

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pactesur.web.settings")
django_application = get_wsgi_application()
application = TrustedProxyMiddleware(django_application, trusted=settings.PACTESUR_TRUSTED_PROXIES)
