"""Small reads the pages need that the apps' selectors do not offer (yet).

They only read; every write goes through the apps' services.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from collegium.elections.models import Election, RecallPetition
from collegium.elections.selectors import seats_held as current_seats
from collegium.federation.models import Body, BodyKind, Charter, Member
from collegium.federation.selectors import (
    CategoryCount,
    body_by_code,
    body_children,
    charter_history,
    commission_members,
    member_by_public_id,
)
from collegium.record.selectors import actor_entries

__all__ = [
    "actor_entries",
    "body_by_code",
    "body_children",
    "charter_history",
    "commission_members",
    "current_seats",
    "member_by_public_id",
]
from collegium.record.models import Entry


@dataclass(frozen=True)
class TreeRow:
    body: Body
    members: int
    indent: int


def tree_rows(bodies: list[Body], counts: dict[int, int]) -> list[TreeRow]:
    """Bodies in tree order with their member counts. Commissions count their seat-holders
    elsewhere; here they show no member count of their own."""
    return [
        TreeRow(b, 0 if b.kind == BodyKind.COMMISSION else counts.get(b.pk, 0), min(b.depth, 8))
        for b in bodies
    ]


def member_viewer(user: object) -> Member | None:
    """The signed-in member with their workplace loaded (one query instead of two)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Member.objects.select_related("workplace", "workplace__parent").filter(user=user).first()  # type: ignore[misc]


def member_search(members: QuerySet[Member], text: str) -> QuerySet[Member]:
    members = members.select_related("category", "workplace")
    for word in text.split()[:5]:
        members = members.filter(
            Q(given_name__icontains=word)
            | Q(family_name__icontains=word)
            | Q(member_no__iexact=word)
        )
    return members


def charter_own(body: Body | None) -> Charter | None:
    if body is None:
        return Charter.objects.filter(body__isnull=True).first()
    return Charter.objects.filter(body=body).first()


def entries_page_bodies(entries: list[Entry]) -> dict[int, Body]:
    ids = {e.body_id for e in entries if e.body_id}
    return Body.objects.in_bulk(ids) if ids else {}


@dataclass(frozen=True)
class Bar:
    code: str
    name: str
    count: int
    percent: str  # "37.5", formatted here so templates never localise it
    width: str


def composition_bars(rows: list[CategoryCount]) -> list[Bar]:
    return [
        Bar(r.code, r.name, r.count, f"{r.share * 100:.1f}", f"{r.share * 100:.2f}") for r in rows
    ]


def open_in_bodies(bodies: list[Body]) -> tuple[list[Election], list[RecallPetition]]:
    """Elections taking nominations or votes, and recalls still open, in these bodies.

    The home page lists them so a member sees at once where they can act.
    """
    elections = list(
        Election.objects.filter(
            body__in=bodies, state__in=[Election.State.NOMINATION, Election.State.VOTING]
        )
        .select_related("body")
        .order_by("voting_closes_at", "id")
    )
    recalls = list(
        RecallPetition.objects.filter(
            seat__body__in=bodies,
            state__in=[RecallPetition.State.COLLECTING, RecallPetition.State.BALLOT],
        )
        .select_related("seat__body", "seat__holder")
        .order_by("opened_at", "id")
    )
    return elections, recalls


def entry_actor_names(entries: list[Entry], user: object) -> dict[str, str]:
    """Names of the members who acted in these entries, for a viewer allowed to see them.

    The record itself holds only opaque ids; a page may put the name beside the id for a
    viewer whom ``can_see_member`` lets see that member (a fellow member of a body).
    """
    from collegium.federation.permissions import can_see_member, member_of

    viewer = member_of(user)
    if viewer is None:
        return {}
    ids = {e.actor_id for e in entries if str(e.actor_id).startswith("m_")}
    if not ids:
        return {}
    mine = viewer.workplace.path.strip("/").split("/")
    names: dict[str, str] = {}
    # can_see_member turns on the deepest body the two workplaces share, so ask it once
    # per such body (a handful at most), not once per member: the page's queries stay few.
    allowed: dict[tuple[str, ...], bool] = {}
    for member in Member.objects.filter(public_id__in=ids).select_related("workplace"):
        theirs = member.workplace.path.strip("/").split("/")
        shared: list[str] = []
        for a, b in zip(mine, theirs, strict=False):
            if a != b:
                break
            shared.append(a)
        key = ("self",) if member.pk == viewer.pk else tuple(shared)
        if key not in allowed:
            allowed[key] = can_see_member(user, member)
        if allowed[key]:
            names[member.public_id] = member.full_name
    return names
