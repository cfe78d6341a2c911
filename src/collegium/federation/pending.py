"""What is waiting on a board or on a member, in one shape for every app.

Apps describe their open items as ``PendingItem``: the board's meeting agenda gathers them
from each app's ``agenda_items(body, now)``, and a member's "waiting for you" page from each
app's ``member_items(member, now)``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib import import_module
from typing import Any


@dataclass(frozen=True)
class PendingItem:
    kind: str  # "proposal", "initiative", "criticism", "condition_report", "contract", …
    title: str
    url: str
    since: dt.datetime
    due: dt.datetime | None = None
    overdue: bool = False
    note: str = ""  # why it is here, in words: "co-signed by 6 % of members", "your vote"
    mandatory: bool = False  # must be on the board's agenda (initiative, criticism share)


# Each module offers ``agenda_items(body, now)`` and ``member_items(member, now)``.
PROVIDERS: tuple[str, ...] = (
    "collegium.decisions.selectors",
    "collegium.elections.selectors",
    "collegium.criticism.selectors",
    "collegium.conditions.selectors",
    "collegium.housing.selectors",
)


def _gather(function: str, subject: Any, now: dt.datetime) -> list[PendingItem]:
    items: list[PendingItem] = []
    for name in PROVIDERS:
        provider = getattr(import_module(name), function, None)
        if provider is not None:
            items.extend(provider(subject, now))
    return items


def board_agenda(body: Any, now: dt.datetime) -> list[PendingItem]:
    """Everything waiting on a body's board: mandatory items first, then by due date."""
    # Nothing that arose after ``now`` (a meeting called for a past date in a replay).
    items = [i for i in _gather("agenda_items", body, now) if i.since <= now]
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    return sorted(items, key=lambda i: (not i.mandatory, not i.overdue, i.due or far, i.since))


def waiting_for(member: Any, now: dt.datetime) -> list[PendingItem]:
    """Everything waiting on a member: overdue first, then by due date."""
    items = _gather("member_items", member, now)
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    return sorted(items, key=lambda i: (not i.overdue, i.due or far, i.since))
