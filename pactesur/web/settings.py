"""Django settings, built from the typed environment schema in `pactesur.web.config`."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from pactesur.web.config import Config

CONFIG = Config.from_env()
PACKAGE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = CONFIG.secret_key
DEBUG = CONFIG.debug
ALLOWED_HOSTS = list(CONFIG.allowed_hosts)
PACTESUR_DATA_DIR = CONFIG.data_dir
# Whose X-Forwarded-Proto and X-Forwarded-For to believe: applied in pactesur.web.wsgi.
PACTESUR_TRUSTED_PROXIES = CONFIG.trusted_proxies
# A background worker silent for this long has lost its running job (pactesur.jobs.sweeps).
PACTESUR_JOB_LOST_AFTER_S = CONFIG.job_lost_after_s

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # before django_tasks_db: its `db_worker` command (with a heartbeat) replaces theirs
    "pactesur.jobs",
    "django_tasks",
    "django_tasks_db",
    "pactesur.accounts",
    "pactesur.cities",
    "pactesur.audit",
    "pactesur.streets",
    "pactesur.spaces",
    "pactesur.events",
    "pactesur.analysis",
    "pactesur.measures",
    "pactesur.assessments",
    "pactesur.reports",
]

MIDDLEWARE = [
    "pactesur.web.middleware.ApiJsonErrorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "pactesur.web.middleware.ApiLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "pactesur.accounts.middleware.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "pactesur.cities.middleware.CurrentCityMiddleware",
    "pactesur.accounts.middleware.TwoFactorRequiredMiddleware",
    "axes.middleware.AxesMiddleware",
    "pactesur.web.caching.NoStoreMiddleware",
]

ROOT_URLCONF = "pactesur.web.urls"
WSGI_APPLICATION = "pactesur.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "pactesur.cities.context_processors.current_city",
                "pactesur.web.map_texts.map_texts_context",
            ],
        },
    },
]

DATABASES = {"default": dj_database_url.parse(CONFIG.database_url, conn_max_age=0)}
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    # A server connection costs milliseconds to open: each web thread keeps its own for up to ten
    # minutes, checked before reuse (at most workers × threads connections, `pactesur serve`).
    DATABASES["default"]["CONN_MAX_AGE"] = 600
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the worker write while pages read; a busy timeout instead of "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
        "transaction_mode": "IMMEDIATE",
    }
    # Tests use a file, not Django's shared-cache in-memory database: the live server, the worker
    # thread and the test then lock rows through WAL and the busy timeout instead of failing at once
    # with "database table is locked".
    # One file per test process, so that two test runs in one checkout do not share it.
    DATABASES["default"]["TEST"] = {"NAME": str(CONFIG.data_dir / f"test-pactesur-{os.getpid()}.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Login throttling: 5 failures lock that username from that address for 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# The address is REMOTE_ADDR, which the trusted-proxy middleware sets from X-Forwarded-For only for
# our own proxies; never django-ipware's reading of the raw headers, should it ever be installed.
AXES_CLIENT_IP_CALLABLE = "pactesur.audit.actions.client_ip"

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("it", _("Italian")),
    ("de", _("German")),
    ("es", _("Spanish")),
]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
# English dates as Europeans write them (5 December 2026, 05/12/2026 14:30), not Django's American
# ones; the other languages keep Django's formats.
FORMAT_MODULE_PATH = ["pactesur.formats"]
# Only where no city is known (log-in page, background jobs): a signed-in person's pages are in their
# current city's time zone (pactesur.cities.middleware), the events CSV in its city's.
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = CONFIG.data_dir / "static"
# WhiteNoise warns (an error under pytest) when STATIC_ROOT is missing before collectstatic has run.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)


def _package_static_dir(package: str) -> Path:
    """The static/ folder of an installed pip package, found without importing it."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ImproperlyConfigured(f"the {package} package is missing: run pip install -e . again")
    return Path(next(iter(spec.submodule_search_locations))) / "static"


# Leaflet and Leaflet.draw come from the django-leaflet wheel (served as /static/leaflet/…); the app
# itself is not installed, as it would pull in GeoDjango.
STATICFILES_DIRS = [PACKAGE_DIR / "static", _package_static_dir("leaflet")]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = CONFIG.data_dir / "files"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# Background jobs: django-tasks with its database backend, so the embedded default needs no other service.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

if CONFIG.email_url == "console":
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = CONFIG.email_url
DEFAULT_FROM_EMAIL = "pactesur@localhost"

# Strict Content Security Policy: every script, style, image and font comes from this server.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

SESSION_COOKIE_HTTPONLY = True
# A session ends when the browser closes, after PACTESUR_SESSION_IDLE_MINUTES without a request
# (pactesur.accounts.middleware), and at the latest after a working day.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = 12 * 3600
PACTESUR_SESSION_IDLE_MINUTES = CONFIG.session_idle_minutes
# Restricted exports and role changes need the password (and two-factor code) confirmed this recently.
PACTESUR_REAUTH_MINUTES = CONFIG.reauth_minutes
# Two-factor log-in (django-otp): the name authenticator apps show beside the account.
OTP_TOTP_ISSUER = "PACTESUR"
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if CONFIG.production:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # No SECURE_PROXY_SSL_HEADER: it believes X-Forwarded-Proto from anyone. Behind a proxy of
    # PACTESUR_TRUSTED_PROXIES, pactesur.web.proxy sets wsgi.url_scheme, which Django reads.

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"pactesur": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}
