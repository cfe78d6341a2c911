"""Record benchmarks: append throughput through the service layer, and `record verify`.

    .venv/bin/python benchmarks/record.py            # 2,000 appends, verify 10^4 and 10^5
    .venv/bin/python benchmarks/record.py --large    # also verify 10^6
    .venv/bin/python benchmarks/record.py --quick    # small sizes, for a smoke run

Runs on SQLite (a temporary file) and, when it answers, PostgreSQL
(COLLEGIUM_TEST_POSTGRES, default postgres://postgres@127.0.0.1:5432/postgres, in a
throwaway database). The baseline beside each append figure is a plain ORM insert of the
same row without hashing or tree upkeep, so the ratio is the cost of the record itself.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

SIZES_VERIFY = [10_000, 100_000]


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "collegium.settings"
    os.environ["COLLEGIUM_SIGNING_KEY_FILE"] = str(Path(tempfile.mkdtemp()) / "bench.key")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def bench_append(n: int) -> tuple[float, float]:
    from django.db import transaction
    from django.utils import timezone

    from collegium.record.services import SYSTEM, record_append

    started = time.perf_counter()
    for i in range(n):
        with transaction.atomic():
            record_append(kind="bench.appended", actor=SYSTEM, data={"i": i, "note": "x" * 40})
    service = n / (time.perf_counter() - started)

    from collegium.accounts.models import User

    started = time.perf_counter()
    for i in range(n):
        with transaction.atomic():
            User.objects.create(username=f"bench{i}", first_name="x" * 40)
    baseline = n / (time.perf_counter() - started)
    _ = timezone
    return service, baseline


def bulk_fill(total: int) -> None:
    """Append entries in bulk with the same payload shape and hashing as the service,
    so verify has a large record to read."""
    from django.db import connection, transaction
    from django.utils import timezone

    from collegium.ledger.canonical import canonical_json
    from collegium.ledger.merkle import leaf_hash
    from collegium.record.models import Entry, Node

    start = Entry.objects.count()
    if start >= total:
        return
    from collegium.record.services import frontier_hashes, tree_extend

    frontier = frontier_hashes(start)
    now = timezone.now()
    batch_entries: list[Entry] = []
    batch_nodes: list[Node] = []
    for index in range(start, total):
        payload = canonical_json(
            {
                "v": 1,
                "index": index,
                "kind": "bench.appended",
                "at": now.isoformat(timespec="microseconds"),
                "actor": {"id": "system", "role": "system"},
                "body": None,
                "data": {"i": index, "note": "x" * 40},
            }
        )
        leaf = leaf_hash(payload)
        root, completed = tree_extend(frontier, leaf, index)
        batch_nodes.extend(completed)
        batch_entries.append(
            Entry(
                index=index,
                kind="bench.appended",
                actor_id="system",
                payload=payload.decode(),
                leaf_hash=leaf,
                root_after=root,
                recorded_at=now,
            )
        )
        if len(batch_entries) >= 20_000:
            with transaction.atomic():
                Entry.objects.bulk_create(batch_entries)
                Node.objects.bulk_create(batch_nodes)
            batch_entries, batch_nodes = [], []
    with transaction.atomic():
        Entry.objects.bulk_create(batch_entries)
        Node.objects.bulk_create(batch_nodes)
    _ = connection


def bench_verify() -> tuple[float, bool]:
    from collegium.record.verification import record_verify

    started = time.perf_counter()
    report = record_verify()
    return time.perf_counter() - started, report.ok


def run_backend(label: str, url: str, appends: int, sizes: list[int]) -> list[list[str]]:
    """Each backend in its own process (Django is configured once per process)."""
    import json
    import subprocess

    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            url,
            "--appends",
            str(appends),
            "--sizes",
            ",".join(map(str, sizes)),
        ],
        capture_output=True,
        text=True,
        timeout=3600,
        check=False,
    )
    if out.returncode != 0:
        print(out.stderr[-2000:], file=sys.stderr)
        return [[label, "error", "", "", ""]]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    rows = [
        [
            label,
            f"append {appends} entries",
            f"{result['service']:,.0f} entries/s",
            f"{result['baseline']:,.0f} rows/s (plain insert)",
            f"{result['baseline'] / result['service']:.2f}× slower",
        ]
    ]
    for size, seconds, ok in result["verify"]:
        rows.append(
            [
                label,
                f"record verify, {size:,} entries",
                f"{seconds:.2f} s",
                f"{size / seconds:,.0f} entries/s",
                "ok" if ok else "FAILED",
            ]
        )
    return rows


def child(url: str, appends: int, sizes: list[int]) -> None:
    import json

    setup_django(url)
    service, baseline = bench_append(appends)
    verify = []
    for size in sizes:
        bulk_fill(size)
        seconds, ok = bench_verify()
        verify.append((size, seconds, ok))
    print(json.dumps({"service": service, "baseline": baseline, "verify": verify}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--large", action="store_true")
    parser.add_argument("--child")
    parser.add_argument("--appends", type=int, default=2000)
    parser.add_argument("--sizes", default="")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.appends, [int(s) for s in args.sizes.split(",") if s])
        return
    appends = 200 if args.quick else args.appends
    sizes = [1_000, 10_000] if args.quick else SIZES_VERIFY + ([1_000_000] if args.large else [])
    rows: list[list[str]] = []
    tmp = Path(tempfile.mkdtemp(prefix="collegium-bench-"))
    rows += run_backend("SQLite", f"sqlite:///{tmp / 'bench.sqlite3'}", appends, sizes)
    pg = os.environ.get("COLLEGIUM_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres")
    try:
        import psycopg

        name = f"collegium_bench_{os.getpid()}"
        with psycopg.connect(
            pg.replace("postgres://", "postgresql://", 1), autocommit=True
        ) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        try:
            rows += run_backend("PostgreSQL", pg.rsplit("/", 1)[0] + f"/{name}", appends, sizes)
        finally:
            with psycopg.connect(
                pg.replace("postgres://", "postgresql://", 1), autocommit=True
            ) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    except Exception as exc:  # report and go on with what ran
        rows.append(["PostgreSQL", "did not run", str(exc)[:60], "", ""])
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    header = ["database", "what", "result", "beside it", "ratio / check"]
    widths = [max(w, len(h)) for w, h in zip(widths, header, strict=True)]
    for row in [header, ["-" * w for w in widths], *rows]:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
