"""Reads for boards, delegates and elections."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from collegium.elections.models import Seat, SeatRole
from collegium.federation.models import Body


def _current(body: Body, role: str) -> QuerySet[Seat]:
    today = timezone.localdate()
    return (
        Seat.objects.filter(
            body=body,
            role=role,
            vacated_on__isnull=True,
            term_start__lte=today,
            term_end__gte=today,
        )
        .select_related("holder", "holder__category")
        .order_by("holder__family_name")
    )


def board_seats(body: Body) -> QuerySet[Seat]:
    return _current(body, SeatRole.BOARD)


def delegate_seats(body: Body) -> QuerySet[Seat]:
    """The body's delegates to its parent body."""
    return _current(body, SeatRole.DELEGATE)


@dataclass(frozen=True)
class TimeAway:
    seat: Seat
    months: int
    limit: int
    over: bool


def time_away(body: Body) -> list[TimeAway]:
    """Seat-holders working full time for the body, with months away against the limit."""
    from collegium.federation.selectors import charter_as_dict

    limit = charter_as_dict(body)["max_months_away"]
    today = timezone.localdate()
    rows = []
    for seat in Seat.objects.filter(
        body=body, vacated_on__isnull=True, full_time_since__isnull=False
    ).select_related("holder"):
        assert seat.full_time_since is not None
        months = (
            (today.year - seat.full_time_since.year) * 12
            + (today.month - seat.full_time_since.month)
            - (today.day < seat.full_time_since.day)
        )
        rows.append(TimeAway(seat, max(0, months), limit, months > limit))
    return sorted(rows, key=lambda r: -r.months)
