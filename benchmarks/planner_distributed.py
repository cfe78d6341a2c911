"""Leontief balance split by industrial union: in process and on a local Dask cluster.

    .venv/bin/python benchmarks/planner_distributed.py [--quick] [--large] [--unions K]

A seeded synthetic table (spectral radius near 0.5, supply-chain clusters of 100
products) is split into K unions of neighbouring clusters. Peers, side by side on the same
system: the single-machine sweep (``collegium.planner.leontief.solve``, Jacobi) and SciPy's
GMRES, against the union-by-union Neumann and block-Jacobi sweeps in process
and on a 2-worker ``LocalCluster``. Each run is a subprocess with a time limit.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from collegium.planner import synthetic  # noqa: E402
from collegium.planner.distributed import solve_distributed  # noqa: E402
from collegium.planner.leontief import solve  # noqa: E402

SIZES = {"quick": 5_000, "full": 20_000, "large": 100_000}
PEERS = [
    "scipy:gmres",
    "leontief:jacobi",
    "unions:neumann",
    "unions:block-jacobi",
    "dask:neumann",
    "dask:block-jacobi",
]


def system(n: int, unions: int) -> tuple[sp.csr_matrix, np.ndarray, list[str]]:
    A, d = synthetic.leontief_instance(n, inputs=20, seed=0)
    per = -(-n // unions)
    return A, d, [f"union{i // per}" for i in range(n)]


def child(name: str, n: int, unions: int) -> dict[str, Any]:
    A, d, labels = system(n, unions)
    reference = solve(A, d, method="jacobi", tol=1e-15).gross_output
    started = time.perf_counter()
    extra: dict[str, Any] = {}
    if name == "scipy:gmres":
        counter = {"n": 0}

        def count(_: Any) -> None:
            counter["n"] += 1

        system_matrix = sp.csr_matrix(sp.identity(n, format="csr") - A)
        x, _ = spla.gmres(system_matrix, d, rtol=1e-13, atol=0.0, callback=count)
        iterations = counter["n"]
    elif name == "leontief:jacobi":
        result = solve(A, d, method="jacobi", tol=1e-12)
        x, iterations = result.gross_output, result.iterations
    else:
        kind, method = name.split(":")
        if kind == "dask":
            from dask.distributed import Client, LocalCluster

            cluster = LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None)
            client = Client(cluster)
            started = time.perf_counter()
            out = solve_distributed(A, d, labels, method=method, tol=1e-12, client=client)  # type: ignore[arg-type]
            seconds = time.perf_counter() - started
            client.close()
            cluster.close()
        else:
            out = solve_distributed(A, d, labels, method=method, tol=1e-12)  # type: ignore[arg-type]
            seconds = time.perf_counter() - started
        x, iterations = out.gross_output, out.iterations
        extra = {"boundary": out.boundary_values, "seconds": seconds}
    seconds = extra.pop("seconds", time.perf_counter() - started)
    residual = float(np.linalg.norm(d - (x - A @ x)) / np.linalg.norm(d))
    gap = float(np.max(np.abs(x - reference) / np.abs(reference).max()))
    return {"seconds": seconds, "iterations": iterations, "residual": residual, "gap": gap, **extra}


def peer(name: str, n: int, unions: int, limit: float) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", name, "--n", str(n), "--unions", str(unions)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=limit, check=False)
    except subprocess.TimeoutExpired:
        return {"error": "did not finish"}
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1]}
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--large", action="store_true")
    parser.add_argument("--unions", type=int, default=8)
    parser.add_argument("--limit", type=float, default=300.0)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.n, args.unions)))
        return
    n = SIZES["quick" if args.quick else "large" if args.large else "full"]
    print(f"system: {n:,} products, 20 inputs each, {args.unions} unions; tolerance 1e-12")
    header = (
        f"{'peer':<20} {'seconds':>8} {'ratio':>6} {'sweeps':>7} {'residual':>9}"
        f" {'vs ref':>8} {'boundary/sweep':>15}"
    )
    print(header)
    print("-" * len(header))
    base = None
    for name in PEERS:
        r = peer(name, n, args.unions, args.limit)
        if "error" in r:
            print(f"{name:<20} {r['error']}")
            continue
        if name == "leontief:jacobi":
            base = r["seconds"]
        ratio = f"{r['seconds'] / base:.2f}" if base else "-"
        boundary = f"{r['boundary']:,}" if "boundary" in r else "-"
        print(
            f"{name:<20} {r['seconds']:>8.3f} {ratio:>6} {r['iterations']:>7}"
            f" {r['residual']:>9.1e} {r['gap']:>8.1e} {boundary:>15}"
        )
    print("(ratio = seconds / single-machine Jacobi; vs ref = max difference from Jacobi run")
    print(" to 1e-15, relative to the largest output; boundary = values exchanged per sweep)")


if __name__ == "__main__":
    main()
