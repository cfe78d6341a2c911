"""Benchmark: count all 1,100 real Scottish council elections, ours against the peers.

    .venv/bin/python benchmarks/tally_scottish.py [--data DIR] [--cap SECONDS] [--peers …]

Every counter gets its own native input, built before the clock starts (reading the BLT
files and building the peers' ballot objects is not counted); the clock measures the
counts alone. Ours is the best of three runs over all 1,100, and so is a peer's when
three runs fit in its cap. A peer that has not
finished when its cap runs out is reported as "did not finish", with how far it got and
its rate so far. Winners are compared with ours election by election (as sets).

Peers: stvpoll (Scottish STV), votekit (STV, fractional transfers), pyrankvote (STV;
no weights, so each ballot is written out once per paper; its quota and exclusions are
its own, so its winners are not expected to match).

Times are CPU seconds of this process (time.process_time), which a busy shared
machine disturbs less than wall-clock time. Results go to stdout as a Markdown table
and to benchmarks/out/tally_scottish.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from collegium.tally import BallotSet, count_scottish_stv, read_ballots  # noqa: E402

DEFAULT_DATA = REPO / ".." / "shared" / "data" / "scottish-stv"


def prepare_stvpoll(b: BallotSet) -> Any:
    data = [
        (tuple(c + 1 for c in row if c >= 0), int(w))
        for row, w in zip(b.rankings.tolist(), b.weights.tolist(), strict=True)
    ]
    return tuple(c.number for c in b.candidates), data, b.seats


def run_stvpoll(prepared: Any) -> set[int]:
    from stvpoll.scottish_stv import calculate_scottish_stv

    candidates, data, seats = prepared
    random.seed(0)
    return set(calculate_scottish_stv(candidates, data, seats, random_shuffle=False))


def prepare_votekit(b: BallotSet) -> Any:
    from votekit.ballot import Ballot as VBallot
    from votekit.pref_profile import PreferenceProfile

    profile = PreferenceProfile(
        ballots=tuple(
            VBallot(ranking=tuple(frozenset({str(c + 1)}) for c in row if c >= 0), weight=w)
            for row, w in zip(b.rankings.tolist(), b.weights.tolist(), strict=True)
        ),
        candidates=tuple(str(c.number) for c in b.candidates),
    )
    return profile, b.seats


def run_votekit(prepared: Any) -> set[int]:
    from votekit.elections import STV

    profile, seats = prepared
    election = STV(profile, m=seats, tiebreak="random")
    return {int(c) for group in election.get_elected() for c in group}


def prepare_pyrankvote(b: BallotSet) -> Any:
    import pyrankvote

    cands = [pyrankvote.Candidate(str(c.number)) for c in b.candidates]
    ballots = []
    for row, w in zip(b.rankings.tolist(), b.weights.tolist(), strict=True):
        ranked = [cands[c] for c in row if c >= 0]
        if ranked:
            ballots.extend(pyrankvote.Ballot(ranked_candidates=ranked) for _ in range(w))
    return cands, ballots, b.seats


def run_pyrankvote(prepared: Any) -> set[int]:
    import pyrankvote

    cands, ballots, seats = prepared
    result = pyrankvote.single_transferable_vote(cands, ballots, number_of_seats=seats)
    return {int(c.name) for c in result.get_winners()}


PEERS: dict[str, tuple[Callable[[BallotSet], Any], Callable[[Any], set[int]]]] = {
    "stvpoll": (prepare_stvpoll, run_stvpoll),
    "votekit": (prepare_votekit, run_votekit),
    "pyrankvote": (prepare_pyrankvote, run_pyrankvote),
}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--cap", type=float, default=900.0, help="seconds per peer (default 900)")
    ap.add_argument("--peers", nargs="*", default=list(PEERS), choices=list(PEERS))
    args = ap.parse_args()
    paths = sorted(args.data.glob("*/*.blt"))
    if not paths:
        print(f"no BLT files under {args.data}", file=sys.stderr)
        return 2

    t0 = time.process_time()
    sets = [read_ballots(p) for p in paths]
    read_time = time.process_time() - t0

    best = float("inf")
    ours: list[set[int]] = []
    for _ in range(3):
        t0 = time.process_time()
        sheets = [count_scottish_stv(b, seed=0) for b in sets]
        best = min(best, time.process_time() - t0)
        ours = [set(s.elected) for s in sheets]
    rows: list[dict[str, Any]] = [
        {
            "counter": "collegium.tally",
            "elections": len(paths),
            "seconds": round(best, 3),
            "finished": True,
            "runs": 3,
            "same_winners": len(paths),
            "different_winners": [],
        }
    ]

    for name in args.peers:
        prepare, run = PEERS[name]
        done = same = 0
        spent = 0.0
        differ: list[str] = []
        prepared_all = []
        for path, b, mine in zip(paths, sets, ours, strict=True):
            prepared = prepare(b)
            prepared_all.append(prepared)
            t0 = time.process_time()
            try:
                theirs = run(prepared)
            except Exception as e:  # a peer's failure is a result, not a crash
                theirs = set()
                print(f"{name}: error on {path}: {e}", file=sys.stderr)
            spent += time.process_time() - t0
            done += 1
            if theirs == mine:
                same += 1
            else:
                differ.append(path.relative_to(args.data).as_posix())
            if spent > args.cap:
                break
        runs = 1
        if done == len(paths) and spent * 3 < args.cap:  # fast enough: best of 3, as ours
            for _ in range(2):
                t0 = time.process_time()
                for prepared in prepared_all:
                    run(prepared)
                spent = min(spent, time.process_time() - t0)
                runs += 1
        rows.append(
            {
                "counter": name,
                "elections": done,
                "seconds": round(spent, 3),
                "runs": runs,
                "finished": done == len(paths),
                "same_winners": same,
                "different_winners": differ,
            }
        )

    fastest = min(
        (r["seconds"] * len(paths) / r["elections"] for r in rows[1:] if r["elections"]),
        default=None,
    )
    print(f"{len(paths)} Scottish council elections; reading the files took {read_time:.2f} s")
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}"
    )
    print()
    print("| counter | elections counted | count time (s) | same winners as ours |")
    print("|---|---|---|---|")
    for r in rows:
        status = "" if r["finished"] else " (did not finish: capped)"
        print(
            f"| {r['counter']} | {r['elections']}{status} | {r['seconds']:.2f} | "
            f"{r['same_winners']} of {r['elections']} |"
        )
    if fastest is not None:
        print(
            f"\nfastest peer (per 1,100, extrapolated if capped): {fastest:.1f} s; "
            f"ours {best:.2f} s: {fastest / best:.0f}x faster"
        )
    out = REPO / "benchmarks" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "tally_scottish.json").write_text(
        json.dumps({"read_seconds": read_time, "rows": rows}, indent=2), encoding="utf-8"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
