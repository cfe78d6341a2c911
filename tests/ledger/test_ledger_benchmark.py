"""The verify benchmark still runs (a few hundred entries, one repetition)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_benchmark_smoke_run() -> None:
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "ledger_verify.py"),
            "--sizes",
            "300",
            "--repeat",
            "1",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    rows = [line for line in result.stdout.splitlines() if line.startswith("| 300 |")]
    assert [row.split(" | ")[1] for row in rows] == [
        "verify_log (every root)",
        "naive root (last root only)",
        "hash chain (every link)",
        "JSON check alone",
        "building it (JSON, leaf, append, root), once",
    ]
