"""What awaits a member: a vote that opened, a result, a deadline, a petition."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone


class Notification(models.Model):
    member = models.ForeignKey(
        "federation.Member", on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40)
    title = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    # When the event happened (a service's ``now``), not when the row was written.
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed = models.BooleanField(default=False)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        indexes: ClassVar = [models.Index(fields=["member", "read_at"])]

    def __str__(self) -> str:
        return self.title
