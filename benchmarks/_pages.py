"""What the page benchmarks share: Django set up in a child process against a throwaway
database, timing a page with its queries, and running the same child on SQLite and on a
throwaway PostgreSQL database side by side.

Used by ``decisions_list.py`` and ``housing_list.py``; not a benchmark itself. A script
using it runs itself as the child with ``--child DATABASE_URL --size N --runs N`` and
prints its result as one JSON line.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _http import POSTGRES, postgres_database


def setup_django(database_url: str, work: Path) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "collegium.settings"
    os.environ["COLLEGIUM_DEBUG"] = "0"  # as served: no template debugging
    os.environ["COLLEGIUM_SIGNING_KEY_FILE"] = str(work / "bench.key")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def measure(client: Any, url: str, runs: int) -> dict[str, object]:
    """Median time and database time of ``runs`` requests after two warm-ups."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, sql = [], []
    queries = 0
    for i in range(runs + 2):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - started
        assert response.status_code == 200, (url, response.status_code)
        if i >= 2:
            times.append(elapsed)
            sql.append(sum(float(q["time"]) for q in ctx.captured_queries))
            queries = len(ctx.captured_queries)
    return {
        "ms": 1000 * statistics.median(times),
        "sql_ms": 1000 * statistics.median(sql),
        "queries": queries,
        "bytes": len(response.content),
    }


def _run_child(script: str, label: str, url: str, size: int, runs: int) -> dict[str, object] | None:
    out = subprocess.run(
        [sys.executable, script, "--child", url, "--size", str(size), "--runs", str(runs)],
        capture_output=True,
        text=True,
        timeout=3600,
        check=False,
    )
    if out.returncode != 0:
        print(f"{label} failed:\n{out.stderr[-3000:]}", file=sys.stderr)
        return None
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    result["database"] = label
    return result


def run_backends(script: str, only: str | None, size: int, runs: int) -> list[dict[str, object]]:
    """The child on SQLite (a file in a temporary folder) and on PostgreSQL
    (``COLLEGIUM_TEST_POSTGRES``, a database created for the run and dropped after)."""
    results = []
    if only in (None, "sqlite"):
        tmp = Path(tempfile.mkdtemp(prefix="collegium-bench-"))
        found = _run_child(script, "SQLite", f"sqlite:///{tmp / 'bench.sqlite3'}", size, runs)
        if found:
            results.append(found)
    if only in (None, "postgres"):
        server = os.environ.get("COLLEGIUM_TEST_POSTGRES", POSTGRES)
        name = f"collegium_bench_{os.getpid()}"
        try:
            url = postgres_database(server, name, create=True)
        except Exception as exc:
            print(f"PostgreSQL not tested: {exc}", file=sys.stderr)
        else:
            try:
                found = _run_child(script, "PostgreSQL", url, size, runs)
                if found:
                    results.append(found)
            finally:
                postgres_database(server, name, create=False)
    return results
