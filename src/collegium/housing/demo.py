"""Housing in the demo: dwellings of Sormovo Machine Works (with a housing commission)
and Putilov Works, the households living in them, Sormovo's waiting list of a few dozen
under a board policy, with Anna on it, and one allocation in its review window."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from collegium.elections.selectors import board_seats
from collegium.federation.models import Body, Member
from collegium.federation.services import body_place
from collegium.housing import services
from collegium.housing.imports import dwellings_import
from collegium.housing.models import Application, Dwelling, DwellingState
from collegium.housing.selectors import waiting_list
from collegium.record.services import SYSTEM

SEED = 1921
STREETS = {
    "sormovo": ["Kommuny Street", "Sormovskoe Highway", "Foundry Lane", "Volga Embankment"],
    "putilov": ["Stachek Avenue", "Narvskaya Street", "Rolling Mill Lane"],
}
NOTES = {
    "poor": ["Damp in the corner room", "Windows do not close", "Old wiring"],
    "unfit": ["Roof fell in over the kitchen", "No water since the pipes burst"],
    "fair": ["Worn floors", ""],
}


def _members(body: Body) -> list[Member]:
    return list(
        Member.objects.filter(active=True, workplace__path__startswith=body.path)
        .exclude(user__isnull=True)
        .select_related("user")
        .order_by("member_no")
    )


def _csv(body: Body, prefix: str, count: int, rng: random.Random) -> bytes:
    rows = ["code,address,area_m2,rooms,condition,condition_note,state"]
    for i in range(1, count + 1):
        rooms = rng.choice([1, 1, 2, 2, 2, 3, 3, 4])
        area = round(rooms * rng.uniform(14, 22) + rng.uniform(6, 14), 1)
        condition = rng.choices(["good", "fair", "poor", "unfit"], [5, 4, 2, 1])[0]
        note = rng.choice(NOTES.get(condition, [""]))
        if condition in ("poor", "unfit") and not note:
            note = "Needs repair"
        state = "under_repair" if condition == "unfit" and i % 2 else "vacant"
        street = rng.choice(STREETS[body.code])
        address = f"{rng.randrange(1, 80)} {street}, flat {rng.randrange(1, 60)}"
        rows.append(f'{prefix}-{i:03d},"{address}",{area},{rooms},{condition},{note},{state}')
    return ("\n".join(rows) + "\n").encode()


def _commission(body: Body, members: list[Member], today: dt.date) -> Body:
    from collegium.elections.services import board_seat_founding

    code = f"{body.code}-housing"
    commission = Body.objects.filter(code=code).first()
    if commission is None:
        commission = Body.objects.create(
            code=code,
            name=f"Housing commission of {body.name}",
            kind="commission",
            function="housing",
            parent=body,
            path="",
        )
        body_place(commission)
        board_seat_founding(
            user=None,
            actor=SYSTEM,
            body=commission,
            members=members,
            term_start=today - dt.timedelta(days=120),
            term_end=today + dt.timedelta(days=610),
        )
    return commission


def _fill(
    body: Body,
    keeper: object,
    occupants: list[Member],
    share: float,
    rng: random.Random,
    now: dt.datetime,
) -> list[Dwelling]:
    """Record households in a share of the fit, vacant dwellings; return what is left."""
    dwellings = list(Dwelling.objects.filter(body=body).order_by("code"))
    free = [d for d in dwellings if d.state == DwellingState.VACANT and d.condition != "unfit"]
    for d, head in zip(free[: int(len(free) * share)], occupants, strict=False):
        since = (now - dt.timedelta(days=rng.randrange(200, 4000))).date()
        services.occupancy_record(
            user=keeper,
            dwelling=d,
            head=head,
            household_size=rng.randint(1, 2 * d.rooms + 1),
            since=since,
            until=None,
            now=now - dt.timedelta(days=rng.randrange(1, 30)),
        )
    return list(Dwelling.objects.filter(body=body).exclude(state=DwellingState.OCCUPIED))


def _apply(
    body: Body,
    applicants: list[Member],
    crowded: list[Dwelling],
    rng: random.Random,
    now: dt.datetime,
) -> None:
    for i, member in enumerate(applicants):
        when = now - dt.timedelta(days=rng.randrange(3, 760), hours=rng.randrange(0, 24))
        kind = i % 3
        current = ""
        rooms: int | None = None
        if kind == 0 and crowded:
            current = crowded[i % len(crowded)].code
        elif kind == 1:
            rooms = rng.choice([1, 1, 2, 3])
        services.application_submit(
            user=member.user,
            body=body,
            household_size=rng.randint(1, 6),
            current_dwelling=current,
            current_rooms=rooms,
            needs_note="Ground floor needed: a child in a wheelchair" if i == 7 else "",
            now=when,
        )


@transaction.atomic
def demo_housing(now: dt.datetime) -> None:
    rng = random.Random(SEED)
    today = now.date()
    sormovo = Body.objects.get(code="sormovo")
    putilov = Body.objects.get(code="putilov")
    ivan = Member.objects.select_related("user").get(member_no="M00002")
    anna = Member.objects.select_related("user").get(member_no="M00001")
    board = [s.holder for s in board_seats(sormovo).select_related("holder__user")]

    # Sormovo: a housing commission of three rank-and-file members keeps the register.
    pool = [m for m in _members(sormovo) if m.pk not in {anna.pk, ivan.pk}]
    board_ids = {m.pk for m in board}
    pool = [m for m in pool if m.pk not in board_ids]
    _commission(sormovo, pool[:3], today)
    dwellings_import(
        user=ivan.user,
        body=sormovo,
        filename="sormovo-dwellings.csv",
        content=_csv(sormovo, "SRM", 48, rng),
        now=now - dt.timedelta(days=400),
    )
    occupants = pool[3:43]
    rest = _fill(sormovo, ivan.user, occupants, 0.8, rng, now - dt.timedelta(days=380))
    services.policy_set(
        user=ivan.user,
        body=sormovo,
        weights={
            "w_crowding": "10",
            "w_conditions": "4",
            "w_waiting": "1.5",
            "w_unfit": "25",
            "no_dwelling_crowding": "3",
        },
        reason="Crowding first; unfit homes weigh most; a year of waiting counts like two "
        "people more in a room.",
        now=now - dt.timedelta(days=200),
    )
    crowded = list(
        Dwelling.objects.filter(body=sormovo, state=DwellingState.OCCUPIED).order_by("rooms")[:12]
    )
    # One of them has since been found unfit: the households there weigh more.
    worst = crowded[0]
    services.dwelling_update(
        user=pool[0].user,
        dwelling=worst,
        address=worst.address,
        area_m2=str(worst.area_m2),
        rooms=str(worst.rooms),
        condition="unfit",
        condition_note="Ceiling of the only room sagging; inspected by the commission",
        now=now - dt.timedelta(days=40),
    )
    worst.refresh_from_db()
    applicants = [anna, *pool[43:77]]
    _apply(sormovo, applicants, crowded, rng, now)

    # Putilov: a smaller register under the default policy, kept by its board.
    putilov_board = board_seats(putilov).select_related("holder__user").first()
    if putilov_board is not None:
        keeper = putilov_board.holder.user
        dwellings_import(
            user=keeper,
            body=putilov,
            filename="putilov-dwellings.csv",
            content=_csv(putilov, "PTL", 20, rng),
            now=now - dt.timedelta(days=300),
        )
        people = _members(putilov)
        _fill(putilov, keeper, people[10:30], 0.7, rng, now - dt.timedelta(days=290))
        _apply(putilov, people[30:42], [], rng, now)

    # One allocation at Sormovo, adopted by the board and now in its review window: the
    # first on the list gets the largest fit vacant dwelling.
    _allocation_in_review(sormovo, ivan, board, rest, now)


def _allocation_in_review(
    sormovo: Body, ivan: Member, board: list[Member], rest: list[Dwelling], now: dt.datetime
) -> None:
    from collegium.decisions import services as decisions

    vacant = sorted(
        (d for d in rest if d.state == DwellingState.VACANT and d.condition != "unfit"),
        key=lambda d: (-d.rooms, d.code),
    )
    if not vacant:
        return
    opened = now - dt.timedelta(days=3)
    top = Application.objects.get(pk=waiting_list(sormovo, opened).rows[0].key.pk)
    allocation = services.allocation_propose(
        user=ivan.user,
        dwelling=vacant[0],
        application=top,
        closes_at=opened + dt.timedelta(days=2),
        now=opened,
    )
    assert allocation.decision is not None
    for i, member in enumerate(board):
        decisions.roll_call_vote(
            user=member.user,
            decision=allocation.decision,
            vote="abstain" if i == len(board) - 1 else "yes",
            now=opened + dt.timedelta(hours=2 + i),
        )
    decisions.decision_close(decision=allocation.decision, now=opened + dt.timedelta(days=2))
