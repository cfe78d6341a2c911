"""Ballot files: BLT as found in the wild, PrefLib, Collegium CSV; errors and round trips."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collegium.tally import (
    Ballot,
    BallotSet,
    Candidate,
    FormatError,
    count_scottish_stv,
    read_ballots,
    read_blt,
    read_csv,
    read_preflib,
    write_blt,
    write_csv,
)

pytestmark = pytest.mark.nodb

PLAIN = """3 2
12 1 0
88 1 3 2 0
14 2 3 0
8 3 0
0
Cand A (Party A)
Cand B (Party B)
Cand C (Party C)
Wardy McWard Town
"""


def ballots_of(b: BallotSet) -> list[tuple[tuple[int, ...], int]]:
    return [(x.ranking, x.weight) for x in b.ballots()]


def error(text: str | bytes, **kw: object) -> FormatError:
    with pytest.raises(FormatError) as e:
        read_blt(text)  # type: ignore[arg-type]
    return e.value


# ----------------------------------------------------------------------------- BLT


def test_plain_blt() -> None:
    b = read_blt(PLAIN)
    assert b.seats == 2
    assert [c.name for c in b.candidates] == [
        "Cand A (Party A)",
        "Cand B (Party B)",
        "Cand C (Party C)",
    ]
    assert b.title == "Wardy McWard Town"
    assert ballots_of(b) == [((1,), 12), ((1, 3, 2), 88), ((2, 3), 14), ((3,), 8)]


def test_last_line_without_newline_and_crlf_and_bom() -> None:
    assert ballots_of(read_blt(PLAIN.rstrip("\n"))) == ballots_of(read_blt(PLAIN))
    crlf = ("\ufeff" + PLAIN.replace("\n", "\r\n")).encode("utf-8")
    b = read_blt(crlf)
    assert ballots_of(b) == ballots_of(read_blt(PLAIN))
    assert b.candidates[0].name == "Cand A (Party A)"


def test_quoted_names_with_doubled_quotes() -> None:
    text = '2 1\n3 1 2 0\n0\n"Brian ALLAN ""Alba Party"""\n"Ann, the ""first"""\n"Ward 12"'
    b = read_blt(text)
    assert [c.name for c in b.candidates] == ['Brian ALLAN "Alba Party"', 'Ann, the "first"']
    assert b.title == "Ward 12"


def test_name_and_party_as_two_quoted_fields_on_one_line() -> None:
    text = '2 1\n3 1 2 0\n0\n"George HALL" "Conservative"\n"Ann LEE" "Green"\n"Ward 6"\n'
    b = read_blt(text)
    assert [c.name for c in b.candidates] == ["George HALL (Conservative)", "Ann LEE (Green)"]
    assert b.title == "Ward 6"


def test_all_quoted_names_on_one_line() -> None:
    b = read_blt('3 1\n1 1 0\n0\n"A" "B" "C" "Title"\n')
    assert [c.name for c in b.candidates] == ["A", "B", "C"]
    assert b.title == "Title"


def test_every_line_ending_with_a_comma() -> None:
    # As in perth_kinross_2016_by_election_ward9.blt: a spreadsheet export.
    text = (
        "3 1,\n786 1 0,\n87 1 2 0,\n3 3 2 1 0,\n0,\n"
        "Kathleen BAIRD,\nWilma,LUMSDEN\nDave X,\nWard 9,"
    )
    b = read_blt(text)
    assert [c.name for c in b.candidates] == ["Kathleen BAIRD", "Wilma LUMSDEN", "Dave X"]
    assert b.title == "Ward 9"
    assert ballots_of(b) == [((1,), 786), ((1, 2), 87), ((3, 2, 1), 3)]


