"""Yes / no / abstain: referendums, recall ballots, motions.

* Quorum: a fraction of the electorate that must take part; everyone who voted counts
  towards it, abstentions included. The number needed is ``ceil(quorum × electorate)``,
  and reaching it exactly is enough.
* Thresholds (abstentions never count for or against):

  - ``simple-majority``: more yes than no (a tie fails);
  - ``two-thirds``: yes at least two thirds of yes + no (exactly two thirds passes),
    and at least one yes;
  - ``absolute-majority``: yes more than half of the whole electorate (exactly half fails).

Votes are whole numbers (a delegate's vote counts the members represented).
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

Threshold = Literal["simple-majority", "two-thirds", "absolute-majority"]
THRESHOLDS: tuple[Threshold, ...] = ("simple-majority", "two-thirds", "absolute-majority")

_WORDS = {
    "simple-majority": "a simple majority (more yes than no)",
    "two-thirds": "two thirds of the votes cast (yes at least twice no)",
    "absolute-majority": "an absolute majority of the electorate",
}


@dataclass(frozen=True, slots=True)
class QuestionResult:
    """The outcome of a yes/no/abstain vote, with the numbers that decided it."""

    adopted: bool
    quorum_met: bool
    yes: int
    no: int
    abstain: int
    electorate: int
    turnout: int
    quorum: Fraction
    quorum_required: int
    threshold: Threshold
    yes_required: int
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {
            "adopted": self.adopted,
            "quorum_met": self.quorum_met,
            "yes": self.yes,
            "no": self.no,
            "abstain": self.abstain,
            "electorate": self.electorate,
            "turnout": self.turnout,
            "quorum": str(self.quorum),
            "quorum_required": self.quorum_required,
            "threshold": self.threshold,
            "yes_required": self.yes_required,
            "reason": self.reason,
        }

    def to_text(self) -> str:
        lines = [
            f"Yes {self.yes}, no {self.no}, abstain {self.abstain}; "
            f"turnout {self.turnout} of {self.electorate}",
            f"Quorum: {self.quorum_required} ({self.quorum} of the electorate)",
            f"Needed: {_WORDS[self.threshold]}, at least {self.yes_required} yes",
            ("ADOPTED" if self.adopted else "NOT ADOPTED") + f": {self.reason}",
        ]
        return "\n".join(lines) + "\n"


def _fraction(q: Fraction | Decimal | int | str | None) -> Fraction:
    if q is None:
        return Fraction(0)
    if isinstance(q, float):
        raise TypeError("give the quorum as a Fraction, Decimal, int or string, not a float")
    f = Fraction(q)
    if not 0 <= f <= 1:
        raise ValueError(f"the quorum must be a fraction between 0 and 1, not {q}")
    return f


def count_question(
    yes: int,
    no: int,
    abstain: int = 0,
    electorate: int | None = None,
    quorum: Fraction | Decimal | int | str | None = None,
    threshold: Threshold = "simple-majority",
) -> QuestionResult:
    """Decide a yes/no/abstain vote.

    ``electorate`` (default: everyone who voted) is needed for a quorum and for
    ``absolute-majority``; ``quorum`` is a fraction of it (``Fraction(1, 2)``, ``"1/2"``,
    ``"0.5"``).
    """
    counts = []
    for name, v in (("yes", yes), ("no", no), ("abstain", abstain)):
        try:
            k = operator.index(v)
        except TypeError:
            raise ValueError(f"{name} must be a whole number, not {v!r}") from None
        if k < 0:
            raise ValueError(f"{name} must not be negative")
        counts.append(k)
    yes, no, abstain = counts
    if threshold not in THRESHOLDS:
        raise ValueError(
            f"unknown threshold {threshold!r}: expected one of {', '.join(THRESHOLDS)}"
        )
    turnout = yes + no + abstain
    if electorate is None:
        electorate = turnout
    if electorate < turnout:
        raise ValueError(f"{turnout} votes from an electorate of {electorate}")
    q = _fraction(quorum)
    needed = -(-q.numerator * electorate // q.denominator)  # ceil
    quorum_met = turnout >= needed

    if threshold == "simple-majority":
        yes_required = no + 1
        passed = yes > no
        how = f"{yes} yes against {no} no"
    elif threshold == "two-thirds":
        yes_required = max(2 * no, 1)
        passed = yes >= 1 and 3 * yes >= 2 * (yes + no)
        how = f"{yes} yes of {yes + no} votes cast (two thirds is {Fraction(2 * (yes + no), 3)})"
    else:
        yes_required = electorate // 2 + 1
        passed = 2 * yes > electorate
        how = f"{yes} yes of an electorate of {electorate} (more than half is {yes_required})"

    if not quorum_met:
        reason = f"quorum not reached: {turnout} took part, {needed} needed"
    elif passed:
        reason = f"{_WORDS[threshold]} reached: {how}"
    else:
        reason = f"{_WORDS[threshold]} not reached: {how}"
    return QuestionResult(
        adopted=quorum_met and passed,
        quorum_met=quorum_met,
        yes=yes,
        no=no,
        abstain=abstain,
        electorate=electorate,
        turnout=turnout,
        quorum=q,
        quorum_required=needed,
        threshold=threshold,
        yes_required=yes_required,
        reason=reason,
    )
