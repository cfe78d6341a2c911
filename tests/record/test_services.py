from __future__ import annotations

import json

import pytest
from django.db import transaction

from collegium.ledger.canonical import parse_canonical
from collegium.ledger.merkle import MemoryTree, leaf_hash, verify_inclusion
from collegium.record.models import Entry, Node
from collegium.record.proofs import entry_inclusion_proof, subtree_hasher
from collegium.record.selectors import entries, entry_proof
from collegium.record.services import (
    SYSTEM,
    Actor,
    RecordError,
    actor_for,
    record_append,
    salted_digest,
)


def append(n: int, body=None) -> list[Entry]:
    out = []
    for i in range(n):
        with transaction.atomic():
            out.append(record_append(kind="test.appended", actor=SYSTEM, body=body, data={"i": i}))
    return out


def test_append_refuses_to_run_outside_a_transaction(record_guards_lifted, transactional_db):
    with pytest.raises(RecordError, match="inside the service's transaction"):
        record_append(kind="x.y", actor=SYSTEM, data={})


def test_entries_are_canonical_and_chained_into_the_tree(db):
    stored = append(37)
    leaves = [bytes(e.leaf_hash) for e in stored]
    tree = MemoryTree(leaves)
    for e in stored:
        assert parse_canonical(e.payload.encode()) is not None
        assert bytes(e.leaf_hash) == leaf_hash(e.payload.encode())
        assert bytes(e.root_after) == tree.root(e.index + 1)
    assert json.loads(stored[5].payload)["index"] == 5


def test_stored_subtrees_answer_proofs_like_the_memory_tree(db):
    stored = append(23)
    leaves = [bytes(e.leaf_hash) for e in stored]
    tree = MemoryTree(leaves)
    # 23 leaves complete subtrees of 2, 4, 8 and 16: 11 + 5 + 2 + 1 nodes above the leaves.
    assert Node.objects.count() == 11 + 5 + 2 + 1
    hasher = subtree_hasher()
    for begin, end in [(0, 23), (3, 17), (16, 23), (7, 8)]:
        assert hasher(begin, end) == tree.subtree_hash(begin, end)
    for index in range(23):
        proof = entry_inclusion_proof(index, 23)
        assert proof == tree.inclusion_proof(index, 23)
        assert verify_inclusion(leaves[index], index, 23, proof, tree.root(23))


def test_entry_proof_at_an_earlier_size(db):
    stored = append(10)
    proof = entry_proof(stored[2], size=6)
    assert proof.tree_size == 6
    assert verify_inclusion(
        bytes.fromhex(proof.leaf_hash),
        2,
        6,
        [bytes.fromhex(h) for h in proof.path],
        bytes.fromhex(proof.root),
    )
    assert proof.root == bytes(stored[5].root_after).hex()


def test_failed_service_leaves_no_entry(db):
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        record_append(kind="test.appended", actor=SYSTEM, data={})
        _ = 1 / 0
    assert not Entry.objects.exists()


def test_filters_by_body_subtree_and_kind(small_federation):
    f = small_federation
    with transaction.atomic():
        record_append(kind="charter.changed", actor=SYSTEM, body=f.shop, data={})
        record_append(kind="other.thing", actor=SYSTEM, body=f.other_shop, data={})
    assert entries(body_code="sormovo", kind="charter").count() == 1
    assert entries(body_code="putilov").filter(kind="other.thing").count() == 1
    assert entries(body_code="nowhere").count() == 0
    indexes = list(entries().values_list("index", flat=True))
    assert indexes == sorted(indexes, reverse=True)


def test_actor_names_members_by_opaque_id(small_federation):
    f = small_federation
    assert actor_for(f.worker.user) == Actor(id=f.worker.public_id, role="member")
    assert actor_for(f.operator).role == "operator"
    assert salted_digest("a", "text") != salted_digest("b", "text")
