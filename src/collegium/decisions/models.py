"""Proposals and their versions, deliberation, amendments, and decisions: board roll
calls (public, with names) and referendums of the members (secret), with the review
window in which members can overturn a board decision."""

from __future__ import annotations

import secrets
from typing import ClassVar

from django.db import models


def _random_key() -> str:
    return secrets.token_urlsafe(18)


class Proposal(models.Model):
    class State(models.TextChoices):
        DELIBERATION = "deliberation", "Under discussion"
        VOTING = "voting", "Being voted on"
        DECIDED = "decided", "Decided"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Route(models.TextChoices):
        BOARD = "board", "Decided by the board (roll call, open to review)"
        MEMBERS = "members", "Decided by the members (referendum)"

    public_id = models.CharField(max_length=24, unique=True, default=_random_key)
    body = models.ForeignKey("federation.Body", on_delete=models.PROTECT, related_name="proposals")
    author = models.ForeignKey(
        "federation.Member", on_delete=models.PROTECT, related_name="proposals"
    )
    title = models.CharField(max_length=200)
    scope = models.CharField(max_length=200, blank=True)
    cost = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    route = models.CharField(max_length=8, choices=Route.choices, default=Route.BOARD)
    state = models.CharField(max_length=12, choices=State.choices, default=State.DELIBERATION)
    created_at = models.DateTimeField()

    class Meta:
        ordering: ClassVar = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class ProposalVersion(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    text = models.TextField()  # Markdown; rendered through the sanitiser
    rationale = models.TextField(blank=True)
    author = models.ForeignKey("federation.Member", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    # Why this version exists: "submitted", "revised by the author", "amendment …".
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering: ClassVar = ["proposal", "number"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["proposal", "number"], name="one_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.proposal} v{self.number}"


class Comment(models.Model):
    """Deliberation. There is no service that deletes or edits a comment."""

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="comments")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replies"
    )
    author = models.ForeignKey("federation.Member", on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering: ClassVar = ["created_at", "id"]

    def __str__(self) -> str:
        return f"comment on {self.proposal}"


class Amendment(models.Model):
    class State(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACCEPTED = "accepted", "Accepted by the author"
        DECLINED = "declined", "Declined by the author"

    public_id = models.CharField(max_length=24, unique=True, default=_random_key)
    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="amendments")
    author = models.ForeignKey("federation.Member", on_delete=models.PROTECT, related_name="+")
    original = models.TextField()  # the passage as it stands
    replacement = models.TextField()
    reason = models.TextField(blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PROPOSED)
    created_at = models.DateTimeField()
    based_on = models.PositiveIntegerField()  # version number it amends

    class Meta:
        ordering: ClassVar = ["created_at"]

    def __str__(self) -> str:
        return f"amendment to {self.proposal}"


class Decision(models.Model):
    """A vote and its outcome: a board roll call or a referendum of the members."""

    class Kind(models.TextChoices):
        ROLL_CALL = "roll_call", "Board roll call"
        REFERENDUM = "referendum", "Referendum of the members"

    class State(models.TextChoices):
        VOTING = "voting", "Voting"
        REVIEW = "review", "Adopted, open to review"
        FINAL = "final", "Final"
        REJECTED = "rejected", "Rejected"
        OVERTURNED = "overturned", "Overturned by the members"

    public_id = models.CharField(max_length=24, unique=True, default=_random_key)
    body = models.ForeignKey("federation.Body", on_delete=models.PROTECT, related_name="decisions")
    proposal = models.ForeignKey(
        Proposal, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions"
    )
    version = models.ForeignKey(
        ProposalVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    state = models.CharField(max_length=12, choices=State.choices, default=State.VOTING)
    threshold = models.CharField(max_length=20, default="simple-majority")
    quorum = models.CharField(max_length=10, default="1/2")  # share of the electorate
    electorate_size = models.PositiveIntegerField()
    opened_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    review_until = models.DateTimeField(null=True, blank=True)
    outcome = models.JSONField(null=True, blank=True)
    # A referendum held to overturn a board decision points at it.
    overturns = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="overturn_referendum"
    )

    class Meta:
        ordering: ClassVar = ["-opened_at"]
        indexes: ClassVar = [models.Index(fields=["body", "-opened_at"])]

    def __str__(self) -> str:
        return self.title


class RollCallVote(models.Model):
    """A board member's vote, published with their name."""

    class Vote(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "No"
        ABSTAIN = "abstain", "Abstain"

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="roll_call")
    member = models.ForeignKey("federation.Member", on_delete=models.PROTECT, related_name="+")
    vote = models.CharField(max_length=8, choices=Vote.choices)
    cast_at = models.DateTimeField()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["decision", "member"], name="one_roll_call_vote")
        ]

    def __str__(self) -> str:
        return f"{self.member}: {self.vote}"


class ReferendumRollEntry(models.Model):
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="referendum_roll")
    member = models.ForeignKey("federation.Member", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["decision", "member"], name="one_referendum_ballot")
        ]

    def __str__(self) -> str:
        return f"{self.member} voted"


class ReferendumBallot(models.Model):
    key = models.CharField(max_length=32, primary_key=True, default=_random_key)
    decision = models.ForeignKey(
        Decision, on_delete=models.PROTECT, related_name="referendum_ballots"
    )
    choice = models.CharField(max_length=8, choices=RollCallVote.Vote.choices)

    def __str__(self) -> str:
        return "a secret referendum ballot"


class ReferendumTracker(models.Model):
    code = models.CharField(max_length=32, primary_key=True, default=_random_key)
    decision = models.ForeignKey(
        Decision, on_delete=models.PROTECT, related_name="referendum_trackers"
    )

    def __str__(self) -> str:
        return self.code


class ReviewSignature(models.Model):
    """A member's signature under the petition to put a board decision to referendum."""

    decision = models.ForeignKey(
        Decision, on_delete=models.PROTECT, related_name="review_signatures"
    )
    member = models.ForeignKey("federation.Member", on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["decision", "member"], name="one_review_signature")
        ]

    def __str__(self) -> str:
        return f"{self.member} asks for a referendum"
