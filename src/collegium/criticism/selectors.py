"""Reads for criticism: a body's listing and its filters, one criticism with its whole
history, the body page's panel, the board's agenda and a member's own items."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

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
from collegium.federation.charters import signatures_needed
from collegium.federation.models import Body, Member
from collegium.federation.pending import PendingItem
from collegium.federation.selectors import body_members, charter_as_dict
from collegium.record.models import Entry

STATES = ("open", "answered", "overdue", "escalated", "hidden")
STATE_LABELS = {
    "open": "Open: waiting for this board",
    "answered": "Answered by this board",
    "overdue": "Overdue: this board is past its deadline",
    "escalated": "Escalated past this board",
    "hidden": "Hidden by the moderation commission",
}
WAITING = [Criticism.State.OPEN, Criticism.State.ESCALATED]


def criticism_by_public_id(public_id: str) -> Criticism | None:
    return (
        Criticism.objects.select_related(
            "body",
            "level_body",
            "author",
            "author__workplace",
            "target_seat",
            "target_seat__holder",
            "target_decision",
        )
        .filter(public_id=public_id)
        .first()
    )


def reached(body: Body) -> QuerySet[Criticism]:
    """Criticism addressed to the body or escalated to it (each once, however often it
    came back to the body's board)."""
    # A semi-join on the levels' (body, criticism) index: no duplicates, and a small
    # body's list never scans the whole table.
    return Criticism.objects.filter(pk__in=Level.objects.filter(body=body).values("criticism_id"))


def state_filter(body: Body, state: str, now: dt.datetime) -> Q:
    """The list filters, relative to the body whose listing it is."""
    if state == "open":
        return Q(level_body=body, state__in=WAITING, due_at__gt=now)
    if state == "overdue":
        return Q(level_body=body, state__in=AWAITING, due_at__lte=now)
    if state == "answered":
        return Q(level_body=body, state__in=[Criticism.State.ANSWERED, Criticism.State.SATISFIED])
    if state == "escalated":
        return ~Q(level_body=body)
    if state == "hidden":
        return Q(hidden=True)
    return Q()


def body_criticism(
    body: Body,
    viewer: Member | None,
    *,
    state: str = "",
    target: str = "",
    q: str = "",
    now: dt.datetime,
) -> QuerySet[Criticism]:
    """Every criticism that reached this body (addressed to it or escalated to it), newest
    first, that the viewer may read. Hidden items stay listed. One query per page."""
    items = cperm.readable(reached(body), viewer, body)
    if state in STATES:
        items = items.filter(state_filter(body, state, now))
    if target in Criticism.Target.values:
        items = items.filter(target=target)
    if q.strip():
        items = items.filter(title__icontains=q.strip()[:100])
    # The text is not listed: leaving it out keeps the sort narrow on large bodies.
    return (
        items.select_related("author", "level_body", "body")
        .defer("text")
        .order_by("-created_at", "-id")
    )


@dataclass(frozen=True)
class Panel:
    open: int
    overdue: int
    escalated: int
    hidden: int


def body_panel(body: Body, viewer: Member | None, now: dt.datetime) -> Panel:
    """Counts for the body page, in one query."""
    from django.db.models import Count

    items = cperm.readable(reached(body), viewer, body)
    counts = items.aggregate(
        **{
            name: Count("pk", filter=state_filter(body, name, now))
            for name in ("open", "overdue", "escalated", "hidden")
        }
    )
    return Panel(counts["open"], counts["overdue"], counts["escalated"], counts["hidden"])


@dataclass
class LevelView:
    level: Level
    response: Response | None
    marks: list[Mark] = field(default_factory=list)


def criticism_levels(criticism: Criticism) -> list[LevelView]:
    levels = list(criticism.levels.select_related("body").order_by("number"))
    responses = {
        r.level_id: r for r in Response.objects.filter(level__in=levels).select_related("author")
    }
    marks: dict[int, list[Mark]] = {}
    for m in Mark.objects.filter(level__in=levels).select_related("member"):
        marks.setdefault(m.level_id, []).append(m)
    return [LevelView(lv, responses.get(lv.pk), marks.get(lv.pk, [])) for lv in levels]


def cosigners(criticism: Criticism) -> list[CoSignature]:
    return list(criticism.cosignature_rows.select_related("member").order_by("signed_at", "id"))


def additions(criticism: Criticism) -> list[Addition]:
    return list(criticism.additions.order_by("created_at", "id"))


def moderation_acts(criticism: Criticism) -> list[ModerationAct]:
    return list(
        criticism.moderation_acts.select_related("commission", "moderator", "referendum").order_by(
            "created_at", "id"
        )
    )


def appeal_signatures(act: ModerationAct) -> int:
    return AppealSignature.objects.filter(act=act).count()


def has_signed_appeal(act: ModerationAct, member: Member | None) -> bool:
    return member is not None and AppealSignature.objects.filter(act=act, member=member).exists()


def author_looks(criticism: Criticism) -> list[AuthorLook]:
    return list(criticism.looks.select_related("moderator").order_by("looked_at", "id"))


def entries_for(criticism: Criticism) -> list[Entry]:
    """Record entries that name this criticism (at any level's body)."""
    bodies = [*criticism.levels.values_list("body_id", flat=True), criticism.body_id]
    return list(
        Entry.objects.filter(body_id__in=bodies, payload__contains=f'"{criticism.public_id}"')
        .only("index", "kind", "recorded_at", "actor_id")
        .order_by("index")
    )


def agenda_needed(body: Body) -> int:
    pct = int(charter_as_dict(body)["criticism_agenda_pct"])
    return signatures_needed(pct, body_members(body).count())


def supporters(criticism: Criticism) -> int:
    """The critic and the co-signers."""
    return criticism.cosignatures + 1


def agenda_items(body: Body, now: dt.datetime) -> list[PendingItem]:
    """Responses due from this body's board (overdue ones and those escalated to it
    included); ``mandatory`` where the critic and co-signers reached the charter's share
    of the body's members."""
    needed = agenda_needed(body)
    items = Criticism.objects.filter(level_body=body, state__in=AWAITING).order_by("due_at", "pk")
    out = []
    for c in items.only(
        "public_id", "title", "created_at", "due_at", "level", "cosignatures", "hidden", "state"
    ):
        mandatory = supporters(c) >= needed
        notes = []
        if c.level:
            notes.append("escalated to this board")
        if mandatory:
            notes.append(f"co-signed by {supporters(c)} members (the charter asks {needed})")
        out.append(
            PendingItem(
                kind="criticism",
                title=c.title if not c.hidden else "A criticism hidden by moderation",
                url=f"/criticism/{c.public_id}/",
                since=c.created_at,
                due=c.due_at,
                overdue=c.due_at <= now,
                note="; ".join(notes) or "response due",
                mandatory=mandatory,
            )
        )
    return out


def member_items(member: Member, now: dt.datetime) -> list[PendingItem]:
    """The member's own criticism with its state, responses waiting for their mark, and
    what is overdue. Only the member sees their own anonymous items here."""
    out = []
    own = Criticism.objects.filter(author=member).select_related("level_body")
    for c in own.exclude(state=Criticism.State.SATISFIED).order_by("-created_at"):
        waiting_mark = (
            c.state == Criticism.State.ANSWERED
            and not Mark.objects.filter(
                level__criticism=c, level__number=c.level, member=member
            ).exists()
        )
        late = c.state in AWAITING and c.due_at <= now
        note = c.get_state_display()
        if c.anonymous:
            note += " · published anonymously"
        if waiting_mark:
            note = "answered: mark the response satisfactory or not"
        out.append(
            PendingItem(
                kind="criticism",
                title=c.title,
                url=f"/criticism/{c.public_id}/",
                since=c.created_at,
                due=c.due_at if c.state in AWAITING else None,
                overdue=late,
                note=note + (f" · board of {c.level_body.name}" if c.state in AWAITING else ""),
            )
        )
    cosigned = Criticism.objects.filter(
        cosignature_rows__member=member, state=Criticism.State.ANSWERED
    ).order_by("-created_at")
    for c in cosigned:
        if Mark.objects.filter(level__criticism=c, level__number=c.level, member=member).exists():
            continue
        out.append(
            PendingItem(
                kind="criticism",
                title=c.title,
                url=f"/criticism/{c.public_id}/",
                since=c.created_at,
                note="you co-signed; mark the response satisfactory or not",
            )
        )
    return out
