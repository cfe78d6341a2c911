"""Personal API tokens: list, make (from a signed-in browser session), revoke."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status
from ninja.errors import HttpError

from collegium.api import selectors, services
from collegium.api.auth import REQUIRED, SESSION_ONLY, caller
from collegium.api.models import ApiToken
from collegium.api.schemas import Error, TokenCreated, TokenIn, TokenOut

router = Router(tags=["tokens"])


def _token(token: ApiToken) -> dict[str, Any]:
    return {
        "id": token.pk,
        "name": token.name,
        "prefix": token.prefix,
        "created_at": token.created_at,
        "last_used_at": token.last_used_at,
        "revoked_at": token.revoked_at,
        "active": token.active,
    }


@router.get(
    "/me/tokens",
    response={200: list[TokenOut], 401: Error},
    auth=REQUIRED,
    summary="My API tokens",
)
def list_tokens(request: HttpRequest) -> list[dict[str, Any]]:
    return [_token(t) for t in selectors.tokens_of(caller(request))]


@router.post(
    "/me/tokens",
    response={201: TokenCreated, 401: Error, 403: Error, 422: Error},
    auth=SESSION_ONLY,
    summary="Make an API token (signed-in browser session only)",
)
def create_token(request: HttpRequest, data: TokenIn) -> Status[dict[str, Any]]:
    """The token is in the answer this once; only its digest is kept."""
    try:
        new = services.api_token_create(user=caller(request), name=data.name)
    except services.TokenError as exc:
        raise HttpError(422, str(exc)) from None
    return Status(201, {**_token(new.token), "token": new.secret})


@router.delete(
    "/me/tokens/{token_id}",
    response={200: TokenOut, 401: Error, 404: Error},
    auth=REQUIRED,
    summary="Revoke one of my API tokens",
)
def revoke_token(request: HttpRequest, token_id: int) -> dict[str, Any]:
    user = caller(request)
    token = selectors.token_of(user, token_id)
    if token is None:
        raise HttpError(404, f"you have no API token {token_id}")
    return _token(services.api_token_revoke(user=user, token=token))
