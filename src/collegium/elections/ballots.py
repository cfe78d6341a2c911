"""The secret-ballot storage pattern shared by elections, recall ballots and referendums.

Casting writes three rows with nothing that links them: the roll line (who voted; a
unique constraint allows one per voter), the ballot (what; a random key, no time) and the
tracker (the voter's receipt). See docs/adr/0007-secret-ballot-storage.md.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction


def store_secret_ballot(
    *,
    roll: Callable[[], object],
    ballot: Callable[[], object],
    tracker: Callable[[], Any],
    already_voted: Exception,
) -> str:
    """Write the roll line, then the ballot and the tracker; return the tracker's code.

    A second roll line for the same voter violates the database constraint (also under
    concurrent casting); ``already_voted`` is raised and nothing is written.
    """
    try:
        with transaction.atomic():
            roll()
    except IntegrityError:
        raise already_voted from None
    ballot()
    return str(tracker().code)
