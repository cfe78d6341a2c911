"""Scottish STV on small elections worked by hand: rules 46-52, ties, category minimums."""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

import pytest

from collegium.tally import (
    Ballot,
    BallotError,
    BallotSet,
    Candidate,
    count,
    count_instant_runoff,
    count_scottish_stv,
)
from collegium.tally.ties import Lot

pytestmark = pytest.mark.nodb

S = 100_000  # one vote


def election(spec: list[tuple[int, str]], names: str = "ABCDEF", **kw: Any) -> BallotSet:
    """``[(weight, "ABC"), …]`` with candidates named by letters."""
    n = max(names.index(ch) for _, r in spec for ch in r) + 1
    n = max(n, kw.pop("n", 0))
    ballots = [Ballot(tuple(names.index(ch) + 1 for ch in r), w) for w, r in spec]
    return BallotSet.from_ballots(list(names[:n]), ballots, **kw)


def trunc5(x: Fraction) -> int:
    return int(x * S)  # floor for non-negative x: "any remainder being ignored"


def test_quota_and_a_surplus_truncated_to_five_places() -> None:
    b = election([(7, "AB"), (2, "C"), (1, "D")], n=4, seats=2)
    sheet = count_scottish_stv(b)
    assert sheet.quota == 4 * S  # rule 46: 10 // 3 + 1
    first, surplus = sheet.rounds[0], sheet.rounds[1]
    assert [d.candidate for d in first.elected] == [1]
    assert surplus.action == "transfer of surplus" and surplus.source == (1,)
    tv = trunc5(Fraction(3, 7))
    assert tv == 42857
    assert [(t.value_in, t.value, t.papers) for t in surplus.transfer_values] == [(S, tv, 7)]
    assert surplus.tallies[:2] == (4 * S, 7 * tv)
    assert surplus.lost == 3 * S - 7 * tv == 1  # 0.00001 lost by truncation
    assert sheet.elected == [1, 2]


def test_second_surplus_uses_the_value_each_paper_was_received_at() -> None:
    # Rule 48(3)-(4): transfer value = surplus × value when received / total, truncated.
    b = election([(7, "ABC"), (4, "BD"), (3, "C"), (2, "D")], seats=3)
    sheet = count_scottish_stv(b)
    assert sheet.quota == 5 * S
    tv_a = trunc5(Fraction(2, 7))
    stage2 = sheet.rounds[1]
    assert stage2.tallies[1] == 4 * S + 7 * tv_a  # B reaches the quota at stage 2
    assert [d.candidate for d in stage2.elected] == [2]
    stage3 = sheet.rounds[2]
    assert stage3.source == (2,)
    total_b = 4 * S + 7 * tv_a
    surplus_b = total_b - 5 * S
    expect = {
        (S, trunc5(Fraction(surplus_b, total_b))),
        (tv_a, trunc5(Fraction(surplus_b * tv_a, total_b * S))),
    }
    assert {(t.value_in, t.value) for t in stage3.transfer_values} == expect


def test_a_surplus_skips_a_candidate_deemed_elected_at_the_same_stage() -> None:
    # A and B both reach the quota at stage 1: A's papers pass over B (not continuing).
    b = election([(6, "ABC"), (5, "BD"), (2, "C"), (3, "D")], seats=3)
    sheet = count_scottish_stv(b)
    assert [d.candidate for d in sheet.rounds[0].elected] == [1, 2]
    stage2 = sheet.rounds[1]
    assert stage2.changes[1] == 0  # nothing to B
    assert stage2.changes[2] == 6 * trunc5(Fraction(1, 6))  # all to C


def test_rule_52_fills_the_last_vacancies() -> None:
    b = election([(10, "A"), (4, "B"), (3, "C"), (2, "D")], seats=2)
    sheet = count_scottish_stv(b)
    last = sheet.rounds[-1]
    assert any("rule 52" in d.reason for d in last.elected)
    assert sheet.complete


