"""Criticism: a body's list with filters, one criticism with its levels, responses, marks,
co-signers, additions and moderation acts, and every step (publish, edit, add, co-sign,
respond, mark, hide, look at an anonymous author, sign an appeal): the same services and
permissions as the pages.

An anonymous criticism's author is never given (``author`` is null), except to the
moderation commission through ``POST …/author``, which writes the look to the record
first."""

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
from collegium.criticism import permissions as cperm
from collegium.criticism import selectors as sel
from collegium.criticism import services
from collegium.criticism.models import Criticism, ModerationAct
from collegium.criticism.transitions import CriticismError
from collegium.decisions.models import Decision
from collegium.elections.models import Seat
from collegium.federation.models import Body, Member
from collegium.federation.permissions import member_of

router = Router(tags=["criticism"])

PAGE_SIZE = 50
MAX_TEXT = services.MAX_TEXT


# ---------------------------------------------------------------------------- schemas


class CriticismItem(Schema):
    public_id: str
    body: str = Field(description="Code of the addressed body.")
    title: str | None = Field(description="Null while hidden (to all but author and commission).")
    target: str = Field(description="body, board, seat, decision or plan")
    state: str = Field(description="open, escalated, answered, satisfied or overdue")
    overdue: bool
    level: int = Field(description="0 at the addressed board; +1 per escalation.")
    level_body: str = Field(description="The body whose board must answer now.")
    due_at: dt.datetime
    created_at: dt.datetime
    anonymous: bool
    author: str | None = Field(description="Public member id; null for anonymous criticism.")
    cosignatures: int
    hidden: bool
    hidden_reason: str = Field(description="The charter reason, when hidden.")


class CriticismPage(Schema):
    count: int
    page: int
    pages: int
    items: list[CriticismItem]


class ResponseOut(Schema):
    author: str
    author_name: str
    text: str
    created_at: dt.datetime


class MarkOut(Schema):
    by: str = Field(description="critic or co-signer")
    member: str | None = Field(description="Null for the critic of an anonymous criticism.")
    satisfied: bool


class LevelOut(Schema):
    number: int
    body: str
    reason: str = Field(description="addressed, overdue or unsatisfied")
    opened_at: dt.datetime
    due_at: dt.datetime
    response: ResponseOut | None
    marks: list[MarkOut]


class CoSignerOut(Schema):
    member: str
    name: str
    signed_at: dt.datetime


class AdditionOut(Schema):
    text: str | None
    created_at: dt.datetime


class ActOut(Schema):
    public_id: str
    kind: str = Field(description="hide or unhide")
    reason: str
    commission: str
    moderator: str | None = Field(description="Null when the members' referendum unhid it.")
    created_at: dt.datetime
    appeal: str = Field(description="'', petition, referendum, upheld or rejected")
    appeal_signatures: int
    appeal_needed: int
    referendum: str | None


class CriticismOut(CriticismItem):
    text: str | None = Field(description="Null while hidden (to all but author and commission).")
    target_seat_holder: str | None
    target_decision: str | None
    target_plan: str
    publicity: str
    edited_at: dt.datetime | None
    additions: list[AdditionOut]
    cosigners: list[CoSignerOut]
    levels: list[LevelOut]
    moderation: list[ActOut]
    author_looks: int = Field(description="How often the commission looked at the author.")


class PublishIn(Schema):
    title: str = Field(..., max_length=200)
    text: str = Field(..., max_length=MAX_TEXT)
    target: Literal["body", "board", "seat", "decision", "plan"] = "body"
    seat_holder: str | None = Field(None, description="Public member id of the seat-holder.")
    decision: str | None = Field(None, description="Public id of the body's decision.")
    plan: str = Field("", max_length=200, description="e.g. 'Plan 2027, line 14'")
    anonymous: bool = False
    publicity: Literal["bodies", "federation", "public"] = "bodies"


class EditIn(Schema):
    title: str = Field(..., max_length=200)
    text: str = Field(..., max_length=MAX_TEXT)


class TextIn(Schema):
    text: str = Field(..., max_length=MAX_TEXT)


class MarkIn(Schema):
    satisfied: bool


