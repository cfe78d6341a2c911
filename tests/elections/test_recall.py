from __future__ import annotations

import datetime as dt

import pytest

from collegium.elections.models import RecallPetition, Seat
from collegium.elections.services import (
    ElectionError,
    ballot_cast,
    election_call,
    election_count,
    election_open_voting,
    nomination_submit,
    recall_ballot_cast,
    recall_count,
    recall_petition_sign,
    recall_petition_start,
    recall_sweep,
)
from collegium.federation.permissions import PermissionDenied
from collegium.federation.services import charter_change
from collegium.record.models import Entry
from tests.conftest import make_member
from tests.elections.test_services import (
    AFTER,
    CLOSE_NOMINATIONS,
    CLOSE_VOTING,
    DURING_VOTING,
    NOW,
)


@pytest.fixture
def elected_board(small_federation):
    """A two-seat board elected by STV from four candidates, ten voters."""
    f = small_federation
    charter_change(
        user=f.board_member.user,
        body=f.enterprise,
        changes={"board_seats": 2, "production_worker_quota_pct": 0, "recall_threshold_pct": 20},
        reason="small works",
    )
    election = election_call(
        user=f.board_member.user,
        body=f.enterprise,
        nominations_close_at=CLOSE_NOMINATIONS,
        voting_closes_at=CLOSE_VOTING,
        now=NOW,
    )
    cands = [make_member(f"50{i}", f"C{i}", f"Cand{i}", f.shop) for i in range(4)]
    for c in cands:
        nomination_submit(user=c.user, election=election, nominee=c, now=NOW)
    election_open_voting(user=f.board_member.user, election=election, now=CLOSE_NOMINATIONS)
    voters = [make_member(f"60{i}", f"V{i}", f"Voter{i}", f.shop) for i in range(10)]
    # Numbers follow family names: Cand0 → 1 … Cand3 → 4. 1 and 2 win; 3 is runner-up.
    rankings = [[1, 3]] * 4 + [[2, 3]] * 3 + [[3, 1]] * 2 + [[4]]
    for voter, ranking in zip(voters, rankings, strict=True):
        ballot_cast(user=voter.user, election=election, ranking=ranking, now=DURING_VOTING)
    election = election_count(election=election, now=AFTER)
    return f, election, cands, voters


def seat_of(member) -> Seat:
    return Seat.objects.get(holder=member, vacated_on__isnull=True)


