"""Reads for condition reports: who may see them, a body's filtered list, the counts of
the body page's panel, agendas and members' pages, dwellings' open reports and the floors
that promised remedies put into the production plan.

Who sees a report: the members of the body it concerns (its workplace, or the body that
keeps the dwelling, with every shop below it), the boards of that body and of every body
above it (any of them may come to answer it), and the moderation commission that serves
it. Everyone else, signed in or not, sees nothing of it but its record entries (which
carry hashes, not texts).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from collegium.conditions import transitions as t
from collegium.conditions.models import (
    ConditionReport,
    Confirmation,
    Event,
    Hazard,
    Photo,
    Place,
    Remedy,
)
from collegium.conditions.transitions import ConditionsError
from collegium.federation.models import WORKPLACE_KINDS, Body, Member
from collegium.federation.pending import PendingItem

OPEN_STATES = (t.OPEN, t.PROMISED, t.DONE)  # confirmed and not yet fixed


def report_by_public_id(public_id: str) -> ConditionReport | None:
    return (
        ConditionReport.objects.select_related(
            "body", "responsible", "reporter", "reporter__workplace", "dwelling"
        )
        .filter(public_id=public_id)
        .first()
    )


def _seat_bodies(member: Member) -> list[Body]:
    """The bodies where ``member`` holds a board seat now (kept on the member object, so a
    page that filters and counts asks once)."""
    cached: list[Body] | None = getattr(member, "_condition_seat_bodies", None)
    if cached is not None:
        return cached
    today = timezone.localdate()
    found = list(
        Body.objects.filter(
            board_seats__holder=member,
            board_seats__role="board",
            board_seats__vacated_on__isnull=True,
            board_seats__term_start__lte=today,
            board_seats__term_end__gte=today,
        ).distinct()
    )
    member._condition_seat_bodies = found  # type: ignore[attr-defined]
    return found


def visibility(member: Member | None) -> Q | None:
    """A filter of the reports ``member`` may see; ``None``: none at all."""
    if member is None or not member.active:
        return None
    chain = [int(p) for p in member.workplace.path.strip("/").split("/") if p]
    seen = Q(body_id__in=chain)
    for body in _seat_bodies(member):
        # A board sees what is at or below its body; a commission, what is below the body
        # it serves.
        scope = body.parent if body.kind == "commission" and body.parent else body
        seen |= Q(body__path__startswith=scope.path)
    return seen


def _scoped(body: Body, viewer: Member | None) -> QuerySet[ConditionReport]:
    """The reports at or below ``body`` that ``viewer`` may see. A board (or commission)
    seat at or above ``body`` sees all of them: then no per-report test is needed, and at
    the top of the tree not even the body's path."""
    seen = visibility(viewer)
    if seen is None or viewer is None:
        return ConditionReport.objects.none()
    reports = ConditionReport.objects.all()
    if body.parent_id is not None:
        reports = reports.filter(body__path__startswith=body.path)
    for seat_body in _seat_bodies(viewer):
        scope = (
            seat_body.parent if seat_body.kind == "commission" and seat_body.parent else seat_body
        )
        if body.path.startswith(scope.path):
            return reports
    return reports.filter(seen)


def can_view(member: Member | None, report: ConditionReport) -> bool:
    seen = visibility(member)
    if seen is None:
        return False
    return ConditionReport.objects.filter(seen, pk=report.pk).exists()


