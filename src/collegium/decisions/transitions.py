"""The lifecycles of proposals and decisions as tables of allowed transitions.

Every service that changes a state goes through ``move``, so no sequence of actions can
reach a state the table does not allow (a property test drives random sequences).
"""

from __future__ import annotations

PROPOSAL: dict[str, set[str]] = {
    "deliberation": {"voting", "withdrawn"},
    "voting": {"decided", "deliberation"},  # back to discussion when the vote is rejected
    "decided": set(),
    "withdrawn": set(),
}

DECISION: dict[str, set[str]] = {
    "voting": {"review", "final", "rejected"},
    "review": {"final", "overturned"},
    "final": set(),
    "rejected": set(),
    "overturned": set(),
}

INITIATIVE: dict[str, set[str]] = {
    "collecting": {"on_agenda", "lapsed"},
    # Escalation keeps it on an agenda, one level up (a new step, same state).
    "on_agenda": {"decided"},
    "decided": set(),
    "lapsed": set(),
}

CONTRACT: dict[str, set[str]] = {
    "ratifying": {"in_force", "refused"},
    "in_force": set(),
    "refused": set(),
}

MEETING: dict[str, set[str]] = {"scheduled": {"held"}, "held": set()}


class DecisionError(ValueError):
    """Not possible in the present state, or with this input."""


class TransitionError(DecisionError):
    """A move the lifecycle table does not allow."""


def move(table: dict[str, set[str]], current: str, new: str, what: str) -> str:
    if new not in table.get(current, set()):
        raise TransitionError(
            f"the {what} is {current.replace('_', ' ')}; it cannot become {new.replace('_', ' ')}"
        )
    return new
