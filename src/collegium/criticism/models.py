"""Criticism addressed to a body, its board, a seat-holder, a decision or a plan; the
responses of the boards it reaches (one level per board, up to the congress);
co-signatures and the critic's marks; moderation acts of the elected moderation
commission, their appeals, and every look at an anonymous author.

Nothing here is ever deleted: there is no service that deletes a row, and every row is
``PROTECT``ed against the deletion of what it points at.
"""

from __future__ import annotations

import secrets
from typing import ClassVar

from django.db import models

from collegium.record.services import new_salt


def _random_key() -> str:
    return secrets.token_urlsafe(12)


class Criticism(models.Model):
    # Salts the fingerprints of this item's texts on the public record: erasing a text
    # and its salt leaves nothing a guess could be checked against.
    salt = models.CharField(max_length=32, default=new_salt, editable=False)

    class State(models.TextChoices):
        OPEN = "open", "Waiting for the board's response"
        ESCALATED = "escalated", "Escalated, waiting for the higher board"
        ANSWERED = "answered", "Answered"
        SATISFIED = "satisfied", "Answered to the critic's satisfaction"
        OVERDUE = "overdue", "Overdue at the congress"

    class Target(models.TextChoices):
        BODY = "body", "The body"
        BOARD = "board", "Its board"
        SEAT = "seat", "A seat-holder"
        DECISION = "decision", "A decision"
        PLAN = "plan", "A plan"

    class Publicity(models.TextChoices):
        BODIES = "bodies", "Members of the addressed body and of my own workplace"
        FEDERATION = "federation", "Every member of the federation"
        PUBLIC = "public", "Everyone, signed in or not"

    public_id = models.CharField(max_length=24, unique=True, default=_random_key)
    body = models.ForeignKey(
        "federation.Body", on_delete=models.PROTECT, related_name="criticism_addressed"
    )
    target = models.CharField(max_length=10, choices=Target.choices, default=Target.BODY)
    target_seat = models.ForeignKey(
        "elections.Seat", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    target_decision = models.ForeignKey(
        "decisions.Decision", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    target_plan = models.CharField(max_length=200, blank=True)
    # Always kept (co-signing, marks, abuse control); never shown when ``anonymous``.
    author = models.ForeignKey(
        "federation.Member", on_delete=models.PROTECT, related_name="criticism_written"
    )
    author_body = models.ForeignKey(
        "federation.Body", on_delete=models.PROTECT, related_name="criticism_from"
    )
    anonymous = models.BooleanField(default=False)
    publicity = models.CharField(max_length=12, choices=Publicity.choices, default=Publicity.BODIES)
    title = models.CharField(max_length=200)
    text = models.TextField()
    created_at = models.DateTimeField()
    edited_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    # The board that must answer now, and by when.
    level_body = models.ForeignKey(
        "federation.Body", on_delete=models.PROTECT, related_name="criticism_pending"
    )
    level = models.PositiveSmallIntegerField(default=0)
    due_at = models.DateTimeField()
    reminded_level = models.SmallIntegerField(default=-1)
    cosignatures = models.PositiveIntegerField(default=0)
    hidden = models.BooleanField(default=False)
    hidden_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        indexes: ClassVar = [
            models.Index(fields=["body", "-created_at"]),
            models.Index(fields=["state", "due_at"]),
            models.Index(fields=["level_body", "state", "due_at"]),
            models.Index(fields=["author", "-created_at"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def awaiting_response(self) -> bool:
        return self.state in AWAITING


AWAITING = (Criticism.State.OPEN, Criticism.State.ESCALATED, Criticism.State.OVERDUE)


class Level(models.Model):
    """One board's turn to answer: the first is the addressed body's board, each
    escalation adds the next body up. Each level's response stays shown."""

    class Reason(models.TextChoices):
        ADDRESSED = "addressed", "Addressed to this board"
        OVERDUE = "overdue", "No response by the deadline below"
        UNSATISFIED = "unsatisfied", "The response below was marked unsatisfactory"

    criticism = models.ForeignKey(Criticism, on_delete=models.PROTECT, related_name="levels")
    number = models.PositiveSmallIntegerField()
    body = models.ForeignKey(
        "federation.Body", on_delete=models.PROTECT, related_name="criticism_levels"
    )
    reason = models.CharField(max_length=12, choices=Reason.choices)
    opened_at = models.DateTimeField()
    due_at = models.DateTimeField()

    class Meta:
        ordering: ClassVar = ["criticism", "number"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["criticism", "number"], name="one_criticism_level")
        ]
        indexes: ClassVar = [models.Index(fields=["body", "criticism"])]

    def __str__(self) -> str:
        return f"{self.criticism} at {self.body}"


class Addition(models.Model):
    """What the author adds after publishing; the text itself never changes once
    anyone has co-signed."""

    criticism = models.ForeignKey(Criticism, on_delete=models.PROTECT, related_name="additions")
    text = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering: ClassVar = ["created_at", "id"]

    def __str__(self) -> str:
        return f"addition to {self.criticism}"


class CoSignature(models.Model):
    criticism = models.ForeignKey(
        Criticism, on_delete=models.PROTECT, related_name="cosignature_rows"
    )
    member = models.ForeignKey("federation.Member", on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField()

    class Meta:
        ordering: ClassVar = ["signed_at", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["criticism", "member"], name="one_cosignature")
        ]

    def __str__(self) -> str:
        return f"{self.member} co-signs {self.criticism}"


class Response(models.Model):
    """A board's answer at one level, published under the board member's name."""

    level = models.OneToOneField(Level, on_delete=models.PROTECT, related_name="response")
    author = models.ForeignKey("federation.Member", on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"response to {self.level}"


class Mark(models.Model):
    """The critic's or a co-signer's verdict on one level's response."""

    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="marks")
    member = models.ForeignKey("federation.Member", on_delete=models.PROTECT, related_name="+")
    satisfied = models.BooleanField()
    marked_at = models.DateTimeField()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["level", "member"], name="one_mark_per_level")
        ]

    def __str__(self) -> str:
        return f"{self.member}: {'satisfied' if self.satisfied else 'unsatisfied'}"


class ModerationAct(models.Model):
    """Hiding (or, after a successful appeal, unhiding) a criticism, always with a
    reason from the charter's list."""

    class Kind(models.TextChoices):
        HIDE = "hide", "Hidden"
        UNHIDE = "unhide", "Shown again"

    class Appeal(models.TextChoices):
        NONE = "", "No appeal"
        PETITION = "petition", "Appeal petition collecting signatures"
        REFERENDUM = "referendum", "Appeal put to a referendum"
        UPHELD = "upheld", "Appeal upheld by the members: shown again"
        REJECTED = "rejected", "Appeal rejected by the members: stays hidden"

    public_id = models.CharField(max_length=24, unique=True, default=_random_key)
    criticism = models.ForeignKey(
        Criticism, on_delete=models.PROTECT, related_name="moderation_acts"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    reason = models.CharField(max_length=300)
    commission = models.ForeignKey("federation.Body", on_delete=models.PROTECT, related_name="+")
    # None when the members' referendum did it.
    moderator = models.ForeignKey(
        "federation.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    appeal = models.CharField(max_length=12, choices=Appeal.choices, blank=True, default="")
    referendum = models.ForeignKey(
        "decisions.Decision", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.criticism} ({self.reason})"


class AppealSignature(models.Model):
    act = models.ForeignKey(ModerationAct, on_delete=models.PROTECT, related_name="signatures")
    member = models.ForeignKey("federation.Member", on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["act", "member"], name="one_appeal_signature")
        ]

    def __str__(self) -> str:
        return f"{self.member} appeals {self.act}"


class AuthorLook(models.Model):
    """A moderation-commission member looked at an anonymous author, for a reason."""

    criticism = models.ForeignKey(Criticism, on_delete=models.PROTECT, related_name="looks")
    moderator = models.ForeignKey("federation.Member", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=300)
    looked_at = models.DateTimeField()
    record_index = models.BigIntegerField()

    class Meta:
        ordering: ClassVar = ["looked_at", "id"]

    def __str__(self) -> str:
        return f"{self.moderator} looked at the author of {self.criticism}"
