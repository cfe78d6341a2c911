"""Collegium's vote counting: pure (no Django), exact and fast.

Counting rules: Scottish STV (:func:`count_scottish_stv`, also instant run-off with one
seat, and with category minimums), Meek STV (:func:`count_meek_stv`), Schulze
(:func:`count_schulze`), approval (:func:`count_approval`) and yes/no/abstain questions
(:func:`count_question`). Every count returns a :class:`CountSheet`.

Ballots are a :class:`BallotSet`; read and write them with :func:`read_ballots`,
:func:`read_blt` / :func:`write_blt`, :func:`read_csv` / :func:`write_csv` and
:func:`read_preflib`.
"""

from collections.abc import Mapping

from collegium.tally.approval import count_approval
from collegium.tally.formats import (
    read_ballots,
    read_blt,
    read_csv,
    read_preflib,
    write_blt,
    write_csv,
)
from collegium.tally.meek import count_meek_stv
from collegium.tally.model import (
    Ballot,
    BallotError,
    BallotSet,
    Candidate,
    FormatError,
    TallyError,
)
from collegium.tally.question import THRESHOLDS, QuestionResult, Threshold, count_question
from collegium.tally.schulze import count_schulze, pairwise_matrix
from collegium.tally.sheet import CountSheet, Decision, Round, TieBreak, TransferValue, fmt
from collegium.tally.stv import count_scottish_stv

METHODS = ("scottish-stv", "meek-stv", "schulze", "approval")


def count(
    ballots: BallotSet,
    method: str = "scottish-stv",
    seats: int | None = None,
    *,
    seed: int | None = None,
    minimums: Mapping[str, int] | None = None,
) -> CountSheet:
    """Count ``ballots`` by ``method`` (one of :data:`METHODS`)."""
    if minimums and method != "scottish-stv":
        raise ValueError("category minimums are supported with scottish-stv only")
    if method == "scottish-stv":
        return count_scottish_stv(ballots, seats, seed=seed, minimums=minimums)
    if method == "meek-stv":
        return count_meek_stv(ballots, seats, seed=seed)
    if method == "schulze":
        return count_schulze(ballots, seats if seats is not None else 1, seed=seed)
    if method == "approval":
        return count_approval(ballots, seats if seats is not None else 1, seed=seed)
    raise ValueError(f"unknown method {method!r}: expected one of {', '.join(METHODS)}")


def count_instant_runoff(ballots: BallotSet, *, seed: int | None = None) -> CountSheet:
    """Single-seat instant run-off: Scottish STV with one seat."""
    return count_scottish_stv(ballots, 1, seed=seed)


__all__ = [
    "METHODS",
    "THRESHOLDS",
    "Ballot",
    "BallotError",
    "BallotSet",
    "Candidate",
    "CountSheet",
    "Decision",
    "FormatError",
    "QuestionResult",
    "Round",
    "TallyError",
    "Threshold",
    "TieBreak",
    "TransferValue",
    "count",
    "count_approval",
    "count_instant_runoff",
    "count_meek_stv",
    "count_question",
    "count_schulze",
    "count_scottish_stv",
    "fmt",
    "pairwise_matrix",
    "read_ballots",
    "read_blt",
    "read_csv",
    "read_preflib",
    "write_blt",
    "write_csv",
]
