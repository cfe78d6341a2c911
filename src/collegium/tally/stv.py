"""Scottish STV: The Scottish Local Government Elections Order 2007, Schedule 1, rules 45-52.

* Rule 46: quota = valid papers // (seats + 1) + 1.
* Rule 47: a candidate whose votes equal or exceed the quota at any stage is deemed elected.
* Rule 48: a surplus is transferred by sorting *all* the papers the candidate holds by
  their next available preference (weighted inclusive Gregory); each paper moves at
  ``surplus × (its value when received) / (candidate's total)``, truncated to five
  decimal places.
* Rule 49: one surplus per stage, the highest first; equal surpluses by the most recent
  earlier stage at which the candidates' totals differed (the higher first), then by lot.
* Rule 50: with no surplus left, the candidate with the fewest votes is excluded and all
  their papers move at the value they carry.
* Rule 51: a tie for exclusion by the most recent earlier stage at which the totals
  differed (the lower is excluded), then by lot.
* Rule 52: when the continuing candidates are as many as the vacancies, they are elected.

Values are integers in units of 10**-5 (numpy int64), so the count is exact. Ballots are
aggregated first; each row of the aggregated array carries a weight (papers), a value per
paper, and the position of its current preference.

Category minimums (a charter's "at least k seats for production workers") follow the usual
rule for constrained STV: once the vacancies left are all needed to meet the minimums,
candidates of the other categories are excluded; a candidate of a category that still
needs seats is not excluded while that category has no more continuing candidates than it
needs; a candidate who reaches the quota is not deemed elected if that would leave too
few vacancies for the minimums (and is then excluded as above).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from collegium.tally.model import BallotSet, IntArray
from collegium.tally.sheet import CountSheet, Decision, Round, TieBreak, TransferValue, fmt
from collegium.tally.ties import Lot, look_back

SCALE = 100_000
EXACT_LIMIT = 2**53  # float64 sums of integers stay exact below this

CONTINUING, ELECTED, EXCLUDED, WITHDRAWN = 0, 1, 2, 3


@dataclass
class _Papers:
    """The aggregated ballots and where each row stands."""

    ranks: NDArray[np.int16]  # (G, L + 1) 0-based, padded with n, then a column of n
    weight: IntArray  # (G,) papers per row
    value: IntArray  # (G,) value of one paper, in units of 1/SCALE
    pos: IntArray  # (G,) index in ``flat`` of the current preference
    flat: NDArray[np.int16]  # ``ranks`` flattened
    holder: IntArray  # (G,) current candidate, or n (the exhausted bin)
    n: int
    big: bool = False  # values too large for int64 products: use Python ints
    table: NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, dtype=np.bool_))

    def __post_init__(self) -> None:
        self.table = np.zeros(self.n + 2, dtype=np.bool_)
        self.table[self.n] = True

    def advance(self, idx: IntArray, usable: NDArray[np.bool_]) -> IntArray:
        """Move rows ``idx`` to their next preference for a ``usable`` candidate.

        Returns the new holders (``n`` for rows with no such preference). Padding and
        the extra last column hold ``n``, which always stops the search; most rows stop
        at the very next column, so this walks columns for a shrinking set of rows.
        Positions are kept as indices into the flattened ``ranks``.
        """
        table = self.table
        table[: self.n] = usable
        flat = self.flat
        at = self.pos.take(idx) + 1
        cand = flat.take(at)
        holder = cand.astype(np.int64)  # right for the rows that stop here (most)
        miss = (~table.take(cand)).nonzero()[0]
        while len(miss):
            at[miss] += 1
            cand = flat.take(at.take(miss))
            holder[miss] = cand
            miss = miss.take((~table.take(cand)).nonzero()[0])
        self.pos[idx] = at
        self.holder[idx] = holder
        return holder

    def sums(self, holders: IntArray, values: IntArray) -> IntArray:
        """Exact per-candidate sums of ``values`` by ``holders`` (length n + 1)."""
        if not self.big:
            out = np.bincount(holders, weights=values, minlength=self.n + 1)
            return out.astype(np.int64)
        exact = np.zeros(self.n + 1, dtype=object)
        np.add.at(exact, holders, values.astype(object))
        return exact


def _order_by_votes(cands: list[int], votes: list[int]) -> list[int]:
    return sorted(cands, key=lambda c: (-votes[c], c))


def count_scottish_stv(
    ballots: BallotSet,
    seats: int | None = None,
    *,
    seed: int | None = None,
    minimums: Mapping[str, int] | None = None,
) -> CountSheet:
    """Count ``ballots`` for ``seats`` seats by the Scottish STV rules.

    ``seats`` defaults to the ballot set's own. ``seed`` seeds the lot (default: from the
    ballots' digest, so a recount of the same ballots draws the same). ``minimums`` maps
    a candidate category to the least number of seats it must get.
    """
    return _Count(ballots, seats, seed, minimums).run()


class _Count:
    def __init__(
        self,
        ballots: BallotSet,
        seats: int | None,
        seed: int | None,
        minimums: Mapping[str, int] | None,
    ) -> None:
        seats = ballots.seats if seats is None else seats
        if seats is None or seats < 1:
            raise ValueError("the number of seats must be at least 1")
        self.seats = seats
        agg = ballots.aggregate()
        self.candidates = ballots.candidates
        n = len(self.candidates)
        self.n = n
        # Per-candidate state is in Python lists (a dozen candidates: cheaper than numpy);
        # ``usable`` mirrors "continuing" as an array for the row-level work.
        self.status = [CONTINUING] * n
        self.usable = np.ones(n, dtype=np.bool_)
        for c in ballots.withdrawn:
            self.set_status(c, WITHDRAWN)
        self.seed = agg.default_seed() if seed is None else seed
        self.lot = Lot(self.seed)
        self._pending_notes: list[str] = []
        self.minimums = self._minimums(minimums or {})
        depth = agg.rankings.shape[1]
        g = len(agg)
        total_papers = int(agg.weights.sum()) if g else 0
        if total_papers * SCALE >= 2**63:
            raise ValueError(f"{total_papers} papers are more than this count can hold")
        ranks = np.concatenate((agg.rankings, np.full((g, 1), n, dtype=agg.rankings.dtype)), axis=1)
        ranks[ranks < 0] = n  # padding: no preference left
        self.p = _Papers(
            ranks=ranks,
            weight=agg.weights,
            value=np.full(g, SCALE, dtype=np.int64),
            pos=np.arange(g, dtype=np.int64) * (depth + 1) - 1,
            flat=ranks.ravel(),
            holder=np.full(g, n, dtype=np.int64),
            n=n,
            big=total_papers * SCALE * SCALE >= 2**63 or total_papers * SCALE >= EXACT_LIMIT,
        )
        self.sheet = CountSheet(
            method="scottish-stv",
            seats=seats,
            candidates=self.candidates,
            scale=SCALE,
            total=0,
            papers=0,
            empty_papers=0,
            seed=self.seed,
            withdrawn=tuple(sorted(c + 1 for c in ballots.withdrawn)),
            minimums=dict(self.minimums),
            title=ballots.title,
        )
        self.votes: list[int] = [0] * n
        self.history: list[tuple[int, ...]] = []
        self.elected: list[int] = []
        self.transferred: set[int] = set()
        self.exhausted = 0
        self.lost = 0
        self.stage = 0
        self.quota = 0

    # ------------------------------------------------------------------ constraints

    def _minimums(self, minimums: Mapping[str, int]) -> dict[str, int]:
        out: dict[str, int] = {}
        for cat, k in minimums.items():
            if k < 0:
                raise ValueError(f"minimum for {cat!r} must not be negative")
            if k == 0:
                continue
            standing = sum(
                1
                for i, c in enumerate(self.candidates)
                if c.category == cat and self.status[i] != WITHDRAWN
            )
            out[cat] = k
            if standing < k:
                self._pending_notes.append(
                    f"only {standing} candidate(s) of category {cat!r} stand for a minimum "
                    f"of {k}; the minimum is lowered to {standing}"
                )
                out[cat] = standing
        if sum(out.values()) > self.seats:
            raise ValueError(
                f"the category minimums add up to {sum(out.values())}, more than the "
                f"{self.seats} seats"
            )
        return out

    def need(self) -> dict[str, int]:
        """Seats each constrained category still needs."""
        got: dict[str, int] = dict.fromkeys(self.minimums, 0)
        for c in self.elected:
            cat = self.candidates[c].category
            if cat in got:
                got[cat] += 1
        return {cat: max(0, k - got[cat]) for cat, k in self.minimums.items()}

    def needed_category(self, c: int, need: Mapping[str, int]) -> bool:
        cat = self.candidates[c].category
        return cat is not None and need.get(cat, 0) > 0

    def may_elect(self, c: int) -> bool:
        if not self.minimums:
            return True
        need = self.need()
        vacancies = self.seats - len(self.elected)
        return self.needed_category(c, need) or vacancies - 1 >= sum(need.values())

    def protected(self) -> set[int]:
        """Continuing candidates who may not be excluded (their category needs them all)."""
        if not self.minimums:
            return set()
        need = self.need()
        out: set[int] = set()
        for cat, k in need.items():
            members = [i for i in self.continuing() if self.candidates[i].category == cat]
            if k > 0 and len(members) <= k:
                out.update(members)
        return out

    def barred(self) -> list[int]:
        """Continuing candidates to exclude because the vacancies left are all reserved."""
        if not self.minimums:
            return []
        need = self.need()
        vacancies = self.seats - len(self.elected)
        if sum(need.values()) < vacancies:
            return []
        return [c for c in self.continuing() if not self.needed_category(c, need)]

    # ------------------------------------------------------------------ helpers

    def continuing(self) -> list[int]:
        return [c for c, s in enumerate(self.status) if s == CONTINUING]

    def set_status(self, c: int, status: int) -> None:
        self.status[c] = status
        self.usable[c] = status == CONTINUING

    def record(
        self,
        action: str,
        source: list[int],
        changes: list[int],
        non_transferable: int = 0,
        transfer_values: tuple[TransferValue, ...] = (),
        excluded: tuple[Decision, ...] = (),
        ties: list[TieBreak] | None = None,
        note: str = "",
    ) -> list[TieBreak]:
        """Close a stage: deem candidates elected, apply rule 52, write the round."""
        tallies = tuple(self.votes)
        self.history.append(tallies)
        ties = list(ties or [])
        elected = self.elect_at_quota()
        vacancies = self.seats - len(self.elected)
        if vacancies > 0 and self.status.count(CONTINUING) <= vacancies and not self.barred():
            cont = self.continuing()
            reason = (
                "rule 52: the continuing candidates are as many as the vacancies"
                if len(cont) == vacancies
                else "rule 52: fewer continuing candidates than vacancies"
            )
            for c in _order_by_votes(cont, self.votes):
                self.set_status(c, ELECTED)
                self.elected.append(c)
                elected.append(Decision(c + 1, reason))
        self.sheet.rounds.append(
            Round(
                stage=self.stage,
                action=action,
                source=tuple(c + 1 for c in source),
                tallies=tallies,
                changes=tuple(changes[: self.n]),
                non_transferable=int(non_transferable),
                exhausted=int(self.exhausted),
                lost=int(self.lost),
                transfer_values=transfer_values,
                elected=tuple(elected),
                excluded=excluded,
                ties=tuple(ties),
                note=note,
            )
        )
        return ties

    def elect_at_quota(self) -> list[Decision]:
        """Rule 47, in order of votes (then number); respects category minimums."""
        out: list[Decision] = []
        quota, votes = self.quota, self.votes
        cands = [c for c, s in enumerate(self.status) if s == CONTINUING and votes[c] >= quota]
        if not cands:
            return out
        for c in _order_by_votes(cands, self.votes):
            if len(self.elected) >= self.seats:
                break
            if not self.may_elect(c):
                continue
            self.set_status(c, ELECTED)
            self.elected.append(c)
            out.append(Decision(c + 1, f"reached the quota with {fmt(votes[c], SCALE)}"))
        return out

    def values_table(
        self, v_in: IntArray, w: IntArray, surplus: int = 0, total: int = 0
    ) -> tuple[TransferValue, ...]:
        """Papers moved, grouped by their value when received.

        For a surplus each group moves at ``surplus × value // total`` (rule 48(3));
        for an exclusion (``total`` 0) at the value it carries.
        """
        if len(v_in) == 0:
            return ()

        def row(v: int, papers: int) -> TransferValue:
            return TransferValue(v, surplus * v // total if total else v, papers)

        first = int(v_in[0])
        if bool((v_in == first).all()):  # the usual case: one value
            return (row(first, int(w.sum())),)
        order = np.argsort(-v_in, kind="stable")
        k = v_in.take(order)
        starts = np.concatenate(([0], (k[1:] != k[:-1]).nonzero()[0] + 1))
        papers = np.add.reduceat(w.take(order), starts)
        return tuple(
            row(v, p) for v, p in zip(k.take(starts).tolist(), papers.tolist(), strict=True)
        )

    # ------------------------------------------------------------------ stages

    def first_stage(self) -> None:
        p = self.p
        g = len(p.weight)
        holders = p.advance(np.arange(g, dtype=np.int64), self.usable)
        valid = holders < self.n
        papers = int(p.weight[valid].sum())
        self.sheet.papers = papers
        self.sheet.empty_papers = int(p.weight[~valid].sum())
        self.quota = (papers // (self.seats + 1) + 1) * SCALE
        self.sheet.quota = self.quota
        self.sheet.total = papers * SCALE
        sums = p.sums(holders[valid], p.weight[valid] * SCALE)
        self.votes = [int(v) for v in sums[: self.n].tolist()]
        self.stage = 1
        self.record("first preferences", [], list(self.votes))

    def transfer_surplus(self, c: int, ties: list[TieBreak]) -> None:
        p = self.p
        idx = (p.holder == c).nonzero()[0]
        total = self.votes[c]
        surplus = total - self.quota
        v_in = p.value[idx]
        if p.big:
            v_out = np.asarray([surplus * int(v) // total for v in v_in.tolist()], dtype=np.int64)
        else:
            v_out = (surplus * v_in) // total
        p.value[idx] = v_out
        holders = p.advance(idx, self.usable)
        moved = p.weight[idx] * v_out
        changes = [int(x) for x in p.sums(holders, moved).tolist()]
        non_transferable = changes[self.n]
        lost = surplus - sum(changes)
        self.votes = [v + d for v, d in zip(self.votes, changes, strict=False)]
        changes[c] = -surplus
        self.votes[c] = self.quota
        self.exhausted += non_transferable
        self.lost += lost
        self.transferred.add(c)
        self.stage += 1
        note = ""
        if lost:
            note = f"{fmt(lost, SCALE)} lost by truncating transfer values to 5 decimal places"
        self.record(
            "transfer of surplus",
            [c],
            changes,
            non_transferable,
            self.values_table(v_in, p.weight[idx], surplus, total),
            ties=ties,
            note=note,
        )

    def exclude(self, cands: list[int], reasons: list[str], ties: list[TieBreak]) -> None:
        p = self.p
        for c in cands:
            self.set_status(c, EXCLUDED)
        mask = p.holder == cands[0] if len(cands) == 1 else np.isin(p.holder, cands)
        idx = (mask).nonzero()[0]
        v_in = p.value[idx]
        held = p.weight[idx] * v_in
        holders = p.advance(idx, self.usable)
        changes = [int(x) for x in p.sums(holders, held).tolist()]
        # Only continuing candidates receive papers.
        self.votes = [v + d for v, d in zip(self.votes, changes, strict=False)]
        for c in cands:
            changes[c] = -self.votes[c]
            self.votes[c] = 0
        non_transferable = changes[self.n]
        self.exhausted += non_transferable
        self.stage += 1
        self.record(
            "exclusion",
            cands,
            changes,
            non_transferable,
            self.values_table(v_in, p.weight[idx]),
            excluded=tuple(Decision(c + 1, r) for c, r in zip(cands, reasons, strict=True)),
            ties=ties,
        )

    def choose_surplus(self, pending: list[int]) -> tuple[int, list[TieBreak]]:
        top = max(self.votes[c] for c in pending)
        tied = [c for c in pending if self.votes[c] == top]
        if len(tied) == 1:
            return tied[0], []
        return self.break_tie(tied, lowest=False, purpose="surplus order")

    def choose_exclusion(self) -> tuple[int, list[TieBreak], str]:
        protected = self.protected()
        cands = [c for c in self.continuing() if c not in protected]
        low = min(self.votes[c] for c in cands)
        tied = [c for c in cands if self.votes[c] == low]
        reason = f"lowest number of votes ({fmt(low, SCALE)})"
        if protected:
            names = ", ".join(str(c + 1) for c in sorted(protected))
            reason += f"; not excluding {names}, needed for a category minimum"
        if len(tied) == 1:
            return tied[0], [], reason
        chosen, ties = self.break_tie(tied, lowest=True, purpose="exclusion")
        return chosen, ties, reason + ", tie broken (rule 51)"

    def break_tie(
        self, tied: list[int], *, lowest: bool, purpose: str
    ) -> tuple[int, list[TieBreak]]:
        stage = self.stage + 1
        left, decided = look_back(tied, self.history, lowest=lowest)
        if len(left) == 1:
            tb = TieBreak(
                stage,
                purpose,
                tuple(c + 1 for c in sorted(tied)),
                "look-back",
                left[0] + 1,
                decided,
            )
            return left[0], [tb]
        chosen = self.lot.draw([c + 1 for c in left]) - 1
        tb = TieBreak(
            stage,
            purpose,
            tuple(c + 1 for c in sorted(tied)),
            "lot",
            chosen + 1,
            decided,
            seed=self.seed,
            draw=self.lot.draws,
        )
        return chosen, [tb]

    # ------------------------------------------------------------------ main loop

    def run(self) -> CountSheet:
        self.sheet.notes.extend(self._pending_notes)
        if self.seats > self.n - self.status.count(WITHDRAWN):
            self.sheet.notes.append("fewer candidates than seats")
        self.first_stage()
        while len(self.elected) < self.seats and self.continuing():
            barred = self.barred()
            if barred:
                need = self.need()
                wanted = ", ".join(f"{k} for {cat!r}" for cat, k in need.items() if k)
                reason = (
                    f"the {self.seats - len(self.elected)} remaining seat(s) are needed for "
                    f"the category minimums ({wanted})"
                )
                barred = _order_by_votes(barred, self.votes)[::-1]
                self.exclude(barred, [reason] * len(barred), [])
                continue
            pending = [
                c for c in self.elected if c not in self.transferred and self.votes[c] > self.quota
            ]
            if pending:
                c, ties = self.choose_surplus(pending)
                self.transfer_surplus(c, ties)
                continue
            c, ties, reason = self.choose_exclusion()
            self.exclude([c], [reason], ties)
        self.sheet.elected = [c + 1 for c in self.elected]
        return self.sheet
