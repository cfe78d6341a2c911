"""Benchmark: a synthetic election of 10**6 ballots, 20 candidates, 7 seats.

    .venv/bin/python benchmarks/tally_synthetic.py [--ballots N] [--candidates C] [--seats S]

Ballots come from a seeded Plackett–Luce model (candidates of unequal popularity; each
voter ranks between 1 and C of them, most rank a few), so most rankings are distinct and
aggregation saves little: the hard case. Timed: Scottish STV (including aggregation),
Meek STV and Schulze, each on the same BallotSet, best of ``--repeat`` runs.
Times are CPU seconds of this process (time.process_time), which a busy shared
machine disturbs less than wall-clock time. Results go to stdout and to
benchmarks/out/tally_synthetic.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from collegium.tally import (  # noqa: E402
    BallotSet,
    count_meek_stv,
    count_schulze,
    count_scottish_stv,
)


def synthetic(ballots: int, candidates: int, seats: int, seed: int = 2024) -> BallotSet:
    rng = np.random.default_rng(seed)
    popularity = rng.dirichlet(np.full(candidates, 1.5))
    scores = np.log(popularity)[None, :] + rng.gumbel(size=(ballots, candidates))
    order = np.argsort(-scores, axis=1).astype(np.int16)
    lengths = np.minimum(rng.geometric(0.25, size=ballots), candidates)
    order[np.arange(candidates)[None, :] >= lengths[:, None]] = -1
    names = [f"Candidate {i + 1}" for i in range(candidates)]
    return BallotSet(names, order, seats=seats, title="synthetic")


def best_of(repeat: int, fn: object) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.process_time()
        fn()  # type: ignore[operator]
        best = min(best, time.process_time() - t0)
    return best


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ballots", type=int, default=1_000_000)
    ap.add_argument("--candidates", type=int, default=20)
    ap.add_argument("--seats", type=int, default=7)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-meek", action="store_true")
    args = ap.parse_args()

    t0 = time.process_time()
    b = synthetic(args.ballots, args.candidates, args.seats)
    made = time.process_time() - t0
    t0 = time.process_time()
    unique = len(b.aggregate())
    agg_time = time.process_time() - t0

    sheet = count_scottish_stv(b)
    results = {
        "ballots": args.ballots,
        "candidates": args.candidates,
        "seats": args.seats,
        "unique_rankings": unique,
        "generate_seconds": round(made, 3),
        "aggregate_seconds": round(agg_time, 3),
        "scottish_stv_seconds": round(best_of(args.repeat, lambda: count_scottish_stv(b)), 3),
        "scottish_stv_stages": len(sheet.rounds),
        "scottish_stv_elected": sheet.elected,
        "schulze_seconds": round(best_of(args.repeat, lambda: count_schulze(b)), 3),
    }
    if not args.no_meek:
        meek = count_meek_stv(b)
        results["meek_stv_seconds"] = round(best_of(1, lambda: count_meek_stv(b)), 3)
        results["meek_stv_elected"] = meek.elected
        results["meek_stv_iterations"] = sum(r.iterations or 0 for r in meek.rounds)
    results["machine"] = (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, numpy {np.__version__}"
    )
    for k, v in results.items():
        print(f"{k}: {v}")
    out = REPO / "benchmarks" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "tally_synthetic.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
