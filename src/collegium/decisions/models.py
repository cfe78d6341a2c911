"""Proposals and their versions, deliberation, amendments, and decisions: board roll
calls (public, with names) and referendums of the members (secret), with the review
window in which members can overturn a board decision."""

from __future__ import annotations

import secrets
from typing import ClassVar

from django.db import models

from collegium.record.services import new_salt


def _random_key() -> str:
    return secrets.token_urlsafe(18)


class Proposal(models.Model):
    # Salts the record's fingerprints of this object's texts (record services).
    salt = models.CharField(max_length=32, default=new_salt, editable=False)

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
    # What the proposal acts on, for proposals that other apps start (an initiative, a
    # housing allocation): "app.thing" and its id; blank for ordinary proposals.
    subject_kind = models.CharField(max_length=40, blank=True)
    subject_id = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at"]
        indexes: ClassVar = [
            models.Index(fields=["body", "-created_at", "-id"], name="proposal_body_newest")
        ]

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

    # Salts the record's fingerprints of this object's texts (record services).
    salt = models.CharField(max_length=32, default=new_salt, editable=False)

    class Kind(models.TextChoices):
        ROLL_CALL = "roll_call", "Board roll call"
        REFERENDUM = "referendum", "Referendum of the members"
        ALTERNATIVES = "alternatives", "Referendum between alternatives"

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
    # What the decision acts on when another app asked for it (see ``effects``).
    subject_kind = models.CharField(max_length=40, blank=True)
    subject_id = models.CharField(max_length=40, blank=True)
    # The question put, where there is no proposal (a referendum called on a petition).
    text = models.TextField(blank=True)
    # Referendums between alternatives: the options, ranked on each ballot.
    options = models.JSONField(null=True, blank=True)
    # When the "closing soon" reminder went out, so the sweep sends it once.
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-opened_at"]
        indexes: ClassVar = [
            models.Index(fields=["body", "-opened_at", "-id"], name="decision_body_newest")
        ]

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
    choice = models.CharField(max_length=8, choices=RollCallVote.Vote.choices, blank=True)
    # Referendums between alternatives: option numbers, most preferred first.
    ranking = models.JSONField(null=True, blank=True)

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


class Initiative(models.Model):
    """A members' petition that puts an item on the board's agenda. Once the charter's share
    has signed, the board must decide it by the deadline, else it goes up the tree."""

    # Salts the record's fingerprints of this object's texts (record services).
    salt = models.CharField(max_length=32, default=new_salt, editable=False)

    class State(models.TextChoices):
        COLLECTING = "collecting", "Collecting signatures"
        ON_AGENDA = "on_agenda", "On the board's agenda"
        DECIDED = "decided", "Decided by the board"
        LAPSED = "lapsed", "Lapsed without enough signatures"

    public_id = models.CharField(max_length=24, unique=True, default=_random_key)
    body = models.ForeignKey("federation.Body", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey("federation.Member", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    text = models.TextField()
    state = models.CharField(max_length=12, choices=State.choices, default=State.COLLECTING)
    created_at = models.DateTimeField()
    collect_until = models.DateTimeField()
    signatures_needed = models.PositiveIntegerField()
    reached_at = models.DateTimeField(null=True, blank=True)
    # The body whose board must decide now (the initiative's body, then up the tree).
    current_body = models.ForeignKey(
        "federation.Body", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    deadline = models.DateTimeField(null=True, blank=True)
    # The proposal before the board that must decide (one per level).
    proposal = models.ForeignKey(
        Proposal, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at"]
        indexes: ClassVar = [models.Index(fields=["state", "deadline"])]

    def __str__(self) -> str:
        return self.title


class InitiativeSignature(models.Model):
    initiative = models.ForeignKey(Initiative, on_delete=models.PROTECT, related_name="signatures")
    member = models.ForeignKey("federation.Member", on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["initiative", "member"], name="one_initiative_signature"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} supports {self.initiative}"


class InitiativeStep(models.Model):
    """One level of an initiative's way up: which board had it, until when, and how it ended."""

    initiative = models.ForeignKey(Initiative, on_delete=models.PROTECT, related_name="steps")
    body = models.ForeignKey("federation.Body", on_delete=models.PROTECT, related_name="+")
    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField()
    deadline = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, blank=True)  # decided, escalated

    class Meta:
        ordering: ClassVar = ["started_at", "id"]

    def __str__(self) -> str:
        return f"{self.initiative} at {self.body}"


class Meeting(models.Model):
    """A board meeting: its agenda is built from what is pending; its minutes from what
    the board decided."""

    # Salts the record's fingerprints of this object's texts (record services).
    salt = models.CharField(max_length=32, default=new_salt, editable=False)

    class State(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        HELD = "held", "Held, minutes published"

    public_id = models.CharField(max_length=24, unique=True, default=_random_key)
    body = models.ForeignKey("federation.Body", on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField()
    place = models.CharField(max_length=200, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.SCHEDULED)
    called_by = models.ForeignKey("federation.Member", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    held_until = models.DateTimeField(null=True, blank=True)
    present = models.ManyToManyField("federation.Member", related_name="+", blank=True)
    notes = models.TextField(blank=True)  # the secretary's notes, Markdown

    class Meta:
        ordering: ClassVar = ["-starts_at"]

    def __str__(self) -> str:
        return f"Meeting of the board of {self.body} on {self.starts_at:%Y-%m-%d}"


class AgendaEntry(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="agenda")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=30)
    title = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    note = models.CharField(max_length=300, blank=True)
    mandatory = models.BooleanField(default=False)
    due = models.DateTimeField(null=True, blank=True)
    proposal = models.ForeignKey(
        Proposal, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["meeting", "position"]

    def __str__(self) -> str:
        return self.title


class Contract(models.Model):
    """An agreement with an outside party. It takes effect only when the boards of every
    body it affects have ratified it by roll call."""

    # Salts the record's fingerprints of this object's texts (record services).
    salt = models.CharField(max_length=32, default=new_salt, editable=False)

    class Kind(models.TextChoices):
        SUPPLY = "supply", "Supplies to us"
        SALE = "sale", "Sales by us"
        FOREIGN_TRADE = "foreign_trade", "Foreign trade"
        SERVICE = "service", "Services"
        OTHER = "other", "Other"

    class State(models.TextChoices):
        RATIFYING = "ratifying", "Awaiting ratification"
        IN_FORCE = "in_force", "Ratified, in force"
        REFUSED = "refused", "Refused"

    public_id = models.CharField(max_length=24, unique=True, default=_random_key)
    body = models.ForeignKey("federation.Body", on_delete=models.PROTECT, related_name="+")
    registered_by = models.ForeignKey(
        "federation.Member", on_delete=models.PROTECT, related_name="+"
    )
    counterparty = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    title = models.CharField(max_length=200)
    terms = models.TextField()  # Markdown
    value = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.RATIFYING)
    created_at = models.DateTimeField()
    in_force_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class Ratification(models.Model):
    """One affected body's ratification of a contract: a roll call of its board."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="ratifications")
    body = models.ForeignKey("federation.Body", on_delete=models.PROTECT, related_name="+")
    decision = models.OneToOneField(Decision, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["contract", "body"], name="one_ratification_per_body")
        ]

    def __str__(self) -> str:
        return f"{self.body} on {self.contract}"
