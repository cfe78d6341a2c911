"""Boards (collegia) and their seats.

Every body is run by an elected board. The election lifecycle itself (nominations,
secret ballots, counts, recall) builds on these tables.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models


class SeatRole(models.TextChoices):
    BOARD = "board", "Board member"
    DELEGATE = "delegate", "Delegate to the parent body"


class Seat(models.Model):
    """A member holding a seat on a body's board for a term."""

    body = models.ForeignKey(
        "federation.Body", on_delete=models.PROTECT, related_name="board_seats"
    )
    holder = models.ForeignKey("federation.Member", on_delete=models.PROTECT, related_name="seats")
    term_start = models.DateField()
    term_end = models.DateField()
    vacated_on = models.DateField(null=True, blank=True)
    # How the seat was filled: "founding" (taken over from before Collegium), "election",
    # "countback".
    basis = models.CharField(max_length=20, default="election")
    # A board seat, or a delegate's seat representing ``body`` in its parent body.
    role = models.CharField(max_length=10, choices=SeatRole.choices, default=SeatRole.BOARD)
    # Set while the holder works full time for the body, away from production.
    full_time_since = models.DateField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["body", "term_start", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["body", "holder", "role"],
                condition=models.Q(vacated_on__isnull=True),
                name="one_open_seat_per_member_per_role",
            )
        ]

    def __str__(self) -> str:
        if self.role == SeatRole.DELEGATE:
            return f"{self.holder}, delegate of {self.body}"
        return f"{self.holder} on the board of {self.body}"


def _random_key() -> str:
    import secrets

    return secrets.token_urlsafe(18)


class Election(models.Model):
    """An election of a body's board: nomination → voting → counted (or cancelled)."""

    class State(models.TextChoices):
        NOMINATION = "nomination", "Nominations open"
        VOTING = "voting", "Voting open"
        COUNTED = "counted", "Counted"
        CANCELLED = "cancelled", "Cancelled"

    public_id = models.CharField(max_length=24, unique=True, default=_random_key)
    body = models.ForeignKey("federation.Body", on_delete=models.PROTECT, related_name="elections")
    state = models.CharField(max_length=12, choices=State.choices, default=State.NOMINATION)
    # Fixed from the charter when the election is called, so a later charter change does
    # not move the goalposts of a running election.
    seats = models.PositiveSmallIntegerField()
    quota_category = models.CharField(max_length=40, default="production_worker")
    reserved_seats = models.PositiveSmallIntegerField(default=0)
    term_months = models.PositiveSmallIntegerField()
    method = models.CharField(max_length=20, default="scottish-stv")
    # What the election fills: the body's board, or its delegates to the parent body.
    purpose = models.CharField(max_length=10, choices=SeatRole.choices, default=SeatRole.BOARD)
    # A by-election fills only the vacant seats, for the rest of the sitting term.
    by_election = models.BooleanField(default=False)
    term_end = models.DateField(null=True, blank=True)
    nominations_close_at = models.DateTimeField()
    voting_closes_at = models.DateTimeField()
    called_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    counted_at = models.DateTimeField(null=True, blank=True)
    # After the count: the count sheet, the shuffled ballots (BLT) and the trackers.
    count_sheet = models.JSONField(null=True, blank=True)
    elected = models.JSONField(default=list, blank=True)
    published_ballots = models.TextField(blank=True)
    published_trackers = models.TextField(blank=True)
    ballots_digest = models.CharField(max_length=64, blank=True)
    cancel_reason = models.TextField(blank=True)
    cancel_reason_salt = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering: ClassVar = ["-called_at"]

    def __str__(self) -> str:
        return f"Election of the board of {self.body}"


class Nomination(models.Model):
    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="nominations")
    nominee = models.ForeignKey(
        "federation.Member", on_delete=models.PROTECT, related_name="nominations"
    )
    nominated_by = models.ForeignKey(
        "federation.Member", on_delete=models.PROTECT, related_name="nominations_made"
    )
    statement = models.TextField(blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    # The candidate's number on the ballot, given when voting opens (1-based).
    number = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["number", "nominee__family_name"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["election", "nominee"], name="one_nomination_each")
        ]

    def __str__(self) -> str:
        return f"{self.nominee} for {self.election}"


class NominationSignature(models.Model):
    nomination = models.ForeignKey(Nomination, on_delete=models.PROTECT, related_name="signatures")
    member = models.ForeignKey("federation.Member", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["nomination", "member"], name="one_cosign_each")
        ]

    def __str__(self) -> str:
        return f"{self.member} co-signs {self.nomination}"


class RollEntry(models.Model):
    """Who voted (public). Nothing here or in ``Ballot`` links a voter to a ballot."""

    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="roll")
    member = models.ForeignKey("federation.Member", on_delete=models.PROTECT, related_name="+")
    weight = models.PositiveIntegerField(default=1)
    # Delegates vote by public, weighted roll call: their ranking is published with their
    # name. Members' ballots are secret and this stays empty.
    public_ranking = models.JSONField(null=True, blank=True)

    class Meta:
        constraints: ClassVar = [
            # One counted ballot per voter, guaranteed by the database even under races.
            models.UniqueConstraint(fields=["election", "member"], name="one_ballot_per_voter")
        ]

    def __str__(self) -> str:
        return f"{self.member} voted in {self.election}"


