"""The lifecycles of a criticism and of an appeal against a moderation act, as tables of
allowed transitions.

Every service that changes a state goes through ``move``. Hiding is not a state of the
lifecycle: a hidden criticism keeps its place (and its deadlines) and stays listed with
the reason.

    open ──respond──▶ answered ──critic satisfied──▶ satisfied
      │                  │  ▲                            │
      │ deadline         │  └─────respond────────┐       │ unsatisfied (majority of
      ▼                  ▼ unsatisfied           │       ▼  co-signers)
    escalated ◀──────────┴───────────────────────┴── escalated (next board up)
      │ deadline at the congress
      ▼
    overdue ──respond──▶ answered
"""

from __future__ import annotations

CRITICISM: dict[str, set[str]] = {
    "open": {"answered", "escalated", "overdue"},
    "escalated": {"answered", "escalated", "overdue"},
    # Unsatisfied at the congress: it waits for the congress board again ("open").
    "answered": {"satisfied", "escalated", "open"},
    "satisfied": {"escalated", "open"},
    "overdue": {"answered"},
}

APPEAL: dict[str, set[str]] = {
    "": {"petition"},
    "petition": {"referendum"},
    "referendum": {"upheld", "rejected"},
    "upheld": set(),
    "rejected": set(),
}


class CriticismError(ValueError):
    """Not possible in the present state, or with this input. ``errors`` maps a field
    name to what is wrong with it."""

    def __init__(self, message: str, errors: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or {}


class TransitionError(CriticismError):
    """A move the lifecycle table does not allow."""


def move(table: dict[str, set[str]], current: str, new: str, what: str) -> str:
    if new not in table.get(current, set()):
        raise TransitionError(f"the {what} is {current or 'not appealed'}; it cannot become {new}")
    return new
