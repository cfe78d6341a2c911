"""Writes for boards and their elections. Each appends its record entry in the same
transaction.

Lifecycle: ``election_call`` (nominations open) → ``nomination_submit`` /
``nomination_cosign`` / ``nomination_accept`` → ``election_open_voting`` → ``ballot_cast``
(secret) → ``election_count`` (after the close) → seats; or ``election_cancel``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from collegium.elections.models import (
    Ballot,
    Election,
    Nomination,
    NominationSignature,
    RollEntry,
    Seat,
    Tracker,
)
from collegium.elections.permissions import (
    calling_board,
    can_call_election,
    consecutive_terms,
    in_electorate,
)
from collegium.federation.charters import reserved_seats
from collegium.federation.models import Body, Member
from collegium.federation.permissions import member_of, require
from collegium.federation.selectors import charter_as_dict
from collegium.record.services import Actor, actor_for, new_salt, record_append, salted_digest


class ElectionError(ValueError):
    """The action is not possible in the election's present state or with this input."""


# Which states each action needs: the election's state machine in one table.
ALLOWED_FROM: dict[str, tuple[str, ...]] = {
    "nominate": (Election.State.NOMINATION,),
    "open": (Election.State.NOMINATION,),
    "vote": (Election.State.VOTING,),
    "count": (Election.State.VOTING,),
    "cancel": (Election.State.NOMINATION, Election.State.VOTING),
}


def _require_state(election: Election, action: str) -> None:
    if election.state not in ALLOWED_FROM[action]:
        raise ElectionError(
            f"cannot {action}: the election is {election.get_state_display().lower()}"
        )


def _member(user: Any) -> Member:
    member = member_of(user)
    require(member is not None, "only members take part in elections")
    assert member is not None
    return member


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


@transaction.atomic
def election_call(
    *,
    user: Any,
    body: Body,
    nominations_close_at: dt.datetime,
    voting_closes_at: dt.datetime,
    now: dt.datetime | None = None,
) -> Election:
    now = now or timezone.now()
    board = calling_board(body)
    require(
        can_call_election(user, body),
        f"only members of the board of {board.name if board else 'the parent body'} may "
        f"call an election of the board of {body.name}",
    )
    if body.kind in ("industrial_union", "congress"):
        raise ElectionError(
            f"the board of {body.name} is elected by the delegates of its member bodies; "
            "delegate elections are not available yet"
        )
    if not now < nominations_close_at < voting_closes_at:
        raise ElectionError("nominations must close in the future and before voting closes")
    if Election.objects.filter(
        body=body, state__in=[Election.State.NOMINATION, Election.State.VOTING]
    ).exists():
        raise ElectionError(f"an election of the board of {body.name} is already running")
    charter = charter_as_dict(body)
    election = Election.objects.create(
        body=body,
        seats=charter["board_seats"],
        reserved_seats=reserved_seats(
            charter["production_worker_quota_pct"], charter["board_seats"]
        ),
        term_months=charter["term_months"],
        nominations_close_at=nominations_close_at,
        voting_closes_at=voting_closes_at,
    )
    record_append(
        kind="election.called",
        actor=actor_for(user),
        body=body,
        data={
            "election": election.public_id,
            "seats": election.seats,
            "reserved": {election.quota_category: election.reserved_seats},
            "nominations_close_at": nominations_close_at.isoformat(),
            "voting_closes_at": voting_closes_at.isoformat(),
        },
    )
    return election


@transaction.atomic
def nomination_submit(
    *,
    user: Any,
    election: Election,
    nominee: Member,
    statement: str = "",
    now: dt.datetime | None = None,
) -> Nomination:
    now = now or timezone.now()
    nominator = _member(user)
    election = Election.objects.select_for_update().get(pk=election.pk)
    _require_state(election, "nominate")
    if now >= election.nominations_close_at:
        raise ElectionError("nominations are closed")
    require(
        in_electorate(nominator, election.body),
        f"only members of {election.body.name} may nominate",
    )
    if not in_electorate(nominee, election.body):
        raise ElectionError(f"{nominee.full_name} is not a member of {election.body.name}")
    limit = charter_as_dict(election.body)["term_limit"]
    served = consecutive_terms(nominee, election.body)
    if served >= limit:
        raise ElectionError(
            f"{nominee.full_name} has served {served} consecutive terms on this board; the "
            f"charter's term limit is {limit}"
        )
    if Nomination.objects.filter(election=election, nominee=nominee).exists():
        raise ElectionError(f"{nominee.full_name} is already nominated")
    nomination = Nomination.objects.create(
        election=election,
        nominee=nominee,
        nominated_by=nominator,
        statement=statement.strip(),
        accepted_at=now if nominee.pk == nominator.pk else None,
    )
    record_append(
        kind="election.nominated",
        actor=actor_for(user),
        body=election.body,
        data={
            "election": election.public_id,
            "nominee": nominee.public_id,
            "accepted": nomination.accepted_at is not None,
        },
    )
    return nomination


