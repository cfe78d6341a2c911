"""Who may call, stand in and vote in elections of boards and delegates.

Members elect the boards of their workplaces (enterprises, shops) and of commissions, and
their workplace's delegates to the body above, by secret ballot. The boards of industrial
unions and of the congress are elected by the delegates of their member bodies, each
delegate's vote weighted by the members they represent, in a public roll call.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from collegium.elections.models import Seat, SeatRole
from collegium.federation.models import Body, Member
from collegium.federation.permissions import belongs_to, holds_seat, member_of
from collegium.federation.selectors import body_members

DELEGATE_ELECTED = ("industrial_union", "congress")


def _member_base(body: Body) -> Body:
    # A commission is elected by the members of the body it is attached to.
    return body.parent if body.kind == "commission" and body.parent else body


def elected_by_delegates(body: Body, role: str = SeatRole.BOARD) -> bool:
    return role == SeatRole.BOARD and body.kind in DELEGATE_ELECTED


def current_seats(body: Body, role: str) -> QuerySet[Seat]:
    today = timezone.localdate()
    return Seat.objects.filter(
        body=body,
        role=role,
        vacated_on__isnull=True,
        term_start__lte=today,
        term_end__gte=today,
    )


def delegate_weights(body: Body) -> dict[int, int]:
    """Member id → members represented, for the delegates who elect ``body``'s board.

    Each member body's members are split evenly among its current delegates (the first
    delegates by seat order take the remainder), so weights add up to the membership.
    """
    weights: dict[int, int] = {}
    today = timezone.localdate()
    seats = (
        Seat.objects.filter(
            body__parent=body,
            role=SeatRole.DELEGATE,
            vacated_on__isnull=True,
            term_start__lte=today,
            term_end__gte=today,
        )
        .select_related("body")
        .order_by("body_id", "id")
    )
    by_body: dict[int, list[Seat]] = {}
    for seat in seats:
        by_body.setdefault(seat.body_id, []).append(seat)
    for group in by_body.values():
        represented = body_members(group[0].body).count()
        share, extra = divmod(represented, len(group))
        for i, seat in enumerate(group):
            weights[seat.holder_id] = weights.get(seat.holder_id, 0) + share + (i < extra)
    return weights


def electorate(body: Body, role: str = SeatRole.BOARD) -> QuerySet[Member]:
    """The members who elect (and may recall) the body's board or delegates."""
    if elected_by_delegates(body, role):
        return Member.objects.filter(pk__in=list(delegate_weights(body)), active=True)
    return Member.objects.filter(active=True, workplace__path__startswith=_member_base(body).path)


@dataclass(frozen=True)
class Elector:
    weight: int
    public: bool  # a delegate's roll-call vote is published with their name


def elector(member: Member | None, body: Body, role: str = SeatRole.BOARD) -> Elector | None:
    if member is None or not member.active:
        return None
    if elected_by_delegates(body, role):
        weight = delegate_weights(body).get(member.pk)
        return Elector(weight, public=True) if weight else None
    return Elector(1, public=False) if belongs_to(member, _member_base(body)) else None


def in_electorate(member: Member | None, body: Body, role: str = SeatRole.BOARD) -> bool:
    return elector(member, body, role) is not None


def eligible_candidate(member: Member, body: Body) -> bool:
    """Anyone who belongs to the body may stand, for its board or as its delegate."""
    return belongs_to(member, _member_base(body))


def calling_board(body: Body) -> Body | None:
    """The board that calls an election: the body's own, or its parent's while the body
    has no board yet."""
    today = timezone.localdate()
    if Seat.objects.filter(
        body=body, role=SeatRole.BOARD, vacated_on__isnull=True, term_end__gte=today
    ).exists():
        return body
    return body.parent


def can_call_election(user: Any, body: Body) -> bool:
    board = calling_board(body)
    return board is not None and holds_seat(member_of(user), board)


def consecutive_terms(member: Member, body: Body, role: str = SeatRole.BOARD) -> int:
    """Terms in a row the member has served in this role for the body, the current one
    included."""
    seats = list(Seat.objects.filter(body=body, holder=member, role=role).order_by("-term_start"))
    count, previous_start = 0, None
    for seat in seats:
        # A gap of more than a month between terms breaks the run.
        if previous_start is not None and (previous_start - seat.term_end).days > 31:
            break
        count += 1
        previous_start = seat.term_start
    return count
