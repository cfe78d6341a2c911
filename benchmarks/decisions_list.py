"""A body's list of proposals and decisions with 10^4 of each: time and queries per page.

    .venv/bin/python benchmarks/decisions_list.py                 # 10^4, both databases
    .venv/bin/python benchmarks/decisions_list.py --size 1000 --runs 5 --only sqlite

For each database (SQLite in a throwaway file; PostgreSQL in a throwaway database created
on ``COLLEGIUM_TEST_POSTGRES``, default ``postgres://postgres@127.0.0.1:5432/postgres``,
dropped afterwards) a child process migrates, then builds in bulk an enterprise with
``--size`` proposals, each with its text, two comments and a decision (a board roll call
with a vote from each of the 7 board members; every state, overturned ones with the
referendum that overturned them), and beside it a small enterprise with 50 of each built
the same way. It then requests the list page through Django's test client as a signed-in
member of the enterprise: the first page, filtered pages and a deep page, each ``--runs``
times after two warm-up requests, and reports the median time, the queries and their
share of the time, and how the large body compares with the small one and PostgreSQL
with SQLite.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _pages import measure, run_backends, setup_django

SMALL = 50
BOARD = 7
PAGES = [
    ("first page", ""),
    ("proposals under discussion", "?state=p-deliberation"),
    ("final decisions", "?state=d-final"),
    ("deep page of both lists", "?page={deep}&dpage={deep}"),
]


# ------------------------------------------------------------------------ the child


def build(code: str, parent: Any, size: int, tag: str) -> tuple[Any, Any]:
    """An enterprise with one shop, ``BOARD`` board members, 20 members and ``size``
    proposals each with a decision. Returns the body and a member's user."""
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from collegium.decisions.models import (
        Comment,
        Decision,
        Proposal,
        ProposalVersion,
        RollCallVote,
    )
    from collegium.elections.services import board_seat_founding
    from collegium.federation.models import Body, Category, Member
    from collegium.federation.services import body_place
    from collegium.record.services import SYSTEM

    def body(c: str, kind: str, up: Any) -> Body:
        b = Body.objects.create(code=c, name=c.title(), kind=kind, parent=up, path="")
        body_place(b)
        return b

    works = body(code, "enterprise", parent)
    shop = body(f"{code}-shop", "shop", works)
    category = Category.objects.get(code="production_worker")
    users = get_user_model().objects
    members = [
        Member.objects.create(
            member_no=f"{tag}{i:03d}",
            given_name=f"Given{i}",
            family_name=f"Family{i}",
            email=f"{tag}{i}@example.org",
            category=category,
            workplace=shop,
            user=users.create_user(username=f"{tag}{i:03d}", password=None),
        )
        for i in range(BOARD + 20)
    ]
    today = dt.date.today()
    board_seat_founding(
        user=None,
        actor=SYSTEM,
        body=works,
        members=members[:BOARD],
        term_start=today - dt.timedelta(days=30),
        term_end=today + dt.timedelta(days=700),
    )
    now = timezone.now()
    start = now - dt.timedelta(days=400)
    states = [s for s in Decision.State.values]
    proposals = Proposal.objects.bulk_create(
        [
            Proposal(
                body=works,
                author=members[i % len(members)],
                title=f"Proposal {i}",
                route="board",
                state=(
                    "deliberation"
                    if states[i % len(states)] == "rejected"
                    else "voting"
                    if states[i % len(states)] == "voting"
                    else "decided"
                ),
                created_at=start + dt.timedelta(minutes=i),
            )
            for i in range(size)
        ],
        batch_size=2000,
    )
    versions = ProposalVersion.objects.bulk_create(
        [
            ProposalVersion(
                proposal=p,
                number=1,
                text=f"The text of proposal {i}.\n\nIt has two paragraphs.",
                author=p.author,
                created_at=p.created_at,
                note="submitted",
            )
            for i, p in enumerate(proposals)
        ],
        batch_size=2000,
    )
    Comment.objects.bulk_create(
        [
            Comment(
                proposal=p,
                author=members[(i + k) % len(members)],
                text="Agreed.",
                created_at=p.created_at,
            )
            for i, p in enumerate(proposals)
            for k in (1, 2)
        ],
        batch_size=2000,
    )
    decisions = Decision.objects.bulk_create(
        [
            Decision(
                body=works,
                proposal=p,
                version=v,
                title=p.title,
                kind="roll_call",
                state=states[i % len(states)],
                electorate_size=BOARD,
                opened_at=p.created_at + dt.timedelta(days=1),
                closes_at=(
                    now + dt.timedelta(days=3)
                    if states[i % len(states)] == "voting"
                    else p.created_at + dt.timedelta(days=2)
                ),
                decided_at=(
                    None
                    if states[i % len(states)] == "voting"
                    else p.created_at + dt.timedelta(days=2)
                ),
                review_until=now + dt.timedelta(days=5),
            )
            for i, (p, v) in enumerate(zip(proposals, versions, strict=True))
        ],
        batch_size=2000,
    )
    RollCallVote.objects.bulk_create(
        [
            RollCallVote(decision=d, member=m, vote="yes", cast_at=d.opened_at)
            for d in decisions
            for m in members[:BOARD]
        ],
        batch_size=5000,
    )
    Decision.objects.bulk_create(
        [
            Decision(
                body=works,
                title=f"Overturn the board's decision: {d.title}",
                kind="referendum",
                state="final",
                quorum="0",
                electorate_size=len(members),
                opened_at=d.opened_at + dt.timedelta(hours=1),
                closes_at=d.opened_at + dt.timedelta(days=3),
                decided_at=d.opened_at + dt.timedelta(days=3),
                overturns=d,
            )
            for d in decisions
            if d.state == "overturned"
        ],
        batch_size=2000,
    )
    return works, members[-1].user


