"""What is waiting on a board or on a member, in one shape for every app.

Apps describe their open items as ``PendingItem``: the board's meeting agenda gathers them
from each app's ``agenda_items(body, now)``, and a member's "waiting for you" page from each
app's ``member_items(member, now)``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


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
