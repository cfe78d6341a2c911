"""Criticism sweep benchmark: ``criticism_sweep`` over ``--size`` open items, of which
``--due-share`` are past their deadline.

    .venv/bin/python benchmarks/criticism_sweep.py                  # 10^4 open items
    .venv/bin/python benchmarks/criticism_sweep.py --size 100000    # the published figures
    .venv/bin/python benchmarks/criticism_sweep.py --quick          # 2,000, smoke run

Three runs on the same data: the sweep as it runs every minute with nothing due (the
usual case), the sweep that escalates every item past its deadline, and the same sweep
again (idempotent: nothing left to do). The sweep works in batches of 1,000 (one
transaction, one record entry per batch and board listing the items, one notice per
board member, one per critic and co-signer); beside it the per-item path (one
transaction and record entry each, as when a critic's "unsatisfied" escalates one item),
measured on up to 500 items. SQLite and PostgreSQL side by side as in criticism_list.py.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from criticism_list import analyze, federation, fill, print_table, setup_django, with_postgres


def child(url: str, size: int, due_share: float) -> None:
    import datetime as dt

    from django.utils import timezone

    setup_django(url)
    fed = federation()
    # All items addressed to the enterprise; escalation goes to the union.
    fill(fed["big"], fed["union"], fed["members"], size, due_share=due_share)
    analyze()
    from collegium.criticism.models import Criticism
    from collegium.criticism.services import criticism_sweep

    now = timezone.now()
    waiting = Criticism.objects.filter(state__in=["open", "escalated"])
    due = waiting.filter(due_at__lte=now).count()
    open_items = waiting.count()
    # Nothing due: the sweep an hour before the earliest deadline.
    earliest = waiting.order_by("due_at").values_list("due_at", flat=True).first()
    assert earliest is not None
    started = time.perf_counter()
    idle = criticism_sweep(now=earliest - dt.timedelta(days=2))
    idle_s = time.perf_counter() - started
    assert idle["criticism_escalated"] == 0
    started = time.perf_counter()
    result = criticism_sweep(now=now)
    sweep_s = time.perf_counter() - started
    assert result["criticism_escalated"] == due, (result, due)
    started = time.perf_counter()
    again = criticism_sweep(now=now)
    again_s = time.perf_counter() - started
    assert again["criticism_escalated"] == 0
    # Beside it: the per-item path (one transaction, record entry and notices for each,
    # as when a critic's "unsatisfied" escalates one item), on up to 500 items.
    from django.db import transaction

    from collegium.criticism.services import _escalate

    sample = list(
        Criticism.objects.filter(level=1, state="escalated")
        .select_related("level_body")
        .order_by("pk")[: min(500, max(due, 1))]
    )
    started = time.perf_counter()
    for c in sample:
        with transaction.atomic():
            _escalate(c, "overdue", now)
    per_item = (time.perf_counter() - started) / max(len(sample), 1)
    print(
        json.dumps(
            {
                "open": open_items,
                "due": due,
                "idle": idle_s,
                "sweep": sweep_s,
                "again": again_s,
                "per_item": per_item,
                "reminded": result["criticism_reminded"],
            }
        )
    )


def run_backend(label: str, url: str, size: int, due_share: float) -> list[list[str]]:
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            url,
            "--size",
            str(size),
            "--due-share",
            str(due_share),
        ],
        capture_output=True,
        text=True,
        timeout=7200,
        check=False,
    )
    if out.returncode != 0:
        print(out.stderr[-3000:], file=sys.stderr)
        return [[label, "error", "", "", ""]]
    d = json.loads(out.stdout.strip().splitlines()[-1])
    return [
        [label, f"sweep, none due ({d['open']:,} open)", f"{d['idle']:.2f} s", "", ""],
        [
            label,
            f"sweep escalating {d['due']:,} of {d['open']:,} open",
            f"{d['sweep']:.2f} s",
            f"{d['sweep'] / max(d['due'], 1) * 1e6:,.0f} µs each; one by one "
            f"{d['per_item'] * 1e3:.1f} ms each",
            f"{d['per_item'] * d['due'] / d['sweep']:.0f}× faster",
        ],
        [label, "the same sweep again", f"{d['again']:.2f} s", "nothing left to do", ""],
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--due-share", type=float, default=0.1)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.size, args.due_share)
        return
    size = 2_000 if args.quick else args.size
    tmp = Path(tempfile.mkdtemp(prefix="collegium-bench-"))
    rows = run_backend("SQLite", f"sqlite:///{tmp / 'bench.sqlite3'}", size, args.due_share)
    rows += with_postgres(lambda label, url: run_backend(label, url, size, args.due_share))
    print_table(["database", "what", "seconds", "beside it", "ratio"], rows)


if __name__ == "__main__":
    main()
