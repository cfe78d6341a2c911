"""Checking a stored record: ``collegium.ledger.log.verify_log`` against two peers.

    .venv/bin/python benchmarks/ledger_verify.py            # 10^4 and 10^5 entries
    .venv/bin/python benchmarks/ledger_verify.py --large    # also 10^6
    .venv/bin/python benchmarks/ledger_verify.py --sizes 1000 --repeat 1   # smoke run

Builds a record of synthetic entries shaped like Collegium's (an event kind, an opaque
actor id, a body code, a salted SHA-256 digest of a text), as the database would hold
them, then times, in the same process, over the same stored entries fed one by one from
an iterator (as a database cursor would):

* ``verify_log``: canonical-JSON check, leaf hash and the tree root after every entry,
  each compared with the stored value (what ``collegium record verify`` does);
* ``naive root``: the same JSON and leaf checks, then ``root_hash`` of all leaf hashes
  from scratch, compared with the last stored root only (checks less, holds every leaf
  hash in memory);
* ``hash chain``: the same JSON check and a plain SHA-256 chain
  ``c_i = SHA-256(c_{i-1} || payload_i)`` compared with a stored chain value per entry:
  what a log without a Merkle tree would verify;
* ``JSON check alone``: ``parse_canonical`` of every payload, the part all three share.

Each figure is the best of ``--repeat`` runs, in CPU seconds of this process (a shared
machine inflates wall-clock time, which is printed beside). Neither the tree nor the
chain can see a cut off or rewritten tail without a checkpoint kept outside; the tree adds
inclusion and consistency proofs against any such checkpoint (docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from collegium.ledger.canonical import parse_canonical  # noqa: E402
from collegium.ledger.log import StoredEntry, append_entry, verify_log  # noqa: E402
from collegium.ledger.merkle import Frontier, leaf_hash, root_hash  # noqa: E402

KINDS = ["vote.cast", "decision.closed", "criticism.filed", "seat.filled", "plan.adopted"]


def build(count: int) -> tuple[list[StoredEntry], list[bytes]]:
    """``count`` stored entries and, beside them, the hash chain a chain log would store."""
    frontier = Frontier()
    entries: list[StoredEntry] = []
    chain: list[bytes] = []
    link = b"\x00" * 32
    for i in range(count):
        entry = append_entry(
            frontier,
            {
                "kind": KINDS[i % len(KINDS)],
                "actor": {"id": f"m_{(i * 2654435761) % 2**32:08x}", "role": "member"},
                "body": f"b-{i % 397:04d}",
                "data": {
                    "seq": i,
                    "text_digest": hashlib.sha256(i.to_bytes(8, "big")).hexdigest(),
                },
            },
        )
        entries.append(entry)
        link = hashlib.sha256(link + entry.payload).digest()
        chain.append(link)
    return entries, chain


def run_verify_log(entries: list[StoredEntry], chain: list[bytes]) -> bool:
    return verify_log(iter(entries)).ok


def run_naive_root(entries: list[StoredEntry], chain: list[bytes]) -> bool:
    leaves = []
    for entry in iter(entries):
        parse_canonical(entry.payload)
        leaf = leaf_hash(entry.payload)
        if leaf != entry.leaf_hash:
            return False
        leaves.append(leaf)
    return root_hash(leaves) == entries[-1].root_after


def run_hash_chain(entries: list[StoredEntry], chain: list[bytes]) -> bool:
    sha = hashlib.sha256
    link = b"\x00" * 32
    for entry, stored in zip(iter(entries), chain, strict=True):
        parse_canonical(entry.payload)
        link = sha(link + entry.payload).digest()
        if link != stored:
            return False
    return True


def run_json_only(entries: list[StoredEntry], chain: list[bytes]) -> bool:
    for entry in iter(entries):
        parse_canonical(entry.payload)
    return True


METHODS: list[tuple[str, Callable[[list[StoredEntry], list[bytes]], bool]]] = [
    ("verify_log (every root)", run_verify_log),
    ("naive root (last root only)", run_naive_root),
    ("hash chain (every link)", run_hash_chain),
    ("JSON check alone", run_json_only),
]


def best_time(
    method: Callable[[list[StoredEntry], list[bytes]], bool],
    entries: list[StoredEntry],
    chain: list[bytes],
    repeat: int,
) -> tuple[float, float]:
    """Best CPU seconds of this process, and best wall-clock seconds, over ``repeat`` runs."""
    cpu = wall = float("inf")
    for _ in range(repeat):
        gc.collect()
        start_cpu, start_wall = time.process_time(), time.perf_counter()
        ok = method(entries, chain)
        cpu = min(cpu, time.process_time() - start_cpu)
        wall = min(wall, time.perf_counter() - start_wall)
        if not ok:
            raise SystemExit(f"{method.__name__} rejected a clean record")
    return cpu, wall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", action="store_true", help="also 10^6 entries")
    parser.add_argument("--sizes", help="comma-separated sizes instead of the defaults")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (best kept)")
    args = parser.parse_args(argv)
    if args.sizes:
        sizes = [int(s) for s in args.sizes.split(",")]
    else:
        sizes = [10_000, 100_000] + ([1_000_000] if args.large else [])

    print(
        f"Python {platform.python_version()} on {platform.machine()}"
        f" ({platform.processor() or platform.system()}), best of {args.repeat};"
        " CPU seconds of this process (wall-clock beside: the machine may be shared)"
    )
    print()
    print("| entries | method | CPU s | wall s | entries/s | × verify_log |")
    print("|---:|---|---:|---:|---:|---:|")
    for count in sizes:
        start_cpu, start_wall = time.process_time(), time.perf_counter()
        entries, chain = build(count)
        built = time.process_time() - start_cpu, time.perf_counter() - start_wall
        baseline = 0.0
        for name, method in METHODS:
            cpu, wall = best_time(method, entries, chain, args.repeat)
            baseline = baseline or cpu
            print(
                f"| {count:,} | {name} | {cpu:.3f} | {wall:.3f} | {count / cpu:,.0f}"
                f" | {cpu / baseline:.2f} |",
                flush=True,
            )
        print(
            f"| {count:,} | building it (JSON, leaf, append, root), once | {built[0]:.3f}"
            f" | {built[1]:.3f} | {count / built[0]:,.0f} | {built[0] / baseline:.2f} |",
            flush=True,
        )
        del entries, chain
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
