from __future__ import annotations

import datetime as dt

import pytest

from collegium.elections.models import RollEntry, Seat, SeatRole
from collegium.elections.permissions import delegate_weights, electorate
from collegium.elections.selectors import delegate_seats, time_away
from collegium.elections.services import (
    ElectionError,
    ballot_cast,
    delegate_vote_record,
    election_call,
    election_count,
    election_open_voting,
    mandate_adopt,
    nomination_submit,
    seat_full_time_set,
)
from collegium.federation.permissions import PermissionDenied
from collegium.federation.services import charter_change
from collegium.record.models import Entry
from tests.elections.test_services import (
    AFTER,
    CLOSE_NOMINATIONS,
    CLOSE_VOTING,
    DURING_VOTING,
    NOW,
)


def seat_delegate(body, member) -> Seat:
    today = dt.date.today()
    return Seat.objects.create(
        body=body,
        holder=member,
        role=SeatRole.DELEGATE,
        term_start=today - dt.timedelta(days=1),
        term_end=today + dt.timedelta(days=300),
    )


def test_members_elect_their_delegates_by_secret_ballot(small_federation):
    f = small_federation
    charter_change(
        user=f.board_member.user,
        body=f.enterprise,
        changes={"delegate_seats": 1, "production_worker_quota_pct": 0},
        reason="r",
    )
    election = election_call(
        user=f.board_member.user,
        body=f.enterprise,
        purpose="delegate",
        nominations_close_at=CLOSE_NOMINATIONS,
        voting_closes_at=CLOSE_VOTING,
        now=NOW,
    )
    assert election.seats == 1
    nomination_submit(user=f.worker.user, election=election, nominee=f.worker, now=NOW)
    election_open_voting(user=f.board_member.user, election=election, now=CLOSE_NOMINATIONS)
    ballot_cast(user=f.board_member.user, election=election, ranking=[1], now=DURING_VOTING)
    assert RollEntry.objects.get().public_ranking is None
    election_count(election=election, now=AFTER)
    # The new term starts on the day of the count (here, the test clock's future day).
    new = Seat.objects.filter(body=f.enterprise, role="delegate", vacated_on__isnull=True)
    assert [s.holder for s in new] == [f.worker]
    assert new.get().term_start == AFTER.date()
    # The board is untouched by a delegate election.
    assert Seat.objects.filter(body=f.enterprise, role="board", vacated_on__isnull=True).count()


def test_union_boards_are_elected_by_weighted_public_roll_call(small_federation):
    f = small_federation
    seat_delegate(f.enterprise, f.worker)  # represents the 3 members of Sormovo
    seat_delegate(f.other_enterprise, f.outsider)  # represents the 1 member of Putilov
    assert delegate_weights(f.union) == {f.worker.pk: 3, f.outsider.pk: 1}
    assert set(electorate(f.union)) == {f.worker, f.outsider}
    charter_change(
        user=f.congress_board_member.user,
        body=None,
        changes={"production_worker_quota_pct": 0},
        reason="test",
    )
    charter_change(
        user=f.congress_board_member.user, body=None, changes={"board_seats": 1}, reason="test"
    )
    # The union has no board yet: the congress board calls its first election.
    election = election_call(
        user=f.congress_board_member.user,
        body=f.union,
        nominations_close_at=CLOSE_NOMINATIONS,
        voting_closes_at=CLOSE_VOTING,
        now=NOW,
    )
    nomination_submit(user=f.worker.user, election=election, nominee=f.board_member, now=NOW)
    nomination_submit(user=f.outsider.user, election=election, nominee=f.outsider, now=NOW)
    from collegium.elections.services import nomination_accept

    nomination_accept(
        user=f.board_member.user,
        nomination=election.nominations.get(nominee=f.board_member),
        now=NOW,
    )
    election_open_voting(
        user=f.congress_board_member.user, election=election, now=CLOSE_NOMINATIONS
    )
    numbers = dict(election.nominations.values_list("nominee_id", "number"))
    ballot_cast(
        user=f.worker.user,
        election=election,
        ranking=[numbers[f.board_member.pk]],
        now=DURING_VOTING,
    )
    ballot_cast(
        user=f.outsider.user, election=election, ranking=[numbers[f.outsider.pk]], now=DURING_VOTING
    )
    roll = {r.member_id: r for r in RollEntry.objects.filter(election=election)}
    assert roll[f.worker.pk].weight == 3
    assert roll[f.worker.pk].public_ranking == [numbers[f.board_member.pk]]
    voted = Entry.objects.filter(kind="election.voted", actor_id=f.worker.public_id).get()
    assert '"weight":3' in voted.payload and '"ranking":' in voted.payload
    with pytest.raises(PermissionDenied):
        ballot_cast(user=f.board_member.user, election=election, ranking=[1], now=DURING_VOTING)
    election = election_count(election=election, now=AFTER)
    assert election.elected == [f.board_member.public_id]


