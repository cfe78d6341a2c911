"""Meek STV (Hill, Wichmann and Woodall, Algorithm 123, as in New Zealand's rules).

Every candidate has a *keep factor*: 1 while hopeful, 0 once excluded, and for an elected
candidate the share of each vote reaching them that they keep. Each ballot gives each
candidate on it, in order, ``keep × what is left`` of the ballot; what is left after the
last preference is exhausted. The quota is recomputed at every iteration from the votes
that are not exhausted: ``votes // (seats + 1) + 10**-9``. Elected candidates' keep
factors are brought down (``keep × quota / votes``, rounded up) until the total surplus
is at most 10**-6 of a vote or stops decreasing (rounding keeps it from going lower);
then, if no one new reached the quota, the hopeful candidate with fewest votes is
excluded (ties: the most recent earlier stage at which they differed, then by lot) and
the iteration starts again.

Arithmetic is exact in integers of 10**-9 (keep factors rounded up, votes rounded down).
"""

from __future__ import annotations

import numpy as np

from collegium.tally.model import BallotSet, IntArray
from collegium.tally.sheet import CountSheet, Decision, Round, TieBreak, fmt
from collegium.tally.ties import Lot, look_back

SCALE = 10**9
OMEGA = SCALE // 10**6  # stop iterating when the total surplus is at most 10**-6
MAX_ITERATIONS = 10_000

HOPEFUL, ELECTED, EXCLUDED, WITHDRAWN = 0, 1, 2, 3


