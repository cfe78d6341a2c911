"""Writes for condition reports. Each is one transaction with its record entry.

Path of a report: ``report_submit`` (awaiting confirmation) → ``report_confirm`` by
co-workers (open, with the responsible board's deadline) → ``remedy_accept`` by that
board (remedy promised; its materials become floors of the production plan) →
``remedy_done`` by the board → ``report_fixed`` by the reporter (fixed; or not fixed: back
to open with a note). No remedy by the deadline (``conditions_sweep``), the board's own
``report_escalate``, or the reporter's ``remedy_reject`` move the report to the parent
body's board with a new deadline, up to the congress. The moderation commission alone
may hide a report (``report_hide``, for a reason of the charter) and show it again
(``report_unhide``); hidden reports stay listed with the reason.

Confirmation rule: a report needs 2 confirmations by co-workers (members of the body it
concerns other than the reporter), 1 where that body has fewer than 10 members, never
more than there are co-workers to give them; with none it is confirmed at once.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from collegium.conditions import transitions as t
from collegium.conditions.models import (
    ConditionReport,
    Confirmation,
    Event,
    Hazard,
    Material,
    ModerationAct,
    Photo,
    Place,
    Remedy,
)
from collegium.conditions.transitions import REMEDY, REPORT, ConditionsError, move
from collegium.conditions.uploads import (
    MAX_PHOTOS,
    Upload,
    clean_name,
    process_image,
    remove_stored,
    store_image,
)
from collegium.elections.models import Seat
from collegium.federation.models import Body, BodyKind, Member
from collegium.federation.permissions import belongs_to, holds_seat, member_of, require
from collegium.federation.selectors import body_members, charter_as_dict, commission_for
from collegium.record.models import Entry
from collegium.record.services import SYSTEM, Actor, actor_for, record_append, salted_digest

__all__ = ["ConditionsError", "MaterialLine", "Upload"]

MAX_TITLE = 200
MAX_TEXT = 20_000
MAX_LOCATION = 200
MAX_PEOPLE = 1_000_000
MAX_MATERIALS = 50
SWEEP_CHUNK = 1000
PRODUCT_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,63}$")


@dataclass(frozen=True)
class MaterialLine:
    product: str
    quantity: Decimal
    unit: str


def _member(user: Any) -> Member:
    member = member_of(user)
    require(member is not None, "only members report and answer condition reports")
    assert member is not None
    return member


def _at(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


# ------------------------------------------------------------------- boards and rules


def has_board(body: Body, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return Seat.objects.filter(
        body=body,
        role="board",
        vacated_on__isnull=True,
        term_start__lte=today,
        term_end__gte=today,
    ).exists()


def _chain_up(body: Body) -> list[Body]:
    """The body and every body above it, nearest first."""
    ids = [int(p) for p in body.path.strip("/").split("/") if p]
    by_id = Body.objects.in_bulk(ids)
    return [by_id[i] for i in reversed(ids) if i in by_id]


def responsible_for(body: Body) -> Body:
    """The body whose board answers a report about ``body``: its own board, else the
    nearest body above with a seated board (a shop without a board of its own is answered
    by its enterprise), else the top of the tree."""
    chain = _chain_up(body)
    for b in chain:
        if has_board(b):
            return b
    return chain[-1] if chain else body


def board_above(body: Body) -> Body | None:
    """Where an escalation goes: the nearest body above ``body`` with a seated board (the
    top of the tree when none has one); ``None`` at the congress."""
    chain = _chain_up(body)[1:]
    for b in chain:
        if has_board(b):
            return b
    return chain[-1] if chain else None


def confirmations_needed(body: Body, reporter: Member) -> int:
    members = body_members(body)
    total = members.count()
    co_workers = total - (1 if members.filter(pk=reporter.pk).exists() else 0)
    return max(0, min(1 if total < 10 else 2, co_workers))


def response_days(body: Body) -> int:
    return int(charter_as_dict(body)["condition_response_days"])


def _deadline(body: Body, now: dt.datetime) -> dt.datetime:
    return now + dt.timedelta(days=response_days(body))


def _board_members(body: Body) -> Any:
    from collegium.elections.selectors import board_seats

    return Member.objects.filter(pk__in=board_seats(body).values("holder_id"))


def _notify(members: Any, *, kind: str, title: str, url: str, now: dt.datetime) -> None:
    from collegium.notifications.services import notify

    notify(members=members, kind=kind, title=title, url=url, now=now)


def _url(report: ConditionReport) -> str:
    return f"/conditions/{report.public_id}/"


def _event(
    report: ConditionReport,
    kind: str,
    now: dt.datetime,
    entry: Entry,
    *,
    actor: Member | None = None,
    body: Body | None = None,
    text: str = "",
) -> Event:
    return Event.objects.create(
        report=report,
        kind=kind,
        actor=actor,
        body=body,
        text=text,
        created_at=now,
        record_index=entry.index,
    )


def _lock(report: ConditionReport) -> ConditionReport:
    return (
        ConditionReport.objects.select_for_update()
        .select_related("body", "responsible", "reporter")
        .get(pk=report.pk)
    )


# ----------------------------------------------------------------------- submitting


def _int(value: Any, field: str, low: int, high: int, words: str) -> tuple[int | None, str]:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None, f"give {words} as a whole number"
    if not low <= number <= high:
        return None, f"{words} must be between {low:,} and {high:,}"
    return number, ""


def _photos(uploads: Sequence[Upload], existing: int = 0) -> list[Any]:
    if existing + len(uploads) > MAX_PHOTOS:
        room = MAX_PHOTOS - existing
        raise ConditionsError(
            {
                "photos": f"at most {MAX_PHOTOS} photos per report"
                + (f"; room for {room} more" if existing else "")
            }
        )
    return [process_image(u.data, name=u.name, content_type=u.content_type) for u in uploads]


def _save_photos(
    report: ConditionReport, uploads: Sequence[Upload], member: Member, now: dt.datetime
) -> list[Photo]:
    """Re-encode and store the photos, then their rows; the files go again if the
    transaction fails."""
    processed = _photos(uploads, report.photos.count())
    first = (report.photos.order_by("-number").values_list("number", flat=True).first()) or 0
    written: list[str] = []
    photos = []
    try:
        for i, (upload, image) in enumerate(zip(uploads, processed, strict=True), start=1):
            stored = store_image(image)
            written += [stored.stored_name, stored.thumb_name]
            photos.append(
                Photo.objects.create(
                    report=report,
                    uploaded_by=member,
                    number=first + i,
                    stored_name=stored.stored_name,
                    thumb_name=stored.thumb_name,
                    format=image.format,
                    width=image.width,
                    height=image.height,
                    size=stored.size,
                    sha256=stored.sha256,
                    original_name=clean_name(upload.name),
                    created_at=now,
                )
            )
    except BaseException:
        remove_stored(*written)
        raise
    return photos


@transaction.atomic
def report_submit(
    *,
    user: Any,
    body: Body | None = None,
    dwelling: Any = None,
    location: str,
    hazard: str,
    severity: int | str,
    people_affected: int | str,
    title: str,
    description: str,
    photos: Sequence[Upload] = (),
    now: dt.datetime | None = None,
) -> ConditionReport:
    """A member reports a hazard at their workplace (``body``: an enterprise or shop they
    belong to) or at a dwelling (``dwelling``: one kept by a body they belong to)."""
    now = _at(now)
    member = _member(user)
    errors: dict[str, str] = {}
    if (body is None) == (dwelling is None):
        raise ConditionsError({"place": "say whether it is a workplace or a dwelling"})
    if dwelling is not None:
        place = Place.DWELLING
        concerned: Body = dwelling.body
        require(
            belongs_to(member, concerned),
            f"only members of {concerned.name} report conditions in its dwellings",
        )
    else:
        assert body is not None
        place = Place.WORKPLACE
        concerned = body
        if body.kind not in (BodyKind.ENTERPRISE, BodyKind.SHOP):
            errors["place"] = "a workplace is an enterprise or a shop"
        else:
            require(
                belongs_to(member, body),
                f"only members of {body.name} report conditions there",
            )
    title, location, description = title.strip(), location.strip(), description.strip()
    if not title:
        errors["title"] = "say in a few words what is wrong"
    elif len(title) > MAX_TITLE:
        errors["title"] = f"at most {MAX_TITLE} characters"
    if not location:
        errors["location"] = "say where exactly (for example 'Shop 3, press line 2')"
    elif len(location) > MAX_LOCATION:
        errors["location"] = f"at most {MAX_LOCATION} characters"
    if not description:
        errors["description"] = "describe the hazard: what, since when, who is affected"
    elif len(description) > MAX_TEXT:
        errors["description"] = f"at most {MAX_TEXT:,} characters"
    if hazard not in Hazard.values:
        errors["hazard"] = "choose a kind of hazard from the list"
    sev, problem = _int(severity, "severity", 1, 4, "the severity")
    if problem:
        errors["severity"] = "choose a severity from the list"
    people, problem = _int(people_affected, "people_affected", 1, MAX_PEOPLE, "people affected")
    if problem:
        errors["people_affected"] = problem
    if len(photos) > MAX_PHOTOS:
        errors["photos"] = f"at most {MAX_PHOTOS} photos per report"
    if errors:
        raise ConditionsError(errors)
    if photos:
        _photos(photos)  # check every photo before anything is written
    assert sev is not None and people is not None
    responsible = responsible_for(concerned)
    needed = confirmations_needed(concerned, member)
    report = ConditionReport.objects.create(
        body=concerned,
        place=place,
        dwelling=dwelling,
        location=location,
        hazard=hazard,
        severity=sev,
        people_affected=people,
        title=title,
        description=description,
        reporter=member,
        confirmations_needed=needed,
        responsible=responsible,
        created_at=now,
    )
    saved = _save_photos(report, photos, member, now) if photos else []
    entry = record_append(
        kind="condition.reported",
        actor=actor_for(user),
        body=concerned,
        data={
            "report": report.public_id,
            "place": place,
            "dwelling": getattr(dwelling, "code", None),
            "hazard": hazard,
            "severity": sev,
            "people_affected": people,
            "title_sha256": salted_digest(report.salt, title),
            "location_sha256": salted_digest(report.salt, location),
            "text_sha256": salted_digest(report.salt, description),
            "photos": [p.sha256 for p in saved],
            "confirmations_needed": needed,
            "responsible": responsible.code,
        },
    )
    _event(report, "reported", now, entry, actor=member, body=concerned)
    if needed == 0:
        _confirmed(report, now, entry)
    else:
        co_workers = body_members(concerned).exclude(pk=member.pk)
        _notify(
            co_workers,
            kind="condition.awaiting_confirmation",
            title=f"A condition report at {concerned.name} awaits confirmation: {title}",
            url=_url(report),
            now=now,
        )
    return report


@transaction.atomic
def photo_add(
    *,
    user: Any,
    report: ConditionReport,
    photos: Sequence[Upload],
    now: dt.datetime | None = None,
) -> list[Photo]:
    """The reporter adds photos (up to the limit) while the report is not fixed."""
    now = _at(now)
    member = _member(user)
    report = _lock(report)
    require(member.pk == report.reporter_id, "only the reporter adds photos to a report")
    if report.state == t.FIXED:
        raise ConditionsError("the report is fixed; its photos are closed")
    if not photos:
        raise ConditionsError({"photos": "choose at least one photo"})
    saved = _save_photos(report, photos, member, now)
    entry = record_append(
        kind="condition.photo_added",
        actor=actor_for(user),
        body=report.body,
        data={"report": report.public_id, "photos": [[p.number, p.sha256] for p in saved]},
    )
    _event(report, "photo_added", now, entry, actor=member, text=f"{len(saved)} photo(s)")
    return saved


# ---------------------------------------------------------------------- confirmation


def _confirmed(report: ConditionReport, now: dt.datetime, entry: Entry) -> None:
    report.state = move(REPORT, report.state, t.OPEN, "report")
    report.confirmed_at = now
    report.due_at = _deadline(report.responsible, now)
    report.save(update_fields=["state", "confirmed_at", "due_at"])
    _event(report, "confirmed", now, entry, body=report.responsible)
    _notify(
        _board_members(report.responsible),
        kind="condition.confirmed",
        title=f"Confirmed condition report for your board: {report.title}",
        url=_url(report),
        now=now,
    )


@transaction.atomic
def report_confirm(
    *, user: Any, report: ConditionReport, now: dt.datetime | None = None
) -> ConditionReport:
    """A co-worker confirms the hazard (once; not the reporter)."""
    now = _at(now)
    member = _member(user)
    report = _lock(report)
    require(
        belongs_to(member, report.body),
        f"only members of {report.body.name} confirm its condition reports",
    )
    if member.pk == report.reporter_id:
        raise ConditionsError("the reporter cannot confirm their own report")
    if report.state == t.FIXED:
        raise ConditionsError("the report is fixed; confirmations are closed")
    try:
        with transaction.atomic():
            Confirmation.objects.create(report=report, member=member, created_at=now)
    except IntegrityError:
        raise ConditionsError("you have already confirmed this report") from None
    report.confirmation_count = F("confirmation_count") + 1
    report.save(update_fields=["confirmation_count"])
    report.refresh_from_db(fields=["confirmation_count"])
    becomes = (
        report.state == t.AWAITING and report.confirmation_count >= report.confirmations_needed
    )
    entry = record_append(
        kind="condition.confirmation",
        actor=actor_for(user),
        body=report.body,
        data={
            "report": report.public_id,
            "confirmations": report.confirmation_count,
            "needed": report.confirmations_needed,
            "confirmed": becomes,
        },
    )
    _event(report, "confirmation", now, entry, actor=member)
    if becomes:
        _confirmed(report, now, entry)
    return report


# ---------------------------------------------------------------------------- remedy


def parse_materials(rows: Iterable[tuple[str, str, str]]) -> list[MaterialLine]:
    """Material lines from text (product code, quantity, unit); blank lines are skipped.
    Errors name the line: ``materials``: "line 2: the quantity must be above zero"."""
    lines = []
    for n, (product, quantity, unit) in enumerate(rows, start=1):
        product, quantity, unit = product.strip(), quantity.strip(), unit.strip()
        if not (product or quantity or unit):
            continue
        if not PRODUCT_CODE.match(product):
            raise ConditionsError(
                {"materials": f"line {n}: {product!r} is not a product code of the plan"}
            )
        try:
            amount = Decimal(quantity.replace(",", ""))
        except InvalidOperation:
            raise ConditionsError(
                {"materials": f"line {n}: the quantity {quantity!r} is not a number"}
            ) from None
        if not amount.is_finite() or amount <= 0:
            raise ConditionsError({"materials": f"line {n}: the quantity must be above zero"})
        if amount >= Decimal("1e11") or amount != amount.quantize(Decimal("0.001")):
            raise ConditionsError(
                {"materials": f"line {n}: at most 3 decimals and below 100,000,000,000"}
            )
        if not unit or len(unit) > 20:
            raise ConditionsError({"materials": f"line {n}: give the unit (at most 20 characters)"})
        lines.append(MaterialLine(product, amount, unit))
    return lines


def _decimal(value: Any, field: str, places: int, high: Decimal) -> tuple[Decimal | None, str]:
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        return None, "give a number, like 120 or 120.5"
    if not number.is_finite() or number < 0:
        return None, "give a number of zero or more"
    if number >= high:
        return None, f"must be below {high:,}"
    return number.quantize(Decimal(1).scaleb(-places)), ""


def _require_board(member: Member, report: ConditionReport, what: str) -> None:
    require(
        holds_seat(member, report.responsible),
        f"only the board of {report.responsible.name}, which must answer this report, {what}",
    )


@transaction.atomic
def remedy_accept(
    *,
    user: Any,
    report: ConditionReport,
    work: str,
    materials: Sequence[MaterialLine],
    labour_hours: Decimal | str,
    cost: Decimal | str,
    due_on: dt.date | None,
    now: dt.datetime | None = None,
) -> Remedy:
    """The responsible board answers a confirmed report with a remedy: the work, its
    materials (floors of the production plan), hours, cost and the date it is done by."""
    now = _at(now)
    member = _member(user)
    report = _lock(report)
    _require_board(member, report, "promises a remedy")
    if report.state != t.OPEN:
        raise ConditionsError(
            f"the report is {report.state_words}: a remedy answers an open, confirmed report"
        )
    errors: dict[str, str] = {}
    work = work.strip()
    if not work:
        errors["work"] = "describe the work that removes the hazard"
    elif len(work) > MAX_TEXT:
        errors["work"] = f"at most {MAX_TEXT:,} characters"
    hours, problem = _decimal(labour_hours, "labour_hours", 1, Decimal("1e9"))
    if problem:
        errors["labour_hours"] = problem
    money, problem = _decimal(cost, "cost", 2, Decimal("1e12"))
    if problem:
        errors["cost"] = problem
    if due_on is None:
        errors["due_on"] = "give the date the work is done by"
    elif due_on < timezone.localdate(now):
        errors["due_on"] = "the date is in the past"
    if len(materials) > MAX_MATERIALS:
        errors["materials"] = f"at most {MAX_MATERIALS} lines"
    if errors:
        raise ConditionsError(errors)
    assert hours is not None and money is not None and due_on is not None
    remedy = Remedy.objects.create(
        report=report,
        board=report.responsible,
        promised_by=member,
        work=work,
        labour_hours=hours,
        cost=money,
        due_on=due_on,
        created_at=now,
    )
    Material.objects.bulk_create(
        [
            Material(remedy=remedy, product=m.product, quantity=m.quantity, unit=m.unit)
            for m in materials
        ]
    )
    report.state = move(REPORT, report.state, t.PROMISED, "report")
    report.due_at = None
    report.save(update_fields=["state", "due_at"])
    entry = record_append(
        kind="condition.remedy_promised",
        actor=actor_for(user),
        body=report.responsible,
        data={
            "report": report.public_id,
            "remedy": remedy.pk,
            "work_sha256": salted_digest(report.salt, work),
            "materials": [[m.product, str(m.quantity), m.unit] for m in materials],
            "labour_hours": str(hours),
            "cost": str(money),
            "due_on": due_on.isoformat(),
        },
    )
    _event(report, "remedy_promised", now, entry, actor=member, body=report.responsible)
    _notify(
        [report.reporter],
        kind="condition.remedy_promised",
        title=f"The board of {report.responsible.name} promised a remedy by "
        f"{due_on:%d %b %Y}: {report.title}",
        url=_url(report),
        now=now,
    )
    return remedy


def _current_remedy(report: ConditionReport, state: str) -> Remedy:
    remedy = (
        Remedy.objects.select_for_update()
        .filter(report=report, state=state)
        .order_by("-id")
        .first()
    )
    if remedy is None:
        raise ConditionsError(f"the report has no remedy that is {state}")
    return remedy


@transaction.atomic
def remedy_done(
    *,
    user: Any,
    report: ConditionReport,
    note: str = "",
    now: dt.datetime | None = None,
) -> Remedy:
    """The board says the work is done; the reporter then confirms it is fixed (or not)."""
    now = _at(now)
    member = _member(user)
    report = _lock(report)
    _require_board(member, report, "marks its remedy done")
    if report.state != t.PROMISED:
        raise ConditionsError(f"the report is {report.state_words}: no remedy to mark done")
    remedy = _current_remedy(report, Remedy.State.PROMISED)
    remedy.state = move(REMEDY, remedy.state, Remedy.State.DONE, "remedy")
    remedy.done_at = now
    remedy.save(update_fields=["state", "done_at"])
    report.state = move(REPORT, report.state, t.DONE, "report")
    report.save(update_fields=["state"])
    entry = record_append(
        kind="condition.remedy_done",
        actor=actor_for(user),
        body=report.responsible,
        data={
            "report": report.public_id,
            "remedy": remedy.pk,
            "note_sha256": salted_digest(report.salt, note),
        },
    )
    _event(report, "remedy_done", now, entry, actor=member, text=note.strip()[:MAX_TEXT])
    _notify(
        [report.reporter],
        kind="condition.remedy_done",
        title=f"The board says the work is done. Is it fixed? {report.title}",
        url=_url(report),
        now=now,
    )
    return remedy


@transaction.atomic
def report_fixed(
    *,
    user: Any,
    report: ConditionReport,
    fixed: bool,
    note: str = "",
    now: dt.datetime | None = None,
) -> ConditionReport:
    """The reporter confirms the hazard is gone (fixed), or says it is not: the report is
    open again at the same board with a new deadline, and the note says why."""
    now = _at(now)
    member = _member(user)
    report = _lock(report)
    require(member.pk == report.reporter_id, "only the reporter says whether it is fixed")
    if report.state != t.DONE:
        raise ConditionsError(
            f"the report is {report.state_words}: the board has not marked a remedy done"
        )
    note = note.strip()
    if not fixed and not note:
        raise ConditionsError({"note": "say what is still wrong"})
    remedy = _current_remedy(report, Remedy.State.DONE)
    remedy.state = move(
        REMEDY,
        remedy.state,
        Remedy.State.CONFIRMED if fixed else Remedy.State.DECLINED,
        "remedy",
    )
    remedy.closed_at = now
    remedy.note = note[:MAX_TEXT]
    remedy.save(update_fields=["state", "closed_at", "note"])
    if fixed:
        report.state = move(REPORT, report.state, t.FIXED, "report")
        report.fixed_at = now
        report.due_at = None
    else:
        report.state = move(REPORT, report.state, t.OPEN, "report")
        report.due_at = _deadline(report.responsible, now)
    report.save(update_fields=["state", "fixed_at", "due_at"])
    entry = record_append(
        kind="condition.fixed" if fixed else "condition.not_fixed",
        actor=actor_for(user),
        body=report.body,
        data={
            "report": report.public_id,
            "remedy": remedy.pk,
            "note_sha256": salted_digest(report.salt, note),
        },
    )
    _event(report, "fixed" if fixed else "not_fixed", now, entry, actor=member, text=note)
    if not fixed:
        _notify(
            _board_members(report.responsible),
            kind="condition.not_fixed",
            title=f"The reporter says it is not fixed: {report.title}",
            url=_url(report),
            now=now,
        )
    return report


# ------------------------------------------------------------------------ escalation


def _escalate(
    report: ConditionReport,
    *,
    actor: Actor,
    member: Member | None,
    how: str,
    reason: str,
    now: dt.datetime,
    kind: str = "condition.escalated",
    extra: dict[str, Any] | None = None,
) -> ConditionReport:
    target = board_above(report.responsible)
    if target is None:
        raise ConditionsError(
            f"the report is already with {report.responsible.name}, the top of the federation"
        )
    origin = report.responsible
    report.state = move(REPORT, report.state, t.OPEN, "report")
    report.responsible = target
    report.escalations += 1
    report.escalated_at = now
    report.due_at = _deadline(target, now)
    report.save(update_fields=["state", "responsible", "escalations", "escalated_at", "due_at"])
    entry = record_append(
        kind=kind,
        actor=actor,
        body=origin,
        data={
            "report": report.public_id,
            "from": origin.code,
            "to": target.code,
            "how": how,
            "reason_sha256": salted_digest(report.salt, reason),
            "due_at": report.due_at.isoformat(),
            **(extra or {}),
        },
    )
    _event(report, f"escalated_{how}", now, entry, actor=member, body=target, text=reason)
    _notify(
        _board_members(target),
        kind="condition.escalated",
        title=f"Condition report escalated to your board from {origin.name}: {report.title}",
        url=_url(report),
        now=now,
    )
    return report


@transaction.atomic
def report_escalate(
    *, user: Any, report: ConditionReport, reason: str, now: dt.datetime | None = None
) -> ConditionReport:
    """The responsible board passes an open report up to the parent body's board (for
    example: the remedy is beyond its means)."""
    now = _at(now)
    member = _member(user)
    report = _lock(report)
    _require_board(member, report, "escalates it")
    if report.state != t.OPEN:
        raise ConditionsError(f"the report is {report.state_words}: only open reports escalate")
    if not reason.strip():
        raise ConditionsError({"reason": "say why the parent body's board must answer it"})
    return _escalate(
        report, actor=actor_for(user), member=member, how="board", reason=reason.strip(), now=now
    )


@transaction.atomic
def remedy_reject(
    *, user: Any, report: ConditionReport, note: str, now: dt.datetime | None = None
) -> ConditionReport:
    """The reporter rejects a promised remedy (too little, too late): the report goes to
    the parent body's board with a new deadline; the rejected remedy stays in its
    history."""
    now = _at(now)
    member = _member(user)
    report = _lock(report)
    require(member.pk == report.reporter_id, "only the reporter rejects a remedy")
    if report.state != t.PROMISED:
        raise ConditionsError(f"the report is {report.state_words}: no promised remedy")
    if not note.strip():
        raise ConditionsError({"note": "say why the remedy is not enough"})
    if board_above(report.responsible) is None:
        raise ConditionsError(
            f"the remedy comes from {report.responsible.name}, the top of the federation: "
            "there is no body above to take it"
        )
    remedy = _current_remedy(report, Remedy.State.PROMISED)
    remedy.state = move(REMEDY, remedy.state, Remedy.State.REJECTED, "remedy")
    remedy.closed_at = now
    remedy.note = note.strip()[:MAX_TEXT]
    remedy.save(update_fields=["state", "closed_at", "note"])
    return _escalate(
        report,
        actor=actor_for(user),
        member=member,
        how="reporter",
        reason=note.strip(),
        now=now,
        kind="condition.remedy_rejected",
        extra={"remedy": remedy.pk},
    )


def conditions_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Idempotent: every open report past its deadline goes to the board above, with a
    new deadline. One record entry per board and batch lists the reports it moved."""
    now = _at(now)
    due = (
        ConditionReport.objects.filter(state=t.OPEN, due_at__lte=now)
        .exclude(responsible__parent__isnull=True)
        .order_by("responsible_id", "id")
        .values_list("responsible_id", "id")
    )
    groups: dict[int, list[int]] = {}
    for responsible_id, report_id in due.iterator(chunk_size=5000):
        groups.setdefault(responsible_id, []).append(report_id)
    escalated = 0
    bodies = Body.objects.in_bulk(list(groups))
    for responsible_id, ids in groups.items():
        origin = bodies[responsible_id]
        target = board_above(origin)
        if target is None:
            continue
        new_due = _deadline(target, now)
        for start in range(0, len(ids), SWEEP_CHUNK):
            escalated += _sweep_batch(
                origin, target, ids[start : start + SWEEP_CHUNK], now, new_due
            )
    return {"conditions_escalated": escalated}


