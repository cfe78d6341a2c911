"""Inclusion and consistency proofs served from the stored subtrees."""

from __future__ import annotations

from collections.abc import Callable

from collegium.ledger.merkle import inclusion_proof, range_hash_from_perfect
from collegium.record.services import perfect_hash


def subtree_hasher() -> Callable[[int, int], bytes]:
    cache: dict[tuple[int, int], bytes] = {}

    def perfect(level: int, position: int) -> bytes:
        key = (level, position)
        if key not in cache:
            cache[key] = perfect_hash(level, position)
        return cache[key]

    def subtree(begin: int, end: int) -> bytes:
        return range_hash_from_perfect(begin, end, perfect)

    return subtree


def entry_inclusion_proof(index: int, size: int) -> list[bytes]:
    return inclusion_proof(index, size, subtree_hasher())
