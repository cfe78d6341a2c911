from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from collegium.decisions.alternatives import alternatives_cast, alternatives_open, parse_ranking
from collegium.decisions.models import Decision, ReferendumBallot
from collegium.decisions.services import DecisionError, decision_close
from collegium.federation.permissions import PermissionDenied
from tests.conftest import make_member

NOW = timezone.now()
CLOSE = NOW + dt.timedelta(days=3)
OPTIONS = ["Canteen on site", "Meal vouchers", "Longer lunch break"]


@pytest.fixture
def vote(small_federation):
    f = small_federation
    return alternatives_open(
        user=f.board_member.user,
        body=f.enterprise,
        title="How do we feed the night shift?",
        text="Three proposals came from the shops.",
        options=OPTIONS,
        closes_at=CLOSE,
        now=NOW,
    )


def test_schulze_orders_the_alternatives(small_federation, vote):
    f = small_federation
    voters = [f.worker, f.board_member, f.congress_board_member] + [
        make_member(str(3000 + i), "Voter", str(i), f.shop) for i in range(4)
    ]
    # 3 × [0, 1, 2], 2 × [1, 2, 0], 2 × [2, 1, 0]: 1 beats 0 (4:3) and 2 (5:2).
    rankings = [[0, 1, 2]] * 3 + [[1, 2, 0]] * 2 + [[2, 1, 0]] * 2
    for voter, ranking in zip(voters, rankings, strict=True):
        tracker = alternatives_cast(user=voter.user, decision=vote, ranking=ranking, now=NOW)
        assert len(tracker) > 10
    with pytest.raises(DecisionError, match="already voted"):
        alternatives_cast(user=f.worker.user, decision=vote, ranking=[1], now=NOW)
    decided = decision_close(decision=vote, now=CLOSE)
    assert decided.state == Decision.State.FINAL
    assert decided.outcome["ranking"] == [1, 2, 0] and decided.outcome["winner"] == 1
    assert decided.outcome["pairwise"][1][0] == 4 and decided.outcome["ballots"] == 7
    # A ballot keeps no voter and no time: only its key, its referendum and the answer.
    assert {f.name for f in ReferendumBallot._meta.fields} == {
        "key",
        "decision",
        "choice",
        "ranking",
    }


def test_no_ballots_no_winner(small_federation, vote):
    decided = decision_close(decision=vote, now=CLOSE)
    assert decided.state == Decision.State.REJECTED and decided.outcome["winner"] is None


@pytest.mark.parametrize(
    ("ranking", "message"),
    [([], "at least one"), ([0, 0], "twice"), ([3], "no alternative 4"), (["x"], "number")],
)
def test_bad_rankings(ranking, message):
    with pytest.raises(DecisionError, match=message):
        parse_ranking(ranking, 3)


def test_who_may_open_and_vote(small_federation, vote):
    f = small_federation
    with pytest.raises(PermissionDenied):
        alternatives_open(
            user=f.worker.user,
            body=f.enterprise,
            title="t",
            text="",
            options=OPTIONS,
            closes_at=CLOSE,
            now=NOW,
        )
    with pytest.raises(PermissionDenied):
        alternatives_cast(user=f.outsider.user, decision=vote, ranking=[0], now=NOW)
    with pytest.raises(DecisionError, match="closed"):
        alternatives_cast(user=f.worker.user, decision=vote, ranking=[0], now=CLOSE)
    for options, message in [(["one"], "between 2 and 20"), (["a", "a"], "twice")]:
        with pytest.raises(DecisionError, match=message):
            alternatives_open(
                user=f.board_member.user,
                body=f.enterprise,
                title="t",
                text="",
                options=options,
                closes_at=CLOSE,
                now=NOW,
            )
