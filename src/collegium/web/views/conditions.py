"""Condition reports: a body's list with filters, the report page (photos, confirmations,
remedy, history), the forms for each step, and the photos themselves, served only to
those who may see the report.

Views parse the request, check permission and call the services of
``collegium.conditions``. A ``ConditionsError`` is shown next to the field it names, a
service's ``PermissionDenied`` next to the form with status 403; nothing changes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from collegium.conditions import selectors as csel
from collegium.conditions import services
from collegium.conditions.models import ConditionReport, Hazard, Photo, Place, Severity
from collegium.conditions.services import ConditionsError
from collegium.conditions.uploads import MAX_PHOTOS, STORED_TYPES, Upload, stored_path
from collegium.federation import permissions
from collegium.federation import selectors as fsel
from collegium.federation.permissions import PermissionDenied
from collegium.web import queries
from collegium.web.views import body_or_404, paginate

MATERIAL_ROWS = 5
STATE_CHOICES = [
    ("awaiting", "Awaiting confirmation"),
    ("open", "Open (confirmed, no remedy yet)"),
    ("overdue", "Overdue (deadline passed)"),
    ("escalated", "Escalated"),
    ("promised", "Remedy promised"),
    ("done", "Marked done"),
    ("fixed", "Fixed"),
]


def _sentence(text: str) -> str:
    text = text.strip() or "This is not possible now"
    text = text[0].upper() + text[1:]
    return text if text.endswith(".") else text + "."


def _errors(exc: ConditionsError) -> dict[str, str]:
    return {field or "form": _sentence(message) for field, message in exc.errors.items()}


def _uploads(request: HttpRequest) -> tuple[list[Upload], dict[str, str]]:
    """The uploaded photos as the services take them; too large a file is refused here,
    before it is read into memory."""
    files = request.FILES.getlist("photos")
    limit = int(settings.COLLEGIUM_UPLOAD_MAX_BYTES)
    if len(files) > MAX_PHOTOS:
        return [], {"photos": f"At most {MAX_PHOTOS} photos per report."}
    uploads = []
    for f in files:
        if f.size is not None and f.size > limit:
            return [], {
                "photos": f"{f.name!r} is {f.size / 1024 / 1024:.1f} MB; a photo may be at "
                f"most {limit / 1024 / 1024:.1f} MB."
            }
        uploads.append(Upload(f.name or "photo", f.content_type or "", f.read()))
    return uploads, {}


def _report_or_404(public_id: str) -> ConditionReport:
    report = csel.report_by_public_id(public_id)
    if report is None:
        raise Http404("There is no condition report with this id.")
    return report


def _visible_report(request: HttpRequest, public_id: str) -> tuple[ConditionReport, Any]:
    report = _report_or_404(public_id)
    viewer = queries.member_viewer(request.user)
    if not csel.can_view(viewer, report):
        raise DjangoPermissionDenied(
            f"Only members of {report.body.name}, the boards above it and the moderation "
            "commission see its condition reports."
        )
    return report, viewer


# ---------------------------------------------------------------------- a body's list


@require_GET
def body_conditions(request: HttpRequest, code: str) -> HttpResponse:
    body = body_or_404(code)
    viewer = queries.member_viewer(request.user)
    filters = csel.Filters.parse(request.GET)
    now = timezone.now()
    page = paginate(request, csel.body_reports(body, viewer, filters, now))
    page.object_list = csel.with_extras(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "web/conditions/body_conditions.html",
        {
            "body": body,
            "ancestors": fsel.body_ancestors(body),
            "viewer": viewer,
            "page": page,
            "filters": filters,
            "query": query.urlencode(),
            "counts": csel.panel_counts(body, viewer, now),
            "may_report": viewer is not None
            and body.is_workplace
            and permissions.belongs_to(viewer, body),
            "is_board": permissions.holds_seat(viewer, body),
            "states": STATE_CHOICES,
            "hazards": Hazard.choices,
            "severities": Severity.choices,
            "places": Place.choices,
            "now": now,
        },
    )


# -------------------------------------------------------------------- a new report


def _dwellings(body: Any) -> list[Any]:
    from collegium.housing.models import Dwelling

    return list(Dwelling.objects.filter(body=body).order_by("code")[:500])


@require_http_methods(["GET", "POST"])
def report_new(request: HttpRequest, code: str) -> HttpResponse:
    body = body_or_404(code)
    viewer = queries.member_viewer(request.user)
    if viewer is None or not permissions.belongs_to(viewer, body):
        raise DjangoPermissionDenied(f"Only members of {body.name} report conditions there.")
    dwellings = _dwellings(body)
    if not body.is_workplace and not dwellings:
        raise Http404(f"{body.name} is not a workplace and keeps no dwellings.")
    keys = ("place", "dwelling", "location", "hazard", "severity", "people_affected", "title")
    values = {k: "" for k in keys} | {"description": ""}
    values["place"] = "workplace" if body.is_workplace else "dwelling"
    values["dwelling"] = request.GET.get("dwelling", "")
    if values["dwelling"]:
        values["place"] = "dwelling"
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in values}
        uploads, errors = _uploads(request)
        dwelling = None
        if values["place"] == "dwelling":
            dwelling = next((d for d in dwellings if d.code == values["dwelling"]), None)
            if dwelling is None:
                errors["dwelling"] = "Choose one of the dwellings kept by this body."
        elif not body.is_workplace:
            errors["place"] = "This body is not a workplace: choose a dwelling."
        status = 400
        if not errors:
            try:
                report = services.report_submit(
                    user=request.user,
                    body=None if dwelling else body,
                    dwelling=dwelling,
                    location=values["location"],
                    hazard=values["hazard"],
                    severity=values["severity"],
                    people_affected=values["people_affected"],
                    title=values["title"],
                    description=values["description"].replace("\r\n", "\n"),
                    photos=uploads,
                )
            except ConditionsError as exc:
                errors = _errors(exc)
            except PermissionDenied as exc:
                errors = {"form": _sentence(str(exc))}
                status = 403
            else:
                if report.state == "awaiting":
                    words = (
                        f"It needs {report.confirmations_needed} confirmation"
                        f"{'s' if report.confirmations_needed != 1 else ''} by co-workers; "
                        "they have been told."
                    )
                else:
                    words = f"The board of {report.responsible.name} must answer it."
                messages.success(request, f"Your report is on the public record. {words}")
                return redirect("condition_report", report.public_id)
    return render(
        request,
        "web/conditions/report_new.html",
        {
            "body": body,
            "ancestors": fsel.body_ancestors(body),
            "values": values,
            "errors": errors,
            "dwellings": dwellings,
            "hazards": Hazard.choices,
            "severities": Severity.choices,
            "max_photos": MAX_PHOTOS,
            "max_mb": int(settings.COLLEGIUM_UPLOAD_MAX_BYTES) // (1024 * 1024),
        },
        status=status,
    )


# ---------------------------------------------------------------------- one report


def _context(
    request: HttpRequest,
    report: ConditionReport,
    viewer: Any,
    errors: dict[str, dict[str, str]],
    values: dict[str, str],
) -> dict[str, Any]:
    now = timezone.now()
    is_reporter = viewer is not None and viewer.pk == report.reporter_id
    commission = fsel.commission_for(report.body, "moderation")
    is_moderator = commission is not None and permissions.holds_seat(viewer, commission)
    is_board = permissions.holds_seat(viewer, report.responsible)
    remedies = csel.report_remedies(report)
    current = next((r for r in reversed(remedies) if r.state in ("promised", "done")), None)
    show_content = not report.hidden or is_moderator
    return {
        "report": report,
        "body": report.body,
        "ancestors": fsel.body_ancestors(report.body),
        "viewer": viewer,
        "now": now,
        "overdue": report.state == "open" and report.due_at is not None and report.due_at < now,
        "is_reporter": is_reporter,
        "is_board": is_board,
        "is_moderator": is_moderator,
        "commission": commission,
        "show_content": show_content,
        "photos": csel.report_photos(report) if show_content else [],
        "confirmations": csel.report_confirmations(report),
        "may_confirm": viewer is not None
        and not is_reporter
        and report.state != "fixed"
        and permissions.belongs_to(viewer, report.body)
        and not csel.has_confirmed(report, viewer),
        "remedies": remedies,
        "current_remedy": current,
        "escalate_to": services.board_above(report.responsible) if is_board else None,
        "history": csel.report_history(report),
        "entries": csel.record_entries_for(report),
        "reasons": fsel.charter_as_dict(report.body)["moderation_reasons"] if is_moderator else [],
        "errors": errors,
        "values": values,
        "material_rows": _material_rows(values),
        "default_due": (timezone.localdate() + dt.timedelta(days=14)).isoformat(),
        "max_photos": MAX_PHOTOS,
        "photo_room": MAX_PHOTOS - report.photos.count(),
    }


def _material_rows(values: dict[str, Any]) -> list[tuple[int, str, str, str]]:
    products = values.get("material_product") or []
    quantities = values.get("material_quantity") or []
    units = values.get("material_unit") or []
    rows = []
    for i in range(MATERIAL_ROWS):

        def at(items: list[str], i: int = i) -> str:
            return items[i] if i < len(items) else ""

        rows.append((i + 1, at(products), at(quantities), at(units)))
    return rows


def _render(
    request: HttpRequest,
    report: ConditionReport,
    viewer: Any,
    errors: dict[str, dict[str, str]] | None = None,
    values: dict[str, Any] | None = None,
    status: int = 200,
    denied: str = "",
) -> HttpResponse:
    context = _context(request, report, viewer, errors or {}, values or {})
    context["denied"] = denied
    return render(request, "web/conditions/report_detail.html", context, status=status)


@require_GET
def report_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    report, viewer = _visible_report(request, public_id)
    return _render(request, report, viewer)


ANCHORS = {
    "confirm": "confirm",
    "photos": "photos",
    "remedy": "remedy",
    "escalate": "remedy",
    "done": "remedy",
    "fixed": "fixed",
    "reject": "fixed",
    "hide": "moderation",
    "unhide": "moderation",
}


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        return None


@require_POST
def report_action(request: HttpRequest, public_id: str, action: str) -> HttpResponse:
    report, viewer = _visible_report(request, public_id)
    post = request.POST
    values: dict[str, Any] = {k: post.get(k, "") for k in post if k != "csrfmiddlewaretoken"}
    for key in ("material_product", "material_quantity", "material_unit"):
        values[key] = post.getlist(key)
    user = request.user
    try:
        if action == "confirm":
            report = services.report_confirm(user=user, report=report)
            done = "Your confirmation is recorded." + (
                " The report is confirmed: the board must answer it now."
                if report.state == "open" and report.confirmed_at
                else ""
            )
        elif action == "photos":
            uploads, problems = _uploads(request)
            if problems:
                return _render(request, report, viewer, {action: problems}, values, 400)
            added = services.photo_add(user=user, report=report, photos=uploads)
            done = f"{len(added)} photo{'s' if len(added) != 1 else ''} added."
        elif action == "remedy":
            rows = list(
                zip(
                    post.getlist("material_product"),
                    post.getlist("material_quantity"),
                    post.getlist("material_unit"),
                    strict=False,
                )
            )
            due = _date(post.get("due_on", ""))
            if due is None:
                raise ConditionsError({"due_on": "give the date as YYYY-MM-DD"})
            services.remedy_accept(
                user=user,
                report=report,
                work=post.get("work", "").replace("\r\n", "\n"),
                materials=services.parse_materials(rows[:MATERIAL_ROWS]),
                labour_hours=post.get("labour_hours", ""),
                cost=post.get("cost", ""),
                due_on=due,
            )
            done = "The remedy is promised and on the record; the reporter has been told."
        elif action == "escalate":
            report = services.report_escalate(
                user=user, report=report, reason=post.get("reason", "")[:2000]
            )
            done = f"The report is now with the board of {report.responsible.name}."
        elif action == "done":
            services.remedy_done(user=user, report=report, note=post.get("note", "")[:2000])
            done = "Marked done. The reporter is asked to confirm it is fixed."
        elif action == "fixed":
            fixed = post.get("fixed", "") == "yes"
            services.report_fixed(
                user=user, report=report, fixed=fixed, note=post.get("note", "")[:2000]
            )
            done = (
                "Thank you: the report is closed as fixed. Its history stays."
                if fixed
                else "The report is open again; the board has been told what is still wrong."
            )
        elif action == "reject":
            report = services.remedy_reject(
                user=user, report=report, note=post.get("note", "")[:2000]
            )
            done = f"The remedy is rejected; the board of {report.responsible.name} must answer."
        elif action == "hide":
            services.report_hide(user=user, report=report, reason=post.get("reason", ""))
            done = "The report is hidden; it stays listed with the reason."
        elif action == "unhide":
            services.report_unhide(user=user, report=report, reason=post.get("reason", ""))
            done = "The report is shown again."
        else:  # pragma: no cover - the URLs name the actions
            raise Http404("No such action.")
    except ConditionsError as exc:
        report.refresh_from_db()
        return _render(request, report, viewer, {action: _errors(exc)}, values, 400)
    except PermissionDenied as exc:
        return _render(request, report, viewer, {}, values, 403, denied=_sentence(str(exc)))
    messages.success(request, done)
    return redirect(f"/conditions/{report.public_id}/#{ANCHORS[action]}")


# ------------------------------------------------------------------------- photos


@require_GET
def report_photo(request: HttpRequest, public_id: str, number: int, size: str) -> HttpResponseBase:
    """A stored photo, to those who may see the report, with headers that keep a browser
    from treating it as anything but an image of its stored type."""
    report, viewer = _visible_report(request, public_id)
    if report.hidden:
        commission = fsel.commission_for(report.body, "moderation")
        if commission is None or not permissions.holds_seat(viewer, commission):
            raise DjangoPermissionDenied("The moderation commission has hidden this report.")
    photo = Photo.objects.filter(report=report, number=number).first()
    if photo is None:
        raise Http404("There is no such photo.")
    name = photo.thumb_name if size == "thumb" else photo.stored_name
    path = stored_path(name)
    if not path.is_file():
        raise Http404("The photo's file is missing.")
    extension = "jpg" if photo.format == "jpeg" else "png"
    filename = f"condition-{report.public_id}-{photo.number}{'-thumb' if size == 'thumb' else ''}"
    response = FileResponse(path.open("rb"), content_type=STORED_TYPES[photo.format])
    response["Content-Disposition"] = f'inline; filename="{filename}.{extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
