"""Writes for criticism. Each is one transaction with its record entry.

Path of a criticism: ``criticism_publish`` (to a body, its board, a seat-holder, a decision
or a plan; under the member's name or anonymously to readers) → ``criticism_cosign`` by
other members, ``criticism_edit`` (only before anyone co-signs) and ``addition_add`` →
``response_publish`` by the board that must answer → ``response_mark`` by the critic and
co-signers. No response by the charter's deadline (``criticism_sweep``) or a response
marked unsatisfactory moves it to the board of the body above, with its whole history;
at the congress it stays open and overdue.

Moderation: only the elected moderation commission hides (``criticism_hide``), only for a
reason in the charter, on the record; the hidden item stays listed with that reason. The
author appeals (``appeal_sign``): at the charter's share of members a referendum decides.
``author_reveal`` shows a commission member an anonymous author after writing the look to
the record.

Anonymity: entries about an anonymous criticism name its author as the opaque actor
``anonymous``; only ``Criticism.author`` links them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from collegium.criticism import permissions as cperm
from collegium.criticism.models import (
    AWAITING,
    Addition,
    AppealSignature,
    AuthorLook,
    CoSignature,
    Criticism,
    Level,
    Mark,
    ModerationAct,
    Response,
)
from collegium.criticism.transitions import APPEAL, CRITICISM, CriticismError, move
from collegium.decisions.models import Decision
from collegium.elections.models import Seat
from collegium.elections.selectors import board_seats
from collegium.federation.charters import signatures_needed
from collegium.federation.models import Body, Member
from collegium.federation.permissions import belongs_to, holds_seat, member_of, require
from collegium.federation.selectors import body_members, charter_as_dict
from collegium.record.services import Actor, actor_for, record_append, salted_digest

SYSTEM = Actor(id="system", role="system")
ANONYMOUS = Actor(id="anonymous", role="member")
SUBJECT_KIND = "criticism.moderation"
MAX_TITLE = 200
MAX_TEXT = 50_000
MAX_PLAN = 200
REMIND_BEFORE = dt.timedelta(days=1)

__all__ = ["CriticismError"]


def _member(user: Any) -> Member:
    member = member_of(user)
    require(member is not None and member.active, "only members take part in criticism")
    assert member is not None
    return member


def _author_actor(criticism: Criticism, user: Any) -> Actor:
    """The record's name for the author: opaque for anonymous criticism."""
    return ANONYMOUS if criticism.anonymous else actor_for(user)


def _locked(criticism: Criticism) -> Criticism:
    return Criticism.objects.select_for_update().get(pk=criticism.pk)


def _url(criticism: Criticism) -> str:
    return f"/criticism/{criticism.public_id}/"


def response_days(body: Body) -> int:
    return int(charter_as_dict(body)["criticism_response_days"])


def _board_ids(body: Body) -> list[int]:
    return list(board_seats(body).values_list("holder_id", flat=True))


def _notify(member_ids: list[int], *, kind: str, title: str, url: str, now: dt.datetime) -> None:
    from collegium.notifications.services import notify

    if member_ids:
        notify(
            members=Member.objects.filter(pk__in=member_ids),
            kind=kind,
            title=title,
            url=url,
            now=now,
        )


def _notify_ids(
    member_ids: list[int], *, kind: str, title: str, url: str, now: dt.datetime
) -> None:
    """``_notify`` for ids already known to be members (no query to look them up)."""
    from collegium.notifications.services import notify

    if member_ids:
        notify(members=[Member(pk=i) for i in member_ids], kind=kind, title=title, url=url, now=now)


def _followers(criticism: Criticism) -> list[int]:
    """The critic and the co-signers."""
    return [criticism.author_id, *criticism.cosignature_rows.values_list("member_id", flat=True)]


def _check_text(errors: dict[str, str], title: str, text: str) -> None:
    if not title.strip():
        errors["title"] = "a criticism needs a title"
    elif len(title.strip()) > MAX_TITLE:
        errors["title"] = f"the title is longer than {MAX_TITLE} characters"
    if not text.strip():
        errors["text"] = "a criticism needs a text"
    elif len(text) > MAX_TEXT:
        errors["text"] = f"the text is longer than {MAX_TEXT:,} characters"


