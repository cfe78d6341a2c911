"""Reads for housing: the register, the waiting list in order of need, what is pending."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from collegium.conditions.selectors import open_reports_by_dwelling
from collegium.federation.models import Body, Member
from collegium.federation.pending import PendingItem
from collegium.housing.models import (
    Allocation,
    Application,
    Condition,
    Dwelling,
    DwellingState,
    HousingPolicy,
    Occupancy,
)
from collegium.housing.scoring import (
    DEFAULT_WEIGHTS,
    Need,
    Ranked,
    Terms,
    Weights,
    months_between,
    need_score,
    rank,
)

# ---------------------------------------------------------------------------- register


def dwelling_by_code(code: str) -> Dwelling | None:
    return Dwelling.objects.select_related("body").filter(code=code).first()


STATE_ORDER = Case(
    When(state=DwellingState.VACANT, then=Value(0)),
    When(state=DwellingState.UNDER_REPAIR, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def body_dwellings(
    body: Body,
    *,
    state: str = "",
    condition: str = "",
    text: str = "",
    min_rooms: int | None = None,
) -> QuerySet[Dwelling]:
    """A body's dwellings, vacant first, then under repair, then occupied; by code."""
    dwellings = Dwelling.objects.filter(body=body)
    if state:
        dwellings = dwellings.filter(state=state)
    if condition:
        dwellings = dwellings.filter(condition=condition)
    if text.strip():
        dwellings = dwellings.filter(
            Q(code__icontains=text.strip()) | Q(address__icontains=text.strip())
        )
    if min_rooms is not None:
        dwellings = dwellings.filter(rooms__gte=min_rooms)
    return dwellings.annotate(state_order=STATE_ORDER).order_by("state_order", "code")


def dwelling_counts(body: Body) -> dict[str, int]:
    counts = {s: 0 for s in DwellingState.values}
    for state in Dwelling.objects.filter(body=body).values_list("state", flat=True).order_by():
        counts[state] += 1
    return counts


def dwelling_occupancies(dwelling: Dwelling) -> list[Occupancy]:
    return list(
        Occupancy.objects.filter(dwelling=dwelling)
        .select_related("head", "allocation")
        .order_by("-since", "-id")
    )


def current_occupancy(dwelling: Dwelling) -> Occupancy | None:
    return (
        Occupancy.objects.filter(dwelling=dwelling, ended=False)
        .select_related("head")
        .order_by("-since", "-id")
        .first()
    )


def dwelling_allocations(dwelling: Dwelling) -> list[Allocation]:
    return list(
        Allocation.objects.filter(dwelling=dwelling)
        .select_related("application__member", "decision", "proposed_by")
        .order_by("-created_at", "-id")
    )


# ------------------------------------------------------------------------------ policy


def current_policy(body: Body) -> HousingPolicy | None:
    return HousingPolicy.objects.filter(body=body).order_by("-set_at", "-id").first()


def weights_of(policy: HousingPolicy | None) -> Weights:
    if policy is None:
        return DEFAULT_WEIGHTS
    return Weights(
        w_crowding=policy.w_crowding,
        w_conditions=policy.w_conditions,
        w_waiting=policy.w_waiting,
        w_unfit=policy.w_unfit,
        no_dwelling_crowding=policy.no_dwelling_crowding,
    )


def policy_history(body: Body) -> list[HousingPolicy]:
    return list(
        HousingPolicy.objects.filter(body=body).select_related("set_by").order_by("-set_at", "-id")
    )


# -------------------------------------------------------------------------- waiting list


@dataclass(frozen=True)
class Applicant:
    """One application as the list shows it (read in one query, no model instances)."""

    pk: int
    public_id: str
    member_id: int
    member_public_id: str
    name: str
    household_size: int
    rooms_now: int | None  # rooms of the present home; None: no home of their own
    applied_at: dt.datetime