class Ballot(models.Model):
    """What was voted: a random key, the ranking and its weight; no voter, no time."""

    key = models.CharField(max_length=32, primary_key=True, default=_random_key)
    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="ballots")
    ranking = models.JSONField()  # candidate numbers, most preferred first
    weight = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return "a secret ballot"


class Tracker(models.Model):
    """The voter's receipt: proves a ballot was received, not what it says."""

    code = models.CharField(max_length=32, primary_key=True, default=_random_key)
    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="trackers")

    def __str__(self) -> str:
        return self.code


class RecallPetition(models.Model):
    """Members' petition to recall a seat-holder; at the charter's threshold it becomes a
    secret recall ballot of the seat's electorate."""

    class State(models.TextChoices):
        COLLECTING = "collecting", "Collecting signatures"
        BALLOT = "ballot", "Recall ballot open"
        RECALLED = "recalled", "Recalled"
        REJECTED = "rejected", "Recall rejected by the ballot"
        LAPSED = "lapsed", "Lapsed (threshold not reached in time)"

    public_id = models.CharField(max_length=24, unique=True, default=_random_key)
    seat = models.ForeignKey(Seat, on_delete=models.PROTECT, related_name="recall_petitions")
    started_by = models.ForeignKey(
        "federation.Member", on_delete=models.PROTECT, related_name="recalls_started"
    )
    reason = models.TextField()
    reason_salt = models.CharField(max_length=64)
    state = models.CharField(max_length=12, choices=State.choices, default=State.COLLECTING)
    opened_at = models.DateTimeField()
    collect_until = models.DateTimeField()
    electorate_size = models.PositiveIntegerField()
    signatures_needed = models.PositiveIntegerField()
    ballot_opened_at = models.DateTimeField(null=True, blank=True)
    ballot_closes_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(null=True, blank=True)
    replacement = models.ForeignKey(
        "federation.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    vacancy_note = models.TextField(blank=True)

    class Meta:
        ordering: ClassVar = ["-opened_at"]

    def __str__(self) -> str:
        return f"Recall of {self.seat.holder}"


class RecallSignature(models.Model):
    petition = models.ForeignKey(
        RecallPetition, on_delete=models.PROTECT, related_name="signatures"
    )
    member = models.ForeignKey("federation.Member", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["petition", "member"], name="one_recall_signature")
        ]

    def __str__(self) -> str:
        return f"{self.member} signs {self.petition}"


class RecallRollEntry(models.Model):
    petition = models.ForeignKey(RecallPetition, on_delete=models.PROTECT, related_name="roll")
    member = models.ForeignKey("federation.Member", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["petition", "member"], name="one_recall_ballot_each")
        ]

    def __str__(self) -> str:
        return f"{self.member} voted on {self.petition}"


class RecallBallot(models.Model):
    class Choice(models.TextChoices):
        YES = "yes", "Yes, recall"
        NO = "no", "No, keep"
        ABSTAIN = "abstain", "Abstain"

    key = models.CharField(max_length=32, primary_key=True, default=_random_key)
    petition = models.ForeignKey(RecallPetition, on_delete=models.PROTECT, related_name="ballots")
    choice = models.CharField(max_length=8, choices=Choice.choices)

    def __str__(self) -> str:
        return "a secret recall ballot"


class RecallTracker(models.Model):
    code = models.CharField(max_length=32, primary_key=True, default=_random_key)
    petition = models.ForeignKey(RecallPetition, on_delete=models.PROTECT, related_name="trackers")

    def __str__(self) -> str:
        return self.code


class MandatePosition(models.TextChoices):
    FOR = "for", "For"
    AGAINST = "against", "Against"
    FREE = "free", "Free vote"


class Mandate(models.Model):
    """A body's instruction to its delegates on a question pending in the parent body: a
    proposal there before its vote, or (for questions not in Collegium) a text."""

    public_id = models.CharField(max_length=24, unique=True, default=_random_key)
    body = models.ForeignKey("federation.Body", on_delete=models.PROTECT, related_name="mandates")
    question = models.TextField()
    proposal = models.ForeignKey(
        "decisions.Proposal",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="mandates",
    )
    position = models.CharField(max_length=8, choices=MandatePosition.choices)
    adopted_at = models.DateTimeField()
    adopted_by = models.ForeignKey("federation.Member", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering: ClassVar = ["-adopted_at"]

    def __str__(self) -> str:
        return f"Mandate of {self.body}: {self.position}"


class DelegateVote(models.Model):
    """How a delegate voted on a mandated question, published beside the mandate."""

    class Vote(models.TextChoices):
        FOR = "for", "For"
        AGAINST = "against", "Against"
        ABSTAIN = "abstain", "Abstained"

    mandate = models.ForeignKey(Mandate, on_delete=models.PROTECT, related_name="votes")
    delegate = models.ForeignKey("federation.Member", on_delete=models.PROTECT, related_name="+")
    vote = models.CharField(max_length=8, choices=Vote.choices)
    recorded_at = models.DateTimeField()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["mandate", "delegate"], name="one_vote_per_delegate")
        ]

    def __str__(self) -> str:
        return f"{self.delegate} voted {self.vote}"

    @property
    def breach(self) -> bool:
        """A vote against a for/against mandate (abstaining breaches it too)."""
        return self.mandate.position != MandatePosition.FREE and self.vote != self.mandate.position
