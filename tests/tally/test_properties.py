"""Hypothesis properties of every counting rule."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from collegium.tally import (
    Ballot,
    BallotSet,
    CountSheet,
    count_approval,
    count_meek_stv,
    count_schulze,
    count_scottish_stv,
    pairwise_matrix,
)

pytestmark = pytest.mark.nodb

SETTINGS = settings(max_examples=120, deadline=None)


@st.composite
def elections(draw: st.DrawFn, max_candidates: int = 7) -> tuple[BallotSet, int]:
    n = draw(st.integers(2, max_candidates))
    rows = draw(
        st.lists(
            st.tuples(st.permutations(range(1, n + 1)), st.integers(1, n), st.integers(1, 9)),
            min_size=1,
            max_size=25,
        )
    )
    seats = draw(st.integers(1, n))
    ballots = [Ballot(tuple(p[:k]), w) for p, k, w in rows]
    return BallotSet.from_ballots([f"C{i}" for i in range(1, n + 1)], ballots, seats=seats), seats


def shuffled(b: BallotSet, seed: int) -> BallotSet:
    order = np.random.default_rng(seed).permutation(len(b))
    return BallotSet(b.candidates, b.rankings[order], b.weights[order], seats=b.seats)


def repeated(b: BallotSet) -> BallotSet:
    """Every ballot of weight w written out w times."""
    idx = np.repeat(np.arange(len(b)), b.weights)
    return BallotSet(
        b.candidates, b.rankings[idx], np.ones(len(idx), dtype=np.int64), seats=b.seats
    )


def relabelled(b: BallotSet, perm: list[int]) -> BallotSet:
    """Candidate i becomes perm[i] (0-based)."""
    table = np.asarray([*perm, -1])
    ranks = table[b.rankings]
    names = [""] * len(perm)
    for i, c in enumerate(b.candidates):
        names[perm[i]] = c.name
    return BallotSet(names, ranks, b.weights, seats=b.seats)


def conserved(sheet: CountSheet) -> None:
    for r in sheet.rounds:
        assert sum(r.tallies) + r.exhausted + r.lost == sheet.total, r.stage
        assert r.exhausted >= 0 and r.lost >= 0
        assert all(t >= 0 for t in r.tallies)


COUNTS = [count_scottish_stv, count_meek_stv]


@SETTINGS
@given(elections(), st.integers(0, 2**32 - 1))
def test_order_of_ballots_does_not_matter(e: tuple[BallotSet, int], seed: int) -> None:
    b, seats = e
    for counter in (*COUNTS, count_schulze, count_approval):
        assert (
            counter(b, seats, seed=7).to_json()
            == counter(shuffled(b, seed), seats, seed=7).to_json()
        )


@SETTINGS
@given(elections(max_candidates=5))
def test_weights_equal_repeated_ballots(e: tuple[BallotSet, int]) -> None:
    b, seats = e
    r = repeated(b)
    assert b.digest() == r.digest()
    for counter in (*COUNTS, count_schulze, count_approval):
        assert counter(b, seats).to_json() == counter(r, seats).to_json()


@SETTINGS
@given(elections(), st.data())
def test_renaming_candidates_renames_the_winners(
    e: tuple[BallotSet, int], data: st.DataObject
) -> None:
    b, seats = e
    n = len(b.candidates)
    perm = data.draw(st.permutations(range(n)))
    for counter in COUNTS:
        sheet = counter(b, seats, seed=1)
        assume(not sheet.ties)  # ties go by look-back and lot, which may see the numbers
        other = counter(relabelled(b, perm), seats, seed=1)
        assume(not other.ties)
        assert set(other.elected) == {perm[c - 1] + 1 for c in sheet.elected}


@SETTINGS
@given(elections())
def test_votes_are_conserved_in_every_round(e: tuple[BallotSet, int]) -> None:
    b, seats = e
    for counter in (*COUNTS, count_approval):
        sheet = counter(b, seats)
        conserved(sheet)
        assert len(sheet.elected) == min(seats, len(b.candidates))
        assert len(set(sheet.elected)) == len(sheet.elected)


@SETTINGS
@given(elections())
def test_one_seat_meek_and_scottish_are_both_instant_runoff(e: tuple[BallotSet, int]) -> None:
    b, _ = e
    a, m = count_scottish_stv(b, 1, seed=3), count_meek_stv(b, 1, seed=3)
    assume(not a.ties and not m.ties)
    assert a.elected == m.elected


@SETTINGS
@given(elections())
def test_a_majority_of_first_preferences_wins_one_seat(e: tuple[BallotSet, int]) -> None:
    b, _ = e
    first = np.zeros(len(b.candidates), dtype=np.int64)
    np.add.at(first, b.rankings[:, 0], b.weights)
    top = int(first.argmax())
    assume(2 * first[top] > b.total_weight)
    assert count_scottish_stv(b, 1).elected == [top + 1]
    assert count_schulze(b, 1).elected == [top + 1]


@SETTINGS
@given(elections())
def test_a_condorcet_winner_wins_under_schulze(e: tuple[BallotSet, int]) -> None:
    b, _ = e
    d = pairwise_matrix(b)
    n = len(d)
    winners = [i for i in range(n) if all(d[i, j] > d[j, i] for j in range(n) if j != i)]
    assume(winners)
    sheet = count_schulze(b, 1)
    assert sheet.elected == [winners[0] + 1]
    assert sheet.ranking is not None and sheet.ranking[0] == winners[0] + 1
    assert all(winners[0] + 1 not in t.tied for t in sheet.ties)  # no lot needed


@SETTINGS
@given(elections())
def test_schulze_ranking_is_a_permutation_and_pairwise_is_consistent(
    e: tuple[BallotSet, int],
) -> None:
    b, _ = e
    sheet = count_schulze(b, 1)
    n = len(b.candidates)
    assert sorted(sheet.ranking or []) == list(range(1, n + 1))
    d = np.asarray(sheet.pairwise)
    lengths = b.lengths()
    # Each ballot compares every pair at most once.
    assert (d + d.T <= int(b.weights[lengths > 0].sum())).all()
