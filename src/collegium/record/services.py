"""Appending to the public record: the one helper every service uses.

The pattern, in every app::

    @transaction.atomic
    def charter_change(*, actor, body, changes, reason):
        ...change the domain tables...
        record_append(kind="charter.changed", actor=actor, body=body, data={...})

``record_append`` refuses to run outside a transaction, so the entry and the change it
describes are committed together or not at all.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from collegium.ledger.canonical import JsonValue, canonical_json
from collegium.ledger.merkle import leaf_hash, node_hash
from collegium.record.models import Entry, Node

# Any fixed number works; it only has to be the same for every process.
_POSTGRES_APPEND_LOCK = 0x436F6C6C  # "Coll"


class RecordError(RuntimeError):
    pass


@dataclass(frozen=True)
class Actor:
    """Who acted, as the public record names them: an opaque id and the capacity."""

    id: str
    role: str  # "member", "operator", "system"

    def as_json(self) -> dict[str, JsonValue]:
        return {"id": self.id, "role": self.role}


SYSTEM = Actor(id="system", role="system")


def actor_for(user: Any) -> Actor:
    """The record's name for a logged-in user: their member id, or an operator id."""
    member = getattr(user, "member", None)
    if member is not None and not getattr(user, "is_operator", False):
        return Actor(id=member.public_id, role="member")
    if getattr(user, "is_operator", False):
        return Actor(id=f"operator_{user.pk}", role="operator")
    if member is not None:
        return Actor(id=member.public_id, role="member")
    raise RecordError("only members, the operator or the system act on the record")


def new_salt() -> str:
    return secrets.token_hex(16)


def salted_digest(salt: str, text: str) -> str:
    """What the record keeps of a text that may have to be erased later."""
    return hashlib.sha256(f"{salt}\n{text}".encode()).hexdigest()


def _perfect_subtrees(size: int) -> list[tuple[int, int]]:
    """(level, position) of the perfect subtrees that make up a tree of ``size`` leaves."""
    parts = []
    begin = 0
    for level in range(size.bit_length() - 1, -1, -1):
        if size & (1 << level):
            parts.append((level, begin >> level))
            begin += 1 << level
    return parts


def frontier_hashes(size: int) -> list[tuple[int, bytes]]:
    """The perfect subtrees of a tree of ``size`` leaves with their hashes, in at most two
    queries (at most one of them is a single leaf)."""
    from django.db.models import Q

    parts = _perfect_subtrees(size)
    wanted = Q()
    for level, pos in parts:
        if level:
            wanted |= Q(level=level, position=pos)
    nodes = (
        {
            (lv, p): bytes(h)
            for lv, p, h in Node.objects.filter(wanted).values_list("level", "position", "hash")
        }
        if wanted
        else {}
    )
    return [(level, nodes[(level, pos)] if level else perfect_hash(0, pos)) for level, pos in parts]


def perfect_hash(level: int, position: int) -> bytes:
    if level == 0:
        return bytes(Entry.objects.values_list("leaf_hash", flat=True).get(index=position))
    return bytes(Node.objects.values_list("hash", flat=True).get(level=level, position=position))


def tree_extend(
    frontier: list[tuple[int, bytes]], leaf: bytes, index: int
) -> tuple[bytes, list[Node]]:
    """Merge leaf number ``index`` into ``frontier`` (the perfect subtrees of the tree so
    far, as (level, hash), largest first), in place. Returns the new root and the subtrees
    the leaf completed, to be stored."""
    carry_level, carry_hash, carry_pos = 0, leaf, index
    completed = []
    while frontier and frontier[-1][0] == carry_level:
        _, left = frontier.pop()
        carry_hash = node_hash(left, carry_hash)
        carry_level += 1
        carry_pos >>= 1
        completed.append(Node(level=carry_level, position=carry_pos, hash=carry_hash))
    frontier.append((carry_level, carry_hash))
    root = frontier[-1][1]
    for _, left in reversed(frontier[:-1]):
        root = node_hash(left, root)
    return root, completed


def _lock_for_append() -> None:
    # SQLite's IMMEDIATE transactions already hold the single write lock; PostgreSQL needs
    # an explicit lock so two appenders never compute the same index.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_POSTGRES_APPEND_LOCK])


def record_append(*, kind: str, actor: Actor, data: dict[str, Any], body: Any = None) -> Entry:
    """Append one entry in the caller's transaction and return it."""
    if not connection.in_atomic_block:
        raise RecordError("record_append must run inside the service's transaction")
    _lock_for_append()
    last = Entry.objects.order_by("-index").values_list("index", flat=True).first()
    size = 0 if last is None else last + 1
    now = timezone.now()
    payload = canonical_json(
        {
            "v": 1,
            "index": size,
            "kind": kind,
            "at": now.isoformat(timespec="microseconds"),
            "actor": actor.as_json(),
            "body": getattr(body, "code", None),
            "data": data,
        }
    )
    leaf = leaf_hash(payload)

    frontier = frontier_hashes(size)
    root, new_nodes = tree_extend(frontier, leaf, size)

    entry = Entry.objects.create(
        index=size,
        kind=kind,
        body=body,
        actor_id=actor.id,
        payload=payload.decode(),
        leaf_hash=leaf,
        root_after=root,
        recorded_at=now,
    )
    if new_nodes:
        Node.objects.bulk_create(new_nodes)
    return entry


@transaction.atomic
def record_checkpoint_create() -> Any:
    """Sign the current tree head (no-op if the newest checkpoint already covers it)."""
    from collegium.record import checkpoints

    return checkpoints.checkpoint_create()