@dataclass(frozen=True)
class Filters:
    state: str = ""  # a state, "overdue" or "escalated"
    hazard: str = ""
    severity: int | None = None  # at least
    place: str = ""  # "workplace" or "dwelling"
    text: str = ""
    answerable: bool = False  # only what this body's board must answer

    @classmethod
    def parse(cls, data: Any) -> Filters:
        state = str(data.get("state", "") or "")
        if state not in {*ConditionReport.State.values, "overdue", "escalated"}:
            state = ""
        hazard = str(data.get("hazard", "") or "")
        if hazard not in Hazard.values:
            hazard = ""
        try:
            severity: int | None = int(data.get("severity", "") or 0) or None
        except (TypeError, ValueError):
            severity = None
        if severity is not None and not 1 <= severity <= 4:
            severity = None
        place = str(data.get("place", "") or "")
        if place not in Place.values:
            place = ""
        text = " ".join(str(data.get("q", "") or "").split())[:100]
        answerable = str(data.get("responsible", "") or "") in ("1", "true", "on")
        return cls(state, hazard, severity, place, text, answerable)

    @property
    def active(self) -> bool:
        return bool(
            self.state or self.hazard or self.severity or self.place or self.text or self.answerable
        )


def body_reports(
    body: Body,
    viewer: Member | None,
    filters: Filters | None = None,
    now: dt.datetime | None = None,
) -> QuerySet[ConditionReport]:
    """The reports at or below ``body`` that ``viewer`` may see, newest first, filtered.
    Hidden reports stay in the list (with their reason); nothing but the filters takes a
    report out of it."""
    filters = filters or Filters()
    now = now or timezone.now()
    reports = _scoped(body, viewer)
    if filters.state == "overdue":
        reports = reports.filter(state=t.OPEN, due_at__lt=now)
    elif filters.state == "escalated":
        reports = reports.filter(state__in=OPEN_STATES, escalations__gt=0)
    elif filters.state:
        reports = reports.filter(state=filters.state)
    if filters.hazard:
        reports = reports.filter(hazard=filters.hazard)
    if filters.severity:
        reports = reports.filter(severity__gte=filters.severity)
    if filters.place:
        reports = reports.filter(place=filters.place)
    if filters.answerable:
        reports = reports.filter(responsible=body)
    for word in filters.text.split()[:5]:
        reports = reports.filter(
            Q(title__icontains=word) | Q(location__icontains=word) | Q(description__icontains=word)
        )
    return reports.select_related("body", "responsible", "reporter").order_by("-created_at", "-id")


def with_extras(reports: Any) -> list[ConditionReport]:
    """One page of reports with ``photo_count`` and ``remedy_due`` (the promised remedy's
    date) set, in two queries whatever the page's length. (Kept out of the list query:
    PostgreSQL evaluates such subqueries for every row an OFFSET skips.)"""
    page = list(reports)
    ids = [r.pk for r in page]
    photos = dict(
        Photo.objects.filter(report_id__in=ids)
        .order_by()
        .values_list("report_id")
        .annotate(n=Count("pk"))
        .values_list("report_id", "n")
    )
    due: dict[int, dt.date] = {}
    for report_id, due_on in (
        Remedy.objects.filter(report_id__in=ids, state=Remedy.State.PROMISED)
        .order_by("id")
        .values_list("report_id", "due_on")
    ):
        due[report_id] = due_on
    for r in page:
        r.photo_count = photos.get(r.pk, 0)
        r.remedy_due = due.get(r.pk)
    return page


@dataclass(frozen=True)
class PanelCounts:
    awaiting: int
    open: int
    overdue: int
    escalated: int
    promised: int
    done: int


def panel_counts(body: Body, viewer: Member | None, now: dt.datetime | None = None) -> PanelCounts:
    """Counts for the body page, in three queries: awaiting confirmation, open (confirmed, no
    remedy yet), overdue, escalated to this body's board, remedy promised, marked done."""
    now = now or timezone.now()
    if visibility(viewer) is None:
        return PanelCounts(0, 0, 0, 0, 0, 0)
    reports = _scoped(body, viewer)
    by_state = dict(
        reports.order_by().values_list("state").annotate(n=Count("pk")).values_list("state", "n")
    )
    return PanelCounts(
        awaiting=by_state.get(t.AWAITING, 0),
        open=by_state.get(t.OPEN, 0),
        overdue=reports.filter(state=t.OPEN, due_at__lt=now).count(),
        escalated=reports.filter(state__in=OPEN_STATES, escalations__gt=0).count(),
        promised=by_state.get(t.PROMISED, 0),
        done=by_state.get(t.DONE, 0),
    )


