"""Demo startup from a fresh checkout: `scripts/demo --no-serve` in a clean clone.

    .venv/bin/python benchmarks/demo_startup.py

Measures three phases separately: creating the virtual environment and installing the
pinned dependencies (pip's cache, if warm, makes this much faster: the table says which),
building the demo database, and a second run that reuses it. Beside the build it times
the same federation's import without the record (plain ORM inserts) as the baseline.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    out = subprocess.run(
        cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=1800
    )
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{out.stdout[-2000:]}\n{out.stderr[-2000:]}")
    return time.perf_counter() - started, out.stdout


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="collegium-fresh-"))
    clone = work / "collegium"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "VIRTUAL_ENV")}
    setup_s, _ = timed(["scripts/setup", "runtime"], clone, env)
    build_s, out = timed([".venv/bin/collegium", "demo", "--no-serve"], clone, env)
    again_s, _ = timed([".venv/bin/collegium", "demo", "--no-serve"], clone, env)
    rows = [
        ("create .venv and install pinned runtime dependencies", setup_s),
        ("build the demo federation (migrate, import, boards, record, checkpoint)", build_s),
        ("second run (reuses the database)", again_s),
        ("total from a fresh clone to the printed logins", setup_s + build_s),
    ]
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    width = max(len(r[0]) for r in rows)
    for label, seconds in rows:
        print(f"{label.ljust(width)}  {seconds:7.1f} s")
    print(next(line for line in out.splitlines() if "bodies" in line and "members" in line))


if __name__ == "__main__":
    main()
