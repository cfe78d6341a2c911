"""Housing pages: a body's register of dwellings, a dwelling with its occupancy history,
the waiting list with its formula, the application form, the board's policy and
allocation forms, and an allocation's page.

Views parse the request and call ``collegium.housing`` services; a ``HousingError`` is
shown beside the fields it names and nothing changes; a ``PermissionDenied`` from a
service is a 403 with its message.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from collegium.conditions.selectors import open_reports_by_dwelling
from collegium.federation import permissions
from collegium.federation import selectors as fsel
from collegium.federation.models import Member
from collegium.federation.permissions import PermissionDenied
from collegium.housing import selectors as hsel
from collegium.housing import services
from collegium.housing.imports import DwellingImportError, dwellings_import
from collegium.housing.models import (
    Allocation,
    Condition,
    Dwelling,
    DwellingState,
    Occupancy,
)
from collegium.housing.permissions import can_import_dwellings, manages_housing
from collegium.housing.scoring import WEIGHT_FIELDS, formula
from collegium.housing.services import HousingError
from collegium.web import queries
from collegium.web.views import body_or_404, paginate, service_denials

LIST_PAGE = 100
MAX_UPLOAD = 5_000_000


def _dwelling_or_404(code: str) -> Dwelling:
    d = hsel.dwelling_by_code(code)
    if d is None:
        raise Http404(f"There is no dwelling with the code {code!r}.")
    return d


def _parse_when(value: str) -> dt.datetime | None:
    try:
        when = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if timezone.is_naive(when):
        when = timezone.make_aware(when, timezone.get_current_timezone())
    return when


def _default_close(days: int) -> str:
    return (timezone.localtime() + dt.timedelta(days=days)).strftime("%Y-%m-%dT18:00")


def _base(request: HttpRequest, body: Any, *, manages: bool = False) -> dict[str, Any]:
    """What every housing page needs; ``manages`` also asks whether the viewer keeps the
    register (the board or the housing commission)."""
    viewer = queries.member_viewer(request.user)
    is_board = permissions.holds_seat(viewer, body)
    return {
        "body": body,
        "ancestors": fsel.body_ancestors(body),
        "viewer": viewer,
        "is_member": permissions.belongs_to(viewer, body),
        "manages": is_board or (manages and manages_housing(viewer, body)),
        "is_board": is_board,
    }


def _errors(exc: HousingError) -> dict[str, str]:
    return {k: v if v.endswith(".") else v + "." for k, v in exc.errors.items()}


# ------------------------------------------------------------------------ the register


@require_http_methods(["GET", "POST"])
@service_denials
def body_housing(request: HttpRequest, code: str) -> HttpResponse:
    """The register: dwellings with filters, vacant first; the board's register form."""
    body = body_or_404(code)
    context = _base(request, body, manages=True)
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        names = ("code", "address", "area_m2", "rooms", "condition", "condition_note", "state")
        values = {k: request.POST.get(k, "").strip() for k in names}
        try:
            d = services.dwelling_register(user=request.user, body=body, **values)
        except HousingError as exc:
            errors, status = _errors(exc), 400
        else:
            messages.success(request, f"Dwelling {d.code} is on the register and the record.")
            return redirect("dwelling", d.code)
    state = request.GET.get("state", "")
    condition = request.GET.get("condition", "")
    text = request.GET.get("q", "")[:100]
    state = state if state in DwellingState.values else ""
    condition = condition if condition in Condition.values else ""
    try:
        min_rooms: int | None = max(1, int(request.GET.get("rooms", "")))
    except ValueError:
        min_rooms = None
    found = hsel.body_dwellings(
        body, state=state, condition=condition, text=text, min_rooms=min_rooms
    )
    query = urlencode(
        {
            k: v
            for k, v in {
                "state": state,
                "condition": condition,
                "q": text,
                "rooms": min_rooms,
            }.items()
            if v
        }
    )
    context.update(
        {
            "page": paginate(request, found),
            "counts": hsel.dwelling_counts(body),
            "waiting": hsel.waiting_count(body),
            "states": DwellingState.choices,
            "conditions": Condition.choices,
            "chosen": {"state": state, "condition": condition, "q": text, "rooms": min_rooms},
            "query": query,
            "errors": errors,
            "values": values,
            "commission": hsel.housing_commission_of(body),
            "may_import": can_import_dwellings(request.user, body),
            "allocations": hsel.body_allocations(body, limit=10),
        }
    )
    return render(request, "web/housing/body_housing.html", context, status=status)


@require_http_methods(["GET", "POST"])
@service_denials
def dwellings_import_page(request: HttpRequest, code: str) -> HttpResponse:
    body = body_or_404(code)
    if not can_import_dwellings(request.user, body):
        raise PermissionDenied(
            f"only the operator, the board of {body.name} or its housing commission imports "
            "dwellings"
        )
    problems: list[str] = []
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            problems, status = ["Choose a CSV file."], 400
        elif upload.size is not None and upload.size > MAX_UPLOAD:
            problems, status = [f"The file is larger than {MAX_UPLOAD:,} bytes."], 400
        else:
            try:
                added = dwellings_import(
                    user=request.user,
                    body=body,
                    filename=upload.name or "dwellings.csv",
                    content=upload.read(),
                )
            except DwellingImportError as exc:
                problems, status = exc.lines, 400
            else:
                messages.success(request, f"{len(added)} dwellings imported.")
                return redirect("body_housing", body.code)
    context = _base(request, body)
    context["problems"] = problems
    return render(request, "web/housing/import.html", context, status=status)


