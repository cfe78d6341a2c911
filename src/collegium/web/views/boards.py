"""What a board must deal with and what members can force onto it: initiatives, board
meetings with their agendas and minutes, external contracts and their ratification,
referendums between alternatives, and a member's own list of what waits for them.

Views parse the request, check permission and call the services in
``collegium.decisions``; a service's ``DecisionError`` or ``PermissionDenied`` is shown
next to the form, and nothing changes.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from collegium.decisions import selectors as dsel
from collegium.decisions.alternatives import alternatives_open
from collegium.decisions.contracts import contract_register
from collegium.decisions.initiatives import (
    initiative_overdue,
    initiative_sign,
    initiative_start,
)
from collegium.decisions.meetings import meeting_call, meeting_close, meeting_minutes, minutes_pdf
from collegium.decisions.models import Contract, Initiative, Meeting
from collegium.decisions.transitions import DecisionError
from collegium.elections.selectors import board_seats
from collegium.federation import permissions
from collegium.federation import selectors as fsel
from collegium.federation.models import Body, Member
from collegium.federation.pending import board_agenda, waiting_for
from collegium.federation.permissions import PermissionDenied
from collegium.web import queries
from collegium.web.views import body_or_404, paginate
from collegium.web.views.decisions import (
    MAX_TEXT,
    _default_close,
    _markdown,
    _parse_when,
    _sentence,
)


def _base(body: Body) -> dict[str, Any]:
    return {"body": body, "ancestors": fsel.body_ancestors(body), "now": timezone.now()}


def _post(request: HttpRequest, *names: str) -> dict[str, str]:
    return {n: request.POST.get(n, "").replace("\r\n", "\n")[:MAX_TEXT] for n in names}


# ------------------------------------------------------------------------- initiatives


@require_http_methods(["GET", "POST"])
def body_initiatives(request: HttpRequest, code: str) -> HttpResponse:
    body = body_or_404(code)
    viewer = queries.member_viewer(request.user)
    values = {"title": "", "text": ""}
    error, status = "", 200
    if request.method == "POST":
        values = _post(request, "title", "text")
        try:
            initiative = initiative_start(
                user=request.user, body=body, title=values["title"], text=values["text"]
            )
        except DecisionError as exc:
            error, status = _sentence(exc), 400
        except PermissionDenied as exc:
            error, status = _sentence(exc), 403
        else:
            messages.success(
                request,
                "Your initiative is started and on the public record; your signature is the "
                "first. Share its page with your co-workers.",
            )
            return redirect("initiative", initiative.public_id)
    charter = fsel.charter_as_dict(body)
    return render(
        request,
        "web/decisions/body_initiatives.html",
        {
            **_base(body),
            "initiatives": paginate(request, dsel.body_initiatives(body)),
            "may_start": permissions.belongs_to(viewer, body),
            "values": values,
            "error": error,
            "pct": charter["initiative_threshold_pct"],
            "days": charter["initiative_deadline_days"],
            "members": fsel.body_members(body).count(),
        },
        status=status,
    )


def _initiative_or_404(public_id: str) -> Initiative:
    initiative = dsel.initiative_by_public_id(public_id)
    if initiative is None:
        raise Http404("There is no initiative with this id.")
    return initiative


@require_GET
def initiative_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    return _render_initiative(request, _initiative_or_404(public_id))


def _render_initiative(
    request: HttpRequest, initiative: Initiative, error: str = "", status: int = 200
) -> HttpResponse:
    viewer = queries.member_viewer(request.user)
    signatures = initiative.signatures.count()
    signed = viewer is not None and initiative.signatures.filter(member=viewer).exists()
    now = timezone.now()
    return render(
        request,
        "web/decisions/initiative_detail.html",
        {
            **_base(initiative.body),
            "initiative": initiative,
            "text_html": _markdown(initiative.text),
            "signatures": signatures,
            "percent": min(100, round(100 * signatures / max(1, initiative.signatures_needed))),
            "signed": signed,
            "may_sign": (
                permissions.belongs_to(viewer, initiative.body)
                and not signed
                and initiative.state == Initiative.State.COLLECTING
                and now < initiative.collect_until
            ),
            "show_names": permissions.belongs_to(viewer, initiative.body),
            "steps": list(initiative.steps.select_related("body", "proposal")),
            "overdue": initiative_overdue(initiative, now),
            "error": error,
            "entries": dsel.record_entries_for(initiative.body, initiative.public_id),
        },
        status=status,
    )


@require_POST
def initiative_sign_view(request: HttpRequest, public_id: str) -> HttpResponse:
    initiative = _initiative_or_404(public_id)
    try:
        count = initiative_sign(user=request.user, initiative=initiative)
    except DecisionError as exc:
        return _render_initiative(request, initiative, _sentence(exc), 400)
    except PermissionDenied as exc:
        return _render_initiative(request, initiative, _sentence(exc), 403)
    initiative.refresh_from_db()
    if initiative.state == Initiative.State.ON_AGENDA:
        messages.success(
            request,
            f"Your signature was the {count}th: the initiative is on the board's agenda now.",
        )
    else:
        messages.success(request, "You signed the initiative. Your signature is on the record.")
    return redirect("initiative", initiative.public_id)


# ---------------------------------------------------------------------------- meetings


@require_http_methods(["GET", "POST"])
def body_meetings(request: HttpRequest, code: str) -> HttpResponse:
    body = body_or_404(code)
    viewer = queries.member_viewer(request.user)
    values = {"starts_at": "", "place": "", "extra": ""}
    error, status = "", 200
    if request.method == "POST":
        values = _post(request, "starts_at", "place", "extra")
        starts_at = _parse_when(values["starts_at"])
        try:
            if starts_at is None:
                raise DecisionError("give the date and time the meeting starts")
            meeting = meeting_call(
                user=request.user,
                body=body,
                starts_at=starts_at,
                place=values["place"],
                extra_items=values["extra"].splitlines(),
            )
        except DecisionError as exc:
            error, status = _sentence(exc), 400
        except PermissionDenied as exc:
            error, status = _sentence(exc), 403
        else:
            messages.success(
                request, "The meeting is called; its agenda is fixed and on the record."
            )
            return redirect("meeting", meeting.public_id)
    is_board = permissions.holds_seat(viewer, body)
    return render(
        request,
        "web/decisions/body_meetings.html",
        {
            **_base(body),
            "meetings": paginate(request, dsel.body_meetings(body)),
            "pending": board_agenda(body, timezone.now()),
            "is_board": is_board,
            "values": values,
            "default_start": values["starts_at"] or _default_close(3),
            "error": error,
        },
        status=status,
    )


def _meeting_or_404(public_id: str) -> Meeting:
    meeting = dsel.meeting_by_public_id(public_id)
    if meeting is None:
        raise Http404("There is no meeting with this id.")
    return meeting


def _render_meeting(
    request: HttpRequest, meeting: Meeting, error: str = "", status: int = 200
) -> HttpResponse:
    viewer = queries.member_viewer(request.user)
    now = timezone.now()
    return render(
        request,
        "web/decisions/meeting_detail.html",
        {
            **_base(meeting.body),
            "meeting": meeting,
            "minutes": meeting_minutes(meeting),
            "notes_html": _markdown(meeting.notes) if meeting.notes else "",
            "may_close": permissions.holds_seat(viewer, meeting.body)
            and meeting.state == Meeting.State.SCHEDULED
            and now >= meeting.starts_at,
            "seat_holders": [s.holder for s in board_seats(meeting.body).select_related("holder")],
            "error": error,
        },
        status=status,
    )


@require_GET
def meeting_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    return _render_meeting(request, _meeting_or_404(public_id))


@require_POST
def meeting_close_view(request: HttpRequest, public_id: str) -> HttpResponse:
    meeting = _meeting_or_404(public_id)
    ids = request.POST.getlist("present")
    present = list(Member.objects.filter(public_id__in=ids))
    try:
        if len(present) != len(set(ids)):
            raise DecisionError("someone marked present is not a member")
        meeting_close(
            user=request.user,
            meeting=meeting,
            present=present,
            notes=request.POST.get("notes", "").replace("\r\n", "\n"),
        )
    except DecisionError as exc:
        return _render_meeting(request, meeting, _sentence(exc), 400)
    except PermissionDenied as exc:
        return _render_meeting(request, meeting, _sentence(exc), 403)
    messages.success(request, "The meeting is closed; its minutes are published.")
    return redirect("meeting", meeting.public_id)


@require_GET
def meeting_minutes_pdf(request: HttpRequest, public_id: str) -> HttpResponse:
    meeting = _meeting_or_404(public_id)
    response = HttpResponse(minutes_pdf(meeting_minutes(meeting)), content_type="application/pdf")
    day = timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d")
    response["Content-Disposition"] = (
        f'attachment; filename="minutes-{meeting.body.code}-{day}.pdf"'
    )
    return response


# --------------------------------------------------------------------------- contracts


def _contract_bodies(body: Body) -> list[Body]:
    """Bodies a contract registered here may affect: this body, those above it, and the
    bodies directly below it (commissions do not ratify)."""
    ancestors = fsel.body_ancestors(body)
    children = [c for c in fsel.body_children(body) if c.kind != "commission"]
    return [*ancestors, body, *children]


def _decimal(raw: str, field: str) -> Decimal | None:
    if not raw.strip():
        return None
    try:
        value = Decimal(raw.strip().replace(",", ""))
    except InvalidOperation:
        raise DecisionError(f"{field}: give a number, like 1200 or 1200.50") from None
    if not value.is_finite():
        raise DecisionError(f"{field}: give a number, like 1200 or 1200.50")
    return value


def _date(raw: str, field: str) -> dt.date | None:
    if not raw.strip():
        return None
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise DecisionError(f"{field}: give a date as YYYY-MM-DD") from None


@require_http_methods(["GET", "POST"])
def body_contracts(request: HttpRequest, code: str) -> HttpResponse:
    body = body_or_404(code)
    viewer = queries.member_viewer(request.user)
    names = [
        "counterparty",
        "kind",
        "title",
        "terms",
        "value",
        "currency",
        "starts_on",
        "ends_on",
        "closes_at",
    ]
    values = dict.fromkeys(names, "")
    chosen: list[str] = [body.code]
    error, status = "", 200
    candidates = _contract_bodies(body)
    if request.method == "POST":
        values = _post(request, *names)
        chosen = request.POST.getlist("affected")
        by_code = {b.code: b for b in candidates}
        try:
            unknown = [c for c in chosen if c not in by_code]
            if unknown:
                raise DecisionError(f"affected: {', '.join(unknown)} cannot be chosen here")
            closes_at = _parse_when(values["closes_at"])
            if closes_at is None:
                raise DecisionError("give the date and time the ratification votes close")
            contract = contract_register(
                user=request.user,
                body=body,
                counterparty=values["counterparty"][:200],
                kind=values["kind"],
                title=values["title"],
                terms=values["terms"],
                affected=[by_code[c] for c in chosen],
                closes_at=closes_at,
                value=_decimal(values["value"], "value"),
                currency=values["currency"].strip()[:3],
                starts_on=_date(values["starts_on"], "starts on"),
                ends_on=_date(values["ends_on"], "ends on"),
            )
        except DecisionError as exc:
            error, status = _sentence(exc), 400
        except PermissionDenied as exc:
            error, status = _sentence(exc), 403
        else:
            messages.success(
                request,
                "The contract is registered; the boards of the affected bodies vote on "
                "ratifying it now.",
            )
            return redirect("contract", contract.public_id)
    return render(
        request,
        "web/decisions/body_contracts.html",
        {
            **_base(body),
            "contracts": paginate(request, dsel.body_contracts(body)),
            "is_board": permissions.holds_seat(viewer, body),
            "values": values,
            "kinds": Contract.Kind.choices,
            "candidates": candidates,
            "chosen": chosen,
            "default_close": values["closes_at"] or _default_close(14),
            "error": error,
        },
        status=status,
    )


@require_GET
def contract_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    contract = dsel.contract_by_public_id(public_id)
    if contract is None:
        raise Http404("There is no contract with this id.")
    return render(
        request,
        "web/decisions/contract_detail.html",
        {
            **_base(contract.body),
            "contract": contract,
            "terms_html": _markdown(contract.terms),
            "ratifications": dsel.contract_ratifications(contract),
            "entries": dsel.record_entries_for(contract.body, contract.public_id),
        },
    )


# ------------------------------------------------------------------------ alternatives


@require_http_methods(["GET", "POST"])
def alternatives_new(request: HttpRequest, code: str) -> HttpResponse:
    body = body_or_404(code)
    viewer = queries.member_viewer(request.user)
    values = {"title": "", "text": "", "options": "", "closes_at": ""}
    error, status = "", 200
    if request.method == "POST":
        values = _post(request, *values)
        try:
            closes_at = _parse_when(values["closes_at"])
            if closes_at is None:
                raise DecisionError("give the date and time the vote closes")
            decision = alternatives_open(
                user=request.user,
                body=body,
                title=values["title"],
                text=values["text"],
                options=values["options"].splitlines(),
                closes_at=closes_at,
            )
        except DecisionError as exc:
            error, status = _sentence(exc), 400
        except PermissionDenied as exc:
            error, status = _sentence(exc), 403
        else:
            messages.success(request, "The referendum is open: members rank the alternatives.")
            return redirect("decision", decision.public_id)
    return render(
        request,
        "web/decisions/alternatives_new.html",
        {
            **_base(body),
            "is_board": permissions.holds_seat(viewer, body),
            "values": values,
            "default_close": values["closes_at"] or _default_close(7),
            "error": error,
        },
        status=status,
    )


# ---------------------------------------------------------------------------- waiting


@login_required
@require_GET
def waiting(request: HttpRequest) -> HttpResponse:
    member = queries.member_viewer(request.user)
    if member is None:
        raise Http404("Only members have a list of what waits for them.")
    now = timezone.now()
    items = waiting_for(member, now)
    soon = now + dt.timedelta(days=2)
    return render(
        request,
        "web/waiting.html",
        {
            "member": member,
            "overdue": [i for i in items if i.overdue],
            "soon": [i for i in items if not i.overdue and i.due is not None and i.due <= soon],
            "later": [i for i in items if not i.overdue and (i.due is None or i.due > soon)],
            "now": now,
        },
    )