class ReasonIn(Schema):
    reason: str = Field(..., max_length=300, description="One of the charter's reasons.")


class AuthorOut(Schema):
    member: str
    name: str
    workplace: str
    record_index: int = Field(description="The record entry of this look.")


class AppealOut(Schema):
    criticism: CriticismOut
    referendum: str | None = Field(description="Set when your signature opened it.")


class PendingOut(Schema):
    kind: str
    title: str
    url: str
    since: dt.datetime
    due: dt.datetime | None
    overdue: bool
    note: str


# ---------------------------------------------------------------------------- helpers


def _body(code: str) -> Body:
    body = Body.objects.filter(code=code).first()
    if body is None:
        raise HttpError(404, f"no body with code {code!r}")
    return body


def _readable(request: HttpRequest, public_id: str) -> tuple[Criticism, Member | None]:
    criticism = sel.criticism_by_public_id(public_id)
    if criticism is None:
        raise HttpError(404, f"no criticism {public_id!r}")
    viewer = member_of(caller(request))
    if not cperm.can_read(viewer, criticism):
        raise HttpError(
            403,
            f"this criticism is published to the members of {criticism.body.name} "
            "(and of the bodies it reaches) only",
        )
    return criticism, viewer


def _fail(exc: CriticismError) -> HttpError:
    return HttpError(422, str(exc))


def _item(c: Criticism, viewer: Member | None, now: dt.datetime) -> dict[str, Any]:
    text_ok = cperm.may_see_text(viewer, c)
    return {
        "public_id": c.public_id,
        "body": c.body.code,
        "title": c.title if text_ok else None,
        "target": c.target,
        "state": c.state,
        "overdue": c.awaiting_response and c.due_at <= now,
        "level": c.level,
        "level_body": c.level_body.code,
        "due_at": c.due_at,
        "created_at": c.created_at,
        "anonymous": c.anonymous,
        "author": None if c.anonymous else c.author.public_id,
        "cosignatures": c.cosignatures,
        "hidden": c.hidden,
        "hidden_reason": c.hidden_reason,
    }


def _detail(c: Criticism, viewer: Member | None) -> dict[str, Any]:
    now = timezone.now()
    text_ok = cperm.may_see_text(viewer, c)
    out = _item(c, viewer, now)
    needed = services.appeal_needed(c.body)[0]
    out.update(
        text=c.text if text_ok else None,
        target_seat_holder=c.target_seat.holder.public_id if c.target_seat else None,
        target_decision=c.target_decision.public_id if c.target_decision else None,
        target_plan=c.target_plan,
        publicity=c.publicity,
        edited_at=c.edited_at,
        additions=[
            {"text": a.text if text_ok else None, "created_at": a.created_at}
            for a in sel.additions(c)
        ],
        cosigners=[
            {"member": s.member.public_id, "name": s.member.full_name, "signed_at": s.signed_at}
            for s in sel.cosigners(c)
        ],
        levels=[
            {
                "number": lv.level.number,
                "body": lv.level.body.code,
                "reason": lv.level.reason,
                "opened_at": lv.level.opened_at,
                "due_at": lv.level.due_at,
                "response": {
                    "author": lv.response.author.public_id,
                    "author_name": lv.response.author.full_name,
                    "text": lv.response.text,
                    "created_at": lv.response.created_at,
                }
                if lv.response is not None
                else None,
                "marks": [
                    {
                        "by": "critic" if m.member_id == c.author_id else "co-signer",
                        "member": None
                        if m.member_id == c.author_id and c.anonymous
                        else m.member.public_id,
                        "satisfied": m.satisfied,
                    }
                    for m in lv.marks
                ],
            }
            for lv in sel.criticism_levels(c)
        ],
        moderation=[
            {
                "public_id": a.public_id,
                "kind": a.kind,
                "reason": a.reason,
                "commission": a.commission.code,
                "moderator": a.moderator.public_id if a.moderator else None,
                "created_at": a.created_at,
                "appeal": a.appeal,
                "appeal_signatures": sel.appeal_signatures(a),
                "appeal_needed": needed,
                "referendum": a.referendum.public_id if a.referendum else None,
            }
            for a in sel.moderation_acts(c)
        ],
        author_looks=len(sel.author_looks(c)),
    )
    return out


