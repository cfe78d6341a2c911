"""Signed checkpoints of the record and the signing key that lives outside the database."""

from __future__ import annotations

from functools import cache

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.utils import timezone

from collegium.ledger.checkpoint import Checkpoint as SignedHead
from collegium.ledger.checkpoint import (
    load_or_create_key,
    open_checkpoint,
    sign_checkpoint,
    verifier_key,
)
from collegium.ledger.merkle import EMPTY_ROOT
from collegium.record.models import Checkpoint, Entry


@cache
def _signing_key(path: str) -> Ed25519PrivateKey:
    from pathlib import Path

    return load_or_create_key(Path(path))


def signing_key() -> Ed25519PrivateKey:
    return _signing_key(str(settings.COLLEGIUM_SIGNING_KEY_FILE))


def verifier() -> str:
    """This federation's public verifier key, in the C2SP vkey form anyone can keep."""
    return verifier_key(settings.COLLEGIUM_KEY_NAME, signing_key().public_key())


def current_head() -> tuple[int, bytes]:
    last = Entry.objects.order_by("-index").values_list("index", "root_after").first()
    if last is None:
        return 0, EMPTY_ROOT
    return last[0] + 1, bytes(last[1])


def checkpoint_create() -> Checkpoint:
    size, root = current_head()
    existing = Checkpoint.objects.filter(size=size).first()
    if existing is not None:
        return existing
    head = SignedHead(origin=settings.COLLEGIUM_ORIGIN, size=size, root=root)
    note = sign_checkpoint(head, settings.COLLEGIUM_KEY_NAME, signing_key())
    return Checkpoint.objects.create(size=size, root=root, note=note, created_at=timezone.now())


def checkpoint_open(note: str) -> SignedHead:
    """Open a checkpoint note with this federation's key and origin (CheckpointError if not)."""
    return open_checkpoint(note, verifier(), expected_origin=settings.COLLEGIUM_ORIGIN)


def latest_checkpoint() -> Checkpoint | None:
    return Checkpoint.objects.order_by("-size").first()
