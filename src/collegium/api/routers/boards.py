"""Initiatives, board meetings (agenda and minutes), external contracts with their
ratification, referendums between alternatives, and what waits on a member: the same
services and permissions as the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from collegium.api.auth import OPTIONAL, REQUIRED, caller
from collegium.api.schemas import Error
from collegium.decisions import selectors as dsel
from collegium.decisions.alternatives import alternatives_open
from collegium.decisions.contracts import contract_register
from collegium.decisions.initiatives import initiative_sign, initiative_start
from collegium.decisions.meetings import meeting_call, meeting_close, meeting_minutes, minutes_pdf
from collegium.decisions.models import Contract, Initiative, Meeting
from collegium.decisions.transitions import DecisionError
from collegium.federation import permissions
from collegium.federation.models import Body, Member
from collegium.federation.pending import PendingItem, board_agenda, waiting_for

router = Router(tags=["boards"])
R = {401: Error, 403: Error, 404: Error, 409: Error, 422: Error}
MAX_TEXT = 100_000
LIST_LIMIT = 100


def _body(code: str) -> Body:
    body = Body.objects.filter(code=code).first()
    if body is None:
        raise HttpError(404, f"no body with code {code!r}")
    return body


def _fail(exc: DecisionError) -> HttpError:
    return HttpError(409, str(exc))


# ---------------------------------------------------------------------------- schemas


class PendingOut(Schema):
    kind: str = Field(description="proposal, initiative, roll_call, contract, criticism, …")
    title: str
    url: str = Field(description="The page of the item.")
    since: dt.datetime
    due: dt.datetime | None
    overdue: bool
    mandatory: bool = Field(description="Must be on the board's agenda (members forced it).")
    note: str


def _pending(items: list[PendingItem]) -> list[dict[str, Any]]:
    return [
        {
            "kind": i.kind,
            "title": i.title,
            "url": i.url,
            "since": i.since,
            "due": i.due,
            "overdue": i.overdue,
            "mandatory": i.mandatory,
            "note": i.note,
        }
        for i in items
    ]


class StepOut(Schema):
    body: str
    proposal: str
    started_at: dt.datetime
    deadline: dt.datetime
    ended_at: dt.datetime | None
    outcome: str = Field(description="decided, escalated, or empty while pending")


class InitiativeOut(Schema):
    public_id: str
    body: str
    title: str
    text: str
    state: str = Field(description="collecting, on_agenda, decided or lapsed")
    author: str
    created_at: dt.datetime
    collect_until: dt.datetime
    signatures: int
    signatures_needed: int
    current_body: str | None = Field(description="Whose board must decide it now.")
    deadline: dt.datetime | None
    proposal: str | None = Field(description="The item on that board's agenda.")
    steps: list[StepOut]


class InitiativeIn(Schema):
    title: str = Field(..., max_length=200)
    text: str = Field(..., max_length=MAX_TEXT)


def _initiative_out(i: Initiative) -> dict[str, Any]:
    return {
        "public_id": i.public_id,
        "body": i.body.code,
        "title": i.title,
        "text": i.text,
        "state": i.state,
        "author": i.author.public_id,
        "created_at": i.created_at,
        "collect_until": i.collect_until,
        "signatures": i.signatures.count(),
        "signatures_needed": i.signatures_needed,
        "current_body": i.current_body.code if i.current_body else None,
        "deadline": i.deadline,
        "proposal": i.proposal.public_id if i.proposal else None,
        "steps": [
            {
                "body": s.body.code,
                "proposal": s.proposal.public_id,
                "started_at": s.started_at,
                "deadline": s.deadline,
                "ended_at": s.ended_at,
                "outcome": s.outcome,
            }
            for s in i.steps.select_related("body", "proposal")
        ],
    }


def _initiative(public_id: str) -> Initiative:
    initiative = dsel.initiative_by_public_id(public_id)
    if initiative is None:
        raise HttpError(404, f"no initiative {public_id!r}")
    return initiative


@router.get(
    "/bodies/{code}/initiatives",
    response={200: list[InitiativeOut], 404: Error},
    auth=OPTIONAL,
    summary="Initiatives started in a body or now before its board (newest first)",
)
def initiatives(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    return [_initiative_out(i) for i in dsel.body_initiatives(_body(code))[:LIST_LIMIT]]


@router.post(
    "/bodies/{code}/initiatives",
    response={201: InitiativeOut, **R},
    auth=REQUIRED,
    summary="Start an initiative (members of the body); your signature is the first",
)
def start(request: HttpRequest, code: str, data: InitiativeIn) -> Any:
    try:
        initiative = initiative_start(
            user=caller(request), body=_body(code), title=data.title, text=data.text
        )
    except DecisionError as exc:
        raise _fail(exc) from None
    return Status(201, _initiative_out(_initiative(initiative.public_id)))


@router.get(
    "/initiatives/{public_id}",
    response={200: InitiativeOut, 404: Error},
    auth=OPTIONAL,
    summary="An initiative: signatures, the board that must decide it, its way up",
)
def initiative(request: HttpRequest, public_id: str) -> dict[str, Any]:
    return _initiative_out(_initiative(public_id))


@router.post(
    "/initiatives/{public_id}/signatures",
    response={201: InitiativeOut, **R},
    auth=REQUIRED,
    summary="Sign an initiative (members of its body; once)",
)
def sign(request: HttpRequest, public_id: str) -> Any:
    try:
        initiative_sign(user=caller(request), initiative=_initiative(public_id))
    except DecisionError as exc:
        raise _fail(exc) from None
    return Status(201, _initiative_out(_initiative(public_id)))


# ---------------------------------------------------------------------------- meetings


class AgendaEntryOut(Schema):
    position: int
    kind: str
    title: str
    url: str
    note: str
    mandatory: bool
    due: dt.datetime | None


class MinutesVoteOut(Schema):
    decision: str
    title: str
    outcome: str
    votes: dict[str, str] = Field(description="Board member's public id → yes, no or abstain.")


class MeetingOut(Schema):
    public_id: str
    body: str
    starts_at: dt.datetime
    place: str
    state: str = Field(description="scheduled or held")
    called_by: str
    agenda: list[AgendaEntryOut]
    present: list[str] | None = Field(description="Public member ids, once held.")
    notes: str
    decided: list[MinutesVoteOut] = Field(description="Roll calls in the minutes.")
    minutes_pdf: str


class MeetingIn(Schema):
    starts_at: dt.datetime
    place: str = Field("", max_length=200)
    extra_items: list[str] = Field(default_factory=list, max_length=30)


class MeetingCloseIn(Schema):
    present: list[str] = Field(..., max_length=100, description="Public member ids.")
    notes: str = Field("", max_length=50_000)


def _meeting_out(m: Meeting) -> dict[str, Any]:
    minutes = meeting_minutes(m)
    decided = [v for item in minutes.items for v in item.votes] + minutes.other_votes
    return {
        "public_id": m.public_id,
        "body": m.body.code,
        "starts_at": m.starts_at,
        "place": m.place,
        "state": m.state,
        "called_by": m.called_by.public_id,
        "agenda": [
            {
                "position": e.position,
                "kind": e.kind,
                "title": e.title,
                "url": e.url,
                "note": e.note,
                "mandatory": e.mandatory,
                "due": e.due,
            }
            for e in m.agenda.order_by("position")
        ],
        "present": [p.public_id for p in minutes.present] if m.held_until else None,
        "notes": m.notes,
        "decided": [
            {
                "decision": v.decision.public_id,
                "title": v.decision.title,
                "outcome": v.outcome,
                "votes": {r.member.public_id: r.vote for r in v.votes},
            }
            for v in decided
        ],
        "minutes_pdf": f"/meetings/{m.public_id}/minutes.pdf",
    }


def _meeting(public_id: str) -> Meeting:
    meeting = dsel.meeting_by_public_id(public_id)
    if meeting is None:
        raise HttpError(404, f"no meeting {public_id!r}")
    return meeting


@router.get(
    "/bodies/{code}/agenda",
    response={200: list[PendingOut], 404: Error},
    auth=OPTIONAL,
    summary="Everything waiting on the body's board now, as a meeting's agenda would list it",
)
def agenda(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    return _pending(board_agenda(_body(code), timezone.now()))


@router.get(
    "/bodies/{code}/meetings",
    response={200: list[MeetingOut], 404: Error},
    auth=OPTIONAL,
    summary="The board's meetings, newest first",
)
def meetings(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    return [_meeting_out(m) for m in dsel.body_meetings(_body(code))[:LIST_LIMIT]]


@router.post(
    "/bodies/{code}/meetings",
    response={201: MeetingOut, **R},
    auth=REQUIRED,
    summary="Call a board meeting (board members); the agenda is fixed from what is pending",
)
def call(request: HttpRequest, code: str, data: MeetingIn) -> Any:
    try:
        meeting = meeting_call(
            user=caller(request),
            body=_body(code),
            starts_at=data.starts_at,
            place=data.place,
            extra_items=data.extra_items,
        )
    except DecisionError as exc:
        raise _fail(exc) from None
    return Status(201, _meeting_out(_meeting(meeting.public_id)))


@router.get(
    "/meetings/{public_id}",
    response={200: MeetingOut, 404: Error},
    auth=OPTIONAL,
    summary="A meeting: agenda, who was present, the roll calls in its minutes",
)
def meeting(request: HttpRequest, public_id: str) -> dict[str, Any]:
    return _meeting_out(_meeting(public_id))


@router.get(
    "/meetings/{public_id}/minutes.pdf",
    response={200: None, 404: Error},
    auth=OPTIONAL,
    summary="The minutes as PDF",
    openapi_extra={"responses": {200: {"description": "PDF", "content": {"application/pdf": {}}}}},
)
def minutes(request: HttpRequest, public_id: str) -> HttpResponse:
    m = _meeting(public_id)
    return HttpResponse(minutes_pdf(meeting_minutes(m)), content_type="application/pdf")


@router.post(
    "/meetings/{public_id}/close",
    response={200: MeetingOut, **R},
    auth=REQUIRED,
    summary="Close a meeting: who was present, the notes (board members)",
)
def close(request: HttpRequest, public_id: str, data: MeetingCloseIn) -> Any:
    present = list(Member.objects.filter(public_id__in=data.present))
    try:
        if len(present) != len(set(data.present)):
            raise DecisionError("someone marked present is not a member")
        meeting_close(
            user=caller(request), meeting=_meeting(public_id), present=present, notes=data.notes
        )
    except DecisionError as exc:
        raise _fail(exc) from None
    return _meeting_out(_meeting(public_id))


# --------------------------------------------------------------------------- contracts


class RatificationOut(Schema):
    body: str
    decision: str
    state: str = Field(description="The roll call's state: voting, review, final, …")


class ContractOut(Schema):
    public_id: str
    body: str
    counterparty: str
    kind: str
    title: str
    terms: str
    value: str | None
    currency: str
    starts_on: dt.date | None
    ends_on: dt.date | None
    state: str = Field(description="ratifying, in_force or refused")
    created_at: dt.datetime
    in_force_at: dt.datetime | None
    ratifications: list[RatificationOut]


class ContractIn(Schema):
    counterparty: str = Field(..., max_length=200)
    kind: str = Field(..., description="supply, sale, foreign_trade, service or other")
    title: str = Field(..., max_length=200)
    terms: str = Field(..., max_length=MAX_TEXT)
    affected: list[str] = Field(..., max_length=50, description="Codes of the affected bodies.")
    closes_at: dt.datetime = Field(..., description="When the ratification roll calls close.")
    value: Decimal | None = Field(None, max_digits=16, decimal_places=2)
    currency: str = Field("", max_length=3)
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None


def _contract_out(c: Contract) -> dict[str, Any]:
    return {
        "public_id": c.public_id,
        "body": c.body.code,
        "counterparty": c.counterparty,
        "kind": c.kind,
        "title": c.title,
        "terms": c.terms,
        "value": str(c.value) if c.value is not None else None,
        "currency": c.currency,
        "starts_on": c.starts_on,
        "ends_on": c.ends_on,
        "state": c.state,
        "created_at": c.created_at,
        "in_force_at": c.in_force_at,
        "ratifications": [
            {"body": r.body.code, "decision": r.decision.public_id, "state": r.decision.state}
            for r in dsel.contract_ratifications(c)
        ],
    }


@router.get(
    "/bodies/{code}/contracts",
    response={200: list[ContractOut], 404: Error},
    auth=OPTIONAL,
    summary="Contracts a body registered or must ratify",
)
def contracts(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    return [_contract_out(c) for c in dsel.body_contracts(_body(code))[:LIST_LIMIT]]


@router.post(
    "/bodies/{code}/contracts",
    response={201: ContractOut, **R},
    auth=REQUIRED,
    summary="Register a contract (board members); the affected boards' roll calls open",
)
def register(request: HttpRequest, code: str, data: ContractIn) -> Any:
    bodies = {b.code: b for b in Body.objects.filter(code__in=data.affected)}
    unknown = [c for c in data.affected if c not in bodies]
    if unknown:
        raise HttpError(422, f"affected: no body with code {', '.join(map(repr, unknown))}")
    try:
        contract = contract_register(
            user=caller(request),
            body=_body(code),
            counterparty=data.counterparty,
            kind=data.kind,
            title=data.title,
            terms=data.terms,
            affected=[bodies[c] for c in data.affected],
            closes_at=data.closes_at,
            value=data.value,
            currency=data.currency,
            starts_on=data.starts_on,
            ends_on=data.ends_on,
        )
    except DecisionError as exc:
        raise _fail(exc) from None
    return Status(201, _contract_out(contract))


@router.get(
    "/contracts/{public_id}",
    response={200: ContractOut, 404: Error},
    auth=OPTIONAL,
    summary="A contract, its terms and its ratifications",
)
def contract(request: HttpRequest, public_id: str) -> dict[str, Any]:
    found = dsel.contract_by_public_id(public_id)
    if found is None:
        raise HttpError(404, f"no contract {public_id!r}")
    return _contract_out(found)


# ------------------------------------------------------------------------ alternatives


class AlternativesIn(Schema):
    title: str = Field(..., max_length=200)
    text: str = Field("", max_length=MAX_TEXT)
    options: list[str] = Field(..., max_length=20)
    closes_at: dt.datetime


class OpenedOut(Schema):
    decision: str = Field(description="Rank at /api/decisions/{decision}/rankings.")


@router.post(
    "/bodies/{code}/alternatives",
    response={201: OpenedOut, **R},
    auth=REQUIRED,
    summary="Put competing alternatives to the members (board members); Schulze decides",
)
def alternatives(request: HttpRequest, code: str, data: AlternativesIn) -> Any:
    try:
        decision = alternatives_open(
            user=caller(request),
            body=_body(code),
            title=data.title,
            text=data.text,
            options=data.options,
            closes_at=data.closes_at,
        )
    except DecisionError as exc:
        raise _fail(exc) from None
    return Status(201, {"decision": decision.public_id})


# ----------------------------------------------------------------------------- waiting


@router.get(
    "/waiting",
    response={200: list[PendingOut], 401: Error, 403: Error},
    auth=REQUIRED,
    summary="What waits for you: votes, petitions, deadlines (overdue first)",
)
def waiting(request: HttpRequest) -> list[dict[str, Any]]:
    member = permissions.member_of(caller(request))
    permissions.require(member is not None, "only members have a list of what waits for them")
    return _pending(waiting_for(member, timezone.now()))
