"""Schulze's method, for choosing among alternatives (plan variants, competing proposals).

``pairwise[i][j]`` is the weight of the ballots that rank ``i`` above ``j`` (a ranked
alternative is above every unranked one; unranked alternatives are equal). A path's
strength is its weakest link, a link ``i → j`` being ``pairwise[i][j]`` where ``i`` beats
``j`` (winning votes). The winners are those whose strongest path to every other
alternative is at least as strong as the path back; the ranking repeats this on those
left. Alternatives still tied are ordered by lot (recorded in the sheet).
"""

from __future__ import annotations

import numpy as np

from collegium.tally.model import BallotSet, IntArray
from collegium.tally.sheet import CountSheet, TieBreak
from collegium.tally.ties import Lot


def pairwise_matrix(ballots: BallotSet) -> IntArray:
    """``d[i, j]``: weight of ballots preferring candidate ``i`` to ``j`` (0-based)."""
    agg = ballots.aggregate()
    n = len(agg.candidates)
    g, depth = agg.rankings.shape
    pos = np.full((g, n + 1), depth, dtype=np.int64)  # unranked: below every rank
    rows = np.repeat(np.arange(g), depth)
    cols = agg.rankings.astype(np.int64).ravel()
    cols = np.where(cols < 0, n, cols)  # padding goes to the dummy column
    pos[rows, cols] = np.tile(np.arange(depth), g)
    pos = pos[:, :n]
    w = agg.weights.astype(np.float64)
    exact = int(agg.weights.sum()) < 2**53
    d = np.zeros((n, n), dtype=np.int64)
    for i in range(n):
        better = pos[:, i : i + 1] < pos
        if exact:
            d[i] = (w @ better).astype(np.int64)
        else:
            d[i] = [int(agg.weights[better[:, j]].sum()) for j in range(n)]
    return d


def strongest_paths(d: IntArray) -> IntArray:
    """Floyd–Warshall over widest paths (winning votes)."""
    n = len(d)
    p = np.where(d > d.T, d, 0).astype(np.int64)
    np.fill_diagonal(p, 0)
    for k in range(n):
        via = np.minimum(p[:, k : k + 1], p[k : k + 1, :])
        p = np.maximum(p, via)
        np.fill_diagonal(p, 0)
    return p


def count_schulze(
    ballots: BallotSet, seats: int | None = 1, *, seed: int | None = None
) -> CountSheet:
    """Rank the alternatives by Schulze; ``seats`` (default 1) are chosen from the top."""
    seats = 1 if seats is None else seats
    if seats < 1:
        raise ValueError("the number to choose must be at least 1")
    agg = ballots.aggregate()
    n = len(agg.candidates)
    seed = agg.default_seed() if seed is None else seed
    lot = Lot(seed)
    withdrawn = set(agg.withdrawn)
    d = pairwise_matrix(agg)
    out = sorted(withdrawn)
    links = d.copy()
    links[out, :] = 0  # no path runs through a withdrawn alternative
    links[:, out] = 0
    p = strongest_paths(links)
    left = [c for c in range(n) if c not in withdrawn]
    ranking: list[int] = []
    ties: list[TieBreak] = []
    while left:
        best = [i for i in left if all(p[i, j] >= p[j, i] for j in left if j != i)]
        if not best:  # cannot happen (Schulze's relation has a maximum); guard anyway
            best = list(left)
        if len(best) > 1:
            order = lot.order([c + 1 for c in best])
            ties.append(
                TieBreak(
                    0,
                    "ranking",
                    tuple(sorted(c + 1 for c in best)),
                    "lot",
                    order[0],
                    seed=seed,
                    draw=lot.draws,
                )
            )
            best = [c - 1 for c in order]
        ranking.extend(best)
        left = [c for c in left if c not in best]
    lengths = agg.lengths()
    sheet = CountSheet(
        method="schulze",
        seats=seats,
        candidates=agg.candidates,
        scale=1,
        total=int(agg.weights[lengths > 0].sum()),
        papers=int(agg.weights[lengths > 0].sum()),
        empty_papers=int(agg.weights[lengths == 0].sum()),
        seed=seed,
        elected=[c + 1 for c in ranking[:seats]],
        withdrawn=tuple(sorted(c + 1 for c in withdrawn)),
        ranking=[c + 1 for c in ranking],
        pairwise=d.tolist(),
        strongest=p.tolist(),
        extra_ties=ties,
        title=ballots.title,
    )
    if seats > len(ranking):
        sheet.notes.append("fewer alternatives than places to fill")
    return sheet
