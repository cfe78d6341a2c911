"""Writes for boards. Each appends its record entry in the same transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from collegium.elections.models import Seat
from collegium.federation.models import Body, Member
from collegium.federation.permissions import require
from collegium.record.services import Actor, actor_for, record_append


@transaction.atomic
def board_seat_founding(
    *,
    user: Any | None,
    actor: Actor | None = None,
    body: Body,
    members: list[Member],
    term_start: dt.date,
    term_end: dt.date,
) -> list[Seat]:
    """Seat a founding board taken over from before the federation used Collegium.

    Only the operator does this, once per body with no board yet; every later board is
    elected. The seating is on the record like any other change.
    """
    if user is not None:
        require(
            bool(getattr(user, "is_operator", False)), "only the operator seats a founding board"
        )
        actor = actor_for(user)
    assert actor is not None
    require(
        not Seat.objects.filter(body=body).exists(),
        f"{body.name} already has a board; boards are changed by election",
    )
    seats = Seat.objects.bulk_create(
        [
            Seat(body=body, holder=m, term_start=term_start, term_end=term_end, basis="founding")
            for m in members
        ]
    )
    record_append(
        kind="board.founded",
        actor=actor,
        body=body,
        data={
            "seats": [[m.public_id, m.category.code] for m in members],
            "term": [term_start.isoformat(), term_end.isoformat()],
        },
    )
    return seats