def test_recall_passes_and_the_seat_is_filled_by_countback(elected_board):
    f, election, cands, voters = elected_board
    assert {seat_of(c).holder for c in cands[:2]} == set(cands[:2])
    now = AFTER + dt.timedelta(days=1)
    total = 10 + 4 + 3  # voters, candidates and the fixture's three shop members
    petition = recall_petition_start(
        user=voters[0].user,
        seat=seat_of(cands[0]),
        reason="Never comes to the shop meetings",
        now=now,
    )
    assert petition.signatures_needed == -(-20 * total // 100)
    for voter in voters[1 : petition.signatures_needed]:
        petition = recall_petition_sign(user=voter.user, petition=petition, now=now)
    assert petition.state == RecallPetition.State.BALLOT
    for i, voter in enumerate(voters):
        recall_ballot_cast(
            user=voter.user, petition=petition, choice="yes" if i < 7 else "no", now=now
        )
    with pytest.raises(ElectionError, match="still open"):
        recall_count(petition=petition, now=now)
    petition = recall_count(petition=petition, now=petition.ballot_closes_at)
    assert petition.state == RecallPetition.State.RECALLED
    assert petition.replacement == cands[2]
    assert "countback" in petition.vacancy_note
    holders = set(
        Seat.objects.filter(body=f.enterprise, vacated_on__isnull=True).values_list(
            "holder__member_no", flat=True
        )
    )
    assert holders == {cands[1].member_no, cands[2].member_no}
    assert Entry.objects.filter(kind="recall.recalled").exists()


def test_rejected_recall_keeps_the_seat(elected_board):
    f, election, cands, voters = elected_board
    now = AFTER + dt.timedelta(days=1)
    petition = recall_petition_start(
        user=voters[0].user, seat=seat_of(cands[1]), reason="r", now=now
    )
    for voter in voters[1 : petition.signatures_needed]:
        recall_petition_sign(user=voter.user, petition=petition, now=now)
    petition.refresh_from_db()
    recall_ballot_cast(user=voters[0].user, petition=petition, choice="no", now=now)
    assert recall_sweep(now=petition.ballot_closes_at) == {"lapsed": 0, "counted": 1}
    petition.refresh_from_db()
    assert petition.state == RecallPetition.State.REJECTED
    assert seat_of(cands[1])
    assert recall_sweep(now=petition.ballot_closes_at) == {"lapsed": 0, "counted": 0}


def test_petition_lapses_without_enough_signatures(elected_board):
    f, election, cands, voters = elected_board
    now = AFTER + dt.timedelta(days=1)
    petition = recall_petition_start(
        user=voters[0].user, seat=seat_of(cands[1]), reason="r", now=now
    )
    assert recall_sweep(now=now) == {"lapsed": 0, "counted": 0}
    assert recall_sweep(now=petition.collect_until) == {"lapsed": 1, "counted": 0}
    petition.refresh_from_db()
    assert petition.state == RecallPetition.State.LAPSED
    with pytest.raises(ElectionError):
        recall_petition_sign(user=voters[1].user, petition=petition, now=now)


def test_bad_recall_actions_change_nothing(elected_board):
    f, election, cands, voters = elected_board
    now = AFTER + dt.timedelta(days=1)
    with pytest.raises(PermissionDenied):
        recall_petition_start(user=f.outsider.user, seat=seat_of(cands[0]), reason="r", now=now)
    petition = recall_petition_start(
        user=voters[0].user, seat=seat_of(cands[0]), reason="r", now=now
    )
    with pytest.raises(ElectionError, match="already signed"):
        recall_petition_sign(user=voters[0].user, petition=petition, now=now)
    with pytest.raises(ElectionError, match="already under way"):
        recall_petition_start(user=voters[1].user, seat=seat_of(cands[0]), reason="r", now=now)
    with pytest.raises(ElectionError, match="no recall ballot is open"):
        recall_ballot_cast(user=voters[1].user, petition=petition, choice="yes", now=now)
    with pytest.raises(PermissionDenied):
        recall_petition_sign(user=f.outsider.user, petition=petition, now=now)
    assert petition.signatures.count() == 1


def test_charter_can_send_vacancies_to_a_by_election(elected_board):
    f, _election, cands, voters = elected_board
    # Permissions look at today's date; let the board counted on the test clock's future
    # day sit from today.
    Seat.objects.filter(body=f.enterprise, vacated_on__isnull=True).update(
        term_start=dt.date.today()
    )
    charter_change(
        user=cands[0].user,
        body=f.enterprise,
        changes={"vacancy_countback": 0},
        reason="vacancies go to a by-election",
    )
    now = AFTER + dt.timedelta(days=1)
    petition = recall_petition_start(
        user=voters[0].user, seat=seat_of(cands[0]), reason="r", now=now
    )
    for voter in voters[1 : petition.signatures_needed]:
        recall_petition_sign(user=voter.user, petition=petition, now=now)
    petition.refresh_from_db()
    for voter in voters[:6]:
        recall_ballot_cast(user=voter.user, petition=petition, choice="yes", now=now)
    petition = recall_count(petition=petition, now=petition.ballot_closes_at)
    assert petition.state == RecallPetition.State.RECALLED
    assert petition.replacement is None and "by-election" in petition.vacancy_note
    sitting = Seat.objects.get(body=f.enterprise, vacated_on__isnull=True)
    assert sitting.holder == cands[1]

    # The by-election fills the one vacant seat for the rest of the sitting term.
    later = petition.ballot_closes_at + dt.timedelta(days=1)
    by = election_call(
        user=cands[1].user,
        body=f.enterprise,
        by_election=True,
        nominations_close_at=later + dt.timedelta(days=2),
        voting_closes_at=later + dt.timedelta(days=4),
        now=later,
    )
    assert by.seats == 1 and by.term_end == sitting.term_end
    nomination_submit(user=voters[3].user, election=by, nominee=voters[3], now=later)
    election_open_voting(user=cands[1].user, election=by, now=later + dt.timedelta(days=2))
    ballot_cast(user=voters[4].user, election=by, ranking=[1], now=later + dt.timedelta(days=3))
    election_count(election=by, now=later + dt.timedelta(days=4))
    holders = set(
        Seat.objects.filter(body=f.enterprise, vacated_on__isnull=True).values_list(
            "holder__member_no", flat=True
        )
    )
    assert holders == {cands[1].member_no, voters[3].member_no}
    new = Seat.objects.get(holder=voters[3])
    assert new.basis == "by-election" and new.term_end == sitting.term_end
    Seat.objects.filter(pk=new.pk).update(term_start=dt.date.today())
    with pytest.raises(ElectionError, match=r"no board seat of .* is vacant"):
        election_call(
            user=cands[1].user,
            body=f.enterprise,
            by_election=True,
            nominations_close_at=later + dt.timedelta(days=12),
            voting_closes_at=later + dt.timedelta(days=14),
            now=later + dt.timedelta(days=10),
        )