@dataclass(frozen=True)
class WaitingList:
    body: Body
    policy: HousingPolicy | None
    weights: Weights
    rows: list[Ranked[Applicant]]
    pending: dict[int, Allocation]  # application id → allocation before the board

    def place_of(self, application_id: int) -> Ranked[Applicant] | None:
        for row in self.rows:
            if row.key.pk == application_id:
                return row
        return None

    def place_of_member(self, member_id: int) -> Ranked[Applicant] | None:
        for row in self.rows:
            if row.key.member_id == member_id:
                return row
        return None


def _need(
    people: int,
    dwelling_id: int | None,
    dwelling_rooms: int | None,
    dwelling_condition: str | None,
    own_rooms: int | None,
    applied_at: dt.datetime,
    reports: dict[int, int],
    now: dt.datetime,
) -> Need:
    if dwelling_id is not None:
        return Need(
            people=people,
            rooms=dwelling_rooms,
            open_reports=reports.get(dwelling_id, 0),
            months_waiting=months_between(applied_at, now),
            unfit=dwelling_condition == Condition.UNFIT,
        )
    return Need(
        people=people,
        rooms=own_rooms,
        open_reports=0,
        months_waiting=months_between(applied_at, now),
        unfit=False,
    )


def application_need(application: Application, reports: dict[int, int], now: dt.datetime) -> Need:
    dwelling = application.current_dwelling
    return _need(
        application.household_size,
        dwelling.pk if dwelling is not None else None,
        dwelling.rooms if dwelling is not None else None,
        dwelling.condition if dwelling is not None else None,
        application.current_rooms,
        application.applied_at,
        reports,
        now,
    )


def application_terms(application: Application, now: dt.datetime) -> Terms:
    weights = weights_of(current_policy(application.body))
    return need_score(application_need(application, open_reports_by_dwelling(), now), weights)


def waiting_list(body: Body, now: dt.datetime) -> WaitingList:
    """Every active application of the body, scored and ranked (four queries)."""
    policy = current_policy(body)
    weights = weights_of(policy)
    reports = open_reports_by_dwelling()
    rows = (
        Application.objects.filter(body=body, state=Application.State.ACTIVE)
        .order_by()
        .values_list(
            "pk",
            "public_id",
            "member_id",
            "member__public_id",
            "member__given_name",
            "member__family_name",
            "household_size",
            "current_dwelling_id",
            "current_dwelling__rooms",
            "current_dwelling__condition",
            "current_rooms",
            "applied_at",
        )
    )
    entries = []
    for pk, pid, mid, mpid, given, family, size, did, drooms, dcond, rooms, applied in rows:
        terms = need_score(_need(size, did, drooms, dcond, rooms, applied, reports, now), weights)
        applicant = Applicant(
            pk, pid, mid, mpid, f"{given} {family}", size, drooms if did else rooms, applied
        )
        entries.append((applicant, terms, applied, pk))
    pending = {
        a.application_id: a
        for a in Allocation.objects.filter(body=body, state=Allocation.State.VOTING)
        .select_related("dwelling", "decision")
        .order_by("created_at")
    }
    return WaitingList(body, policy, weights, rank(entries), pending)


def application_by_public_id(public_id: str) -> Application | None:
    return (
        Application.objects.select_related("body", "member", "current_dwelling")
        .filter(public_id=public_id)
        .first()
    )


def member_applications(member: Member) -> list[Application]:
    return list(
        Application.objects.filter(member=member)
        .select_related("body", "current_dwelling")
        .order_by("-applied_at", "-id")
    )


def active_application(member: Member, body: Body) -> Application | None:
    return Application.objects.filter(
        member=member, body=body, state=Application.State.ACTIVE
    ).first()


def allocation_by_public_id(public_id: str) -> Allocation | None:
    return (
        Allocation.objects.select_related(
            "body", "dwelling", "application__member", "proposed_by", "decision", "proposal"
        )
        .filter(public_id=public_id)
        .first()
    )


