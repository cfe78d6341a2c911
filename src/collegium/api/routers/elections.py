"""Elections, secret ballots, results, recall, delegates and mandates: the same services
and permissions as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from collegium.api.auth import OPTIONAL, REQUIRED, caller
from collegium.api.schemas import Error
from collegium.elections import selectors as esel
from collegium.elections import services
from collegium.elections.models import Election, Mandate, Nomination, RecallPetition, Seat
from collegium.elections.permissions import elected_by_delegates
from collegium.elections.services import ElectionError
from collegium.federation import permissions
from collegium.federation.models import Body, Member

router = Router(tags=["elections"])

TEXT = {"content": {"text/plain": {"schema": {"type": "string"}}}}


# ---------------------------------------------------------------------------- schemas


class CandidateOut(Schema):
    nomination_id: int
    number: int | None = Field(description="Ballot number, given when voting opens.")
    member: str = Field(description="The nominee's public id.")
    name: str
    category: str
    statement: str
    accepted: bool
    nominated_by: str
    cosigners: int


class ElectionOut(Schema):
    public_id: str
    body: str
    purpose: str = Field(description="board or delegate")
    by_election: bool = Field(description="Fills only the vacant seats, for the sitting term.")
    state: str = Field(description="nomination, voting, counted or cancelled")
    seats: int
    reserved_seats: int
    quota_category: str
    term_months: int
    method: str
    nominations_close_at: dt.datetime
    voting_closes_at: dt.datetime
    called_at: dt.datetime
    opened_at: dt.datetime | None
    counted_at: dt.datetime | None
    cancel_reason: str
    public_roll_call: bool = Field(description="Voters are delegates voting in public.")
    ballots_cast: int
    quota_shortfall: str | None
    candidates: list[CandidateOut]


class ElectionCall(Schema):
    nominations_close_at: dt.datetime
    voting_closes_at: dt.datetime
    purpose: str = "board"
    by_election: bool = False


class NominationIn(Schema):
    member_no: str | None = Field(None, description="The nominee; empty: yourself.")
    statement: str = Field("", max_length=4000)


class CancelIn(Schema):
    reason: str = Field(..., max_length=2000)


class BallotIn(Schema):
    ranking: list[int] = Field(..., description="Candidate numbers, most preferred first.")


class TrackerOut(Schema):
    tracker: str = Field(description="Shown once: find it in the published trackers later.")


class ElectedOut(Schema):
    member: str
    name: str
    category: str


class ResultsOut(Schema):
    public_id: str
    elected: list[ElectedOut]
    count_sheet: dict[str, Any]
    ballots_sha256: str
    recount_command: str = Field(
        description="The `collegium tally` command that recounts ballots.blt with the quota."
    )


class RecallIn(Schema):
    reason: str = Field(..., max_length=4000)


class RecallOut(Schema):
    public_id: str
    seat_holder: str
    body: str
    role: str
    state: str
    reason: str
    signatures: int
    signatures_needed: int
    electorate_size: int
    collect_until: dt.datetime
    ballot_closes_at: dt.datetime | None
    result: dict[str, Any] | None
    replacement: str | None
    vacancy_note: str


class ChoiceIn(Schema):
    choice: str = Field(..., description="yes (recall), no (keep) or abstain")


class MandateIn(Schema):
    question: str = Field("", max_length=2000, description="the question, where no proposal")
    position: str = Field(..., description="for, against or free")
    proposal: str | None = Field(
        None, description="public id of a proposal pending in the parent body", max_length=24
    )


class DelegateVoteOut(Schema):
    delegate: str
    vote: str
    breach: bool
    recorded_at: dt.datetime


class MandateOut(Schema):
    public_id: str
    body: str
    question: str
    position: str
    proposal: str | None
    adopted_at: dt.datetime
    votes: list[DelegateVoteOut]


class VoteIn(Schema):
    vote: str = Field(..., description="for, against or abstain")


# ---------------------------------------------------------------------------- helpers


def _body(code: str) -> Body:
    body = Body.objects.filter(code=code).first()
    if body is None:
        raise HttpError(404, f"no body with code {code!r}")
    return body


def _election(public_id: str) -> Election:
    election = esel.election_by_public_id(public_id)
    if election is None:
        raise HttpError(404, f"no election {public_id!r}")
    return election


def _recall(public_id: str) -> RecallPetition:
    petition = esel.recall_by_public_id(public_id)
    if petition is None:
        raise HttpError(404, f"no recall petition {public_id!r}")
    return petition


def _mandate(public_id: str) -> Mandate:
    mandate = Mandate.objects.select_related("body").filter(public_id=public_id).first()
    if mandate is None:
        raise HttpError(404, f"no mandate {public_id!r}")
    return mandate


def _fail(exc: ElectionError) -> HttpError:
    return HttpError(409, str(exc))


def _election_out(election: Election) -> dict[str, Any]:
    return {
        "public_id": election.public_id,
        "body": election.body.code,
        "purpose": election.purpose,
        "by_election": election.by_election,
        "state": election.state,
        "seats": election.seats,
        "reserved_seats": election.reserved_seats,
        "quota_category": election.quota_category,
        "term_months": election.term_months,
        "method": election.method,
        "nominations_close_at": election.nominations_close_at,
        "voting_closes_at": election.voting_closes_at,
        "called_at": election.called_at,
        "opened_at": election.opened_at,
        "counted_at": election.counted_at,
        "cancel_reason": election.cancel_reason,
        "public_roll_call": elected_by_delegates(election.body, election.purpose),
        "ballots_cast": election.roll.count(),
        "quota_shortfall": services.quota_shortfall(election)
        if election.state == Election.State.NOMINATION
        else None,
        "candidates": [
            {
                "nomination_id": n.pk,
                "number": n.number,
                "member": n.nominee.public_id,
                "name": n.nominee.full_name,
                "category": n.nominee.category.code,
                "statement": n.statement,
                "accepted": n.accepted_at is not None,
                "nominated_by": n.nominated_by.public_id,
                "cosigners": len(n.signatures.all()),
            }
            for n in esel.election_nominations(election)
        ],
    }


def _recall_out(p: RecallPetition) -> dict[str, Any]:
    return {
        "public_id": p.public_id,
        "seat_holder": p.seat.holder.public_id,
        "body": p.seat.body.code,
        "role": p.seat.role,
        "state": p.state,
        "reason": p.reason,
        "signatures": p.signatures.count(),
        "signatures_needed": p.signatures_needed,
        "electorate_size": p.electorate_size,
        "collect_until": p.collect_until,
        "ballot_closes_at": p.ballot_closes_at,
        "result": p.result,
        "replacement": p.replacement.public_id if p.replacement else None,
        "vacancy_note": p.vacancy_note,
    }


def _mandate_out(m: Mandate) -> dict[str, Any]:
    votes = m.votes.select_related("delegate", "mandate")
    return {
        "public_id": m.public_id,
        "body": m.body.code,
        "question": m.question,
        "position": m.position,
        "proposal": m.proposal.public_id if m.proposal else None,
        "adopted_at": m.adopted_at,
        "votes": [
            {
                "delegate": v.delegate.public_id,
                "vote": v.vote,
                "breach": v.breach,
                "recorded_at": v.recorded_at,
            }
            for v in votes
        ],
    }


R = {401: Error, 403: Error, 404: Error, 409: Error, 422: Error}

# --------------------------------------------------------------------------- elections


@router.get(
    "/bodies/{code}",
    response={200: list[ElectionOut], 404: Error},
    auth=OPTIONAL,
    summary="A body's elections, newest first",
)
def list_elections(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    return [_election_out(e) for e in esel.body_elections(_body(code))[:100]]


@router.post(
    "/bodies/{code}",
    response={201: ElectionOut, **R},
    auth=REQUIRED,
    summary="Call an election (the calling board)",
)
def call_election(request: HttpRequest, code: str, data: ElectionCall) -> Any:
    try:
        election = services.election_call(
            user=caller(request),
            body=_body(code),
            nominations_close_at=data.nominations_close_at,
            voting_closes_at=data.voting_closes_at,
            purpose=data.purpose,
            by_election=data.by_election,
        )
    except ElectionError as exc:
        raise _fail(exc) from None
    return Status(201, _election_out(election))


@router.get(
    "/{public_id}",
    response={200: ElectionOut, 404: Error},
    auth=OPTIONAL,
    summary="One election: state, seats, quota, candidates",
)
def get_election(request: HttpRequest, public_id: str) -> dict[str, Any]:
    return _election_out(_election(public_id))


@router.post(
    "/{public_id}/nominations",
    response={201: ElectionOut, **R},
    auth=REQUIRED,
    summary="Nominate yourself or another member",
)
def nominate(request: HttpRequest, public_id: str, data: NominationIn) -> Any:
    election = _election(public_id)
    user = caller(request)
    if data.member_no:
        nominee = Member.objects.filter(member_no=data.member_no, active=True).first()
        if nominee is None:
            raise HttpError(404, f"no member with number {data.member_no!r}")
    else:
        nominee = permissions.member_of(user)
        permissions.require(nominee is not None, "only members take part in elections")
    assert nominee is not None
    try:
        services.nomination_submit(
            user=user, election=election, nominee=nominee, statement=data.statement
        )
    except ElectionError as exc:
        raise _fail(exc) from None
    return Status(201, _election_out(election))


def _nomination(public_id: str, nomination_id: int) -> Nomination:
    n = (
        Nomination.objects.select_related("election__body", "nominee")
        .filter(pk=nomination_id, election__public_id=public_id)
        .first()
    )
    if n is None:
        raise HttpError(404, "no such nomination in this election")
    return n


@router.post(
    "/{public_id}/nominations/{nomination_id}/cosign",
    response={200: ElectionOut, **R},
    auth=REQUIRED,
    summary="Co-sign a nomination",
)
def cosign(request: HttpRequest, public_id: str, nomination_id: int) -> Any:
    n = _nomination(public_id, nomination_id)
    try:
        services.nomination_cosign(user=caller(request), nomination=n)
    except ElectionError as exc:
        raise _fail(exc) from None
    return _election_out(n.election)


@router.post(
    "/{public_id}/nominations/{nomination_id}/accept",
    response={200: ElectionOut, **R},
    auth=REQUIRED,
    summary="Accept your own nomination",
)
def accept(request: HttpRequest, public_id: str, nomination_id: int) -> Any:
    n = _nomination(public_id, nomination_id)
    try:
        services.nomination_accept(user=caller(request), nomination=n)
    except ElectionError as exc:
        raise _fail(exc) from None
    return _election_out(n.election)


@router.post(
    "/{public_id}/open",
    response={200: ElectionOut, **R},
    auth=REQUIRED,
    summary="Open voting (the calling board)",
)
def open_voting(request: HttpRequest, public_id: str) -> Any:
    try:
        election = services.election_open_voting(
            user=caller(request), election=_election(public_id)
        )
    except ElectionError as exc:
        raise _fail(exc) from None
    return _election_out(election)


@router.post(
    "/{public_id}/cancel",
    response={200: ElectionOut, **R},
    auth=REQUIRED,
    summary="Cancel the election, with a reason (the calling board)",
)
def cancel(request: HttpRequest, public_id: str, data: CancelIn) -> Any:
    try:
        election = services.election_cancel(
            user=caller(request), election=_election(public_id), reason=data.reason
        )
    except ElectionError as exc:
        raise _fail(exc) from None
    return _election_out(election)


@router.post(
    "/{public_id}/ballots",
    response={201: TrackerOut, **R},
    auth=REQUIRED,
    summary="Cast your ballot; returns your tracker",
)
def cast(request: HttpRequest, public_id: str, data: BallotIn) -> Any:
    """Secret for members: the roll, the ballot and the tracker are stored apart. For a
    delegate voting for a union or congress board, the ranking is public with the weight."""
    try:
        tracker = services.ballot_cast(
            user=caller(request), election=_election(public_id), ranking=data.ranking
        )
    except ElectionError as exc:
        raise _fail(exc) from None
    return Status(201, {"tracker": tracker})


@router.post(
    "/{public_id}/count",
    response={200: ElectionOut, **R},
    auth=REQUIRED,
    summary="Count once voting has closed",
)
def count(request: HttpRequest, public_id: str) -> Any:
    try:
        election = services.election_count(election=_election(public_id), user=caller(request))
    except ElectionError as exc:
        raise _fail(exc) from None
    return _election_out(election)


def _counted(public_id: str) -> Election:
    election = _election(public_id)
    if election.state != Election.State.COUNTED:
        raise HttpError(404, "nothing is published before the count")
    return election


@router.get(
    "/{public_id}/results",
    response={200: ResultsOut, 404: Error},
    auth=OPTIONAL,
    summary="Results: those elected and the count sheet",
)
def results(request: HttpRequest, public_id: str) -> dict[str, Any]:
    election = _counted(public_id)
    return {
        "public_id": election.public_id,
        "elected": [
            {"member": m.public_id, "name": m.full_name, "category": m.category.code}
            for m in esel.elected_members(election)
        ],
        "count_sheet": election.count_sheet or {},
        "ballots_sha256": election.ballots_digest,
        "recount_command": " ".join(["collegium tally ballots.blt", *esel.recount_args(election)]),
    }


@router.get(
    "/{public_id}/ballots.blt",
    response={200: None, 404: Error},
    openapi_extra={"responses": {200: {"description": "The shuffled ballots in BLT", **TEXT}}},
    auth=OPTIONAL,
    summary="The published ballots, shuffled (BLT)",
)
def ballots_blt(request: HttpRequest, public_id: str) -> HttpResponse:
    return HttpResponse(
        _counted(public_id).published_ballots, content_type="text/plain; charset=utf-8"
    )


@router.get(
    "/{public_id}/trackers.txt",
    response={200: None, 404: Error},
    openapi_extra={"responses": {200: {"description": "The trackers, one a line", **TEXT}}},
    auth=OPTIONAL,
    summary="The published trackers, one a line",
)
def trackers_txt(request: HttpRequest, public_id: str) -> HttpResponse:
    text = _counted(public_id).published_trackers
    return HttpResponse(text + ("\n" if text else ""), content_type="text/plain; charset=utf-8")


# ----------------------------------------------------------------------------- recall


@router.post(
    "/seats/{seat_id}/recalls",
    response={201: RecallOut, **R},
    auth=REQUIRED,
    summary="Start a recall petition against a seat-holder",
)
def recall_start(request: HttpRequest, seat_id: int, data: RecallIn) -> Any:
    seat = Seat.objects.filter(pk=seat_id).first()
    if seat is None:
        raise HttpError(404, "no such seat")
    try:
        petition = services.recall_petition_start(
            user=caller(request), seat=seat, reason=data.reason
        )
    except ElectionError as exc:
        raise _fail(exc) from None
    return Status(201, _recall_out(_recall(petition.public_id)))


@router.get(
    "/recalls/{public_id}",
    response={200: RecallOut, 404: Error},
    auth=OPTIONAL,
    summary="A recall petition: signatures, ballot, result",
)
def recall_get(request: HttpRequest, public_id: str) -> dict[str, Any]:
    return _recall_out(_recall(public_id))


@router.post(
    "/recalls/{public_id}/signatures",
    response={200: RecallOut, **R},
    auth=REQUIRED,
    summary="Sign a recall petition",
)
def recall_sign(request: HttpRequest, public_id: str) -> Any:
    try:
        services.recall_petition_sign(user=caller(request), petition=_recall(public_id))
    except ElectionError as exc:
        raise _fail(exc) from None
    return _recall_out(_recall(public_id))


@router.post(
    "/recalls/{public_id}/ballots",
    response={201: TrackerOut, **R},
    auth=REQUIRED,
    summary="Vote on a recall, secretly; returns your tracker",
)
def recall_vote(request: HttpRequest, public_id: str, data: ChoiceIn) -> Any:
    try:
        tracker = services.recall_ballot_cast(
            user=caller(request), petition=_recall(public_id), choice=data.choice
        )
    except ElectionError as exc:
        raise _fail(exc) from None
    return Status(201, {"tracker": tracker})


# ---------------------------------------------------------------------------- mandates


@router.get(
    "/bodies/{code}/mandates",
    response={200: list[MandateOut], 404: Error},
    auth=OPTIONAL,
    summary="A body's mandates with its delegates' votes and breach flags",
)
def mandates(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    return [_mandate_out(m) for m in esel.body_mandates(_body(code))[:200]]


@router.post(
    "/bodies/{code}/mandates",
    response={201: MandateOut, **R},
    auth=REQUIRED,
    summary="Adopt a mandate for the body's delegates (its board)",
)
def mandate_adopt(request: HttpRequest, code: str, data: MandateIn) -> Any:
    proposal = None
    if data.proposal:
        from collegium.decisions.selectors import proposal_by_public_id

        proposal = proposal_by_public_id(data.proposal)
        if proposal is None:
            raise HttpError(404, "There is no proposal with this id.")
    try:
        mandate = services.mandate_adopt(
            user=caller(request),
            body=_body(code),
            question=data.question,
            position=data.position,
            proposal=proposal,
        )
    except ElectionError as exc:
        raise _fail(exc) from None
    return Status(201, _mandate_out(mandate))


@router.post(
    "/mandates/{public_id}/votes",
    response={201: MandateOut, **R},
    auth=REQUIRED,
    summary="Record how you voted on a mandated question (a delegate)",
)
def delegate_vote(request: HttpRequest, public_id: str, data: VoteIn) -> Any:
    mandate = _mandate(public_id)
    try:
        services.delegate_vote_record(user=caller(request), mandate=mandate, vote=data.vote)
    except ElectionError as exc:
        raise _fail(exc) from None
    return Status(201, _mandate_out(mandate))