def test_mandates_and_breaches_are_public(small_federation):
    f = small_federation
    seat_delegate(f.enterprise, f.worker)
    assert [s.holder for s in delegate_seats(f.enterprise)] == [f.worker]
    mandate = mandate_adopt(
        user=f.board_member.user,
        body=f.enterprise,
        question="Merge the union's two rolling mills",
        position="against",
    )
    with pytest.raises(PermissionDenied):
        mandate_adopt(user=f.worker.user, body=f.enterprise, question="q", position="for")
    with pytest.raises(ElectionError, match="for, against or free"):
        mandate_adopt(user=f.board_member.user, body=f.enterprise, question="q", position="maybe")
    vote = delegate_vote_record(user=f.worker.user, mandate=mandate, vote="for")
    assert vote.breach
    entry = Entry.objects.get(kind="mandate.delegate_voted")
    assert '"breach":true' in entry.payload
    with pytest.raises(ElectionError, match="already recorded"):
        delegate_vote_record(user=f.worker.user, mandate=mandate, vote="against")
    with pytest.raises(PermissionDenied):
        delegate_vote_record(user=f.board_member.user, mandate=mandate, vote="against")
    free = mandate_adopt(
        user=f.board_member.user, body=f.enterprise, question="q2", position="free"
    )
    assert not delegate_vote_record(user=f.worker.user, mandate=free, vote="abstain").breach


def test_time_away_from_production_against_the_limit(small_federation):
    f = small_federation
    seat = Seat.objects.get(holder=f.board_member, body=f.enterprise)
    since = dt.date.today() - dt.timedelta(days=800)
    with pytest.raises(PermissionDenied):
        seat_full_time_set(user=f.worker.user, seat=seat, since=since)
    seat_full_time_set(user=f.board_member.user, seat=seat, since=since)
    (row,) = time_away(f.enterprise)
    assert row.months >= 26 and row.limit == 24 and row.over
    seat_full_time_set(user=f.board_member.user, seat=seat, since=None)
    assert time_away(f.enterprise) == []
    kinds = list(Entry.objects.filter(body=f.enterprise).values_list("kind", flat=True))
    assert "seat.full_time" in kinds and "seat.back_to_production" in kinds


def test_a_mandate_points_at_a_proposal_pending_in_the_parent_body(small_federation):
    from collegium.decisions.services import proposal_submit
    from collegium.elections.selectors import mandate_questions

    f = small_federation
    at_union = proposal_submit(
        user=f.worker.user, body=f.union, title="Common tool store", text="One store.", now=NOW
    )
    at_home = proposal_submit(
        user=f.worker.user, body=f.enterprise, title="Our own matter", text="Here.", now=NOW
    )
    assert mandate_questions(f.enterprise) == [at_union]
    mandate = mandate_adopt(
        user=f.board_member.user, body=f.enterprise, position="for", proposal=at_union
    )
    assert mandate.question == "Common tool store" and mandate.proposal == at_union
    assert at_union.public_id in Entry.objects.filter(kind="mandate.adopted").last().payload
    with pytest.raises(ElectionError, match="already given a mandate"):
        mandate_adopt(
            user=f.board_member.user, body=f.enterprise, position="against", proposal=at_union
        )
    with pytest.raises(ElectionError, match="not before"):
        mandate_adopt(user=f.board_member.user, body=f.enterprise, position="for", proposal=at_home)
