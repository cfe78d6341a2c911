"""Participatory rounds: Collegium's engine against demplan on one Hahnel-style economy.

    .venv/bin/python benchmarks/planner_rounds.py [--quick] [--large] [--seeds N]

Builds a seeded economy shaped like Hahnel's experiments (500 goods, 30,000 worker
councils, 30,000 consumer councils; ``--quick``: 100 goods, 3,000 each), hands the same
economy to demplan's ``HahnelBook2021`` and to ``collegium.planner.rounds`` (``hahnel``
and ``dual`` methods) and prints rounds to every imbalance below 5 % and time per round.
Hahnel's published mean on the dep1ex archives (Table 9.1 of Hahnel 2021) is 11.85 rounds;
it is quoted beside, not measured here. Each peer runs in a subprocess with a time limit.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from collegium.planner.rounds import HahnelCouncils, hahnel_instance, run_rounds  # noqa: E402

PUBLISHED_MEAN_ROUNDS = 11.85
INITIAL_PRICE = 700.0


def to_demplan(councils: HahnelCouncils) -> Any:
    """The same economy as a ``demplan.Economy`` with the Hahnel prefab's labels."""
    import demplan
    from demplan.prefabs import hahnel

    n = councils.n_goods
    w = councils.n_workers
    kinds = np.full(n, hahnel.INTERMEDIATE, dtype="<U16")
    kinds[councils.utility_good] = hahnel.PRIVATE_GOOD
    endowed = councils.endowment > 0
    kinds[endowed] = hahnel.NATURAL_RESOURCE
    return demplan.Economy(
        period=0,
        commodity_id=np.arange(n, dtype=np.int64),
        endowment=np.asarray(councils.endowment, dtype=np.float64),
        unit_id=np.arange(w, dtype=np.int64),
        technology_kind=np.full(w, hahnel.TECHNOLOGY),
        technology_scale=councils.scale,
        input_offsets=councils.input_offsets,
        input_commodity=councils.input_good,
        input_coefficient=councils.input_exponent,
        output_offsets=np.arange(w + 1, dtype=np.int64),
        output_commodity=councils.output_good,
        output_coefficient=np.ones(w),
        consumer_id=np.arange(councils.n_consumers, dtype=np.int64),
        commodity_extra={"hahnel_kind": kinds},
        unit_extra={
            "effort_c": councils.effort_c,
            "effort_s": councils.effort_s,
            "effort_k": councils.effort_k,
        },
        consumer_extra={
            "entitlement": councils.entitlement,
            "utility_exponent": councils.utility_exponent,
            "utility_exponent_commodity": councils.utility_good,
        },
    )


def run_demplan(councils: HahnelCouncils, tolerance: float) -> dict[str, Any]:
    import demplan
    from demplan.prefabs import HahnelBook2021

    economy = to_demplan(councils)
    procedure = HahnelBook2021(threshold_pct=100 * tolerance, initial_price=INITIAL_PRICE)
    result = demplan.run(procedure, economy, seed=0, differences=False)
    rounds = result.summary.rounds or 0
    return {
        "rounds": rounds,
        "converged": bool(result.summary.converged),
        "seconds": result.summary.wall_seconds,
        "per_round": result.summary.wall_seconds / max(rounds, 1),
        "prices": np.asarray(result.plan.valuation["indicative_price"]).tolist(),
    }


def run_collegium(councils: HahnelCouncils, tolerance: float, method: str) -> dict[str, Any]:
    started = time.perf_counter()
    result = run_rounds(
        councils,
        method=method,  # type: ignore[arg-type]
        tolerance=tolerance,
        initial_prices=INITIAL_PRICE,
        max_rounds=250,
    )
    seconds = time.perf_counter() - started
    # demplan states every consumer council's bundle each round; ours totals them from
    # fixed budget shares. Time materialising the bundles (best of five), to show what
    # stating them every round would add.
    bundles = math.inf
    for _ in range(5):
        tick = time.perf_counter()
        councils.consumer_proposals(result.prices)
        bundles = min(bundles, time.perf_counter() - tick)
    return {
        "bundles": bundles,
        "rounds": result.rounds,
        "converged": result.converged,
        "seconds": seconds,
        "per_round": seconds / max(result.rounds, 1),
        "prices": result.prices.tolist(),
    }


def child(args: argparse.Namespace) -> None:
    councils = instance(args.size, args.seed)
    if args.peer == "demplan":
        out = run_demplan(councils, args.tolerance)
    else:
        out = run_collegium(councils, args.tolerance, args.peer.split(":")[1])
    print(json.dumps(out))


SIZES = {
    "quick": (100, 3_000, 3_000),
    "full": (500, 30_000, 30_000),
    "large": (1_000, 120_000, 120_000),
}


def instance(size: str, seed: int) -> HahnelCouncils:
    goods, workers, consumers = SIZES[size]
    return hahnel_instance(seed, n_goods=goods, n_workers=workers, n_consumers=consumers)


