"""Voting in a referendum through the real HTTP stack: `collegium serve` on 127.0.0.1.

    .venv/bin/python benchmarks/referendum_http.py [--members 200] [--threads 16] [--only sqlite]

Like ``elections_http.py``, for a referendum of the members. For each database (SQLite
in a throwaway file; PostgreSQL in a throwaway database created on
``COLLEGIUM_TEST_POSTGRES``, default ``postgres://postgres@127.0.0.1:5432/postgres``, and
dropped afterwards) it builds a shop of ``--members`` members with a founding board, a
proposal reserved to the members and the referendum on it open, starts ``collegium
serve`` as a subprocess, and runs every member as a thread with ``http.client``: sign in
through the login form, open the decision page, then cast twice at the same moment (the
second is a duplicate attempt that must be refused). Afterwards it counts the rows: the
roll, the ballots and the trackers must each hold exactly one row per member, the ballots
must say what was cast (yes, no, abstain in the numbers sent), and the record must hold
one "voted" entry per member: zero lost, zero duplicated.

Passwords use Django's MD5 hasher in a settings module written for the benchmark, as in
``elections_http.py``.
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

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _http import (
    POSTGRES,
    SETTINGS,
    Browser,
    bench_env,
    build_shop,
    postgres_database,
    run_child,
    run_crowd,
    served,
)

TRACKER = re.compile(r'<p class="tracker"><code>([^<]+)</code>')
CHOICES = ("yes", "no", "abstain")


def choice_of(i: int) -> str:
    return CHOICES[0] if i % 5 < 3 else CHOICES[i % 5 - 2]  # 3/5 yes, 1/5 no, 1/5 abstain


# -------------------------------------------------------------------------- a member


def cast(browser: Browser, public_id: str, token: str, choice: str) -> str | None:
    """Cast; returns the tracker, or None when the server refused the ballot."""
    status, page = browser.request(
        "POST",
        f"/decisions/{public_id}/cast/",
        {"csrfmiddlewaretoken": token, "choice": choice},
    )
    found = TRACKER.search(page)
    if status == 200 and found:
        return found.group(1)
    assert status == 400 and "already voted" in page, (status, page[:300])
    return None


def run_members(host: str, port: int, public_id: str, members: list[str]) -> dict[str, object]:
    """Every member signs in, opens the decision page, and casts twice at once."""
    return run_crowd(
        host,
        port,
        members,
        f"/decisions/{public_id}/",
        lambda browser, token, i: cast(browser, public_id, token, choice_of(i)),
    )


# ------------------------------------------------------------------- database set-up


def build(size: int) -> dict[str, object]:
    """In a child process with DJANGO_SETTINGS_MODULE and DATABASE_URL set: migrate,
    build the shop and open the referendum."""
    import django

    django.setup()
    from django.utils import timezone

    from collegium.decisions.services import proposal_submit, referendum_open
    from collegium.elections.services import board_seat_founding
    from collegium.record.services import SYSTEM

    works, shop, members = build_shop(size, "m", "Member")
    today = dt.date.today()
    board_seat_founding(
        user=None,
        actor=SYSTEM,
        body=shop,
        members=members[:3],
        term_start=today - dt.timedelta(days=10),
        term_end=today + dt.timedelta(days=700),
    )
    now = timezone.now()
    proposal = proposal_submit(
        user=members[5].user,
        body=shop,
        title="A thirty-hour week from January",
        text="The shop works thirty hours a week from January, at the same pay.",
        route="members",
        now=now - dt.timedelta(days=7),
    )
    decision = referendum_open(
        user=members[0].user, proposal=proposal, closes_at=now + dt.timedelta(days=1), now=now
    )
    return {"public_id": decision.public_id, "members": [m.member_no for m in members]}


def count_rows(public_id: str) -> dict[str, int]:
    import django

    django.setup()
    from django.db.models import Count

    from collegium.decisions.models import (
        Decision,
        ReferendumBallot,
        ReferendumRollEntry,
        ReferendumTracker,
    )
    from collegium.record.models import Entry

    decision = Decision.objects.get(public_id=public_id)
    roll = ReferendumRollEntry.objects.filter(decision=decision)
    ballots = ReferendumBallot.objects.filter(decision=decision)
    by_choice = dict(ballots.values_list("choice").annotate(n=Count("pk")).order_by())
    return {
        "roll": roll.count(),
        "ballots": ballots.count(),
        "trackers": ReferendumTracker.objects.filter(decision=decision).count(),
        "members_on_roll_twice": roll.count() - roll.values("member").distinct().count(),
        "record_entries": Entry.objects.filter(
            kind="decision.referendum_voted", payload__contains=f'"{public_id}"'
        ).count(),
        **{choice: by_choice.get(choice, 0) for choice in CHOICES},
    }


# ------------------------------------------------------------------------- one run


def child(env: dict[str, str], what: str, *args: str) -> dict[str, object]:
    return run_child(__file__, env, what, *args)


def run_one(
    label: str, database_url: str, size: int, threads: int, work: Path
) -> dict[str, object]:
    env = bench_env(label, database_url, work)
    built = child(env, "build", str(size))
    with served(env, threads, work) as port:
        result = run_members(
            "127.0.0.1",
            port,
            str(built["public_id"]),
            list(built["members"]),  # type: ignore[call-overload]
        )
    rows = child(env, "count", str(built["public_id"]))
    trackers = result["trackers"]
    assert isinstance(trackers, list)
    sent = {c: sum(1 for i in range(size) if choice_of(i) == c) for c in CHOICES}
    ballots = int(rows["ballots"])  # type: ignore[call-overload]
    return {
        "database": label,
        "members": size,
        "accepted": len(trackers),
        "refused": result["refused"],
        "errors": result["errors"],
        "sign_in_s": result["sign_in_s"],
        "cast_s": result["cast_s"],
        "votes_per_s": len(trackers) / float(result["cast_s"]),  # type: ignore[arg-type]
        "rows": rows,
        "lost": size - ballots,
        "duplicated": max(0, ballots - size) + int(rows["members_on_roll_twice"]),  # type: ignore[call-overload]
        "as_cast": all(rows[c] == sent[c] for c in CHOICES),
        "consistent": rows["roll"] == rows["ballots"] == rows["trackers"] == rows["record_entries"],
        "distinct_trackers": len(set(trackers)),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=200)
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
        results.append(run_one("SQLite (WAL)", url, args.members, args.threads, work))
    if args.only in (None, "postgres"):
        server = os.environ.get("COLLEGIUM_TEST_POSTGRES", POSTGRES)
        name = f"collegium_bench_{os.getpid()}"
        try:
            url = postgres_database(server, name, create=True)
        except Exception as exc:
            print(f"PostgreSQL not tested: {exc}", file=sys.stderr)
        else:
            try:
                results.append(run_one("PostgreSQL", url, args.members, args.threads, work))
            finally:
                postgres_database(server, name, create=False)
    if args.json:
        print(json.dumps(results, indent=2))
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; waitress threads: {args.threads}; "
        f"{args.members} members, each casting twice at once"
    )
    head = (
        f"{'database':<14} {'sign-in s':>9} {'cast s':>7} {'votes/s':>8} {'accepted':>8} "
        f"{'refused':>7} {'roll':>5} {'ballots':>7} {'trackers':>8} {'lost':>4} {'dup':>4} "
        f"{'as cast':>7} {'errors':>6}"
    )
    print(head)
    print("-" * len(head))
    for r in results:
        rows = r["rows"]
        assert isinstance(rows, dict)
        print(
            f"{r['database']:<14} {r['sign_in_s']:>9.2f} {r['cast_s']:>7.2f} "
            f"{r['votes_per_s']:>8.1f} {r['accepted']:>8} {r['refused']:>7} "
            f"{rows['roll']:>5} {rows['ballots']:>7} {rows['trackers']:>8} {r['lost']:>4} "
            f"{r['duplicated']:>4} {'yes' if r['as_cast'] else 'NO':>7} "
            f"{len(r['errors']):>6}"  # type: ignore[arg-type]
        )
    bad = [
        r
        for r in results
        if r["lost"] or r["duplicated"] or r["errors"] or not r["as_cast"] or not r["consistent"]
    ]
    for r in bad:
        print(f"{r['database']}: {r['rows']}; errors {r['errors'][:5]}", file=sys.stderr)  # type: ignore[index]
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
