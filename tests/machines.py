"""A base for the Hypothesis state machines that drive services against the database."""

from __future__ import annotations

from django.db import transaction
from hypothesis.stateful import RuleBasedStateMachine


class RolledBackMachine(RuleBasedStateMachine):
    """Each run of the machine happens in a savepoint rolled back at its teardown, so runs
    start from the same database and leave nothing behind."""

    def __init__(self) -> None:
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)