def _raise(errors: dict[str, str]) -> None:
    if errors:
        raise CriticismError("; ".join(errors.values()), errors)


# ------------------------------------------------------------------------- publishing


@transaction.atomic
def criticism_publish(
    *,
    user: Any,
    body: Body,
    title: str,
    text: str,
    target: str = Criticism.Target.BODY,
    seat: Seat | None = None,
    decision: Decision | None = None,
    plan: str = "",
    anonymous: bool = False,
    publicity: str = Criticism.Publicity.BODIES,
    now: dt.datetime | None = None,
) -> Criticism:
    """Publish a criticism addressed to ``body`` (or to its board, one of its
    seat-holders, one of its decisions, or its plan)."""
    now = now or timezone.now()
    member = _member(user)
    errors: dict[str, str] = {}
    if not cperm.can_address(member, body):
        errors["body"] = (
            f"you do not belong to {body.name}: a member addresses criticism to their own "
            "workplace, the bodies above it and the commissions attached to those"
        )
    if target not in Criticism.Target.values:
        errors["target"] = f"address a body, board, seat, decision or plan, not {target!r}"
    elif target == Criticism.Target.SEAT:
        if seat is None:
            errors["seat"] = "name the seat-holder you criticise"
        elif seat.body_id != body.pk or seat.vacated_on is not None:
            errors["seat"] = f"this is not a current seat of {body.name}"
    elif target == Criticism.Target.DECISION:
        if decision is None:
            errors["decision"] = "name the decision you criticise"
        elif decision.body_id != body.pk:
            errors["decision"] = f"this is not a decision of {body.name}"
    elif target == Criticism.Target.PLAN:
        if not plan.strip():
            errors["plan"] = "say which plan (and line) you criticise, e.g. 'Plan 2027, line 14'"
        elif len(plan.strip()) > MAX_PLAN:
            errors["plan"] = f"the plan reference is longer than {MAX_PLAN} characters"
    if publicity not in Criticism.Publicity.values:
        errors["publicity"] = f"publicity is bodies, federation or public, not {publicity!r}"
    _check_text(errors, title, text)
    if errors.get("body"):
        raise cperm_denied(errors["body"])
    _raise(errors)
    due = now + dt.timedelta(days=response_days(body))
    criticism = Criticism.objects.create(
        body=body,
        target=target,
        target_seat=seat if target == Criticism.Target.SEAT else None,
        target_decision=decision if target == Criticism.Target.DECISION else None,
        target_plan=plan.strip() if target == Criticism.Target.PLAN else "",
        author=member,
        author_body=member.workplace,
        anonymous=anonymous,
        publicity=publicity,
        title=title.strip(),
        text=text,
        created_at=now,
        level_body=body,
        due_at=due,
    )
    Level.objects.create(
        criticism=criticism,
        number=0,
        body=body,
        reason=Level.Reason.ADDRESSED,
        opened_at=now,
        due_at=due,
    )
    record_append(
        kind="criticism.published",
        actor=_author_actor(criticism, user),
        body=body,
        data={
            "criticism": criticism.public_id,
            "target": target,
            "seat_holder": seat.holder.public_id if seat is not None and target == "seat" else None,
            "decision": decision.public_id
            if decision is not None and target == "decision"
            else None,
            "plan_sha256": salted_digest(criticism.salt, criticism.target_plan)
            if criticism.target_plan
            else None,
            "anonymous": anonymous,
            "publicity": publicity,
            "title_sha256": salted_digest(criticism.salt, criticism.title),
            "text_sha256": salted_digest(criticism.salt, text),
            "due_at": due.isoformat(),
        },
    )
    _notify(
        _board_ids(body),
        kind="criticism.received",
        title=f"Criticism to answer by {due:%d %b %Y}: {criticism.title}",
        url=_url(criticism),
        now=now,
    )
    return criticism


def cperm_denied(message: str) -> Exception:
    from collegium.federation.permissions import PermissionDenied

    return PermissionDenied(message)


