"""Reads of the public record."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from collegium.record.checkpoints import current_head
from collegium.record.models import Checkpoint, Entry
from collegium.record.proofs import entry_inclusion_proof


def entries(*, body_code: str | None = None, kind: str | None = None) -> QuerySet[Entry]:
    """Entries newest first, optionally for one body (and everything below it) and kind.

    ``kind`` matches exactly ("charter.changed") or by family ("charter").
    """
    qs = Entry.objects.order_by("-index")
    if body_code:
        from collegium.federation.models import Body

        body = Body.objects.filter(code=body_code).first()
        if body is None:
            return qs.none()
        below = Body.objects.filter(path__startswith=body.path).values("id")
        qs = qs.filter(body_id__in=below)
    if kind:
        qs = qs.filter(kind=kind) if "." in kind else qs.filter(kind__startswith=f"{kind}.")
    return qs


def entry_kinds() -> list[str]:
    return list(Entry.objects.order_by("kind").values_list("kind", flat=True).distinct())


@dataclass(frozen=True)
class EntryProof:
    index: int
    tree_size: int
    root: str
    leaf_hash: str
    path: list[str]


def entry_proof(entry: Entry, size: int | None = None) -> EntryProof:
    """Proof that the entry is included in the tree of the given size (default: now)."""
    tree_size, root = current_head()
    if size is not None and not entry.index < size <= tree_size:
        raise ValueError(
            f"entry #{entry.index} is in trees of size {entry.index + 1} to {tree_size}, not {size}"
        )
    if size is not None and size != tree_size:
        from collegium.record.proofs import subtree_hasher

        root = subtree_hasher()(0, size)
        tree_size = size
    path = entry_inclusion_proof(entry.index, tree_size)
    return EntryProof(
        index=entry.index,
        tree_size=tree_size,
        root=root.hex(),
        leaf_hash=bytes(entry.leaf_hash).hex(),
        path=[h.hex() for h in path],
    )


def entry_data(entry: Entry) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(entry.payload)
    return data


def checkpoints() -> QuerySet[Checkpoint]:
    return Checkpoint.objects.order_by("-size")


def entry_by_index(index: int) -> Entry | None:
    return Entry.objects.filter(index=index).first()


def actor_entries(actor_id: str) -> QuerySet[Entry]:
    """Entries by one actor: a member's public activity."""
    return Entry.objects.filter(actor_id=actor_id).order_by("-index")


def root_at(size: int) -> bytes:
    """The root of the tree of the first ``size`` entries (stored with the entry that
    completed it). ValueError if the record is smaller."""
    from collegium.ledger.merkle import EMPTY_ROOT

    if size == 0:
        return EMPTY_ROOT
    value = Entry.objects.filter(index=size - 1).values_list("root_after", flat=True).first()
    if value is None:
        raise ValueError(f"the record has fewer than {size} entries")
    return bytes(value)