@transaction.atomic
def _sweep_batch(
    origin: Body, target: Body, ids: list[int], now: dt.datetime, new_due: dt.datetime
) -> int:
    rows = list(
        ConditionReport.objects.select_for_update()
        .filter(pk__in=ids, state=t.OPEN, due_at__lte=now, responsible=origin)
        .values_list("id", "public_id")
    )
    if not rows:
        return 0
    moved = [pk for pk, _ in rows]
    ConditionReport.objects.filter(pk__in=moved).update(
        responsible=target,
        escalations=F("escalations") + 1,
        escalated_at=now,
        due_at=new_due,
    )
    entry = record_append(
        kind="condition.escalated",
        actor=SYSTEM,
        body=origin,
        data={
            "reports": [public_id for _, public_id in rows],
            "from": origin.code,
            "to": target.code,
            "how": "deadline",
            "due_at": new_due.isoformat(),
        },
    )
    Event.objects.bulk_create(
        [
            Event(
                report_id=pk,
                kind="escalated_deadline",
                body=target,
                text="",
                created_at=now,
                record_index=entry.index,
            )
            for pk in moved
        ],
        batch_size=1000,
    )
    _notify(
        _board_members(target),
        kind="condition.escalated",
        title=f"{len(moved)} condition report{'s' if len(moved) != 1 else ''} from "
        f"{origin.name} passed the deadline and are now your board's to answer",
        url=f"/bodies/{target.code}/conditions/?state=open&responsible=1",
        now=now,
    )
    return len(moved)


