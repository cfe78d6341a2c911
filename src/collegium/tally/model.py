"""Ballots and candidates: the input of every count.

A :class:`BallotSet` holds a whole election compactly: one row of ``rankings`` per
ballot (or per group of identical ballots), the candidates as 0-based column values,
most preferred first, padded with ``-1``; ``weights`` says how many ballot papers (or
represented members, for a delegate's vote) each row stands for. :meth:`BallotSet.aggregate`
merges identical rankings, which is what every count does first.

The user-facing side speaks in candidate *numbers* (1-based, as in BLT files and in the
count sheet): :class:`Ballot` rankings, :attr:`Candidate.number`, ``elected`` lists.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
from numpy.typing import NDArray

IntArray: TypeAlias = NDArray[np.int64]
RankArray: TypeAlias = NDArray[np.int16]


class TallyError(Exception):
    """Base class of the tally's errors."""


class BallotError(TallyError, ValueError):
    """A ballot given through the Python API is invalid.

    ``index`` is the 0-based position of the ballot in the input, ``rank`` the 0-based
    position in its ranking (``None`` where the problem is the weight or the whole row).
    """

    def __init__(self, index: int, rank: int | None, reason: str) -> None:
        self.index = index
        self.rank = rank
        self.reason = reason
        where = f"ballot {index + 1}" + ("" if rank is None else f", preference {rank + 1}")
        super().__init__(f"{where}: {reason}")


class FormatError(TallyError, ValueError):
    """A ballot file is malformed. ``str()`` reads ``LINE:COLUMN: reason``.

    ``line`` and ``column`` are 1-based; in CSV files the column is the header name.
    """

    def __init__(self, line: int, column: int | str, reason: str, file: str | None = None) -> None:
        self.line = line
        self.column = column
        self.reason = reason
        self.file = file
        super().__init__(f"{line}:{column}: {reason}")

    def located(self) -> str:
        """``FILE:LINE:COLUMN: reason`` (without ``FILE:`` when the file is unknown)."""
        prefix = "" if self.file is None else f"{self.file}:"
        return f"{prefix}{self.line}:{self.column}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Candidate:
    """A candidate (or, for Schulze, an alternative): ``number`` is 1-based."""

    number: int
    name: str
    category: str | None = None

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {"number": self.number, "name": self.name}
        if self.category is not None:
            out["category"] = self.category
        return out


@dataclass(frozen=True, slots=True)
class Ballot:
    """One ranked ballot: candidate numbers (1-based), most preferred first.

    ``weight`` is the number of ballot papers it stands for: 1 for a member's own vote,
    the number of members represented for a delegate's vote.
    """

    ranking: tuple[int, ...]
    weight: int = 1


def _candidates(items: Sequence[Candidate | str]) -> tuple[Candidate, ...]:
    out: list[Candidate] = []
    for i, item in enumerate(items, start=1):
        if isinstance(item, Candidate):
            if item.number != i:
                raise ValueError(f"candidate {item.name!r} has number {item.number}, expected {i}")
            out.append(item)
        else:
            out.append(Candidate(i, str(item)))
    return tuple(out)


def rank_dtype(n_candidates: int) -> type[np.int16] | type[np.int32]:
    return np.int16 if n_candidates < 32_000 else np.int32