# ------------------------------------------------------------------------ one dwelling


def _conditions_urls(d: Dwelling) -> tuple[str, str]:
    """The body's condition reports about dwellings, and the form to report one here."""
    try:
        listed = reverse("body_conditions", args=[d.body.code]) + "?place=dwelling"
        new = (
            reverse("condition_report_new", args=[d.body.code])
            + "?"
            + urlencode({"dwelling": d.code})
        )
    except NoReverseMatch:
        return "", ""
    return listed, new


@require_http_methods(["GET", "POST"])
@service_denials
def dwelling_detail(request: HttpRequest, code: str) -> HttpResponse:
    d = _dwelling_or_404(code)
    body = d.body
    context = _base(request, body, manages=True)
    errors: dict[str, str] = {}
    form = ""
    values: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        form = request.POST.get("form", "")
        try:
            if form == "edit":
                names = ("address", "area_m2", "rooms", "condition", "condition_note", "state")
                values = {k: request.POST.get(k, "").strip() for k in names}
                services.dwelling_update(user=request.user, dwelling=d, **values)
                done = "The dwelling's details are changed."
            elif form == "occupy":
                values = {
                    k: request.POST.get(k, "").strip()
                    for k in ("head", "household_size", "since", "until")
                }
                head = (
                    Member.objects.filter(member_no=values["head"], active=True).first()
                    or Member.objects.filter(public_id=values["head"], active=True).first()
                )
                if head is None:
                    raise HousingError({"head": "No active member with that number."})
                services.occupancy_record(
                    user=request.user,
                    dwelling=d,
                    head=head,
                    household_size=values["household_size"],
                    since=values["since"],
                    until=values["until"] or None,
                )
                done = "The household is recorded; the dwelling is occupied."
            elif form == "end":
                occupancy = Occupancy.objects.filter(
                    pk=request.POST.get("occupancy", "0") or 0, dwelling=d
                ).first()
                if occupancy is None:
                    raise HousingError("There is no such occupancy of this dwelling.")
                services.occupancy_end(
                    user=request.user, occupancy=occupancy, on=request.POST.get("on", "") or None
                )
                done = "The occupancy has ended; the dwelling is vacant."
            else:
                raise HousingError("Unknown form.")
        except HousingError as exc:
            errors, status = _errors(exc), 400
        else:
            messages.success(request, done)
            return redirect("dwelling", d.code)
        d = _dwelling_or_404(code)
    context.update(
        {
            "dwelling": d,
            "occupancies": hsel.dwelling_occupancies(d),
            "occupant": hsel.current_occupancy(d),
            "allocations": hsel.dwelling_allocations(d),
            "open_reports": open_reports_by_dwelling().get(d.pk, 0),
            "conditions_urls": _conditions_urls(d),
            "states": [(v, label) for v, label in DwellingState.choices if v != "occupied"],
            "conditions": Condition.choices,
            "errors": errors,
            "form": form,
            "values": values,
            "waiting": hsel.waiting_count(body),
            "today": timezone.localdate().isoformat(),
        }
    )
    return render(request, "web/housing/dwelling_detail.html", context, status=status)


# ------------------------------------------------------------------------ waiting list


@require_GET
def waiting_list(request: HttpRequest, code: str) -> HttpResponse:
    body = body_or_404(code)
    context = _base(request, body)
    now = timezone.now()
    listing = hsel.waiting_list(body, now)
    viewer = context["viewer"]
    mine = None
    if viewer is not None:
        mine = listing.place_of_member(viewer.pk)
    page = Paginator(listing.rows, LIST_PAGE).get_page(request.GET.get("page"))
    context.update(
        {
            "listing": listing,
            "page": page,
            "formula": formula(listing.weights),
            "weights": listing.weights,
            "mine": mine,
            "mine_on_page": mine is not None and mine in page.object_list,
            "show_names": context["is_member"],
            "own_application": (
                hsel.active_application(viewer, body) if viewer is not None else None
            ),
        }
    )
    return render(request, "web/housing/waiting_list.html", context)


