"""Initiatives: a members' petition that forces an item onto the board's agenda.

``initiative_start`` → ``initiative_sign`` until the charter's share
(``initiative_threshold_pct``) has signed within ``initiative_deadline_days`` → the item
becomes a proposal before the board, which must decide it (close a roll call on it) within
``initiative_deadline_days`` → else ``initiatives_sweep`` takes it to the parent body's
board, with a new deadline, and so on up to the congress. Every step is on the record.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from collegium.decisions.models import (
    Decision,
    Initiative,
    InitiativeSignature,
    InitiativeStep,
    Proposal,
    ProposalVersion,
)
from collegium.decisions.services import MAX_TITLE, SYSTEM, _member, _notify_members
from collegium.decisions.transitions import INITIATIVE, PROPOSAL, DecisionError, move
from collegium.federation.charters import signatures_needed
from collegium.federation.models import Body
from collegium.federation.permissions import belongs_to, require
from collegium.federation.selectors import body_members, charter_as_dict
from collegium.record.services import actor_for, record_append, salted_digest

SUBJECT = "decisions.initiative"
REMIND_BEFORE = dt.timedelta(days=2)


def _days(body: Body) -> dt.timedelta:
    return dt.timedelta(days=charter_as_dict(body)["initiative_deadline_days"])


@transaction.atomic
def initiative_start(
    *, user: Any, body: Body, title: str, text: str, now: dt.datetime | None = None
) -> Initiative:
    """Start a petition; the author's own signature is the first."""
    now = now or timezone.now()
    member = _member(user)
    require(belongs_to(member, body), f"only members of {body.name} start initiatives there")
    errors = []
    if not title.strip():
        errors.append("an initiative needs a title")
    if len(title.strip()) > MAX_TITLE:
        errors.append(f"the title is longer than {MAX_TITLE} characters")
    if not text.strip():
        errors.append("say what the board should decide")
    if errors:
        raise DecisionError("; ".join(errors))
    needed = signatures_needed(
        charter_as_dict(body)["initiative_threshold_pct"], body_members(body).count()
    )
    initiative = Initiative.objects.create(
        body=body,
        author=member,
        title=title.strip(),
        text=text.strip(),
        created_at=now,
        collect_until=now + _days(body),
        signatures_needed=needed,
    )
    InitiativeSignature.objects.create(initiative=initiative, member=member, signed_at=now)
    record_append(
        kind="initiative.started",
        actor=actor_for(user),
        body=body,
        data={
            "initiative": initiative.public_id,
            "title_sha256": salted_digest(initiative.salt, initiative.title),
            "text_sha256": salted_digest(initiative.salt, initiative.text),
            "needed": needed,
            "collect_until": initiative.collect_until.isoformat(),
        },
    )
    _reach_if_enough(initiative, 1, now)
    return initiative


@transaction.atomic
def initiative_sign(*, user: Any, initiative: Initiative, now: dt.datetime | None = None) -> int:
    """Sign; returns the number of signatures. At the threshold the item goes on the agenda."""
    now = now or timezone.now()
    member = _member(user)
    initiative = Initiative.objects.select_for_update().get(pk=initiative.pk)
    require(
        belongs_to(member, initiative.body),
        f"only members of {initiative.body.name} sign its initiatives",
    )
    if initiative.state != Initiative.State.COLLECTING:
        raise DecisionError(
            f"the initiative is {initiative.get_state_display().lower()}: it takes no more "
            "signatures"
        )
    if now >= initiative.collect_until:
        raise DecisionError("the time to collect signatures is over")
    try:
        with transaction.atomic():
            InitiativeSignature.objects.create(initiative=initiative, member=member, signed_at=now)
    except IntegrityError:
        raise DecisionError("you have already signed this initiative") from None
    count = initiative.signatures.count()
    record_append(
        kind="initiative.signed",
        actor=actor_for(user),
        body=initiative.body,
        data={
            "initiative": initiative.public_id,
            "signatures": count,
            "needed": initiative.signatures_needed,
        },
    )
    _reach_if_enough(initiative, count, now)
    return count


def _reach_if_enough(initiative: Initiative, count: int, now: dt.datetime) -> None:
    if count < initiative.signatures_needed:
        return
    initiative.state = move(INITIATIVE, initiative.state, Initiative.State.ON_AGENDA, "initiative")
    initiative.reached_at = now
    _put_before(initiative, initiative.body, now, count)


