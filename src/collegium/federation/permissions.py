"""Who may do what, derived from membership and elected positions only."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from collegium.federation.models import Body, Member


class PermissionDenied(Exception):
    """Raised by services; views and the API turn it into 403 with its message."""


def member_of(user: Any) -> Member | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return getattr(user, "member", None)


def belongs_to(member: Member | None, body: Body) -> bool:
    """A member belongs to their workplace and to every body above it; a commission's
    members are those who hold a seat on it."""
    if member is None or not member.active:
        return False
    if body.kind == "commission":
        return holds_seat(member, body)
    return member.workplace.path.startswith(body.path)


def holds_seat(member: Member | None, body: Body) -> bool:
    """A current board seat on the body; a member no longer active holds none."""
    if member is None or not member.active:
        return False
    today = timezone.localdate()
    return member.seats.filter(
        body=body,
        role="board",
        vacated_on__isnull=True,
        term_start__lte=today,
        term_end__gte=today,
    ).exists()


def can_see_member_list(user: Any, body: Body) -> bool:
    return belongs_to(member_of(user), body)


def can_see_member(user: Any, member: Member) -> bool:
    """A member's page is open to members of any body the member belongs to."""
    viewer = member_of(user)
    if viewer is None:
        return False
    if viewer.pk == member.pk:
        return True
    return belongs_to(viewer, common_root(viewer.workplace, member.workplace))


def common_root(a: Body, b: Body) -> Body:
    ids_a = [int(p) for p in a.path.strip("/").split("/")]
    ids_b = [int(p) for p in b.path.strip("/").split("/")]
    shared = None
    for x, y in zip(ids_a, ids_b, strict=False):
        if x != y:
            break
        shared = x
    if shared is None:
        return a
    return Body.objects.get(pk=shared)


def charter_authority(body: Body | None) -> Body | None:
    """The body whose board may change a charter: the body itself; for the federation's
    default charter, the congress."""
    if body is not None:
        return body
    return Body.objects.filter(kind="congress").first()


def can_change_charter(user: Any, body: Body | None) -> bool:
    authority = charter_authority(body)
    return authority is not None and holds_seat(member_of(user), authority)


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def can_import(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_operator", False))
