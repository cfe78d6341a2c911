"""The lifecycles of dwellings, applications and allocations as tables of allowed moves.

Every service that changes one of these states goes through ``move``; a property test
drives random sequences of services and checks that the register stays consistent.
"""

from __future__ import annotations

DWELLING: dict[str, set[str]] = {
    "vacant": {"occupied", "under_repair"},
    "under_repair": {"vacant", "occupied"},  # a household may be recorded living there
    "occupied": {"vacant"},
}

APPLICATION: dict[str, set[str]] = {
    "active": {"withdrawn", "housed"},
    "withdrawn": set(),
    "housed": set(),
}

ALLOCATION: dict[str, set[str]] = {
    "voting": {"allocated", "lapsed"},
    "allocated": set(),
    "lapsed": set(),
}


class TransitionError(ValueError):
    """A move the lifecycle table does not allow."""


def move(table: dict[str, set[str]], current: str, new: str, what: str) -> str:
    if new not in table.get(current, set()):
        raise TransitionError(
            f"the {what} is {current.replace('_', ' ')}; it cannot become {new.replace('_', ' ')}"
        )
    return new
