"""The count sheet: what every count returns.

Numbers are exact integers in units of ``1/scale`` (``scale`` is 10**5 for Scottish STV,
whose transfer values have five decimal places; 10**9 for Meek STV; 1 for counts of whole
votes). :func:`fmt` writes them as decimal strings; :meth:`CountSheet.to_json` gives a
plain dict of ints and decimal strings (no floats), :meth:`CountSheet.to_text` a table for
people.

Candidates are named by their 1-based numbers everywhere in a sheet.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from collegium.tally.model import Candidate


def fmt(value: int, scale: int) -> str:
    """``value / scale`` as an exact decimal string with all its places (``scale`` = 10**d)."""
    if scale == 1:
        return str(value)
    places = len(str(scale)) - 1
    sign = "-" if value < 0 else ""
    whole, frac = divmod(abs(value), scale)
    return f"{sign}{whole}.{frac:0{places}d}"


@dataclass(frozen=True, slots=True)
class TieBreak:
    """A tie met in the count, and how it was broken.

    ``purpose``: ``"exclusion"`` (rule 51), ``"surplus order"`` (rule 49), ``"election"``,
    ``"ranking"`` (Schulze, approval). ``method``: ``"look-back"`` (the totals at
    ``decided_at``, the most recent earlier stage at which the tied candidates differed)
    or ``"lot"`` (drawn from ``seed``; ``draw`` is the number of the draw in this count).
    """

    stage: int
    purpose: str
    tied: tuple[int, ...]
    method: str
    chosen: int
    decided_at: int | None = None
    seed: int | None = None
    draw: int | None = None

    def describe(self) -> str:
        names = ", ".join(str(c) for c in self.tied)
        if self.method == "look-back":
            how = f"by the totals at stage {self.decided_at} (look-back)"
        else:
            how = f"by lot (seed {self.seed}, draw {self.draw})"
        return f"tie for {self.purpose} between {names}: {self.chosen} chosen {how}"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "stage": self.stage,
            "purpose": self.purpose,
            "tied": list(self.tied),
            "method": self.method,
            "chosen": self.chosen,
        }
        if self.decided_at is not None:
            out["decided_at"] = self.decided_at
        if self.seed is not None:
            out["seed"] = self.seed
            out["draw"] = self.draw
        return out


@dataclass(frozen=True, slots=True)
class Decision:
    """A candidate elected or excluded, and why."""

    candidate: int
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"candidate": self.candidate, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class TransferValue:
    """Papers that moved at one value: ``value_in`` when received, ``value`` now."""

    value_in: int
    value: int
    papers: int


@dataclass(frozen=True, slots=True)
class Round:
    """One stage of the count.

    ``tallies`` and ``changes`` are indexed by candidate number - 1. ``non_transferable``
    is the value set aside at this stage, ``exhausted`` and ``lost`` are running totals
    (``lost``: fractions of a vote not transferred because transfer values are truncated).
    In every round ``sum(tallies) + exhausted + lost == total`` of the sheet.
    """

    stage: int
    action: str
    source: tuple[int, ...]
    tallies: tuple[int, ...]
    changes: tuple[int, ...]
    non_transferable: int = 0
    exhausted: int = 0
    lost: int = 0
    transfer_values: tuple[TransferValue, ...] = ()
    elected: tuple[Decision, ...] = ()
    excluded: tuple[Decision, ...] = ()
    ties: tuple[TieBreak, ...] = ()
    quota: int | None = None
    keep_factors: tuple[int, ...] | None = None
    iterations: int | None = None
    note: str = ""

    def to_json(self, scale: int) -> dict[str, Any]:
        out: dict[str, Any] = {
            "stage": self.stage,
            "action": self.action,
            "from": list(self.source),
            "tallies": {str(i + 1): fmt(v, scale) for i, v in enumerate(self.tallies)},
            "changes": {str(i + 1): fmt(v, scale) for i, v in enumerate(self.changes) if v},
            "non_transferable": fmt(self.non_transferable, scale),
            "exhausted": fmt(self.exhausted, scale),
            "lost": fmt(self.lost, scale),
            "elected": [d.to_json() for d in self.elected],
            "excluded": [d.to_json() for d in self.excluded],
            "ties": [t.to_json() for t in self.ties],
        }
        if self.transfer_values:
            out["transfer_values"] = [
                {
                    "value_in": fmt(t.value_in, scale),
                    "value": fmt(t.value, scale),
                    "papers": t.papers,
                }
                for t in self.transfer_values
            ]
        if self.quota is not None:
            out["quota"] = fmt(self.quota, scale)
        if self.keep_factors is not None:
            out["keep_factors"] = {
                str(i + 1): fmt(v, scale) for i, v in enumerate(self.keep_factors)
            }
        if self.iterations is not None:
            out["iterations"] = self.iterations
        if self.note:
            out["note"] = self.note
        return out


METHOD_TITLES = {
    "scottish-stv": "Scottish STV",
    "meek-stv": "Meek STV",
    "schulze": "Schulze",
    "approval": "Approval",
}


@dataclass(slots=True)
class CountSheet:
    """The full record of a count. ``elected`` lists candidate numbers in order of election.

    Schulze sheets also carry ``pairwise`` (``pairwise[i][j]``: weight of ballots that
    prefer ``i+1`` to ``j+1``) and ``strongest`` (strengths of the strongest paths), and
    ``ranking``: every alternative, best first.
    """

    method: str
    seats: int
    candidates: tuple[Candidate, ...]
    scale: int
    total: int
    papers: int
    empty_papers: int
    seed: int
    elected: list[int] = field(default_factory=list)
    rounds: list[Round] = field(default_factory=list)
    quota: int | None = None
    withdrawn: tuple[int, ...] = ()
    minimums: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    ranking: list[int] | None = None
    pairwise: list[list[int]] | None = None
    strongest: list[list[int]] | None = None
    extra_ties: list[TieBreak] = field(default_factory=list)
    title: str = ""

    @property
    def complete(self) -> bool:
        """All seats filled."""
        return len(self.elected) == self.seats

    @property
    def ties(self) -> list[TieBreak]:
        out = [t for r in self.rounds for t in r.ties]
        return out + list(self.extra_ties)

    @property
    def elected_candidates(self) -> list[Candidate]:
        return [self.candidates[c - 1] for c in self.elected]

    def name(self, number: int) -> str:
        return self.candidates[number - 1].name

    def to_json(self) -> dict[str, Any]:
        """A plain dict (ints and decimal strings only), the ``--json`` line of the CLI."""
        out: dict[str, Any] = {
            "method": self.method,
            "seats": self.seats,
            "elected": list(self.elected),
            "candidates": [c.to_json() for c in self.candidates],
            "papers": self.papers,
            "empty_papers": self.empty_papers,
            "total": fmt(self.total, self.scale),
            "quota": None if self.quota is None else fmt(self.quota, self.scale),
            "seed": self.seed,
            "complete": self.complete,
            "rounds": [r.to_json(self.scale) for r in self.rounds],
            "ties": [t.to_json() for t in self.ties],
        }
        if self.title:
            out["title"] = self.title
        if self.withdrawn:
            out["withdrawn"] = list(self.withdrawn)
        if self.minimums:
            out["minimums"] = dict(self.minimums)
        if self.notes:
            out["notes"] = list(self.notes)
        if self.ranking is not None:
            out["ranking"] = list(self.ranking)
        if self.pairwise is not None:
            out["pairwise"] = [list(r) for r in self.pairwise]
        if self.strongest is not None:
            out["strongest"] = [list(r) for r in self.strongest]
        return out

    # ------------------------------------------------------------------ text

    def to_text(self) -> str:
        """A readable count sheet (what ``collegium tally`` prints)."""
        s = self.scale
        lines: list[str] = []
        head = METHOD_TITLES.get(self.method, self.method)
        if self.title:
            head += f" — {self.title}"
        lines.append(head)
        lines.append("=" * len(head))
        seat_word = "seat" if self.seats == 1 else "seats"
        lines.append(
            f"{self.seats} {seat_word}, {len(self.candidates)} candidates; "
            f"valid papers {self.papers}, empty papers {self.empty_papers}"
        )
        if self.quota is not None:
            lines.append(f"Quota: {fmt(self.quota, s)}")
        lines.append(f"Seed of the lot: {self.seed}")
        for cat, k in self.minimums.items():
            lines.append(f"Charter: at least {k} seat(s) for category {cat!r}")
        for c in self.withdrawn:
            lines.append(f"Withdrawn: {c} {self.name(c)}")
        for note in self.notes:
            lines.append(f"Note: {note}")
        width = max((len(c.name) for c in self.candidates), default=4)
        width = min(max(width, 9), 40)
        for r in self.rounds:
            lines.append("")
            src = ", ".join(f"{c} {self.name(c)}" for c in r.source)
            title = f"Stage {r.stage}: {r.action}" + (f" of {src}" if src else "")
            lines.append(title)
            lines.append("-" * len(title))
            if r.quota is not None and r.quota != self.quota:
                lines.append(f"  quota {fmt(r.quota, s)}")
            for tv in r.transfer_values:
                if tv.value_in == tv.value:
                    lines.append(f"  {tv.papers} papers at value {fmt(tv.value, s)}")
                else:
                    lines.append(
                        f"  {tv.papers} papers received at {fmt(tv.value_in, s)} "
                        f"transferred at {fmt(tv.value, s)}"
                    )
            status = self._status_after(r.stage)
            for i, cand in enumerate(self.candidates):
                change = r.changes[i] if r.changes else 0
                ch = "" if change == 0 else ("+" if change > 0 else "") + fmt(change, s)
                name = cand.name if len(cand.name) <= width else cand.name[: width - 1] + "…"
                lines.append(
                    f"  {cand.number:>3} {name:<{width}} {ch:>16} {fmt(r.tallies[i], s):>16}"
                    f"  {status.get(cand.number, '')}"
                )
            if self.method != "approval":
                lines.append(
                    f"      {'non-transferable':<{width}} {fmt(r.non_transferable, s):>16} "
                    f"{fmt(r.exhausted, s):>16}"
                )
            if r.lost:
                lines.append(f"      {'lost to truncation':<{width}} {'':>16} {fmt(r.lost, s):>16}")
            for d in r.elected:
                lines.append(f"  elected: {d.candidate} {self.name(d.candidate)} ({d.reason})")
            for d in r.excluded:
                lines.append(f"  excluded: {d.candidate} {self.name(d.candidate)} ({d.reason})")
            for t in r.ties:
                lines.append(f"  {t.describe()}")
            if r.note:
                lines.append(f"  note: {r.note}")
        if self.pairwise is not None:
            lines.append("")
            lines.append("Pairwise preferences (row preferred to column)")
            lines.extend(_matrix_lines(self.pairwise))
        if self.strongest is not None:
            lines.append("")
            lines.append("Strongest paths")
            lines.extend(_matrix_lines(self.strongest))
        for t in self.extra_ties:
            lines.append(t.describe())
        if self.ranking is not None:
            lines.append("")
            lines.append("Ranking: " + ", ".join(f"{c} {self.name(c)}" for c in self.ranking))
        lines.append("")
        if self.elected:
            lines.append("Elected, in order:")
            for n, c in enumerate(self.elected, start=1):
                lines.append(f"  {n}. {c} {self.name(c)}")
        else:
            lines.append("Nobody elected.")
        if not self.complete:
            lines.append(f"Seats left unfilled: {self.seats - len(self.elected)}")
        return "\n".join(line.rstrip() for line in lines) + "\n"

    def _status_after(self, stage: int) -> dict[int, str]:
        status: dict[int, str] = {c: "withdrawn" for c in self.withdrawn}
        for r in self.rounds:
            if r.stage > stage:
                break
            for d in r.elected:
                status[d.candidate] = "elected"
            for d in r.excluded:
                status[d.candidate] = "excluded"
        return status


def _matrix_lines(m: Sequence[Sequence[int]]) -> list[str]:
    n = len(m)
    w = max([len(str(x)) for row in m for x in row] + [3])
    out = ["    " + " ".join(f"{j + 1:>{w}}" for j in range(n))]
    for i, row in enumerate(m):
        cells = " ".join(f"{'-':>{w}}" if i == j else f"{x:>{w}}" for j, x in enumerate(row))
        out.append(f"{i + 1:>3} {cells}")
    return out
