"""Writes for proposals and decisions. Each is one transaction with its record entry.

Path of a board decision: ``proposal_submit`` → deliberation (``comment_add``,
``amendment_propose`` / ``amendment_accept`` / ``amendment_decline``, ``proposal_revise``)
→ ``roll_call_open`` → ``roll_call_vote`` → ``decision_close`` (adopted: published at once
and in review for the charter's window) → ``review_sign`` (at the charter's share of
members a referendum opens that can overturn it) → ``decisions_sweep`` makes it final.
Proposals routed to the members go to ``referendum_open`` instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from collegium.decisions import effects
from collegium.decisions.models import (
    Amendment,
    Comment,
    Decision,
    Proposal,
    ProposalVersion,
    ReferendumBallot,
    ReferendumRollEntry,
    ReferendumTracker,
    ReviewSignature,
    RollCallVote,
)
from collegium.decisions.transitions import DECISION, PROPOSAL, move
from collegium.decisions.transitions import DecisionError as DecisionError
from collegium.elections.ballots import store_secret_ballot
from collegium.elections.selectors import board_seats
from collegium.federation.charters import signatures_needed
from collegium.federation.models import Body, Member
from collegium.federation.permissions import belongs_to, holds_seat, member_of, require
from collegium.federation.selectors import body_members, charter_as_dict
from collegium.record.services import Actor, actor_for, record_append, salted_digest

SYSTEM = Actor(id="system", role="system")
MAX_TITLE = 200


def _member(user: Any) -> Member:
    member = member_of(user)
    require(member is not None, "only members take part in decisions")
    assert member is not None
    return member


def _latest_version(proposal: Proposal) -> ProposalVersion:
    version = proposal.versions.order_by("-number").first()
    assert version is not None
    return version


@transaction.atomic
def proposal_submit(
    *,
    user: Any,
    body: Body,
    title: str,
    text: str,
    rationale: str = "",
    scope: str = "",
    cost: Decimal | None = None,
    route: str = Proposal.Route.BOARD,
    subject_kind: str = "",
    subject_id: str = "",
    now: dt.datetime | None = None,
) -> Proposal:
    now = now or timezone.now()
    member = _member(user)
    require(belongs_to(member, body), f"only members of {body.name} put proposals to it")
    errors = []
    if not title.strip():
        errors.append("a proposal needs a title")
    if len(title) > MAX_TITLE:
        errors.append(f"the title is longer than {MAX_TITLE} characters")
    if not text.strip():
        errors.append("a proposal needs a text")
    if cost is not None and cost < 0:
        errors.append("the cost cannot be negative")
    if route not in Proposal.Route.values:
        errors.append(f"route must be board or members, not {route!r}")
    if errors:
        raise DecisionError("; ".join(errors))
    proposal = Proposal.objects.create(
        body=body,
        author=member,
        title=title.strip(),
        scope=scope.strip(),
        cost=cost,
        route=route,
        created_at=now,
        subject_kind=subject_kind,
        subject_id=subject_id,
    )
    ProposalVersion.objects.create(
        proposal=proposal,
        number=1,
        text=text,
        rationale=rationale,
        author=member,
        created_at=now,
        note="submitted",
    )
    record_append(
        kind="proposal.submitted",
        actor=actor_for(user),
        body=body,
        data={
            "proposal": proposal.public_id,
            "route": route,
            "title_sha256": salted_digest(proposal.salt, proposal.title),
            "text_sha256": salted_digest(proposal.salt, text),
            "cost": str(cost) if cost is not None else None,
            **({"subject": [subject_kind, subject_id]} if subject_kind else {}),
        },
    )
    return proposal


def _require_deliberation(proposal: Proposal) -> None:
    if proposal.state != Proposal.State.DELIBERATION:
        raise DecisionError(
            f"the proposal is {proposal.get_state_display().lower()}: its text is closed"
        )


def _new_version(
    proposal: Proposal, text: str, rationale: str, author: Member, now: dt.datetime, note: str
) -> ProposalVersion:
    latest = _latest_version(proposal)
    return ProposalVersion.objects.create(
        proposal=proposal,
        number=latest.number + 1,
        text=text,
        rationale=rationale,
        author=author,
        created_at=now,
        note=note,
    )


@transaction.atomic
def proposal_revise(
    *,
    user: Any,
    proposal: Proposal,
    text: str,
    rationale: str | None = None,
    now: dt.datetime | None = None,
) -> ProposalVersion:
    now = now or timezone.now()
    member = _member(user)
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    require(member.pk == proposal.author_id, "only the author revises a proposal")
    _require_deliberation(proposal)
    latest = _latest_version(proposal)
    if text == latest.text and (rationale is None or rationale == latest.rationale):
        raise DecisionError("the new version is the same as the last one")
    version = _new_version(
        proposal,
        text,
        latest.rationale if rationale is None else rationale,
        member,
        now,
        "revised by the author",
    )
    record_append(
        kind="proposal.revised",
        actor=actor_for(user),
        body=proposal.body,
        data={
            "proposal": proposal.public_id,
            "version": version.number,
            "text_sha256": salted_digest(proposal.salt, text),
        },
    )
    return version


@transaction.atomic
def proposal_withdraw(*, user: Any, proposal: Proposal, reason: str) -> Proposal:
    """The author withdraws a proposal under discussion; it stays listed as withdrawn."""
    member = _member(user)
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    require(member.pk == proposal.author_id, "only the author withdraws a proposal")
    if not reason.strip():
        raise DecisionError("say why the proposal is withdrawn")
    proposal.state = move(PROPOSAL, proposal.state, Proposal.State.WITHDRAWN, "proposal")
    proposal.save(update_fields=["state"])
    record_append(
        kind="proposal.withdrawn",
        actor=actor_for(user),
        body=proposal.body,
        data={
            "proposal": proposal.public_id,
            "reason_sha256": salted_digest(proposal.salt, reason),
        },
    )
    return proposal


@transaction.atomic
def comment_add(
    *,
    user: Any,
    proposal: Proposal,
    text: str,
    parent: Comment | None = None,
    now: dt.datetime | None = None,
) -> Comment:
    now = now or timezone.now()
    member = _member(user)
    require(
        belongs_to(member, proposal.body),
        f"only members of {proposal.body.name} take part in its discussion",
    )
    if not text.strip():
        raise DecisionError("the comment is empty")
    if parent is not None and parent.proposal_id != proposal.pk:
        raise DecisionError("the reply belongs to another proposal's discussion")
    comment = Comment.objects.create(
        proposal=proposal, parent=parent, author=member, text=text.strip(), created_at=now
    )
    record_append(
        kind="proposal.commented",
        actor=actor_for(user),
        body=proposal.body,
        data={
            "proposal": proposal.public_id,
            "comment": comment.pk,
            "reply_to": parent.pk if parent else None,
            "text_sha256": salted_digest(proposal.salt, comment.text),
        },
    )
    return comment


@transaction.atomic
def amendment_propose(
    *,
    user: Any,
    proposal: Proposal,
    original: str,
    replacement: str,
    reason: str = "",
    now: dt.datetime | None = None,
) -> Amendment:
    now = now or timezone.now()
    member = _member(user)
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    require(
        belongs_to(member, proposal.body),
        f"only members of {proposal.body.name} amend its proposals",
    )
    _require_deliberation(proposal)
    latest = _latest_version(proposal)
    if not original or latest.text.count(original) != 1:
        raise DecisionError(
            "quote the passage to change exactly as it stands, once, in the current version"
            if not original or original not in latest.text
            else "the passage occurs more than once; quote a longer, unique passage"
        )
    if original == replacement:
        raise DecisionError("the replacement is the same as the passage")
    amendment = Amendment.objects.create(
        proposal=proposal,
        author=member,
        original=original,
        replacement=replacement,
        reason=reason,
        created_at=now,
        based_on=latest.number,
    )
    record_append(
        kind="amendment.proposed",
        actor=actor_for(user),
        body=proposal.body,
        data={
            "proposal": proposal.public_id,
            "amendment": amendment.public_id,
            "version": latest.number,
        },
    )
    return amendment


@transaction.atomic
def amendment_accept(
    *, user: Any, amendment: Amendment, now: dt.datetime | None = None
) -> ProposalVersion:
    now = now or timezone.now()
    member = _member(user)
    proposal = Proposal.objects.select_for_update().get(pk=amendment.proposal_id)
    require(member.pk == proposal.author_id, "only the proposal's author accepts amendments")
    _require_deliberation(proposal)
    if amendment.state != Amendment.State.PROPOSED:
        raise DecisionError(f"the amendment is already {amendment.get_state_display().lower()}")
    latest = _latest_version(proposal)
    if latest.text.count(amendment.original) != 1:
        raise DecisionError("the passage it changes is no longer in the text as quoted")
    text = latest.text.replace(amendment.original, amendment.replacement, 1)
    version = _new_version(
        proposal, text, latest.rationale, member, now, f"amendment {amendment.public_id} accepted"
    )
    amendment.state = Amendment.State.ACCEPTED
    amendment.save(update_fields=["state"])
    record_append(
        kind="amendment.accepted",
        actor=actor_for(user),
        body=proposal.body,
        data={
            "proposal": proposal.public_id,
            "amendment": amendment.public_id,
            "version": version.number,
        },
    )
    return version


@transaction.atomic
def amendment_decline(*, user: Any, amendment: Amendment) -> Amendment:
    """The author declines; the amendment stays listed and can be put to the board by
    any member as a proposal of its own."""
    member = _member(user)
    require(
        member.pk == amendment.proposal.author_id, "only the proposal's author declines amendments"
    )
    if amendment.state != Amendment.State.PROPOSED:
        raise DecisionError(f"the amendment is already {amendment.get_state_display().lower()}")
    amendment.state = Amendment.State.DECLINED
    amendment.save(update_fields=["state"])
    record_append(
        kind="amendment.declined",
        actor=actor_for(user),
        body=amendment.proposal.body,
        data={"proposal": amendment.proposal.public_id, "amendment": amendment.public_id},
    )
    return amendment


def _open_decision(
    proposal: Proposal,
    kind: str,
    closes_at: dt.datetime,
    now: dt.datetime,
    electorate_size: int,
    *,
    threshold: str = "simple-majority",
    quorum: str = "1/2",
    overturns: Decision | None = None,
) -> Decision:
    if proposal.state != Proposal.State.DELIBERATION:
        raise DecisionError(f"the proposal is {proposal.get_state_display().lower()}")
    if closes_at <= now:
        raise DecisionError("the vote must close in the future")
    if proposal.amendments.filter(state=Amendment.State.PROPOSED).exists():
        raise DecisionError(
            "amendments are still open: the author accepts or declines each before the vote"
        )
    proposal.state = move(PROPOSAL, proposal.state, Proposal.State.VOTING, "proposal")
    proposal.save(update_fields=["state"])
    return Decision.objects.create(
        body=proposal.body,
        proposal=proposal,
        version=_latest_version(proposal),
        title=proposal.title,
        kind=kind,
        threshold=threshold,
        quorum=quorum,
        electorate_size=electorate_size,
        opened_at=now,
        closes_at=closes_at,
        overturns=overturns,
        subject_kind=proposal.subject_kind,
        subject_id=proposal.subject_id,
    )


@transaction.atomic
def roll_call_open(
    *, user: Any, proposal: Proposal, closes_at: dt.datetime, now: dt.datetime | None = None
) -> Decision:
    """The board puts a proposal to its roll call (quorum: half the seats)."""
    now = now or timezone.now()
    member = _member(user)
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    require(
        holds_seat(member, proposal.body),
        f"only the board of {proposal.body.name} opens its roll calls",
    )
    if proposal.route != Proposal.Route.BOARD:
        raise DecisionError("the proposal is reserved to the members: open a referendum")
    decision = _open_decision(
        proposal, Decision.Kind.ROLL_CALL, closes_at, now, board_seats(proposal.body).count()
    )
    record_append(
        kind="decision.roll_call_opened",
        actor=actor_for(user),
        body=proposal.body,
        data={
            "decision": decision.public_id,
            "proposal": proposal.public_id,
            "version": decision.version.number if decision.version else None,
            "closes_at": closes_at.isoformat(),
            "seats": decision.electorate_size,
        },
    )
    _notify_members(
        proposal.body,
        board_only=True,
        kind="decision.roll_call_opened",
        title=f"Roll call open: {decision.title}",
        url=f"/decisions/{decision.public_id}/",
        now=now,
    )
    return decision


@transaction.atomic
def referendum_open(
    *, user: Any, proposal: Proposal, closes_at: dt.datetime, now: dt.datetime | None = None
) -> Decision:
    """The board puts a proposal reserved to the members to a secret referendum."""
    now = now or timezone.now()
    member = _member(user)
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    require(
        holds_seat(member, proposal.body),
        f"only the board of {proposal.body.name} schedules its referendums",
    )
    decision = _open_decision(
        proposal,
        Decision.Kind.REFERENDUM,
        closes_at,
        now,
        body_members(proposal.body).count(),
        quorum="0",
    )
    _announce_referendum(
        decision, actor=actor_for(user), data={"proposal": proposal.public_id}, now=now
    )
    return decision


@transaction.atomic
def referendum_call(
    *,
    body: Body,
    title: str,
    text: str,
    subject_kind: str,
    subject_id: str,
    closes_at: dt.datetime,
    now: dt.datetime | None = None,
) -> Decision:
    """A secret referendum of a body's members that the system opens on the members'
    behalf (a petition reached its share): yes/no on ``text``, simple majority, no quorum.
    What the answer does is registered in ``effects`` under ``subject_kind``."""
    now = now or timezone.now()
    if not title.strip() or not text.strip():
        raise DecisionError("a referendum needs a title and the question put")
    if closes_at <= now:
        raise DecisionError("the vote must close in the future")
    decision = Decision.objects.create(
        body=body,
        title=title.strip()[:MAX_TITLE],
        text=text.strip(),
        kind=Decision.Kind.REFERENDUM,
        threshold="simple-majority",
        quorum="0",
        electorate_size=body_members(body).count(),
        opened_at=now,
        closes_at=closes_at,
        subject_kind=subject_kind,
        subject_id=subject_id,
    )
    _announce_referendum(
        decision,
        actor=SYSTEM,
        data={
            "subject": [subject_kind, subject_id],
            "question_sha256": salted_digest(decision.salt, decision.text),
        },
        now=now,
    )
    return decision


def _announce_referendum(
    decision: Decision,
    *,
    actor: Actor,
    data: dict[str, Any],
    now: dt.datetime,
    kind: str = "decision.referendum_opened",
    title: str = "",
) -> None:
    """The record entry of a referendum that opens, and the notice to the body's members."""
    record_append(
        kind=kind,
        actor=actor,
        body=decision.body,
        data={
            "decision": decision.public_id,
            **data,
            "closes_at": decision.closes_at.isoformat(),
            "electorate": decision.electorate_size,
        },
    )
    _notify_members(
        decision.body,
        kind="decision.referendum_opened",
        title=title or f"Referendum open: {decision.title}",
        url=f"/decisions/{decision.public_id}/",
        now=now,
    )


