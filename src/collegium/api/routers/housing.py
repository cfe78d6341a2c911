"""JSON API of the housing app: the register of dwellings, the waiting list with its
formula, applications, the policy and allocations. The same services and permissions as
the pages.

Names of applicants and occupants are given to members of the body only (others see the
opaque member id); household sizes and conditions are public; an applicant's needs note
only to the applicant and to those who keep the body's housing."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.params.functions import Query
from pydantic import Field

from collegium.api.auth import OPTIONAL, REQUIRED, caller
from collegium.api.schemas import Error
from collegium.federation import permissions
from collegium.federation.models import Body, Member
from collegium.housing import selectors as hsel
from collegium.housing import services
from collegium.housing.models import Allocation, Application, Dwelling, Occupancy
from collegium.housing.permissions import can_import_dwellings, can_manage_housing
from collegium.housing.scoring import formula
from collegium.housing.services import HousingError

router = Router(tags=["housing"])

LIST_LIMIT = 200
R = {401: Error, 403: Error, 404: Error, 409: Error, 422: Error}


# ---------------------------------------------------------------------------- schemas


class DwellingOut(Schema):
    code: str
    body: str
    address: str
    area_m2: str = Field(description="A decimal as a string.")
    rooms: int
    condition: str = Field(description="good, fair, poor or unfit")
    condition_note: str
    state: str = Field(description="occupied, vacant or under_repair")
    updated_at: dt.datetime


class OccupancyOut(Schema):
    id: int
    head: str = Field(description="The head of household's public member id.")
    head_name: str | None = Field(description="Given to members of the body only.")
    household_size: int
    since: dt.date
    until: dt.date | None
    ended: bool
    allocation: str | None


class AllocationOut(Schema):
    public_id: str
    body: str
    dwelling: str
    application: str
    applicant: str
    applicant_name: str | None = Field(description="Given to members of the body only.")
    rank: int = Field(description="The applicant's place on the list when proposed.")
    skipped: int = Field(description="People higher on the list passed over.")
    score: str
    reason: str = Field(description="Why, when anyone is passed over.")
    state: str = Field(description="voting, allocated or lapsed")
    decision: str | None = Field(description="The board's roll call (see /api/decisions).")
    lapse_reason: str
    created_at: dt.datetime
    decided_at: dt.datetime | None


class DwellingDetailOut(DwellingOut):
    occupancies: list[OccupancyOut] = Field(description="Newest first; ended ones are history.")
    allocations: list[AllocationOut]


class DwellingListOut(Schema):
    count: int
    dwellings: list[DwellingOut] = Field(description="Vacant first, then by code; at most 200.")


class DwellingIn(Schema):
    code: str = Field(..., max_length=40)
    address: str = Field(..., max_length=300)
    area_m2: str = Field(..., max_length=20, description="Square metres, like 54.5.")
    rooms: int
    condition: Literal["good", "fair", "poor", "unfit"] = "good"
    condition_note: str = Field("", max_length=4000)
    state: Literal["vacant", "under_repair"] = "vacant"


class DwellingUpdateIn(Schema):
    address: str = Field(..., max_length=300)
    area_m2: str = Field(..., max_length=20)
    rooms: int
    condition: Literal["good", "fair", "poor", "unfit"]
    condition_note: str = Field("", max_length=4000)
    state: Literal["vacant", "under_repair"] | None = Field(
        None, description="Only for a dwelling nobody lives in."
    )


class OccupancyIn(Schema):
    head: str = Field(..., description="The head of household's public member id.")
    household_size: int
    since: dt.date
    until: dt.date | None = None


class OccupancyEndIn(Schema):
    on: dt.date | None = Field(None, description="Moved out on (default: today).")


class WeightsOut(Schema):
    w_crowding: str
    w_conditions: str
    w_waiting: str
    w_unfit: str
    no_dwelling_crowding: str


class PolicyOut(WeightsOut):
    set_by: str | None = Field(description="Public member id; null for the default.")
    set_at: dt.datetime | None
    reason: str
    record_index: int | None


class PolicyIn(Schema):
    w_crowding: str = Field(..., max_length=20, description="From 0 to 1000.")
    w_conditions: str = Field(..., max_length=20)
    w_waiting: str = Field(..., max_length=20)
    w_unfit: str = Field(..., max_length=20)
    no_dwelling_crowding: str = Field(..., max_length=20, description="From 0 to 20.")
    reason: str = Field("", max_length=4000)


class TermsOut(Schema):
    crowding: str = Field(description="People per room, or the fixed value with no dwelling.")
    conditions: int = Field(description="Open confirmed condition reports.")
    waiting: int = Field(description="Whole months (30 days) on the list.")
    unfit: int = Field(description="1 if the current dwelling is unfit.")
    score: str


class ListRow(Schema):
    rank: int
    application: str
    member: str
    name: str | None = Field(description="Given to members of the body only.")
    household_size: int
    rooms_now: int | None = Field(
        description="Rooms of the present home (its address is not published); null: none."
    )
    applied_at: dt.datetime
    terms: TermsOut
    allocation: str | None = Field(description="An allocation to them before the board.")


class WaitingListOut(Schema):
    body: str
    formula: str = Field(description="The score with the weights in force.")
    policy: PolicyOut
    ties: str
    rows: list[ListRow]


class ApplicationIn(Schema):
    household_size: int
    current_dwelling: str = Field("", max_length=40, description="Its code on the register.")
    current_rooms: int | None = Field(None, description="Rooms you have, if not on it.")
    needs_note: str = Field("", max_length=4000, description="Private to you and the board.")


class ApplicationOut(Schema):
    public_id: str
    body: str
    member: str
    household_size: int
    current_dwelling: str | None
    current_rooms: int | None
    needs_note: str | None = Field(description="To the applicant and housing managers only.")
    state: str = Field(description="active, withdrawn or housed")
    applied_at: dt.datetime
    closed_at: dt.datetime | None
    rank: int | None = Field(description="Place on the list while active.")
    of: int | None
    terms: TermsOut | None


class AllocationIn(Schema):
    dwelling: str
    application: str
    closes_at: dt.datetime = Field(description="When the board's roll call closes.")
    reason: str = Field("", max_length=4000, description="Required when anyone is passed over.")


class ImportIn(Schema):
    filename: str = Field("dwellings.csv", max_length=200, description="Named in errors.")
    csv: str = Field(
        ...,
        max_length=5_000_000,
        description="code,address,area_m2,rooms,condition[,condition_note,state]",
    )


# ---------------------------------------------------------------------------- helpers


def _body(code: str) -> Body:
    body = Body.objects.filter(code=code).first()
    if body is None:
        raise HttpError(404, f"no body with code {code!r}")
    return body


def _dwelling(code: str) -> Dwelling:
    d = hsel.dwelling_by_code(code)
    if d is None:
        raise HttpError(404, f"no dwelling {code!r}")
    return d


def _application(public_id: str) -> Application:
    a = hsel.application_by_public_id(public_id)
    if a is None:
        raise HttpError(404, f"no application {public_id!r}")
    return a


def _invalid(exc: HousingError) -> Any:
    return Status(422, {"detail": str(exc), "errors": exc.errors})


def _names(request: HttpRequest, body: Body) -> bool:
    return permissions.belongs_to(permissions.member_of(caller(request)), body)


def _dwelling_out(d: Dwelling) -> dict[str, Any]:
    return {
        "code": d.code,
        "body": d.body.code,
        "address": d.address,
        "area_m2": str(d.area_m2),
        "rooms": d.rooms,
        "condition": d.condition,
        "condition_note": d.condition_note,
        "state": d.state,
        "updated_at": d.updated_at,
    }


def _occupancy_out(o: Occupancy, names: bool) -> dict[str, Any]:
    return {
        "id": o.pk,
        "head": o.head.public_id,
        "head_name": o.head.full_name if names else None,
        "household_size": o.household_size,
        "since": o.since,
        "until": o.until,
        "ended": o.ended,
        "allocation": o.allocation.public_id if o.allocation else None,
    }


def _allocation_out(a: Allocation, names: bool) -> dict[str, Any]:
    member = a.application.member
    return {
        "public_id": a.public_id,
        "body": a.body.code,
        "dwelling": a.dwelling.code,
        "application": a.application.public_id,
        "applicant": member.public_id,
        "applicant_name": member.full_name if names else None,
        "rank": a.rank,
        "skipped": a.skipped,
        "score": a.score,
        "reason": a.reason,
        "state": a.state,
        "decision": a.decision.public_id if a.decision else None,
        "lapse_reason": a.lapse_reason,
        "created_at": a.created_at,
        "decided_at": a.decided_at,
    }


def _policy_out(body: Body) -> dict[str, Any]:
    policy = hsel.current_policy(body)
    w = hsel.weights_of(policy)
    return {
        "w_crowding": str(w.w_crowding),
        "w_conditions": str(w.w_conditions),
        "w_waiting": str(w.w_waiting),
        "w_unfit": str(w.w_unfit),
        "no_dwelling_crowding": str(w.no_dwelling_crowding),
        "set_by": policy.set_by.public_id if policy else None,
        "set_at": policy.set_at if policy else None,
        "reason": policy.reason if policy else "",
        "record_index": policy.record_index if policy else None,
    }


def _application_out(request: HttpRequest, a: Application) -> dict[str, Any]:
    viewer = permissions.member_of(caller(request))
    private = (viewer is not None and viewer.pk == a.member_id) or can_manage_housing(
        caller(request), a.body
    )
    rank = of = terms = None
    if a.state == Application.State.ACTIVE:
        listing = hsel.waiting_list(a.body, timezone.now())
        row = listing.place_of(a.pk)
        if row is not None:
            rank, of, terms = row.rank, len(listing.rows), row.terms.as_json()
    return {
        "public_id": a.public_id,
        "body": a.body.code,
        "member": a.member.public_id,
        "household_size": a.household_size,
        "current_dwelling": a.current_dwelling.code if a.current_dwelling else None,
        "current_rooms": a.current_rooms,
        "needs_note": a.needs_note if private else None,
        "state": a.state,
        "applied_at": a.applied_at,
        "closed_at": a.closed_at,
        "rank": rank,
        "of": of,
        "terms": terms,
    }


# --------------------------------------------------------------------------- register


@router.get(
    "/bodies/{code}/dwellings",
    response={200: DwellingListOut, 404: Error, 422: Error},
    auth=OPTIONAL,
    summary="A body's dwellings, vacant first",
)
def dwellings(
    request: HttpRequest,
    code: str,
    state: Literal["occupied", "vacant", "under_repair"] | None = Query(None),
    condition: Literal["good", "fair", "poor", "unfit"] | None = Query(None),
    q: str = Query("", max_length=100, description="Part of the code or address."),
) -> dict[str, Any]:
    body = _body(code)
    found = hsel.body_dwellings(body, state=state or "", condition=condition or "", text=q)
    rows = list(found.select_related("body")[:LIST_LIMIT])
    return {"count": found.count(), "dwellings": [_dwelling_out(d) for d in rows]}


@router.post(
    "/bodies/{code}/dwellings",
    response={201: DwellingOut, **R},
    auth=REQUIRED,
    summary="Register a dwelling (the board or the housing commission)",
)
def register(request: HttpRequest, code: str, data: DwellingIn) -> Any:
    try:
        d = services.dwelling_register(user=caller(request), body=_body(code), **data.dict())
    except HousingError as exc:
        return _invalid(exc)
    return Status(201, _dwelling_out(d))


@router.get(
    "/dwellings/{code}",
    response={200: DwellingDetailOut, 404: Error},
    auth=OPTIONAL,
    summary="A dwelling with its occupancy history and allocations",
)
def dwelling(request: HttpRequest, code: str) -> dict[str, Any]:
    d = _dwelling(code)
    names = _names(request, d.body)
    return {
        **_dwelling_out(d),
        "occupancies": [_occupancy_out(o, names) for o in hsel.dwelling_occupancies(d)],
        "allocations": [_allocation_out(a, names) for a in hsel.dwelling_allocations(d)],
    }


@router.put(
    "/dwellings/{code}",
    response={200: DwellingOut, **R},
    auth=REQUIRED,
    summary="Change a dwelling's details, condition, or vacant / under repair",
)
def update(request: HttpRequest, code: str, data: DwellingUpdateIn) -> Any:
    raw = {k: v for k, v in data.dict().items() if v is not None}
    try:
        d = services.dwelling_update(user=caller(request), dwelling=_dwelling(code), **raw)
    except HousingError as exc:
        return _invalid(exc)
    return _dwelling_out(d)


@router.post(
    "/dwellings/{code}/occupancies",
    response={201: OccupancyOut, **R},
    auth=REQUIRED,
    summary="Record the household living in a dwelling",
)
def occupy(request: HttpRequest, code: str, data: OccupancyIn) -> Any:
    head = Member.objects.filter(public_id=data.head, active=True).first()
    if head is None:
        return Status(
            422, {"detail": "no active member with that id", "errors": {"head": "not found"}}
        )
    try:
        o = services.occupancy_record(
            user=caller(request),
            dwelling=_dwelling(code),
            head=head,
            household_size=data.household_size,
            since=data.since,
            until=data.until,
        )
    except HousingError as exc:
        return _invalid(exc)
    return Status(201, _occupancy_out(o, True))


@router.post(
    "/occupancies/{occupancy_id}/end",
    response={200: OccupancyOut, **R},
    auth=REQUIRED,
    summary="The household moved out; the dwelling falls vacant",
)
def end(request: HttpRequest, occupancy_id: int, data: OccupancyEndIn) -> Any:
    o = Occupancy.objects.select_related("dwelling__body", "head").filter(pk=occupancy_id).first()
    if o is None:
        raise HttpError(404, f"no occupancy {occupancy_id}")
    try:
        services.occupancy_end(user=caller(request), occupancy=o, on=data.on)
    except HousingError as exc:
        return _invalid(exc)
    o.refresh_from_db()
    return _occupancy_out(o, True)


# ----------------------------------------------------------------------- waiting list


@router.get(
    "/bodies/{code}/list",
    response={200: WaitingListOut, 404: Error},
    auth=OPTIONAL,
    summary="The waiting list in order of need, with the formula and each term",
)
def waiting(request: HttpRequest, code: str) -> dict[str, Any]:
    body = _body(code)
    listing = hsel.waiting_list(body, timezone.now())
    names = _names(request, body)
    return {
        "body": body.code,
        "formula": formula(listing.weights),
        "policy": _policy_out(body),
        "ties": "equal scores: earlier application first, then the lower application number",
        "rows": [
            {
                "rank": r.rank,
                "application": r.key.public_id,
                "member": r.key.member_public_id,
                "name": r.key.name if names else None,
                "household_size": r.key.household_size,
                "rooms_now": r.key.rooms_now,
                "applied_at": r.key.applied_at,
                "terms": r.terms.as_json(),
                "allocation": (
                    listing.pending[r.key.pk].public_id if r.key.pk in listing.pending else None
                ),
            }
            for r in listing.rows
        ],
    }


@router.get(
    "/bodies/{code}/policy",
    response={200: list[PolicyOut], 404: Error},
    auth=OPTIONAL,
    summary="The need-score policy in force first, then its history",
)
def policy(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    body = _body(code)
    history = [
        {
            "w_crowding": str(p.w_crowding),
            "w_conditions": str(p.w_conditions),
            "w_waiting": str(p.w_waiting),
            "w_unfit": str(p.w_unfit),
            "no_dwelling_crowding": str(p.no_dwelling_crowding),
            "set_by": p.set_by.public_id,
            "set_at": p.set_at,
            "reason": p.reason,
            "record_index": p.record_index,
        }
        for p in hsel.policy_history(body)
    ]
    return history or [_policy_out(body)]


@router.post(
    "/bodies/{code}/policy",
    response={201: PolicyOut, **R},
    auth=REQUIRED,
    summary="Set the weights of the need score (the board)",
)
def set_policy(request: HttpRequest, code: str, data: PolicyIn) -> Any:
    body = _body(code)
    raw = data.dict()
    reason = raw.pop("reason")
    try:
        services.policy_set(user=caller(request), body=body, weights=raw, reason=reason)
    except HousingError as exc:
        return _invalid(exc)
    return Status(201, _policy_out(body))


@router.post(
    "/bodies/{code}/applications",
    response={201: ApplicationOut, **R},
    auth=REQUIRED,
    summary="Put your household on the body's waiting list",
)
def apply(request: HttpRequest, code: str, data: ApplicationIn) -> Any:
    try:
        a = services.application_submit(
            user=caller(request),
            body=_body(code),
            household_size=data.household_size,
            current_dwelling=data.current_dwelling,
            current_rooms=data.current_rooms,
            needs_note=data.needs_note,
        )
    except HousingError as exc:
        return _invalid(exc)
    return Status(201, _application_out(request, _application(a.public_id)))


@router.get(
    "/applications/{public_id}",
    response={200: ApplicationOut, 404: Error},
    auth=OPTIONAL,
    summary="An application with its place and terms",
)
def application(request: HttpRequest, public_id: str) -> dict[str, Any]:
    return _application_out(request, _application(public_id))


@router.post(
    "/applications/{public_id}/withdraw",
    response={200: ApplicationOut, **R},
    auth=REQUIRED,
    summary="Withdraw your application",
)
def withdraw(request: HttpRequest, public_id: str) -> Any:
    a = _application(public_id)
    try:
        services.application_withdraw(user=caller(request), application=a)
    except HousingError as exc:
        return Status(409, {"detail": str(exc), "errors": exc.errors})
    return _application_out(request, _application(public_id))


# ------------------------------------------------------------------------ allocations


@router.post(
    "/bodies/{code}/allocations",
    response={201: AllocationOut, **R},
    auth=REQUIRED,
    summary="Propose an allocation and open the board's roll call on it",
)
def allocate(request: HttpRequest, code: str, data: AllocationIn) -> Any:
    body = _body(code)
    d = _dwelling(data.dwelling)
    if d.body_id != body.pk:
        raise HttpError(404, f"no dwelling {data.dwelling!r} kept by {body.code}")
    a = _application(data.application)
    try:
        allocation = services.allocation_propose(
            user=caller(request),
            dwelling=d,
            application=a,
            reason=data.reason,
            closes_at=data.closes_at,
        )
    except HousingError as exc:
        return _invalid(exc)
    found = hsel.allocation_by_public_id(allocation.public_id)
    assert found is not None
    return Status(201, _allocation_out(found, True))


@router.get(
    "/allocations/{public_id}",
    response={200: AllocationOut, 404: Error},
    auth=OPTIONAL,
    summary="An allocation and where its board decision stands",
)
def allocation(request: HttpRequest, public_id: str) -> dict[str, Any]:
    found = hsel.allocation_by_public_id(public_id)
    if found is None:
        raise HttpError(404, f"no allocation {public_id!r}")
    return _allocation_out(found, _names(request, found.body))


@router.post(
    "/bodies/{code}/dwellings/import",
    response={201: DwellingListOut, **R},
    auth=REQUIRED,
    summary="Import dwellings from CSV text (all or nothing)",
)
def import_dwellings(request: HttpRequest, code: str, data: ImportIn) -> Any:
    body = _body(code)
    if not can_import_dwellings(caller(request), body):
        raise HttpError(
            403,
            f"only the operator, the board of {body.name} or its housing "
            "commission imports dwellings",
        )
    from collegium.housing.imports import DwellingImportError, dwellings_import

    try:
        added = dwellings_import(
            user=caller(request), body=body, filename=data.filename, content=data.csv.encode()
        )
    except DwellingImportError as exc:
        return Status(422, {"detail": "nothing was imported", "errors": exc.lines})
    return Status(201, {"count": len(added), "dwellings": [_dwelling_out(d) for d in added]})
