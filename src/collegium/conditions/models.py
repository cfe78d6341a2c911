"""Condition reports: hazards and defects at a workplace or a dwelling, confirmed by
co-workers, answered by the responsible board with a remedy (which becomes a floor in the
production plan) or escalated up the federation. Nothing here is ever deleted: a report's
history is its confirmations, remedies, photos, moderation acts and record entries."""

from __future__ import annotations

import secrets
from typing import ClassVar

from django.db import models

from collegium.conditions import transitions as t
from collegium.record.services import new_salt


def _random_key() -> str:
    return secrets.token_urlsafe(12)


class Hazard(models.TextChoices):
    DAMPNESS = "dampness", "Dampness or mould"
    FOUL_AIR = "foul_air", "Foul air, dust or fumes"
    GASES = "gases", "Gases"
    HEAT = "heat", "Heat"
    COLD = "cold", "Cold"
    NOISE = "noise", "Noise or vibration"
    LIGHTING = "lighting", "Poor lighting"
    SANITATION = "sanitation", "Sanitation"
    SAFETY = "safety", "Machine or building safety"
    WATER = "water", "Lack of water"
    OVERCROWDING = "overcrowding", "Overcrowding"
    OTHER = "other", "Other"


class Severity(models.IntegerChoices):
    MINOR = 1, "Minor: a nuisance"
    SERIOUS = 2, "Serious: harms health over time"
    SEVERE = 3, "Severe: harms health now"
    DANGER = 4, "Danger to life"


class Place(models.TextChoices):
    WORKPLACE = "workplace", "Workplace"
    DWELLING = "dwelling", "Dwelling"


class ConditionReport(models.Model):
    # Salts the fingerprints of this item's texts on the public record: erasing a text
    # and its salt leaves nothing a guess could be checked against.
    salt = models.CharField(max_length=32, default=new_salt, editable=False)

    class State(models.TextChoices):
        AWAITING = t.AWAITING, "Awaiting confirmation"
        OPEN = t.OPEN, "Open"
        PROMISED = t.PROMISED, "Remedy promised"
        DONE = t.DONE, "Marked done"
        FIXED = t.FIXED, "Fixed"

    public_id = models.CharField(max_length=24, unique=True, default=_random_key)
    # The body the report concerns: the workplace (enterprise or shop), or for a dwelling
    # the body the dwelling belongs to. Its members see the report; it is listed there and
    # at every body above.
    body = models.ForeignKey(
        "federation.Body", on_delete=models.PROTECT, related_name="condition_reports"
    )
    place = models.CharField(max_length=10, choices=Place.choices, default=Place.WORKPLACE)
    location = models.CharField(max_length=200)  # "Shop 3, press line 2"
    dwelling = models.ForeignKey(
        "housing.Dwelling",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="condition_reports",
    )
    hazard = models.CharField(max_length=20, choices=Hazard.choices)
    severity = models.PositiveSmallIntegerField(choices=Severity.choices)
    people_affected = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    description = models.TextField()
    reporter = models.ForeignKey(
        "federation.Member", on_delete=models.PROTECT, related_name="condition_reports"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.AWAITING)
    confirmations_needed = models.PositiveSmallIntegerField()
    confirmation_count = models.PositiveIntegerField(default=0)
    # The body whose board must answer now: the workplace's board at first, the parent
    # body's board after each escalation, up to the congress.
    responsible = models.ForeignKey(
        "federation.Body", on_delete=models.PROTECT, related_name="condition_reports_to_answer"
    )
    escalations = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The responsible board's deadline for a remedy (set on confirmation and escalation;
    # cleared while a remedy is promised).
    due_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    fixed_at = models.DateTimeField(null=True, blank=True)
    # Moderation: a hidden report stays listed, with the reason, but its texts and photos
    # are withheld.
    hidden = models.BooleanField(default=False)
    hidden_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        indexes: ClassVar = [
            models.Index(fields=["body", "-created_at"], name="cond_body_created"),
            models.Index(fields=["state", "due_at"], name="cond_state_due"),
            models.Index(fields=["responsible", "state"], name="cond_responsible_state"),
            models.Index(fields=["-created_at", "-id"], name="cond_created"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def state_words(self) -> str:
        return t.WORDS.get(self.state, self.state)


class Confirmation(models.Model):
    """A co-worker's confirmation: once per member and report (a unique constraint)."""

    report = models.ForeignKey(
        ConditionReport, on_delete=models.PROTECT, related_name="confirmations"
    )
    member = models.ForeignKey(
        "federation.Member", on_delete=models.PROTECT, related_name="condition_confirmations"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering: ClassVar = ["created_at", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["report", "member"], name="one_confirmation_each")
        ]

    def __str__(self) -> str:
        return f"confirmation of {self.report}"


class Remedy(models.Model):
    """A board's answer: the work, its materials, hours, cost and date. A report may have
    several over its history (a rejected or declined one stays, the next one follows)."""

    class State(models.TextChoices):
        PROMISED = "promised", "Promised"
        DONE = "done", "Marked done by the board"
        CONFIRMED = "confirmed", "Confirmed fixed by the reporter"
        DECLINED = "declined", "Not fixed, says the reporter"
        REJECTED = "rejected", "Rejected by the reporter"

    report = models.ForeignKey(ConditionReport, on_delete=models.PROTECT, related_name="remedies")
    board = models.ForeignKey("federation.Body", on_delete=models.PROTECT, related_name="+")
    promised_by = models.ForeignKey("federation.Member", on_delete=models.PROTECT, related_name="+")
    work = models.TextField()
    labour_hours = models.DecimalField(max_digits=10, decimal_places=1)
    cost = models.DecimalField(max_digits=14, decimal_places=2)
    due_on = models.DateField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PROMISED)
    created_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)  # the reporter's words when rejecting or declining

    class Meta:
        ordering: ClassVar = ["created_at", "id"]
        indexes: ClassVar = [models.Index(fields=["state", "due_on"], name="remedy_state_due")]

    def __str__(self) -> str:
        return f"remedy for {self.report}"