def test_withdrawn_candidates_on_the_second_line() -> None:
    text = "3 1\n-2\n4 2 1 0\n3 3 0\n0\nA\nB\nC\n"
    b = read_blt(text)
    assert b.withdrawn == frozenset({1})
    sheet = count_scottish_stv(b)
    assert sheet.withdrawn == (2,)
    assert sheet.elected == [1]  # B's papers go straight to A
    assert sheet.rounds[0].tallies == (400000, 0, 300000)


def test_blank_lines_and_extra_spaces() -> None:
    text = "\n3 2\n\n12   1  0\n\t88 1 3 2 0  \n0\n\nA\nB\nC\n\n"
    assert ballots_of(read_blt(text)) == [((1,), 12), ((1, 3, 2), 88)]


def test_empty_ballot_line_is_an_empty_paper() -> None:
    b = read_blt("2 1\n5 0\n3 1 0\n0\nA\nB\n")
    assert ballots_of(b) == [((), 5), ((1,), 3)]
    sheet = count_scottish_stv(b)
    assert sheet.papers == 3 and sheet.empty_papers == 5


def test_not_utf8_is_read_as_windows_1252() -> None:
    data = "2 1\n1 1 0\n0\nRen\xe9e\nB\n".encode("cp1252")
    assert read_blt(data).candidates[0].name == "Renée"


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        ("3 2\n4 1 2 1 0\n0\nA\nB\nC\n", 2, 7, "candidate 1 is ranked twice"),
        ("3 2\n4 1 - 2 0\n0\nA\nB\nC\n", 2, 5, "skipped rank"),
        ("3 2\n4 1 7 0\n0\nA\nB\nC\n", 2, 5, "unknown candidate 7"),
        ("3 2\n4 1 2=3 0\n0\nA\nB\nC\n", 2, 6, "equal preferences ('=') are not supported"),
        ("3 2\n4 1 = 3 0\n0\nA\nB\nC\n", 2, 5, "equal preferences"),
        ("3 2\n4 1 2\n0\nA\nB\nC\n", 2, 6, "does not end with 0"),
        ("3 2\n4 1 0 2 0\n0\nA\nB\nC\n", 2, 7, "text after the 0"),
        ("3 2\n1.5 1 0\n0\nA\nB\nC\n", 2, 1, "weight must be a whole number"),
        ("3 2\n-1 1 0\n0\nA\nB\nC\n", 2, 4, "withdrawn candidates are"),
        ("3 2\n4 1 x 0\n0\nA\nB\nC\n", 2, 5, "a preference must be a whole number"),
        ("3\n4 1 0\n0\nA\nB\nC\n", 1, 1, "the first line must be 'CANDIDATES SEATS'"),
        ("3 0\n4 1 0\n0\nA\nB\nC\n", 1, 3, "seats must be at least 1"),
        ("x 2\n0\nA\n", 1, 1, "number of candidates must be a whole number"),
        ("3 2\n4 1 0\nA\nB\nC\n", 3, 1, "must be a whole number"),
        ("3 2\n4 1 0\n", 3, 1, "missing the line '0'"),
        ("3 2\n4 1 0\n0\nA\nB\n", 6, 1, "expected 3 candidate names, found 2"),
        ("3 2\n4 1 0\n0\nA\nB\nC\nTitle\nmore\n", 8, 1, "unexpected text after the title"),
        ('3 2\n4 1 0\n0\n"A\nB\nC\n', 4, 1, "quoted name is not closed"),
        ("", 1, 1, "empty file"),
        ("3 2\n-4\n0\nA\nB\nC\n", 2, 1, "withdrawn candidates are -1 … -3"),
    ],
)
def test_blt_errors_name_line_and_column(text: str, line: int, column: int, words: str) -> None:
    e = error(text)
    assert (e.line, e.column) == (line, column), str(e)
    assert words in e.reason
    assert str(e).startswith(f"{line}:{column}: ")


def test_error_carries_the_file_name(tmp_path: object) -> None:
    from pathlib import Path

    p = Path(str(tmp_path)) / "bad.blt"
    p.write_text("2 1\n1 1 1 0\n0\nA\nB\n")
    with pytest.raises(FormatError) as e:
        read_ballots(p)
    assert e.value.located() == f"{p}:2:5: candidate 1 is ranked twice"