@transaction.atomic
def criticism_edit(
    *, user: Any, criticism: Criticism, title: str, text: str, now: dt.datetime | None = None
) -> Criticism:
    """The author corrects the text, only while nobody has co-signed it."""
    now = now or timezone.now()
    member = _member(user)
    criticism = _locked(criticism)
    require(member.pk == criticism.author_id, "only the author edits a criticism")
    if criticism.cosignatures:
        raise CriticismError(
            "others have co-signed this criticism: it cannot be edited, only followed by additions",
            {"text": "co-signed texts are final; add to it instead"},
        )
    errors: dict[str, str] = {}
    _check_text(errors, title, text)
    _raise(errors)
    if title.strip() == criticism.title and text == criticism.text:
        raise CriticismError("nothing changed", {"text": "the text is the same as before"})
    criticism.title, criticism.text, criticism.edited_at = title.strip(), text, now
    criticism.save(update_fields=["title", "text", "edited_at"])
    record_append(
        kind="criticism.edited",
        actor=_author_actor(criticism, user),
        body=criticism.body,
        data={
            "criticism": criticism.public_id,
            "title_sha256": salted_digest(criticism.salt, criticism.title),
            "text_sha256": salted_digest(criticism.salt, text),
        },
    )
    return criticism


@transaction.atomic
def addition_add(
    *, user: Any, criticism: Criticism, text: str, now: dt.datetime | None = None
) -> Addition:
    now = now or timezone.now()
    member = _member(user)
    criticism = _locked(criticism)
    require(member.pk == criticism.author_id, "only the author adds to a criticism")
    if not text.strip():
        raise CriticismError("the addition is empty", {"text": "write the addition"})
    if len(text) > MAX_TEXT:
        raise CriticismError("the addition is too long", {"text": f"at most {MAX_TEXT:,}"})
    addition = Addition.objects.create(criticism=criticism, text=text, created_at=now)
    record_append(
        kind="criticism.added_to",
        actor=_author_actor(criticism, user),
        body=criticism.body,
        data={
            "criticism": criticism.public_id,
            "addition": addition.pk,
            "text_sha256": salted_digest(criticism.salt, text),
        },
    )
    return addition


@transaction.atomic
def criticism_cosign(
    *, user: Any, criticism: Criticism, now: dt.datetime | None = None
) -> CoSignature:
    now = now or timezone.now()
    member = _member(user)
    criticism = _locked(criticism)
    if member.pk == criticism.author_id:
        raise CriticismError("you wrote this criticism; others co-sign it")
    require(
        cperm.can_read(member, criticism),
        "only members who may read this criticism co-sign it",
    )
    try:
        with transaction.atomic():
            cosignature = CoSignature.objects.create(
                criticism=criticism, member=member, signed_at=now
            )
    except IntegrityError:
        raise CriticismError("you have already co-signed this criticism") from None
    Criticism.objects.filter(pk=criticism.pk).update(cosignatures=F("cosignatures") + 1)
    criticism.refresh_from_db(fields=["cosignatures"])
    record_append(
        kind="criticism.cosigned",
        actor=actor_for(user),
        body=criticism.body,
        data={"criticism": criticism.public_id, "cosignatures": criticism.cosignatures},
    )
    return cosignature


# --------------------------------------------------------------- responses and marks


@transaction.atomic
def response_publish(
    *, user: Any, criticism: Criticism, text: str, now: dt.datetime | None = None
) -> Response:
    """A member of the board that must answer now publishes its response."""
    now = now or timezone.now()
    member = _member(user)
    criticism = _locked(criticism)
    body = criticism.level_body
    require(
        holds_seat(member, body),
        f"only the board of {body.name} answers this criticism now",
    )
    if criticism.state not in AWAITING:
        raise CriticismError(
            f"the criticism is {criticism.get_state_display().lower()}: "
            "no response is due from this board now"
        )
    if member.pk == criticism.author_id:
        raise CriticismError("you wrote this criticism: another member of the board answers it")
    if not text.strip():
        raise CriticismError("the response is empty", {"text": "write the board's response"})
    if len(text) > MAX_TEXT:
        raise CriticismError("the response is too long", {"text": f"at most {MAX_TEXT:,}"})
    level = criticism.levels.get(number=criticism.level)
    response = Response.objects.create(level=level, author=member, text=text, created_at=now)
    criticism.state = move(CRITICISM, criticism.state, Criticism.State.ANSWERED, "criticism")
    criticism.save(update_fields=["state"])
    record_append(
        kind="criticism.answered",
        actor=actor_for(user),
        body=body,
        data={
            "criticism": criticism.public_id,
            "level": level.number,
            "late": now > level.due_at,
            "text_sha256": salted_digest(criticism.salt, text),
        },
    )
    _notify(
        _followers(criticism),
        kind="criticism.answered",
        title=f"The board of {body.name} answered: {criticism.title}",
        url=_url(criticism),
        now=now,
    )
    return response


