"""Bodies, members and charters: the same reads, writes and permissions as the pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.errors import HttpError
from ninja.params.functions import Query

from collegium.api import selectors as api_selectors
from collegium.api.auth import OPTIONAL, REQUIRED, caller
from collegium.api.schemas import (
    BodyDetail,
    BodyListItem,
    Charter,
    CharterChangeOut,
    CharterPatch,
    Error,
    Me,
    MemberDetail,
    MemberPage,
)
from collegium.elections.selectors import board_seats
from collegium.federation import permissions, selectors, services
from collegium.federation.models import Body, Member

router = Router(tags=["federation"])


def _body_or_404(code: str) -> Body:
    body = api_selectors.body_by_code(code)
    if body is None:
        raise HttpError(404, f"no body with code {code!r}")
    return body


def _ref(body: Body) -> dict[str, str]:
    return {"code": body.code, "name": body.name, "kind": body.kind}


def _member_summary(member: Member) -> dict[str, Any]:
    return {
        "public_id": member.public_id,
        "given_name": member.given_name,
        "family_name": member.family_name,
        "category": member.category.code,
        "workplace": _ref(member.workplace),
    }


def _member_detail(member: Member) -> dict[str, Any]:
    return {
        **_member_summary(member),
        "joined_on": member.joined_on,
        "bodies": [_ref(b) for b in selectors.member_bodies(member)],
        "seats": [
            {
                "body": _ref(s.body),
                "role": getattr(s, "role", "board"),
                "term_start": s.term_start,
                "term_end": s.term_end,
            }
            for s in api_selectors.seats_held(member)
        ],
    }


def _charter_fields(body: Body | None) -> list[dict[str, Any]]:
    return [
        {
            "name": v.name,
            "label": v.label,
            "help": v.help,
            "unit": v.unit,
            "value": v.value,
            "source": v.source,
            "own": v.own,
            "min": v.minimum,
            "max": v.maximum,
        }
        for v in selectors.charter_effective(body)
    ]


def _charter(user: Any, body: Body | None) -> dict[str, Any]:
    return {
        "body": _ref(body) if body is not None else None,
        "fields": _charter_fields(body),
        "can_change": permissions.can_change_charter(user, body),
    }


# ---------------------------------------------------------------------------------- bodies


@router.get("/bodies", response=list[BodyListItem], auth=OPTIONAL, summary="All bodies")
def list_bodies(request: HttpRequest) -> list[dict[str, Any]]:
    """Every body of the federation in tree order, with how many members belong to it."""
    bodies = selectors.body_tree()
    counts = selectors.member_counts_by_body()
    code_by_id = {b.pk: b.code for b in bodies}
    result = []
    for b in bodies:
        ids = [int(p) for p in b.path.strip("/").split("/") if p]
        parent_id = ids[-2] if len(ids) > 1 else None
        result.append(
            {
                "code": b.code,
                "name": b.name,
                "kind": b.kind,
                "parent_code": code_by_id.get(parent_id) if parent_id else None,
                "depth": b.depth,
                "member_count": counts.get(b.pk, 0),
            }
        )
    return result


@router.get(
    "/bodies/{code}",
    response={200: BodyDetail, 404: Error},
    auth=OPTIONAL,
    summary="One body: its place, composition, board and charter",
)
def get_body(request: HttpRequest, code: str) -> dict[str, Any]:
    body = _body_or_404(code)
    members = api_selectors.members_of(body, selectors.body_members(body))
    children = api_selectors.body_children(body)
    parent = body_ancestors[-1] if (body_ancestors := selectors.body_ancestors(body)) else None
    return {
        "code": body.code,
        "name": body.name,
        "kind": body.kind,
        "depth": body.depth,
        "parent": _ref(parent) if parent else None,
        "ancestors": [_ref(a) for a in body_ancestors],
        "children": [_ref(c) for c in children if c.kind != "commission"],
        "commissions": [_ref(c) for c in children if c.kind == "commission"],
        "member_count": members.count(),
        "composition": [
            {"code": c.code, "name": c.name, "count": c.count, "share": c.share}
            # composition() groups by category: an ordering would split the groups.
            for c in selectors.composition(members.order_by())
        ],
        "board": [
            {
                "member": _member_summary(s.holder),
                "term_start": s.term_start,
                "term_end": s.term_end,
                "basis": s.basis,
            }
            for s in board_seats(body).select_related("holder__workplace")
        ],
        "charter": _charter_fields(body),
    }


@router.get(
    "/bodies/{code}/members",
    response={200: MemberPage, 401: Error, 403: Error, 404: Error, 422: Error},
    auth=REQUIRED,
    summary="Members of a body (for its own members)",
)
def list_body_members(
    request: HttpRequest,
    code: str,
    page: int = Query(1, ge=1, le=1_000_000),
    page_size: int = Query(50, ge=1, le=500),
) -> dict[str, Any]:
    """The member list is open to members who belong to the body, as on the pages;
    the public sees the counts in ``GET /api/bodies/{code}``."""
    body = _body_or_404(code)
    if not permissions.can_see_member_list(caller(request), body):
        raise HttpError(
            403,
            f"only members of {body.name} may see its member list; "
            "everyone may see its counts at /api/bodies/" + body.code,
        )
    members = api_selectors.members_of(body, selectors.body_members(body))
    count = members.count()
    start = (page - 1) * page_size
    return {
        "count": count,
        "page": page,
        "page_size": page_size,
        "items": [_member_summary(m) for m in members[start : start + page_size]],
    }


# --------------------------------------------------------------------------------- members


@router.get(
    "/members/{public_id}",
    response={200: MemberDetail, 401: Error, 404: Error},
    auth=REQUIRED,
    summary="One member",
)
def get_member(request: HttpRequest, public_id: str) -> dict[str, Any]:
    """Open to members of a body the member belongs to; anyone else gets 404."""
    member = api_selectors.member_by_public_id(public_id)
    if member is None or not permissions.can_see_member(caller(request), member):
        raise HttpError(404, f"no member {public_id!r} that you may see")
    return _member_detail(member)


@router.get("/me", response={200: Me, 401: Error}, auth=REQUIRED, summary="Who am I")
def get_me(request: HttpRequest) -> dict[str, Any]:
    user = caller(request)
    member = permissions.member_of(user)
    return {
        "username": user.get_username(),
        "is_operator": bool(getattr(user, "is_operator", False)),
        "email": user.email or (member.email if member else ""),
        "member": _member_detail(member) if member is not None else None,
    }


# -------------------------------------------------------------------------------- charters


def _charter_patch(request: HttpRequest, body: Body | None, data: CharterPatch) -> Any:
    user = caller(request)
    services.charter_change(user=user, body=body, changes=data.changes, reason=data.reason)
    return _charter(user, body)


def _history(body: Body | None) -> list[dict[str, Any]]:
    result = []
    for change in api_selectors.charter_history(body):
        changer = permissions.member_of(change.changed_by)
        result.append(
            {
                "changed_at": change.changed_at,
                "changed_by": changer.public_id if changer else None,
                "changes": change.changes,
                "reason": change.reason,
                "record_index": change.record_index,
            }
        )
    return result


CHARTER_WRITE_RESPONSES = {200: Charter, 401: Error, 403: Error, 404: Error, 422: Error}


@router.get("/charter", response=Charter, auth=OPTIONAL, summary="The federation's default charter")
def get_default_charter(request: HttpRequest) -> dict[str, Any]:
    return _charter(caller(request), None)


@router.patch(
    "/charter",
    response=CHARTER_WRITE_RESPONSES,
    auth=REQUIRED,
    summary="Change the federation's default charter (board of the congress)",
)
def patch_default_charter(request: HttpRequest, data: CharterPatch) -> Any:
    """A value of null clears nothing here: the federation default cannot be empty."""
    return _charter_patch(request, None, data)


@router.get(
    "/charter/history",
    response=list[CharterChangeOut],
    auth=OPTIONAL,
    summary="Changes to the federation's default charter",
)
def get_default_charter_history(request: HttpRequest) -> list[dict[str, Any]]:
    return _history(None)


@router.get(
    "/bodies/{code}/charter",
    response={200: Charter, 404: Error},
    auth=OPTIONAL,
    summary="A body's effective charter",
)
def get_body_charter(request: HttpRequest, code: str) -> dict[str, Any]:
    return _charter(caller(request), _body_or_404(code))


@router.patch(
    "/bodies/{code}/charter",
    response=CHARTER_WRITE_RESPONSES,
    auth=REQUIRED,
    summary="Change a body's charter (its board)",
)
def patch_body_charter(request: HttpRequest, code: str, data: CharterPatch) -> Any:
    """Set values with whole numbers; null makes a value inherit from above again."""
    return _charter_patch(request, _body_or_404(code), data)


@router.get(
    "/bodies/{code}/charter/history",
    response={200: list[CharterChangeOut], 404: Error},
    auth=OPTIONAL,
    summary="Changes to a body's charter",
)
def get_body_charter_history(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    return _history(_body_or_404(code))
