"""Housing: the register of dwellings kept by a body, the households living in them, the
waiting list ordered by a published need score, and allocations decided by the board."""

from __future__ import annotations

from typing import ClassVar

from django.db import models


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