def unsatisfied_needed(cosigners: int) -> int:
    """Co-signers' unsatisfied marks that escalate without the critic: a majority."""
    return cosigners // 2 + 1


@transaction.atomic
def response_mark(
    *, user: Any, criticism: Criticism, satisfied: bool, now: dt.datetime | None = None
) -> Criticism:
    """The critic or a co-signer marks the latest response. The critic's "satisfied"
    closes the criticism; the critic's "unsatisfied", or "unsatisfied" from a majority of
    the co-signers, escalates it to the board above."""
    now = now or timezone.now()
    member = _member(user)
    criticism = _locked(criticism)
    is_author = member.pk == criticism.author_id
    is_cosigner = criticism.cosignature_rows.filter(member=member).exists()
    require(is_author or is_cosigner, "only the critic and the co-signers mark the response")
    if criticism.state not in (Criticism.State.ANSWERED, Criticism.State.SATISFIED):
        raise CriticismError("there is no response to mark at this level yet")
    level = criticism.levels.get(number=criticism.level)
    try:
        with transaction.atomic():
            Mark.objects.create(level=level, member=member, satisfied=satisfied, marked_at=now)
    except IntegrityError:
        raise CriticismError("you have already marked this response") from None
    record_append(
        kind="criticism.marked",
        actor=_author_actor(criticism, user) if is_author else actor_for(user),
        body=level.body,
        data={
            "criticism": criticism.public_id,
            "level": level.number,
            "satisfied": satisfied,
            "by": "critic" if is_author else "co-signer",
        },
    )
    if is_author and satisfied:
        if criticism.state == Criticism.State.ANSWERED:
            criticism.state = move(
                CRITICISM, criticism.state, Criticism.State.SATISFIED, "criticism"
            )
            criticism.save(update_fields=["state"])
        return criticism
    unhappy = is_author or level.marks.filter(satisfied=False).exclude(
        member_id=criticism.author_id
    ).count() >= unsatisfied_needed(criticism.cosignatures)
    if unhappy and not satisfied:
        _escalate(criticism, Level.Reason.UNSATISFIED, now)
    return criticism


# ------------------------------------------------------------------------- escalation


def _escalate(
    criticism: Criticism,
    reason: str,
    now: dt.datetime,
    cache: dict[str, dict[int, Any]] | None = None,
) -> None:
    """Move to the board of the body above (a commission's: the body it serves); at the
    congress, an overdue criticism stays there as overdue and an unsatisfactory answer
    is due again from the congress board. Runs in the caller's transaction."""
    cache = cache if cache is not None else {"days": {}, "board": {}, "body": {}}
    current = criticism.level_body
    parent_id = current.parent_id
    if reason == Level.Reason.OVERDUE and parent_id is None:
        criticism.state = move(CRITICISM, criticism.state, Criticism.State.OVERDUE, "criticism")
        criticism.save(update_fields=["state"])
        record_append(
            kind="criticism.overdue",
            actor=SYSTEM,
            body=current,
            data={"criticism": criticism.public_id, "level": criticism.level},
        )
        return
    if parent_id is None:
        target, state = current, Criticism.State.OPEN
    else:
        target = cache["body"].get(parent_id) or Body.objects.get(pk=parent_id)
        cache["body"][parent_id] = target
        state = Criticism.State.ESCALATED
    days = cache["days"].get(target.pk)
    if days is None:
        days = cache["days"][target.pk] = response_days(target)
    due = now + dt.timedelta(days=days)
    criticism.state = move(CRITICISM, criticism.state, state, "criticism")
    criticism.level += 1
    criticism.level_body = target
    criticism.due_at = due
    criticism.save(update_fields=["state", "level", "level_body", "due_at"])
    Level.objects.create(
        criticism=criticism,
        number=criticism.level,
        body=target,
        reason=reason,
        opened_at=now,
        due_at=due,
    )
    record_append(
        kind="criticism.escalated",
        actor=SYSTEM,
        body=target,
        data={
            "criticism": criticism.public_id,
            "from": current.code,
            "to": target.code,
            "level": criticism.level,
            "reason": reason,
            "due_at": due.isoformat(),
        },
    )
    board = cache["board"].get(target.pk)
    if board is None:
        board = cache["board"][target.pk] = _board_ids(target)
    _notify(
        board,
        kind="criticism.escalated",
        title=f"Criticism escalated to your board, answer by {due:%d %b %Y}: {criticism.title}",
        url=_url(criticism),
        now=now,
    )
    _notify(
        _followers(criticism),
        kind="criticism.escalated",
        title=f"Your criticism went to the board of {target.name}: {criticism.title}",
        url=_url(criticism),
        now=now,
    )


