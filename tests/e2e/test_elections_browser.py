"""Elections against a live server: concurrent casting over HTTP loses and duplicates
nothing (on the database under test), and a member votes with the keyboard in a browser
on a phone-sized screen, under the strict CSP."""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # playwright runs an event loop

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _bench() -> Any:
    """The benchmark's HTTP voter (sign in, open the ballot, cast), reused here."""
    spec = importlib.util.spec_from_file_location(
        "elections_http", ROOT / "benchmarks" / "elections_http.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def live_federation(
    record_guards_lifted: Any,
    transactional_db: Any,
    live_server: Any,
    request: pytest.FixtureRequest,
) -> Iterator[Any]:
    """The small federation in a database the live server sees (see tests/e2e/test_browser.py)."""
    from collegium.federation.models import Category, Charter
    from collegium.record.models import Checkpoint, Entry, Node

    seed = __import__(
        "collegium.federation.migrations.0002_default_categories_and_charter",
        fromlist=["CATEGORIES", "DEFAULT_CHARTER"],
    )
    for code, name, position in seed.CATEGORIES:
        Category.objects.get_or_create(code=code, defaults={"name": name, "position": position})
    if not Charter.objects.filter(body__isnull=True).exists():
        Charter.objects.create(body=None, **seed.DEFAULT_CHARTER)
    yield request.getfixturevalue("small_federation")
    for model in (Checkpoint, Node, Entry):
        model.objects.all().delete()


def _open_election(f: Any, voters: int) -> tuple[Any, list[Any]]:
    from collegium.elections.services import election_call, election_open_voting, nomination_submit
    from collegium.federation.services import charter_change
    from tests.conftest import make_member

    charter_change(
        user=f.board_member.user,
        body=f.enterprise,
        changes={"board_seats": 3, "production_worker_quota_pct": 33},
        reason="small works",
    )
    now = timezone.now()
    election = election_call(
        user=f.board_member.user,
        body=f.enterprise,
        nominations_close_at=now - dt.timedelta(hours=1),
        voting_closes_at=now + dt.timedelta(days=1),
        now=now - dt.timedelta(days=1),
    )
    members = [
        make_member(f"5{i:03d}", f"Voter{i}", f"Family{i}", f.shop, password="bench-pw")
        for i in range(voters)
    ]
    for m in members[:4]:
        nomination_submit(user=m.user, election=election, nominee=m, now=now - dt.timedelta(days=1))
    election_open_voting(user=f.board_member.user, election=election, now=now)
    return election, members


def test_concurrent_casting_through_collegium_serve(tmp_path: Path) -> None:
    """20 voters, each casting twice at the same moment, through the real server
    (``collegium serve``, waitress) on the database engine under test: a throwaway SQLite
    file, or a throwaway database on the PostgreSQL server. (The live-server helper's
    in-memory SQLite shares one connection between threads, so it cannot stand for
    concurrent writers.)"""
    import os

    from django.conf import settings

    bench = _bench()
    (tmp_path / "bench_settings.py").write_text(bench.SETTINGS)
    voters = 20
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        result = bench.run_one(
            "sqlite", f"sqlite:///{tmp_path / 'cast.sqlite3'}", voters, 8, tmp_path
        )
    else:
        server = os.environ.get(
            "COLLEGIUM_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres"
        )
        name = f"collegium_cast_{os.getpid()}"
        url = bench.postgres_database(server, name, create=True)
        try:
            result = bench.run_one("postgres", url, voters, 8, tmp_path)
        finally:
            bench.postgres_database(server, name, create=False)
    assert result["errors"] == []
    assert result["accepted"] == voters and result["distinct_trackers"] == voters
    assert result["refused"] == voters  # every duplicate attempt refused
    assert result["rows"] == {
        "roll": voters,
        "ballots": voters,
        "trackers": voters,
        "voters_on_roll_twice": 0,
    }
    assert result["lost"] == 0 and result["duplicated"] == 0


@pytest.fixture
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (apt-get install chromium)")
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.mark.browser
def test_vote_with_the_keyboard_on_a_phone(
    live_federation: Any, live_server: Any, browser: Any
) -> None:
    f = live_federation
    election, members = _open_election(f, 4)
    errors: list[str] = []
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.on("console", lambda m: m.type in ("error", "warning") and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Member number or user name").fill(f.worker.user.username)
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/elections/{election.public_id}/")
    page.get_by_role("link", name="Go to your ballot").click()
    page.wait_for_url(f"{base}/elections/{election.public_id}/vote/")
    # Keyboard only: focus the first preference, choose with the arrow keys, tab on.
    first = page.get_by_label("1st preference")
    first.focus()
    first.select_option("3")
    page.keyboard.press("Tab")
    second = page.get_by_label("2nd preference")
    assert second.evaluate("el => el === document.activeElement")
    second.select_option("1")
    page.get_by_role("button", name="Cast my ballot").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(".tracker code")
    tracker = page.locator(".tracker code").inner_text()
    from collegium.elections.models import Ballot, Tracker

    assert Tracker.objects.filter(code=tracker).exists()
    assert list(Ballot.objects.values_list("ranking", flat=True)) == [[3, 1]]
    # Nothing wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # After the close and the count, the results page and its chart load under the CSP.
    from collegium.elections.services import election_count

    election_count(election=election, now=election.voting_closes_at + dt.timedelta(seconds=1))
    page.goto(f"{base}/elections/{election.public_id}/results/?tracker={tracker}")
    assert "Found: the ballot with this tracker" in page.content()
    chart = page.locator("figure.chart img")
    chart.scroll_into_view_if_needed()
    page.wait_for_function("document.querySelector('figure.chart img').naturalWidth > 0")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    bad = [
        e
        for e in errors
        if "Content Security Policy" in e or "Content-Security-Policy" in e or "pageerror" in e
    ]
    assert not bad, bad