@transaction.atomic
def roll_call_vote(
    *, user: Any, decision: Decision, vote: str, now: dt.datetime | None = None
) -> RollCallVote:
    now = now or timezone.now()
    member = _member(user)
    # Locked like the count, so no vote commits after the count has read the votes.
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    require(
        holds_seat(member, decision.body),
        f"only the board of {decision.body.name} votes in its roll calls",
    )
    if decision.kind != Decision.Kind.ROLL_CALL:
        raise DecisionError("this is a referendum: members vote by secret ballot")
    if decision.state != Decision.State.VOTING or now >= decision.closes_at:
        raise DecisionError("the roll call is closed")
    if vote not in RollCallVote.Vote.values:
        raise DecisionError(f"vote yes, no or abstain, not {vote!r}")
    try:
        with transaction.atomic():
            cast = RollCallVote.objects.create(
                decision=decision, member=member, vote=vote, cast_at=now
            )
    except IntegrityError:
        raise DecisionError("your vote is already recorded; a roll call vote is final") from None
    record_append(
        kind="decision.roll_call_vote",
        actor=actor_for(user),
        body=decision.body,
        data={"decision": decision.public_id, "vote": vote},
    )
    return cast


@transaction.atomic
def referendum_cast(
    *, user: Any, decision: Decision, choice: str, now: dt.datetime | None = None
) -> str:
    """Vote secretly; returns the tracker. Roll, ballot and tracker are unlinked."""

    def ballot(_decision: Decision) -> dict[str, Any]:
        if choice not in RollCallVote.Vote.values:
            raise DecisionError(f"vote yes, no or abstain, not {choice!r}")
        return {"choice": choice}

    return _secret_cast(
        user=user, decision=decision, kind=Decision.Kind.REFERENDUM, ballot=ballot, now=now
    )


