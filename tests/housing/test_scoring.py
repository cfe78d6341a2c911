"""The need score: a pure function, checked by examples and by properties."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collegium.housing.scoring import (
    DEFAULT_WEIGHTS,
    Need,
    Terms,
    WeightError,
    Weights,
    formula,
    months_between,
    need_score,
    parse_weights,
    rank,
)

W = Weights(Decimal(10), Decimal(5), Decimal(1), Decimal(20), Decimal(3))


def test_score_is_the_weighted_sum_of_the_terms() -> None:
    terms = need_score(Need(people=5, rooms=2, open_reports=3, months_waiting=7, unfit=True), W)
    assert terms.crowding == Decimal("2.50")
    assert (terms.conditions, terms.waiting, terms.unfit) == (3, 7, 1)
    assert terms.score == Decimal("25.00") + 15 + 7 + 20


def test_a_household_with_no_dwelling_counts_the_fixed_crowding() -> None:
    terms = need_score(Need(people=1, rooms=None, open_reports=0, months_waiting=0, unfit=False), W)
    assert terms.crowding == Decimal("3")
    assert terms.score == Decimal("30.00")


def test_crowding_is_rounded_to_the_cent() -> None:
    terms = need_score(Need(3, 9, 0, 0, False), W)
    assert terms.crowding == Decimal("0.33")
    assert terms.score == Decimal("3.30")


def test_months_are_whole_thirty_day_months_and_never_negative() -> None:
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert months_between(start, start + dt.timedelta(days=59)) == 1
    assert months_between(start, start + dt.timedelta(days=60)) == 2
    assert months_between(start, start - dt.timedelta(days=90)) == 0


def test_formula_shows_the_weights_in_force() -> None:
    text = formula(DEFAULT_WEIGHTS)
    assert "10.00 × people per room" in text
    assert "20.00 × (1 if the dwelling is unfit)" in text


def _raw(**over: object) -> dict[str, object]:
    raw: dict[str, object] = {
        "w_crowding": "10",
        "w_conditions": "5",
        "w_waiting": "1",
        "w_unfit": "20",
        "no_dwelling_crowding": "3",
    }
    raw.update(over)
    return raw


def test_parse_weights_accepts_good_numbers() -> None:
    assert parse_weights(_raw(w_waiting="0.5")).w_waiting == Decimal("0.50")


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("w_crowding", "-1", "must not be negative"),
        ("w_conditions", "NaN", "finite"),
        ("w_waiting", "Infinity", "finite"),
        ("w_unfit", "1000000", "more than the most allowed"),
        ("no_dwelling_crowding", "25", "more than the most allowed"),
        ("w_crowding", "ten", "is not a number"),
        ("w_crowding", "", "give a number"),
        ("w_crowding", "0.001", "two decimal places"),
        ("w_crowding", True, "give a number"),
    ],
)
def test_bad_weights_are_refused_with_the_field_named(field: str, value: str, words: str) -> None:
    with pytest.raises(WeightError) as caught:
        parse_weights(_raw(**{field: value}))
    assert list(caught.value.errors) == [field]
    assert words in caught.value.errors[field]


def test_every_bad_field_is_reported_at_once() -> None:
    with pytest.raises(WeightError) as caught:
        parse_weights(_raw(w_crowding="-2", w_unfit="-0.5"))
    assert set(caught.value.errors) == {"w_crowding", "w_unfit"}


weights = st.builds(
    Weights,
    *[
        st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False, allow_infinity=False)
        for _ in range(4)
    ],
    st.decimals(min_value=0, max_value=20, places=2, allow_nan=False, allow_infinity=False),
)
needs = st.builds(
    Need,
    people=st.integers(1, 30),
    rooms=st.one_of(st.none(), st.integers(1, 50)),
    open_reports=st.integers(0, 100),
    months_waiting=st.integers(0, 600),
    unfit=st.booleans(),
)


@given(needs, weights, st.integers(1, 10))
def test_score_never_falls_when_a_term_grows(need: Need, w: Weights, more: int) -> None:
    base = need_score(need, w).score
    grown = [
        replace(need, people=need.people + more),
        replace(need, open_reports=need.open_reports + more),
        replace(need, months_waiting=need.months_waiting + more),
        replace(need, unfit=True),
    ]
    if need.rooms is not None and need.rooms > 1:
        grown.append(replace(need, rooms=need.rooms - 1))  # fewer rooms: more crowded
    for other in grown:
        assert need_score(other, w).score >= base


@given(needs, weights)
def test_score_is_never_negative_and_grows_strictly_with_a_positive_waiting_weight(
    need: Need, w: Weights
) -> None:
    terms = need_score(need, w)
    assert terms.score >= 0
    if w.w_waiting > 0:
        later = replace(need, months_waiting=need.months_waiting + 1)
        assert need_score(later, w).score > terms.score


def _terms(score: str) -> Terms:
    return Terms(Decimal(0), 0, 0, 0, Decimal(score))


def test_ties_go_to_the_earlier_application_then_the_lower_id() -> None:
    day = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    ranked = rank(
        [
            ("late", _terms("5"), day + dt.timedelta(days=1), 1),
            ("high", _terms("9"), day + dt.timedelta(days=9), 9),
            ("early-b", _terms("5"), day, 7),
            ("early-a", _terms("5"), day, 3),
        ]
    )
    assert [r.key for r in ranked] == ["high", "early-a", "early-b", "late"]
    assert [r.rank for r in ranked] == [1, 2, 3, 4]


@given(
    st.lists(
        st.tuples(st.integers(0, 50), st.integers(0, 5), st.integers(1, 10_000)),
        unique_by=lambda t: t[2],
        max_size=30,
    )
)
def test_rank_is_a_total_order_independent_of_input_order(rows: list[tuple[int, int, int]]) -> None:
    day = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    entries = [(i, _terms(str(s)), day + dt.timedelta(days=d), i) for s, d, i in rows]
    forward = [r.key for r in rank(entries)]
    backward = [r.key for r in rank(list(reversed(entries)))]
    assert forward == backward
    scores = [next(e[1].score for e in entries if e[0] == k) for k in forward]
    assert scores == sorted(scores, reverse=True)
