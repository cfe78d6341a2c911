"""Board meetings: an agenda built from what is pending, minutes built from what was decided.

``meeting_call`` (a board member) fixes the agenda from ``federation.pending.board_agenda``:
initiatives and criticism the charter makes mandatory first, then overdue items, then the
rest by due date. ``meeting_close`` records who was present and the notes; the minutes are
generated from the agenda and from the board's roll calls decided between the meeting's
start and its close (names and votes, as published), and can be downloaded as PDF.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from collegium.decisions.models import AgendaEntry, Decision, Meeting, Proposal, RollCallVote
from collegium.decisions.services import _member, _notify_members
from collegium.decisions.transitions import MEETING, DecisionError, move
from collegium.elections.selectors import board_seats
from collegium.federation.models import Body, Member
from collegium.federation.pending import board_agenda
from collegium.federation.permissions import holds_seat, require
from collegium.record.services import actor_for, record_append, salted_digest

MAX_PLACE = 200
MAX_NOTES = 50_000


def _proposal_for(url: str) -> Proposal | None:
    if url.startswith("/proposals/"):
        return Proposal.objects.filter(public_id=url.split("/")[2]).first()
    if url.startswith("/initiatives/"):
        from collegium.decisions.models import Initiative

        initiative = Initiative.objects.filter(public_id=url.split("/")[2]).first()
        return initiative.proposal if initiative else None
    return None


@transaction.atomic
def meeting_call(
    *,
    user: Any,
    body: Body,
    starts_at: dt.datetime,
    place: str = "",
    extra_items: Sequence[str] = (),
    now: dt.datetime | None = None,
) -> Meeting:
    now = now or timezone.now()
    member = _member(user)
    require(holds_seat(member, body), f"only the board of {body.name} calls its meetings")
    if starts_at <= now:
        raise DecisionError("a meeting is called for a time in the future")
    if len(place) > MAX_PLACE:
        raise DecisionError(f"the place is longer than {MAX_PLACE} characters")
    meeting = Meeting.objects.create(
        body=body, starts_at=starts_at, place=place.strip(), called_by=member, created_at=now
    )
    entries = []
    for position, item in enumerate(board_agenda(body, now), start=1):
        entries.append(
            AgendaEntry(
                meeting=meeting,
                position=position,
                kind=item.kind,
                title=item.title[:300],
                url=item.url,
                note=item.note[:300],
                mandatory=item.mandatory,
                due=item.due,
                proposal=_proposal_for(item.url),
            )
        )
    for text in extra_items:
        if text.strip():
            entries.append(
                AgendaEntry(
                    meeting=meeting,
                    position=len(entries) + 1,
                    kind="other",
                    title=" ".join(text.split())[:300],
                    note="added by the board",
                )
            )
    AgendaEntry.objects.bulk_create(entries)
    record_append(
        kind="meeting.called",
        actor=actor_for(user),
        body=body,
        data={
            "meeting": meeting.public_id,
            "starts_at": starts_at.isoformat(),
            "agenda": [[e.kind, e.url or salted_digest(meeting.salt, e.title)] for e in entries],
        },
    )
    _notify_members(
        body,
        board_only=True,
        kind="meeting.called",
        title=f"Board meeting {starts_at:%d %b %Y, %H:%M}: {len(entries)} items",
        url=f"/meetings/{meeting.public_id}/",
        now=now,
    )
    return meeting


@transaction.atomic
def meeting_close(
    *,
    user: Any,
    meeting: Meeting,
    present: Sequence[Member],
    notes: str = "",
    now: dt.datetime | None = None,
) -> Meeting:
    """Record that the meeting was held: who was there, the secretary's notes."""
    now = now or timezone.now()
    member = _member(user)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    require(
        holds_seat(member, meeting.body),
        f"only the board of {meeting.body.name} writes its minutes",
    )
    if now < meeting.starts_at:
        raise DecisionError("the meeting has not started yet")
    if len(notes) > MAX_NOTES:
        raise DecisionError(f"the notes are longer than {MAX_NOTES} characters")
    seat_holders = set(board_seats(meeting.body).values_list("holder_id", flat=True))
    strangers = [m for m in present if m.pk not in seat_holders]
    if strangers:
        raise DecisionError(
            "only board members are marked present: "
            + ", ".join(m.full_name for m in strangers)
            + " hold no seat on this board"
        )
    meeting.state = move(MEETING, meeting.state, Meeting.State.HELD, "meeting")
    meeting.held_until = now
    meeting.notes = notes.strip()
    meeting.save(update_fields=["state", "held_until", "notes"])
    meeting.present.set(present)
    record_append(
        kind="meeting.held",
        actor=actor_for(user),
        body=meeting.body,
        data={
            "meeting": meeting.public_id,
            "present": sorted(m.public_id for m in present),
            "seats": len(seat_holders),
            "notes_sha256": salted_digest(meeting.salt, meeting.notes),
        },
    )
    return meeting


# ---------------------------------------------------------------------------- minutes


@dataclass
class MinutesVote:
    decision: Decision
    votes: list[RollCallVote]
    outcome: str


@dataclass
class MinutesItem:
    entry: AgendaEntry
    votes: list[MinutesVote] = field(default_factory=list)