def peer(name: str, size: str, seed: int, tolerance: float, limit: float) -> dict[str, Any]:
    command = [
        sys.executable, __file__, "--child", name, "--size", size,
        "--seed", str(seed), "--tolerance", str(tolerance),
    ]  # fmt: skip
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=limit, check=False)
    except subprocess.TimeoutExpired:
        return {"error": "did not finish"}
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr else "failed"}
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kib / 1024**2:.0f} GiB"
    except OSError:
        memory = "?"
    return f"{os.cpu_count()} CPUs, {model}, {memory} memory, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--large", action="store_true")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--tolerance", type=float, default=0.05)
    parser.add_argument("--limit", type=float, default=300.0, help="seconds per peer run")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--size", default="full", help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        args.peer = args.child
        child(args)
        return
    size = "quick" if args.quick else "large" if args.large else "full"
    goods, workers, consumers = SIZES[size]
    print(f"machine: {machine()}")
    print(
        f"economy: {goods} goods, {workers:,} worker councils, {consumers:,} consumer councils;"
        f" tolerance {args.tolerance:.0%}; initial price {INITIAL_PRICE:g};"
        f" seeds 0..{args.seeds - 1}"
    )
    peers = ["demplan", "collegium:hahnel", "collegium:dual"]
    header = (
        f"{'seed':>4} {'peer':<18} {'rounds':>7} {'s/round':>9} {'total s':>8} {'ratio':>7}"
        f" {'+bundles':>9} {'ratio':>7}"
    )
    print(header)
    print("-" * len(header))
    summary: dict[str, list[dict[str, Any]]] = {p: [] for p in peers}
    for seed in range(args.seeds):
        results = {p: peer(p, size, seed, args.tolerance, args.limit) for p in peers}
        base = results["demplan"].get("per_round")
        for p in peers:
            r = results[p]
            summary[p].append(r)
            if "error" in r:
                print(f"{seed:>4} {p:<18} {r['error']}")
                continue
            ratio = f"{r['per_round'] / base:.2f}" if base else "-"
            rounds = f"{r['rounds']}{'' if r['converged'] else '*'}"
            with_bundles = r["per_round"] + r.get("bundles", 0.0)
            ratio_b = f"{with_bundles / base:.2f}" if base else "-"
            print(
                f"{seed:>4} {p:<18} {rounds:>7} {r['per_round']:>9.4f}"
                f" {r['seconds']:>8.2f} {ratio:>7} {with_bundles:>9.4f} {ratio_b:>7}"
            )
        if "prices" in results["demplan"] and "prices" in results["collegium:hahnel"]:
            a = np.asarray(results["demplan"]["prices"])
            b = np.asarray(results["collegium:hahnel"]["prices"])
            gap = float(np.max(np.abs(a / b - 1)))
            print(f"     same prices as demplan (hahnel): max rel. diff {gap:.1e}")
    print()
    print(f"{'peer':<18} {'mean rounds':>12} {'mean s/round':>13} {'ratio':>7}")
    base_rows = [r for r in summary["demplan"] if "error" not in r]
    base_mean = float(np.mean([r["per_round"] for r in base_rows])) if base_rows else 0.0
    for p in peers:
        rows = [r for r in summary[p] if "error" not in r]
        if not rows:
            print(f"{p:<18} did not finish")
            continue
        per = float(np.mean([r["per_round"] for r in rows]))
        rounds = float(np.mean([r["rounds"] for r in rows]))
        ratio = f"{per / base_mean:.2f}" if base_mean else "-"
        print(f"{p:<18} {rounds:>12.2f} {per:>13.4f} {ratio:>7}")
    print(f"{'Hahnel 2021 (pub.)':<18} {PUBLISHED_MEAN_ROUNDS:>12.2f} {'-':>13} {'-':>7}")
    print("(* = not converged within 250 rounds; ratio = time per round / demplan's;")
    print(" +bundles = time per round plus stating every consumer council's bundle)")
    linear_table(args.quick, args.tolerance)


def linear_table(quick: bool, tolerance: float) -> None:
    """Rounds on Collegium economies (fixed-coefficient techniques): no peer runs these."""
    from collegium.planner import synthetic
    from collegium.planner.rounds import LinearCouncils

    cases: list[tuple[str, Any]] = []
    for n in (2_000,) if quick else (2_000, 20_000):
        economy = synthetic.economy(n, techniques_per_product=2, seed=1)
        cases.append((f"synthetic {n:,} x 2 techniques", economy))
    real = real_io_economy()
    if real is not None:
        cases.append(("US 1997 IO table (131)", real))
    print()
    print(f"Collegium economies, tolerance {tolerance:.0%}")
    header = f"{'economy':<30} {'method':<7} {'rounds':>7} {'s/round':>9}"
    print(header)
    print("-" * len(header))
    for label, economy in cases:
        councils = LinearCouncils.from_economy(economy)
        for method in ("hahnel", "dual"):
            started = time.perf_counter()
            result = run_rounds(councils, method=method, tolerance=tolerance, max_rounds=1000)  # type: ignore[arg-type]
            per = (time.perf_counter() - started) / result.rounds
            rounds = f"{result.rounds}{'' if result.converged else '*'}"
            print(f"{label:<30} {method:<7} {rounds:>7} {per:>9.4f}")


def real_io_economy() -> Any:
    """The real IO table as an economy, value added per unit of output as labour."""
    import csv

    from collegium.planner.io import from_arrays

    where = ROOT.parent / "shared" / "data" / "io"
    if not where.exists():
        return None

    def table(name: str) -> dict[str, float]:
        with (where / name).open(encoding="utf-8") as f:
            return {row[0]: float(row[1]) for row in list(csv.reader(f))[1:]}

    with (where / "Z.csv").open(encoding="utf-8") as f:
        rows = list(csv.reader(f))
    codes = rows[0][1:]
    flows = np.array([[float(v) for v in r[1:]] for r in rows[1:]])
    output = np.array([table("total_output.csv")[c] for c in codes])
    final = np.array([table("final_demand.csv")[c] for c in codes])
    added = np.array([table("value_added.csv")[c] for c in codes])
    labour = (added / output).reshape(1, -1)
    return from_arrays(
        flows / output,
        np.maximum(final, 0.0),
        labour=labour,
        labour_available=[1.05 * float(labour[0] @ output)],
        skills=["work"],
        product_codes=codes,
        check=False,
    )


if __name__ == "__main__":
    main()
