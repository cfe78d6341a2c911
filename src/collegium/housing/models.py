"""Housing: the register of dwellings kept by a body, the households living in them, the
waiting list ordered by a published need score, and allocations decided by the board."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from collegium.record.services import new_salt


class Condition(models.TextChoices):
    GOOD = "good", "Good"
    FAIR = "fair", "Fair"
    POOR = "poor", "Poor"
    UNFIT = "unfit", "Unfit to live in"


class DwellingState(models.TextChoices):
    OCCUPIED = "occupied", "Occupied"
    VACANT = "vacant", "Vacant"
    UNDER_REPAIR = "under_repair", "Under repair"


class Dwelling(models.Model):
    """A flat or house kept by a body (enterprise, union, …); that body's board allocates it."""

    # Salts the record's fingerprints of this object's texts (record services).
    salt = models.CharField(max_length=32, default=new_salt, editable=False)

    code = models.CharField(max_length=40, unique=True)  # public code, e.g. "SRM-H-012"
    address = models.CharField(max_length=300)
    body = models.ForeignKey("federation.Body", on_delete=models.PROTECT, related_name="dwellings")
    area_m2 = models.DecimalField(max_digits=7, decimal_places=1)
    rooms = models.PositiveSmallIntegerField()
    condition = models.CharField(max_length=8, choices=Condition.choices, default=Condition.GOOD)
    condition_note = models.TextField(blank=True)
    state = models.CharField(
        max_length=14, choices=DwellingState.choices, default=DwellingState.VACANT
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering: ClassVar = ["code"]
        indexes: ClassVar = [models.Index(fields=["body", "state", "code"])]

    def __str__(self) -> str:
        return f"{self.code} ({self.address})"


def _random_key() -> str:
    import secrets

    return secrets.token_urlsafe(12)


class Occupancy(models.Model):
    """A household living in a dwelling: its head (a member) and its size, non-members
    included. Ended occupancies stay as the dwelling's history."""

    dwelling = models.ForeignKey(Dwelling, on_delete=models.PROTECT, related_name="occupancies")
    head = models.ForeignKey("federation.Member", on_delete=models.PROTECT, related_name="+")
    household_size = models.PositiveSmallIntegerField()
    since = models.DateField()
    until = models.DateField(null=True, blank=True)  # planned or actual end; NULL: open
    ended = models.BooleanField(default=False)
    allocation = models.OneToOneField(
        "Allocation", null=True, blank=True, on_delete=models.PROTECT, related_name="occupancy"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering: ClassVar = ["dwelling", "-since", "-id"]
        indexes: ClassVar = [models.Index(fields=["dwelling", "ended"])]

    def __str__(self) -> str:
        return f"{self.head} in {self.dwelling.code}"


class HousingPolicy(models.Model):
    """The weights of a body's need score. Each change is a new row: the latest is in
    force, the earlier ones are its history."""

    # Salts the record's fingerprints of this object's texts (record services).
    salt = models.CharField(max_length=32, default=new_salt, editable=False)

    body = models.ForeignKey(
        "federation.Body", on_delete=models.PROTECT, related_name="housing_policies"
    )
    w_crowding = models.DecimalField(max_digits=7, decimal_places=2)
    w_conditions = models.DecimalField(max_digits=7, decimal_places=2)
    w_waiting = models.DecimalField(max_digits=7, decimal_places=2)
    w_unfit = models.DecimalField(max_digits=7, decimal_places=2)
    # People per room counted for an applicant with no dwelling of their own.
    no_dwelling_crowding = models.DecimalField(max_digits=5, decimal_places=2)
    reason = models.TextField(blank=True)
    set_by = models.ForeignKey("federation.Member", on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField()
    record_index = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["body", "-set_at", "-id"]
        verbose_name_plural = "housing policies"

    def __str__(self) -> str:
        return f"housing policy of {self.body} from {self.set_at:%Y-%m-%d}"


class Application(models.Model):
    """A member's place on a body's waiting list."""

    class State(models.TextChoices):
        ACTIVE = "active", "Waiting"
        WITHDRAWN = "withdrawn", "Withdrawn"
        HOUSED = "housed", "Housed"

    public_id = models.CharField(max_length=24, unique=True, default=_random_key)
    body = models.ForeignKey(
        "federation.Body", on_delete=models.PROTECT, related_name="housing_applications"
    )
    member = models.ForeignKey(
        "federation.Member", on_delete=models.PROTECT, related_name="housing_applications"
    )
    household_size = models.PositiveSmallIntegerField()
    # Where the household lives now: a dwelling on the register, else the rooms it has
    # (self-declared), else neither (no home of its own).
    current_dwelling = models.ForeignKey(
        Dwelling, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    current_rooms = models.PositiveSmallIntegerField(null=True, blank=True)
    # Private: seen by the applicant and those who manage the body's housing only.
    needs_note = models.TextField(blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.ACTIVE)
    applied_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["applied_at", "id"]
        indexes: ClassVar = [models.Index(fields=["body", "state", "applied_at"])]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["body", "member"],
                condition=models.Q(state="active"),
                name="one_active_housing_application",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} on the waiting list of {self.body}"


class Allocation(models.Model):
    """ "Allocate dwelling D to applicant A": a board decision by roll call."""

    # Salts the record's fingerprints of this object's texts (record services).
    salt = models.CharField(max_length=32, default=new_salt, editable=False)

    class State(models.TextChoices):
        VOTING = "voting", "Being decided by the board"
        ALLOCATED = "allocated", "Allocated"
        LAPSED = "lapsed", "Lapsed"

    public_id = models.CharField(max_length=24, unique=True, default=_random_key)
    body = models.ForeignKey(
        "federation.Body", on_delete=models.PROTECT, related_name="housing_allocations"
    )
    dwelling = models.ForeignKey(Dwelling, on_delete=models.PROTECT, related_name="allocations")
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="allocations"
    )
    proposed_by = models.ForeignKey("federation.Member", on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveIntegerField()  # the applicant's place when proposed
    skipped = models.PositiveIntegerField(default=0)  # people ahead of them passed over
    score = models.CharField(max_length=24)  # decimal as text, when proposed
    reason = models.TextField(blank=True)  # required when anyone is skipped
    state = models.CharField(max_length=10, choices=State.choices, default=State.VOTING)
    proposal = models.ForeignKey(
        "decisions.Proposal", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.ForeignKey(
        "decisions.Decision", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lapse_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.dwelling.code} to {self.application.member}"