SWEEP_BATCH = 1000


def criticism_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Idempotent: escalate criticism past its deadline (overdue at the congress) and
    remind boards a day before a response is due.

    Work is done in batches of up to ``SWEEP_BATCH`` items, each one transaction with
    the items locked: per batch and board, one record entry listing the items, one
    history row per item, one notice per member of the board the items go to, and one
    notice per item to its critic and co-signers."""
    now = now or timezone.now()
    escalated = overdue = 0
    cache: dict[str, dict[int, Any]] = {"days": {}, "board": {}, "body": {}}
    waiting = [Criticism.State.OPEN, Criticism.State.ESCALATED]
    due = list(
        Criticism.objects.filter(state__in=waiting, due_at__lte=now)
        .order_by("due_at", "pk")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(due), SWEEP_BATCH):
        with transaction.atomic():
            items = list(
                Criticism.objects.select_for_update()
                .filter(pk__in=due[start : start + SWEEP_BATCH], state__in=waiting, due_at__lte=now)
                .order_by("pk")
            )
            groups: dict[int, list[Criticism]] = {}
            for c in items:
                groups.setdefault(c.level_body_id, []).append(c)
            for body_id, group in groups.items():
                moved = _escalate_overdue(body_id, group, now, cache)
                if moved:
                    escalated += len(group)
                else:
                    overdue += len(group)
    return {
        "criticism_escalated": escalated,
        "criticism_overdue": overdue,
        "criticism_reminded": _remind(now, cache),
    }


def _body_cached(cache: dict[str, dict[int, Any]], pk: int) -> Body:
    body = cache["body"].get(pk)
    if body is None:
        body = cache["body"][pk] = Body.objects.get(pk=pk)
    return body


def _board_cached(cache: dict[str, dict[int, Any]], body: Body) -> list[int]:
    board = cache["board"].get(body.pk)
    if board is None:
        board = cache["board"][body.pk] = _board_ids(body)
    return board


def _escalate_overdue(
    body_id: int, items: list[Criticism], now: dt.datetime, cache: dict[str, dict[int, Any]]
) -> bool:
    """Move locked items past their deadline from one board to the next (True), or mark
    them overdue at the congress (False). Runs in the caller's transaction."""
    current = _body_cached(cache, body_id)
    ids = [c.public_id for c in items]
    if current.parent_id is None:
        for c in items:
            c.state = move(CRITICISM, c.state, Criticism.State.OVERDUE, "criticism")
        Criticism.objects.filter(pk__in=[c.pk for c in items]).update(state=c.state)
        record_append(
            kind="criticism.overdue",
            actor=SYSTEM,
            body=current,
            data={"criticisms": ids, "levels": [c.level for c in items]},
        )
        return False
    target = _body_cached(cache, current.parent_id)
    days = cache["days"].get(target.pk)
    if days is None:
        days = cache["days"][target.pk] = response_days(target)
    due = now + dt.timedelta(days=days)
    for c in items:
        c.state = move(CRITICISM, c.state, Criticism.State.ESCALATED, "criticism")
        c.level += 1
        c.level_body = target
        c.due_at = due
    # Every item gets the same state, board and deadline: one UPDATE for the batch.
    Criticism.objects.filter(pk__in=[c.pk for c in items]).update(
        state=Criticism.State.ESCALATED, level=F("level") + 1, level_body=target, due_at=due
    )
    Level.objects.bulk_create(
        [
            Level(
                criticism=c,
                number=c.level,
                body=target,
                reason=Level.Reason.OVERDUE,
                opened_at=now,
                due_at=due,
            )
            for c in items
        ]
    )
    record_append(
        kind="criticism.escalated",
        actor=SYSTEM,
        body=target,
        data={
            "criticisms": ids,
            "levels": [c.level for c in items],
            "from": current.code,
            "to": target.code,
            "reason": Level.Reason.OVERDUE,
            "due_at": due.isoformat(),
        },
    )
    first = items[0]
    _notify(
        _board_cached(cache, target),
        kind="criticism.escalated",
        title=(
            f"Criticism escalated to your board, answer by {due:%d %b %Y}: {first.title}"
            if len(items) == 1
            else f"{len(items)} criticisms from {current.name} escalated to your board, "
            f"answer by {due:%d %b %Y}"
        ),
        url=_url(first) if len(items) == 1 else f"/bodies/{target.code}/criticism/?state=open",
        now=now,
    )
    followers: dict[int, list[int]] = {c.pk: [c.author_id] for c in items}
    for criticism_id, member_id in CoSignature.objects.filter(
        criticism_id__in=list(followers)
    ).values_list("criticism_id", "member_id"):
        followers[criticism_id].append(member_id)
    for c in items:
        _notify_ids(
            followers[c.pk],
            kind="criticism.escalated",
            title=f"Your criticism went to the board of {target.name}: {c.title}",
            url=_url(c),
            now=now,
        )
    return True