@require_http_methods(["GET", "POST"])
@service_denials
def apply(request: HttpRequest, code: str) -> HttpResponse:
    body = body_or_404(code)
    context = _base(request, body)
    viewer = context["viewer"]
    if viewer is None:
        return redirect(f"{reverse('login')}?{urlencode({'next': request.path})}")
    errors: dict[str, str] = {}
    values = {"household_size": "", "current_dwelling": "", "current_rooms": "", "needs_note": ""}
    status = 200
    if request.method == "POST":
        values = {k: request.POST.get(k, "").strip() for k in values}
        try:
            services.application_submit(
                user=request.user,
                body=body,
                household_size=values["household_size"],
                current_dwelling=values["current_dwelling"],
                current_rooms=values["current_rooms"] or None,
                needs_note=values["needs_note"],
            )
        except HousingError as exc:
            errors, status = _errors(exc), 400
        else:
            messages.success(request, "You are on the waiting list. Your place is shown below.")
            return redirect(reverse("housing_list", args=[body.code]) + "#me")
    context.update(
        {
            "errors": errors,
            "values": values,
            "own_application": hsel.active_application(viewer, body),
            "weights": hsel.weights_of(hsel.current_policy(body)),
        }
    )
    return render(request, "web/housing/apply.html", context, status=status)


@require_POST
@service_denials
def withdraw(request: HttpRequest, code: str) -> HttpResponse:
    body = body_or_404(code)
    viewer = queries.member_viewer(request.user)
    application = hsel.active_application(viewer, body) if viewer is not None else None
    if application is None:
        raise Http404("You have no application on this list.")
    try:
        services.application_withdraw(user=request.user, application=application)
    except HousingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Your application is withdrawn.")
    return redirect("housing_list", body.code)


# ------------------------------------------------------------------------------ policy


@require_http_methods(["GET", "POST"])
@service_denials
def policy(request: HttpRequest, code: str) -> HttpResponse:
    body = body_or_404(code)
    context = _base(request, body)
    current = hsel.current_policy(body)
    weights = hsel.weights_of(current)
    values = {k: str(getattr(weights, k)) for k in WEIGHT_FIELDS}
    values["reason"] = ""
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        values = {k: request.POST.get(k, "").strip() for k in values}
        raw = {k: values[k] for k in WEIGHT_FIELDS}
        try:
            services.policy_set(user=request.user, body=body, weights=raw, reason=values["reason"])
        except HousingError as exc:
            errors, status = _errors(exc), 400
        else:
            messages.success(request, "The new weights are in force and on the record.")
            return redirect("housing_list", body.code)
    context.update(
        {
            "in_force": current,
            "formula": formula(weights),
            "fields": [
                (k, label, values[k], errors.get(k, "")) for k, label in WEIGHT_FIELDS.items()
            ],
            "values": values,
            "errors": errors,
            "history": hsel.policy_history(body),
        }
    )
    return render(request, "web/housing/policy.html", context, status=status)


# -------------------------------------------------------------------------- allocation


@require_http_methods(["GET", "POST"])
@service_denials
def allocate(request: HttpRequest, code: str) -> HttpResponse:
    body = body_or_404(code)
    context = _base(request, body)
    if not context["is_board"]:
        raise PermissionDenied(f"only the board of {body.name} allocates its dwellings")
    now = timezone.now()
    listing = hsel.waiting_list(body, now)
    values = {
        "dwelling": request.GET.get("dwelling", ""),
        "application": request.GET.get("application", ""),
        "reason": "",
        "closes_at": _default_close(3),
    }
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        values = {k: request.POST.get(k, "").strip() for k in values}
        d = hsel.dwelling_by_code(values["dwelling"])
        application = hsel.application_by_public_id(values["application"])
        closes_at = _parse_when(values["closes_at"])
        if d is None or d.body_id != body.pk:
            errors["dwelling"] = "Choose a dwelling of this body."
        if application is None:
            errors["application"] = "Choose an applicant from the list."
        if closes_at is None:
            errors["closes_at"] = "Give the closing time of the roll call as a date and time."
        if not errors:
            assert d is not None and application is not None and closes_at is not None
            try:
                allocation = services.allocation_propose(
                    user=request.user,
                    dwelling=d,
                    application=application,
                    reason=values["reason"],
                    closes_at=closes_at,
                )
            except HousingError as exc:
                errors = _errors(exc)
            else:
                messages.success(
                    request,
                    "The allocation is proposed and the board's roll call is open.",
                )
                return redirect("housing_allocation", allocation.public_id)
        status = 400
    vacant = list(
        Dwelling.objects.filter(body=body, state=DwellingState.VACANT)
        .exclude(condition=Condition.UNFIT)
        .exclude(allocations__state=Allocation.State.VOTING)
        .order_by("code")[:500]
    )
    candidates = [r for r in listing.rows if r.key.pk not in listing.pending][:200]
    context.update(
        {
            "vacant": vacant,
            "candidates": candidates,
            "values": values,
            "errors": errors,
            "show_names": True,
        }
    )
    return render(request, "web/housing/allocate.html", context, status=status)


@require_GET
def allocation_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    allocation = hsel.allocation_by_public_id(public_id)
    if allocation is None:
        raise Http404("There is no allocation with this id.")
    context = _base(request, allocation.body)
    context.update(
        {
            "allocation": allocation,
            "show_names": context["is_member"],
            "entries": hsel.allocation_entries(allocation),
        }
    )
    return render(request, "web/housing/allocation_detail.html", context)
