"""Test settings: fast hashing, in-memory mail, a throwaway signing key."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from collegium.settings import *  # noqa: F403

# Each test run creates and drops its own database, whatever DATABASE_URL names.
# (SQLite tests use an in-memory database.)
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": f"test_collegium_{os.getpid()}"}  # noqa: F405

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
COLLEGIUM_SIGNING_KEY_FILE = Path(tempfile.mkdtemp(prefix="collegium-test-")) / "signing.key"
COLLEGIUM_ORIGIN = "test.collegium.localhost/federation"
COLLEGIUM_KEY_NAME = COLLEGIUM_ORIGIN
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
WHITENOISE_AUTOREFRESH = True
COLLEGIUM_UPLOAD_DIR = Path(tempfile.mkdtemp(prefix="collegium-test-uploads-"))