def _secret_cast(
    *,
    user: Any,
    decision: Decision,
    kind: str,
    ballot: Callable[[Decision], dict[str, Any]],
    now: dt.datetime | None = None,
) -> str:
    """A member's secret ballot in a referendum of ``kind``; ``ballot`` checks the voter's
    answer against the (locked) decision and gives the ballot's fields. Returns the
    tracker; roll, ballot and tracker are stored unlinked (ADR 0007)."""
    now = now or timezone.now()
    member = _member(user)
    # Locked like the count, so no ballot commits after the count has read them.
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    require(
        belongs_to(member, decision.body),
        f"only members of {decision.body.name} vote in its referendums",
    )
    if decision.kind != kind:
        raise DecisionError(
            f"this is a {decision.get_kind_display().lower()}: vote as its page says"
        )
    if decision.state != Decision.State.VOTING or now >= decision.closes_at:
        raise DecisionError("the referendum is closed")
    fields = ballot(decision)
    tracker = store_secret_ballot(
        roll=lambda: ReferendumRollEntry.objects.create(decision=decision, member=member),
        ballot=lambda: ReferendumBallot.objects.create(decision=decision, **fields),
        tracker=lambda: ReferendumTracker.objects.create(decision=decision),
        already_voted=DecisionError("you have already voted in this referendum"),
    )
    record_append(
        kind="decision.referendum_voted",
        actor=actor_for(user),
        body=decision.body,
        data={"decision": decision.public_id},
    )
    return tracker


