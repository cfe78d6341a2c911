"""Schulze, approval, Meek STV and yes/no/abstain questions."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collegium.tally import (
    Ballot,
    BallotSet,
    count_approval,
    count_meek_stv,
    count_question,
    count_schulze,
    count_scottish_stv,
)

pytestmark = pytest.mark.nodb


def letters(spec: list[tuple[int, str]], names: str) -> BallotSet:
    return BallotSet.from_ballots(
        list(names), [Ballot(tuple(names.index(ch) + 1 for ch in r), w) for w, r in spec]
    )


# ----------------------------------------------------------------------------- Schulze

WIKIPEDIA = [  # Schulze's own example (45 voters), as on Wikipedia
    (5, "ACBED"),
    (5, "ADECB"),
    (8, "BEDAC"),
    (3, "CABED"),
    (7, "CAEBD"),
    (2, "CBADE"),
    (7, "DCEBA"),
    (8, "EBADC"),
]


def test_schulze_wikipedia_example() -> None:
    sheet = count_schulze(letters(WIKIPEDIA, "ABCDE"))
    assert sheet.elected == [5]
    assert sheet.ranking == [5, 1, 3, 2, 4]  # E > A > C > B > D
    assert sheet.pairwise is not None and sheet.strongest is not None
    assert sheet.pairwise[0][1] == 20 and sheet.pairwise[1][0] == 25  # A vs B
    assert sheet.strongest[0][3] == 30 and sheet.strongest[4][0] == 25
    text = sheet.to_text()
    assert "Pairwise preferences" in text and "Strongest paths" in text


def test_schulze_several_places_and_withdrawn() -> None:
    b = letters(WIKIPEDIA, "ABCDE")
    assert count_schulze(b, 2).elected == [5, 1]
    without_e = BallotSet(b.candidates, b.rankings, b.weights, withdrawn=[4])
    sheet = count_schulze(without_e, 1)
    assert 5 not in (sheet.ranking or [])
    assert sheet.elected == [1]


def test_schulze_tie_by_lot() -> None:
    sheet = count_schulze(letters([(1, "AB"), (1, "BA")], "AB"), seed=5)
    assert sheet.ties and sheet.ties[0].method == "lot" and sheet.ties[0].seed == 5
    assert sheet.elected == [sheet.ties[0].chosen]


# ----------------------------------------------------------------------------- approval


def test_approval() -> None:
    b = letters([(3, "AB"), (2, "BC"), (1, "C"), (4, "D")], "ABCD")
    sheet = count_approval(b, 2)
    assert sheet.rounds[0].tallies == (3, 5, 3, 4)
    assert sheet.elected == [2, 4]
    assert sheet.rounds[0].elected[0].reason == "5 approvals, place 1"


def test_approval_tie_is_drawn_and_recorded() -> None:
    b = letters([(3, "A"), (3, "B"), (1, "C")], "ABC")
    sheet = count_approval(b, 1, seed=11)
    assert sheet.ties[0].tied == (1, 2) and sheet.ties[0].method == "lot"
    assert sheet.elected == [sheet.ties[0].chosen]


# ----------------------------------------------------------------------------- Meek


def test_meek_passes_votes_through_elected_candidates() -> None:
    b = letters([(6, "ABC"), (5, "BD"), (2, "C"), (3, "D")], "ABCD")
    sheet = count_meek_stv(b, 3)
    assert sorted(sheet.elected) == [1, 2, 4]
    last = sheet.rounds[-1]
    assert last.keep_factors is not None and last.quota is not None
    for r in sheet.rounds:
        assert sum(r.tallies) + r.exhausted + r.lost == sheet.total
    # A and B keep the quota and pass on the rest: their keep factors are below 1.
    first = sheet.rounds[0]
    assert first.keep_factors is not None
    assert first.keep_factors[0] < 10**9 and first.keep_factors[1] < 10**9
    for d in first.elected:
        assert first.tallies[d.candidate - 1] >= (first.quota or 0)


def test_meek_agrees_with_scottish_stv_when_no_surplus_arises() -> None:
    b = letters([(4, "ABC"), (3, "BA"), (2, "CB"), (1, "DC")], "ABCD")
    assert count_meek_stv(b, 1).elected == count_scottish_stv(b, 1).elected == [2]


# ----------------------------------------------------------------------------- questions


def test_simple_majority_boundaries() -> None:
    assert count_question(51, 50).adopted
    tie = count_question(50, 50, 10)
    assert not tie.adopted and tie.yes_required == 51
    assert "not reached" in tie.reason
    assert not count_question(0, 0, 5).adopted


def test_two_thirds_boundaries() -> None:
    exactly = count_question(20, 10, 7, threshold="two-thirds")
    assert exactly.adopted and exactly.yes_required == 20
    assert not count_question(19, 10, threshold="two-thirds").adopted
    assert not count_question(0, 0, 3, threshold="two-thirds").adopted
    assert count_question(1, 0, threshold="two-thirds").adopted


def test_absolute_majority_of_the_electorate_boundaries() -> None:
    half = count_question(50, 0, 0, electorate=100, threshold="absolute-majority")
    assert not half.adopted and half.yes_required == 51
    assert count_question(51, 0, electorate=100, threshold="absolute-majority").adopted
    assert count_question(51, 49, electorate=101, threshold="absolute-majority").adopted
    assert not count_question(50, 0, electorate=101, threshold="absolute-majority").adopted


def test_quorum_boundaries() -> None:
    # Quorum one half of 101: 51 needed (rounded up); exactly 51 is enough.
    met = count_question(30, 20, 1, electorate=101, quorum=Fraction(1, 2))
    assert met.quorum_required == 51 and met.quorum_met and met.adopted
    short = count_question(30, 20, 0, electorate=101, quorum="1/2")
    assert not short.quorum_met and not short.adopted
    assert short.reason == "quorum not reached: 50 took part, 51 needed"
    # Abstentions count towards the quorum, not towards the majority.
    assert count_question(2, 1, 48, electorate=100, quorum="0.5").adopted
    assert count_question(0, 0, 0, electorate=0, quorum=1).quorum_met


def test_question_validation_and_rendering() -> None:
    with pytest.raises(ValueError, match="electorate"):
        count_question(5, 5, electorate=3)
    with pytest.raises(ValueError, match="unknown threshold"):
        count_question(1, 0, threshold="three-quarters")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="quorum"):
        count_question(1, 0, quorum="3/2")
    r = count_question(7, 3, 2, electorate=20, quorum="1/2", threshold="two-thirds")
    assert r.to_json()["quorum"] == "1/2"
    assert "ADOPTED" in r.to_text()


@given(
    st.integers(0, 60),
    st.integers(0, 60),
    st.integers(0, 60),
    st.integers(0, 60),
    st.sampled_from(["simple-majority", "two-thirds", "absolute-majority"]),
    st.sampled_from([None, "1/3", "1/2", "2/3"]),
)
def test_one_more_yes_never_hurts(
    yes: int, no: int, abstain: int, extra: int, threshold: str, quorum: str | None
) -> None:
    electorate = yes + no + abstain + extra + 1
    before = count_question(yes, no, abstain, electorate, quorum, threshold)  # type: ignore[arg-type]
    after = count_question(yes + 1, no, abstain, electorate, quorum, threshold)  # type: ignore[arg-type]
    assert after.adopted or not before.adopted
    # An abstention that turns into a no never helps.
    if abstain:
        worse = count_question(yes, no + 1, abstain - 1, electorate, quorum, threshold)  # type: ignore[arg-type]
        assert before.adopted or not worse.adopted