@dataclass
class Minutes:
    meeting: Meeting
    present: list[Member]
    absent: list[Member]
    items: list[MinutesItem]
    other_votes: list[MinutesVote]


def _outcome(decision: Decision) -> str:
    if decision.decided_at is None:
        return "vote still open"
    outcome = decision.outcome or {}
    tally = f"{outcome.get('yes', 0)} yes, {outcome.get('no', 0)} no, " + (
        f"{outcome.get('abstain', 0)} abstaining"
    )
    return f"{'adopted' if outcome.get('adopted') else 'rejected'} ({tally})"


def meeting_minutes(meeting: Meeting) -> Minutes:
    """The minutes: the agenda, and for each item the board's roll calls on it decided
    by the close (or now, for a meeting not yet closed); then the board's other roll calls
    decided during the meeting."""
    until = meeting.held_until or timezone.now()
    # Roll calls open at the close, or decided by it; later changes are not the meeting's.
    decided = {
        d.pk: d
        for d in Decision.objects.filter(
            body=meeting.body, kind=Decision.Kind.ROLL_CALL, opened_at__lte=until
        ).exclude(decided_at__gt=until)
    }
    votes: dict[int, list[RollCallVote]] = {}
    for vote in (
        RollCallVote.objects.filter(decision_id__in=list(decided))
        .select_related("member")
        .order_by("member__family_name", "member__given_name")
    ):
        votes.setdefault(vote.decision_id, []).append(vote)
    items: list[MinutesItem] = []
    used: set[int] = set()
    for entry in meeting.agenda.select_related("proposal").order_by("position"):
        item = MinutesItem(entry)
        for decision in decided.values():
            on_item = (entry.proposal_id and decision.proposal_id == entry.proposal_id) or (
                entry.url == f"/decisions/{decision.public_id}/"
            )
            if on_item:
                item.votes.append(
                    MinutesVote(decision, votes.get(decision.pk, []), _outcome(decision))
                )
                used.add(decision.pk)
        items.append(item)
    others = [
        MinutesVote(d, votes.get(d.pk, []), _outcome(d))
        for d in sorted(decided.values(), key=lambda d: d.opened_at)
        if d.pk not in used and d.decided_at is not None and d.decided_at >= meeting.starts_at
    ]
    present = list(meeting.present.order_by("family_name", "given_name"))
    seat_holders = Member.objects.filter(
        pk__in=board_seats(meeting.body).values("holder_id")
    ).order_by("family_name", "given_name")
    absent = [m for m in seat_holders if m not in present] if meeting.held_until else []
    return Minutes(meeting, present, absent, items, others)


def minutes_pdf(minutes: Minutes) -> bytes:
    """The minutes as a PDF (A4), for filing and printing."""
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    meeting = minutes.meeting
    styles = getSampleStyleSheet()
    title = f"Minutes of the board of {meeting.body.name}"

    def para(text: str, style: str = "BodyText") -> Paragraph:
        return Paragraph(escape(text), styles[style])

    when = timezone.localtime(meeting.starts_at).strftime("%d %B %Y, %H:%M")
    story: list[Any] = [
        para(title, "Title"),
        para(f"Meeting of {when}" + (f", {meeting.place}" if meeting.place else "")),
    ]
    if meeting.held_until:
        story.append(para("Present: " + (", ".join(m.full_name for m in minutes.present) or "—")))
        story.append(para("Absent: " + (", ".join(m.full_name for m in minutes.absent) or "—")))
    else:
        story.append(para("The meeting has not been closed: these minutes are a draft."))
    story.append(Spacer(1, 4 * mm))
    story.append(para("Agenda and decisions", "Heading2"))

    def vote_table(vote: MinutesVote) -> list[Any]:
        rows = [["Board member", "Vote"]] + [
            [v.member.full_name, v.get_vote_display()] for v in vote.votes
        ]
        table = Table(rows, colWidths=[100 * mm, 30 * mm], hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.5, "black"),
                    ("FONTSIZE", (0, 0), (-1, -1), 9),
                ]
            )
        )
        return [para(f"Roll call: {vote.decision.title} — {vote.outcome}"), table]

    for number, item in enumerate(minutes.items, start=1):
        entry = item.entry
        flag = " (mandatory)" if entry.mandatory else ""
        story.append(para(f"{number}. {entry.title}{flag}", "Heading4"))
        if entry.note:
            story.append(para(entry.note))
        if not item.votes:
            story.append(para("No roll call on this item by the close of the meeting."))
        for vote in item.votes:
            story.extend(vote_table(vote))
        story.append(Spacer(1, 2 * mm))
    if minutes.other_votes:
        story.append(para("Other roll calls decided during the meeting", "Heading2"))
        for vote in minutes.other_votes:
            story.extend(vote_table(vote))
    if meeting.notes:
        story.append(para("Notes", "Heading2"))
        for paragraph in meeting.notes.split("\n\n"):
            story.append(para(paragraph))
    story.append(Spacer(1, 6 * mm))
    story.append(
        para(
            "Generated by Collegium from the public record; every roll call above is an entry "
            "there, with its names and votes.",
            "Italic",
        )
    )
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=title,
        author="Collegium",
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        invariant=True,
    )
    document.build(story)
    return buffer.getvalue()