def test_fast_and_careful_readers_agree() -> None:
    # The numpy fast path is taken for plain files, the careful one when a line is odd.
    plain = "4 2\n3 1 2 0\n2 4 3 2 1 0\n1 2 0\n7 0\n0\nA\nB\nC\nD\n"
    odd = plain.replace("1 2 0\n7 0", "1 2 0\n0 3 0\n7 0")  # a zero weight
    a, b = read_blt(plain), read_blt(odd)
    assert ballots_of(a) == [x for x in ballots_of(b) if x[1] != 0]


# ----------------------------------------------------------------------------- PrefLib

SOI = """# FILE NAME: 00001-00000001.soi
# TITLE: Board
# DATA TYPE: soi
# NUMBER ALTERNATIVES: 3
# NUMBER VOTERS: 10
# NUMBER UNIQUE ORDERS: 3
# ALTERNATIVE NAME 1: Ann
# ALTERNATIVE NAME 2: Bob
# ALTERNATIVE NAME 3: Cy
5: 1,2,3
3: 2
2: 3,1
"""


def test_preflib_soi() -> None:
    b = read_preflib(SOI, "soi", seats=2)
    assert [c.name for c in b.candidates] == ["Ann", "Bob", "Cy"]
    assert b.seats == 2 and b.title == "Board"
    assert ballots_of(b) == [((1, 2, 3), 5), ((2,), 3), ((3, 1), 2)]


def test_preflib_toc_tie_ends_the_ballot() -> None:
    text = SOI.replace("soi", "toc") + "4: 2,{1,3}\n1: {1,2},3\n6: {3},1\n"
    b = read_preflib(text, "toc")
    assert ballots_of(b)[3:] == [((2,), 4), ((), 1), ((3, 1), 6)]


def test_preflib_tie_in_soi_is_an_error() -> None:
    with pytest.raises(FormatError) as e:
        read_preflib(SOI + "4: 2,{1,3}\n", "soi")
    assert (e.value.line, e.value.column) == (13, 6)
    assert "a tie is not allowed in a .soi file" in e.value.reason


@pytest.mark.parametrize(
    ("extra", "words"),
    [("2: 1,4\n", "unknown candidate 4"), ("2: 1,1\n", "ranked twice"), ("x: 1\n", "count")],
)
def test_preflib_errors(extra: str, words: str) -> None:
    with pytest.raises(FormatError) as e:
        read_preflib(SOI + extra, "soi")
    assert e.value.line == 13 and words in e.value.reason


def test_preflib_old_format() -> None:
    text = "3\n1,Ann\n2,Bob\n3,Cy\n10,10,3\n5,1,2,3\n3,2\n2,{3,1},2\n"
    b = read_preflib(text, "toc")
    assert [c.name for c in b.candidates] == ["Ann", "Bob", "Cy"]
    assert ballots_of(b) == [((1, 2, 3), 5), ((2,), 3), ((), 2)]


# ----------------------------------------------------------------------------- CSV

CSV = "weight,Ann,Bob,Cy\n1,1,2,\n3,2,1,3\n2,,,1\n"


def test_csv() -> None:
    b = read_csv(CSV, seats=1)
    assert [c.name for c in b.candidates] == ["Ann", "Bob", "Cy"]
    assert ballots_of(b) == [((1, 2), 1), ((2, 1, 3), 3), ((3,), 2)]


def test_csv_without_weight_column() -> None:
    b = read_csv("Ann,Bob\n1,2\n,1\n")
    assert ballots_of(b) == [((1, 2), 1), ((2,), 1)]