class Material(models.Model):
    """A line of a remedy: a product of the plan, how much, in what unit."""

    remedy = models.ForeignKey(Remedy, on_delete=models.PROTECT, related_name="materials")
    product = models.CharField(max_length=64)  # the planner's product code
    quantity = models.DecimalField(max_digits=14, decimal_places=3)
    unit = models.CharField(max_length=20)

    class Meta:
        ordering: ClassVar = ["id"]

    def __str__(self) -> str:
        return f"{self.quantity} {self.unit} {self.product}"


class Photo(models.Model):
    """A re-encoded photo, stored under a random name in ``COLLEGIUM_UPLOAD_DIR`` (outside
    the web root) and served only through a view that checks who may see the report."""

    report = models.ForeignKey(ConditionReport, on_delete=models.PROTECT, related_name="photos")
    uploaded_by = models.ForeignKey("federation.Member", on_delete=models.PROTECT, related_name="+")
    number = models.PositiveSmallIntegerField()  # 1, 2, … within the report
    stored_name = models.CharField(max_length=80, unique=True)
    thumb_name = models.CharField(max_length=80, unique=True)
    format = models.CharField(max_length=4)  # "jpeg" or "png"
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    original_name = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering: ClassVar = ["report", "number"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["report", "number"], name="one_photo_number")
        ]

    def __str__(self) -> str:
        return f"photo {self.number} of {self.report}"


class ModerationAct(models.Model):
    """The moderation commission hid or showed a report again; each act is also a record
    entry."""

    class Action(models.TextChoices):
        HIDE = "hide", "Hidden"
        UNHIDE = "unhide", "Shown again"

    report = models.ForeignKey(
        ConditionReport, on_delete=models.PROTECT, related_name="moderation_acts"
    )
    commission = models.ForeignKey("federation.Body", on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey("federation.Member", on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=6, choices=Action.choices)
    reason = models.CharField(max_length=200)
    created_at = models.DateTimeField()
    record_index = models.BigIntegerField()

    class Meta:
        ordering: ClassVar = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.action} {self.report}"


class Event(models.Model):
    """The report's history in words, one row per step (the record entry holds hashes)."""

    report = models.ForeignKey(ConditionReport, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=40)
    actor = models.ForeignKey(
        "federation.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    body = models.ForeignKey(
        "federation.Body", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(blank=True)
    created_at = models.DateTimeField()
    record_index = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} of {self.report}"
