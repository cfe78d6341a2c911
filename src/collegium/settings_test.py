"""Test settings: fast hashing, in-memory mail, a throwaway signing key."""

from __future__ import annotations

import tempfile
from pathlib import Path

from collegium.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
COLLEGIUM_SIGNING_KEY_FILE = Path(tempfile.mkdtemp(prefix="collegium-test-")) / "signing.key"
COLLEGIUM_ORIGIN = "test.collegium.localhost/federation"
COLLEGIUM_KEY_NAME = COLLEGIUM_ORIGIN
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
WHITENOISE_AUTOREFRESH = True
