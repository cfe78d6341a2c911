"""Criticism list benchmark: a body's criticism page (rendered, as a member sees it) and
the JSON list, with each filter, on a body that holds ``--size`` items.

    .venv/bin/python benchmarks/criticism_list.py                  # 10^4 items
    .venv/bin/python benchmarks/criticism_list.py --size 100000    # the published figures
    .venv/bin/python benchmarks/criticism_list.py --quick          # 2,000 items, smoke run

Runs on SQLite (a temporary file) and, when it answers, PostgreSQL
(COLLEGIUM_TEST_POSTGRES, default postgres://postgres@127.0.0.1:5432/postgres, in a
throwaway database). Beside each figure: the same page of a body with 100 items, so the
ratio is what the large table costs. The query count of each page is printed too (it is
pinned by tests/web/test_criticism.py and does not grow with the table). PostgreSQL's
tables are analysed after the bulk load, as its autovacuum would.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SMALL = 100
WORDS = ["ventilation", "canteen", "lockers", "overtime", "housing", "tools", "heating"]


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "collegium.settings"
    os.environ["COLLEGIUM_SIGNING_KEY_FILE"] = str(Path(tempfile.mkdtemp()) / "bench.key")
    os.environ["COLLEGIUM_EMAIL_NOTIFICATIONS"] = "0"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.COLLEGIUM_EMAIL_NOTIFICATIONS = False
    call_command("migrate", verbosity=0)


def federation() -> dict[str, Any]:
    """Congress → union → two enterprises with a shop each; a board on each body; a
    moderation commission; 200 members."""
    import datetime as dt

    from django.contrib.auth import get_user_model

    from collegium.elections.services import board_seat_founding
    from collegium.federation.models import Body, Category, Member
    from collegium.federation.services import body_place
    from collegium.record.services import SYSTEM

    def body(code: str, kind: str, parent: Any, function: str = "") -> Any:
        b = Body.objects.create(
            code=code, name=code.title(), kind=kind, parent=parent, path="", function=function
        )
        body_place(b)
        return b

    congress = body("congress", "congress", None)
    union = body("union", "industrial_union", congress)
    big = body("big", "enterprise", union)
    small = body("small", "enterprise", union)
    shops = [body("big-1", "shop", big), body("small-1", "shop", small)]
    commission = body("congress-moderation", "commission", congress, "moderation")
    category = Category.objects.get(code="production_worker")
    users = get_user_model()
    members = []
    for i in range(200):
        user = users.objects.create_user(username=f"b{i}", password=None)
        members.append(
            Member.objects.create(
                member_no=f"B{i:05}",
                given_name="Member",
                family_name=f"No{i}",
                category=category,
                workplace=shops[i % 2],
                user=user,
            )
        )
    today = dt.date.today()
    for b, seated in (
        (big, members[:5]),
        (small, members[5:10]),
        (union, members[10:13]),
        (congress, members[13:16]),
        (commission, members[16:19]),
    ):
        board_seat_founding(
            user=None,
            actor=SYSTEM,
            body=b,
            members=seated,
            term_start=today - dt.timedelta(days=10),
            term_end=today + dt.timedelta(days=700),
        )
    return {"big": big, "small": small, "union": union, "members": members}


def fill(body: Any, parent: Any, authors: list[Any], n: int, *, due_share: float) -> None:
    """``n`` criticism items addressed to ``body`` in bulk, in the shapes the services
    leave: most open, some answered, some past their deadline, some escalated to
    ``parent``, a few hidden; ``due_share`` of the open ones are past their deadline."""
    import datetime as dt
    import random

    from django.db import transaction
    from django.utils import timezone

    from collegium.criticism.models import Criticism, Level

    rng = random.Random(1921 + n)
    now = timezone.now()
    batch = 10_000
    for start in range(0, n, batch):
        rows = []
        kinds = []
        for i in range(start, min(n, start + batch)):
            r = rng.random()
            created = now - dt.timedelta(days=rng.randint(1, 400), minutes=i % 1440)
            state, level_body, level = "open", body, 0
            due = now + dt.timedelta(days=rng.randint(1, 14))
            if r < 0.15:
                state = "answered"
            elif r < 0.2:
                state, level_body, level = "escalated", parent, 1
            elif rng.random() < due_share:
                due = now - dt.timedelta(hours=rng.randint(1, 200))
            rows.append(
                Criticism(
                    body=body,
                    target=rng.choice(["body", "board", "plan", "body", "body"]),
                    target_plan="Plan 2027, line 3",
                    author=authors[i % len(authors)],
                    author_body_id=authors[i % len(authors)].workplace_id,
                    anonymous=i % 7 == 0,
                    title=f"{rng.choice(WORDS).title()} problem no. {i}",
                    text="A realistic paragraph of criticism. " * 8,
                    created_at=created,
                    state=state,
                    level_body=level_body,
                    level=level,
                    due_at=due,
                    cosignatures=rng.randint(0, 30),
                    hidden=i % 100 == 0,
                    hidden_reason="Advertising or spam unrelated to the federation's work"
                    if i % 100 == 0
                    else "",
                )
            )
            kinds.append(level)
        with transaction.atomic():
            made = Criticism.objects.bulk_create(rows)
            if made and made[0].pk is None:  # backends that return no ids
                made = list(Criticism.objects.order_by("-pk")[: len(rows)])[::-1]
            levels = []
            for c in made:
                levels.append(
                    Level(
                        criticism_id=c.pk,
                        number=0,
                        body=body,
                        reason="addressed",
                        opened_at=c.created_at,
                        due_at=c.due_at,
                    )
                )
                if c.level == 1:
                    levels.append(
                        Level(
                            criticism_id=c.pk,
                            number=1,
                            body=parent,
                            reason="overdue",
                            opened_at=c.created_at,
                            due_at=c.due_at,
                        )
                    )
            Level.objects.bulk_create(levels, batch_size=5000)


def analyze() -> None:
    """PostgreSQL's autovacuum gathers planner statistics shortly after a bulk load; the
    benchmark does it at once instead of timing the plans of an unanalysed table.
    (SQLite gets no ANALYZE: Collegium never runs one.)"""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


PAGES = [
    ("list, page 1", ""),
    ("state=open", "?state=open"),
    ("state=overdue", "?state=overdue"),
    ("state=escalated", "?state=escalated"),
    ("target=plan", "?target=plan"),
    ("q=ventilation", "?q=ventilation"),
    ("page 100", "?page=100"),
]


def timed(client: Any, url: str, repeats: int) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    queries = 0
    for _ in range(repeats):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(ctx.captured_queries)
    return statistics.median(times) * 1000, queries


def child(url: str, size: int, repeats: int) -> None:
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_django(url)
    setup_test_environment()
    fed = federation()
    started = time.perf_counter()
    fill(fed["big"], fed["union"], fed["members"], size, due_share=0.1)
    fill(fed["small"], fed["union"], fed["members"], SMALL, due_share=0.1)
    filled = time.perf_counter() - started
    analyze()
    client = Client()
    client.force_login(fed["members"][0].user)
    results = []
    for label, query in PAGES:
        small_ms, _ = timed(client, f"/bodies/small/criticism/{query}", repeats)
        page_ms, queries = timed(client, f"/bodies/big/criticism/{query}", repeats)
        api_ms, _ = timed(client, f"/api/criticism/bodies/big{query}", repeats)
        results.append([label, page_ms, small_ms, queries, api_ms])
    print(json.dumps({"filled": filled, "results": results}))


def run_backend(label: str, url: str, size: int, repeats: int) -> list[list[str]]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", url, "--size", str(size), "--repeats", str(repeats)],
        capture_output=True,
        text=True,
        timeout=7200,
        check=False,
    )
    if out.returncode != 0:
        print(out.stderr[-3000:], file=sys.stderr)
        return [[label, "error", "", "", "", ""]]
    data = json.loads(out.stdout.strip().splitlines()[-1])
    rows = [[label, f"fill {size:,} items (bulk)", f"{data['filled']:.1f} s", "", "", ""]]
    for what, page_ms, small_ms, queries, api_ms in data["results"]:
        rows.append(
            [
                label,
                f"page: {what}",
                f"{page_ms:.0f} ms ({queries} queries)",
                f"{small_ms:.0f} ms at {SMALL} items",
                f"{page_ms / small_ms:.2f}×",
                f"API {api_ms:.0f} ms",
            ]
        )
    return rows


def with_postgres(run: Any) -> list[list[str]]:
    pg = os.environ.get("COLLEGIUM_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres")
    try:
        import psycopg

        name = f"collegium_bench_{os.getpid()}"
        dsn = pg.replace("postgres://", "postgresql://", 1)
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        try:
            return run("PostgreSQL", pg.rsplit("/", 1)[0] + f"/{name}")  # type: ignore[no-any-return]
        finally:
            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    except Exception as exc:  # report and go on with what ran
        return [["PostgreSQL", "did not run", str(exc)[:60], "", "", ""]]


def print_table(header: list[str], rows: list[list[str]]) -> None:
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, ["-" * w for w in widths], *rows]:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.size, args.repeats)
        return
    size = 2_000 if args.quick else args.size
    tmp = Path(tempfile.mkdtemp(prefix="collegium-bench-"))
    rows = run_backend("SQLite", f"sqlite:///{tmp / 'bench.sqlite3'}", size, args.repeats)
    rows += with_postgres(lambda label, url: run_backend(label, url, size, args.repeats))
    print_table(
        ["database", "what", f"median of {args.repeats}", "beside it", "ratio", "JSON list"],
        rows,
    )


if __name__ == "__main__":
    main()