def test_exclusion_tie_broken_by_look_back() -> None:
    # Stage 2: B and C have 5 each; at stage 1 B had 4 and C 5, so B is excluded (rule 51).
    b = election([(10, "A"), (4, "B"), (5, "C"), (1, "DB")], seats=1)
    sheet = count_scottish_stv(b, seed=1)
    tie = sheet.ties[0]
    assert (tie.purpose, tie.method, tie.tied, tie.chosen, tie.decided_at) == (
        "exclusion",
        "look-back",
        (2, 3),
        2,
        1,
    )
    assert sheet.rounds[2].excluded[0].candidate == 2
    assert "look-back" in sheet.to_text()


def test_tie_at_every_stage_is_decided_by_lot_from_the_seed() -> None:
    b = election([(4, "A"), (3, "B"), (3, "C")], seats=1)
    outcomes = set()
    for seed in range(12):
        sheet = count_scottish_stv(b, seed=seed)
        tie = sheet.ties[0]
        assert tie.method == "lot" and tie.seed == seed and tie.draw == 1
        assert tie.chosen == Lot(seed).draw([2, 3])
        assert sheet.rounds[1].excluded[0].candidate == tie.chosen
        assert f"Seed of the lot: {seed}" in sheet.to_text()
        assert count_scottish_stv(b, seed=seed).to_json() == sheet.to_json()
        outcomes.add(tie.chosen)
    assert outcomes == {2, 3}


def test_default_seed_comes_from_the_ballots() -> None:
    b = election([(10, "A"), (3, "B"), (3, "C")], seats=1)
    assert count_scottish_stv(b).seed == b.default_seed()
    reordered = election([(3, "C"), (10, "A"), (3, "B")], seats=1)
    assert reordered.default_seed() == b.default_seed()


def test_empty_ballots_do_not_count_for_the_quota() -> None:
    b = BallotSet.from_ballots(
        ["A", "B"], [Ballot((1,), 3), Ballot((), 5), Ballot((2,), 2)], seats=1
    )
    sheet = count_scottish_stv(b)
    assert sheet.papers == 5 and sheet.empty_papers == 5 and sheet.quota == 3 * S


def test_single_seat_is_instant_runoff() -> None:
    b = election([(4, "ABC"), (3, "BA"), (2, "CB")], seats=1)
    # No majority (quota 5): C excluded, its papers to B, who then has 5.
    sheet = count_instant_runoff(b)
    assert sheet.elected == [2]


def test_fewer_candidates_than_seats() -> None:
    b = election([(3, "A"), (2, "B")], seats=3)
    sheet = count_scottish_stv(b)
    assert sheet.elected == [1, 2] and not sheet.complete
    assert "fewer candidates than seats" in sheet.notes


def test_weighted_ballots_are_repeated_ballots() -> None:
    weighted = election([(3, "AB"), (2, "BC"), (1, "C")], seats=2)
    repeated = election([(1, "AB")] * 3 + [(1, "BC")] * 2 + [(1, "C")], seats=2)
    assert count_scottish_stv(weighted).to_json() == count_scottish_stv(repeated).to_json()


def test_invalid_ballots_through_the_api() -> None:
    with pytest.raises(BallotError, match="ballot 2, preference 3: candidate 1 is ranked twice"):
        BallotSet.from_ballots(["A", "B"], [Ballot((1,)), Ballot((1, 2, 1))])
    with pytest.raises(BallotError, match="unknown candidate 3"):
        BallotSet.from_ballots(["A", "B"], [Ballot((3,))])
    with pytest.raises(BallotError, match="skipped rank"):
        BallotSet(["A", "B"], [[0, -1, 1]])
    with pytest.raises(BallotError, match="negative weight"):
        BallotSet(["A", "B"], [[0]], [-1])
    with pytest.raises(ValueError, match="seats"):
        count_scottish_stv(election([(1, "A")]), 0)


