"""Who may call, stand in and vote in board elections."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from collegium.elections.models import Seat
from collegium.federation.models import Body, Member
from collegium.federation.permissions import belongs_to, holds_seat, member_of


def electorate(body: Body) -> QuerySet[Member]:
    """Members who elect the body's board: those who belong to it. A commission is
    elected by the members of the body it is attached to."""
    base = body.parent if body.kind == "commission" and body.parent else body
    return Member.objects.filter(active=True, workplace__path__startswith=base.path)


def in_electorate(member: Member | None, body: Body) -> bool:
    if member is None:
        return False
    base = body.parent if body.kind == "commission" and body.parent else body
    return belongs_to(member, base)


def calling_board(body: Body) -> Body | None:
    """The board that calls an election: the body's own, or its parent's while the body
    has no board yet."""
    today = timezone.localdate()
    if Seat.objects.filter(body=body, vacated_on__isnull=True, term_end__gte=today).exists():
        return body
    return body.parent


def can_call_election(user: Any, body: Body) -> bool:
    board = calling_board(body)
    return board is not None and holds_seat(member_of(user), board)


def consecutive_terms(member: Member, body: Body) -> int:
    """Terms in a row the member has served on the body's board, the current one included."""
    seats = list(Seat.objects.filter(body=body, holder=member).order_by("-term_start"))
    count, previous_start = 0, None
    for seat in seats:
        # A gap of more than a month between terms breaks the run.
        if previous_start is not None and (previous_start - seat.term_end).days > 31:
            break
        count += 1
        previous_start = seat.term_start
    return count
