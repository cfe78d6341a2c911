"""Who may address, read, moderate and look behind anonymity, from membership and
elected positions only."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from collegium.criticism.models import Criticism
from collegium.federation.models import Body, BodyKind, Member
from collegium.federation.permissions import belongs_to, holds_seat
from collegium.federation.selectors import commission_for


def member_body_ids(member: Member | None) -> list[int]:
    """The member's workplace and every body above it."""
    if member is None or not member.active:
        return []
    return [int(p) for p in member.workplace.path.strip("/").split("/") if p]


def can_address(member: Member | None, body: Body) -> bool:
    """A member addresses criticism to their workplace, any body above it, and the
    commissions attached to those bodies."""
    if member is None or not member.active:
        return False
    if body.kind == BodyKind.COMMISSION:
        return body.parent_id is not None and body.parent_id in member_body_ids(member)
    return belongs_to(member, body)


def moderation_commission(criticism: Criticism) -> Body | None:
    return commission_for(criticism.body, "moderation")


def is_moderator(member: Member | None, criticism: Criticism) -> bool:
    commission = moderation_commission(criticism)
    return commission is not None and holds_seat(member, commission)


def concerned_seat_holder(member: Member | None, criticism: Criticism) -> bool:
    """Sits on a board the criticism reaches, or is the seat-holder it names."""
    if member is None:
        return False
    seat = criticism.target_seat
    if seat is not None and seat.holder_id == member.pk:
        return True
    body_ids = [criticism.body_id, *criticism.levels.values_list("body_id", flat=True)]
    return any(holds_seat(member, b) for b in Body.objects.filter(pk__in=body_ids))


def can_read(member: Member | None, criticism: Criticism) -> bool:
    if criticism.publicity == Criticism.Publicity.PUBLIC:
        return True
    if member is None or not member.active:
        return False
    if criticism.publicity == Criticism.Publicity.FEDERATION:
        return True
    if member.pk == criticism.author_id:
        return True
    ids = set(member_body_ids(member))
    if criticism.body_id in ids or criticism.author_body_id in ids:
        return True
    if ids.intersection(criticism.levels.values_list("body_id", flat=True)):
        return True
    return is_moderator(member, criticism)


def readable(items: QuerySet[Criticism], member: Member | None, body: Body) -> QuerySet[Criticism]:
    """Restrict a body's listing to what ``member`` may read (one SQL condition)."""
    if member is not None and (belongs_to(member, body) or _moderates_body(member, body)):
        return items
    if member is None or not member.active:
        return items.filter(publicity=Criticism.Publicity.PUBLIC)
    ids = member_body_ids(member)
    return items.filter(
        Q(publicity__in=[Criticism.Publicity.PUBLIC, Criticism.Publicity.FEDERATION])
        | Q(author=member)
        | Q(author_body_id__in=ids)
        | Q(body_id__in=ids)
    )


def _moderates_body(member: Member, body: Body) -> bool:
    commission = commission_for(body, "moderation")
    return commission is not None and holds_seat(member, commission)


def may_see_text(member: Member | None, criticism: Criticism) -> bool:
    """A hidden criticism's text is shown to its author and the moderation commission."""
    if not criticism.hidden:
        return True
    if member is None:
        return False
    return member.pk == criticism.author_id or is_moderator(member, criticism)


def shows_author(viewer: Any, criticism: Criticism) -> bool:
    """Whether a page may name the author to this viewer: never for anonymous items
    (the author sees "you" on their own pages, not their name in public lists)."""
    return not criticism.anonymous
