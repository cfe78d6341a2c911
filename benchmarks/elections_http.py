"""Casting ballots through the real HTTP stack: `collegium serve` (waitress) on 127.0.0.1.

    .venv/bin/python benchmarks/elections_http.py [--voters 200] [--threads 16] [--only sqlite]

For each database (SQLite in a throwaway file; PostgreSQL in a throwaway database created
on ``COLLEGIUM_TEST_POSTGRES``, default ``postgres://postgres@127.0.0.1:5432/postgres``,
and dropped afterwards) it builds a small federation with one shop of ``--voters``
members and an election with voting open, starts ``collegium serve`` as a subprocess,
and runs every voter as a thread with ``http.client``: sign in through the login form,
open the ballot page, then cast twice at the same moment (the second is a duplicate
attempt that must be refused). Afterwards it counts the rows: the roll, the ballots and
the trackers must each hold exactly one row per voter (zero lost, zero duplicated).

Passwords use Django's MD5 hasher in a settings module written for the benchmark
(``bench_settings``, importing ``collegium.settings``): with argon2, 200 sign-ins would
measure password hashing, not casting.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import sys
import tempfile
from pathlib import Path

# The shared helpers sit beside this file (also when a test loads it by path).
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _http import (
    SETTINGS,
    Browser,
    bench_env,
    build_shop,
    form_token,
    postgres_database,
    run_child,
    run_crowd,
    served,
    sign_in,
)

__all__ = ["SETTINGS", "Browser", "postgres_database", "run_one", "run_voters", "sign_in"]

# --------------------------------------------------------------------------- a voter


TRACKER = re.compile(r'<p class="tracker"><code>([^<]+)</code>')


def ballot_form(browser: Browser, public_id: str) -> str:
    return form_token(browser, f"/elections/{public_id}/vote/")


def cast(browser: Browser, public_id: str, token: str, ranking: list[int]) -> str | None:
    """Cast; returns the tracker, or None when the server refused the ballot."""
    form = {"csrfmiddlewaretoken": token}
    form.update({f"pref_{i}": str(n) for i, n in enumerate(ranking, start=1)})
    status, page = browser.request("POST", f"/elections/{public_id}/vote/", form)
    found = TRACKER.search(page)
    if status == 200 and found:
        return found.group(1)
    assert status == 400 and "already voted" in page, (status, page[:300])
    return None


def run_voters(
    host: str, port: int, public_id: str, voters: list[str], rankings: list[list[int]]
) -> dict[str, object]:
    """Every voter signs in, opens the ballot, and casts twice at once."""
    return run_crowd(
        host,
        port,
        voters,
        f"/elections/{public_id}/vote/",
        lambda browser, token, i: cast(browser, public_id, token, rankings[i]),
    )


# ------------------------------------------------------------------- database set-up


def build(voters: int) -> dict[str, object]:
    """In a child process with DJANGO_SETTINGS_MODULE and DATABASE_URL set: migrate,
    build the federation and open the election."""
    import django

    django.setup()
    from django.utils import timezone

    from collegium.elections.services import (
        board_seat_founding,
        election_call,
        election_open_voting,
        nomination_submit,
    )
    from collegium.record.services import SYSTEM

    works, shop, members = build_shop(voters, "v", "Voter")
    today = dt.date.today()
    board_seat_founding(
        user=None,
        actor=SYSTEM,
        body=works,
        members=members[:1],
        term_start=today - dt.timedelta(days=10),
        term_end=today + dt.timedelta(days=700),
    )
    now = timezone.now()
    board = members[0].user
    election = election_call(
        user=board,
        body=shop,
        nominations_close_at=now - dt.timedelta(hours=1),
        voting_closes_at=now + dt.timedelta(days=1),
        now=now - dt.timedelta(days=2),
    )
    for m in members[1:11]:
        nomination_submit(user=m.user, election=election, nominee=m, now=now - dt.timedelta(days=2))
    election_open_voting(user=board, election=election, now=now)
    return {
        "public_id": election.public_id,
        "candidates": 10,
        "voters": [m.user.username for m in members],
    }


def count_rows(public_id: str) -> dict[str, int]:
    import django

    django.setup()
    from collegium.elections.models import Ballot, Election, RollEntry, Tracker

    election = Election.objects.get(public_id=public_id)
    return {
        "roll": RollEntry.objects.filter(election=election).count(),
        "ballots": Ballot.objects.filter(election=election).count(),
        "trackers": Tracker.objects.filter(election=election).count(),
        "voters_on_roll_twice": RollEntry.objects.filter(election=election).count()
        - RollEntry.objects.filter(election=election).values("member").distinct().count(),
    }


# ------------------------------------------------------------------------- one run


def child(env: dict[str, str], what: str, *args: str) -> dict[str, object]:
    return run_child(__file__, env, what, *args)


def run_one(
    label: str, database_url: str, voters: int, threads: int, work: Path
) -> dict[str, object]:
    env = bench_env(label, database_url, work)
    built = child(env, "build", str(voters))
    with served(env, threads, work) as port:
        ranking_pool = [[(i + k) % 10 + 1 for k in range(1 + i % 5)] for i in range(voters)]
        result = run_voters(
            "127.0.0.1",
            port,
            str(built["public_id"]),
            list(built["voters"]),
            ranking_pool,  # type: ignore[arg-type]
        )
    rows = child(env, "count", str(built["public_id"]))
    trackers = result["trackers"]
    assert isinstance(trackers, list)
    return {
        "database": label,
        "voters": voters,
        "accepted": len(trackers),
        "refused": result["refused"],
        "errors": result["errors"],
        "sign_in_s": result["sign_in_s"],
        "cast_s": result["cast_s"],
        "ballots_per_s": len(trackers) / float(result["cast_s"]),  # type: ignore[arg-type]
        "rows": rows,
        "lost": voters - int(rows["ballots"]),
        "duplicated": max(0, int(rows["ballots"]) - voters) + int(rows["voters_on_roll_twice"]),
        "distinct_trackers": len(set(trackers)),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--voters", type=int, default=200)
    parser.add_argument("--threads", type=int, default=16, help="waitress threads")
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        what, _, value = args.child.partition(":")
        print(json.dumps(build(int(value)) if what == "build" else count_rows(value)))
        return
    work = Path(tempfile.mkdtemp(prefix="collegium-bench-"))
    (work / "bench_settings.py").write_text(SETTINGS)
    results = []
    if args.only in (None, "sqlite"):
        url = f"sqlite:///{work / 'bench.sqlite3'}"
        results.append(run_one("SQLite (WAL)", url, args.voters, args.threads, work))
    if args.only in (None, "postgres"):
        server = os.environ.get(
            "COLLEGIUM_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres"
        )
        name = f"collegium_bench_{os.getpid()}"
        try:
            url = postgres_database(server, name, create=True)
        except Exception as exc:
            print(f"PostgreSQL not tested: {exc}", file=sys.stderr)
        else:
            try:
                results.append(run_one("PostgreSQL", url, args.voters, args.threads, work))
            finally:
                postgres_database(server, name, create=False)
    if args.json:
        print(json.dumps(results, indent=2))
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; waitress threads: {args.threads}; "
        f"{args.voters} voters, each casting twice at once"
    )
    head = (
        f"{'database':<14} {'sign-in s':>9} {'cast s':>7} {'ballots/s':>9} "
        f"{'accepted':>8} {'refused':>7} {'rows':>5} {'lost':>4} {'dup':>4} {'errors':>6}"
    )
    print(head)
    print("-" * len(head))
    for r in results:
        print(
            f"{r['database']:<14} {r['sign_in_s']:>9.2f} {r['cast_s']:>7.2f} "
            f"{r['ballots_per_s']:>9.1f} {r['accepted']:>8} {r['refused']:>7} "
            f"{r['rows']['ballots']:>5} {r['lost']:>4} {r['duplicated']:>4} {len(r['errors']):>6}"  # type: ignore[index]
        )
    bad = [r for r in results if r["lost"] or r["duplicated"] or r["errors"]]
    for r in bad:
        print(f"{r['database']}: errors {r['errors'][:5]}", file=sys.stderr)  # type: ignore[index]
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