def count_meek_stv(
    ballots: BallotSet, seats: int | None = None, *, seed: int | None = None
) -> CountSheet:
    """Count ``ballots`` for ``seats`` seats by Meek STV."""
    seats = ballots.seats if seats is None else seats
    if seats is None or seats < 1:
        raise ValueError("the number of seats must be at least 1")
    agg = ballots.aggregate()
    n = len(agg.candidates)
    seed = agg.default_seed() if seed is None else seed
    lot = Lot(seed)
    ranks = agg.rankings.astype(np.int64)
    ranks[ranks < 0] = n  # padding reads the dummy candidate n (keep 0, never counted)
    weights = agg.weights
    status = np.zeros(n, dtype=np.int8)
    for c in agg.withdrawn:
        status[c] = WITHDRAWN
    usable = np.append(status != WITHDRAWN, False)
    valid = usable[ranks].any(axis=1) if ranks.shape[1] else np.zeros(len(ranks), dtype=bool)
    ranks, weights = ranks[valid], weights[valid]
    # Longest rankings first: column j then only concerns the first reach[j] rows.
    lengths = (ranks < n).sum(axis=1)
    order = np.argsort(-lengths, kind="stable")
    ranks, weights, lengths = ranks[order], weights[order], lengths[order]
    reach = [int((lengths > j).sum()) for j in range(ranks.shape[1])]
    empty = int(agg.weights[~valid].sum())
    papers = int(weights.sum())
    exact = papers * SCALE < 2**53

    sheet = CountSheet(
        method="meek-stv",
        seats=seats,
        candidates=agg.candidates,
        scale=SCALE,
        total=papers * SCALE,
        papers=papers,
        empty_papers=empty,
        seed=seed,
        withdrawn=tuple(sorted(c + 1 for c in agg.withdrawn)),
        title=ballots.title,
    )
    keep = np.where(status == WITHDRAWN, 0, SCALE).astype(np.int64)

    ranks_t = np.ascontiguousarray(ranks.T)  # column j is contiguous
    weights_obj = weights if exact else weights.astype(object)

    def distribute() -> tuple[IntArray, int]:
        rem = np.full(len(ranks), SCALE, dtype=np.int64)
        # Beyond float64's exact range, sums are taken in Python integers.
        votes = np.zeros(n + 1, dtype=np.int64 if exact else object)
        keep_ext = np.append(keep, 0)
        active = np.arange(len(ranks))  # rows with something left to give
        for j in range(ranks.shape[1]):
            active = active[active < reach[j]]
            if len(active) == 0:
                break
            col = ranks_t[j, active]
            left = rem[active]
            give = left * keep_ext[col] // SCALE
            if exact:
                votes += np.bincount(col, weights=weights[active] * give, minlength=n + 1).astype(
                    np.int64
                )
            else:
                np.add.at(votes, col, weights_obj[active] * give.astype(object))
            left -= give
            rem[active] = left
            active = active[left > 0]
        if exact:
            return votes[:n], int((weights * rem).sum())
        return votes[:n], int((weights_obj * rem.astype(object)).sum())

    elected: list[int] = []
    history: list[IntArray] = []
    prev = np.zeros(n, dtype=np.int64)
    stage = 0
    pending_exclusion: tuple[int, str, list[TieBreak]] | None = None
    while True:
        stage += 1
        action = "first preferences"
        excluded: tuple[Decision, ...] = ()
        ties: list[TieBreak] = []
        source: tuple[int, ...] = ()
        if pending_exclusion is not None:
            c, reason, ties = pending_exclusion
            status[c] = EXCLUDED
            keep[c] = 0
            action = "exclusion"
            source = (c + 1,)
            excluded = (Decision(c + 1, reason),)
        newly: list[Decision] = []
        iterations = 0
        last_surplus = 2**62
        while True:
            iterations += 1
            votes, exhausted = distribute()
            quota = int(votes.sum()) // (seats + 1) + 1
            reached = [c for c in np.flatnonzero((status == HOPEFUL) & (votes >= quota)).tolist()]
            for c in sorted(reached, key=lambda c: (-int(votes[c]), c)):
                if len(elected) < seats:
                    status[c] = ELECTED
                    elected.append(c)
                    newly.append(
                        Decision(c + 1, f"reached the quota with {fmt(int(votes[c]), SCALE)}")
                    )
            if len(elected) == seats:
                break
            el = np.flatnonzero(status == ELECTED)
            surplus = int(np.maximum(votes[el] - quota, 0).sum())
            if not reached and (
                surplus <= OMEGA or surplus >= last_surplus or iterations >= MAX_ITERATIONS
            ):
                break
            last_surplus = surplus if not reached else 2**62
            new_keep = keep.copy()
            # keep × quota / votes, rounded up
            for c in el.tolist():  # Python ints: keep × quota overflows int64
                k, v = int(keep[c]), max(int(votes[c]), 1)
                new_keep[c] = min(-(-k * quota // v), SCALE)
            if not reached and np.array_equal(new_keep, keep):
                break
            keep = new_keep
        history.append(votes.copy())
        lost = papers * SCALE - int(votes.sum()) - exhausted
        hopeful = np.flatnonzero(status == HOPEFUL).tolist()
        note = ""
        if iterations >= MAX_ITERATIONS:
            note = f"stopped after {MAX_ITERATIONS} iterations"
        if len(elected) < seats and len(hopeful) + len(elected) <= seats:
            for c in sorted(hopeful, key=lambda c: (-int(votes[c]), c)):
                status[c] = ELECTED
                elected.append(c)
                newly.append(
                    Decision(c + 1, "the hopeful candidates are no more than the vacancies")
                )
            hopeful = []
        sheet.rounds.append(
            Round(
                stage=stage,
                action=action,
                source=source,
                tallies=tuple(int(v) for v in votes),
                changes=tuple(int(v) for v in votes - prev),
                exhausted=exhausted,
                non_transferable=exhausted - (sheet.rounds[-1].exhausted if sheet.rounds else 0),
                lost=lost,
                elected=tuple(newly),
                excluded=excluded,
                ties=tuple(ties),
                quota=quota,
                keep_factors=tuple(int(k) for k in keep),
                iterations=iterations,
                note=note,
            )
        )
        prev = votes
        if len(elected) >= seats or not hopeful:
            break
        low = min(int(votes[c]) for c in hopeful)
        tied = [c for c in hopeful if int(votes[c]) == low]
        reason = f"lowest number of votes ({fmt(low, SCALE)})"
        chosen = tied[0]
        tie_list: list[TieBreak] = []
        if len(tied) > 1:
            left, decided = look_back(tied, history, lowest=True)
            if len(left) == 1:
                chosen = left[0]
                tie_list.append(
                    TieBreak(
                        stage + 1,
                        "exclusion",
                        tuple(c + 1 for c in sorted(tied)),
                        "look-back",
                        chosen + 1,
                        decided,
                    )
                )
            else:
                chosen = lot.draw([c + 1 for c in left]) - 1
                tie_list.append(
                    TieBreak(
                        stage + 1,
                        "exclusion",
                        tuple(c + 1 for c in sorted(tied)),
                        "lot",
                        chosen + 1,
                        decided,
                        seed=seed,
                        draw=lot.draws,
                    )
                )
        pending_exclusion = (chosen, reason, tie_list)
    sheet.quota = sheet.rounds[-1].quota if sheet.rounds else None
    sheet.elected = [c + 1 for c in elected]
    if seats > int((status != WITHDRAWN).sum()):
        sheet.notes.append("fewer candidates than seats")
    return sheet
