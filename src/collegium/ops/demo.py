"""A realistic, deterministic demo federation built through the same services as real data.

One congress, four industrial unions, twelve enterprises, forty-odd shops, commissions,
about 2,400 members, founding boards that respect the charter's production-worker
quota, a few charter changes and a signed checkpoint.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from collegium.elections.models import DelegateVote, Election, Mandate, MandatePosition, SeatRole
from collegium.elections.permissions import calling_board
from collegium.elections.selectors import board_seats, delegate_seats
from collegium.elections.services import (
    add_months,
    ballot_cast,
    board_seat_founding,
    delegate_vote_record,
    election_call,
    election_count,
    election_open_voting,
    mandate_adopt,
    nomination_cosign,
    nomination_submit,
    recall_petition_sign,
    recall_petition_start,
    seat_full_time_set,
)
from collegium.federation.charters import reserved_seats
from collegium.federation.imports import bodies_import, members_import
from collegium.federation.models import Body, Member
from collegium.federation.selectors import body_members, charter_as_dict
from collegium.federation.services import charter_change
from collegium.record.checkpoints import checkpoint_create
from collegium.record.services import SYSTEM

SEED = 1921

UNIONS = [
    (
        "metal",
        "Metalworkers' Union",
        [
            ("sormovo", "Sormovo Machine Works", ["Foundry", "Forge", "Machine shop", "Assembly"]),
            (
                "putilov",
                "Putilov Works",
                ["Rolling mill", "Boiler shop", "Tool room", "Repair shop"],
            ),
            ("kolomna", "Kolomna Locomotive Works", ["Frame shop", "Wheel shop", "Erecting hall"]),
        ],
    ),
    (
        "textile",
        "Textile Workers' Union",
        [
            ("trekhgorka", "Trekhgornaya Mill", ["Spinning", "Weaving", "Dyeing", "Finishing"]),
            ("ivanovo", "Ivanovo Cotton Combine", ["Carding", "Spinning", "Weaving"]),
            ("serpukhov", "Serpukhov Cloth Works", ["Weaving", "Dye house", "Warehouse"]),
        ],
    ),
    (
        "mining",
        "Miners' Union",
        [
            ("donbas-1", "Donbas Colliery No. 1", ["Coal face A", "Coal face B", "Surface works"]),
            ("krivoy", "Krivoy Rog Ore Mine", ["Shaft 3", "Shaft 5", "Crushing plant"]),
            ("ural-copper", "Ural Copper Mine", ["Open pit", "Concentrator", "Haulage"]),
        ],
    ),
    (
        "food",
        "Food Workers' Union",
        [
            ("bread-1", "Red Baker Bread Combine", ["Ovens", "Dough room", "Dispatch"]),
            ("sugar", "Kharkov Sugar Refinery", ["Beet yard", "Refining", "Packing"]),
            ("dairy", "Volga Dairy Cooperative", ["Milk reception", "Cheese room", "Bottling"]),
        ],
    ),
]

GIVEN = [
    "Anna",
    "Ivan",
    "Vera",
    "Pavel",
    "Maria",
    "Nikolai",
    "Olga",
    "Sergei",
    "Elena",
    "Dmitri",
    "Aleksandra",
    "Mikhail",
    "Tatiana",
    "Grigori",
    "Nadezhda",
    "Fyodor",
    "Irina",
    "Boris",
    "Ekaterina",
    "Andrei",
    "Lidia",
    "Yakov",
    "Zoya",
    "Konstantin",
    "Galina",
    "Semyon",
    "Klavdia",
    "Timofei",
    "Polina",
    "Vasili",
    "Amina",
    "Rustam",
    "Leyla",
    "Oksana",
    "Taras",
    "Hanna",
    "Jonas",
    "Rosa",
    "Karl",
    "Clara",
    "Ahmed",
    "Fatima",
    "Lucia",
    "Marco",
    "Ines",
]
FAMILY = [
    "Petrova",
    "Sokolov",
    "Orlova",
    "Kuznetsov",
    "Ivanova",
    "Smirnov",
    "Popova",
    "Volkov",
    "Lebedeva",
    "Kozlov",
    "Novikova",
    "Morozov",
    "Pavlova",
    "Fedorov",
    "Mikhailova",
    "Egorov",
    "Nikitina",
    "Zakharov",
    "Vasilieva",
    "Stepanov",
    "Shevchenko",
    "Bondarenko",
    "Melnyk",
    "Aliyev",
    "Karimova",
    "Nazarov",
    "Weber",
    "Lindqvist",
    "Moretti",
    "Garcia",
    "Haddad",
    "Rahman",
    "Kovalenko",
    "Tkachenko",
    "Gusev",
    "Belova",
    "Titov",
    "Komarova",
    "Baranov",
]
# Production workers are the large majority; specialists and office staff a minority.
CATEGORY_WEIGHTS = [
    ("production_worker", 0.78),
    ("technical_specialist", 0.11),
    ("administrative", 0.08),
    ("other", 0.03),
]


@dataclass(frozen=True)
class DemoLogin:
    role: str
    username: str
    password: str
    description: str


DEMO_LOGINS = (
    DemoLogin(
        "member",
        "anna",
        "member-demo-1921",
        "rank-and-file production worker, Forge, Sormovo Machine Works",
    ),
    DemoLogin("board", "ivan", "board-demo-1921", "board member of Sormovo Machine Works"),
    DemoLogin(
        "operator",
        "operator",
        "operator-demo-1921",
        "installation and imports only; decides nothing",
    ),
)


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def demo_bodies_csv() -> bytes:
    rows = [["congress", "Congress of Producers", "congress", "", ""]]
    rows += [
        [
            "congress-control",
            "Control Commission of the Congress",
            "commission",
            "congress",
            "control",
        ],
        ["congress-moderation", "Moderation Commission", "commission", "congress", "moderation"],
        ["congress-planning", "Planning Commission", "commission", "congress", "planning"],
    ]
    for union_code, union_name, enterprises in UNIONS:
        rows.append([union_code, union_name, "industrial_union", "congress", ""])
        rows.append(
            [
                f"{union_code}-conditions",
                f"Conditions Commission, {union_name}",
                "commission",
                union_code,
                "conditions",
            ]
        )
        for ent_code, ent_name, shops in enterprises:
            rows.append([ent_code, ent_name, "enterprise", union_code, ""])
            for i, shop in enumerate(shops, start=1):
                rows.append([f"{ent_code}-{i}", shop, "shop", ent_code, ""])
    return _csv(["code", "name", "kind", "parent_code", "function"], rows)


def demo_members_csv(total: int = 2400) -> bytes:
    rng = random.Random(SEED)
    shops = [
        f"{ent_code}-{i}"
        for _, _, enterprises in UNIONS
        for ent_code, _, shop_names in enterprises
        for i in range(1, len(shop_names) + 1)
    ]
    # Shops differ in size: a few large halls, many small shops.
    sizes = [rng.uniform(0.4, 2.2) for _ in shops]
    scale = total / sum(sizes)
    counts = [max(12, round(s * scale)) for s in sizes]
    counts[0] += total - sum(counts)
    rows = []
    number = 0
    categories = [c for c, _ in CATEGORY_WEIGHTS]
    weights = [w for _, w in CATEGORY_WEIGHTS]
    for shop, count in zip(shops, counts, strict=True):
        for _ in range(count):
            number += 1
            given, family = rng.choice(GIVEN), rng.choice(FAMILY)
            category = rng.choices(categories, weights)[0]
            joined = dt.date(1995, 1, 1) + dt.timedelta(days=rng.randrange(0, 11000))
            rows.append(
                [
                    f"M{number:05d}",
                    given,
                    family,
                    f"m{number:05d}@members.example.org",
                    category,
                    shop,
                    joined.isoformat(),
                ]
            )
    # The demo logins, with names that match what the command prints.
    rows[0][1:6] = ["Anna", "Petrova", "anna@members.example.org", "production_worker", "sormovo-2"]
    rows[1][1:6] = ["Ivan", "Sokolov", "ivan@members.example.org", "production_worker", "sormovo-2"]
    return _csv(
        ["member_no", "given_name", "family_name", "email", "category", "body_code", "joined_on"],
        rows,
    )


def _founding_board(body: Body, rng: random.Random, must_include: Member | None = None) -> None:
    charter = charter_as_dict(body)
    seats = charter["board_seats"]
    quota = reserved_seats(charter["production_worker_quota_pct"], seats)
    pool = list(
        Member.objects.filter(workplace__path__startswith=body.path)
        .select_related("category")
        .order_by("member_no")
    )
    workers = [m for m in pool if m.category.code == "production_worker"]
    others = [m for m in pool if m.category.code != "production_worker"]
    chosen: list[Member] = [must_include] if must_include else []
    rng.shuffle(workers)
    rng.shuffle(others)
    for m in workers:
        if len([c for c in chosen if c.category.code == "production_worker"]) >= quota + 1:
            break
        if m not in chosen:
            chosen.append(m)
    for m in others + workers:
        if len(chosen) >= seats:
            break
        if m not in chosen:
            chosen.append(m)
    today = dt.date.today()
    start = today - dt.timedelta(days=rng.randrange(60, 300))
    board_seat_founding(
        user=None,
        actor=SYSTEM,
        body=body,
        members=chosen[:seats],
        term_start=start,
        term_end=add_months(start, charter["term_months"]),
    )


def build_demo(progress: Callable[[str], None] = lambda _msg: None) -> list[DemoLogin]:
    user_model = get_user_model()
    rng = random.Random(SEED)
    with transaction.atomic():
        operator = user_model.objects.create_user(
            username="operator", email="operator@example.org", is_operator=True
        )
        operator.set_password(DEMO_LOGINS[2].password)
        operator.save()
        progress("importing bodies")
        bodies_import(user=operator, data=demo_bodies_csv(), filename="demo-bodies.csv")
        progress("importing members")
        members_import(
            user=operator, data=demo_members_csv(), filename="demo-members.csv", invite=False
        )
    anna = Member.objects.get(member_no="M00001")
    ivan = Member.objects.get(member_no="M00002")
    for member, login in ((anna, DEMO_LOGINS[0]), (ivan, DEMO_LOGINS[1])):
        user = member.user
        assert user is not None
        user.username = login.username
        user.set_password(login.password)
        user.save()

    progress("seating founding boards")
    with transaction.atomic():
        for body in Body.objects.exclude(kind__in=["shop", "commission"]).order_by("path"):
            _founding_board(body, rng, must_include=ivan if body.code == "sormovo" else None)
        for commission in Body.objects.filter(kind="commission").order_by("path"):
            parent = commission.parent
            assert parent is not None
            pool = list(
                Member.objects.filter(workplace__path__startswith=parent.path)
                .select_related("category")
                .order_by("member_no")[:400]
            )
            chosen = rng.sample(pool, 5)
            today = dt.date.today()
            board_seat_founding(
                user=None,
                actor=SYSTEM,
                body=commission,
                members=chosen,
                term_start=today - dt.timedelta(days=90),
                term_end=today + dt.timedelta(days=640),
            )

    progress("recording charter changes")
    textile = Body.objects.get(code="textile")
    textile_board = textile.board_seats.select_related("holder__user").first()
    assert textile_board is not None
    charter_change(
        user=textile_board.holder.user,
        body=textile,
        changes={"board_seats": 9, "production_worker_quota_pct": 70},
        reason="The mills have grown; a larger board with more weavers and spinners on it.",
    )
    sormovo = Body.objects.get(code="sormovo")
    charter_change(
        user=ivan.user,
        body=sormovo,
        changes={"criticism_response_days": 7},
        reason="Shop meetings asked for answers to criticism within a week, not two.",
    )
    progress("holding elections")
    _elections_scenario(rng, ivan)
    progress("deciding")
    _decisions_scenario(sormovo)
    progress("criticism, conditions and housing")
    from django.utils import timezone

    from collegium.conditions.demo import demo_conditions
    from collegium.criticism.demo import demo_criticism
    from collegium.housing.demo import demo_housing

    now = timezone.now()
    demo_housing(now)
    demo_conditions(now)
    demo_criticism(now)
    checkpoint_create()
    return list(DEMO_LOGINS)


def _decisions_scenario(sormovo: Body) -> None:
    """At Sormovo: a board decision in its review window that members can petition
    against, a referendum open to the members, and a proposal under discussion."""
    from django.utils import timezone

    from collegium.decisions import services as decisions

    now = timezone.now()
    board = [s.holder for s in board_seats(sormovo)]
    workers = list(
        Member.objects.filter(workplace__path__startswith=sormovo.path)
        .exclude(pk__in=[m.pk for m in board])
        .order_by("member_no")[:12]
    )
    anna = Member.objects.get(member_no="M00001")
    author = workers[3]

    ventilation = decisions.proposal_submit(
        user=author.user,
        body=sormovo,
        title="Fume extraction over the forge hammers",
        text="Install extraction hoods over the three drop hammers in the Forge before "
        "winter.\n\nThe work is done by the Repair shop in two weekend shifts.",
        rationale="Smoke and scale dust at the hammers; three colleagues off sick in October.",
        cost=Decimal("18400"),
        scope="Forge",
        now=now - dt.timedelta(days=9),
    )
    amendment = decisions.amendment_propose(
        user=workers[5].user,
        proposal=ventilation,
        original="two weekend shifts",
        replacement="two weekend shifts, paid at the overtime rate",
        reason="Weekend work is work.",
        now=now - dt.timedelta(days=8),
    )
    decisions.amendment_accept(
        user=author.user, amendment=amendment, now=now - dt.timedelta(days=8)
    )
    first = decisions.comment_add(
        user=workers[6].user,
        proposal=ventilation,
        text="Can the hoods be moved when the dies are changed?",
        now=now - dt.timedelta(days=8),
    )
    decisions.comment_add(
        user=author.user,
        proposal=ventilation,
        parent=first,
        text="Yes: they hang on rails.",
        now=now - dt.timedelta(days=7),
    )
    from collegium.decisions.meetings import meeting_call, meeting_close

    held = meeting_call(
        user=board[0].user,
        body=sormovo,
        starts_at=now - dt.timedelta(days=3, hours=1),
        place="Works club, room 2",
        extra_items=["Report of the Repair shop on the winter overhaul"],
        now=now - dt.timedelta(days=7),
    )
    roll_call = decisions.roll_call_open(
        user=board[0].user,
        proposal=ventilation,
        closes_at=now - dt.timedelta(days=3),
        now=now - dt.timedelta(days=6),
    )
    for i, member in enumerate(board):
        decisions.roll_call_vote(
            user=member.user,
            decision=roll_call,
            vote="no" if i == 0 else "yes",
            now=now - dt.timedelta(days=5),
        )
    decisions.decision_close(decision=roll_call, now=now - dt.timedelta(days=3))
    meeting_close(
        user=board[0].user,
        meeting=held,
        present=board[:-1],
        notes="The hoods are ordered from the Repair shop.\n\n"
        "The Repair shop reports the overhaul of press line 2 on schedule.",
        now=now - dt.timedelta(days=3) + dt.timedelta(hours=1),
    )

    decisions.review_sign(user=workers[7].user, decision=roll_call, now=now - dt.timedelta(days=2))

    fund = decisions.proposal_submit(
        user=workers[8].user,
        body=sormovo,
        title="A housing repair fund from the surplus",
        text="Set aside 5 % of this year's surplus for repairs to the works' dwellings, "
        "allocated by the housing list.",
        route="members",
        now=now - dt.timedelta(days=4),
    )
    referendum = decisions.referendum_open(
        user=board[1].user,
        proposal=fund,
        closes_at=now + dt.timedelta(days=5),
        now=now - dt.timedelta(days=2),
    )
    for i, member in enumerate(workers[:6]):
        if member.pk != anna.pk:
            decisions.referendum_cast(
                user=member.user,
                decision=referendum,
                choice="no" if i % 3 == 0 else "yes",
                now=now - dt.timedelta(days=1),
            )

    decisions.proposal_submit(
        user=anna.user,
        body=sormovo,
        title="A second shift canteen in the Foundry",
        text="Keep the canteen open until 23:00 for the second shift.",
        now=now - dt.timedelta(hours=20),
    )
    _board_business(sormovo, board, workers, now)


def _board_business(
    sormovo: Body, board: list[Member], workers: list[Member], now: dt.datetime
) -> None:
    """At Sormovo: a meeting held with its minutes and one called, an initiative the board
    must decide and one collecting signatures, a contract being ratified, alternatives
    being ranked, and a mandate on a proposal pending in the union."""
    from collegium.decisions import services as decisions
    from collegium.decisions.alternatives import alternatives_cast, alternatives_open
    from collegium.decisions.contracts import contract_register
    from collegium.decisions.initiatives import initiative_sign, initiative_start
    from collegium.decisions.meetings import meeting_call
    from collegium.elections.services import mandate_adopt

    changing = initiative_start(
        user=workers[9].user,
        body=sormovo,
        title="Heated changing rooms for the Forge",
        text="The Forge changing rooms are unheated; workers change in 8 °C in winter. "
        "Heat them from the furnace exhaust before December.",
        now=now - dt.timedelta(days=5),
    )
    for member in workers[:12]:
        if changing.signatures_needed <= changing.signatures.count():
            break
        if member.pk != workers[9].pk:
            initiative_sign(user=member.user, initiative=changing, now=now - dt.timedelta(days=4))
    members = list(
        Member.objects.filter(workplace__path__startswith=sormovo.path)
        .exclude(pk__in=[m.pk for m in board])
        .order_by("member_no")[12:60]
    )
    for member in members:
        changing.refresh_from_db()
        if changing.state != "collecting":
            break
        initiative_sign(user=member.user, initiative=changing, now=now - dt.timedelta(days=4))
    lamps = initiative_start(
        user=workers[10].user,
        body=sormovo,
        title="Brighter lamps over the lathes in the Machine shop",
        text="Replace the sodium lamps over the lathes with white LED lamps; "
        "reading a micrometer under orange light is guesswork.",
        now=now - dt.timedelta(days=1),
    )
    for member in workers[11:12]:
        initiative_sign(user=member.user, initiative=lamps, now=now - dt.timedelta(hours=20))

    meeting_call(
        user=board[1].user,
        body=sormovo,
        starts_at=(now + dt.timedelta(days=2)).replace(hour=16, minute=0, second=0, microsecond=0),
        place="Works club, room 2",
        now=now - dt.timedelta(hours=2),
    )

    union = sormovo.parent
    assert union is not None
    contract = contract_register(
        user=board[0].user,
        body=sormovo,
        counterparty="Karelian Timber Cooperative",
        kind="supply",
        title="Pine sleepers and crating timber, 2027",
        terms="- 4,000 pine sleepers a quarter, delivered to the Sormovo yard\n"
        "- 600 m³ of crating timber a year\n- payment on delivery, 90 days notice to end",
        affected=[sormovo, union],
        closes_at=now + dt.timedelta(days=6),
        value=Decimal("2480000"),
        currency="RUB",
        starts_on=dt.date(now.year + 1, 1, 1),
        ends_on=dt.date(now.year + 1, 12, 31),
        now=now - dt.timedelta(days=1),
    )
    ratification = contract.ratifications.get(body=sormovo).decision
    for member in board[:2]:
        decisions.roll_call_vote(
            user=member.user, decision=ratification, vote="yes", now=now - dt.timedelta(hours=12)
        )

    creche = alternatives_open(
        user=board[1].user,
        body=sormovo,
        title="Where should the works' crèche go?",
        text="The congress funds one crèche for Sormovo. Three sites were proposed at the "
        "shop meetings.",
        options=[
            "In the old laboratory building by the main gate",
            "A new building beside the Foundry canteen",
            "In the workers' settlement on Kanavino street",
        ],
        closes_at=now + dt.timedelta(days=4),
        now=now - dt.timedelta(days=1),
    )
    anna = Member.objects.get(member_no="M00001")
    for i, member in enumerate(workers[:9]):
        if member.pk != anna.pk:
            order = [[0, 1, 2], [2, 0], [1, 2, 0]][i % 3]
            alternatives_cast(
                user=member.user, decision=creche, ranking=order, now=now - dt.timedelta(hours=6)
            )

    union_board = [s.holder for s in board_seats(union)]
    store = decisions.proposal_submit(
        user=union_board[0].user,
        body=union,
        title="One tool store for all the union's works",
        text="Pool the special tools of the union's works in one store at Sormovo, "
        "lent out by the week.",
        now=now - dt.timedelta(days=2),
    )
    mandate_adopt(
        user=board[0].user,
        body=sormovo,
        position="for",
        proposal=store,
        now=now - dt.timedelta(days=1),
    )


# --------------------------------------------------------------------------- elections

STATEMENTS = [
    "Ventilation in the hot bays first; then the night-shift canteen.",
    "Every board decision read out at the shift meeting the next morning.",
    "I will go back to my machine after one term.",
    "Training for the young turners, paid from the shop's fund.",
    "Report every near miss, and publish the answers.",
    "Fewer meetings, shorter minutes, all of them on the record.",
    "",
]


def _preferences(rng: random.Random, popularity: list[float]) -> list[int]:
    """A voter's ranking: candidates by noisy liking, a few ranked, most preferred first."""
    scores = [(p + rng.gauss(0, 0.9), number) for number, p in enumerate(popularity, start=1)]
    scores.sort(reverse=True)
    length = max(1, min(len(scores), int(rng.triangular(1, len(scores), 3))))
    return [number for _, number in scores[:length]]


