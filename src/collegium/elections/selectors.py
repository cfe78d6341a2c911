"""Reads for boards, delegates and elections."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from collegium.elections.models import (
    DelegateVote,
    Election,
    Mandate,
    Nomination,
    RecallPetition,
    RollEntry,
    Seat,
    SeatRole,
)
from collegium.federation.models import Body, Member
from collegium.federation.pending import PendingItem


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


# ------------------------------------------------------------------ elections (reads)


def body_elections(body: Body) -> QuerySet[Election]:
    """The body's elections of its board and of its delegates, newest first."""
    return Election.objects.filter(body=body).order_by("-called_at", "-id")


def election_by_public_id(public_id: str) -> Election | None:
    return (
        Election.objects.select_related("body", "body__parent").filter(public_id=public_id).first()
    )


def election_nominations(election: Election) -> QuerySet[Nomination]:
    return (
        Nomination.objects.filter(election=election)
        .select_related("nominee__category", "nominee__workplace", "nominated_by")
        .prefetch_related("signatures__member")
        .order_by("number", "nominee__family_name", "nominee__given_name")
    )


def elected_members(election: Election) -> list[Member]:
    """The members elected, in order of election."""
    by_id = {
        m.public_id: m
        for m in Member.objects.filter(public_id__in=election.elected).select_related("category")
    }
    return [by_id[p] for p in election.elected if p in by_id]


def election_roll(election: Election) -> QuerySet[RollEntry]:
    """Who voted (public): by member number, never in casting order."""
    return (
        RollEntry.objects.filter(election=election)
        .select_related("member")
        .order_by("member__member_no")
    )


def recall_by_public_id(public_id: str) -> RecallPetition | None:
    return (
        RecallPetition.objects.select_related("seat__body", "seat__holder__category", "started_by")
        .filter(public_id=public_id)
        .first()
    )


def seat_recalls(seat: Seat) -> QuerySet[RecallPetition]:
    return RecallPetition.objects.filter(seat=seat).order_by("-opened_at")


def body_recalls(body: Body) -> QuerySet[RecallPetition]:
    return RecallPetition.objects.filter(seat__body=body).select_related("seat__holder")


def body_mandates(body: Body) -> QuerySet[Mandate]:
    return (
        Mandate.objects.filter(body=body)
        .select_related("adopted_by", "proposal")
        .prefetch_related("votes")
        .order_by("-adopted_at", "-id")
    )


def member_votes(mandate: Mandate) -> dict[int, DelegateVote]:
    return {v.delegate_id: v for v in mandate.votes.all()}


def seats_held(member: Member) -> QuerySet[Seat]:
    """Seats the member holds now, on boards and as a delegate."""
    today = timezone.localdate()
    return (
        Seat.objects.filter(
            holder=member, vacated_on__isnull=True, term_start__lte=today, term_end__gte=today
        )
        .select_related("body", "body__parent")
        .order_by("body__path", "role")
    )


def recount_args(election: Election) -> list[str]:
    """Options of ``collegium tally`` that recount ``ballots.blt`` with the charter's quota:
    each candidate's category and the seats reserved (the BLT format carries neither)."""
    sheet = election.count_sheet or {}
    args = [
        f"--category {c['number']}={c['category']}"
        for c in sheet.get("candidates", [])
        if c.get("category")
    ]
    if election.reserved_seats and args:
        args.append(f"--minimum {election.quota_category}={election.reserved_seats}")
    return args if election.reserved_seats else []


def mandate_questions(body: Body) -> list[Any]:
    """Proposals pending in the parent body (not yet decided) on which this body's board
    may instruct its delegates."""
    from collegium.decisions.models import Proposal

    if body.parent_id is None:
        return []
    return list(
        Proposal.objects.filter(
            body_id=body.parent_id,
            state__in=[Proposal.State.DELIBERATION, Proposal.State.VOTING],
        ).order_by("-created_at")[:100]
    )


def member_items(member: Member, now: dt.datetime) -> list[PendingItem]:
    """Elections and recall ballots open in bodies where the member votes, not yet voted."""
    from collegium.elections.models import RecallRollEntry
    from collegium.elections.permissions import in_electorate

    items: list[PendingItem] = []
    for election in (
        Election.objects.filter(state=Election.State.VOTING)
        .exclude(roll__member=member)
        .select_related("body")
    ):
        if in_electorate(member, election.body, election.purpose):
            items.append(
                PendingItem(
                    kind="election",
                    title=f"Election: {election.body.name}",
                    url=f"/elections/{election.public_id}/",
                    since=election.opened_at or election.called_at,
                    due=election.voting_closes_at,
                    overdue=now >= election.voting_closes_at,
                    note="your ballot",
                )
            )
    for petition in (
        RecallPetition.objects.filter(state=RecallPetition.State.BALLOT)
        .exclude(pk__in=RecallRollEntry.objects.filter(member=member).values("petition_id"))
        .select_related("seat", "seat__body", "seat__holder")
    ):
        seat = petition.seat
        if in_electorate(member, seat.body, seat.role):
            assert petition.ballot_closes_at is not None
            items.append(
                PendingItem(
                    kind="recall",
                    title=f"Recall ballot: {seat.holder.full_name}, {seat.body.name}",
                    url=f"/recalls/{petition.public_id}/",
                    since=petition.ballot_opened_at or petition.opened_at,
                    due=petition.ballot_closes_at,
                    overdue=now >= petition.ballot_closes_at,
                    note="your secret ballot",
                )
            )
    return items
