"""Reads the API needs that the apps' selectors do not offer (yet).

Each is small and read-only; where an app's selectors grow the same read, use that one.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from collegium.api.models import ApiToken
from collegium.elections.selectors import seats_held
from collegium.federation.models import Body, Member
from collegium.federation.selectors import body_by_code, body_children, charter_history
from collegium.federation.selectors import member_by_public_id as _member_by_public_id
from collegium.record.selectors import entry_by_index, root_at

__all__ = [
    "body_by_code",
    "body_children",
    "charter_history",
    "entry_by_index",
    "root_at",
    "seats_held",
]


def tokens_of(user: Any) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def token_of(user: Any, token_id: int) -> ApiToken | None:
    return tokens_of(user).filter(pk=token_id).first()


def member_by_public_id(public_id: str) -> Member | None:
    return _member_by_public_id(public_id, active_only=True)


def members_of(body: Body, base: QuerySet[Member]) -> QuerySet[Member]:
    """The members of a body as the API lists them: for a commission, its seat-holders
    (commission members are those who hold a seat on it), otherwise ``base``."""
    if body.kind == "commission":
        from collegium.elections.selectors import board_seats

        base = Member.objects.filter(pk__in=board_seats(body).values("holder_id"), active=True)
    return base.select_related("category", "workplace").order_by(
        "family_name", "given_name", "member_no"
    )