@transaction.atomic
def decision_close(*, decision: Decision, now: dt.datetime | None = None) -> Decision:
    """Count a vote after its closing time (run by the sweep, or anyone)."""
    from collegium.tally import count_question

    now = now or timezone.now()
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    if decision.state != Decision.State.VOTING:
        raise DecisionError(f"the vote is already {decision.get_state_display().lower()}")
    if now < decision.closes_at:
        raise DecisionError("the vote is still open")
    if decision.kind == Decision.Kind.ALTERNATIVES:
        return _close_alternatives(decision, now)
    if decision.kind == Decision.Kind.ROLL_CALL:
        votes = list(decision.roll_call.values_list("vote", flat=True))
    else:
        votes = list(decision.referendum_ballots.values_list("choice", flat=True))
    result = count_question(
        votes.count("yes"),
        votes.count("no"),
        votes.count("abstain"),
        electorate=max(decision.electorate_size, len(votes)),
        quorum=decision.quorum,
        threshold=decision.threshold,  # type: ignore[arg-type]
    )
    decision.outcome = result.to_json()
    decision.decided_at = now
    proposal = decision.proposal
    if not result.adopted:
        decision.state = move(DECISION, decision.state, Decision.State.REJECTED, "decision")
    elif decision.kind == Decision.Kind.ROLL_CALL:
        window = charter_as_dict(decision.body)["review_window_days"]
        decision.review_until = now + dt.timedelta(days=window)
        decision.state = move(
            DECISION,
            decision.state,
            Decision.State.REVIEW if window else Decision.State.FINAL,
            "decision",
        )
    else:
        decision.state = move(DECISION, decision.state, Decision.State.FINAL, "decision")
    decision.save()
    if proposal is not None:
        proposal.state = move(
            PROPOSAL,
            proposal.state,
            Proposal.State.DECIDED if result.adopted else Proposal.State.DELIBERATION,
            "proposal",
        )
        proposal.save(update_fields=["state"])
    overturned = None
    if decision.overturns_id and result.adopted:
        original = Decision.objects.select_for_update().get(pk=decision.overturns_id)
        original.state = move(DECISION, original.state, Decision.State.OVERTURNED, "decision")
        original.save(update_fields=["state"])
        overturned = original.public_id
        effects.decision_failed(original, now)
    record_append(
        kind="decision.closed",
        actor=SYSTEM,
        body=decision.body,
        data={
            "decision": decision.public_id,
            "kind": decision.kind,
            "state": decision.state,
            "yes": result.yes,
            "no": result.no,
            "abstain": result.abstain,
            "review_until": decision.review_until.isoformat() if decision.review_until else None,
            "overturns": overturned,
        },
    )
    if decision.state == Decision.State.FINAL:
        effects.decision_final(decision, now)
    elif decision.state == Decision.State.REJECTED:
        effects.decision_failed(decision, now)
    transaction.on_commit(_checkpoint)
    return decision


