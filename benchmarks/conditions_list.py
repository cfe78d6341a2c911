"""Condition reports: the list page and the API list over many reports, with filters.

    .venv/bin/python benchmarks/conditions_list.py                 # 10^4 reports
    .venv/bin/python benchmarks/conditions_list.py --size 100000   # the published figures
    .venv/bin/python benchmarks/conditions_list.py --quick         # 2,000, a smoke run

A federation of 4 unions, 12 enterprises and 48 shops gets ``--size`` reports spread over
the shops, in every state, a third with a photo row and a promised remedy for the
promised ones. Each page is requested through Django's full stack (middleware, session,
templates) as a congress board member (who sees every report) and as a shop worker (who
sees their shop's and enterprise's); the median of 7 requests after a warm-up, and the
number of SQL queries, which must not grow with the size (a test pins it).

Runs on SQLite (a temporary file) and, when it answers, PostgreSQL
(COLLEGIUM_TEST_POSTGRES, default postgres://postgres@127.0.0.1:5432/postgres, in a
throwaway database), each in its own process; the last column is PostgreSQL ÷ SQLite.
"""

from __future__ import annotations

import argparse
import datetime as dt
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

HAZARDS = ["dampness", "foul_air", "gases", "heat", "cold", "noise", "lighting", "sanitation"]
STATES = ["awaiting", "open", "open", "promised", "done", "fixed", "fixed"]
WORDS = ["press", "hammer", "furnace", "loom", "boiler", "roof", "canteen", "stairs"]


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "collegium.settings"
    os.environ["COLLEGIUM_ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.environ["COLLEGIUM_DEBUG"] = "0"
    os.environ["COLLEGIUM_SIGNING_KEY_FILE"] = str(Path(tempfile.mkdtemp()) / "bench.key")
    os.environ["COLLEGIUM_UPLOAD_DIR"] = tempfile.mkdtemp(prefix="collegium-bench-uploads-")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build(size: int, *, all_open_overdue: bool = False) -> dict[str, Any]:
    """The federation and ``size`` reports; returns what the measurements need."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from collegium.conditions.models import ConditionReport, Material, Photo, Remedy
    from collegium.elections.models import Seat
    from collegium.federation.models import Body, Category, Member
    from collegium.federation.services import body_place

    now = timezone.now()
    category = Category.objects.get(code="production_worker")
    user_model = get_user_model()

    def body(code: str, kind: str, parent: Body | None) -> Body:
        b = Body.objects.create(code=code, name=code.title(), kind=kind, parent=parent, path="")
        body_place(b)
        return b

    def member(no: str, workplace: Body) -> Member:
        user = user_model.objects.create_user(username=no, password=None)
        return Member.objects.create(
            member_no=no,
            given_name="Bench",
            family_name=no,
            category=category,
            workplace=workplace,
            user=user,
        )

    def seat(b: Body, m: Member) -> None:
        today = dt.date.today()
        Seat.objects.create(
            body=b,
            holder=m,
            term_start=today - dt.timedelta(days=10),
            term_end=today + dt.timedelta(days=700),
            basis="founding",
        )

    with transaction.atomic():
        congress = body("congress", "congress", None)
        shops: list[Body] = []
        enterprises: list[Body] = []
        for u in range(4):
            union = body(f"union{u}", "industrial_union", congress)
            for e in range(3):
                ent = body(f"works{u}{e}", "enterprise", union)
                enterprises.append(ent)
                for s in range(4):
                    shops.append(body(f"shop{u}{e}{s}", "shop", ent))
        top = member("top", shops[0])
        seat(congress, top)
        for u, union in enumerate(Body.objects.filter(kind="industrial_union").order_by("code")):
            seat(union, member(f"union-board{u}", shops[u * 12]))
        for e, ent in enumerate(enterprises):
            seat(ent, member(f"works-board{e}", shops[e * 4]))
        workers = [member(f"w{i}", shop) for i, shop in enumerate(shops)]
    reporters = {shop.pk: workers[i] for i, shop in enumerate(shops)}
    batch: list[ConditionReport] = []
    for i in range(size):
        shop = shops[i % len(shops)]
        state = "open" if all_open_overdue else STATES[i % len(STATES)]
        created = now - dt.timedelta(minutes=size - i)
        confirmed = created + dt.timedelta(hours=2) if state != "awaiting" else None
        batch.append(
            ConditionReport(
                body=shop,
                location=f"Bay {i % 17}, {WORDS[i % len(WORDS)]} line",
                hazard=HAZARDS[i % len(HAZARDS)],
                severity=1 + (i * 7) % 4,
                people_affected=1 + i % 40,
                title=f"{HAZARDS[i % len(HAZARDS)].replace('_', ' ').title()} at the "
                f"{WORDS[(i // 3) % len(WORDS)]} {i}",
                description="Reported in a benchmark. " * 4,
                reporter=reporters[shop.pk],
                state=state,
                confirmations_needed=2,
                confirmation_count=0 if state == "awaiting" else 2,
                responsible=enterprises[(i % len(shops)) // 4],
                escalations=1 if (i % 11 == 0 and state == "open") else 0,
                created_at=created,
                confirmed_at=confirmed,
                due_at=(now - dt.timedelta(days=1))
                if all_open_overdue
                else (confirmed + dt.timedelta(days=14) if state == "open" and confirmed else None),
            )
        )
        if len(batch) == 5000:
            ConditionReport.objects.bulk_create(batch)
            batch = []
    ConditionReport.objects.bulk_create(batch)
    ids = list(ConditionReport.objects.order_by("id").values_list("id", "state"))
    photos = [
        Photo(
            report_id=pk,
            uploaded_by=workers[0],
            number=1,
            stored_name=f"bench{pk}.jpg",
            thumb_name=f"bench{pk}-thumb.jpg",
            format="jpeg",
            width=960,
            height=720,
            size=50_000,
            sha256="0" * 64,
            created_at=now,
        )
        for pk, _ in ids[::3]
    ]
    Photo.objects.bulk_create(photos, batch_size=5000)
    promised = [pk for pk, state in ids if state == "promised"]
    remedies = Remedy.objects.bulk_create(
        [
            Remedy(
                report_id=pk,
                board=enterprises[0],
                promised_by=workers[0],
                work="Fix it",
                labour_hours=4,
                cost=100,
                due_on=(now + dt.timedelta(days=pk % 30 - 10)).date(),
                created_at=now,
            )
            for pk in promised
        ],
        batch_size=5000,
    )
    Material.objects.bulk_create(
        [
            Material(remedy=r, product=f"part-{r.pk % 50}", quantity=2, unit="piece")
            for r in remedies
        ],
        batch_size=5000,
    )
    from django.db import connection

    with connection.cursor() as cursor:  # fresh statistics, as autovacuum keeps them
        cursor.execute("ANALYZE")
    detail = ConditionReport.objects.order_by("-id").values_list("public_id", flat=True).first()
    return {
        "top": top.user,
        "worker": workers[0].user,
        "shop": shops[0].code,
        "enterprise": enterprises[0].code,
        "detail": detail,
        "congress": congress,
    }


def timed(client: Any, url: str, repeats: int = 7) -> tuple[float, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    times = []
    queries = 0
    for _ in range(repeats):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
        queries = len(ctx.captured_queries)
    return statistics.median(times), queries, len(response.content)


def child(url: str, size: int) -> None:
    setup_django(url)
    from django.test import Client

    started = time.perf_counter()
    world = build(size)
    built = time.perf_counter() - started
    top, worker = Client(), Client()
    top.force_login(world["top"])
    worker.force_login(world["worker"])
    pages = [
        ("list, congress board, all", top, "/bodies/congress/conditions/"),
        ("list, congress board, page 200", top, "/bodies/congress/conditions/?page=200"),
        ("list, open & severity ≥ 3", top, "/bodies/congress/conditions/?state=open&severity=3"),
        ("list, overdue", top, "/bodies/congress/conditions/?state=overdue"),
        ("list, hazard + words", top, "/bodies/congress/conditions/?hazard=noise&q=press"),
        ("list, shop worker, enterprise", worker, f"/bodies/{world['enterprise']}/conditions/"),
        ("report page", top, f"/conditions/{world['detail']}/"),
        ("API list, congress board", top, "/api/conditions/bodies/congress"),
        ("API list, hazard + words", top, "/api/conditions/bodies/congress?hazard=noise&q=press"),
    ]
    rows = []
    for label, client, url in pages:
        seconds, queries, _ = timed(client, url)
        rows.append([label, seconds, queries])
    print(json.dumps({"built": built, "rows": rows}))


def run_backend(url: str, size: int) -> dict[str, Any] | str:
    out = subprocess.run(
        [sys.executable, __file__, "--child", url, "--size", str(size)],
        capture_output=True,
        text=True,
        timeout=7200,
        check=False,
    )
    if out.returncode != 0:
        return out.stderr.strip().splitlines()[-1][:80] if out.stderr.strip() else "failed"
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def with_postgres(fn: Any) -> Any:
    """Run ``fn(url)`` against a throwaway PostgreSQL database; the error text if none."""
    pg = os.environ.get("COLLEGIUM_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres")
    try:
        import psycopg

        name = f"collegium_bench_{os.getpid()}"
        plain = pg.replace("postgres://", "postgresql://", 1)
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        try:
            return fn(pg.rsplit("/", 1)[0] + f"/{name}")
        finally:
            with psycopg.connect(plain, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    except Exception as exc:  # report and go on with what ran
        return f"did not run: {str(exc)[:60]}"


def table(header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, ["-" * w for w in widths], *rows]:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))


def machine() -> str:
    return (
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.size)
        return
    size = 2_000 if args.quick else args.size
    tmp = Path(tempfile.mkdtemp(prefix="collegium-bench-"))
    sqlite = run_backend(f"sqlite:///{tmp / 'bench.sqlite3'}", size)
    postgres = with_postgres(lambda url: run_backend(url, size))
    print(f"{size:,} condition reports; median of 7 requests through the full stack")
    print(machine())
    if isinstance(sqlite, str):
        print("SQLite failed:", sqlite)
        return
    rows = []
    for i, (label, seconds, queries) in enumerate(sqlite["rows"]):
        pg_cell, ratio = "—", "—"
        if isinstance(postgres, dict):
            _, pg_seconds, pg_queries = postgres["rows"][i]
            pg_cell = f"{pg_seconds * 1000:.1f} ms ({pg_queries} q)"
            ratio = f"{pg_seconds / seconds:.2f}"
        rows.append([label, f"{seconds * 1000:.1f} ms ({queries} q)", pg_cell, ratio])
    table(["page", "SQLite", "PostgreSQL", "PG ÷ SQLite"], rows)
    if isinstance(postgres, str):
        print("PostgreSQL:", postgres)
    built = f"built in {sqlite['built']:.1f} s (SQLite)"
    if isinstance(postgres, dict):
        built += f", {postgres['built']:.1f} s (PostgreSQL)"
    print(built)


if __name__ == "__main__":
    main()
