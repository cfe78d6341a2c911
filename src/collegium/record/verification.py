"""``collegium record verify``: recompute the whole record and check checkpoints."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from collegium.ledger.checkpoint import CheckpointError
from collegium.ledger.log import StoredEntry, verify_log
from collegium.ledger.merkle import consistency_proof, verify_consistency
from collegium.record import checkpoints
from collegium.record.models import Entry
from collegium.record.proofs import subtree_hasher
from collegium.record.selectors import root_at


@dataclass
class VerifyReport:
    ok: bool
    size: int
    root: str
    first_bad: int | None
    checkpoint: dict[str, object] | None
    error: str | None

    def as_json(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "size": self.size,
            "root": self.root,
            "first_bad": self.first_bad,
            "checkpoint": self.checkpoint,
            "error": self.error,
        }


def _stored_entries() -> Iterator[StoredEntry]:
    rows = Entry.objects.order_by("index").values_list(
        "index", "payload", "leaf_hash", "root_after"
    )
    for index, payload, leaf, root in rows.iterator(chunk_size=5000):
        yield StoredEntry(
            index=index, payload=payload.encode(), leaf_hash=bytes(leaf), root_after=bytes(root)
        )


def _root_at(size: int) -> bytes | None:
    try:
        return root_at(size)
    except ValueError:
        return None


def record_verify(*, since_note: str | None = None) -> VerifyReport:
    result = verify_log(_stored_entries())
    report = VerifyReport(
        ok=result.ok,
        size=result.size,
        root=result.root.hex(),
        first_bad=result.first_bad,
        checkpoint=None,
        error=result.error,
    )
    if not report.ok:
        return report

    notes: list[tuple[str, str]] = []
    latest = checkpoints.latest_checkpoint()
    if latest is not None:
        notes.append(("latest stored checkpoint", latest.note))
    if since_note is not None:
        notes.append(("the given checkpoint", since_note))
    for label, note in notes:
        try:
            head = checkpoints.checkpoint_open(note)
        except CheckpointError as exc:
            report.ok = False
            report.error = f"{label} does not verify: {exc}"
            return report
        report.checkpoint = {"size": head.size, "root": head.root.hex(), "origin": head.origin}
        if head.size > result.size:
            report.ok = False
            report.error = (
                f"{label} is for {head.size} entries but the record now has only "
                f"{result.size}: entries were removed from its end"
            )
            return report
        if _root_at(head.size) != head.root:
            report.ok = False
            report.first_bad = head.size - 1 if head.size else 0
            report.error = (
                f"{label} (size {head.size}) does not match the record: the first "
                f"{head.size} entries were rewritten since it was signed"
            )
            return report
        if head.size and head.size < result.size:
            # The whole tree was recomputed above, so this holds; the proof is what an
            # outside monitor would check with only the two tree heads in hand.
            proof = consistency_proof(head.size, result.size, subtree_hasher())
            if not verify_consistency(head.size, result.size, head.root, result.root, proof):
                report.ok = False
                report.error = f"{label}: consistency proof to the current size fails"
                return report
    return report
