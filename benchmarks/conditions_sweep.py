"""Condition reports: the escalation sweep over many open reports past their deadline.

    .venv/bin/python benchmarks/conditions_sweep.py                 # 10^4 open reports
    .venv/bin/python benchmarks/conditions_sweep.py --size 100000   # the published figures
    .venv/bin/python benchmarks/conditions_sweep.py --quick         # 2,000, a smoke run

Every report is open and past its deadline at its enterprise's board (the worst case), so
the sweep moves each one to its union's board with a new deadline: one locked batch of up
to 1,000 reports per transaction, one record entry per batch listing the reports it moved,
one history row per report, one notice per board member per batch. The second run finds
nothing to do (the sweep is idempotent) and shows what a minute's tick costs when nothing
is due. Beside it, the per-report path (one transaction, record entry and notice each, as
when a board escalates by hand) on 1,000 reports, scaled to the same size.

SQLite and, when it answers, PostgreSQL, each in its own process; the last column is
PostgreSQL ÷ SQLite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from conditions_list import machine, setup_django, table, with_postgres

PER_REPORT_SAMPLE = 1000


def child(url: str, size: int) -> None:
    setup_django(url)
    from conditions_list import build
    from django.db import transaction
    from django.utils import timezone

    from collegium.conditions import services
    from collegium.conditions.models import ConditionReport
    from collegium.record.models import Entry
    from collegium.record.services import SYSTEM

    started = time.perf_counter()
    build(size, all_open_overdue=True)
    built = time.perf_counter() - started
    now = timezone.now()

    # The per-report path first, on a sample (then put back, so the sweep sees everything).
    sample = list(
        ConditionReport.objects.select_related("responsible").order_by("id")[:PER_REPORT_SAMPLE]
    )
    entries_before = Entry.objects.count()
    started = time.perf_counter()
    for report in sample:
        with transaction.atomic():
            locked = services._lock(report)
            services._escalate(
                locked,
                actor=SYSTEM,
                member=None,
                how="deadline",
                reason="",
                now=now,
            )
    per_report = (time.perf_counter() - started) / len(sample)
    per_report_entries = Entry.objects.count() - entries_before
    ids = [r.pk for r in sample]
    origin = {r.pk: r.responsible_id for r in sample}
    for pk, responsible_id in origin.items():
        ConditionReport.objects.filter(pk=pk).update(
            responsible_id=responsible_id, escalations=0, due_at=now - dt.timedelta(days=1)
        )
    assert ConditionReport.objects.filter(pk__in=ids, escalations=0).count() == len(ids)

    entries_before = Entry.objects.count()
    started = time.perf_counter()
    first = services.conditions_sweep(now=now)
    sweep = time.perf_counter() - started
    entries = Entry.objects.count() - entries_before
    started = time.perf_counter()
    second = services.conditions_sweep(now=now)
    idle = time.perf_counter() - started
    print(
        json.dumps(
            {
                "built": built,
                "sweep": sweep,
                "escalated": first["conditions_escalated"],
                "entries": entries,
                "idle": idle,
                "idle_escalated": second["conditions_escalated"],
                "per_report": per_report,
                "per_report_entries": per_report_entries,
            }
        )
    )


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
    print(f"{size:,} open condition reports, every one past its deadline")
    print(machine())
    if isinstance(sqlite, str):
        print("SQLite failed:", sqlite)
        return
    pg = postgres if isinstance(postgres, dict) else None

    def row(label: str, key: str, fmt: Any) -> list[str]:
        a = sqlite[key]
        b = pg[key] if pg else None
        return [label, fmt(a), fmt(b) if b is not None else "—", f"{b / a:.2f}" if b else "—"]

    rows = [
        row("sweep: escalate all", "sweep", lambda s: f"{s:.2f} s"),
        row("  reports escalated", "escalated", lambda n: f"{n:,}"),
        row("  record entries", "entries", lambda n: f"{n:,}"),
        row("  per report", "sweep", lambda s: f"{s / size * 1e6:.0f} µs"),
        row("second sweep (nothing due)", "idle", lambda s: f"{s * 1000:.1f} ms"),
        row(
            f"per-report path ({PER_REPORT_SAMPLE:,}), per report",
            "per_report",
            lambda s: f"{s * 1e6:.0f} µs",
        ),
        row(
            f"per-report path scaled to {size:,}",
            "per_report",
            lambda s: f"{s * size:.1f} s",
        ),
    ]
    table(["what", "SQLite", "PostgreSQL", "PG ÷ SQLite"], rows)
    if isinstance(postgres, str):
        print("PostgreSQL:", postgres)
    assert sqlite["idle_escalated"] == 0
    built = f"built in {sqlite['built']:.1f} s (SQLite)"
    if pg:
        built += f", {pg['built']:.1f} s (PostgreSQL)"
    print(built)


if __name__ == "__main__":
    main()
