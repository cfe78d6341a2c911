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

from collegium.elections.ballots import store_secret_ballot
from collegium.elections.models import (
    Ballot,
    DelegateVote,
    Election,
    Mandate,
    MandatePosition,
    Nomination,
    NominationSignature,
    RecallBallot,
    RecallPetition,
    RecallRollEntry,
    RecallSignature,
    RecallTracker,
    RollEntry,
    Seat,
    SeatRole,
    Tracker,
)
from collegium.elections.permissions import (
    calling_board,
    can_call_election,
    consecutive_terms,
    elected_by_delegates,
    elector,
    electorate,
    eligible_candidate,
    in_electorate,
)
from collegium.federation.charters import reserved_seats, signatures_needed
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


def _require_nominations_open(election: Election, now: dt.datetime) -> None:
    if now >= election.nominations_close_at:
        raise ElectionError("nominations are closed")


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months later (the month's last day if shorter)."""
    import calendar

    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


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
    purpose: str = SeatRole.BOARD,
    by_election: bool = False,
    now: dt.datetime | None = None,
) -> Election:
    """Call an election of the body's board, or of its delegates to the parent body.

    A by-election fills only the seats left vacant (by recall, say) for the rest of the
    sitting term; the quota counts the category among those still sitting.
    """
    now = now or timezone.now()
    board = calling_board(body)
    require(
        can_call_election(user, body),
        f"only members of the board of {board.name if board else 'the parent body'} may "
        f"call an election of the board of {body.name}",
    )
    if purpose not in SeatRole.values:
        raise ElectionError(f"an election fills board or delegate seats, not {purpose!r}")
    if purpose == SeatRole.DELEGATE and body.parent is None:
        raise ElectionError(f"{body.name} has no parent body to send delegates to")
    if elected_by_delegates(body, purpose) and not electorate(body, purpose).exists():
        raise ElectionError(
            f"the board of {body.name} is elected by the delegates of its member bodies, "
            "and none has elected delegates yet"
        )
    if not now < nominations_close_at < voting_closes_at:
        raise ElectionError("nominations must close in the future and before voting closes")
    if Election.objects.filter(
        body=body,
        purpose=purpose,
        state__in=[Election.State.NOMINATION, Election.State.VOTING],
    ).exists():
        raise ElectionError(f"an election of the {purpose}s of {body.name} is already running")
    charter = charter_as_dict(body)
    seats = charter["board_seats" if purpose == SeatRole.BOARD else "delegate_seats"]
    reserved = reserved_seats(charter["production_worker_quota_pct"], seats)
    term_end = None
    if by_election:
        from collegium.elections.permissions import current_seats

        sitting = list(current_seats(body, purpose).select_related("holder__category"))
        vacancies = seats - len(sitting)
        if vacancies < 1:
            raise ElectionError(f"no {purpose} seat of {body.name} is vacant")
        workers = sum(s.holder.category.code == "production_worker" for s in sitting)
        reserved = min(vacancies, max(0, reserved - workers))
        seats = vacancies
        term_end = min((s.term_end for s in sitting), default=None)
    election = Election.objects.create(
        body=body,
        purpose=purpose,
        seats=seats,
        reserved_seats=reserved,
        by_election=by_election,
        term_end=term_end,
        term_months=charter["term_months"],
        nominations_close_at=nominations_close_at,
        voting_closes_at=voting_closes_at,
    )
    # ``called_at`` is set on creation; keep it at ``now`` so a timeline stays in order.
    election.called_at = now
    election.save(update_fields=["called_at"])
    record_append(
        kind="election.called",
        actor=actor_for(user),
        body=body,
        data={
            "election": election.public_id,
            "purpose": purpose,
            "by_election": by_election,
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
        in_electorate(nominator, election.body, election.purpose),
        f"only electors of the {election.purpose}s of {election.body.name} may nominate",
    )
    if not eligible_candidate(nominee, election.body):
        raise ElectionError(f"{nominee.full_name} is not a member of {election.body.name}")
    limit = charter_as_dict(election.body)["term_limit"]
    served = consecutive_terms(nominee, election.body, election.purpose)
    if served >= limit:
        raise ElectionError(
            f"{nominee.full_name} has served {served} consecutive terms in this seat; the "
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
def nomination_cosign(
    *, user: Any, nomination: Nomination, now: dt.datetime | None = None
) -> NominationSignature:
    now = now or timezone.now()
    member = _member(user)
    _require_state(nomination.election, "nominate")
    _require_nominations_open(nomination.election, now)
    require(
        in_electorate(member, nomination.election.body, nomination.election.purpose),
        f"only electors of {nomination.election.body.name} may co-sign",
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
    _require_nominations_open(nomination.election, now or timezone.now())
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
    _notify_electorate(
        election.body,
        election.purpose,
        kind="election.voting_opened",
        title=f"Voting is open: {_what(election)}, until {_when(election.voting_closes_at)}",
        url=f"/elections/{election.public_id}/vote/",
        now=now,
    )
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
    # Shares the row lock with the count: a ballot either commits before the count reads
    # the ballots, or sees the election counted and is refused.
    election = Election.objects.select_for_update().get(pk=election.pk)
    _require_state(election, "vote")
    if now >= election.voting_closes_at:
        raise ElectionError("voting has closed")
    who = elector(voter, election.body, election.purpose)
    require(
        who is not None,
        f"only electors of the {election.purpose}s of {election.body.name} vote in this election",
    )
    assert who is not None
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
    tracker = store_secret_ballot(
        roll=lambda: RollEntry.objects.create(
            election=election,
            member=voter,
            weight=who.weight,
            public_ranking=list(ranking) if who.public else None,
        ),
        ballot=lambda: Ballot.objects.create(
            election=election, ranking=list(ranking), weight=who.weight
        ),
        tracker=lambda: Tracker.objects.create(election=election),
        already_voted=ElectionError("you have already voted in this election"),
    )
    data: dict[str, Any] = {"election": election.public_id, "weight": who.weight}
    if who.public:
        # A delegate's roll-call vote is public: constituents see how they voted.
        data["ranking"] = list(ranking)
    record_append(kind="election.voted", actor=actor_for(user), body=election.body, data=data)
    return tracker


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
    if election.by_election:
        term_end = election.term_end or add_months(today, election.term_months)
    else:
        Seat.objects.filter(
            body=election.body, role=election.purpose, vacated_on__isnull=True
        ).update(vacated_on=today)
        term_end = add_months(today, election.term_months)
    Seat.objects.bulk_create(
        [
            Seat(
                body=election.body,
                holder=n.nominee,
                term_start=today,
                term_end=term_end,
                basis="by-election" if election.by_election else "election",
                role=election.purpose,
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
    _notify_electorate(
        election.body,
        election.purpose,
        kind="election.counted",
        title=f"Results: {_what(election)}",
        url=f"/elections/{election.public_id}/results/",
        now=now,
    )
    transaction.on_commit(_checkpoint_after_close)
    return election


def _what(election: Election) -> str:
    seats = "the board" if election.purpose == SeatRole.BOARD else "the delegates"
    kind = "by-election" if election.by_election else "election"
    return f"{kind} of {seats} of {election.body.name}"


def _when(moment: dt.datetime) -> str:
    return f"{moment:%-d %b %Y, %H:%M} UTC"


def _notify_electorate(
    body: Body, role: str, *, kind: str, title: str, url: str, now: dt.datetime
) -> None:
    from collegium.notifications.services import notify

    notify(members=electorate(body, role), kind=kind, title=title, url=url, now=now)


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


# --------------------------------------------------------------------------- recall


def _current_seat(seat: Seat, today: dt.date) -> bool:
    return seat.vacated_on is None and seat.term_start <= today <= seat.term_end


@transaction.atomic
def recall_petition_start(
    *, user: Any, seat: Seat, reason: str, now: dt.datetime | None = None
) -> RecallPetition:
    """Start a recall petition; the starter's signature is the first."""
    now = now or timezone.now()
    member = _member(user)
    seat = Seat.objects.select_for_update().select_related("body", "holder").get(pk=seat.pk)
    require(
        in_electorate(member, seat.body, seat.role),
        f"only those who elect this seat of {seat.body.name} may petition to recall",
    )
    if not _current_seat(seat, now.date()):
        raise ElectionError("the seat is not held now")
    if not reason.strip():
        raise ElectionError("give the reason for the recall; it is shown to the signers")
    if RecallPetition.objects.filter(
        seat=seat, state__in=[RecallPetition.State.COLLECTING, RecallPetition.State.BALLOT]
    ).exists():
        raise ElectionError(f"a recall of {seat.holder.full_name} is already under way")
    charter = charter_as_dict(seat.body)
    size = electorate(seat.body, seat.role).count()
    petition = RecallPetition.objects.create(
        seat=seat,
        started_by=member,
        reason=reason.strip(),
        reason_salt=new_salt(),
        opened_at=now,
        collect_until=now + dt.timedelta(days=charter["recall_window_days"]),
        electorate_size=size,
        signatures_needed=signatures_needed(charter["recall_threshold_pct"], size),
    )
    record_append(
        kind="recall.started",
        actor=actor_for(user),
        body=seat.body,
        data={
            "petition": petition.public_id,
            "seat_holder": seat.holder.public_id,
            "signatures_needed": petition.signatures_needed,
            "electorate": size,
            "reason_digest": salted_digest(petition.reason_salt, petition.reason),
        },
    )
    _recall_sign(petition, member, user, now)
    return petition


def _recall_sign(petition: RecallPetition, member: Member, user: Any, now: dt.datetime) -> None:
    try:
        with transaction.atomic():
            RecallSignature.objects.create(petition=petition, member=member)
    except IntegrityError:
        raise ElectionError("you have already signed this petition") from None
    count = petition.signatures.count()
    record_append(
        kind="recall.signed",
        actor=actor_for(user),
        body=petition.seat.body,
        data={"petition": petition.public_id, "signatures": count},
    )
    if count >= petition.signatures_needed:
        charter = charter_as_dict(petition.seat.body)
        petition.state = RecallPetition.State.BALLOT
        petition.ballot_opened_at = now
        petition.ballot_closes_at = now + dt.timedelta(days=charter["recall_ballot_days"])
        petition.save(update_fields=["state", "ballot_opened_at", "ballot_closes_at"])
        _notify_electorate(
            petition.seat.body,
            petition.seat.role,
            kind="recall.ballot_opened",
            title=f"Recall ballot open: {petition.seat.holder.full_name}, "
            f"{petition.seat.body.name}, until {_when(petition.ballot_closes_at)}",
            url=f"/recalls/{petition.public_id}/",
            now=now,
        )
        record_append(
            kind="recall.ballot_opened",
            actor=Actor(id="system", role="system"),
            body=petition.seat.body,
            data={
                "petition": petition.public_id,
                "signatures": count,
                "closes_at": petition.ballot_closes_at.isoformat(),
            },
        )


@transaction.atomic
def recall_petition_sign(
    *, user: Any, petition: RecallPetition, now: dt.datetime | None = None
) -> RecallPetition:
    now = now or timezone.now()
    member = _member(user)
    petition = RecallPetition.objects.select_for_update().get(pk=petition.pk)
    require(
        in_electorate(member, petition.seat.body, petition.seat.role),
        f"only those who elect this seat of {petition.seat.body.name} may sign",
    )
    if petition.state != RecallPetition.State.COLLECTING:
        raise ElectionError(f"the petition is {petition.get_state_display().lower()}")
    if now >= petition.collect_until:
        raise ElectionError("the petition's time to collect signatures is over")
    _recall_sign(petition, member, user, now)
    petition.refresh_from_db()
    return petition


@transaction.atomic
def recall_ballot_cast(
    *, user: Any, petition: RecallPetition, choice: str, now: dt.datetime | None = None
) -> str:
    """Vote yes (recall), no (keep) or abstain, secretly; returns the tracker."""
    now = now or timezone.now()
    voter = _member(user)
    petition = RecallPetition.objects.get(pk=petition.pk)
    if petition.state != RecallPetition.State.BALLOT:
        raise ElectionError(
            f"no recall ballot is open: the petition is {petition.get_state_display().lower()}"
        )
    assert petition.ballot_closes_at is not None
    if now >= petition.ballot_closes_at:
        raise ElectionError("the recall ballot has closed")
    require(
        in_electorate(voter, petition.seat.body, petition.seat.role),
        f"only those who elect this seat of {petition.seat.body.name} vote on the recall",
    )
    if choice not in RecallBallot.Choice.values:
        raise ElectionError(f"choose yes, no or abstain, not {choice!r}")
    tracker = store_secret_ballot(
        roll=lambda: RecallRollEntry.objects.create(petition=petition, member=voter),
        ballot=lambda: RecallBallot.objects.create(petition=petition, choice=choice),
        tracker=lambda: RecallTracker.objects.create(petition=petition),
        already_voted=ElectionError("you have already voted on this recall"),
    )
    record_append(
        kind="recall.voted",
        actor=actor_for(user),
        body=petition.seat.body,
        data={"petition": petition.public_id},
    )
    return tracker


def countback(seat: Seat) -> tuple[Member | None, str]:
    """Who fills a vacated seat: recount the ballots of the election that filled it with
    the recalled member withdrawn; the first newly elected candidate takes the seat."""
    from collegium.tally import BallotSet, count_scottish_stv

    # Few elections per body: scanning them is simpler than a JSON query per database.
    election = next(
        (
            e
            for e in Election.objects.filter(
                body=seat.body, purpose=seat.role, state=Election.State.COUNTED
            ).order_by("-counted_at")
            if seat.holder.public_id in e.elected
        ),
        None,
    )
    if election is None:
        return None, (
            "the seat was not filled by a counted election, so there are no "
            "ballots to count back; a by-election is needed"
        )
    standing = list(
        Nomination.objects.filter(election=election, number__isnull=False)
        .select_related("nominee__category")
        .order_by("number")
    )
    ballots, _digest = _ballot_set(election, standing)
    by_public_id = {n.nominee.public_id: n for n in standing}
    recalled = by_public_id[seat.holder.public_id]
    sitting = set(
        Seat.objects.filter(body=seat.body, role=seat.role, vacated_on__isnull=True)
        .exclude(pk=seat.pk)
        .values_list("holder__public_id", flat=True)
    )
    withdrawn = {recalled.number - 1} if recalled.number else set()
    recount_set = BallotSet(
        ballots.candidates,
        ballots.rankings,
        ballots.weights,
        seats=ballots.seats,
        withdrawn=withdrawn,
    )
    minimums = (
        {election.quota_category: election.reserved_seats} if election.reserved_seats else None
    )
    seats = min(election.seats, len(standing) - 1)
    if seats < 1:
        return None, "no other candidate stood; a by-election is needed"
    sheet = count_scottish_stv(recount_set, seats, minimums=minimums)
    for number in sheet.elected:
        nominee = standing[number - 1].nominee
        if nominee.public_id not in sitting and nominee.active:
            return nominee, (
                f"countback of the {len(ballots)} ballots of the election of "
                f"{election.counted_at:%Y-%m-%d} without the recalled member"
            )
    return None, "the countback elected no new member; a by-election is needed"


@transaction.atomic
def recall_count(*, petition: RecallPetition, now: dt.datetime | None = None) -> RecallPetition:
    """Count a closed recall ballot; if it passes, vacate the seat and count back."""
    from collegium.tally import count_question

    now = now or timezone.now()
    petition = (
        RecallPetition.objects.select_for_update()
        .select_related("seat__body", "seat__holder")
        .get(pk=petition.pk)
    )
    if petition.state != RecallPetition.State.BALLOT:
        raise ElectionError(
            f"nothing to count: the petition is {petition.get_state_display().lower()}"
        )
    assert petition.ballot_closes_at is not None
    if now < petition.ballot_closes_at:
        raise ElectionError("the recall ballot is still open")
    choices = list(RecallBallot.objects.filter(petition=petition).values_list("choice", flat=True))
    result = count_question(
        choices.count("yes"),
        choices.count("no"),
        choices.count("abstain"),
        electorate=max(petition.electorate_size, len(choices)),
    )
    petition.result = result.to_json()
    seat = petition.seat
    data: dict[str, Any] = {
        "petition": petition.public_id,
        "result": {
            "yes": result.yes,
            "no": result.no,
            "abstain": result.abstain,
            "adopted": result.adopted,
        },
    }
    if result.adopted:
        petition.state = RecallPetition.State.RECALLED
        seat.vacated_on = now.date()
        seat.save(update_fields=["vacated_on"])
        if charter_as_dict(seat.body)["vacancy_countback"]:
            replacement, note = countback(seat)
        else:
            replacement, note = (
                None,
                ("the charter fills vacancies by by-election: the board calls one for this seat"),
            )
        petition.replacement = replacement
        petition.vacancy_note = note
        if replacement is not None:
            Seat.objects.create(
                body=seat.body,
                holder=replacement,
                term_start=now.date(),
                term_end=seat.term_end,
                basis="countback",
                role=seat.role,
            )
        data["replacement"] = replacement.public_id if replacement else None
    else:
        petition.state = RecallPetition.State.REJECTED
    petition.save(update_fields=["state", "result", "replacement", "vacancy_note"])
    record_append(
        kind=f"recall.{petition.state}",
        actor=Actor(id="system", role="system"),
        body=seat.body,
        data=data,
    )
    return petition


def recall_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Idempotent deadline sweep: lapse petitions past their window, count closed ballots."""
    now = now or timezone.now()
    lapsed = counted = 0
    for petition in RecallPetition.objects.filter(
        state=RecallPetition.State.COLLECTING, collect_until__lte=now
    ):
        with transaction.atomic():
            locked = RecallPetition.objects.select_for_update().get(pk=petition.pk)
            if locked.state != RecallPetition.State.COLLECTING:
                continue
            locked.state = RecallPetition.State.LAPSED
            locked.save(update_fields=["state"])
            record_append(
                kind="recall.lapsed",
                actor=Actor(id="system", role="system"),
                body=locked.seat.body,
                data={
                    "petition": locked.public_id,
                    "signatures": locked.signatures.count(),
                    "needed": locked.signatures_needed,
                },
            )
            lapsed += 1
    for petition in RecallPetition.objects.filter(
        state=RecallPetition.State.BALLOT, ballot_closes_at__lte=now
    ):
        try:
            recall_count(petition=petition, now=now)
            counted += 1
        except ElectionError:
            continue
    return {"lapsed": lapsed, "counted": counted}


# --------------------------------------------------------------------------- mandates


@transaction.atomic
def mandate_adopt(
    *,
    user: Any,
    body: Body,
    question: str = "",
    position: str,
    proposal: Any = None,
    now: dt.datetime | None = None,
) -> Mandate:
    """The body's board instructs its delegates on a question pending in the parent body:
    a proposal there that has not been voted on yet, or a question given as text."""
    from collegium.decisions.models import Proposal
    from collegium.federation.permissions import holds_seat

    now = now or timezone.now()
    member = _member(user)
    require(holds_seat(member, body), f"only the board of {body.name} adopts its mandates")
    if body.parent is None:
        raise ElectionError(f"{body.name} sends no delegates, so it gives no mandates")
    if position not in MandatePosition.values:
        raise ElectionError(f"a mandate is for, against or free, not {position!r}")
    if proposal is not None:
        if proposal.body_id != body.parent_id:
            raise ElectionError(
                f"the proposal is before {proposal.body.name}, not before {body.parent.name}, "
                "where this body's delegates sit"
            )
        if proposal.state not in (Proposal.State.DELIBERATION, Proposal.State.VOTING):
            raise ElectionError(
                f"the proposal is {proposal.get_state_display().lower()}: mandates come "
                "before the vote"
            )
        if Mandate.objects.filter(body=body, proposal=proposal).exists():
            raise ElectionError("this body has already given a mandate on this proposal")
        question = question.strip() or proposal.title
    if not question.strip():
        raise ElectionError("name the question pending in the parent body")
    mandate = Mandate.objects.create(
        body=body,
        question=question.strip(),
        proposal=proposal,
        position=position,
        adopted_at=now,
        adopted_by=member,
    )
    record_append(
        kind="mandate.adopted",
        actor=actor_for(user),
        body=body,
        data={
            "mandate": mandate.public_id,
            "to": body.parent.code,
            "position": position,
            "question_sha256": hashlib.sha256(mandate.question.encode()).hexdigest(),
            **({"proposal": proposal.public_id} if proposal is not None else {}),
        },
    )
    return mandate


@transaction.atomic
def delegate_vote_record(
    *, user: Any, mandate: Mandate, vote: str, now: dt.datetime | None = None
) -> DelegateVote:
    """A delegate records how they voted; a breach of the mandate is flagged publicly."""
    from collegium.elections.permissions import current_seats

    now = now or timezone.now()
    member = _member(user)
    require(
        current_seats(mandate.body, SeatRole.DELEGATE).filter(holder=member).exists(),
        f"only the delegates of {mandate.body.name} record their votes on its mandates",
    )
    if vote not in DelegateVote.Vote.values:
        raise ElectionError(f"a vote is for, against or abstain, not {vote!r}")
    try:
        with transaction.atomic():
            recorded = DelegateVote.objects.create(
                mandate=mandate, delegate=member, vote=vote, recorded_at=now
            )
    except IntegrityError:
        raise ElectionError("your vote on this question is already recorded") from None
    record_append(
        kind="mandate.delegate_voted",
        actor=actor_for(user),
        body=mandate.body,
        data={"mandate": mandate.public_id, "vote": vote, "breach": recorded.breach},
    )
    return recorded


# ------------------------------------------------------------ time away from production


@transaction.atomic
def seat_full_time_set(*, user: Any, seat: Seat, since: dt.date | None) -> Seat:
    """The seat-holder records working full time for the body (``since``) or returning
    to production (``None``)."""
    member = _member(user)
    require(member.pk == seat.holder_id, "only the seat-holder records their own time away")
    if seat.vacated_on is not None:
        raise ElectionError("the seat is no longer held")
    if since is not None and since > timezone.localdate():
        raise ElectionError("the date lies in the future")
    seat.full_time_since = since
    seat.save(update_fields=["full_time_since"])
    record_append(
        kind="seat.full_time" if since else "seat.back_to_production",
        actor=actor_for(user),
        body=seat.body,
        data={
            "seat_holder": member.public_id,
            "role": seat.role,
            "since": since.isoformat() if since else None,
        },
    )
    return seat