def body_allocations(body: Body, *, limit: int = 20) -> list[Allocation]:
    return list(
        Allocation.objects.filter(body=body)
        .select_related("dwelling", "application__member", "decision")
        .order_by("-created_at", "-id")[:limit]
    )


def waiting_count(body: Body) -> int:
    return Application.objects.filter(body=body, state=Application.State.ACTIVE).count()


# -------------------------------------------------------------------- what is pending


AGENDA_VACANT_ITEMS = 5


def agenda_items(body: Body, now: dt.datetime) -> list[PendingItem]:
    """For the board's agenda: vacant dwellings while people wait, and allocations the
    board is voting on."""
    items: list[PendingItem] = []
    waiting = waiting_count(body)
    before_board = set(
        Allocation.objects.filter(body=body, state=Allocation.State.VOTING).values_list(
            "dwelling_id", flat=True
        )
    )
    if waiting:
        vacant = [
            d
            for d in Dwelling.objects.filter(body=body, state=DwellingState.VACANT)
            .exclude(condition=Condition.UNFIT)
            .order_by("updated_at", "code")
            if d.pk not in before_board
        ]
        people = f"{waiting} {'person' if waiting == 1 else 'people'} on the waiting list"
        if len(vacant) > AGENDA_VACANT_ITEMS:
            # Many at once (a new building, an import): one item for all of them.
            items.append(
                PendingItem(
                    kind="housing_vacancy",
                    title=f"{len(vacant)} vacant dwellings to allocate",
                    url=f"/bodies/{body.code}/housing/?state=vacant",
                    since=vacant[0].updated_at,
                    note=people,
                )
            )
        else:
            items.extend(
                PendingItem(
                    kind="housing_vacancy",
                    title=f"Vacant dwelling {d.code}: {d.rooms} rooms, {d.area_m2} m²",
                    url=f"/dwellings/{d.code}/",
                    since=d.updated_at,
                    note=people,
                )
                for d in vacant
            )
    for a in Allocation.objects.filter(body=body, state=Allocation.State.VOTING).select_related(
        "dwelling", "decision"
    ):
        due = a.decision.closes_at if a.decision is not None else None
        items.append(
            PendingItem(
                kind="housing_allocation",
                title=f"Allocate {a.dwelling.code} to applicant no. {a.rank} on the list",
                url=f"/housing/allocations/{a.public_id}/",
                since=a.created_at,
                due=due,
                overdue=due is not None and due < now,
                note=(
                    f"skips {a.skipped} {'person' if a.skipped == 1 else 'people'} ahead"
                    if a.skipped
                    else "first in order of need"
                ),
            )
        )
    return items


def member_items(member: Member, now: dt.datetime) -> list[PendingItem]:
    """A member's own applications with their place and score."""
    items = []
    for application in Application.objects.filter(
        member=member, state=Application.State.ACTIVE
    ).select_related("body"):
        listing = waiting_list(application.body, now)
        row = listing.place_of(application.pk)
        if row is None:
            continue
        items.append(
            PendingItem(
                kind="housing_application",
                title=(
                    f"Waiting list of {application.body.name}: "
                    f"place {row.rank} of {len(listing.rows)}"
                ),
                url=f"/bodies/{application.body.code}/housing/list/#me",
                since=application.applied_at,
                note=f"need score {row.terms.score}",
            )
        )
    return items


def housing_commission_of(body: Body) -> Body | None:
    from collegium.housing.permissions import housing_commission

    return housing_commission(body)


def allocation_entries(allocation: Allocation) -> QuerySet[Any]:
    """Record entries that name this allocation (or its decision)."""
    from collegium.record.models import Entry

    ids = Q(payload__contains=f'"{allocation.public_id}"')
    if allocation.decision is not None:
        ids |= Q(payload__contains=f'"{allocation.decision.public_id}"')
    return (
        Entry.objects.filter(ids, body=allocation.body)
        .only("index", "kind", "recorded_at")
        .order_by("index")
    )
