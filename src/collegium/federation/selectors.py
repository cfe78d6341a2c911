"""Reads for the federation: the tree, composition, effective charters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet

from collegium.federation.charters import (
    DEFAULT_MODERATION_REASONS,
    DEFAULTS,
    FIELDS,
    MODERATION_REASONS,
)
from collegium.federation.models import Body, Category, Charter, CharterChange, Member


def body_tree() -> list[Body]:
    """All bodies in tree order (path order) with their depth, for indented listing."""
    return list(Body.objects.order_by("path").only("id", "code", "name", "kind", "depth", "path"))


def body_ancestors(body: Body) -> list[Body]:
    ids = body.ancestor_ids()
    by_id = Body.objects.in_bulk(ids)
    return [by_id[i] for i in ids if i in by_id]


def body_members(body: Body) -> QuerySet[Member]:
    """Active members who belong to the body (workplace at or below it)."""
    return Member.objects.filter(active=True, workplace__path__startswith=body.path)


def member_counts_by_body() -> dict[int, int]:
    """Members belonging to each body, subtrees included, in two queries."""
    direct = dict(
        Member.objects.filter(active=True)
        .values_list("workplace_id")
        .annotate(n=Count("id"))
        .values_list("workplace_id", "n")
    )
    totals: dict[int, int] = {}
    for body_id, path in Body.objects.values_list("id", "path"):
        n = direct.get(body_id, 0)
        if not n:
            continue
        for part in path.strip("/").split("/"):
            totals[int(part)] = totals.get(int(part), 0) + n
    return totals


@dataclass(frozen=True)
class CategoryCount:
    code: str
    name: str
    count: int
    share: float


def composition(members: QuerySet[Member]) -> list[CategoryCount]:
    # Clear any ordering: it would split the GROUP BY into one group per sort key.
    counts = dict(members.order_by().values_list("category__code").annotate(n=Count("id")))
    total = sum(counts.values())
    return [
        CategoryCount(
            c.code, c.name, counts.get(c.code, 0), counts.get(c.code, 0) / total if total else 0.0
        )
        for c in Category.objects.all()
    ]


@dataclass(frozen=True)
class CharterValue:
    name: str
    label: str
    help: str
    unit: str
    value: int
    source: str  # "this body", a body name, or "federation default"
    own: bool
    minimum: int
    maximum: int


def charter_effective(body: Body | None) -> list[CharterValue]:
    """Each charter value with where it comes from: the nearest body up the tree that
    sets it, else the federation default."""
    chain: list[Body] = []
    if body is not None:
        chain = [body, *reversed(body_ancestors(body))]
    rows: dict[int | None, Charter] = {c.body_id: c for c in Charter.objects.filter(body__in=chain)}
    default_row = Charter.objects.filter(body__isnull=True).first()
    values = []
    for field in FIELDS:
        value, source, own = None, "federation default", False
        for i, b in enumerate(chain):
            row = rows.get(b.pk)
            if row is not None and getattr(row, field.name) is not None:
                value = getattr(row, field.name)
                source = "this body" if i == 0 else b.name
                own = i == 0
                break
        if value is None:
            default = getattr(default_row, field.name, None) if default_row else None
            value = default if default is not None else DEFAULTS[field.name]
            own = body is None
        values.append(
            CharterValue(
                field.name,
                field.label,
                field.help,
                field.unit,
                value,
                source,
                own,
                field.minimum,
                field.maximum,
            )
        )
    return values


def moderation_reasons(body: Body | None) -> tuple[list[str], str]:
    """The moderation reasons in force for a body and where they come from."""
    chain: list[Body] = []
    if body is not None:
        chain = [body, *reversed(body_ancestors(body))]
    rows = {
        c.body_id: c.moderation_reasons
        for c in Charter.objects.filter(body__in=chain, moderation_reasons__isnull=False)
    }
    for i, b in enumerate(chain):
        own = rows.get(b.pk)
        if own:
            return list(own), "this body" if i == 0 else b.name
    default_row = Charter.objects.filter(body__isnull=True).first()
    if default_row is not None and default_row.moderation_reasons:
        return list(default_row.moderation_reasons), "federation default"
    return list(DEFAULT_MODERATION_REASONS), "federation default"


def charter_as_dict(body: Body | None) -> dict[str, Any]:
    """Every effective charter value by name, the moderation reasons as a list."""
    values: dict[str, Any] = {v.name: v.value for v in charter_effective(body)}
    values[MODERATION_REASONS] = moderation_reasons(body)[0]
    return values


def member_bodies(member: Member) -> list[Body]:
    """The member's workplace and every body above it, top first, plus commissions and
    boards they sit on."""
    ids = [int(p) for p in member.workplace.path.strip("/").split("/")]
    by_id = Body.objects.in_bulk(ids)
    return [by_id[i] for i in ids if i in by_id]


def body_by_code(code: str) -> Body | None:
    return Body.objects.filter(code=code).first()


def body_children(body: Body) -> list[Body]:
    return list(Body.objects.filter(parent=body).order_by("kind", "name"))


def member_by_public_id(public_id: str, *, active_only: bool = False) -> Member | None:
    members = Member.objects.select_related(
        "workplace", "workplace__parent", "category", "user"
    ).filter(public_id=public_id)
    if active_only:
        members = members.filter(active=True)
    return members.first()


def commission_members(body: Body) -> QuerySet[Member]:
    """A commission's members are its current seat-holders."""
    from django.utils import timezone

    today = timezone.localdate()
    return Member.objects.filter(
        active=True,
        seats__body=body,
        seats__role="board",
        seats__vacated_on__isnull=True,
        seats__term_start__lte=today,
        seats__term_end__gte=today,
    )


def charter_history(body: Body | None) -> QuerySet[CharterChange]:
    changes = CharterChange.objects.select_related("changed_by", "changed_by__member")
    changes = changes.filter(body__isnull=True) if body is None else changes.filter(body=body)
    return changes.order_by("-changed_at", "-id")


def commission_for(body: Body, function: str) -> Body | None:
    """The commission with this function that serves a body: its own, else the nearest
    one up the tree (the congress's commission serves the whole federation)."""
    chain = [body, *reversed(body_ancestors(body))]
    found = {
        c.parent_id: c
        for c in Body.objects.filter(
            kind="commission", function=function, parent__in=chain
        ).order_by("-id")
    }
    for b in chain:
        if b.pk in found:
            return found[b.pk]
    return None