def _remind(now: dt.datetime, cache: dict[str, dict[int, Any]]) -> int:
    """A day before an answer is due, tell the board once per level."""
    reminded = 0
    soon = list(
        Criticism.objects.filter(
            state__in=[Criticism.State.OPEN, Criticism.State.ESCALATED],
            due_at__gt=now,
            due_at__lte=now + REMIND_BEFORE,
        )
        .exclude(reminded_level=F("level"))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(soon), SWEEP_BATCH):
        with transaction.atomic():
            items = list(
                Criticism.objects.select_for_update()
                .filter(pk__in=soon[start : start + SWEEP_BATCH], due_at__gt=now)
                .exclude(reminded_level=F("level"))
                .order_by("pk")
            )
            groups: dict[int, list[Criticism]] = {}
            for c in items:
                groups.setdefault(c.level_body_id, []).append(c)
            Criticism.objects.filter(pk__in=[c.pk for c in items]).update(reminded_level=F("level"))
            for body_id, group in groups.items():
                body = _body_cached(cache, body_id)
                first = group[0]
                _notify(
                    _board_cached(cache, body),
                    kind="criticism.due_soon",
                    title=(
                        f"Response due by {first.due_at:%d %b %Y, %H:%M}: {first.title}"
                        if len(group) == 1
                        else f"{len(group)} responses to criticism due within a day"
                    ),
                    url=_url(first)
                    if len(group) == 1
                    else f"/bodies/{body.code}/criticism/?state=open",
                    now=now,
                )
            reminded += len(items)
    return reminded


# ------------------------------------------------------------------------- moderation


def _require_moderator(member: Member, criticism: Criticism) -> Body:
    commission = cperm.moderation_commission(criticism)
    require(
        commission is not None and holds_seat(member, commission),
        "only the elected moderation commission"
        + (f" ({commission.name})" if commission is not None else "")
        + " moderates criticism",
    )
    assert commission is not None
    return commission


def _not_own(member: Member, criticism: Criticism) -> None:
    if member.pk == criticism.author_id:
        raise CriticismError(
            "you wrote this criticism: another member of the commission moderates it"
        )


def _reason(criticism: Criticism, reason: str) -> str:
    reasons = charter_as_dict(criticism.body)["moderation_reasons"]
    if reason not in reasons:
        raise CriticismError(
            "pick one of the charter's moderation reasons",
            {"reason": "the charter lists the only reasons; pick one of them"},
        )
    return reason


