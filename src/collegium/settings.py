"""Django settings for Collegium.

Everything that differs between installations comes from the environment:
``DATABASE_URL`` (dj-database-url form; default ``collegium.sqlite3`` in the working
directory), ``COLLEGIUM_SECRET_KEY``, ``COLLEGIUM_SIGNING_KEY_FILE``, ``COLLEGIUM_ORIGIN``.
Production hardening lives in ``collegium.settings_production``.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF

PACKAGE_DIR = Path(__file__).resolve().parent
WORK_DIR = Path.cwd()

SECRET_KEY = os.environ.get(
    "COLLEGIUM_SECRET_KEY", "insecure-development-key-set-COLLEGIUM_SECRET_KEY-in-production"
)
DEBUG = os.environ.get("COLLEGIUM_DEBUG", "1") == "1"
ALLOWED_HOSTS = [
    h for h in os.environ.get("COLLEGIUM_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "collegium.accounts",
    "collegium.record",
    "collegium.federation",
    "collegium.elections",
    "collegium.decisions",
    "collegium.criticism",
    "collegium.conditions",
    "collegium.housing",
    "collegium.notifications",
    "collegium.ops",
    "collegium.web",
    "collegium.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "collegium.web.middleware.UnstorableInputMiddleware",
]

ROOT_URLCONF = "collegium.urls"
WSGI_APPLICATION = "collegium.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "collegium.web.context.site",
            ],
        },
    }
]


def _database_from_url(url: str) -> dict[str, object]:
    config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=60))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers run beside the one writer; FULL sync keeps committed record
        # entries on disk; IMMEDIATE takes the write lock at BEGIN, so two services never
        # deadlock upgrading a read lock.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
            ),
        }
        config["CONN_MAX_AGE"] = 0
    return config


DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{WORK_DIR / 'collegium.sqlite3'}")
DATABASES = {"default": _database_from_url(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
# Invitation links stay valid for two weeks.
PASSWORD_RESET_TIMEOUT = 14 * 24 * 3600

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = WORK_DIR / "var" / "static"

# Members' uploads (photos of conditions) live outside the web root and are served only
# through views that check who may see them. Re-encoded images stay well under the limit.
COLLEGIUM_UPLOAD_DIR = Path(os.environ.get("COLLEGIUM_UPLOAD_DIR", WORK_DIR / "var" / "uploads"))
COLLEGIUM_UPLOAD_MAX_BYTES = 8 * 1024 * 1024
COLLEGIUM_UPLOAD_MAX_PIXELS = 40_000_000
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

EMAIL_BACKEND = os.environ.get(
    "COLLEGIUM_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
# Notices are also e-mailed (by a background task); the demo turns this off.
COLLEGIUM_EMAIL_NOTIFICATIONS = os.environ.get("COLLEGIUM_EMAIL_NOTIFICATIONS", "1") == "1"
DEFAULT_FROM_EMAIL = os.environ.get("COLLEGIUM_FROM_EMAIL", "collegium@localhost")

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads it to send X-CSRFToken

# The public record: the signing key lives outside the database.
_sqlite_name = DATABASES["default"].get("NAME")
_key_default = (
    Path(str(_sqlite_name)).with_suffix(".signing.key")
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" and _sqlite_name
    else WORK_DIR / "collegium.signing.key"
)
COLLEGIUM_SIGNING_KEY_FILE = Path(os.environ.get("COLLEGIUM_SIGNING_KEY_FILE", _key_default))
# The origin line of checkpoints names this federation's log; another federation's
# checkpoint carries another origin and another key.
COLLEGIUM_ORIGIN = os.environ.get("COLLEGIUM_ORIGIN", "collegium.localhost/federation")
COLLEGIUM_KEY_NAME = os.environ.get("COLLEGIUM_KEY_NAME", COLLEGIUM_ORIGIN)
COLLEGIUM_FEDERATION_NAME = os.environ.get("COLLEGIUM_FEDERATION_NAME", "Congress of Producers")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
COLLEGIUM_BASE_URL = os.environ.get("COLLEGIUM_BASE_URL", "http://127.0.0.1:8000")
