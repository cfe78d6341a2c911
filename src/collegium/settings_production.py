"""Production settings: select with DJANGO_SETTINGS_MODULE=collegium.settings_production.

Requires COLLEGIUM_SECRET_KEY (at least 50 random characters) and COLLEGIUM_ALLOWED_HOSTS.
"""

from __future__ import annotations

import os

from collegium.settings import *  # noqa: F403

DEBUG = False
SECRET_KEY = os.environ["COLLEGIUM_SECRET_KEY"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = os.environ.get("COLLEGIUM_SSL_REDIRECT", "1") == "1"
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
WHITENOISE_USE_FINDERS = False
WHITENOISE_AUTOREFRESH = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
