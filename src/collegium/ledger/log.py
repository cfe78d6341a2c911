"""Writing and checking the stored record: entries, their leaf hashes and the roots after them.

The database keeps, per entry, its 0-based index, its canonical JSON payload, the leaf
hash of that payload and the Merkle root of the whole record just after it was appended
(:class:`StoredEntry`). :func:`append_entry` makes the next entry; :func:`verify_log`
recomputes everything from the payloads in one streaming pass; and
:func:`check_against_checkpoint` compares the verified record with a signed checkpoint
kept outside it.

What a pass over the stored entries can and cannot show
--------------------------------------------------------
Every stored value is recomputed from the payloads, so changing, removing, reordering or
inserting any stored entry (payload, hash, root or index) is caught at the first place it
shows. But a record is self-describing: whoever can write the database can also cut off
its last entries, or rewrite entries from some point on and recompute every hash and root
after them, and the result is a perfectly consistent, shorter or different, record. Only
a checkpoint (a signed tree head) that someone kept outside the database shows that: its
size must not exceed the record's, and its root must equal the record's root at its size.
The same holds for a plain hash chain; the Merkle tree adds that the comparison works for
any old checkpoint against any newer record, and that consistency and inclusion proofs
let others check without downloading the record.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from collegium.ledger.canonical import (
    CanonicalJsonError,
    JsonValue,
    canonical_json,
    parse_canonical,
)
from collegium.ledger.checkpoint import Checkpoint
from collegium.ledger.merkle import EMPTY_ROOT, Frontier, leaf_hash

__all__ = [
    "LogVerification",
    "StoredEntry",
    "append_entry",
    "check_against_checkpoint",
    "verify_log",
]


@dataclass(frozen=True, slots=True)
class StoredEntry:
    """One record entry as the database keeps it.

    ``index`` is its 0-based position, ``payload`` its canonical JSON bytes,
    ``leaf_hash`` = SHA-256(0x00 || payload), and ``root_after`` the Merkle tree hash of
    entries ``0..index`` (the record's root just after this entry was appended).
    """

    index: int
    payload: bytes
    leaf_hash: bytes
    root_after: bytes


@dataclass(frozen=True, slots=True)
class LogVerification:
    """The outcome of :func:`verify_log`.

    When ``ok``, ``size`` is the number of entries and ``root`` the recomputed root of all
    of them. Otherwise ``first_bad`` is the 0-based index of the first entry that fails,
    ``error`` says which and why, and ``size``/``root`` describe the verified prefix
    (entries ``0..first_bad - 1``), which is all that can be vouched for.
    """

    ok: bool
    size: int
    root: bytes
    first_bad: int | None = None
    error: str | None = None

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form: ``{"ok", "size", "root" (hex), "first_bad", "error"}``."""
        return {
            "ok": self.ok,
            "size": self.size,
            "root": self.root.hex(),
            "first_bad": self.first_bad,
            "error": self.error,
        }


def append_entry(frontier: Frontier, value: JsonValue) -> StoredEntry:
    """Make the next entry for ``value`` and append its leaf to ``frontier``.

    The writer keeps the record's :class:`~collegium.ledger.merkle.Frontier` (persisted
    with the entries, read under a lock in the transaction that appends) and stores the
    returned entry. Raises :class:`~collegium.ledger.canonical.CanonicalJsonError` for a
    value that canonical JSON refuses; the frontier is then left unchanged.
    """
    payload = canonical_json(value)
    leaf = leaf_hash(payload)
    index = frontier.size
    frontier.append(leaf)
    return StoredEntry(index=index, payload=payload, leaf_hash=leaf, root_after=frontier.root())


def _show(value: object) -> str:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex() or "(empty)"
    return repr(value)


def verify_log(entries: Iterable[StoredEntry]) -> LogVerification:
    """Recompute the record from its payloads and check every stored value, in one pass.

    Entries must come in index order (the database's ``ORDER BY index``). For each one,
    in this order: its index must be the next one (a gap means entries were removed, a
    smaller index means they were reordered or repeated); its payload must be canonical
    JSON; its stored leaf hash must be the hash of that payload; and its stored root must
    be the root of the tree recomputed up to it. The first failure stops the pass.

    ``entries`` is consumed once and never held: any iterator (a database cursor over
    10**6 rows) is fine, in constant memory. The cost is one canonical-JSON check and
    about ``1 + log2(n) / 2`` SHA-256 hashes per entry.

    This detects any single change, removal, reordering or insertion of stored entries,
    **except** the removal of entries at the end (truncation of the tail), and likewise a
    tail rewritten with all its hashes recomputed: a shorter or rewritten record is as
    self-consistent as the original. Only a checkpoint kept outside the database shows
    those; see :func:`check_against_checkpoint`.
    """
    sha = hashlib.sha256
    leaf_prefix, node_prefix = b"\x00", b"\x01"
    stack: list[bytes] = []  # the frontier: perfect-subtree hashes, largest first
    size = 0
    root = EMPTY_ROOT

    def failure(reason: str) -> LogVerification:
        return LogVerification(ok=False, size=size, root=root, first_bad=size, error=reason)

    for entry in entries:
        index = entry.index
        if index != size:
            if isinstance(index, bool) or not isinstance(index, int):
                return failure(f"entry {size} is stored with index {index!r}, not an integer")
            if index > size:
                missing = (
                    f"entry {size} is" if index == size + 1 else f"entries {size}-{index - 1} are"
                )
                where = f"after entry {size - 1}" if size else "first"
                return failure(
                    f"{missing} missing: the entry stored {where} has index {index}"
                    " (entries removed)"
                )
            return failure(
                f"entry {size} is missing: in its place is an entry with index {index},"
                " which came earlier (entries reordered or repeated)"
            )
        payload = entry.payload
        if type(payload) is not bytes:
            if not isinstance(payload, bytearray | memoryview):
                return failure(f"entry {size}: payload is a {type(payload).__name__}, not bytes")
            payload = bytes(payload)
        try:
            parse_canonical(payload)
        except CanonicalJsonError as exc:
            return failure(f"entry {size}: payload is not canonical JSON: {exc}")
        leaf = sha(leaf_prefix + payload).digest()
        if entry.leaf_hash != leaf:
            return failure(
                f"entry {size}: stored leaf hash {_show(entry.leaf_hash)} is not the hash of"
                f" its payload ({leaf.hex()}): the payload or the hash was altered"
            )
        merged, carry = leaf, size
        while carry & 1:
            merged = sha(node_prefix + stack.pop() + merged).digest()
            carry >>= 1
        stack.append(merged)
        new_root = merged
        for position in range(len(stack) - 2, -1, -1):
            new_root = sha(node_prefix + stack[position] + new_root).digest()
        if entry.root_after != new_root:
            return failure(
                f"entry {size}: stored root {_show(entry.root_after)} is not the recomputed"
                f" root after it ({new_root.hex()}): this root was altered, or earlier"
                " entries were rewritten together with their hashes"
            )
        size += 1
        root = new_root
    return LogVerification(ok=True, size=size, root=root)


def check_against_checkpoint(
    verification: LogVerification,
    checkpoint: Checkpoint,
    root_at: Callable[[int], bytes | None],
) -> str | None:
    """Compare a verified record with a checkpoint kept outside it; ``None`` when they agree.

    ``verification`` is the result of :func:`verify_log` over the record;
    ``checkpoint`` one opened (signature and origin checked) with
    :func:`~collegium.ledger.checkpoint.open_checkpoint`; and ``root_at(n)`` returns the
    ``root_after`` stored with entry ``n - 1`` of the same record (or ``None`` if there is
    no such entry). Since :func:`verify_log` has checked every stored root against the
    recomputed tree, a stored root is as good as a recomputed one, so a checkpoint of any
    size costs one look-up.

    Returns a sentence saying what is wrong when:

    * the record itself failed verification;
    * the record is now smaller than the checkpoint (its tail was cut off);
    * the record's root at the checkpoint's size is not the checkpoint's root (entries
      before that size were rewritten, or the checkpoint is of another record).
    """
    size = checkpoint.size
    if not verification.ok:
        return (
            f"the record failed verification, so it cannot match the checkpoint of size"
            f" {size}: {verification.error}"
        )
    if size > verification.size:
        return (
            f"the record holds {verification.size} entries but the checkpoint of"
            f" {checkpoint.origin!r} vouches for {size}: the last"
            f" {size - verification.size} entries were removed (the tail was truncated)"
        )
    if size == verification.size:
        root: bytes | None = verification.root
    elif size == 0:
        root = EMPTY_ROOT
    else:
        root = root_at(size)
        if root is None:
            return f"the record has no entry {size - 1}, whose root the checkpoint vouches for"
    if root != checkpoint.root:
        return (
            f"the checkpoint of {checkpoint.origin!r} at size {size} has root"
            f" {checkpoint.root.hex()}, but the record's root at that size is {_show(root)}:"
            f" entries before {size} were rewritten, or the checkpoint is of another record"
        )
    return None
