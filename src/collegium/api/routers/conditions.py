"""Condition reports: report (with photos, multipart), confirm, remedy, escalate, mark
done, fixed or not, reject, hide and show again, and the plan floors of promised remedies;
the same services and permissions as the pages.

A report is shown to the members of the body it concerns, the boards of that body and of
every body above it, and the moderation commission that serves it; to everyone else it
does not exist (404), as on the pages it is refused. Input errors are 422 with a field →
message map in ``errors``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.conf import settings
from django.http import HttpRequest
from ninja import File, Form, Router, Schema, Status, UploadedFile
from ninja.errors import HttpError
from ninja.params.functions import Query
from pydantic import Field

from collegium.api.auth import OPTIONAL, REQUIRED, caller
from collegium.api.schemas import Error
from collegium.conditions import selectors as csel
from collegium.conditions import services
from collegium.conditions.models import ConditionReport
from collegium.conditions.services import ConditionsError, MaterialLine
from collegium.conditions.uploads import MAX_PHOTOS, Upload
from collegium.federation import permissions
from collegium.federation.models import Body

router = Router(tags=["conditions"])

LIST_LIMIT = 100


def _invalid(exc: ConditionsError) -> Status[Any]:
    """422 with the field → message map; a refusal that names no field is 409."""
    if set(exc.errors) == {""}:
        return Status(409, {"detail": str(exc)})
    return Status(422, {"detail": str(exc), "errors": exc.errors})


# ---------------------------------------------------------------------------- schemas


class PhotoOut(Schema):
    number: int
    url: str = Field(description="The re-encoded photo (for those who may see the report).")
    thumb_url: str
    format: str = Field(description="jpeg or png")
    width: int
    height: int
    sha256: str


class ConfirmationOut(Schema):
    member: str = Field(description="The public member id.")
    name: str
    at: dt.datetime


class MaterialOut(Schema):
    product: str
    quantity: str = Field(description="A decimal as a string.")
    unit: str


class RemedyOut(Schema):
    id: int
    board: str = Field(description="Code of the body whose board promised it.")
    state: str = Field(description="promised, done, confirmed, declined or rejected")
    work: str
    materials: list[MaterialOut]
    labour_hours: str
    cost: str
    due_on: dt.date
    created_at: dt.datetime
    done_at: dt.datetime | None
    closed_at: dt.datetime | None
    note: str


class EventOut(Schema):
    kind: str
    at: dt.datetime
    actor: str | None
    body: str | None
    text: str
    record_index: int | None


class ReportListItem(Schema):
    public_id: str
    body: str
    place: str = Field(description="workplace or dwelling")
    dwelling: str | None
    hazard: str
    severity: int = Field(description="1 minor, 2 serious, 3 severe, 4 danger to life")
    people_affected: int
    title: str | None = Field(description="Null while the report is hidden.")
    location: str | None
    state: str = Field(description="awaiting, open, promised, done or fixed")
    overdue: bool
    responsible: str = Field(description="Code of the body whose board must answer.")
    escalations: int
    confirmations: int
    confirmations_needed: int
    reporter: str
    created_at: dt.datetime
    confirmed_at: dt.datetime | None
    due_at: dt.datetime | None
    hidden: bool
    hidden_reason: str


class ReportOut(ReportListItem):
    description: str | None
    photos: list[PhotoOut]
    confirmations_list: list[ConfirmationOut]
    remedies: list[RemedyOut]
    history: list[EventOut]


class ReportsOut(Schema):
    count: int
    reports: list[ReportListItem]


class ReportIn(Schema):
    title: str = Field(..., max_length=200)
    location: str = Field(..., max_length=200)
    hazard: str = Field(..., description="dampness, foul_air, gases, heat, cold, noise, …")
    severity: int = Field(..., ge=1, le=4)
    people_affected: int = Field(..., ge=1, le=1_000_000)
    description: str = Field(..., max_length=20_000)
    dwelling: str | None = Field(
        None, description="A dwelling's code (kept by this body) instead of the workplace."
    )


class MaterialIn(Schema):
    product: str = Field(..., max_length=64)
    quantity: Decimal = Field(..., gt=0, max_digits=14, decimal_places=3)
    unit: str = Field(..., max_length=20)


class RemedyIn(Schema):
    work: str = Field(..., max_length=20_000)
    materials: list[MaterialIn] = Field(default_factory=list, max_length=50)
    labour_hours: Decimal = Field(..., ge=0, max_digits=10, decimal_places=1)
    cost: Decimal = Field(..., ge=0, max_digits=14, decimal_places=2)
    due_on: dt.date


class ReasonIn(Schema):
    reason: str = Field(..., max_length=2000)


class NoteIn(Schema):
    note: str = Field("", max_length=2000)


class FixedIn(Schema):
    fixed: bool
    note: str = Field("", max_length=2000)


class FloorOut(Schema):
    product: str
    floor: str = Field(description="The summed quantity, a decimal as a string.")
    unit: str
    remedies: int


R = {401: Error, 403: Error, 404: Error, 409: Error, 422: Error}


# ---------------------------------------------------------------------------- helpers


def _body(code: str) -> Body:
    body = Body.objects.filter(code=code).first()
    if body is None:
        raise HttpError(404, f"no body with code {code!r}")
    return body


def _viewer(request: HttpRequest) -> Any:
    from collegium.web.queries import member_viewer

    return member_viewer(caller(request))


def _report(request: HttpRequest, public_id: str) -> ConditionReport:
    report = csel.report_by_public_id(public_id)
    if report is None or not csel.can_view(_viewer(request), report):
        raise HttpError(404, f"no condition report {public_id!r} that you may see")
    return report


def _item(r: ConditionReport, now: dt.datetime, content: bool) -> dict[str, Any]:
    return {
        "public_id": r.public_id,
        "body": r.body.code,
        "place": r.place,
        "dwelling": r.dwelling.code if r.dwelling_id and r.dwelling else None,
        "hazard": r.hazard,
        "severity": r.severity,
        "people_affected": r.people_affected,
        "title": r.title if content else None,
        "location": r.location if content else None,
        "state": r.state,
        "overdue": r.state == "open" and r.due_at is not None and r.due_at < now,
        "responsible": r.responsible.code,
        "escalations": r.escalations,
        "confirmations": r.confirmation_count,
        "confirmations_needed": r.confirmations_needed,
        "reporter": r.reporter.public_id,
        "created_at": r.created_at,
        "confirmed_at": r.confirmed_at,
        "due_at": r.due_at,
        "hidden": r.hidden,
        "hidden_reason": r.hidden_reason,
    }


def _is_moderator(request: HttpRequest, report: ConditionReport) -> bool:
    from collegium.federation.selectors import commission_for

    commission = commission_for(report.body, "moderation")
    return commission is not None and permissions.holds_seat(_viewer(request), commission)


def _out(request: HttpRequest, report: ConditionReport) -> dict[str, Any]:
    from django.utils import timezone

    report = csel.report_by_public_id(report.public_id) or report
    content = not report.hidden or _is_moderator(request, report)
    base = f"/conditions/{report.public_id}/photos"
    return {
        **_item(report, timezone.now(), content),
        "description": report.description if content else None,
        "photos": [
            {
                "number": p.number,
                "url": f"{base}/{p.number}/",
                "thumb_url": f"{base}/{p.number}/thumb/",
                "format": p.format,
                "width": p.width,
                "height": p.height,
                "sha256": p.sha256,
            }
            for p in (csel.report_photos(report) if content else [])
        ],
        "confirmations_list": [
            {"member": c.member.public_id, "name": c.member.full_name, "at": c.created_at}
            for c in csel.report_confirmations(report)
        ],
        "remedies": [
            {
                "id": r.pk,
                "board": r.board.code,
                "state": r.state,
                "work": r.work,
                "materials": [
                    {"product": m.product, "quantity": str(m.quantity), "unit": m.unit}
                    for m in r.materials.all()
                ],
                "labour_hours": str(r.labour_hours),
                "cost": str(r.cost),
                "due_on": r.due_on,
                "created_at": r.created_at,
                "done_at": r.done_at,
                "closed_at": r.closed_at,
                "note": r.note,
            }
            for r in csel.report_remedies(report)
        ],
        "history": [
            {
                "kind": e.kind,
                "at": e.created_at,
                "actor": e.actor.public_id if e.actor else None,
                "body": e.body.code if e.body else None,
                "text": e.text if content else "",
                "record_index": e.record_index,
            }
            for e in csel.report_history(report)
        ],
    }


def _uploads(files: list[UploadedFile] | None) -> list[Upload]:
    files = files or []
    limit = int(settings.COLLEGIUM_UPLOAD_MAX_BYTES)
    if len(files) > MAX_PHOTOS:
        raise ConditionsError({"photos": f"at most {MAX_PHOTOS} photos per report"})
    uploads = []
    for f in files:
        if f.size is not None and f.size > limit:
            raise ConditionsError(
                {
                    "photos": f"{f.name!r} is {f.size / 1024 / 1024:.1f} MB; a photo may "
                    f"be at most {limit / 1024 / 1024:.1f} MB"
                }
            )
        uploads.append(Upload(f.name or "photo", f.content_type or "", f.read()))
    return uploads


# ----------------------------------------------------------------------------- routes


@router.get(
    "/bodies/{code}",
    response={200: ReportsOut, 404: Error, 422: Error},
    auth=OPTIONAL,
    summary="A body's condition reports you may see, newest first (100 at a time)",
)
def list_for_body(
    request: HttpRequest,
    code: str,
    state: Literal["awaiting", "open", "promised", "done", "fixed", "overdue", "escalated"]
    | None = Query(None),
    hazard: str | None = Query(None, max_length=20),
    severity: int | None = Query(None, ge=1, le=4, description="At least this severity."),
    place: Literal["workplace", "dwelling"] | None = Query(None),
    q: str | None = Query(None, max_length=100, description="Words in title, place or text."),
    responsible: bool = Query(False, description="Only those this body's board must answer."),
    offset: int = Query(0, ge=0, le=10_000_000),
) -> dict[str, Any]:
    from django.utils import timezone

    body = _body(code)
    filters = csel.Filters.parse(
        {
            "state": state or "",
            "hazard": hazard or "",
            "severity": severity or "",
            "place": place or "",
            "q": q or "",
            "responsible": "1" if responsible else "",
        }
    )
    now = timezone.now()
    viewer = _viewer(request)
    reports = csel.body_reports(body, viewer, filters, now).select_related("dwelling")
    moderator_of: dict[int, bool] = {}

    def content(r: ConditionReport) -> bool:
        if not r.hidden:
            return True
        if r.body_id not in moderator_of:
            moderator_of[r.body_id] = _is_moderator(request, r)
        return moderator_of[r.body_id]

    return {
        "count": reports.count(),
        "reports": [_item(r, now, content(r)) for r in reports[offset : offset + LIST_LIMIT]],
    }


@router.post(
    "/bodies/{code}/reports",
    response={201: ReportOut, **R},
    auth=REQUIRED,
    summary="Report a hazard at this workplace, or at one of its dwellings (multipart, photos)",
)
def report_create(
    request: HttpRequest,
    code: str,
    data: Form[ReportIn],
    photos: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> Any:
    body = _body(code)
    dwelling = None
    if data.dwelling:
        from collegium.housing.models import Dwelling

        dwelling = Dwelling.objects.filter(code=data.dwelling, body=body).first()
        if dwelling is None:
            return _invalid(
                ConditionsError({"dwelling": f"{body.name} keeps no dwelling {data.dwelling!r}"})
            )
    try:
        report = services.report_submit(
            user=caller(request),
            body=None if dwelling else body,
            dwelling=dwelling,
            location=data.location,
            hazard=data.hazard,
            severity=data.severity,
            people_affected=data.people_affected,
            title=data.title,
            description=data.description,
            photos=_uploads(photos),
        )
    except ConditionsError as exc:
        return _invalid(exc)
    return Status(201, _out(request, report))


@router.get(
    "/reports/{public_id}",
    response={200: ReportOut, 404: Error},
    auth=OPTIONAL,
    summary="A condition report with its photos, confirmations, remedies and history",
)
def report_get(request: HttpRequest, public_id: str) -> dict[str, Any]:
    return _out(request, _report(request, public_id))


def _step(request: HttpRequest, public_id: str, action: Any, **kwargs: Any) -> Any:
    report = _report(request, public_id)
    try:
        if "photos" in kwargs:
            kwargs["photos"] = _uploads(kwargs["photos"])
        action(user=caller(request), report=report, **kwargs)
    except ConditionsError as exc:
        return _invalid(exc)
    return _out(request, report)


@router.post(
    "/reports/{public_id}/photos",
    response={200: ReportOut, **R},
    auth=REQUIRED,
    summary="Add photos to your report (multipart; JPEG, PNG or WebP, re-encoded)",
)
def photos_add(
    request: HttpRequest,
    public_id: str,
    photos: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> Any:
    return _step(request, public_id, services.photo_add, photos=photos)


@router.post(
    "/reports/{public_id}/confirmations",
    response={200: ReportOut, **R},
    auth=REQUIRED,
    summary="Confirm a co-worker's report (once; not your own)",
)
def confirm(request: HttpRequest, public_id: str) -> Any:
    return _step(request, public_id, services.report_confirm)


@router.post(
    "/reports/{public_id}/remedy",
    response={200: ReportOut, **R},
    auth=REQUIRED,
    summary="Promise a remedy (the responsible board); its materials become plan floors",
)
def remedy(request: HttpRequest, public_id: str, data: RemedyIn) -> Any:
    materials = [
        MaterialLine(m.product.strip(), m.quantity, m.unit.strip()) for m in data.materials
    ]
    try:
        services.parse_materials([(m.product, str(m.quantity), m.unit) for m in materials])
    except ConditionsError as exc:
        return _invalid(exc)
    return _step(
        request,
        public_id,
        services.remedy_accept,
        work=data.work,
        materials=materials,
        labour_hours=data.labour_hours,
        cost=data.cost,
        due_on=data.due_on,
    )


@router.post(
    "/reports/{public_id}/escalation",
    response={200: ReportOut, **R},
    auth=REQUIRED,
    summary="Pass an open report to the board above (the responsible board)",
)
def escalate(request: HttpRequest, public_id: str, data: ReasonIn) -> Any:
    return _step(request, public_id, services.report_escalate, reason=data.reason)


@router.post(
    "/reports/{public_id}/done",
    response={200: ReportOut, **R},
    auth=REQUIRED,
    summary="Mark the promised remedy done (the responsible board)",
)
def done(request: HttpRequest, public_id: str, data: NoteIn) -> Any:
    return _step(request, public_id, services.remedy_done, note=data.note)


@router.post(
    "/reports/{public_id}/fixed",
    response={200: ReportOut, **R},
    auth=REQUIRED,
    summary="Say whether it is fixed (the reporter); not fixed needs a note",
)
def fixed(request: HttpRequest, public_id: str, data: FixedIn) -> Any:
    return _step(request, public_id, services.report_fixed, fixed=data.fixed, note=data.note)


@router.post(
    "/reports/{public_id}/rejection",
    response={200: ReportOut, **R},
    auth=REQUIRED,
    summary="Reject the promised remedy (the reporter): the report goes to the board above",
)
def reject(request: HttpRequest, public_id: str, data: NoteIn) -> Any:
    return _step(request, public_id, services.remedy_reject, note=data.note)


@router.post(
    "/reports/{public_id}/hidden",
    response={200: ReportOut, **R},
    auth=REQUIRED,
    summary="Hide a report for a reason of the charter (the moderation commission)",
)
def hide(request: HttpRequest, public_id: str, data: ReasonIn) -> Any:
    return _step(request, public_id, services.report_hide, reason=data.reason)


@router.post(
    "/reports/{public_id}/unhidden",
    response={200: ReportOut, **R},
    auth=REQUIRED,
    summary="Show a hidden report again, saying why (the moderation commission)",
)
def unhide(request: HttpRequest, public_id: str, data: ReasonIn) -> Any:
    return _step(request, public_id, services.report_unhide, reason=data.reason)


@router.get(
    "/floors",
    response={200: list[FloorOut], 404: Error, 409: Error, 422: Error},
    auth=OPTIONAL,
    summary="Plan floors of promised, unfixed remedies (materials summed per product)",
)
def floors(
    request: HttpRequest,
    body: str | None = Query(None, max_length=40, description="Only at or below this body."),
    until: str | None = Query(
        None,
        pattern=r"^\d{4}-\d{2}-\d{2}$",
        description="Only remedies due on or before this date (YYYY-MM-DD).",
    ),
) -> Any:
    scope = _body(body) if body else None
    day = None
    if until:
        try:
            day = dt.date.fromisoformat(until)
        except ValueError:
            return Status(422, {"detail": f"until: {until!r} is not a date"})
    try:
        found = csel.remedy_floors(scope, day)
    except ConditionsError as exc:
        raise HttpError(409, str(exc)) from None
    return [
        {
            "product": f.product,
            "floor": format(f.quantity.normalize(), "f"),
            "unit": f.unit,
            "remedies": f.remedies,
        }
        for f in found
    ]