@pytest.mark.parametrize(
    ("row", "column", "words"),
    [
        ("1,1,1,", "Bob", "preference 1 is given twice (also to 'Ann')"),
        ("1,1,,3", "Cy", "skipped rank: preference 2 is missing"),
        ("1,1,x,", "Bob", "a preference must be a number"),
        ("1,0,,", "Ann", "preferences start at 1"),
        ("x,1,,", "weight", "the weight must be a whole number"),
        ("1,1,2,3,4", 5, "5 cells for 4 columns"),
    ],
)
def test_csv_errors_name_the_column(row: str, column: object, words: str) -> None:
    with pytest.raises(FormatError) as e:
        read_csv(f"weight,Ann,Bob,Cy\n1,1,,\n{row}\n")
    assert (e.value.line, e.value.column) == (3, column)
    assert words in e.value.reason


def test_csv_header_errors() -> None:
    with pytest.raises(FormatError, match="appears twice"):
        read_csv("weight,Ann,Ann\n")
    with pytest.raises(FormatError, match="empty file"):
        read_csv("")


# ----------------------------------------------------------------------------- round trips

names = (
    st.text(
        alphabet=st.characters(blacklist_categories=["Cs", "Cc", "Zl", "Zp"]),
        min_size=1,
        max_size=12,
    )
    .map(str.strip)
    .filter(bool)
)


@st.composite
def ballot_sets(draw: st.DrawFn) -> BallotSet:
    n = draw(st.integers(1, 6))
    cand_names = draw(st.lists(names, min_size=n, max_size=n, unique=True))
    rankings = draw(
        st.lists(
            st.tuples(st.permutations(range(1, n + 1)), st.integers(0, n), st.integers(1, 50)),
            max_size=12,
        )
    )
    ballots = [Ballot(tuple(p[:k]), w) for p, k, w in rankings]
    withdrawn = draw(st.sets(st.integers(1, n), max_size=max(0, n - 1)))
    title = draw(st.one_of(st.just(""), names))
    return BallotSet.from_ballots(
        [Candidate(i + 1, s) for i, s in enumerate(cand_names)],
        ballots,
        seats=draw(st.integers(1, n)),
        title=title,
        withdrawn=withdrawn,
    )


@settings(max_examples=150, deadline=None)
@given(ballot_sets())
def test_blt_round_trip(b: BallotSet) -> None:
    text = write_blt(b)
    back = read_blt(text)
    assert back.candidates == b.candidates
    assert back.seats == b.seats and back.title == b.title and back.withdrawn == b.withdrawn
    assert ballots_of(back) == ballots_of(b)
    assert text.endswith("\n")
    agg = read_blt(write_blt(b, aggregate=True))
    assert agg.digest() == b.digest()


@settings(max_examples=150, deadline=None)
@given(ballot_sets())
def test_csv_round_trip(b: BallotSet) -> None:
    if any("," in c.name and c.name != c.name.strip() for c in b.candidates):
        return
    back = read_csv(write_csv(b), seats=b.seats)
    assert [c.name for c in back.candidates] == [c.name for c in b.candidates]
    assert ballots_of(back) == ballots_of(b)


def test_shuffled_publication_counts_the_same(tmp_path: object) -> None:
    """What the elections app does: publish shuffled ballots as BLT; recount from it."""
    from pathlib import Path

    rng = np.random.default_rng(3)
    ballots = [
        Ballot(tuple(int(c) + 1 for c in rng.permutation(6)[: rng.integers(1, 7)]))
        for _ in range(300)
    ]
    b = BallotSet.from_ballots([f"C{i}" for i in range(1, 7)], ballots, seats=3)
    order = rng.permutation(len(ballots))
    shuffled = BallotSet.from_ballots(b.candidates, [ballots[i] for i in order], seats=3)
    path = Path(str(tmp_path)) / "published.blt"
    path.write_text(write_blt(shuffled), encoding="utf-8")
    again = count_scottish_stv(read_ballots(path))
    first = count_scottish_stv(b)
    assert again.to_json() == first.to_json()  # same seed too: it comes from the ballots
