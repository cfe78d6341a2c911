"""Storage of the public record: entries, completed Merkle subtrees, checkpoints.

All three tables are append-only: database triggers (``record.triggers``) reject UPDATE
and DELETE on SQLite and PostgreSQL, and TRUNCATE on PostgreSQL.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models


class Entry(models.Model):
    index = models.BigIntegerField(primary_key=True)
    kind = models.CharField(max_length=60, db_index=True)
    # Denormalised for filtering; the payload names the body by its code too.
    body = models.ForeignKey(
        "federation.Body",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    # The acting member's opaque id (or operator/system id), for "public activity".
    actor_id = models.CharField(max_length=40, db_index=True)
    payload = models.TextField()  # canonical JSON, exactly the bytes that were hashed
    leaf_hash = models.BinaryField(max_length=32)
    root_after = models.BinaryField(max_length=32)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering: ClassVar = ["-index"]
        verbose_name_plural = "entries"
        indexes: ClassVar = [models.Index(fields=["body", "-index"])]

    def __str__(self) -> str:
        return f"#{self.index} {self.kind}"


class Node(models.Model):
    """The hash of a completed, perfect subtree of 2**level leaves (level >= 1).

    Leaves themselves are ``Entry.leaf_hash``. With these, any proof needs O(log n)
    look-ups instead of reading every leaf.
    """

    level = models.PositiveSmallIntegerField()
    position = models.BigIntegerField()
    hash = models.BinaryField(max_length=32)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["level", "position"], name="record_node_unique")
        ]

    def __str__(self) -> str:
        return f"subtree {self.level}/{self.position}"


class Checkpoint(models.Model):
    size = models.BigIntegerField(unique=True)
    root = models.BinaryField(max_length=32)
    note = models.TextField()  # the signed note, exactly as published
    created_at = models.DateTimeField()

    class Meta:
        ordering: ClassVar = ["-size"]

    def __str__(self) -> str:
        return f"checkpoint at size {self.size}"
