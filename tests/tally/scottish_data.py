"""Shared helpers for the tests on the real Scottish council elections.

The data (1,100 BLT files, grouped by number of candidates) lives beside the repository
in ``../shared/data/scottish-stv``; tests that need it skip with a clear reason when it is
absent.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from functools import partial
from pathlib import Path
from typing import Any

from collegium.tally import BallotSet

REPO = Path(__file__).resolve().parents[2]
DATA = (REPO / ".." / "shared" / "data" / "scottish-stv").resolve()
SKIP_REASON = (
    f"the Scottish council elections are not at {DATA} "
    "(../shared/data/scottish-stv relative to the repository root)"
)
GOLDEN = Path(__file__).resolve().parent / "data" / "stvpoll_differences"


def files() -> list[Path]:
    return sorted(DATA.glob("*/*.blt"))


def rel(path: Path) -> str:
    return path.relative_to(DATA).as_posix()


def stvpoll_input(ballots: BallotSet) -> tuple[tuple[int, ...], list[tuple[tuple[int, ...], int]]]:
    candidates = tuple(c.number for c in ballots.candidates)
    data = [
        (tuple(c + 1 for c in row if c >= 0), int(w))
        for row, w in zip(ballots.rankings.tolist(), ballots.weights.tolist(), strict=True)
    ]
    return candidates, data


def stvpoll_winners(
    ballots: BallotSet, *, statutory_transfers: bool = False, rounding: str = ROUND_DOWN
) -> list[int]:
    """stvpoll's Scottish STV (seeded, no shuffling); optionally with the transfers fixed
    (``rounding``: how transfer values are cut to five places, truncation by default)."""
    from stvpoll.scottish_stv import calculate_scottish_stv

    candidates, data = stvpoll_input(ballots)
    random.seed(0)
    kwargs: dict[str, Any] = {"random_shuffle": False}
    if statutory_transfers:
        kwargs["transfer_strategy"] = partial(statutory_transfer, rounding=rounding)
    result = calculate_scottish_stv(candidates, data, ballots.seats, **kwargs)
    return list(result)


FIVE_PLACES = Decimal("0.00001")


def statutory_transfer(
    ballots: Iterable[Any],
    vote_count: dict[Any, Decimal],
    transfers: tuple[Any, ...],
    standing: tuple[Any, ...],
    quota: int,
    decrease_value: bool,
    rounding: str = ROUND_DOWN,
) -> tuple[Any, Decimal, dict[Any, Decimal]]:
    """stvpoll's serial surplus transfer, changed only where it departs from the rules.

    Rule 48(2) and article 2 ("next available preference" is a preference for a
    *continuing* candidate; a candidate deemed elected is not continuing): a paper of a
    surplus goes only to a continuing candidate, never to another candidate deemed
    elected at the same stage whose own surplus waits. A paper belongs to the surplus of
    the candidate it was credited to (stvpoll's own transfer also counts papers of the
    waiting candidates as papers of the first). Rule 48(3): transfer values truncated
    to five places, not rounded.
    """
    from stvpoll.transfer_strategies import _iter_transferable_ballots
    from stvpoll.types import VoteTransfers

    log = VoteTransfers()
    exhausted = Decimal(0)
    queue = list(transfers)
    holders = tuple(standing) + tuple(transfers)
    while queue:
        candidate = queue.pop(0)
        votes = vote_count[candidate]
        for ballot, _ in _iter_transferable_ballots(ballots, (candidate,), holders):
            if decrease_value:
                ballot.multiplier = ((votes - quota) * ballot.multiplier / votes).quantize(
                    FIVE_PLACES, rounding=rounding
                )
            target = ballot.get_next_preference(standing)
            if target:
                log[(candidate, target)] += ballot.value
            else:
                exhausted += ballot.value
        vote_count = {t: v + log[(candidate, t)] for t, v in vote_count.items()}
    return log, exhausted, {c: vote_count[c] for c in standing}


def votekit_winners(ballots: BallotSet) -> set[int]:
    """votekit's STV (fractional, simultaneous; exact fractions of float precision)."""
    from votekit.ballot import Ballot as VBallot
    from votekit.elections import STV
    from votekit.pref_profile import PreferenceProfile

    names = tuple(str(c.number) for c in ballots.candidates)
    profile = PreferenceProfile(
        ballots=tuple(
            VBallot(ranking=tuple(frozenset({str(c + 1)}) for c in row if c >= 0), weight=w)
            for row, w in zip(ballots.rankings.tolist(), ballots.weights.tolist(), strict=True)
        ),
        candidates=names,
    )
    election = STV(profile, m=ballots.seats, tiebreak="random")
    return {int(c) for group in election.get_elected() for c in group}


@dataclass(frozen=True)
class Difference:
    """An election where the statutory count and stvpoll elect different candidates."""

    stvpoll: frozenset[int]
    statute: tuple[int, ...]
    why: str


RULE_48 = (
    "Rule 48(2) with article 2: a surplus goes to the next available preference for a "
    "continuing candidate; a candidate deemed elected at the same stage is not continuing. "
    "stvpoll transfers several surpluses of one stage as a batch, passing papers of the "
    "first surplus to the other candidates of the batch (and counting their own papers "
    "that name the first candidate second as part of the first surplus)"
)

# Every election of the 1,100 where the winners differ; each is explained by RULE_48:
# stvpoll with only that point corrected (see statutory_transfer) elects what we elect.
KNOWN_DIFFERENCES: dict[str, Difference] = {
    "5_cands/dumgal_2022_ward7.blt": Difference(frozenset({1, 2, 4}), (1, 2, 5), RULE_48),
    "5_cands/north_lanarkshire_2022_ward12.blt": Difference(
        frozenset({1, 2, 3, 4}), (1, 3, 2, 5), RULE_48
    ),
    "5_cands/shetland_2017_ward7.blt": Difference(frozenset({1, 2, 3, 5}), (2, 5, 1, 4), RULE_48),
    "5_cands/south_ayrshire_2012_ward3.blt": Difference(
        frozenset({1, 2, 4, 5}), (2, 1, 4, 3), RULE_48
    ),
    "6_cands/south_lanarkshire_2012_ward13.blt": Difference(
        frozenset({1, 2, 4}), (2, 4, 6), RULE_48
    ),
    "7_cands/falkirk_2022_ward6.blt": Difference(frozenset({2, 4, 6, 7}), (6, 2, 7, 3), RULE_48),
    "7_cands/highland_2022_inverness_ness_side.blt": Difference(
        frozenset({1, 2, 7}), (1, 2, 4), RULE_48
    ),
    "7_cands/north_ayrshire_2017_ward1.blt": Difference(
        frozenset({1, 4, 5, 6}), (1, 4, 6, 7), RULE_48
    ),
    "7_cands/south_ayrshire_2012_ward4.blt": Difference(
        frozenset({3, 4, 5, 6}), (3, 5, 4, 7), RULE_48
    ),
    "8_cands/west_dunbartonshire_2017_ward2.blt": Difference(
        frozenset({1, 2, 5, 6}), (2, 1, 6, 4), RULE_48
    ),
}


def golden_name(relpath: str) -> str:
    return relpath.replace("/", "__").removesuffix(".blt") + ".txt"
