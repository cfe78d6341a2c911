"""Who is calling: a personal API token, a browser session (with CSRF), or nobody.

* ``Authorization: Bearer clg_…`` authenticates as the token's owner. An unknown,
  malformed or revoked token is refused with 401 even on public endpoints, so a script
  never silently runs as the public. Bearer requests need no CSRF token: a browser never
  adds that header by itself.
* A signed-in browser session authenticates as its user; unsafe methods (POST, PATCH,
  DELETE) then need the CSRF token (``X-CSRFToken`` header), as on the pages.
* Public endpoints end the chain with :class:`Anonymous`, so the handler always gets a
  user object in ``request.auth`` (``AnonymousUser`` for the public).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import APIKeyCookie, HttpBearer

from collegium.api.services import api_token_authenticate

SIGN_IN_MESSAGE = (
    "authentication required: sign in, or send a personal API token as "
    "'Authorization: Bearer <token>' (make one at /api/tokens/)"
)


class BearerToken(HttpBearer):
    """A personal API token (see ``collegium.api.models.ApiToken``)."""

    def __call__(self, request: HttpRequest) -> Any | None:
        header = request.headers.get(self.header)
        if not header:
            return None
        scheme, _, token = header.strip().partition(" ")
        if scheme.lower() != "bearer":
            return None
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        user = api_token_authenticate(token) if token else None
        if user is None:
            raise AuthenticationError(401, "the API token is unknown or revoked")
        return user


class SessionAuth(APIKeyCookie):
    """The browser's Django session; CSRF is checked for signed-in unsafe requests."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None  # nobody signed in: nothing to protect, the next method decides
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any | None:
        user = request.user
        return user if user.is_authenticated else None


class Anonymous:
    """Lets the public through as ``AnonymousUser`` (last in the chain)."""

    def __call__(self, request: HttpRequest) -> Any:
        return AnonymousUser()


bearer = BearerToken()
session = SessionAuth()
anonymous = Anonymous()

# Public reads: anyone, but a given token must be good.
OPTIONAL = [bearer, session, anonymous]
# Reads and writes that need to know who is calling.
REQUIRED = [bearer, session]
# Making tokens needs a signed-in browser session: a leaked token cannot mint more.
SESSION_ONLY = [session]


def caller(request: HttpRequest) -> Any:
    """The user the request acts as (``AnonymousUser`` for the public)."""
    user = getattr(request, "auth", None)
    return user if user is not None else AnonymousUser()