def _fresh(public_id: str, viewer: Member | None) -> dict[str, Any]:
    c = sel.criticism_by_public_id(public_id)
    assert c is not None
    return _detail(c, viewer)


R = {401: Error, 403: Error, 404: Error, 422: Error}


# ------------------------------------------------------------------------------ reads


@router.get(
    "/bodies/{code}",
    response={200: CriticismPage, 404: Error, 422: Error},
    auth=OPTIONAL,
    summary="Criticism that reached a body (addressed or escalated to it), newest first",
)
def list_for_body(
    request: HttpRequest,
    code: str,
    state: Literal["open", "answered", "overdue", "escalated", "hidden"] | None = Query(
        None, description="Relative to this body's board (escalated: moved past it)."
    ),
    target: Literal["body", "board", "seat", "decision", "plan"] | None = Query(None),
    q: str = Query("", max_length=100, description="Text in the title."),
    page: int = Query(1, ge=1, le=100_000),
) -> dict[str, Any]:
    from django.core.paginator import Paginator

    body = _body(code)
    viewer = member_of(caller(request))
    now = timezone.now()
    items = sel.body_criticism(body, viewer, state=state or "", target=target or "", q=q, now=now)
    paginator = Paginator(items, PAGE_SIZE)
    chosen = paginator.get_page(page)
    return {
        "count": paginator.count,
        "page": chosen.number,
        "pages": paginator.num_pages,
        "items": [_item(c, viewer, now) for c in chosen.object_list],
    }


@router.get(
    "/mine",
    response={200: list[PendingOut], 401: Error, 403: Error},
    auth=REQUIRED,
    summary="Your criticism, responses waiting for your mark, and what is overdue",
)
def mine(request: HttpRequest) -> list[dict[str, Any]]:
    viewer = member_of(caller(request))
    if viewer is None:
        raise HttpError(403, "only members have criticism of their own")
    return [
        {
            "kind": p.kind,
            "title": p.title,
            "url": p.url,
            "since": p.since,
            "due": p.due,
            "overdue": p.overdue,
            "note": p.note,
        }
        for p in sel.member_items(viewer, timezone.now())
    ]


@router.get(
    "/{public_id}",
    response={200: CriticismOut, 401: Error, 403: Error, 404: Error},
    auth=OPTIONAL,
    summary="One criticism with its whole history",
)
def detail(request: HttpRequest, public_id: str) -> dict[str, Any]:
    criticism, viewer = _readable(request, public_id)
    return _detail(criticism, viewer)


# ----------------------------------------------------------------------------- writes


@router.post(
    "/bodies/{code}",
    response={201: CriticismOut, **R},
    auth=REQUIRED,
    summary="Publish a criticism addressed to the body, its board, a seat, a decision or plan",
)
def publish(request: HttpRequest, code: str, data: PublishIn) -> Any:
    body = _body(code)
    seat = decision = None
    if data.target == "seat" and data.seat_holder:
        seat = (
            Seat.objects.filter(body=body, holder__public_id=data.seat_holder, vacated_on=None)
            .order_by("-term_start")
            .first()
        )
        if seat is None:
            raise HttpError(422, f"seat_holder: {data.seat_holder!r} holds no seat of {body.name}")
    if data.target == "decision" and data.decision:
        decision = Decision.objects.filter(public_id=data.decision).first()
        if decision is None:
            raise HttpError(422, f"decision: no decision {data.decision!r}")
    try:
        criticism = services.criticism_publish(
            user=caller(request),
            body=body,
            title=data.title,
            text=data.text,
            target=data.target,
            seat=seat,
            decision=decision,
            plan=data.plan,
            anonymous=data.anonymous,
            publicity=data.publicity,
        )
    except CriticismError as exc:
        raise _fail(exc) from None
    return Status(201, _fresh(criticism.public_id, member_of(caller(request))))