def child(database_url: str, size: int, runs: int) -> None:
    work = Path(tempfile.mkdtemp(prefix="collegium-bench-"))
    setup_django(database_url, work)
    from django.db import connection
    from django.test import Client

    from collegium.federation.models import Body

    started = time.perf_counter()
    congress = Body.objects.create(code="congress", name="Congress", kind="congress", path="")
    from collegium.federation.services import body_place

    body_place(congress)
    large, large_user = build("large", congress, size, "l")
    small, small_user = build("small", congress, SMALL, "s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    built_s = time.perf_counter() - started
    rows = []
    for label, query in PAGES:
        row: dict[str, object] = {"page": label}
        for name, body, user, n in [
            ("large", large, large_user, size),
            ("small", small, small_user, SMALL),
        ]:
            client = Client(HTTP_HOST="127.0.0.1")
            client.force_login(user)
            deep = max(1, n // 50 - 1)
            url = f"/bodies/{body.code}/decisions/" + query.format(deep=deep)
            row[name] = measure(client, url, runs)
            row[f"{name}_url"] = url
        rows.append(row)
    print(json.dumps({"built_s": built_s, "rows": rows}))


# ----------------------------------------------------------------------- the parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=10_000, help="decisions in the body")
    parser.add_argument("--runs", type=int, default=15, help="timed requests per page")
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
        f"Python {platform.python_version()}; {args.size:,} decisions and proposals "
        f"against {SMALL}; median of {args.runs} requests as a signed-in member"
    )
    for r in results:
        print(f"{r['database']}: built in {float(r['built_s']):.1f} s")  # type: ignore[arg-type]
    head = (
        f"{'database':<11} {'page':<27} {'ms':>7} {'sql ms':>7} {'queries':>7} "
        f"{'small ms':>8} {'queries':>7} {'×small':>6} {'×SQLite':>7}"
    )
    print(head)
    print("-" * len(head))
    sqlite = {str(row["page"]): row for row in results[0]["rows"]} if results else {}  # type: ignore[attr-defined]
    slow = grows = False
    for r in results:
        for row in r["rows"]:  # type: ignore[attr-defined]
            large, small = row["large"], row["small"]
            base = sqlite.get(row["page"])
            vs_sqlite = large["ms"] / base["large"]["ms"] if base else 1.0
            print(
                f"{r['database']:<11} {row['page']:<27} {large['ms']:>7.1f} "
                f"{large['sql_ms']:>7.1f} {large['queries']:>7} {small['ms']:>8.1f} "
                f"{small['queries']:>7} {large['ms'] / small['ms']:>6.2f} {vs_sqlite:>7.2f}"
            )
            slow = slow or large["ms"] > 200
            grows = grows or large["queries"] != small["queries"]
    if slow:
        print("a page took over 200 ms", file=sys.stderr)
    if grows:
        print("the query count grows with the number of decisions", file=sys.stderr)
    sys.exit(1 if grows or not results else 0)


if __name__ == "__main__":
    main()
