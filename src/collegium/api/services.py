"""Writes for API tokens.

Tokens are personal credentials, not acts of a body, so they are not put on the public
record (see docs/adr/0005-api-tokens.md).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from collegium.api.models import ApiToken
from collegium.federation.permissions import PermissionDenied, require

TOKEN_SCHEME = "clg"  # noqa: S105 - the visible scheme of every token, not a secret
# Writing "last used" on every call would turn each read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class TokenError(ValueError):
    pass


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # the whole token, shown once


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _parse(secret: str) -> str | None:
    """The lookup prefix of a token ``clg_<prefix>_<random>``, or None if malformed."""
    scheme, sep, rest = secret.partition("_")
    prefix, sep2, random_part = rest.partition("_")
    if scheme != TOKEN_SCHEME or not sep or not sep2 or not prefix or not random_part:
        return None
    return prefix


@transaction.atomic
def api_token_create(*, user: Any, name: str) -> NewToken:
    """Make a personal token for a signed-in user; the secret is returned only here."""
    require(bool(getattr(user, "is_authenticated", False)), "sign in to make an API token")
    name = name.strip()
    if not name:
        raise TokenError("give the token a name, so you know later where it is used")
    if len(name) > 100:
        raise TokenError("the name is too long (at most 100 characters)")
    prefix = secrets.token_hex(6)
    secret = f"{TOKEN_SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user, name=name, prefix=prefix, digest=token_digest(secret)
    )
    return NewToken(token=token, secret=secret)


@transaction.atomic
def api_token_revoke(*, user: Any, token: ApiToken) -> ApiToken:
    """Revoke one of the user's own tokens (revoking twice is harmless)."""
    if token.user_id != getattr(user, "pk", None):
        raise PermissionDenied("you may revoke only your own API tokens")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_authenticate(secret: str) -> Any | None:
    """The active user a token belongs to, or None for unknown, malformed or revoked."""
    prefix = _parse(secret.strip())
    if prefix is None:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(prefix=prefix, revoked_at__isnull=True)
        .first()
    )
    if token is None or not hmac.compare_digest(token.digest, token_digest(secret.strip())):
        return None
    if not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
