from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from collegium.elections.models import Ballot, Election, RollEntry, Seat, Tracker
from collegium.elections.services import (
    ElectionError,
    ballot_cast,
    election_call,
    election_cancel,
    election_count,
    election_open_voting,
    nomination_accept,
    nomination_cosign,
    nomination_submit,
    quota_shortfall,
)
from collegium.federation.permissions import PermissionDenied
from collegium.record.models import Entry
from tests.conftest import make_member

NOW = timezone.now()
CLOSE_NOMINATIONS = NOW + dt.timedelta(days=7)
CLOSE_VOTING = NOW + dt.timedelta(days=14)
DURING_VOTING = NOW + dt.timedelta(days=8)
AFTER = NOW + dt.timedelta(days=15)


@pytest.fixture
def election(small_federation):
    f = small_federation
    # A small works: three seats, one reserved for production workers.
    from collegium.federation.services import charter_change

    charter_change(
        user=f.board_member.user,
        body=f.enterprise,
        changes={"board_seats": 3, "production_worker_quota_pct": 34},
        reason="small works",
    )
    return election_call(
        user=f.board_member.user,
        body=f.enterprise,
        nominations_close_at=CLOSE_NOMINATIONS,
        voting_closes_at=CLOSE_VOTING,
        now=NOW,
    )


@pytest.fixture
def candidates(small_federation, election):
    f = small_federation
    extra = [
        make_member(
            f"30{i}",
            f"Cand{i}",
            f"Family{i}",
            f.shop,
            "technical_specialist" if i % 2 else "production_worker",
        )
        for i in range(4)
    ]
    nominations = [
        nomination_submit(user=m.user, election=election, nominee=m, now=NOW) for m in extra
    ]
    return extra, nominations


def open_voting(f, election):
    return election_open_voting(user=f.board_member.user, election=election, now=CLOSE_NOMINATIONS)


def test_the_whole_lifecycle(small_federation, election, candidates):
    f = small_federation
    extra, _nominations = candidates
    # Nominated by someone else: must be accepted; co-signed by a third member.
    other = nomination_submit(
        user=f.worker.user, election=election, nominee=f.board_member, now=NOW
    )
    nomination_cosign(user=f.congress_board_member.user, nomination=other)
    nomination_accept(user=f.board_member.user, nomination=other, now=NOW)
    election = open_voting(f, election)
    assert election.state == "voting"
    numbers = dict(election.nominations.values_list("nominee__member_no", "number"))
    voters = [f.worker, f.congress_board_member, *extra]
    trackers = []
    for i, voter in enumerate(voters):
        first = numbers["300"] if i % 2 else numbers["302"]
        trackers.append(
            ballot_cast(
                user=voter.user,
                election=election,
                ranking=[first, numbers["1002"]],
                now=DURING_VOTING,
            )
        )
    election = election_count(election=election, now=AFTER)
    assert election.state == "counted"
    assert len(election.elected) == 3
    seats = Seat.objects.filter(body=f.enterprise, vacated_on__isnull=True)
    assert {s.holder.public_id for s in seats} == set(election.elected)
    assert any(s.holder.category.code == "production_worker" for s in seats)
    # Anyone can recount the published ballots and find every tracker.
    from collegium.tally import count_scottish_stv, read_blt

    recount = count_scottish_stv(read_blt(election.published_ballots))
    assert [
        election.nominations.get(number=n).nominee.public_id for n in recount.elected
    ] == election.elected
    assert sorted(trackers) == election.published_trackers.splitlines()
    assert RollEntry.objects.filter(election=election).count() == len(voters)
    kinds = list(Entry.objects.order_by("index").values_list("kind", flat=True))
    assert kinds[-1] == "election.counted"
    assert kinds.count("election.voted") == len(voters)


def test_ballots_cannot_be_linked_to_voters():
    ballot_fields = {f.name for f in Ballot._meta.get_fields()}
    assert ballot_fields == {"key", "election", "ranking", "weight"}
    tracker_fields = {f.name for f in Tracker._meta.get_fields()}
    assert tracker_fields == {"code", "election"}
    roll_fields = {f.name for f in RollEntry._meta.get_fields()}
    assert "ballot" not in roll_fields and "voted_at" not in roll_fields