def _act(public_id: str, request: HttpRequest, do: Any) -> dict[str, Any]:
    criticism, viewer = _readable(request, public_id)
    try:
        do(criticism)
    except CriticismError as exc:
        raise _fail(exc) from None
    return _fresh(public_id, viewer)


@router.post(
    "/{public_id}/edit",
    response={200: CriticismOut, **R},
    auth=REQUIRED,
    summary="Correct the text (the author, only before anyone co-signs)",
)
def edit(request: HttpRequest, public_id: str, data: EditIn) -> dict[str, Any]:
    return _act(
        public_id,
        request,
        lambda c: services.criticism_edit(
            user=caller(request), criticism=c, title=data.title, text=data.text
        ),
    )


@router.post(
    "/{public_id}/additions",
    response={200: CriticismOut, **R},
    auth=REQUIRED,
    summary="Add to the criticism (the author)",
)
def add(request: HttpRequest, public_id: str, data: TextIn) -> dict[str, Any]:
    return _act(
        public_id,
        request,
        lambda c: services.addition_add(user=caller(request), criticism=c, text=data.text),
    )


@router.post(
    "/{public_id}/cosign",
    response={200: CriticismOut, **R},
    auth=REQUIRED,
    summary="Co-sign (once; not the author)",
)
def cosign(request: HttpRequest, public_id: str) -> dict[str, Any]:
    return _act(
        public_id, request, lambda c: services.criticism_cosign(user=caller(request), criticism=c)
    )


@router.post(
    "/{public_id}/responses",
    response={200: CriticismOut, **R},
    auth=REQUIRED,
    summary="Respond for the board that must answer now",
)
def respond(request: HttpRequest, public_id: str, data: TextIn) -> dict[str, Any]:
    return _act(
        public_id,
        request,
        lambda c: services.response_publish(user=caller(request), criticism=c, text=data.text),
    )


@router.post(
    "/{public_id}/marks",
    response={200: CriticismOut, **R},
    auth=REQUIRED,
    summary="Mark the latest response satisfactory or not (critic and co-signers)",
)
def mark(request: HttpRequest, public_id: str, data: MarkIn) -> dict[str, Any]:
    return _act(
        public_id,
        request,
        lambda c: services.response_mark(
            user=caller(request), criticism=c, satisfied=data.satisfied
        ),
    )


@router.post(
    "/{public_id}/hide",
    response={200: CriticismOut, **R},
    auth=REQUIRED,
    summary="Hide for a charter reason (the moderation commission)",
)
def hide(request: HttpRequest, public_id: str, data: ReasonIn) -> dict[str, Any]:
    return _act(
        public_id,
        request,
        lambda c: services.criticism_hide(user=caller(request), criticism=c, reason=data.reason),
    )


@router.post(
    "/{public_id}/author",
    response={200: AuthorOut, **R},
    auth=REQUIRED,
    summary="Look at an anonymous author (the moderation commission; on the record first)",
)
def author(request: HttpRequest, public_id: str, data: ReasonIn) -> dict[str, Any]:
    criticism, _viewer = _readable(request, public_id)
    try:
        member = services.author_reveal(
            user=caller(request), criticism=criticism, reason=data.reason
        )
    except CriticismError as exc:
        raise _fail(exc) from None
    look = sel.author_looks(criticism)[-1]
    return {
        "member": member.public_id,
        "name": member.full_name,
        "workplace": member.workplace.code,
        "record_index": look.record_index,
    }


@router.post(
    "/{public_id}/moderation/{act_id}/appeal",
    response={200: AppealOut, **R},
    auth=REQUIRED,
    summary="Sign the appeal against a hiding (the author starts it)",
)
def appeal(request: HttpRequest, public_id: str, act_id: str) -> dict[str, Any]:
    criticism, viewer = _readable(request, public_id)
    act = ModerationAct.objects.filter(public_id=act_id, criticism=criticism).first()
    if act is None:
        raise HttpError(404, f"no moderation act {act_id!r} on this criticism")
    try:
        decision = services.appeal_sign(user=caller(request), act=act)
    except CriticismError as exc:
        raise _fail(exc) from None
    return {
        "criticism": _fresh(public_id, viewer),
        "referendum": decision.public_id if decision is not None else None,
    }