@transaction.atomic
def nomination_cosign(*, user: Any, nomination: Nomination) -> NominationSignature:
    member = _member(user)
    _require_state(nomination.election, "nominate")
    require(
        in_electorate(member, nomination.election.body),
        f"only members of {nomination.election.body.name} may co-sign",
    )
    if member.pk in (nomination.nominee_id, nomination.nominated_by_id):
        raise ElectionError("the nominee and the nominator do not co-sign their own nomination")
    try:
        with transaction.atomic():
            signature = NominationSignature.objects.create(nomination=nomination, member=member)
    except IntegrityError:
        raise ElectionError("you have already co-signed this nomination") from None
    record_append(
        kind="election.nomination_cosigned",
        actor=actor_for(user),
        body=nomination.election.body,
        data={"election": nomination.election.public_id, "nominee": nomination.nominee.public_id},
    )
    return signature


@transaction.atomic
def nomination_accept(
    *, user: Any, nomination: Nomination, now: dt.datetime | None = None
) -> Nomination:
    member = _member(user)
    require(member.pk == nomination.nominee_id, "only the nominee accepts a nomination")
    _require_state(nomination.election, "nominate")
    if nomination.accepted_at is not None:
        raise ElectionError("the nomination is already accepted")
    nomination.accepted_at = now or timezone.now()
    nomination.save(update_fields=["accepted_at"])
    record_append(
        kind="election.nomination_accepted",
        actor=actor_for(user),
        body=nomination.election.body,
        data={"election": nomination.election.public_id, "nominee": member.public_id},
    )
    return nomination


def quota_shortfall(election: Election) -> str | None:
    """Say, before voting opens, if the candidates standing cannot fill the quota."""
    standing = Nomination.objects.filter(election=election, accepted_at__isnull=False)
    of_category = standing.filter(nominee__category__code=election.quota_category).count()
    if of_category < election.reserved_seats:
        return (
            f"the charter reserves {election.reserved_seats} of {election.seats} seats for "
            f"{election.quota_category.replace('_', ' ')}s but only {of_category} stand"
        )
    return None


@transaction.atomic
def election_open_voting(
    *, user: Any, election: Election, now: dt.datetime | None = None
) -> Election:
    now = now or timezone.now()
    election = Election.objects.select_for_update().get(pk=election.pk)
    require(
        can_call_election(user, election.body),
        "only the board that called the election opens voting",
    )
    _require_state(election, "open")
    if now < election.nominations_close_at:
        raise ElectionError("nominations are still open")
    standing = list(
        Nomination.objects.filter(election=election, accepted_at__isnull=False)
        .select_related("nominee")
        .order_by("nominee__family_name", "nominee__given_name", "nominee__member_no")
    )
    if not standing:
        raise ElectionError("no candidate has accepted a nomination")
    shortfall = quota_shortfall(election)
    if shortfall:
        raise ElectionError(shortfall + "; reopen nominations by calling a new election")
    for number, nomination in enumerate(standing, start=1):
        nomination.number = number
        nomination.save(update_fields=["number"])
    election.state = Election.State.VOTING
    election.opened_at = now
    election.save(update_fields=["state", "opened_at"])
    record_append(
        kind="election.voting_opened",
        actor=actor_for(user),
        body=election.body,
        data={
            "election": election.public_id,
            "candidates": [
                [n.number, n.nominee.public_id, n.nominee.category.code] for n in standing
            ],
        },
    )
    return election


@transaction.atomic
def ballot_cast(
    *, user: Any, election: Election, ranking: list[int], now: dt.datetime | None = None
) -> str:
    """Cast a secret ballot; returns the voter's tracker.

    The roll (who voted), the ballot (what) and the tracker (receipt) are three rows in
    three tables with random keys, no times and no link between them.
    """
    now = now or timezone.now()
    voter = _member(user)
    election = Election.objects.get(pk=election.pk)
    _require_state(election, "vote")
    if now >= election.voting_closes_at:
        raise ElectionError("voting has closed")
    require(
        in_electorate(voter, election.body),
        f"only members of {election.body.name} vote in this election",
    )
    numbers = set(
        Nomination.objects.filter(election=election, number__isnull=False).values_list(
            "number", flat=True
        )
    )
    if not ranking:
        raise ElectionError("the ballot ranks no candidate")
    seen: set[int] = set()
    for position, number in enumerate(ranking, start=1):
        if number not in numbers:
            raise ElectionError(f"preference {position}: there is no candidate {number}")
        if number in seen:
            raise ElectionError(f"preference {position}: candidate {number} is ranked twice")
        seen.add(number)
    try:
        with transaction.atomic():
            RollEntry.objects.create(election=election, member=voter)
    except IntegrityError:
        raise ElectionError("you have already voted in this election") from None
    Ballot.objects.create(election=election, ranking=list(ranking), weight=1)
    tracker = Tracker.objects.create(election=election)
    record_append(
        kind="election.voted",
        actor=actor_for(user),
        body=election.body,
        data={"election": election.public_id},
    )
    return tracker.code


