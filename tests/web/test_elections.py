"""Election pages: calling, nominating, opening, the ballot, results and downloads, recall,
delegates and mandates; and zero lost or duplicated ballots under concurrent HTTP casting."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from collegium.elections.models import Ballot, Election, RollEntry, Seat, Tracker
from collegium.elections.services import (
    ballot_cast,
    election_call,
    election_open_voting,
    nomination_submit,
)
from tests.conftest import make_member

NOW = timezone.now()


def _client(member: Any) -> Client:
    c = Client()
    c.force_login(member.user)
    return c


@pytest.fixture
def candidates(small_federation: Any) -> list[Any]:
    f = small_federation
    from collegium.federation.services import charter_change

    # A small works: three seats, one reserved for production workers.
    charter_change(
        user=f.board_member.user,
        body=f.enterprise,
        changes={"board_seats": 3, "production_worker_quota_pct": 33},
        reason="small works",
    )
    return [
        make_member("3001", "Klara", "Zetkina", f.shop),
        make_member("3002", "Rosa", "Lux", f.shop, "technical_specialist"),
        make_member("3003", "Jonas", "Weber", f.shop),
    ]


def _voting_election(f: Any, candidates: list[Any], *, past: bool = False) -> Election:
    """An election of the enterprise's board with voting open (closing soon)."""
    start = NOW - dt.timedelta(days=30) if past else NOW - dt.timedelta(days=10)
    election = election_call(
        user=f.board_member.user,
        body=f.enterprise,
        nominations_close_at=start + dt.timedelta(days=5),
        voting_closes_at=NOW + dt.timedelta(days=1) if not past else NOW - dt.timedelta(days=1),
        now=start,
    )
    for m in candidates:
        nomination_submit(user=m.user, election=election, nominee=m, statement="Vote", now=start)
    return election_open_voting(
        user=f.board_member.user, election=election, now=start + dt.timedelta(days=5)
    )