def _stand(
    election: Election, members: list[Member], rng: random.Random, when: dt.datetime
) -> None:
    for member in members:
        nomination_submit(
            user=member.user,
            election=election,
            nominee=member,
            statement=rng.choice(STATEMENTS),
            now=when,
        )


def _candidates(pool: list[Member], workers: int, others: int) -> list[Member]:
    # Namesakes on one ballot would confuse the voters: one of each name stands.
    seen: set[str] = set()
    distinct = []
    for m in pool:
        if m.full_name not in seen:
            seen.add(m.full_name)
            distinct.append(m)
    w = [m for m in distinct if m.category.code == "production_worker"][:workers]
    o = [m for m in distinct if m.category.code != "production_worker"][:others]
    return w + o


def _board_user(body: Body) -> object:
    seat = board_seats(body).select_related("holder__user").first()
    assert seat is not None, body
    return seat.holder.user


def _elections_scenario(rng: random.Random, ivan: Member) -> None:
    """Counted and running elections, delegates of every enterprise, a recall petition
    and a mandate with a delegate's recorded vote, placed in time with ``now=``."""
    now = timezone.now().replace(microsecond=0)
    days = dt.timedelta(days=1)
    with transaction.atomic():
        # Delegates of each enterprise to its union, elected by members 60 days ago.
        for enterprise in Body.objects.filter(kind="enterprise").order_by("path"):
            called = now - 75 * days
            election = election_call(
                user=_board_user(enterprise),
                body=enterprise,
                purpose=SeatRole.DELEGATE,
                nominations_close_at=called + 7 * days,
                voting_closes_at=called + 15 * days,
                now=called,
            )
            pool = list(
                body_members(enterprise).select_related("category", "user").order_by("member_no")
            )
            rng.shuffle(pool)
            standing = _candidates(pool, 3, 1)
            _stand(election, standing, rng, called)
            election_open_voting(
                user=_board_user(enterprise), election=election, now=called + 7 * days
            )
            popularity = [rng.uniform(0, 2) for _ in standing]
            for voter in pool[4:22]:
                ballot_cast(
                    user=voter.user,
                    election=election,
                    ranking=_preferences(rng, popularity),
                    now=called + 10 * days,
                )
            election_count(election=election, now=called + 15 * days)

        # A counted board election in the Rolling mill, with several rounds of transfers.
        mill = Body.objects.get(code="putilov-1")
        called = now - 40 * days
        election = election_call(
            user=_board_user(calling_board(mill) or mill),
            body=mill,
            nominations_close_at=called + 10 * days,
            voting_closes_at=called + 20 * days,
            now=called,
        )
        pool = list(body_members(mill).select_related("category", "user").order_by("member_no"))
        rng.shuffle(pool)
        standing = _candidates(pool, 7, 4)
        _stand(election, standing, rng, called + days)
        election_open_voting(
            user=_board_user(calling_board(mill) or mill),
            election=election,
            now=called + 10 * days,
        )
        popularity = [rng.uniform(0, 2.5) for _ in standing]
        for voter in pool:
            if rng.random() < 0.85:
                ballot_cast(
                    user=voter.user,
                    election=election,
                    ranking=_preferences(rng, popularity),
                    now=called + 15 * days,
                )
        election_count(election=election, now=called + 20 * days)

        # A recall petition collecting signatures against a member of Sormovo's board
        # (Anna may sign it; Ivan is not its target).
        sormovo = Body.objects.get(code="sormovo")
        seat = board_seats(sormovo).exclude(holder=ivan).order_by("holder__member_no").first()
        assert seat is not None
        signers = [
            m
            for m in body_members(sormovo).select_related("user").order_by("member_no")
            if m.pk != seat.holder_id and m.member_no not in ("M00001", "M00002")
        ][::7][:9]
        petition = recall_petition_start(
            user=signers[0].user,
            seat=seat,
            reason=(
                "Promised weekly reports from the board and has given none since taking "
                "the seat; voted to extend the night shift without asking the shops."
            ),
            now=now - 5 * days,
        )
        for signer in signers[1:]:
            recall_petition_sign(user=signer.user, petition=petition, now=now - 3 * days)

        # Voting open in the Forge of Sormovo (Anna's shop), called by Sormovo's board.
        forge = Body.objects.get(code="sormovo-2")
        called = now - 10 * days
        election = election_call(
            user=ivan.user,
            body=forge,
            nominations_close_at=called + 7 * days,
            voting_closes_at=now + 7 * days,
            now=called,
        )
        pool = [
            m
            for m in body_members(forge).select_related("category", "user").order_by("member_no")
            if m.member_no not in ("M00001", "M00002")
        ]
        rng.shuffle(pool)
        standing = _candidates(pool, 6, 3)
        _stand(election, standing, rng, called + days)
        election_open_voting(user=ivan.user, election=election, now=called + 7 * days)
        popularity = [rng.uniform(0, 2) for _ in standing]
        for voter in pool[: len(pool) // 3]:
            ballot_cast(
                user=voter.user,
                election=election,
                ranking=_preferences(rng, popularity),
                now=called + 8 * days,
            )

        # Nominations open for the Forge's delegates to Sormovo: Anna may stand,
        # nominate or co-sign.
        delegates_election = election_call(
            user=ivan.user,
            body=forge,
            purpose=SeatRole.DELEGATE,
            nominations_close_at=now + 5 * days,
            voting_closes_at=now + 12 * days,
            now=now - 2 * days,
        )
        _stand(delegates_election, standing[:1], rng, now - 2 * days)
        proposed = nomination_submit(
            user=standing[1].user,
            election=delegates_election,
            nominee=standing[2],
            statement="Speaks up for the night shift at every meeting; nominated with thanks.",
            now=now - days,
        )
        nomination_cosign(user=standing[3].user, nomination=proposed)

        # Sormovo mandates its delegates to the Metalworkers' Union; one votes against it.
        mandate_adopt(
            user=ivan.user,
            body=sormovo,
            question=(
                "Metalworkers' Union: adopt the seven-hour day in the hot shops "
                "(foundry, forge) from the next plan period"
            ),
            position=MandatePosition.FOR,
            now=now - 20 * days,
        )
        mandate = Mandate.objects.get(body=sormovo)
        delegates = list(delegate_seats(sormovo).select_related("holder__user"))
        votes = [DelegateVote.Vote.FOR, DelegateVote.Vote.AGAINST]
        for seat, vote in zip(delegates, votes, strict=False):
            delegate_vote_record(
                user=seat.holder.user, mandate=mandate, vote=vote, now=now - 12 * days
            )
        mandate_adopt(
            user=ivan.user,
            body=sormovo,
            question="Metalworkers' Union: elect the union's conditions commission by shop quotas",
            position=MandatePosition.FREE,
            now=now - 2 * days,
        )
        if delegates:
            seat_full_time_set(
                user=delegates[0].holder.user, seat=delegates[0], since=now.date() - 50 * days
            )