def _put_before(initiative: Initiative, body: Body, now: dt.datetime, signatures: int) -> None:
    """Make the initiative a proposal before ``body``'s board, with a deadline."""
    deadline = now + _days(body)
    proposal = Proposal.objects.create(
        body=body,
        author=initiative.author,
        title=f"Initiative: {initiative.title}"[:MAX_TITLE],
        route=Proposal.Route.BOARD,
        created_at=now,
        subject_kind=SUBJECT,
        subject_id=initiative.public_id,
    )
    origin = "" if body.pk == initiative.body_id else f" of {initiative.body.name}"
    ProposalVersion.objects.create(
        proposal=proposal,
        number=1,
        text=initiative.text,
        rationale=f"Initiative{origin} signed by {signatures} members.",
        author=initiative.author,
        created_at=now,
        note="initiative of the members",
    )
    InitiativeStep.objects.create(
        initiative=initiative, body=body, proposal=proposal, started_at=now, deadline=deadline
    )
    initiative.current_body = body
    initiative.deadline = deadline
    initiative.proposal = proposal
    initiative.reminded_at = None
    initiative.save()
    record_append(
        kind="initiative.on_agenda",
        actor=SYSTEM,
        body=body,
        data={
            "initiative": initiative.public_id,
            "proposal": proposal.public_id,
            "deadline": deadline.isoformat(),
            "signatures": signatures,
        },
    )
    _notify_members(
        body,
        board_only=True,
        kind="initiative.on_agenda",
        title=f"On your agenda by initiative, decide by {deadline:%d %b %Y}: {initiative.title}",
        url=f"/initiatives/{initiative.public_id}/",
        now=now,
    )


def _decided(initiative: Initiative) -> Decision | None:
    """The roll call that decided the initiative at its present level, if it has closed."""
    return (
        Decision.objects.filter(proposal=initiative.proposal)
        .exclude(state=Decision.State.VOTING)
        .order_by("decided_at")
        .first()
    )


def initiatives_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Idempotent: settle decided initiatives, escalate overdue ones, lapse petitions that
    ran out of time, remind boards two days before a deadline."""
    now = now or timezone.now()
    counts = {"initiatives_decided": 0, "initiatives_escalated": 0, "initiatives_lapsed": 0}
    for pk in Initiative.objects.filter(
        state=Initiative.State.COLLECTING, collect_until__lte=now
    ).values_list("pk", flat=True):
        with transaction.atomic():
            initiative = Initiative.objects.select_for_update().get(pk=pk)
            if initiative.state != Initiative.State.COLLECTING:
                continue
            initiative.state = move(
                INITIATIVE, initiative.state, Initiative.State.LAPSED, "initiative"
            )
            initiative.save(update_fields=["state"])
            record_append(
                kind="initiative.lapsed",
                actor=SYSTEM,
                body=initiative.body,
                data={
                    "initiative": initiative.public_id,
                    "signatures": initiative.signatures.count(),
                    "needed": initiative.signatures_needed,
                },
            )
            counts["initiatives_lapsed"] += 1
    for pk in Initiative.objects.filter(state=Initiative.State.ON_AGENDA).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            initiative = Initiative.objects.select_for_update().get(pk=pk)
            if initiative.state != Initiative.State.ON_AGENDA:
                continue
            settled = _settle(initiative, now)
            if settled:
                counts[settled] += 1
    return counts


def _settle(initiative: Initiative, now: dt.datetime) -> str:
    assert initiative.deadline is not None and initiative.current_body is not None
    step = initiative.steps.order_by("-started_at", "-id").first()
    assert step is not None
    decision = _decided(initiative)
    if decision is not None:
        initiative.state = move(
            INITIATIVE, initiative.state, Initiative.State.DECIDED, "initiative"
        )
        initiative.save(update_fields=["state"])
        step.ended_at, step.outcome = decision.decided_at, "decided"
        step.save(update_fields=["ended_at", "outcome"])
        record_append(
            kind="initiative.decided",
            actor=SYSTEM,
            body=initiative.current_body,
            data={"initiative": initiative.public_id, "decision": decision.public_id},
        )
        return "initiatives_decided"
    voting = Decision.objects.filter(
        proposal=initiative.proposal, state=Decision.State.VOTING
    ).exists()
    parent = initiative.current_body.parent
    if now >= initiative.deadline and not voting and parent is not None:
        step.ended_at, step.outcome = now, "escalated"
        step.save(update_fields=["ended_at", "outcome"])
        proposal = initiative.proposal
        assert proposal is not None
        proposal.state = move(PROPOSAL, proposal.state, Proposal.State.WITHDRAWN, "proposal")
        proposal.save(update_fields=["state"])
        record_append(
            kind="initiative.escalated",
            actor=SYSTEM,
            body=initiative.current_body,
            data={
                "initiative": initiative.public_id,
                "from": initiative.current_body.code,
                "to": parent.code,
                "missed_deadline": initiative.deadline.isoformat(),
            },
        )
        _put_before(initiative, parent, now, initiative.signatures.count())
        return "initiatives_escalated"
    if (
        initiative.reminded_at is None
        and now < initiative.deadline
        and now >= initiative.deadline - REMIND_BEFORE
    ):
        initiative.reminded_at = now
        initiative.save(update_fields=["reminded_at"])
        _notify_members(
            initiative.current_body,
            board_only=True,
            kind="initiative.deadline",
            title=f"Deadline {initiative.deadline:%d %b %Y, %H:%M} for the initiative: "
            f"{initiative.title}",
            url=f"/initiatives/{initiative.public_id}/",
            now=now,
        )
    return ""


def initiative_overdue(initiative: Initiative, now: dt.datetime) -> bool:
    return (
        initiative.state == Initiative.State.ON_AGENDA
        and initiative.deadline is not None
        and now >= initiative.deadline
    )
