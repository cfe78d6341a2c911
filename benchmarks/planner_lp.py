"""Kantorovich plan (max t) on seeded synthetic economies, HiGHS peers side by side.

    .venv/bin/python benchmarks/planner_lp.py [--quick] [--large] [--timeout S]

Sizes 10^3, 10^4, 10^5 products with two techniques each (a standard one and a
labour-saving one with limited capacity), four labour skills; labour and capacity both
bind (--quick stops at 10^4; --large adds 3·10^5). Solvers, each in its own subprocess
with a time limit and a memory cap:

* ``collegium``: ``solve_plan(method="auto")`` (HiGHS for small problems, the exact
  Leontief elimination ``reduced`` for large ones);
* ``collegium-pdlp``: OR-Tools PDLP to a relative gap of 1e-4, then repaired into a
  plan that satisfies every row;
* ``highs-simplex``, ``highs-ipx`` (interior point with crossover), ``highs-ipm-nox``
  (interior point without crossover) and ``highs-pdlp`` (HiGHS's own first-order
  solver, default tolerance 1e-7): HiGHS called directly on the same LP.

A peer that did not finish at one size is not tried at the larger ones. ``t`` is
compared with HiGHS wherever HiGHS finished; times exclude building the instance.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

SOLVERS = [
    "collegium",
    "collegium-pdlp",
    "highs-simplex",
    "highs-ipx",
    "highs-ipm-nox",
    "highs-pdlp",
]
HIGHS_OPTIONS: dict[str, dict[str, object]] = {
    "highs-simplex": {"solver": "simplex"},
    "highs-ipx": {"solver": "ipm"},
    "highs-ipm-nox": {"solver": "ipm", "run_crossover": "off"},
    "highs-pdlp": {"solver": "pdlp"},
}


def worker(solver: str, n: int, seed: int, timeout: float, repeat: int = 1) -> dict[str, object]:
    from collegium.planner import synthetic
    from collegium.planner.lp import (
        build_program,
        dual_objective,
        max_violation,
        new_highs,
        relative_gap,
        solve_plan,
        to_highs_lp,
    )

    e = synthetic.economy(n, seed=seed)
    out: dict[str, object] = {"solver": solver, "n": n, "nnz": e.nnz}
    if solver.startswith("collegium"):
        times = []
        for _ in range(max(1, repeat)):
            start = time.perf_counter()
            if solver == "collegium":
                r = solve_plan(e, method="auto", time_limit=timeout)
            else:
                r = solve_plan(e, method="pdlp", tol=1e-4, time_limit=timeout)
            times.append(time.perf_counter() - start)
        out.update(
            seconds=min(times),
            median=statistics.median(times),
            runs=len(times),
            t=r.t,
            gap=r.gap,
            violation=r.residual,
            method=r.method,
            iterations=r.iterations,
            bottlenecks=len(r.bottlenecks),
        )
        return out
    lp = build_program(e)
    h = new_highs()
    for key, value in HIGHS_OPTIONS[solver].items():
        h.setOptionValue(key, value)
    h.setOptionValue("time_limit", float(timeout))
    h.passModel(to_highs_lp(lp))
    start = time.perf_counter()
    h.run()
    seconds = time.perf_counter() - start
    status = h.modelStatusToString(h.getModelStatus())
    if status != "Optimal":
        raise SystemExit(f"HiGHS: {status} (> {timeout:.0f} s)" if "Time" in status else status)
    import numpy as np

    sol = h.getSolution()
    z = np.asarray(sol.col_value)
    info = h.getInfo()
    out.update(
        seconds=seconds,
        t=float(z[-1]),
        gap=relative_gap(
            float(lp.c @ z),
            dual_objective(lp, np.asarray(sol.row_dual), np.asarray(sol.col_dual)),
        ),
        violation=max_violation(lp, z),
        method=solver,
        iterations=int(info.simplex_iteration_count) + max(int(info.ipm_iteration_count), 0),
    )
    return out


def run(
    solver: str, n: int, seed: int, timeout: float, mem_gb: float, repeat: int
) -> dict[str, object]:
    def limit() -> None:
        cap = int(mem_gb * 1024**3)
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    cmd = [
        sys.executable,
        __file__,
        "--worker",
        solver,
        str(n),
        str(seed),
        str(timeout),
        str(repeat),
    ]
    try:
        proc = subprocess.run(
            cmd,
            capture_output=True,
            text=True,
            timeout=repeat * timeout + 120,  # building the instance is not timed
            preexec_fn=limit,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"solver": solver, "n": n, "status": f"did not finish (> {timeout:.0f} s)"}
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1]
        if "Time limit" in tail:
            tail = f"> {timeout:.0f} s"
        return {"solver": solver, "n": n, "status": f"did not finish ({tail[:60]})"}
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]), status="ok")


def main() -> int:
    from planner_leontief import machine  # type: ignore[import-not-found]

    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--large", action="store_true")
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument("--memory-gb", type=float, default=12.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3, help="runs of our solvers (best, median)")
    ap.add_argument("--worker", nargs=5, metavar=("SOLVER", "N", "SEED", "TIMEOUT", "REPEAT"))
    ap.add_argument("--json", metavar="FILE")
    args = ap.parse_args()
    if args.worker:
        solver, n, seed, timeout, repeat = args.worker
        print(json.dumps(worker(solver, int(n), int(seed), float(timeout), int(repeat))))
        return 0
    sizes = [10**3, 10**4] if args.quick else [10**3, 10**4, 10**5]
    if args.large:
        sizes.append(3 * 10**5)
    print(f"# Kantorovich LP, {machine()}, load {os.getloadavg()[0]:.1f}")
    print(
        f"{'products':>9} {'nonzeros':>9} {'solver':<15} {'seconds':>8} {'median':>8} "
        f"{'vs ours':>8} {'t':>13} {'t vs ref':>10} {'gap':>8} {'violation':>9}  method"
    )
    rows = []
    gave_up: set[str] = set()
    for n in sizes:
        results = {}
        for solver in SOLVERS:
            if solver in gave_up:
                row = {"solver": solver, "n": n, "status": "not tried (did not finish smaller)"}
            else:
                reps = args.repeat if solver.startswith("collegium") else 1
                row = run(solver, n, args.seed, args.timeout, args.memory_gb, reps)
            if row["status"] != "ok" and solver.startswith("highs"):
                gave_up.add(solver)
            results[solver] = row
            rows.append(row)
        ours = results["collegium"].get("seconds")
        ref = next(
            (
                float(results[s]["t"])
                for s in ("highs-simplex", "highs-ipx")
                if results[s]["status"] == "ok"
            ),  # type: ignore[arg-type]
            None,
        )
        ours_row = results["collegium"]
        ref_mark = "HiGHS"
        if ref is None and ours_row["status"] == "ok" and float(ours_row["gap"]) < 1e-9:  # type: ignore[arg-type]
            ref, ref_mark = float(ours_row["t"]), "ours"  # type: ignore[arg-type]
        print(f"# {n}: t reference: {ref_mark if ref else 'none'}")
        for solver, row in results.items():
            if row["status"] != "ok":
                print(f"{n:>9} {'':>9} {solver:<15} {row['status']}")
                continue
            secs = float(row["seconds"])  # type: ignore[arg-type]
            t = float(row["t"])  # type: ignore[arg-type]
            ratio = f"{secs / float(ours):7.1f}x" if ours else ""  # type: ignore[arg-type]
            vs = f"{abs(t - ref) / ref:10.1e}" if ref else f"{'—':>10}"
            med = f"{float(row['median']):8.2f}" if "median" in row else f"{'':>8}"  # type: ignore[arg-type]
            print(
                f"{n:>9} {int(row['nnz']):>9} {solver:<15} {secs:>8.2f} {med} {ratio:>8} "  # type: ignore[call-overload]
                f"{t:>13.9f} {vs} {float(row['gap']):>8.1e} {float(row['violation']):>9.1e}  "  # type: ignore[arg-type]
                f"{row['method']} ({row['iterations']} it)",
                flush=True,
            )
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