def report_history(report: ConditionReport) -> list[Event]:
    return list(report.events.select_related("actor", "body").order_by("created_at", "id"))


def report_confirmations(report: ConditionReport) -> list[Confirmation]:
    return list(report.confirmations.select_related("member").order_by("created_at", "id"))


def report_remedies(report: ConditionReport) -> list[Remedy]:
    return list(
        report.remedies.select_related("board", "promised_by")
        .prefetch_related("materials")
        .order_by("created_at", "id")
    )


def report_photos(report: ConditionReport) -> list[Photo]:
    return list(report.photos.order_by("number"))


def record_entries_for(report: ConditionReport) -> QuerySet[Any]:
    from collegium.record.models import Entry

    indexes = report.events.exclude(record_index__isnull=True).values("record_index")
    return (
        Entry.objects.filter(index__in=indexes)
        .only("index", "kind", "recorded_at")
        .order_by("index")
    )


def has_confirmed(report: ConditionReport, member: Member | None) -> bool:
    return member is not None and report.confirmations.filter(member=member).exists()


# ------------------------------------------------------------------- agendas, members


def _title(report: ConditionReport) -> str:
    return f"Condition report: {report.title}" if not report.hidden else "Condition report (hidden)"


def agenda_items(body: Body, now: dt.datetime | None = None) -> list[PendingItem]:
    """What the board of ``body`` must answer: confirmed reports awaiting its remedy
    (overdue ones and those escalated to it say so), and its promised remedies past due."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    items: list[PendingItem] = []
    waiting = ConditionReport.objects.filter(responsible=body, state=t.OPEN).select_related("body")
    for r in waiting.order_by("due_at", "id")[:200]:
        overdue = r.due_at is not None and r.due_at < now
        if r.escalations:
            note = f"escalated to this board ({r.escalations}×), from {r.body.name}"
        else:
            note = f"confirmed by {r.confirmation_count} co-worker(s) at {r.body.name}"
        items.append(
            PendingItem(
                kind="condition_report",
                title=_title(r),
                url=f"/conditions/{r.public_id}/",
                since=r.escalated_at or r.confirmed_at or r.created_at,
                due=r.due_at,
                overdue=overdue,
                note=("overdue: " if overdue else "") + note + "; a remedy is due",
                mandatory=overdue or r.escalations > 0,
            )
        )
    late = (
        Remedy.objects.filter(
            board=body, state=Remedy.State.PROMISED, due_on__lt=today, report__state=t.PROMISED
        )
        .select_related("report")
        .order_by("due_on", "id")
    )
    for remedy in late[:200]:
        r = remedy.report
        items.append(
            PendingItem(
                kind="condition_remedy",
                title=_title(r),
                url=f"/conditions/{r.public_id}/",
                since=remedy.created_at,
                due=timezone.make_aware(
                    dt.datetime.combine(remedy.due_on, dt.time()), timezone.get_current_timezone()
                ),
                overdue=True,
                note=f"the remedy promised for {remedy.due_on:%d %b %Y} is not done",
                mandatory=True,
            )
        )
    return items


def member_items(member: Member, now: dt.datetime | None = None) -> list[PendingItem]:
    """A member's own reports with their state, remedies waiting for their "is it fixed?",
    and reports at their workplace waiting for their confirmation."""
    now = now or timezone.now()
    items: list[PendingItem] = []
    own = (
        ConditionReport.objects.filter(reporter=member)
        .exclude(state=t.FIXED)
        .select_related("responsible")
        .order_by("-created_at")
    )
    for r in own[:100]:
        overdue = r.state == t.OPEN and r.due_at is not None and r.due_at < now
        if r.state == t.DONE:
            note = "the board says the work is done: is it fixed? Say so on the report"
        elif r.state == t.AWAITING:
            note = (
                f"your report awaits confirmation ({r.confirmation_count} of "
                f"{r.confirmations_needed})"
            )
        elif r.state == t.PROMISED:
            note = f"remedy promised by the board of {r.responsible.name}"
        else:
            note = f"with the board of {r.responsible.name}" + (", overdue" if overdue else "")
        items.append(
            PendingItem(
                kind="condition_report",
                title=_title(r),
                url=f"/conditions/{r.public_id}/",
                since=r.created_at,
                due=r.due_at if r.state == t.OPEN else None,
                overdue=overdue,
                note=note,
                mandatory=r.state == t.DONE,
            )
        )
    chain = [int(p) for p in member.workplace.path.strip("/").split("/") if p]
    # Co-workers confirm reports of their own workplace: the body it concerns is the
    # member's workplace or the enterprise above it (not the union or the congress).
    workplaces = Body.objects.filter(pk__in=chain, kind__in=WORKPLACE_KINDS).values("pk")
    awaiting = (
        ConditionReport.objects.filter(
            state=t.AWAITING, place=Place.WORKPLACE, body_id__in=workplaces, hidden=False
        )
        .exclude(reporter=member)
        .exclude(confirmations__member=member)
        .order_by("-created_at")
    )
    for r in awaiting[:50]:
        items.append(
            PendingItem(
                kind="condition_confirmation",
                title=_title(r),
                url=f"/conditions/{r.public_id}/",
                since=r.created_at,
                note=f"a co-worker's report awaits confirmation ({r.confirmation_count} of "
                f"{r.confirmations_needed}): have you seen it too?",
            )
        )
    return items


def overdue_for_member(member: Member, now: dt.datetime | None = None) -> list[PendingItem]:
    return [i for i in member_items(member, now) if i.overdue]


# ------------------------------------------------------------- housing and the plan


def open_reports_by_dwelling() -> dict[int, int]:
    """Dwelling id → number of its confirmed reports not yet fixed (for the need score)."""
    rows = (
        ConditionReport.objects.filter(dwelling__isnull=False, state__in=OPEN_STATES)
        .order_by()
        .values_list("dwelling_id")
        .annotate(n=Count("pk"))
        .values_list("dwelling_id", "n")
    )
    return {int(d): int(n) for d, n in rows}


@dataclass(frozen=True)
class Floor:
    product: str
    quantity: Decimal
    unit: str
    remedies: int


def remedy_floors(body: Body | None = None, until: dt.date | None = None) -> list[Floor]:
    """The materials of promised, unfixed remedies summed per product (the floors they
    put into the production plan), for reports at or below ``body``, due by ``until``.
    Raises ``ConditionsError`` when one product is promised in two different units."""
    from collegium.conditions.models import Material

    lines = Material.objects.filter(
        remedy__state=Remedy.State.PROMISED, remedy__report__state=t.PROMISED
    )
    if body is not None:
        lines = lines.filter(remedy__report__body__path__startswith=body.path)
    if until is not None:
        lines = lines.filter(remedy__due_on__lte=until)
    sums: dict[str, Decimal] = defaultdict(Decimal)
    units: dict[str, set[str]] = defaultdict(set)
    remedies: dict[str, set[int]] = defaultdict(set)
    for product, quantity, unit, remedy_id in lines.values_list(
        "product", "quantity", "unit", "remedy_id"
    ).iterator(chunk_size=5000):
        sums[product] += quantity
        units[product].add(unit)
        remedies[product].add(remedy_id)
    mixed = sorted(p for p, u in units.items() if len(u) > 1)
    if mixed:
        raise ConditionsError(
            {
                "materials": "promised in more than one unit: "
                + "; ".join(f"{p} ({', '.join(sorted(units[p]))})" for p in mixed)
            }
        )
    return [Floor(p, sums[p], next(iter(units[p])), len(remedies[p])) for p in sorted(sums)]
