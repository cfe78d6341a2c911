"""The public record's pure core: canonical JSON, the RFC 6962 Merkle log, signed checkpoints.

No Django here (import-linter enforces it): the ``record`` app stores entries and calls
these functions.

* :mod:`collegium.ledger.canonical`: the one byte form of an entry (RFC 8785, no floats).
* :mod:`collegium.ledger.merkle`: hashes, roots, the append frontier, inclusion and
  consistency proofs and their verification (RFC 6962 / RFC 9162).
* :mod:`collegium.ledger.log`: stored entries, and checking a stored record in one pass
  and against a checkpoint.
* :mod:`collegium.ledger.checkpoint`: Ed25519-signed C2SP checkpoints and signing keys.
"""

from collegium.ledger.canonical import (
    CanonicalJsonError,
    JsonValue,
    canonical_json,
    parse_canonical,
)
from collegium.ledger.checkpoint import (
    Checkpoint,
    CheckpointError,
    SigningKeyError,
    VerifierKey,
    generate_signing_key,
    load_or_create_key,
    open_checkpoint,
    parse_verifier_key,
    sign_checkpoint,
    verifier_key,
)
from collegium.ledger.log import (
    LogVerification,
    StoredEntry,
    append_entry,
    check_against_checkpoint,
    verify_log,
)
from collegium.ledger.merkle import (
    EMPTY_ROOT,
    Frontier,
    MemoryTree,
    SubtreeHasher,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    range_hash_from_perfect,
    root_hash,
    verify_consistency,
    verify_inclusion,
)

__all__ = [
    "EMPTY_ROOT",
    "CanonicalJsonError",
    "Checkpoint",
    "CheckpointError",
    "Frontier",
    "JsonValue",
    "LogVerification",
    "MemoryTree",
    "SigningKeyError",
    "StoredEntry",
    "SubtreeHasher",
    "VerifierKey",
    "append_entry",
    "canonical_json",
    "check_against_checkpoint",
    "consistency_proof",
    "generate_signing_key",
    "inclusion_proof",
    "leaf_hash",
    "load_or_create_key",
    "node_hash",
    "open_checkpoint",
    "parse_canonical",
    "parse_verifier_key",
    "range_hash_from_perfect",
    "root_hash",
    "sign_checkpoint",
    "verifier_key",
    "verify_consistency",
    "verify_inclusion",
    "verify_log",
]
