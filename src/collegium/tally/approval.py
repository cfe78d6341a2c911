"""Approval voting: each ballot approves the candidates it names (their order is ignored).

The ``seats`` candidates with the most approvals (by weight) are chosen; equal totals
are ordered by lot, and every such tie is recorded in the sheet.
"""

from __future__ import annotations

import numpy as np

from collegium.tally.model import BallotSet
from collegium.tally.sheet import CountSheet, Decision, Round, TieBreak
from collegium.tally.ties import Lot


def count_approval(
    ballots: BallotSet, seats: int | None = 1, *, seed: int | None = None
) -> CountSheet:
    """Count approvals; ``seats`` (default 1) candidates are chosen."""
    seats = 1 if seats is None else seats
    if seats < 1:
        raise ValueError("the number of seats must be at least 1")
    agg = ballots.aggregate()
    n = len(agg.candidates)
    seed = agg.default_seed() if seed is None else seed
    lot = Lot(seed)
    withdrawn = set(agg.withdrawn)
    ranks = agg.rankings.astype(np.int64)
    depth = ranks.shape[1]
    flat = ranks.ravel()
    w = np.repeat(agg.weights, depth)
    keep = flat >= 0
    tallies = np.zeros(n, dtype=np.int64)
    np.add.at(tallies, flat[keep], w[keep])
    for c in withdrawn:
        tallies[c] = 0
    standing = [c for c in range(n) if c not in withdrawn]
    groups: dict[int, list[int]] = {}
    for c in standing:
        groups.setdefault(int(tallies[c]), []).append(c)
    ranking: list[int] = []
    ties: list[TieBreak] = []
    for total in sorted(groups, reverse=True):
        group = groups[total]
        if len(group) > 1:
            order = lot.order([c + 1 for c in group])
            ties.append(
                TieBreak(
                    1,
                    "ranking",
                    tuple(c + 1 for c in group),
                    "lot",
                    order[0],
                    seed=seed,
                    draw=lot.draws,
                )
            )
            group = [c - 1 for c in order]
        ranking.extend(group)
    chosen = ranking[:seats]
    lengths = agg.lengths()
    papers = int(agg.weights[lengths > 0].sum())
    sheet = CountSheet(
        method="approval",
        seats=seats,
        candidates=agg.candidates,
        scale=1,
        total=int(tallies.sum()),
        papers=papers,
        empty_papers=int(agg.weights[lengths == 0].sum()),
        seed=seed,
        elected=[c + 1 for c in chosen],
        withdrawn=tuple(sorted(c + 1 for c in withdrawn)),
        ranking=[c + 1 for c in ranking],
        title=ballots.title,
    )
    sheet.rounds.append(
        Round(
            stage=1,
            action="approvals",
            source=(),
            tallies=tuple(int(t) for t in tallies),
            changes=tuple(int(t) for t in tallies),
            elected=tuple(
                Decision(c + 1, f"{int(tallies[c])} approvals, place {k + 1}")
                for k, c in enumerate(chosen)
            ),
            ties=tuple(ties),
        )
    )
    if seats > len(standing):
        sheet.notes.append("fewer candidates than seats")
    return sheet