@transaction.atomic
def criticism_hide(
    *, user: Any, criticism: Criticism, reason: str, now: dt.datetime | None = None
) -> ModerationAct:
    now = now or timezone.now()
    member = _member(user)
    criticism = _locked(criticism)
    commission = _require_moderator(member, criticism)
    _not_own(member, criticism)
    reason = _reason(criticism, reason)
    if criticism.hidden:
        raise CriticismError("the criticism is already hidden")
    act = ModerationAct.objects.create(
        criticism=criticism,
        kind=ModerationAct.Kind.HIDE,
        reason=reason,
        commission=commission,
        moderator=member,
        created_at=now,
    )
    criticism.hidden, criticism.hidden_reason = True, reason
    criticism.save(update_fields=["hidden", "hidden_reason"])
    record_append(
        kind="criticism.hidden",
        actor=actor_for(user),
        body=criticism.body,
        data={
            "criticism": criticism.public_id,
            "act": act.public_id,
            "commission": commission.code,
            "reason": reason,
        },
    )
    _notify(
        [criticism.author_id],
        kind="criticism.hidden",
        title=f"Your criticism was hidden ({reason}); you can appeal",
        url=_url(criticism),
        now=now,
    )
    return act


@transaction.atomic
def author_reveal(
    *, user: Any, criticism: Criticism, reason: str, now: dt.datetime | None = None
) -> Member:
    """A moderation-commission member looks at an anonymous author. The look is written
    to the record (who, which item, the charter reason) before the name is returned."""
    now = now or timezone.now()
    member = _member(user)
    _require_moderator(member, criticism)
    _not_own(member, criticism)
    require(
        not cperm.concerned_seat_holder(member, criticism),
        "you sit on a board this criticism reaches or are the seat-holder it names: "
        "another commission member must look",
    )
    if not criticism.anonymous:
        raise CriticismError("this criticism is published under its author's name")
    reason = _reason(criticism, reason)
    entry = record_append(
        kind="criticism.author_looked_at",
        actor=actor_for(user),
        body=criticism.body,
        data={"criticism": criticism.public_id, "reason": reason},
    )
    AuthorLook.objects.create(
        criticism=criticism,
        moderator=member,
        reason=reason,
        looked_at=now,
        record_index=entry.index,
    )
    return Member.objects.get(pk=criticism.author_id)


def appeal_needed(body: Body) -> tuple[int, int]:
    """(signatures needed, members) for an appeal against moderation in ``body``."""
    members = body_members(body).count()
    pct = int(charter_as_dict(body)["moderation_appeal_pct"])
    return signatures_needed(pct, members), members


@transaction.atomic
def appeal_sign(
    *, user: Any, act: ModerationAct, now: dt.datetime | None = None
) -> Decision | None:
    """Sign the appeal against a moderation act (the author starts it). At the charter's
    share of the body's members a referendum of the members decides; returns it then."""
    now = now or timezone.now()
    member = _member(user)
    act = ModerationAct.objects.select_for_update().select_related("criticism").get(pk=act.pk)
    criticism = act.criticism
    body = criticism.body
    is_author = member.pk == criticism.author_id
    if act.kind != ModerationAct.Kind.HIDE or not criticism.hidden:
        raise CriticismError("only a hiding in force can be appealed")
    if act.appeal == ModerationAct.Appeal.NONE:
        require(is_author, "the author starts an appeal; members then sign it")
    else:
        require(belongs_to(member, body), f"only members of {body.name} sign this appeal")
        if act.appeal != ModerationAct.Appeal.PETITION:
            raise CriticismError(f"the appeal is already {act.get_appeal_display().lower()}")
    try:
        with transaction.atomic():
            AppealSignature.objects.create(act=act, member=member, signed_at=now)
    except IntegrityError:
        raise CriticismError("you have already signed this appeal") from None
    started = act.appeal == ModerationAct.Appeal.NONE
    if started:
        act.appeal = move(APPEAL, act.appeal, ModerationAct.Appeal.PETITION, "appeal")
        act.save(update_fields=["appeal"])
    needed, members = appeal_needed(body)
    signatures = act.signatures.count()
    record_append(
        kind="criticism.appeal_signed",
        actor=_author_actor(criticism, user) if is_author else actor_for(user),
        body=body,
        data={
            "criticism": criticism.public_id,
            "act": act.public_id,
            "signatures": signatures,
            "needed": needed,
        },
    )
    commission_ids = list(
        Member.objects.filter(pk__in=board_seats(act.commission).values("holder_id")).values_list(
            "pk", flat=True
        )
    )
    if started:
        _notify(
            commission_ids,
            kind="criticism.appeal",
            title=f"An appeal against your commission's hiding of a criticism ({act.reason})",
            url=_url(criticism),
            now=now,
        )
    if signatures < needed:
        return None
    from collegium.decisions.services import referendum_call

    days = int(charter_as_dict(body)["recall_ballot_days"])
    decision: Decision = referendum_call(
        body=body,
        title=f"Appeal: show again a criticism hidden for “{act.reason}”"[:MAX_TITLE],
        text=(
            f"The moderation commission ({act.commission.name}) hid a criticism addressed to "
            f"{body.name} for the charter reason “{act.reason}”. {signatures} members "
            "appealed. Vote **yes** to show it again, **no** to keep it hidden.\n\n"
            f"The criticism: [/criticism/{criticism.public_id}/]"
            f"(/criticism/{criticism.public_id}/)"
        ),
        subject_kind=SUBJECT_KIND,
        subject_id=act.public_id,
        closes_at=now + dt.timedelta(days=days),
        now=now,
    )
    act.appeal = move(APPEAL, act.appeal, ModerationAct.Appeal.REFERENDUM, "appeal")
    act.referendum = decision
    act.save(update_fields=["appeal", "referendum"])
    record_append(
        kind="criticism.appeal_referendum",
        actor=SYSTEM,
        body=body,
        data={
            "criticism": criticism.public_id,
            "act": act.public_id,
            "decision": decision.public_id,
            "signatures": signatures,
        },
    )
    _notify(
        commission_ids,
        kind="criticism.appeal",
        title=f"An appeal against your commission's hiding goes to a referendum ({act.reason})",
        url=f"/decisions/{decision.public_id}/",
        now=now,
    )
    return decision