# ------------------------------------------------------------------------ moderation


def _moderator(user: Any, report: ConditionReport) -> tuple[Member, Body]:
    member = _member(user)
    commission = commission_for(report.body, "moderation")
    require(
        commission is not None and holds_seat(member, commission),
        "only the moderation commission hides or shows condition reports",
    )
    assert commission is not None
    return member, commission


@transaction.atomic
def report_hide(
    *, user: Any, report: ConditionReport, reason: str, now: dt.datetime | None = None
) -> ConditionReport:
    """The moderation commission hides a report for one of the charter's reasons. It stays
    listed, with the reason; its texts and photos are withheld."""
    now = _at(now)
    report = _lock(report)
    member, commission = _moderator(user, report)
    reasons = charter_as_dict(report.body)["moderation_reasons"]
    if reason not in reasons:
        raise ConditionsError({"reason": "choose one of the charter's moderation reasons"})
    if report.hidden:
        raise ConditionsError("the report is already hidden")
    report.hidden = True
    report.hidden_reason = reason
    report.save(update_fields=["hidden", "hidden_reason"])
    entry = record_append(
        kind="condition.hidden",
        actor=actor_for(user),
        body=commission,
        data={"report": report.public_id, "commission": commission.code, "reason": reason},
    )
    ModerationAct.objects.create(
        report=report,
        commission=commission,
        member=member,
        action=ModerationAct.Action.HIDE,
        reason=reason,
        created_at=now,
        record_index=entry.index,
    )
    _event(report, "hidden", now, entry, actor=member, body=commission, text=reason)
    return report


@transaction.atomic
def report_unhide(
    *, user: Any, report: ConditionReport, reason: str, now: dt.datetime | None = None
) -> ConditionReport:
    """The moderation commission shows a hidden report again, saying why."""
    now = _at(now)
    report = _lock(report)
    member, commission = _moderator(user, report)
    if not report.hidden:
        raise ConditionsError("the report is not hidden")
    reason = reason.strip()
    if not reason:
        raise ConditionsError({"reason": "say why it is shown again"})
    if len(reason) > 200:
        raise ConditionsError({"reason": "at most 200 characters"})
    report.hidden = False
    report.hidden_reason = ""
    report.save(update_fields=["hidden", "hidden_reason"])
    entry = record_append(
        kind="condition.unhidden",
        actor=actor_for(user),
        body=commission,
        data={
            "report": report.public_id,
            "commission": commission.code,
            "reason_sha256": salted_digest(report.salt, reason),
        },
    )
    ModerationAct.objects.create(
        report=report,
        commission=commission,
        member=member,
        action=ModerationAct.Action.UNHIDE,
        reason=reason,
        created_at=now,
        record_index=entry.index,
    )
    _event(report, "unhidden", now, entry, actor=member, body=commission, text=reason)
    return report