class BallotSet:
    """The ballots of one election.

    ``rankings``: integer array of shape ``(rows, depth)``, 0-based candidate indices,
    each row a strict ranking padded on the right with ``-1`` (an all ``-1`` row is an
    empty ballot). ``weights``: int64 array of shape ``(rows,)``, non-negative.
    ``withdrawn``: 0-based indices of withdrawn candidates (they take no part in the
    count; preferences for them are skipped). ``seats`` is what the file said, if any.
    """

    __slots__ = (
        "_aggregated",
        "_digest",
        "candidates",
        "rankings",
        "seats",
        "title",
        "weights",
        "withdrawn",
    )

    def __init__(
        self,
        candidates: Sequence[Candidate | str],
        rankings: NDArray[np.integer] | Sequence[Sequence[int]],
        weights: NDArray[np.integer] | Sequence[int] | None = None,
        *,
        seats: int | None = None,
        title: str = "",
        withdrawn: Iterable[int] = (),
        validate: bool = True,
    ) -> None:
        self.candidates = _candidates(candidates)
        n = len(self.candidates)
        dtype = rank_dtype(n)
        if isinstance(rankings, np.ndarray):
            ranks = np.asarray(rankings)
            if ranks.ndim != 2:
                raise ValueError("rankings must be a 2-dimensional array")
        else:
            rows = [list(r) for r in rankings]
            depth = max((len(r) for r in rows), default=0)
            ranks = np.full((len(rows), depth), -1, dtype=np.int64)
            for i, r in enumerate(rows):
                ranks[i, : len(r)] = r
        if validate and ranks.size and (ranks.min() < -1 or ranks.max() >= n):
            bad = np.argwhere((ranks < -1) | (ranks >= n))[0]
            raise BallotError(
                int(bad[0]), int(bad[1]), f"unknown candidate {int(ranks[bad[0], bad[1]]) + 1}"
            )
        self.rankings: RankArray = np.ascontiguousarray(ranks, dtype=dtype)
        if weights is None:
            w = np.ones(len(self.rankings), dtype=np.int64)
        else:
            w_in = np.asarray(weights)
            if w_in.dtype.kind == "f":
                bad = ~np.isfinite(w_in) | (w_in != np.floor(w_in))
                if bad.any():
                    i = int(np.flatnonzero(bad)[0])
                    raise BallotError(i, None, "weight must be a whole number")
            w = np.ascontiguousarray(w_in, dtype=np.int64)
        if w.shape != (len(self.rankings),):
            raise ValueError(f"{len(w)} weights for {len(self.rankings)} ballots")
        self.weights: IntArray = w
        self.seats = seats
        self.title = title
        self.withdrawn: frozenset[int] = frozenset(int(i) for i in withdrawn)
        if any(i < 0 or i >= n for i in self.withdrawn):
            raise ValueError("withdrawn candidate out of range")
        self._digest: str | None = None
        self._aggregated = False
        if validate:
            self.validate()

    # ------------------------------------------------------------------ construction

    @classmethod
    def from_ballots(
        cls,
        candidates: Sequence[Candidate | str],
        ballots: Iterable[Ballot | Sequence[int]],
        *,
        seats: int | None = None,
        title: str = "",
        withdrawn: Iterable[int] = (),
    ) -> BallotSet:
        """Build from :class:`Ballot` objects (or plain sequences of candidate numbers).

        Candidate numbers are 1-based here; ``withdrawn`` too.
        """
        rows: list[list[int]] = []
        weights: list[int] = []
        for b in ballots:
            if isinstance(b, Ballot):
                rows.append([c - 1 for c in b.ranking])
                weights.append(b.weight)
            else:
                rows.append([c - 1 for c in b])
                weights.append(1)
        n = len(candidates)
        for i, r in enumerate(rows):
            for j, c in enumerate(r):
                if not 0 <= c < n:
                    raise BallotError(i, j, f"unknown candidate {c + 1}")
        return cls(
            candidates,
            rows,
            np.asarray(weights, dtype=np.int64),
            seats=seats,
            title=title,
            withdrawn=[c - 1 for c in withdrawn],
        )

    def validate(self) -> None:
        """Check every ranking: no candidate twice, no skipped rank, weights >= 0."""
        r = self.rankings
        if len(self.weights) and self.weights.min() < 0:
            i = int(np.flatnonzero(self.weights < 0)[0])
            raise BallotError(i, None, "negative weight")
        if r.shape[1] == 0:
            return
        # A -1 followed by a candidate is a skipped rank.
        gap = (r[:, :-1] == -1) & (r[:, 1:] != -1)
        if gap.any():
            i, j = np.argwhere(gap)[0]
            raise BallotError(int(i), int(j), "skipped rank: a later preference follows a gap")
        # Duplicates: sort each row, look for equal neighbours that are candidates.
        s = np.sort(r, axis=1)
        dup = (s[:, 1:] == s[:, :-1]) & (s[:, 1:] >= 0)
        if dup.any():
            i = int(np.flatnonzero(dup.any(axis=1))[0])
            row = r[i]
            seen: set[int] = set()
            for j, c in enumerate(row.tolist()):
                if c >= 0 and c in seen:
                    raise BallotError(i, j, f"candidate {c + 1} is ranked twice")
                seen.add(c)

    # ------------------------------------------------------------------ views

    def __len__(self) -> int:
        return len(self.rankings)

    def __repr__(self) -> str:
        return (
            f"BallotSet({len(self.candidates)} candidates, {len(self)} rows, "
            f"{self.total_weight} papers, seats={self.seats})"
        )

    @property
    def total_weight(self) -> int:
        return int(self.weights.sum())

    def lengths(self) -> IntArray:
        """Number of preferences on each row."""
        return np.asarray((self.rankings >= 0).sum(axis=1), dtype=np.int64)

    def ballots(self) -> Iterator[Ballot]:
        """The rows as :class:`Ballot` objects (1-based candidate numbers)."""
        for row, w in zip(self.rankings.tolist(), self.weights.tolist(), strict=True):
            yield Ballot(tuple(c + 1 for c in row if c >= 0), int(w))

    def with_candidates(self, candidates: Sequence[Candidate]) -> BallotSet:
        """The same ballots with other candidate records (e.g. with categories)."""
        if len(candidates) != len(self.candidates):
            raise ValueError("the number of candidates must not change")
        return BallotSet(
            candidates,
            self.rankings,
            self.weights,
            seats=self.seats,
            title=self.title,
            withdrawn=self.withdrawn,
            validate=False,
        )

    def aggregate(self) -> BallotSet:
        if self._aggregated:
            return self
        out = self._aggregate()
        out._aggregated = True
        return out

    def _aggregate(self) -> BallotSet:
        """Identical rankings merged into one row (weights summed); zero weights dropped.

        Rows come out in a canonical order (sorted), so two ballot sets with the same
        multiset of ballots aggregate to equal arrays whatever their order.
        """
        keep = self.weights > 0
        r = self.rankings[keep]
        w = self.weights[keep]
        if len(r) == 0:
            return BallotSet(
                self.candidates,
                np.zeros((0, r.shape[1]), dtype=r.dtype),
                np.zeros(0, dtype=np.int64),
                seats=self.seats,
                title=self.title,
                withdrawn=self.withdrawn,
                validate=False,
            )
        # Drop trailing all-padding columns.
        depth = int((r >= 0).sum(axis=1).max())
        r = np.ascontiguousarray(r[:, :depth])
        if depth == 0:
            unique = r[:1]
            summed = np.asarray([w.sum()], dtype=np.int64)
        elif (len(self.candidates) + 1) ** depth < 2**63:
            # Each row as one integer, digits (candidate + 1) in base n + 1: sorting the
            # keys sorts the rows lexicographically, a padded row before its extensions.
            base = len(self.candidates) + 1
            powers = base ** np.arange(depth - 1, -1, -1, dtype=np.int64)
            key = (r.astype(np.int64) + 1) @ powers
            order = np.argsort(key, kind="stable")
            k = key[order]
            new = np.empty(len(k), dtype=np.bool_)
            new[0] = True
            np.not_equal(k[1:], k[:-1], out=new[1:])
            if new.all():  # no two rows alike: just put them in order
                unique, summed = r[order], w[order]
            else:
                starts = new.nonzero()[0]
                unique = r[order[starts]]
                summed = self._sum(w[order], np.cumsum(new) - 1, len(starts))
        else:
            view = r.view(np.dtype((np.void, r.dtype.itemsize * depth))).ravel()
            _, first, inverse = np.unique(view, return_index=True, return_inverse=True)
            unique = r[first]
            summed = self._sum(w, inverse.ravel(), len(first))
            order = np.lexsort(unique.T[::-1])
            unique = unique[order]
            summed = summed[order]
        return BallotSet(
            self.candidates,
            unique,
            np.asarray(summed, dtype=np.int64),
            seats=self.seats,
            title=self.title,
            withdrawn=self.withdrawn,
            validate=False,
        )

    @staticmethod
    def _sum(w: IntArray, groups: IntArray, size: int) -> IntArray:
        """Exact sums of ``w`` by group."""
        if int(w.sum()) < 2**53:
            return np.bincount(groups, weights=w, minlength=size).astype(np.int64)
        exact = np.zeros(size, dtype=object)
        np.add.at(exact, groups, w.astype(object))
        return exact.astype(np.int64)

    def digest(self) -> str:
        """SHA-256 of the canonical (aggregated) ballots and the withdrawn candidates.

        Independent of the order of the ballots, so a shuffled publication has the
        same digest as the original; the default seed of the lot is taken from it.
        """
        if self._digest is None:
            agg = self if self._aggregated else self.aggregate()
            h = hashlib.sha256()
            h.update(f"collegium-ballots|{len(self.candidates)}|".encode())
            h.update(",".join(str(i) for i in sorted(self.withdrawn)).encode() + b"|")
            h.update(f"{agg.rankings.shape[1]}|".encode())
            h.update(agg.rankings.astype("<i4").tobytes())
            h.update(agg.weights.astype("<i8").tobytes())
            self._digest = h.hexdigest()
            agg._digest = self._digest
        return self._digest

    def default_seed(self) -> int:
        """The seed of the lot when none is given: the first 8 hex digits of :meth:`digest`."""
        return int(self.digest()[:8], 16)
