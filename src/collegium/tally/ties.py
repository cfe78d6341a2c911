"""Breaking ties: the statute's look-back, then the lot.

The lot is reproducible by anyone from the printed seed: draw number ``k`` among tied
candidates ``c_1 < c_2 < … < c_m`` (1-based numbers) picks ``c_(i+1)`` where ``i`` is the
first 8 bytes of ``SHA-256("collegium-lot:{seed}:{k}:{c_1},{c_2},…")``, read as a
big-endian integer, modulo ``m``. No library random generator is involved, so the result
does not depend on the version of Python or numpy.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any


class Lot:
    """Draws by lot from a seed; counts its draws."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.draws = 0

    def draw(self, tied: Sequence[int]) -> int:
        """Choose one of ``tied`` (candidate numbers) by lot."""
        ordered = sorted(tied)
        self.draws += 1
        text = f"collegium-lot:{self.seed}:{self.draws}:{','.join(map(str, ordered))}"
        digest = hashlib.sha256(text.encode()).digest()
        return ordered[int.from_bytes(digest[:8], "big") % len(ordered)]

    def order(self, tied: Sequence[int]) -> list[int]:
        """An order of ``tied`` by successive draws (first drawn first)."""
        left = list(tied)
        out: list[int] = []
        while len(left) > 1:
            c = self.draw(left)
            out.append(c)
            left.remove(c)
        return out + left


def look_back(
    tied: Sequence[int], history: Sequence[Any], *, lowest: bool
) -> tuple[list[int], int | None]:
    """Narrow a tie by the totals at earlier stages.

    ``tied``: 0-based candidate indices, equal at the last entry of ``history`` (the
    stage just ended). Goes back stage by stage to the most recent one at which they
    had unequal totals, keeps those with the lowest (``lowest``) or highest total there,
    and goes on with those further back while more than one is left. Returns the
    remaining candidates and the 1-based stage that decided last (``None`` if none did).
    """
    left = list(tied)
    decided: int | None = None
    for stage in range(len(history) - 2, -1, -1):
        if len(left) == 1:
            break
        row = history[stage]
        values = [int(row[c]) for c in left]
        target = min(values) if lowest else max(values)
        narrowed = [c for c, v in zip(left, values, strict=True) if v == target]
        if len(narrowed) < len(left):
            left = narrowed
            decided = stage + 1
    return left, decided
