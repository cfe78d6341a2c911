"""Proposals, amendments, discussion and decisions (board roll calls and referendums of
the members) with the review petition: the same services and permissions as the pages.

Rank-and-file names are given only to members of the body (as on the pages); board
members' roll-call votes are public with their names. Referendum ballots are secret:
nothing here says who voted what."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.params.functions import Query
from pydantic import Field

from collegium.api.auth import OPTIONAL, REQUIRED, caller
from collegium.api.schemas import Error
from collegium.decisions import effects, services
from collegium.decisions import selectors as dsel
from collegium.decisions.alternatives import alternatives_cast
from collegium.decisions.markdown import render_markdown
from collegium.decisions.models import Amendment, Comment, Decision, Proposal
from collegium.decisions.services import DecisionError
from collegium.federation import permissions
from collegium.federation.models import Body, Member

router = Router(tags=["decisions"])

LIST_LIMIT = 100
MAX_TEXT = 100_000


# ---------------------------------------------------------------------------- schemas


class ProposalListItem(Schema):
    public_id: str
    title: str
    state: str = Field(description="deliberation, voting, decided or withdrawn")
    route: str = Field(description="board (roll call, open to review) or members (referendum)")
    author: str = Field(description="The author's public member id.")
    created_at: dt.datetime
    versions: int
    comments: int


class VersionOut(Schema):
    number: int
    text: str = Field(description="Markdown, as written.")
    html: str = Field(description="The text rendered and sanitised (no scripts, safe links).")
    rationale: str
    note: str = Field(description="Why this version exists.")
    author: str
    created_at: dt.datetime


class CommentOut(Schema):
    id: int
    parent: int | None = Field(description="The comment this one replies to.")
    author: str
    author_name: str | None = Field(description="Given to members of the body only.")
    text: str
    created_at: dt.datetime


class AmendmentOut(Schema):
    public_id: str
    author: str
    original: str = Field(description="The passage as it stood in version based_on.")
    replacement: str
    reason: str
    state: str = Field(description="proposed, accepted or declined")
    based_on: int
    created_at: dt.datetime


class DecisionRef(Schema):
    public_id: str
    kind: str
    state: str
    version: int | None


class ProposalOut(Schema):
    public_id: str
    body: str
    title: str
    scope: str
    cost: str | None = Field(description="A decimal as a string, or null.")
    route: str
    state: str
    author: str
    author_name: str | None = Field(description="Given to members of the body only.")
    created_at: dt.datetime
    versions: list[VersionOut]
    comments: list[CommentOut] = Field(description="In order; replies name their parent.")
    amendments: list[AmendmentOut]
    decisions: list[DecisionRef]


class ProposalIn(Schema):
    title: str = Field(..., max_length=200)
    text: str = Field(..., max_length=MAX_TEXT, description="Markdown.")
    rationale: str = Field("", max_length=MAX_TEXT)
    scope: str = Field("", max_length=200)
    cost: Decimal | None = Field(None, max_digits=14, decimal_places=2)
    route: Literal["board", "members"] = "board"


class ReviseIn(Schema):
    text: str = Field(..., max_length=MAX_TEXT)
    rationale: str | None = Field(None, max_length=MAX_TEXT, description="Omit to keep it.")


class CommentIn(Schema):
    text: str = Field(..., max_length=MAX_TEXT)
    parent: int | None = Field(None, description="The id of the comment you reply to.")


class AmendmentIn(Schema):
    original: str = Field(..., max_length=MAX_TEXT, description="Quote it exactly, once.")
    replacement: str = Field(..., max_length=MAX_TEXT)
    reason: str = Field("", max_length=MAX_TEXT)


class OpenIn(Schema):
    closes_at: dt.datetime


class RollCallVoteOut(Schema):
    member: str
    name: str = Field(description="Board votes are public, with names.")
    vote: str
    cast_at: dt.datetime


class PetitionOut(Schema):
    signatures: int
    needed: int = Field(description="overturn_petition_pct of the members, rounded up.")
    members: int


class DecisionOut(Schema):
    public_id: str
    body: str
    title: str
    kind: str = Field(description="roll_call, referendum or alternatives (ranked, Schulze)")
    state: str = Field(description="voting, review, final, rejected or overturned")
    proposal: str | None
    version: int | None
    text: str | None = Field(description="The version voted on (Markdown).")
    question: str | None = Field(description="The question put, where there is no proposal.")
    options: list[str] | None = Field(
        description="Alternatives (kind alternatives), numbered from 0 in rankings and outcome."
    )
    subject: str | None = Field(
        description="Path of what the decision acts on (a contract, an initiative, …)."
    )
    threshold: str
    quorum: str
    electorate_size: int
    opened_at: dt.datetime
    closes_at: dt.datetime
    decided_at: dt.datetime | None
    review_until: dt.datetime | None = Field(description="When a board decision is final.")
    outcome: dict[str, Any] | None = Field(
        description="yes, no, abstain, turnout, quorum_required, yes_required, reason …"
    )
    overturns: str | None = Field(description="The board decision this referendum may overturn.")
    overturn_referendum: str | None
    roll_call: list[RollCallVoteOut] = Field(description="Empty for referendums.")
    ballots_cast: int | None = Field(description="Referendums: how many have voted.")
    petition: PetitionOut | None = Field(description="While in review.")


class BodyDecisionsOut(Schema):
    proposals: list[ProposalListItem]
    decisions: list[DecisionOut]


class RollCallIn(Schema):
    vote: Literal["yes", "no", "abstain"]


class ReferendumIn(Schema):
    choice: Literal["yes", "no", "abstain"]


class RankingIn(Schema):
    ranking: list[int] = Field(
        ..., max_length=20, description="Alternatives' numbers (from 0), most preferred first."
    )


class TrackerOut(Schema):
    tracker: str = Field(description="Shown once; check it against the ballots after the close.")


class SignOut(Schema):
    decision: DecisionOut
    referendum: str | None = Field(description="Set when your signature opened the referendum.")


# ---------------------------------------------------------------------------- helpers


def _body(code: str) -> Body:
    body = Body.objects.filter(code=code).first()
    if body is None:
        raise HttpError(404, f"no body with code {code!r}")
    return body


def _proposal(public_id: str) -> Proposal:
    proposal = dsel.proposal_by_public_id(public_id)
    if proposal is None:
        raise HttpError(404, f"no proposal {public_id!r}")
    return proposal


def _decision(public_id: str) -> Decision:
    decision = dsel.decision_by_public_id(public_id)
    if decision is None:
        raise HttpError(404, f"no decision {public_id!r}")
    return decision


def _fail(exc: DecisionError) -> HttpError:
    return HttpError(409, str(exc))


def _names_for(request: HttpRequest, body: Body) -> bool:
    return permissions.belongs_to(permissions.member_of(caller(request)), body)


def _proposal_out(request: HttpRequest, p: Proposal) -> dict[str, Any]:
    names = _names_for(request, p.body)
    return {
        "public_id": p.public_id,
        "body": p.body.code,
        "title": p.title,
        "scope": p.scope,
        "cost": str(p.cost) if p.cost is not None else None,
        "route": p.route,
        "state": p.state,
        "author": p.author.public_id,
        "author_name": p.author.full_name if names else None,
        "created_at": p.created_at,
        "versions": [
            {
                "number": v.number,
                "text": v.text,
                "html": render_markdown(v.text),
                "rationale": v.rationale,
                "note": v.note,
                "author": v.author.public_id,
                "created_at": v.created_at,
            }
            for v in dsel.proposal_versions(p)
        ],
        "comments": [
            {
                "id": item.comment.pk,
                "parent": item.comment.parent_id,
                "author": item.comment.author.public_id,
                "author_name": item.comment.author.full_name if names else None,
                "text": item.comment.text,
                "created_at": item.comment.created_at,
            }
            for item in dsel.comment_thread(p)
        ],
        "amendments": [
            {
                "public_id": a.public_id,
                "author": a.author.public_id,
                "original": a.original,
                "replacement": a.replacement,
                "reason": a.reason,
                "state": a.state,
                "based_on": a.based_on,
                "created_at": a.created_at,
            }
            for a in dsel.proposal_amendments(p)
        ],
        "decisions": [
            {
                "public_id": d.public_id,
                "kind": d.kind,
                "state": d.state,
                "version": d.version.number if d.version else None,
            }
            for d in p.decisions.select_related("version").order_by("-opened_at")
        ],
    }


def _decision_out(d: Decision, *, detail: bool = True) -> dict[str, Any]:
    roll_call = d.kind == Decision.Kind.ROLL_CALL
    out: dict[str, Any] = {
        "public_id": d.public_id,
        "body": d.body.code,
        "title": d.title,
        "kind": d.kind,
        "state": d.state,
        "proposal": d.proposal.public_id if d.proposal else None,
        "version": d.version.number if d.version else None,
        "text": d.version.text if d.version and detail else None,
        "question": d.text or None,
        "options": d.options,
        "subject": link[1] if (link := effects.subject_link(d)) else None,
        "threshold": d.threshold,
        "quorum": d.quorum,
        "electorate_size": d.electorate_size,
        "opened_at": d.opened_at,
        "closes_at": d.closes_at,
        "decided_at": d.decided_at,
        "review_until": d.review_until,
        "outcome": d.outcome,
        "overturns": d.overturns.public_id if d.overturns else None,
        "overturn_referendum": None,
        "roll_call": [],
        "ballots_cast": None,
        "petition": None,
    }
    if not detail:
        return out
    referendum = dsel.overturn_referendum(d)
    out["overturn_referendum"] = referendum.public_id if referendum else None
    if roll_call:
        out["roll_call"] = [
            {
                "member": v.member.public_id,
                "name": v.member.full_name,
                "vote": v.vote,
                "cast_at": v.cast_at,
            }
            for v in dsel.roll_call_votes(d)
        ]
    else:
        out["ballots_cast"] = dsel.referendum_turnout(d)
    if d.state == Decision.State.REVIEW:
        p = dsel.review_petition(d, None)
        out["petition"] = {"signatures": p.signatures, "needed": p.needed, "members": p.members}
    return out


R = {401: Error, 403: Error, 404: Error, 409: Error, 422: Error}


# ------------------------------------------------------------------------ a body's list


@router.get(
    "/bodies/{code}",
    response={200: BodyDecisionsOut, 404: Error, 422: Error},
    auth=OPTIONAL,
    summary="A body's proposals and decisions, newest first (100 each)",
)
def list_for_body(
    request: HttpRequest,
    code: str,
    proposal_state: Literal["deliberation", "voting", "decided", "withdrawn"] | None = Query(
        None, description="Only proposals in this state."
    ),
    decision_state: Literal["voting", "review", "final", "rejected", "overturned"] | None = Query(
        None, description="Only decisions in this state (overturned ones stay listed)."
    ),
) -> dict[str, Any]:
    body = _body(code)
    proposals = dsel.body_proposals(body, proposal_state)[:LIST_LIMIT]
    decisions = dsel.body_decisions(body, decision_state).select_related("body", "version")
    return {
        "proposals": [
            {
                "public_id": p.public_id,
                "title": p.title,
                "state": p.state,
                "route": p.route,
                "author": p.author.public_id,
                "created_at": p.created_at,
                "versions": p.version_count,  # type: ignore[attr-defined]
                "comments": p.comment_count,  # type: ignore[attr-defined]
            }
            for p in proposals
        ],
        "decisions": [_decision_out(d, detail=False) for d in decisions[:LIST_LIMIT]],
    }


@router.post(
    "/bodies/{code}/proposals",
    response={201: ProposalOut, **R},
    auth=REQUIRED,
    summary="Put a proposal to the body (its members)",
)
def submit(request: HttpRequest, code: str, data: ProposalIn) -> Any:
    try:
        proposal = services.proposal_submit(
            user=caller(request),
            body=_body(code),
            title=data.title,
            text=data.text,
            rationale=data.rationale,
            scope=data.scope,
            cost=data.cost,
            route=data.route,
        )
    except DecisionError as exc:
        raise HttpError(422, str(exc)) from None
    return Status(201, _proposal_out(request, _proposal(proposal.public_id)))


# ------------------------------------------------------------------------- a proposal


@router.get(
    "/proposals/{public_id}",
    response={200: ProposalOut, 404: Error},
    auth=OPTIONAL,
    summary="A proposal with its versions, discussion, amendments and votes",
)
def get_proposal(request: HttpRequest, public_id: str) -> dict[str, Any]:
    return _proposal_out(request, _proposal(public_id))


@router.post(
    "/proposals/{public_id}/versions",
    response={201: ProposalOut, **R},
    auth=REQUIRED,
    summary="Revise your proposal (a new version, while under discussion)",
)
def revise(request: HttpRequest, public_id: str, data: ReviseIn) -> Any:
    proposal = _proposal(public_id)
    try:
        services.proposal_revise(
            user=caller(request), proposal=proposal, text=data.text, rationale=data.rationale
        )
    except DecisionError as exc:
        raise _fail(exc) from None
    return Status(201, _proposal_out(request, proposal))


@router.post(
    "/proposals/{public_id}/comments",
    response={201: CommentOut, **R},
    auth=REQUIRED,
    summary="Comment on a proposal, or reply to a comment",
)
def comment(request: HttpRequest, public_id: str, data: CommentIn) -> Any:
    proposal = _proposal(public_id)
    parent = None
    if data.parent is not None:
        parent = Comment.objects.filter(pk=data.parent, proposal=proposal).first()
        if parent is None:
            raise HttpError(422, "the comment you reply to is not in this discussion")
    try:
        c = services.comment_add(
            user=caller(request), proposal=proposal, text=data.text, parent=parent
        )
    except DecisionError as exc:
        raise HttpError(422, str(exc)) from None
    return Status(
        201,
        {
            "id": c.pk,
            "parent": c.parent_id,
            "author": c.author.public_id,
            "author_name": c.author.full_name,
            "text": c.text,
            "created_at": c.created_at,
        },
    )


@router.post(
    "/proposals/{public_id}/amendments",
    response={201: AmendmentOut, **R},
    auth=REQUIRED,
    summary="Propose an amendment: a passage of the current version and its replacement",
)
def amend(request: HttpRequest, public_id: str, data: AmendmentIn) -> Any:
    proposal = _proposal(public_id)
    if proposal.state != Proposal.State.DELIBERATION:
        permissions.require(
            permissions.belongs_to(permissions.member_of(caller(request)), proposal.body),
            f"only members of {proposal.body.name} amend its proposals",
        )
        raise HttpError(409, f"the proposal is {proposal.get_state_display().lower()}")
    try:
        a = services.amendment_propose(
            user=caller(request),
            proposal=proposal,
            original=data.original,
            replacement=data.replacement,
            reason=data.reason,
        )
    except DecisionError as exc:
        raise HttpError(422, str(exc)) from None
    return Status(
        201,
        {
            "public_id": a.public_id,
            "author": a.author.public_id,
            "original": a.original,
            "replacement": a.replacement,
            "reason": a.reason,
            "state": a.state,
            "based_on": a.based_on,
            "created_at": a.created_at,
        },
    )


def _amendment(public_id: str, amendment_id: str) -> Amendment:
    a = (
        Amendment.objects.select_related("proposal", "proposal__body")
        .filter(public_id=amendment_id, proposal__public_id=public_id)
        .first()
    )
    if a is None:
        raise HttpError(404, "no such amendment to this proposal")
    return a


@router.post(
    "/proposals/{public_id}/amendments/{amendment_id}/accept",
    response={200: ProposalOut, **R},
    auth=REQUIRED,
    summary="Accept an amendment (the author): it makes a new version",
)
def accept(request: HttpRequest, public_id: str, amendment_id: str) -> Any:
    a = _amendment(public_id, amendment_id)
    try:
        services.amendment_accept(user=caller(request), amendment=a)
    except DecisionError as exc:
        raise _fail(exc) from None
    return _proposal_out(request, _proposal(public_id))


@router.post(
    "/proposals/{public_id}/amendments/{amendment_id}/decline",
    response={200: ProposalOut, **R},
    auth=REQUIRED,
    summary="Decline an amendment (the author); it stays listed",
)
def decline(request: HttpRequest, public_id: str, amendment_id: str) -> Any:
    a = _amendment(public_id, amendment_id)
    try:
        services.amendment_decline(user=caller(request), amendment=a)
    except DecisionError as exc:
        raise _fail(exc) from None
    return _proposal_out(request, _proposal(public_id))


class WithdrawIn(Schema):
    reason: str = Field(..., max_length=MAX_TEXT)


@router.post(
    "/proposals/{public_id}/withdrawal",
    response={200: ProposalOut, **R},
    auth=REQUIRED,
    summary="Withdraw a proposal under discussion (its author); it stays listed",
)
def withdraw(request: HttpRequest, public_id: str, data: WithdrawIn) -> Any:
    try:
        services.proposal_withdraw(
            user=caller(request), proposal=_proposal(public_id), reason=data.reason
        )
    except DecisionError as exc:
        raise _fail(exc) from None
    return _proposal_out(request, _proposal(public_id))


@router.post(
    "/proposals/{public_id}/roll-call",
    response={201: DecisionOut, **R},
    auth=REQUIRED,
    summary="Open the board's roll call on the current version (the board)",
)
def open_roll_call(request: HttpRequest, public_id: str, data: OpenIn) -> Any:
    try:
        d = services.roll_call_open(
            user=caller(request), proposal=_proposal(public_id), closes_at=data.closes_at
        )
    except DecisionError as exc:
        raise _fail(exc) from None
    return Status(201, _decision_out(_decision(d.public_id)))


@router.post(
    "/proposals/{public_id}/referendum",
    response={201: DecisionOut, **R},
    auth=REQUIRED,
    summary="Open a referendum of the members on the current version (the board)",
)
def open_referendum(request: HttpRequest, public_id: str, data: OpenIn) -> Any:
    try:
        d = services.referendum_open(
            user=caller(request), proposal=_proposal(public_id), closes_at=data.closes_at
        )
    except DecisionError as exc:
        raise _fail(exc) from None
    return Status(201, _decision_out(_decision(d.public_id)))


# ------------------------------------------------------------------------- a decision


@router.get(
    "/{public_id}",
    response={200: DecisionOut, 404: Error},
    auth=OPTIONAL,
    summary="A decision: the text voted on, the roll call (names) or turnout, the outcome",
)
def get_decision(request: HttpRequest, public_id: str) -> dict[str, Any]:
    return _decision_out(_decision(public_id))


@router.post(
    "/{public_id}/votes",
    response={201: DecisionOut, **R},
    auth=REQUIRED,
    summary="Vote in a roll call (board members; public, with your name, final)",
)
def vote(request: HttpRequest, public_id: str, data: RollCallIn) -> Any:
    d = _decision(public_id)
    try:
        services.roll_call_vote(user=caller(request), decision=d, vote=data.vote)
    except DecisionError as exc:
        raise _fail(exc) from None
    return Status(201, _decision_out(d))


@router.post(
    "/{public_id}/ballots",
    response={201: TrackerOut, **R},
    auth=REQUIRED,
    summary="Vote in a referendum by secret ballot; returns your tracker",
)
def cast(request: HttpRequest, public_id: str, data: ReferendumIn) -> Any:
    """The roll (who voted), the ballot (what) and the tracker are stored apart with
    nothing that links them. The tracker is returned only here, once."""
    try:
        tracker = services.referendum_cast(
            user=caller(request), decision=_decision(public_id), choice=data.choice
        )
    except DecisionError as exc:
        raise _fail(exc) from None
    return Status(201, {"tracker": tracker})


@router.post(
    "/{public_id}/rankings",
    response={201: TrackerOut, **R},
    auth=REQUIRED,
    summary="Rank the alternatives of a referendum by secret ballot; returns your tracker",
)
def rank(request: HttpRequest, public_id: str, data: RankingIn) -> Any:
    try:
        tracker = alternatives_cast(
            user=caller(request), decision=_decision(public_id), ranking=data.ranking
        )
    except DecisionError as exc:
        raise _fail(exc) from None
    return Status(201, {"tracker": tracker})


@router.post(
    "/{public_id}/signatures",
    response={201: SignOut, **R},
    auth=REQUIRED,
    summary="Sign the petition to put a board decision in review to a referendum",
)
def sign(request: HttpRequest, public_id: str) -> Any:
    d = _decision(public_id)
    try:
        referendum = services.review_sign(user=caller(request), decision=d)
    except DecisionError as exc:
        raise _fail(exc) from None
    return Status(
        201,
        {
            "decision": _decision_out(_decision(public_id)),
            "referendum": referendum.public_id if referendum else None,
        },
    )


@router.post(
    "/{public_id}/close",
    response={200: DecisionOut, **R},
    auth=REQUIRED,
    summary="Count a vote after its closing time (members of the body)",
)
def close(request: HttpRequest, public_id: str) -> Any:
    d = _decision(public_id)
    member: Member | None = permissions.member_of(caller(request))
    permissions.require(
        permissions.belongs_to(member, d.body),
        f"only members of {d.body.name} count its votes",
    )
    try:
        services.decision_close(decision=d)
    except DecisionError as exc:
        raise _fail(exc) from None
    return _decision_out(_decision(public_id))