def test_record_shows_who_voted_but_not_how(small_federation, election, candidates):
    f = small_federation
    open_voting(f, election)
    ballot_cast(user=f.worker.user, election=election, ranking=[2, 1], now=DURING_VOTING)
    entry = Entry.objects.filter(kind="election.voted").get()
    assert entry.actor_id == f.worker.public_id
    assert "ranking" not in entry.payload and "[2,1]" not in entry.payload


@pytest.mark.parametrize(
    ("ranking", "message"),
    [
        ([], "ranks no candidate"),
        ([1, 1], "candidate 1 is ranked twice"),
        ([9], "there is no candidate 9"),
        ([1, 0], "there is no candidate 0"),
    ],
)
def test_bad_ballots_change_nothing(small_federation, election, candidates, ranking, message):
    f = small_federation
    open_voting(f, election)
    before = Entry.objects.count()
    with pytest.raises(ElectionError, match=message):
        ballot_cast(user=f.worker.user, election=election, ranking=ranking, now=DURING_VOTING)
    assert not RollEntry.objects.exists() and not Ballot.objects.exists()
    assert Entry.objects.count() == before


def test_second_ballot_is_refused(small_federation, election, candidates):
    f = small_federation
    open_voting(f, election)
    ballot_cast(user=f.worker.user, election=election, ranking=[1], now=DURING_VOTING)
    with pytest.raises(ElectionError, match="already voted"):
        ballot_cast(user=f.worker.user, election=election, ranking=[2], now=DURING_VOTING)
    assert Ballot.objects.count() == 1


def test_late_ballots_and_outsiders_are_refused(small_federation, election, candidates):
    f = small_federation
    open_voting(f, election)
    with pytest.raises(ElectionError, match="voting has closed"):
        ballot_cast(user=f.worker.user, election=election, ranking=[1], now=AFTER)
    with pytest.raises(PermissionDenied):
        ballot_cast(user=f.outsider.user, election=election, ranking=[1], now=DURING_VOTING)
    with pytest.raises(PermissionDenied):
        ballot_cast(user=f.operator, election=election, ranking=[1], now=DURING_VOTING)


def test_nominations_of_ineligible_members_are_refused(small_federation, election):
    f = small_federation
    with pytest.raises(ElectionError, match="is not a member of Sormovo"):
        nomination_submit(user=f.worker.user, election=election, nominee=f.outsider, now=NOW)
    with pytest.raises(PermissionDenied):
        nomination_submit(user=f.outsider.user, election=election, nominee=f.worker, now=NOW)
    with pytest.raises(ElectionError, match="nominations are closed"):
        nomination_submit(
            user=f.worker.user, election=election, nominee=f.worker, now=CLOSE_NOMINATIONS
        )


def test_term_limit_is_enforced(small_federation, election):
    f = small_federation
    # The board member already sits; with a limit of one term they cannot stand again.
    from collegium.federation.services import charter_change

    charter_change(
        user=f.board_member.user, body=f.enterprise, changes={"term_limit": 1}, reason="rotate"
    )
    with pytest.raises(ElectionError, match="term limit is 1"):
        nomination_submit(user=f.worker.user, election=election, nominee=f.board_member, now=NOW)


def test_quota_shortfall_is_said_before_voting_opens(small_federation, election):
    f = small_federation
    specialist = make_member("400", "Spec", "Ialist", f.shop, "technical_specialist")
    nomination_submit(user=specialist.user, election=election, nominee=specialist, now=NOW)
    # ceil(34 × 3 / 100) = 2 seats reserved for production workers.
    assert "reserves 2 of 3 seats" in quota_shortfall(election)
    with pytest.raises(ElectionError, match="only 0 stand"):
        open_voting(f, election)