def _close_alternatives(decision: Decision, now: dt.datetime) -> Decision:
    from collegium.decisions.alternatives import alternatives_count

    decision.outcome = alternatives_count(decision)
    decision.decided_at = now
    adopted = decision.outcome["winner"] is not None
    decision.state = move(
        DECISION,
        decision.state,
        Decision.State.FINAL if adopted else Decision.State.REJECTED,
        "decision",
    )
    decision.save()
    record_append(
        kind="decision.closed",
        actor=SYSTEM,
        body=decision.body,
        data={
            "decision": decision.public_id,
            "kind": decision.kind,
            "state": decision.state,
            "ballots": decision.outcome["ballots"],
            "ranking": decision.outcome["ranking"],
        },
    )
    if adopted:
        effects.decision_final(decision, now)
    else:
        effects.decision_failed(decision, now)
    transaction.on_commit(_checkpoint)
    return decision


@transaction.atomic
def review_sign(
    *, user: Any, decision: Decision, now: dt.datetime | None = None
) -> Decision | None:
    """Sign the petition to put a board decision under review to a referendum. Returns
    the referendum once the charter's share of members has signed."""
    now = now or timezone.now()
    member = _member(user)
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    require(
        belongs_to(member, decision.body),
        f"only members of {decision.body.name} petition against its decisions",
    )
    if decision.state != Decision.State.REVIEW:
        raise DecisionError(
            f"the decision is {decision.get_state_display().lower()}: only "
            "decisions in their review window can be petitioned"
        )
    assert decision.review_until is not None
    if now >= decision.review_until:
        raise DecisionError("the review window has closed")
    if Decision.objects.filter(overturns=decision).exists():
        raise DecisionError("a referendum on this decision is already under way")
    try:
        with transaction.atomic():
            ReviewSignature.objects.create(decision=decision, member=member, signed_at=now)
    except IntegrityError:
        raise DecisionError("you have already signed this petition") from None
    members = body_members(decision.body).count()
    needed = signatures_needed(charter_as_dict(decision.body)["overturn_petition_pct"], members)
    signatures = decision.review_signatures.count()
    record_append(
        kind="decision.review_signed",
        actor=actor_for(user),
        body=decision.body,
        data={"decision": decision.public_id, "signatures": signatures, "needed": needed},
    )
    if signatures < needed:
        return None
    # The question put is "overturn?": a yes overturns the board's decision.
    referendum = Decision.objects.create(
        body=decision.body,
        proposal=None,
        version=decision.version,
        title=f"Overturn the board's decision: {decision.title}"[:MAX_TITLE],
        kind=Decision.Kind.REFERENDUM,
        threshold="simple-majority",
        quorum="0",
        electorate_size=members,
        opened_at=now,
        closes_at=now + dt.timedelta(days=charter_as_dict(decision.body)["recall_ballot_days"]),
        overturns=decision,
    )
    _announce_referendum(
        referendum,
        actor=SYSTEM,
        data={"overturns": decision.public_id, "signatures": signatures},
        now=now,
    )
    return referendum


