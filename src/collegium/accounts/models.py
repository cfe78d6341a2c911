"""Login accounts. Rights in bodies come from elected positions, not from this table."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A login. Members have one; the operator may have one without being a member.

    ``is_operator`` allows installation work and imports only; each operator act is
    recorded like any other change. ``is_superuser`` is never used to decide anything.
    """

    is_operator = models.BooleanField(default=False)

    class Meta:
        db_table = "accounts_user"