def test_body_elections_page_and_calling(small_federation: Any) -> None:
    f = small_federation
    page = Client().get(f"/bodies/{f.enterprise.code}/elections/")
    assert page.status_code == 200
    assert b"Call an election" not in page.content
    board = _client(f.board_member)
    page = board.get(f"/bodies/{f.enterprise.code}/elections/")
    assert b"Call an election" in page.content
    response = board.post(
        f"/bodies/{f.enterprise.code}/elections/",
        {
            "purpose": "board",
            "nominations_close_at": (NOW + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
            "voting_closes_at": (NOW + dt.timedelta(days=6)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302
    election = Election.objects.get(body=f.enterprise)
    assert response["Location"] == f"/elections/{election.public_id}/"
    # The service's refusal is shown on the form (a second one while the first runs).
    again = board.post(
        f"/bodies/{f.enterprise.code}/elections/",
        {
            "purpose": "board",
            "nominations_close_at": (NOW + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
            "voting_closes_at": (NOW + dt.timedelta(days=6)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert again.status_code == 400
    assert b"already running" in again.content
    # A worker may not call one: the form is not there and a POST is refused.
    refused = _client(f.worker).post(
        f"/bodies/{f.enterprise.code}/elections/",
        {
            "purpose": "board",
            "nominations_close_at": "2099-01-01T00:00",
            "voting_closes_at": "2099-02-01T00:00",
        },
    )
    assert refused.status_code == 403
    assert b"only members of the board" in refused.content


def test_nominate_cosign_accept_and_open(small_federation: Any, candidates: list[Any]) -> None:
    f = small_federation
    election = election_call(
        user=f.board_member.user,
        body=f.enterprise,
        nominations_close_at=NOW + dt.timedelta(days=1),
        voting_closes_at=NOW + dt.timedelta(days=3),
    )
    url = f"/elections/{election.public_id}/"
    worker = _client(f.worker)
    # Member search by name, then nominate by number.
    found = worker.get(url, {"q": "Zetkina"})
    assert b"3001" in found.content
    # The same search as an htmx fragment.
    fragment = worker.get(
        url, {"q": "Zetkina"}, headers={"HX-Request": "true", "HX-Target": "member-results"}
    )
    assert b"3001" in fragment.content and b"<html" not in fragment.content
    worker.post(url + "nominate/", {"member_no": "3001", "statement": "For the forge"})
    nomination = election.nominations.get(nominee=candidates[0])
    assert nomination.accepted_at is None
    page = _client(candidates[0]).get(url)
    assert b"Accept my nomination" in page.content
    _client(candidates[0]).post(f"/nominations/{nomination.pk}/accept/")
    _client(f.congress_board_member).post(f"/nominations/{nomination.pk}/cosign/")
    nomination.refresh_from_db()
    assert nomination.accepted_at is not None
    assert nomination.signatures.count() == 1
    # Standing on one's own nomination; an unknown number is a message, not an error page.
    _client(candidates[1]).post(url + "nominate/", {"statement": "Specialist"})
    bad = worker.post(url + "nominate/", {"member_no": "nope"}, follow=True)
    assert b"There is no member with the number nope" in bad.content
    page = _client(f.board_member).get(url)
    assert b"Open voting" not in page.content  # nominations still open
    # After nominations close the calling board opens voting.
    Election.objects.filter(pk=election.pk).update(nominations_close_at=NOW - dt.timedelta(hours=1))
    opened = _client(f.board_member).post(url + "open/", follow=True)
    messages = re.findall(r'class="message[^"]*">([^<]*)<', opened.content.decode())
    assert any("Voting is open" in m for m in messages), messages
    election.refresh_from_db()
    assert election.state == "voting"
    # A worker cannot open or cancel.
    assert worker.post(url + "cancel/", {"reason": "no"}).status_code == 403


def test_quota_shortfall_is_shown_before_opening(
    small_federation: Any, candidates: list[Any]
) -> None:
    f = small_federation
    from collegium.federation.services import charter_change

    charter_change(
        user=f.board_member.user,
        body=f.enterprise,
        changes={"board_seats": 3, "production_worker_quota_pct": 100},
        reason="all workers",
    )
    election = election_call(
        user=f.board_member.user,
        body=f.enterprise,
        nominations_close_at=NOW + dt.timedelta(days=1),
        voting_closes_at=NOW + dt.timedelta(days=3),
    )
    nomination_submit(user=candidates[1].user, election=election, nominee=candidates[1])
    page = _client(f.board_member).get(f"/elections/{election.public_id}/")
    assert b"Before voting can open" in page.content
    assert b"reserves 3 of 3 seats" in page.content


def test_ballot_page_casts_secretly_and_shows_the_tracker_once(
    small_federation: Any, candidates: list[Any]
) -> None:
    f = small_federation
    election = _voting_election(f, candidates)
    url = f"/elections/{election.public_id}/vote/"
    worker = _client(f.worker)
    page = worker.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="pref_1"' in html and 'name="pref_3"' in html
    assert "end-to-end encryption" in html
    assert "cannot prove to anyone else" in html
    # A gap in the preferences is refused without casting.
    gap = worker.post(url, {"pref_1": "1", "pref_2": "", "pref_3": "2"})
    assert gap.status_code == 400
    assert RollEntry.objects.count() == 0
    cast = worker.post(url, {"pref_1": "2", "pref_2": "1", "pref_3": ""})
    assert cast.status_code == 200
    tracker = re.search(r'<p class="tracker"><code>([^<]+)</code>', cast.content.decode())
    assert tracker is not None
    assert Tracker.objects.filter(code=tracker.group(1)).exists()
    assert Ballot.objects.get().ranking == [2, 1]
    assert cast["Cache-Control"] == "no-store"
    # The tracker is not on the page afterwards; a second ballot is refused.
    again = worker.get(url)
    assert tracker.group(1).encode() not in again.content
    assert b"already voted" in again.content
    second = worker.post(url, {"pref_1": "1"})
    assert second.status_code == 400
    assert RollEntry.objects.count() == 1 and Ballot.objects.count() == 1
    # Outsiders are not electors.
    assert b"not among the electors" in _client(f.outsider).get(url).content


def test_results_count_sheet_chart_and_downloads(
    small_federation: Any, candidates: list[Any], tmp_path: Any
) -> None:
    f = small_federation
    election = _voting_election(f, candidates, past=True)
    voters = [f.worker, f.board_member, f.congress_board_member, *candidates]
    rankings = [[1, 2], [1, 3], [2, 1], [3, 1, 2], [2], [1], [3, 2]]
    for voter, ranking in zip(voters, rankings, strict=False):
        ballot_cast(
            user=voter.user,
            election=election,
            ranking=ranking,
            now=NOW - dt.timedelta(days=2),
        )
    # The count is started from the page once voting is over.
    counted = _client(f.worker).post(f"/elections/{election.public_id}/count/")
    assert counted.status_code == 302
    election.refresh_from_db()
    assert election.state == "counted"
    page = Client().get(f"/elections/{election.public_id}/results/")
    html = page.content.decode()
    assert "Count sheet" in html and "Stage 1" in html
    assert "Composition by category" in html
    assert f"by lot with the seed {election.count_sheet['seed']}" in html
    chart = Client().get(f"/elections/{election.public_id}/results/chart.svg")
    assert chart["Content-Type"] == "image/svg+xml"
    svg = chart.content.decode()
    assert "<polyline" in svg and "style" not in svg
    blt = Client().get(f"/elections/{election.public_id}/ballots.blt")
    assert blt.status_code == 200
    path = tmp_path / "ballots.blt"
    path.write_bytes(blt.content)
    import contextlib
    import io

    from collegium.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        # The command the results page gives, quota options included.
        command = re.search(r'<pre class="recount"><code>([^<]+)</code>', html)
        assert command is not None
        words = command.group(1).split()
        assert words[:3] == ["collegium", "tally", "ballots.blt"]
        code = main(["tally", str(path), "--json", *words[3:]])
    assert code == 0
    line = json.loads(out.getvalue().splitlines()[0])
    assert line["elected"] == election.count_sheet["elected"]
    trackers = Client().get(f"/elections/{election.public_id}/trackers.txt").content.decode()
    one = trackers.split()[0]
    checked = Client().get(f"/elections/{election.public_id}/results/", {"tracker": one})
    assert b"Found: the ballot with this tracker" in checked.content
    missing = Client().get(f"/elections/{election.public_id}/results/", {"tracker": "nope"})
    assert b"Not found" in missing.content
    assert sorted(trackers.split()) == sorted(Tracker.objects.values_list("code", flat=True))
    sheet = json.loads(Client().get(f"/elections/{election.public_id}/count-sheet.json").content)
    assert sheet == election.count_sheet
    # Who voted: for members of the body only, without any ranking (secret ballot).
    assert Client().get(f"/elections/{election.public_id}/roll.csv").status_code == 403
    roll = _client(f.worker).get(f"/elections/{election.public_id}/roll.csv").content.decode()
    assert roll.splitlines()[0] == "member_no,given_name,family_name"
    assert len(roll.splitlines()) == 1 + len(voters)


def test_nothing_is_published_before_the_count(
    small_federation: Any, candidates: list[Any]
) -> None:
    election = _voting_election(small_federation, candidates)
    for name in ("ballots.blt", "trackers.txt", "count-sheet.json", "results/chart.svg"):
        assert Client().get(f"/elections/{election.public_id}/{name}").status_code == 404
    assert b"Not counted yet" in Client().get(f"/elections/{election.public_id}/results/").content


def test_recall_petition_sign_vote_and_countback(small_federation: Any) -> None:
    f = small_federation
    from collegium.federation.services import charter_change

    charter_change(
        user=f.board_member.user,
        body=f.enterprise,
        changes={"recall_threshold_pct": 50},
        reason="easy recall",
    )
    seat = Seat.objects.get(body=f.enterprise, holder=f.board_member)
    page = _client(f.worker).get(f"/seats/{seat.pk}/recall/")
    assert b"Start a recall petition" in page.content
    started = _client(f.worker).post(f"/seats/{seat.pk}/recall/", {"reason": "Never at meetings"})
    assert started.status_code == 302
    detail_url = started["Location"]
    page = Client().get(detail_url)
    assert b"Never at meetings" in page.content
    assert b"of <strong>2</strong> needed" in page.content
    _client(f.congress_board_member).post(detail_url + "sign/")
    page = _client(f.worker).get(detail_url)
    assert b"Cast my recall ballot" in page.content
    voted = _client(f.worker).post(detail_url + "vote/", {"choice": "yes"})
    assert b"Your tracker" in voted.content
    again = _client(f.worker).post(detail_url + "vote/", {"choice": "no"}, follow=True)
    assert b"already voted" in again.content
    assert _client(f.outsider).post(detail_url + "sign/").status_code == 403


def test_delegates_mandates_and_time_away(small_federation: Any) -> None:
    f = small_federation
    today = dt.date.today()
    from collegium.elections.models import SeatRole

    delegate_seat = Seat.objects.create(
        body=f.enterprise,
        holder=f.worker,
        term_start=today - dt.timedelta(days=10),
        term_end=today + dt.timedelta(days=300),
        role=SeatRole.DELEGATE,
    )
    url = f"/bodies/{f.enterprise.code}/delegates/"
    page = _client(f.board_member).get(url)
    assert b"Adopt a mandate" in page.content
    _client(f.board_member).post(
        f"/bodies/{f.enterprise.code}/mandates/",
        {"question": "Shorter shifts in the union's mines", "position": "for"},
    )
    from collegium.elections.models import Mandate

    mandate = Mandate.objects.get()
    assert (
        _client(f.outsider)
        .post(f"/mandates/{mandate.public_id}/vote/", {"vote": "for"})
        .status_code
        == 403
    )
    _client(f.worker).post(f"/mandates/{mandate.public_id}/vote/", {"vote": "against"})
    page = Client().get(url).content.decode()
    assert "Shorter shifts" in page and "Breach" in page
    _client(f.worker).post(
        f"/seats/{delegate_seat.pk}/time-away/",
        {"since": (today - dt.timedelta(days=100)).isoformat()},
    )
    page = Client().get(url).content.decode()
    assert "Time away from production" in page
    delegate_seat.refresh_from_db()
    assert delegate_seat.full_time_since is not None
    _client(f.worker).post(f"/seats/{delegate_seat.pk}/time-away/", {"back": "1"})
    delegate_seat.refresh_from_db()
    assert delegate_seat.full_time_since is None


def test_pages_have_no_inline_styles_or_scripts(
    small_federation: Any, candidates: list[Any]
) -> None:
    f = small_federation
    election = _voting_election(f, candidates)
    worker = _client(f.worker)
    for url in (
        f"/bodies/{f.enterprise.code}/elections/",
        f"/elections/{election.public_id}/",
        f"/elections/{election.public_id}/vote/",
        f"/elections/{election.public_id}/results/",
        f"/bodies/{f.enterprise.code}/delegates/",
    ):
        html = worker.get(url).content.decode()
        assert " style=" not in html and "<style" not in html, url
        assert "web/elections.css" in html
        for script in re.findall(r"<script[^>]*>", html):
            assert "src=" in script, (url, script)


def test_delegates_vote_for_the_union_board_in_public_roll_call(small_federation: Any) -> None:
    f = small_federation
    from collegium.federation.services import charter_change

    charter_change(
        user=f.congress_board_member.user,
        body=None,
        changes={"board_seats": 1, "production_worker_quota_pct": 0},
        reason="one-seat boards for the test",
    )
    today = dt.date.today()
    Seat.objects.create(
        body=f.enterprise,
        holder=f.worker,
        term_start=today - dt.timedelta(days=1),
        term_end=today + dt.timedelta(days=100),
        role="delegate",
    )
    start = NOW - dt.timedelta(days=3)
    # The union has no board yet: the congress's board calls the election.
    election = election_call(
        user=f.congress_board_member.user,
        body=f.union,
        nominations_close_at=start + dt.timedelta(days=1),
        voting_closes_at=NOW + dt.timedelta(days=1),
        now=start,
    )
    from collegium.elections.services import nomination_accept

    # Only electors (the delegates) nominate; the nominee accepts.
    n = nomination_submit(user=f.worker.user, election=election, nominee=f.outsider, now=start)
    nomination_accept(user=f.outsider.user, nomination=n, now=start)
    election_open_voting(
        user=f.congress_board_member.user, election=election, now=start + dt.timedelta(days=1)
    )
    page = _client(f.worker).get(f"/elections/{election.public_id}/vote/").content.decode()
    assert "Your vote is public" in page
    weight = re.search(r"weight of <strong>(\d+)</strong>", page)
    assert weight is not None and int(weight.group(1)) == 3  # the enterprise's members
    assert (
        b"not among the electors"
        in _client(f.board_member).get(f"/elections/{election.public_id}/vote/").content
    )
    cast = _client(f.worker).post(f"/elections/{election.public_id}/vote/", {"pref_1": "1"})
    assert b"public roll call" in cast.content
    assert RollEntry.objects.get(election=election).public_ranking == [1]


def test_home_lists_what_is_open_in_the_members_bodies(
    small_federation: Any, candidates: list[Any]
) -> None:
    f = small_federation
    html = _client(f.worker).get("/").content.decode()
    assert "Open now in your bodies" in html
    assert "No election or recall is open" in html
    election = _voting_election(f, candidates)
    seat = Seat.objects.get(body=f.enterprise, holder=f.board_member)
    _client(f.worker).post(f"/seats/{seat.pk}/recall/", {"reason": "Never at meetings"})
    html = _client(f.worker).get("/").content.decode()
    assert f'href="/elections/{election.public_id}/"' in html
    assert "Voting open" in html
    assert f"Recall of {f.board_member.full_name}" in html
    # The body's own page shows them too, to anyone.
    html = Client().get(f"/bodies/{f.enterprise.code}/").content.decode()
    assert f'href="/elections/{election.public_id}/"' in html
    assert f"Recall of {f.board_member.full_name}" in html
    # A member of another enterprise is not shown them; nor is anyone signed out.
    assert election.public_id not in _client(f.outsider).get("/").content.decode()
    assert "Open now" not in Client().get("/").content.decode()


def test_by_election_from_the_form_fills_only_vacant_seats(small_federation: Any) -> None:
    f = small_federation
    board = _client(f.board_member)
    # The enterprise's board has one sitting member of seven: six seats are vacant.
    response = board.post(
        f"/bodies/{f.enterprise.code}/elections/",
        {
            "purpose": "board",
            "by_election": "1",
            "nominations_close_at": (NOW + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
            "voting_closes_at": (NOW + dt.timedelta(days=6)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302
    election = Election.objects.get(body=f.enterprise)
    assert election.by_election and election.seats == 6
    assert (
        b"by-election for the vacant seats only"
        in board.get(f"/bodies/{f.enterprise.code}/elections/").content
    )
