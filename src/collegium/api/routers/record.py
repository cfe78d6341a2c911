"""The public record: entries with inclusion proofs, consistency proofs, checkpoints.

Anyone may read and verify the record, signed in or not.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router
from ninja.errors import HttpError
from ninja.params.functions import Query

from collegium.api import selectors as api_selectors
from collegium.api.auth import OPTIONAL
from collegium.api.schemas import (
    CheckpointOut,
    ConsistencyProof,
    EntryDetail,
    EntryPage,
    Error,
    RecordHead,
)
from collegium.record import checkpoints as record_checkpoints
from collegium.record import selectors
from collegium.record.models import Checkpoint, Entry
from collegium.record.proofs import subtree_hasher

router = Router(tags=["record"])

TEXT = {"content": {"text/plain": {"schema": {"type": "string"}}}}


def _entry(entry: Entry) -> dict[str, Any]:
    payload = selectors.entry_data(entry)
    return {
        "index": entry.index,
        "kind": entry.kind,
        "body": payload.get("body"),
        "actor": payload.get("actor") or {"id": entry.actor_id, "role": ""},
        "recorded_at": entry.recorded_at,
        "leaf_hash": bytes(entry.leaf_hash).hex(),
        "payload": payload,
    }


def _checkpoint(cp: Checkpoint) -> dict[str, Any]:
    return {
        "size": cp.size,
        "root": bytes(cp.root).hex(),
        "created_at": cp.created_at,
        "note": cp.note,
    }


@router.get(
    "/record",
    auth=OPTIONAL,
    response=RecordHead,
    summary="The record's current size and root",
)
def record_head(request: HttpRequest) -> dict[str, Any]:
    size, root = record_checkpoints.current_head()
    latest = record_checkpoints.latest_checkpoint()
    return {
        "size": size,
        "root": root.hex(),
        "latest_checkpoint": _checkpoint(latest) if latest else None,
    }


@router.get(
    "/record/entries",
    auth=OPTIONAL,
    response={200: EntryPage, 404: Error, 422: Error},
    summary="Record entries, newest first",
)
def list_entries(
    request: HttpRequest,
    body: str | None = Query(None, description="A body's code: its entries and those below."),
    kind: str | None = Query(
        None, description='An entry kind ("charter.changed") or a family ("charter").'
    ),
    before: int | None = Query(
        None, ge=0, description="Only entries with a smaller index (the next_before cursor)."
    ),
    limit: int = Query(50, ge=1, le=500),
) -> dict[str, Any]:
    if body and api_selectors.body_by_code(body) is None:
        raise HttpError(404, f"no body with code {body!r}")
    qs = selectors.entries(body_code=body or None, kind=kind or None)
    if before is not None:
        qs = qs.filter(index__lt=before)
    rows = list(qs[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "items": [_entry(e) for e in rows],
        "next_before": rows[-1].index if more and rows else None,
    }


@router.get(
    "/record/entries/{index}",
    auth=OPTIONAL,
    response={200: EntryDetail, 404: Error, 422: Error},
    summary="One entry with its inclusion proof",
)
def get_entry(
    request: HttpRequest,
    index: int,
    size: int | None = Query(
        None, ge=1, description="Prove inclusion in the tree of this size (default: now)."
    ),
) -> dict[str, Any]:
    if index < 0:
        raise HttpError(404, f"no entry {index}: indexes start at 0")
    entry = api_selectors.entry_by_index(index)
    if entry is None:
        raise HttpError(404, f"no entry {index} in the record")
    current, _ = record_checkpoints.current_head()
    if size is not None and not index < size <= current:
        raise HttpError(
            422, f"size must be more than the entry's index ({index}) and at most {current}"
        )
    proof = selectors.entry_proof(entry, size)
    return {
        **_entry(entry),
        "payload_text": entry.payload,
        "proof": {"tree_size": proof.tree_size, "root": proof.root, "path": proof.path},
    }


@router.get(
    "/record/consistency",
    auth=OPTIONAL,
    response={200: ConsistencyProof, 422: Error},
    summary="Proof that an older tree is a prefix of a newer one",
)
def get_consistency(
    request: HttpRequest,
    old: int = Query(..., ge=0, description="The older tree size."),
    new: int | None = Query(None, ge=0, description="The newer tree size (default: now)."),
) -> dict[str, Any]:
    from collegium.ledger import consistency_proof

    current, _ = record_checkpoints.current_head()
    new_size = current if new is None else new
    if not old <= new_size <= current:
        raise HttpError(
            422, f"need 0 <= old <= new <= {current} (the record's size); got {old} and {new_size}"
        )
    proof = consistency_proof(old, new_size, subtree_hasher())
    return {
        "old_size": old,
        "new_size": new_size,
        "old_root": api_selectors.root_at(old).hex(),
        "new_root": api_selectors.root_at(new_size).hex(),
        "proof": [h.hex() for h in proof],
    }


@router.get(
    "/record/checkpoints",
    auth=OPTIONAL,
    response=list[CheckpointOut],
    summary="Signed checkpoints, newest first",
)
def list_checkpoints(
    request: HttpRequest,
    before: int | None = Query(None, ge=0, description="Only checkpoints of a smaller size."),
    limit: int = Query(100, ge=1, le=1000),
) -> list[dict[str, Any]]:
    qs = selectors.checkpoints()
    if before is not None:
        qs = qs.filter(size__lt=before)
    return [_checkpoint(cp) for cp in qs[:limit]]


@router.get(
    "/record/checkpoints/{size}",
    auth=OPTIONAL,
    response={200: None, 404: Error},
    openapi_extra={"responses": {200: {"description": "The signed note", **TEXT}}},
    summary="The checkpoint of one tree size as a signed note (text/plain)",
)
def checkpoint_at(request: HttpRequest, size: int) -> Any:
    cp = selectors.checkpoints().filter(size=size).first()
    if cp is None:
        raise HttpError(404, f"no checkpoint was signed at size {size}")
    return HttpResponse(cp.note, content_type="text/plain; charset=utf-8")


@router.get(
    "/record/checkpoint",
    auth=OPTIONAL,
    response={200: None, 404: Error},
    openapi_extra={"responses": {200: {"description": "The signed note", **TEXT}}},
    summary="The latest checkpoint as a signed note (text/plain)",
)
def latest_checkpoint(request: HttpRequest) -> Any:
    cp = record_checkpoints.latest_checkpoint()
    if cp is None:
        raise HttpError(404, "no checkpoint has been signed yet")
    return HttpResponse(cp.note, content_type="text/plain; charset=utf-8")


@router.get(
    "/record/verifier",
    auth=OPTIONAL,
    response={200: None},
    openapi_extra={"responses": {200: {"description": "The C2SP verifier key", **TEXT}}},
    summary="The key that verifies this federation's checkpoints (text/plain)",
)
def verifier(request: HttpRequest) -> HttpResponse:
    return HttpResponse(record_checkpoints.verifier(), content_type="text/plain; charset=utf-8")