def _act_for(decision: Decision) -> ModerationAct | None:
    return (
        ModerationAct.objects.select_for_update()
        .select_related("criticism", "commission")
        .filter(public_id=decision.subject_id)
        .first()
    )


def appeal_upheld(decision: Decision, now: dt.datetime) -> None:
    """The members upheld the appeal: the criticism is shown again (decision effect)."""
    act = _act_for(decision)
    if act is None or act.appeal != ModerationAct.Appeal.REFERENDUM:
        return
    act.appeal = move(APPEAL, act.appeal, ModerationAct.Appeal.UPHELD, "appeal")
    act.save(update_fields=["appeal"])
    criticism = _locked(act.criticism)
    unhide = ModerationAct.objects.create(
        criticism=criticism,
        kind=ModerationAct.Kind.UNHIDE,
        reason=f"Appeal upheld by the members' referendum {decision.public_id}",
        commission=act.commission,
        moderator=None,
        created_at=now,
    )
    criticism.hidden, criticism.hidden_reason = False, ""
    criticism.save(update_fields=["hidden", "hidden_reason"])
    record_append(
        kind="criticism.shown_again",
        actor=SYSTEM,
        body=criticism.body,
        data={
            "criticism": criticism.public_id,
            "act": unhide.public_id,
            "appealed": act.public_id,
            "decision": decision.public_id,
        },
    )
    _notify(
        _followers(criticism),
        kind="criticism.shown_again",
        title=f"The members upheld the appeal: the criticism is shown again: {criticism.title}",
        url=_url(criticism),
        now=now,
    )


def appeal_rejected(decision: Decision, now: dt.datetime) -> None:
    """The members did not uphold the appeal: the criticism stays hidden."""
    act = _act_for(decision)
    if act is None or act.appeal != ModerationAct.Appeal.REFERENDUM:
        return
    act.appeal = move(APPEAL, act.appeal, ModerationAct.Appeal.REJECTED, "appeal")
    act.save(update_fields=["appeal"])
    record_append(
        kind="criticism.appeal_rejected",
        actor=SYSTEM,
        body=act.criticism.body,
        data={
            "criticism": act.criticism.public_id,
            "act": act.public_id,
            "decision": decision.public_id,
        },
    )


def act_url(act_public_id: str) -> str:
    """The page of the criticism a moderation act concerns (for the decision's page)."""
    public_id = (
        ModerationAct.objects.filter(public_id=act_public_id)
        .values_list("criticism__public_id", flat=True)
        .first()
    )
    return f"/criticism/{public_id}/" if public_id else ""
