"""The lifecycle of a condition report as a small table of allowed transitions.

Every service that changes a report's state goes through ``move``, so no sequence of
actions can reach a state the table does not allow (a property test drives random
sequences of actions by every role).

    awaiting ──confirm──> open ──remedy──> promised ──done──> done ──fixed──> fixed
                           │ ^                 │                │
                           │ └──(escalate)─────┘  (reject)      │
                           └──(escalate: open at the parent)    └─(not fixed)─> open

Escalation keeps the state ``open`` and moves the report to the parent body's board with
a new deadline; nothing is ever deleted, and ``fixed`` is final.
"""

from __future__ import annotations

AWAITING = "awaiting"
OPEN = "open"
PROMISED = "promised"
DONE = "done"
FIXED = "fixed"

REPORT: dict[str, set[str]] = {
    AWAITING: {OPEN},  # enough co-workers confirmed it
    OPEN: {OPEN, PROMISED},  # escalated to the parent board / a remedy is promised
    PROMISED: {DONE, OPEN},  # the board marks it done / the reporter rejects the remedy
    DONE: {FIXED, OPEN},  # the reporter confirms it is fixed / says it is not
    FIXED: set(),
}

REMEDY: dict[str, set[str]] = {
    "promised": {"done", "rejected"},
    "done": {"confirmed", "declined"},
    "rejected": set(),
    "confirmed": set(),
    "declined": set(),
}


class ConditionsError(ValueError):
    """Not possible in the present state, or with this input. ``errors`` maps a field
    (``""`` for the whole request) to what is wrong with it."""

    def __init__(self, errors: dict[str, str] | str) -> None:
        if isinstance(errors, str):
            errors = {"": errors}
        self.errors = errors
        super().__init__(
            "; ".join(f"{field}: {msg}" if field else msg for field, msg in errors.items())
        )


class TransitionError(ConditionsError):
    """A move the lifecycle table does not allow."""


WORDS = {
    AWAITING: "awaiting confirmation",
    OPEN: "open",
    PROMISED: "remedy promised",
    DONE: "marked done",
    FIXED: "fixed",
}


def move(table: dict[str, set[str]], current: str, new: str, what: str) -> str:
    if new not in table.get(current, set()):
        raise TransitionError(
            f"the {what} is {WORDS.get(current, current)}; it cannot become {WORDS.get(new, new)}"
        )
    return new
