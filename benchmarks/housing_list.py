"""The housing waiting list and register with 10^4 applicants and 10^4 dwellings.

    .venv/bin/python benchmarks/housing_list.py                 # 10^4, both databases
    .venv/bin/python benchmarks/housing_list.py --size 1000 --runs 5 --only sqlite

For each database (SQLite in a throwaway file; PostgreSQL in a throwaway database created
on ``COLLEGIUM_TEST_POSTGRES``, default ``postgres://postgres@127.0.0.1:5432/postgres``,
dropped afterwards) a child process migrates, then builds in bulk an enterprise with
``--size`` dwellings (every condition and state, households in the occupied ones, open
condition reports about a tenth of them), ``--size`` members on its waiting list (a third
living in a registered dwelling, a third giving their rooms, a third with no home) and a
need-score policy; beside it a small enterprise with 50 of each built the same way. It
requests, as a signed-in applicant of each body, the waiting list (first and a deep page),
the register (first page, vacant only) and the waiting list through the JSON API, each
``--runs`` times after two warm-ups, and reports the median time, the queries and their
share of the time, and how the large body compares with the small one and PostgreSQL with
SQLite. The waiting list scores and ranks every applicant on each request (the order
depends on the clock: months waiting), so its time grows with the list; its query count
must not.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _pages import measure, run_backends, setup_django

SMALL = 50
BOARD = 5
PAGES = [
    ("waiting list, first page", "/bodies/{code}/housing/list/"),
    ("waiting list, deep page", "/bodies/{code}/housing/list/?page={deep}"),
    ("register, first page", "/bodies/{code}/housing/"),
    ("register, vacant only", "/bodies/{code}/housing/?state=vacant"),
    ("API: whole waiting list", "/api/housing/bodies/{code}/list"),
]


def build(code: str, parent: Any, size: int, tag: str) -> tuple[Any, Any]:
    """An enterprise with ``size`` dwellings and ``size`` applicants. Returns the body
    and the user of an applicant in the middle of the list."""
    import datetime as dt
    import random
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from collegium.conditions.models import ConditionReport
    from collegium.elections.services import board_seat_founding
    from collegium.federation.models import Body, Category, Member, new_public_id
    from collegium.federation.services import body_place
    from collegium.housing.models import Application, Dwelling, HousingPolicy, Occupancy
    from collegium.record.services import SYSTEM

    rng = random.Random(size)
    now = timezone.now()
    works = Body.objects.create(code=code, name=code.title(), kind="enterprise", parent=parent)
    body_place(works)
    shop = Body.objects.create(code=f"{code}-shop", name="Shop", kind="shop", parent=works)
    body_place(shop)
    category = Category.objects.get(code="production_worker")
    users = get_user_model().objects.bulk_create(
        [get_user_model()(username=f"{tag}{i:06d}", password="!") for i in range(size + BOARD)],
        batch_size=2000,
    )
    if users[0].pk is None:
        users = list(get_user_model().objects.filter(username__startswith=tag).order_by("username"))
    members = Member.objects.bulk_create(
        [
            Member(
                public_id=new_public_id("m"),
                member_no=f"{tag}{i:06d}",
                given_name=f"Given{i}",
                family_name=f"Family{i}",
                category=category,
                workplace=shop,
                user=u,
            )
            for i, u in enumerate(users)
        ],
        batch_size=2000,
    )
    if members[0].pk is None:
        members = list(Member.objects.filter(member_no__startswith=tag).order_by("member_no"))
    today = dt.date.today()
    board_seat_founding(
        user=None,
        actor=SYSTEM,
        body=works,
        members=members[:BOARD],
        term_start=today - dt.timedelta(days=30),
        term_end=today + dt.timedelta(days=700),
    )
    conditions = ["good", "fair", "poor", "unfit"]
    states = ["occupied", "occupied", "occupied", "vacant", "under_repair"]
    Dwelling.objects.bulk_create(
        [
            Dwelling(
                code=f"{tag}-D{i:06d}",
                address=f"{i} Long Street",
                body=works,
                area_m2=Decimal(30 + i % 60),
                rooms=1 + i % 4,
                condition=conditions[i % 4],
                condition_note="" if i % 4 < 2 else "damp",
                state=states[i % 5],
                created_at=now,
                updated_at=now,
            )
            for i in range(size)
        ],
        batch_size=2000,
    )
    dwellings = list(Dwelling.objects.filter(body=works).order_by("code"))
    occupied = [d for d in dwellings if d.state == "occupied"]
    Occupancy.objects.bulk_create(
        [
            Occupancy(
                dwelling=d,
                head=members[(i * 7) % len(members)],
                household_size=1 + i % 6,
                since=today - dt.timedelta(days=100 + i % 3000),
                created_at=now,
            )
            for i, d in enumerate(occupied)
        ],
        batch_size=2000,
    )
    ConditionReport.objects.bulk_create(
        [
            ConditionReport(
                body=works,
                place="dwelling",
                location="flat",
                dwelling=d,
                hazard="dampness",
                severity=2,
                people_affected=2,
                title="Damp",
                description="Mould",
                reporter=members[0],
                state="open",
                confirmations_needed=1,
                responsible=works,
                created_at=now,
            )
            for d in occupied[::10]
        ],
        batch_size=2000,
    )
    HousingPolicy.objects.create(
        body=works,
        w_crowding=Decimal(10),
        w_conditions=Decimal(5),
        w_waiting=Decimal("1.5"),
        w_unfit=Decimal(20),
        no_dwelling_crowding=Decimal(3),
        set_by=members[0],
        set_at=now,
    )
    Application.objects.bulk_create(
        [
            Application(
                body=works,
                member=m,
                household_size=1 + rng.randrange(6),
                current_dwelling=occupied[i % len(occupied)] if i % 3 == 0 else None,
                current_rooms=1 + i % 3 if i % 3 == 1 else None,
                applied_at=now - dt.timedelta(days=rng.randrange(1, 1500)),
            )
            for i, m in enumerate(members[BOARD:])
        ],
        batch_size=2000,
    )
    return works, members[BOARD + size // 2].user


def child(database_url: str, size: int, runs: int) -> None:
    work = Path(tempfile.mkdtemp(prefix="collegium-bench-"))
    setup_django(database_url, work)
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from collegium.federation.models import Body
    from collegium.federation.services import body_place
    from collegium.housing.selectors import waiting_list

    started = time.perf_counter()
    congress = Body.objects.create(code="congress", name="Congress", kind="congress")
    body_place(congress)
    large, large_user = build("large", congress, size, "l")
    small, small_user = build("small", congress, SMALL, "s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    built_s = time.perf_counter() - started
    scored = []
    for _ in range(max(3, runs // 3)):
        t = time.perf_counter()
        listing = waiting_list(large, timezone.now())
        scored.append(time.perf_counter() - t)
    assert len(listing.rows) == size
    rows = []
    for label, pattern in PAGES:
        row: dict[str, object] = {"page": label}
        for name, body, user, n in [
            ("large", large, large_user, size),
            ("small", small, small_user, SMALL),
        ]:
            client = Client(HTTP_HOST="127.0.0.1")
            client.force_login(user)
            url = pattern.format(code=body.code, deep=max(1, n // 100 - 1))
            row[name] = measure(client, url, runs)
            row[f"{name}_url"] = url
        rows.append(row)
    print(
        json.dumps({"built_s": built_s, "score_ms": 1000 * statistics.median(scored), "rows": rows})
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=10_000, help="applicants and dwellings")
    parser.add_argument("--runs", type=int, default=9, help="timed requests per page")
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.size, args.runs)
        return
    results = run_backends(__file__, args.only, args.size, args.runs)
    if args.json:
        print(json.dumps(results, indent=2))
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; {args.size:,} applicants and dwellings "
        f"against {SMALL}; median of {args.runs} requests as a signed-in applicant"
    )
    for r in results:
        print(
            f"{r['database']}: built in {float(r['built_s']):.1f} s; scoring and ranking "  # type: ignore[arg-type]
            f"the whole list (the selector alone): {float(r['score_ms']):.0f} ms"  # type: ignore[arg-type]
        )
    head = (
        f"{'database':<11} {'page':<26} {'ms':>7} {'sql ms':>7} {'queries':>7} "
        f"{'small ms':>8} {'queries':>7} {'×small':>7} {'×SQLite':>7}"
    )
    print(head)
    print("-" * len(head))
    sqlite = {str(row["page"]): row for row in results[0]["rows"]} if results else {}  # type: ignore[attr-defined]
    grows = False
    for r in results:
        for row in r["rows"]:  # type: ignore[attr-defined]
            large, small = row["large"], row["small"]
            base = sqlite.get(row["page"])
            vs_sqlite = large["ms"] / base["large"]["ms"] if base else 1.0
            print(
                f"{r['database']:<11} {row['page']:<26} {large['ms']:>7.1f} "
                f"{large['sql_ms']:>7.1f} {large['queries']:>7} {small['ms']:>8.1f} "
                f"{small['queries']:>7} {large['ms'] / small['ms']:>7.1f} {vs_sqlite:>7.2f}"
            )
            grows = grows or large["queries"] != small["queries"]
    if grows:
        print("the query count grows with the size of the list", file=sys.stderr)
    sys.exit(1 if grows or not results else 0)


if __name__ == "__main__":
    main()
