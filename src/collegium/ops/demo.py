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

from django.contrib.auth import get_user_model
from django.db import transaction

from collegium.elections.services import board_seat_founding
from collegium.federation.charters import reserved_seats
from collegium.federation.imports import bodies_import, members_import
from collegium.federation.models import Body, Member
from collegium.federation.selectors import charter_as_dict
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
    rows = [["congress", "Congress of Producers", "congress", ""]]
    rows += [
        ["congress-control", "Control Commission of the Congress", "commission", "congress"],
        ["congress-moderation", "Moderation Commission", "commission", "congress"],
        ["congress-planning", "Planning Commission", "commission", "congress"],
    ]
    for union_code, union_name, enterprises in UNIONS:
        rows.append([union_code, union_name, "industrial_union", "congress"])
        rows.append(
            [
                f"{union_code}-conditions",
                f"Conditions Commission, {union_name}",
                "commission",
                union_code,
            ]
        )
        for ent_code, ent_name, shops in enterprises:
            rows.append([ent_code, ent_name, "enterprise", union_code])
            for i, shop in enumerate(shops, start=1):
                rows.append([f"{ent_code}-{i}", shop, "shop", ent_code])
    return _csv(["code", "name", "kind", "parent_code"], rows)


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
        term_end=start + dt.timedelta(days=30 * charter["term_months"]),
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
    checkpoint_create()
    return list(DEMO_LOGINS)
