"""Boards (collegia) and their seats.

Every body is run by an elected board. The election lifecycle itself (nominations,
secret ballots, counts, recall) builds on these tables.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models


class Seat(models.Model):
    """A member holding a seat on a body's board for a term."""

    body = models.ForeignKey(
        "federation.Body", on_delete=models.PROTECT, related_name="board_seats"
    )
    holder = models.ForeignKey("federation.Member", on_delete=models.PROTECT, related_name="seats")
    term_start = models.DateField()
    term_end = models.DateField()
    vacated_on = models.DateField(null=True, blank=True)
    # How the seat was filled: "founding" (taken over from before Collegium), "election".
    basis = models.CharField(max_length=20, default="election")

    class Meta:
        ordering: ClassVar = ["body", "term_start", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["body", "holder"],
                condition=models.Q(vacated_on__isnull=True),
                name="one_open_seat_per_member_per_board",
            )
        ]

    def __str__(self) -> str:
        return f"{self.holder} on the board of {self.body}"
