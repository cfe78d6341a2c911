"""Leontief balance ``(I - A) x = d`` on seeded synthetic economies, peers side by side.

    .venv/bin/python benchmarks/planner_leontief.py [--quick] [--large] [--timeout S]

Sizes 10^3 … 10^6 products with about 20 inputs each (10^7 with --large; --quick stops
at 10^5). Every solver runs in its own subprocess with a time limit and a memory cap,
so a peer that runs out of either is reported as "did not finish" instead of taking the
machine down. Peers: pymrio's Leontief inverse (``calc_L``, then ``L d``),
``scipy.sparse.linalg.spsolve`` and dense ``numpy.linalg.solve`` where the dense matrix
fits. Times exclude building the instance; residuals are ``‖(I-A)x - d‖ / ‖d‖``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

SOLVERS = ["collegium", "pymrio", "spsolve", "numpy"]
DENSE_MAX = 20_000  # 3.2 GB for a dense A; beyond that the dense peers do not fit


def worker(solver: str, n: int, inputs: int, seed: int) -> dict[str, object]:
    import numpy as np

    from collegium.planner import synthetic
    from collegium.planner.leontief import solve

    A, d = synthetic.leontief_instance(n, inputs=inputs, seed=seed)
    start = time.perf_counter()
    if solver == "collegium":
        r = solve(A, d)
        x, method, iters = r.gross_output, r.method, r.iterations
    elif solver == "spsolve":
        import scipy.sparse as sp
        import scipy.sparse.linalg as spla

        x = spla.spsolve(sp.csc_matrix(sp.identity(n, format="csc") - A), d)
        method, iters = "spsolve (SuperLU)", 0
    elif solver == "numpy":
        dense = np.eye(n) - A.toarray()
        x = np.linalg.solve(dense, d)
        method, iters = "numpy.linalg.solve", 0
    elif solver == "pymrio":
        import pymrio

        L = pymrio.calc_L(A.toarray())
        x = L @ d
        method, iters = "pymrio.calc_L", 0
    else:
        raise ValueError(solver)
    seconds = time.perf_counter() - start
    residual = float(np.linalg.norm(d - (x - A @ x)) / np.linalg.norm(d))
    return {
        "solver": solver,
        "n": n,
        "nnz": int(A.nnz),
        "seconds": seconds,
        "residual": residual,
        "method": method,
        "iterations": iters,
        "checksum": float(np.sum(x)),
    }


def run(
    solver: str, n: int, inputs: int, seed: int, timeout: float, mem_gb: float
) -> dict[str, object]:
    if solver in ("numpy", "pymrio") and n > DENSE_MAX:
        return {"solver": solver, "n": n, "status": f"skipped: dense {8 * n * n / 1e9:.0f} GB"}

    def limit() -> None:
        cap = int(mem_gb * 1024**3)
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    cmd = [sys.executable, __file__, "--worker", solver, str(n), str(inputs), str(seed)]
    try:
        proc = subprocess.run(
            cmd, capture_output=True, text=True, timeout=timeout, preexec_fn=limit, check=False
        )
    except subprocess.TimeoutExpired:
        return {"solver": solver, "n": n, "status": f"did not finish (> {timeout:.0f} s)"}
    if proc.returncode != 0:
        why = "out of memory" if "MemoryError" in proc.stderr else f"exit {proc.returncode}"
        return {"solver": solver, "n": n, "status": f"did not finish ({why})"}
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]), status="ok")


def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        mem = int(Path("/proc/meminfo").read_text().split()[1]) / 1024**2
    except OSError:
        mem = 0.0
    return f"{model}, {os.cpu_count()} CPUs, {mem:.0f} GiB, Python {platform.python_version()}"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--large", action="store_true")
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument("--memory-gb", type=float, default=12.0)
    ap.add_argument("--inputs", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--worker", nargs=4, metavar=("SOLVER", "N", "INPUTS", "SEED"))
    ap.add_argument("--json", metavar="FILE", help="also write the rows as JSON")
    args = ap.parse_args()
    if args.worker:
        solver, n, inputs, seed = args.worker
        print(json.dumps(worker(solver, int(n), int(inputs), int(seed))))
        return 0
    sizes = [10**3, 10**4, 10**5] if args.quick else [10**3, 10**4, 10**5, 10**6]
    if args.large:
        sizes.append(10**7)
    print(f"# Leontief balance, {machine()}, load {os.getloadavg()[0]:.1f}")
    header = (
        f"{'products':>9} {'nonzeros':>11} {'solver':<10} {'seconds':>9} {'ns/nnz':>7} "
        f"{'residual':>9} {'vs ours':>8}  method"
    )
    print(header)
    rows = []
    for n in sizes:
        ours: float | None = None
        for solver in SOLVERS:
            row = run(solver, n, args.inputs, args.seed, args.timeout, args.memory_gb)
            rows.append(row)
            if row["status"] != "ok":
                print(f"{n:>9} {'':>11} {solver:<10} {row['status']}")
                continue
            secs = float(row["seconds"])  # type: ignore[arg-type]
            nnz = int(row["nnz"])  # type: ignore[call-overload]
            if solver == "collegium":
                ours = secs
            ratio = f"{secs / ours:7.1f}x" if ours else ""
            print(
                f"{n:>9} {nnz:>11} {solver:<10} {secs:>9.3f} {1e9 * secs / nnz:>7.1f} "
                f"{float(row['residual']):>9.1e} {ratio:>8}  {row['method']} "  # type: ignore[arg-type]
                f"{'(' + str(row['iterations']) + ' sweeps)' if row['iterations'] else ''}",
                flush=True,
            )
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
