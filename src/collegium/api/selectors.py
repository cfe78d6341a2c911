"""Reads the API needs that the apps' selectors do not offer (yet).

Each is small and read-only; where an app's selectors grow the same read, use that one.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from collegium.api.models import ApiToken
from collegium.elections.models import Seat
from collegium.federation.models import Body, CharterChange, Member
from collegium.record.models import Entry


def tokens_of(user: Any) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def token_of(user: Any, token_id: int) -> ApiToken | None:
    return tokens_of(user).filter(pk=token_id).first()


def body_by_code(code: str) -> Body | None:
    return Body.objects.filter(code=code).first()


def body_children(body: Body) -> list[Body]:
    return list(Body.objects.filter(parent=body).order_by("kind", "name"))


def member_by_public_id(public_id: str) -> Member | None:
    return (
        Member.objects.select_related("category", "workplace")
        .filter(public_id=public_id, active=True)
        .first()
    )


def members_of(body: Body, base: QuerySet[Member]) -> QuerySet[Member]:
    """The members of a body as the API lists them: for a commission, its seat-holders
    (commission members are those who hold a seat on it), otherwise ``base``."""
    if body.kind == "commission":
        from collegium.elections.selectors import board_seats

        base = Member.objects.filter(pk__in=board_seats(body).values("holder_id"), active=True)
    return base.select_related("category", "workplace").order_by(
        "family_name", "given_name", "member_no"
    )


def seats_held(member: Member) -> QuerySet[Seat]:
    from django.utils import timezone

    today = timezone.localdate()
    return (
        Seat.objects.filter(
            holder=member, vacated_on__isnull=True, term_start__lte=today, term_end__gte=today
        )
        .select_related("body")
        .order_by("body__path")
    )


def charter_history(body: Body | None) -> QuerySet[CharterChange]:
    qs = CharterChange.objects.select_related("changed_by", "changed_by__member")
    qs = qs.filter(body__isnull=True) if body is None else qs.filter(body=body)
    return qs.order_by("-changed_at", "-id")


def entry_by_index(index: int) -> Entry | None:
    return Entry.objects.filter(index=index).first()


def root_at(size: int) -> bytes:
    """The root of the record's tree of the first ``size`` entries (stored with the entry
    that completed it)."""
    from collegium.ledger import EMPTY_ROOT

    if size == 0:
        return EMPTY_ROOT
    value = Entry.objects.filter(index=size - 1).values_list("root_after", flat=True).first()
    if value is None:
        raise ValueError(f"the record has fewer than {size} entries")
    return bytes(value)