def _ballot_set(election: Election, standing: list[Nomination]) -> Any:
    from collegium.tally import BallotSet, Candidate

    candidates = [
        Candidate(n.number or 0, n.nominee.full_name, n.nominee.category.code) for n in standing
    ]
    rows = list(Ballot.objects.filter(election=election).values_list("ranking", "weight"))
    # Published order must not follow casting order: sort by content, then shuffle with
    # a seed from the contents, so anyone can reproduce the file from the same ballots.
    rows.sort(key=lambda r: (r[0], r[1]))
    digest = hashlib.sha256(repr(rows).encode()).hexdigest()
    random.Random(digest).shuffle(rows)
    ballots = BallotSet(
        candidates,
        [[number - 1 for number in ranking] for ranking, _ in rows],
        [weight for _, weight in rows],
        seats=election.seats,
        title=f"Board of {election.body.name}",
    )
    return ballots, digest


@transaction.atomic
def election_count(
    *, election: Election, user: Any | None = None, now: dt.datetime | None = None
) -> Election:
    """Close and count (after the closing time; run by the scheduler or anyone)."""
    from collegium.tally import count_scottish_stv, write_blt

    now = now or timezone.now()
    election = Election.objects.select_for_update().get(pk=election.pk)
    _require_state(election, "count")
    if now < election.voting_closes_at:
        raise ElectionError("voting is still open")
    standing = list(
        Nomination.objects.filter(election=election, number__isnull=False)
        .select_related("nominee__category")
        .order_by("number")
    )
    ballots, _digest = _ballot_set(election, standing)
    minimums = (
        {election.quota_category: election.reserved_seats} if election.reserved_seats else None
    )
    seats = min(election.seats, len(standing))
    sheet = count_scottish_stv(ballots, seats, minimums=minimums)
    by_number = {n.number: n for n in standing}
    elected = [by_number[number] for number in sheet.elected]
    election.state = Election.State.COUNTED
    election.counted_at = now
    election.count_sheet = sheet.to_json()
    election.elected = [n.nominee.public_id for n in elected]
    election.published_ballots = write_blt(ballots, seats=seats)
    election.published_trackers = "\n".join(
        sorted(Tracker.objects.filter(election=election).values_list("code", flat=True))
    )
    election.ballots_digest = hashlib.sha256(election.published_ballots.encode()).hexdigest()
    election.save()

    today = now.date()
    Seat.objects.filter(body=election.body, vacated_on__isnull=True).update(vacated_on=today)
    term_end = today + dt.timedelta(days=30 * election.term_months)
    Seat.objects.bulk_create(
        [
            Seat(
                body=election.body,
                holder=n.nominee,
                term_start=today,
                term_end=term_end,
                basis="election",
            )
            for n in elected
        ]
    )
    record_append(
        kind="election.counted",
        actor=actor_for(user) if user is not None else Actor(id="system", role="system"),
        body=election.body,
        data={
            "election": election.public_id,
            "ballots": len(ballots),
            "ballots_sha256": election.ballots_digest,
            "trackers": Tracker.objects.filter(election=election).count(),
            "elected": [[n.number, n.nominee.public_id, n.nominee.category.code] for n in elected],
            "seed": sheet.seed,
        },
    )
    transaction.on_commit(_checkpoint_after_close)
    return election


def _checkpoint_after_close() -> None:
    from collegium.record.checkpoints import checkpoint_create

    checkpoint_create()


@transaction.atomic
def election_cancel(*, user: Any, election: Election, reason: str) -> Election:
    election = Election.objects.select_for_update().get(pk=election.pk)
    require(
        can_call_election(user, election.body), "only the board that called the election cancels it"
    )
    _require_state(election, "cancel")
    if not reason.strip():
        raise ElectionError("say why the election is cancelled")
    election.state = Election.State.CANCELLED
    election.cancel_reason = reason.strip()
    election.cancel_reason_salt = new_salt()
    election.save(update_fields=["state", "cancel_reason", "cancel_reason_salt"])
    record_append(
        kind="election.cancelled",
        actor=actor_for(user),
        body=election.body,
        data={
            "election": election.public_id,
            "reason_digest": salted_digest(election.cancel_reason_salt, election.cancel_reason),
        },
    )
    return election