def decisions_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Idempotent: count votes past their close; make decisions final after review."""
    now = now or timezone.now()
    closed = finalised = 0
    for decision in Decision.objects.filter(state=Decision.State.VOTING, closes_at__lte=now):
        try:
            decision_close(decision=decision, now=now)
            closed += 1
        except DecisionError:
            continue
    for decision in Decision.objects.filter(state=Decision.State.REVIEW, review_until__lte=now):
        with transaction.atomic():
            locked = Decision.objects.select_for_update().get(pk=decision.pk)
            pending = Decision.objects.filter(
                overturns=locked, state=Decision.State.VOTING
            ).exists()
            if locked.state != Decision.State.REVIEW or pending:
                continue  # a referendum decides it
            locked.state = move(DECISION, locked.state, Decision.State.FINAL, "decision")
            locked.save(update_fields=["state"])
            record_append(
                kind="decision.final",
                actor=SYSTEM,
                body=locked.body,
                data={"decision": locked.public_id},
            )
            effects.decision_final(locked, now)
            finalised += 1
    return {
        "decisions_closed": closed,
        "decisions_final": finalised,
        "decisions_reminded": _remind_closing(now),
    }


REMIND_BEFORE = dt.timedelta(hours=24)


def _remind_closing(now: dt.datetime) -> int:
    """Once per vote, a day before it closes: tell those who have not voted yet."""
    reminded = 0
    for pk in Decision.objects.filter(
        state=Decision.State.VOTING,
        reminded_at__isnull=True,
        closes_at__gt=now,
        closes_at__lte=now + REMIND_BEFORE,
    ).values_list("pk", flat=True):
        with transaction.atomic():
            decision = Decision.objects.select_for_update().get(pk=pk)
            if decision.reminded_at is not None:
                continue
            decision.reminded_at = now
            decision.save(update_fields=["reminded_at"])
            if decision.kind == Decision.Kind.ROLL_CALL:
                waiting = Member.objects.filter(
                    pk__in=board_seats(decision.body).values("holder_id")
                ).exclude(pk__in=decision.roll_call.values("member_id"))
            else:
                waiting = body_members(decision.body).exclude(
                    pk__in=decision.referendum_roll.values("member_id")
                )
            from collegium.notifications.services import notify

            closes = timezone.localtime(decision.closes_at)
            notify(
                members=waiting,
                kind="decision.closing",
                title=f"Closes {closes:%d %b, %H:%M}, you have not voted: {decision.title}",
                url=f"/decisions/{decision.public_id}/",
                now=now,
            )
            reminded += 1
    return reminded


def _notify_members(
    body: Body,
    *,
    kind: str,
    title: str,
    url: str,
    now: dt.datetime,
    board_only: bool = False,
) -> None:
    from collegium.notifications.services import notify

    if board_only:
        members = Member.objects.filter(pk__in=board_seats(body).values("holder_id"))
    else:
        members = body_members(body)
    notify(members=members, kind=kind, title=title, url=url, now=now)


def _checkpoint() -> None:
    from collegium.record.checkpoints import checkpoint_create

    checkpoint_create()