def test_sheet_json_has_no_floats() -> None:
    sheet = count_scottish_stv(election([(7, "AB"), (2, "C"), (1, "D")], seats=2))

    def walk(x: Any) -> None:
        assert not isinstance(x, float)
        if isinstance(x, dict):
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    data = sheet.to_json()
    walk(data)
    assert json.loads(json.dumps(data)) == data
    assert data["rounds"][1]["transfer_values"] == [
        {"value_in": "1.00000", "value": "0.42857", "papers": 7}
    ]
    assert data["quota"] == "4.00000"


# ----------------------------------------------------------------------------- categories


def with_categories(b: BallotSet, cats: dict[str, str]) -> BallotSet:
    return b.with_candidates([Candidate(c.number, c.name, cats.get(c.name)) for c in b.candidates])


def test_minimum_excludes_other_categories_once_the_seats_are_needed() -> None:
    b = with_categories(
        election([(10, "A"), (9, "B"), (3, "C"), (2, "D")], seats=2),
        {"C": "production", "D": "production"},
    )
    assert count_scottish_stv(b).elected == [1, 2]
    sheet = count_scottish_stv(b, minimums={"production": 1})
    assert sheet.elected == [1, 3]
    assert [d.candidate for d in sheet.rounds[0].elected] == [1]  # B reached the quota ...
    barred = sheet.rounds[1]
    assert barred.action == "exclusion" and [d.candidate for d in barred.excluded] == [2]
    assert "needed for the category minimums (1 for 'production')" in barred.excluded[0].reason
    assert "at least 1 seat(s) for category 'production'" in sheet.to_text()
    assert sheet.to_json()["minimums"] == {"production": 1}


def test_minimum_protects_the_last_candidates_of_a_category() -> None:
    b = with_categories(
        election([(10, "A"), (3, "B"), (1, "C"), (4, "E"), (5, "F")], "ABCEF", seats=3),
        {"C": "production"},
    )
    sheet = count_scottish_stv(b, minimums={"production": 1})
    assert set(sheet.elected) == {1, 3, 5}
    first_exclusion = next(r for r in sheet.rounds if r.action == "exclusion")
    assert first_exclusion.excluded[0].candidate == 2  # not C, who has fewer votes
    assert "needed for a category minimum" in first_exclusion.excluded[0].reason
    for r in sheet.rounds:
        assert sum(r.tallies) + r.exhausted + r.lost == sheet.total


def test_minimum_larger_than_the_candidates_is_lowered_and_said() -> None:
    b = with_categories(election([(5, "A"), (3, "B")], seats=2), {"B": "production"})
    sheet = count_scottish_stv(b, minimums={"production": 2})
    assert any("lowered to 1" in n for n in sheet.notes)
    assert 2 in sheet.elected
    with pytest.raises(ValueError, match="more than the"):
        count_scottish_stv(
            with_categories(election([(5, "A"), (3, "B")], seats=1), {"A": "x", "B": "y"}),
            minimums={"x": 1, "y": 1},
        )


def test_count_dispatch() -> None:
    b = election([(4, "ABC"), (3, "BA"), (2, "CB")], seats=1)
    assert count(b).method == "scottish-stv"
    assert count(b, "meek-stv").elected == [2]
    with pytest.raises(ValueError, match="unknown method"):
        count(b, "borda")
    with pytest.raises(ValueError, match="scottish-stv only"):
        count(b, "meek-stv", minimums={"x": 1})


def test_huge_weights_are_counted_exactly_with_python_integers() -> None:
    # 10^13 papers: values beyond float64's exact range and int64 products.
    big = 10**12
    b = election([(7 * big, "AB"), (2 * big, "C"), (1 * big, "D")], n=4, seats=2)
    sheet = count_scottish_stv(b)
    assert sheet.quota == (10 * big // 3 + 1) * S
    for r in sheet.rounds:
        assert sum(r.tallies) + r.exhausted + r.lost == sheet.total
    assert sheet.elected == [1, 2]
    meek = count(b, "meek-stv")
    assert sorted(meek.elected) == [1, 2]
    for r in meek.rounds:
        assert sum(r.tallies) + r.exhausted + r.lost == meek.total
    assert count(b, "schulze").elected == [1]