def test_lifecycle_order_is_enforced(small_federation, election, candidates):
    f = small_federation
    with pytest.raises(ElectionError, match="nominations are still open"):
        election_open_voting(user=f.board_member.user, election=election, now=NOW)
    with pytest.raises(ElectionError, match="cannot count"):
        election_count(election=election, now=AFTER)
    open_voting(f, election)
    with pytest.raises(ElectionError, match="voting is still open"):
        election_count(election=election, now=DURING_VOTING)
    election_cancel(user=f.board_member.user, election=election, reason="called in error")
    election.refresh_from_db()
    with pytest.raises(ElectionError, match="cancelled"):
        ballot_cast(user=f.worker.user, election=election, ranking=[1], now=DURING_VOTING)


def test_only_the_board_calls_and_unions_wait_for_delegates(small_federation):
    f = small_federation
    with pytest.raises(PermissionDenied):
        election_call(
            user=f.worker.user,
            body=f.enterprise,
            nominations_close_at=CLOSE_NOMINATIONS,
            voting_closes_at=CLOSE_VOTING,
        )
    # A shop without a board: its enterprise's board calls the first election.
    assert (
        election_call(
            user=f.board_member.user,
            body=f.shop,
            nominations_close_at=CLOSE_NOMINATIONS,
            voting_closes_at=CLOSE_VOTING,
        ).state
        == Election.State.NOMINATION
    )
    with pytest.raises(ElectionError, match="delegates"):
        election_call(
            user=f.congress_board_member.user,
            body=f.congress,
            nominations_close_at=CLOSE_NOMINATIONS,
            voting_closes_at=CLOSE_VOTING,
        )


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent writers need a server database; SQLite's in-memory "
    "test database is one connection",
)
def test_concurrent_second_ballots_count_once(record_guards_lifted, transactional_db):
    from collegium.elections.services import board_seat_founding
    from collegium.record.services import SYSTEM
    from tests.conftest import make_body

    congress = make_body("c", "C", "congress", None)
    union = make_body("u", "U", "industrial_union", congress)
    works = make_body("w", "W", "enterprise", union)
    board = make_member("1", "B", "Oard", works)
    voter = make_member("2", "V", "Oter", works)
    board_seat_founding(
        user=None,
        actor=SYSTEM,
        body=works,
        members=[board],
        term_start=dt.date.today(),
        term_end=dt.date.today() + dt.timedelta(9),
    )
    from collegium.federation.services import charter_change

    charter_change(
        user=board.user,
        body=works,
        changes={"board_seats": 1, "production_worker_quota_pct": 0},
        reason="r",
    )
    election = election_call(
        user=board.user,
        body=works,
        nominations_close_at=CLOSE_NOMINATIONS,
        voting_closes_at=CLOSE_VOTING,
        now=NOW,
    )
    nomination_submit(user=voter.user, election=election, nominee=voter, now=NOW)
    election_open_voting(user=board.user, election=election, now=CLOSE_NOMINATIONS)
    outcomes: list[str] = []

    def vote() -> None:
        from django.db import connections

        try:
            ballot_cast(user=voter.user, election=election, ranking=[1], now=DURING_VOTING)
            outcomes.append("ok")
        except ElectionError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=vote) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok"] + ["refused"] * 7
    assert Ballot.objects.count() == 1 and RollEntry.objects.count() == 1


def test_terms_run_in_calendar_months():
    from collegium.elections.services import add_months

    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2026, 11, 15), 24) == dt.date(2028, 11, 15)
    assert add_months(dt.date(2027, 12, 1), 1) == dt.date(2028, 1, 1)


def test_cosign_and_accept_close_with_nominations(small_federation, election):
    f = small_federation
    nomination = nomination_submit(
        user=f.worker.user, election=election, nominee=f.board_member, now=NOW
    )
    with pytest.raises(ElectionError, match="nominations are closed"):
        nomination_cosign(
            user=f.congress_board_member.user, nomination=nomination, now=CLOSE_NOMINATIONS
        )
    with pytest.raises(ElectionError, match="nominations are closed"):
        nomination_accept(user=f.board_member.user, nomination=nomination, now=CLOSE_NOMINATIONS)
