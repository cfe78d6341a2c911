"""The Merkle tree of the record: RFC 6962 §2.1 (RFC 9162 §2.1) with SHA-256.

* ``leaf_hash(d) = SHA-256(0x00 || d)``, ``node_hash(l, r) = SHA-256(0x01 || l || r)``;
* the Merkle tree hash (MTH) of ``n > 1`` leaves splits them at ``k``, the largest power
  of two smaller than ``n``: ``MTH(D[0:n]) = node_hash(MTH(D[0:k]), MTH(D[k:n]))``; the
  empty tree's hash is ``SHA-256()``.

Storage is kept out of this module. Proofs ask a :data:`SubtreeHasher` for the MTH of
``leaves[begin:end]``; :class:`MemoryTree` answers from memory and
:func:`range_hash_from_perfect` answers from stored perfect subtrees, so a database that
keeps the hash of each completed aligned block of ``2**level`` leaves answers any proof
query in O(log n) look-ups. :class:`Frontier` is the O(log n)-per-append summary that a
writer keeps to compute the root after each new entry.

Verification follows RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2 (consistency) and never
raises: anything malformed is simply not a valid proof.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "Frontier",
    "MemoryTree",
    "SubtreeHasher",
    "consistency_proof",
    "inclusion_proof",
    "leaf_hash",
    "node_hash",
    "range_hash_from_perfect",
    "root_hash",
    "verify_consistency",
    "verify_inclusion",
]

HASH_SIZE = 32
"""Bytes in a SHA-256 hash."""

_sha256 = hashlib.sha256
_LEAF = b"\x00"
_NODE = b"\x01"

EMPTY_ROOT: bytes = _sha256(b"").digest()
"""MTH of the empty tree: SHA-256 of the empty string (e3b0c442…)."""

SubtreeHasher = Callable[[int, int], bytes]
"""``subtree(begin, end)`` returns the Merkle tree hash of ``leaves[begin:end]``."""


def leaf_hash(data: bytes) -> bytes:
    """SHA-256(0x00 || data): the hash of one leaf (one record entry's canonical bytes)."""
    return _sha256(_LEAF + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right): the hash of an interior node."""
    return _sha256(_NODE + left + right).digest()


def _split(size: int) -> int:
    """The largest power of two smaller than ``size`` (``size >= 2``)."""
    return 1 << ((size - 1).bit_length() - 1)


def root_hash(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH of a whole list of leaf hashes, level by level (O(n) hashes, no recursion).

    Pairing neighbours and carrying an odd last node up unchanged builds exactly the
    RFC 6962 tree, whose left subtrees are the largest perfect ones.
    """
    level = list(leaf_hashes)
    if not level:
        return EMPTY_ROOT
    sha, node = _sha256, _NODE
    while len(level) > 1:
        odd = level[-1] if len(level) % 2 else None
        pairs = zip(level[::2], level[1::2], strict=False)
        level = [sha(node + a + b).digest() for a, b in pairs]
        if odd is not None:
            level.append(odd)
    return level[0]


# ---------------------------------------------------------------------------------- frontier


class Frontier:
    """The compact range ``[0, size)`` of a growing tree: the hashes of its perfect subtrees.

    A tree of ``size`` leaves is a row of perfect subtrees, one per set bit of ``size``,
    largest (leftmost) first. Appending a leaf merges equal-sized neighbours (at most
    log2(n) hashes, one on average); the root folds the row from the right (popcount - 1
    hashes). A storage layer persists ``size`` and :meth:`to_hashes` and restores with
    :meth:`from_hashes`.
    """

    __slots__ = ("_hashes", "_size")

    def __init__(self) -> None:
        self._size = 0
        self._hashes: list[bytes] = []

    @property
    def size(self) -> int:
        """Number of leaves appended so far."""
        return self._size

    def append(self, leaf_hash: bytes) -> None:
        """Append one leaf hash (32 bytes)."""
        if not isinstance(leaf_hash, bytes) or len(leaf_hash) != HASH_SIZE:
            raise ValueError("a leaf hash is 32 bytes")
        hashes = self._hashes
        merged = leaf_hash
        size = self._size
        while size & 1:
            merged = _sha256(_NODE + hashes.pop() + merged).digest()
            size >>= 1
        hashes.append(merged)
        self._size += 1

    def root(self) -> bytes:
        """MTH of the leaves appended so far (:data:`EMPTY_ROOT` when none)."""
        hashes = self._hashes
        if not hashes:
            return EMPTY_ROOT
        root = hashes[-1]
        for left in reversed(hashes[:-1]):
            root = _sha256(_NODE + left + root).digest()
        return root

    def to_hashes(self) -> list[bytes]:
        """The perfect-subtree hashes, largest first (``popcount(size)`` of them)."""
        return list(self._hashes)

    @classmethod
    def from_hashes(cls, size: int, hashes: Iterable[bytes]) -> Frontier:
        """Restore a frontier saved as ``size`` and :meth:`to_hashes`."""
        hashes = list(hashes)
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise ValueError(f"frontier size must be a non-negative integer, not {size!r}")
        if len(hashes) != size.bit_count():
            raise ValueError(
                f"a frontier of size {size} has {size.bit_count()} hashes, not {len(hashes)}"
            )
        if not all(isinstance(h, bytes) and len(h) == HASH_SIZE for h in hashes):
            raise ValueError("frontier hashes are 32-byte values")
        frontier = cls()
        frontier._size = size
        frontier._hashes = hashes
        return frontier

    def __repr__(self) -> str:
        return f"Frontier(size={self._size}, root={self.root().hex()})"


# ----------------------------------------------------------------------- subtrees from blocks


def range_hash_from_perfect(begin: int, end: int, perfect: Callable[[int, int], bytes]) -> bytes:
    """MTH of ``leaves[begin:end]`` from the hashes of perfect aligned subtrees.

    ``perfect(level, index)`` must return the hash of the perfect subtree over leaves
    ``[index * 2**level, (index + 1) * 2**level)`` (level 0: the leaf hashes themselves).
    When ``begin`` is a multiple of the smallest power of two not below ``end - begin``
    (true of every range that :func:`inclusion_proof` and :func:`consistency_proof` ask
    for) the range is a row of at most log2(n) such subtrees and costs that many look-ups
    and hashes. Any other range is still answered correctly by splitting it as MTH does,
    at a cost of up to ``end - begin`` look-ups.
    """
    if begin < 0 or end < begin:
        raise ValueError(f"invalid leaf range [{begin}, {end})")
    if begin == end:
        return EMPTY_ROOT
    return _range_hash(begin, end, perfect)


def _range_hash(begin: int, end: int, perfect: Callable[[int, int], bytes]) -> bytes:
    size = end - begin
    span = 1 << (size - 1).bit_length()  # smallest power of two >= size
    if begin % span:
        k = _split(size)
        left = _range_hash(begin, begin + k, perfect)
        return node_hash(left, _range_hash(begin + k, end, perfect))
    # Aligned: one perfect subtree per set bit of size, largest first, folded from the right.
    parts: list[bytes] = []
    position = begin
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            parts.append(perfect(level, position >> level))
            position += 1 << level
    root = parts.pop()
    while parts:
        root = node_hash(parts.pop(), root)
    return root


# ------------------------------------------------------------------------------------ proofs


def _check_size(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be a non-negative integer, not {value!r}")


def inclusion_proof(index: int, size: int, subtree: SubtreeHasher) -> list[bytes]:
    """The audit path of leaf ``index`` in the tree of the first ``size`` leaves.

    RFC 6962 §2.1.1 PATH(m, D[n]): the hashes needed, from the leaf's sibling up to the
    root's other child, to recompute the root from the leaf hash. Raises ``ValueError``
    unless ``0 <= index < size``.
    """
    _check_size("index", index)
    _check_size("size", size)
    if index >= size:
        raise ValueError(f"leaf {index} is not in a tree of {size} leaves")
    path: list[bytes] = []
    begin, end, m = 0, size, index
    while end - begin > 1:
        k = _split(end - begin)
        if m < k:
            path.append(subtree(begin + k, end))
            end = begin + k
        else:
            path.append(subtree(begin, begin + k))
            begin += k
            m -= k
    path.reverse()
    return path


def consistency_proof(old_size: int, new_size: int, subtree: SubtreeHasher) -> list[bytes]:
    """The proof that the tree of ``old_size`` leaves is a prefix of that of ``new_size``.

    RFC 6962 §2.1.2 PROOF(m, D[n]) = SUBPROOF(m, D[n], true). Empty when ``old_size`` is
    0 or equals ``new_size`` (nothing to prove). Raises ``ValueError`` unless
    ``0 <= old_size <= new_size``.
    """
    _check_size("old_size", old_size)
    _check_size("new_size", new_size)
    if old_size > new_size:
        raise ValueError(f"a tree of {new_size} leaves cannot extend one of {old_size}")
    if old_size in (0, new_size):
        return []
    proof: list[bytes] = []
    begin, end, m, whole = 0, new_size, old_size, True
    while m != end - begin:
        k = _split(end - begin)
        if m <= k:
            proof.append(subtree(begin + k, end))
            end = begin + k
        else:
            proof.append(subtree(begin, begin + k))
            begin += k
            m -= k
            whole = False
    if not whole:
        proof.append(subtree(begin, end))
    proof.reverse()
    return proof


# ------------------------------------------------------------------------------ verification


def _is_hash(value: object) -> bool:
    return isinstance(value, bytes) and len(value) == HASH_SIZE


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _hash_list(proof: object) -> list[bytes] | None:
    if not isinstance(proof, Iterable) or isinstance(proof, str | bytes | bytearray):
        return None
    items = list(proof)
    return items if all(_is_hash(item) for item in items) else None


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Iterable[bytes], root: bytes
) -> bool:
    """Whether ``proof`` shows leaf ``index`` with hash ``leaf_hash`` in the tree ``root``.

    RFC 9162 §2.1.3.2. Never raises: wrong types, sizes or lengths give ``False``.
    """
    path = _hash_list(proof)
    if (
        path is None
        or not (_is_hash(leaf_hash) and _is_hash(root))
        or not (_is_count(index) and _is_count(size))
        or index >= size
    ):
        return False
    fn, sn, r = index, size - 1, leaf_hash
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Iterable[bytes]
) -> bool:
    """Whether ``proof`` shows the tree ``old_root`` is a prefix of the tree ``new_root``.

    RFC 9162 §2.1.4.2, with the two cases it leaves to the caller made explicit: equal
    sizes need an empty proof and equal roots; an old size of 0 needs an empty proof and
    ``old_root`` equal to :data:`EMPTY_ROOT` (the empty tree is a prefix of every tree).
    Never raises: wrong types, sizes or lengths give ``False``.
    """
    path = _hash_list(proof)
    if (
        path is None
        or not (_is_hash(old_root) and _is_hash(new_root))
        or not (_is_count(old_size) and _is_count(new_size))
        or old_size > new_size
    ):
        return False
    if old_size == new_size:
        return not path and old_root == new_root
    if old_size == 0:
        return not path and old_root == EMPTY_ROOT
    if not path:
        return False
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is a proof node
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == old_root and sr == new_root and sn == 0


# ------------------------------------------------------------------------------ memory tree


class MemoryTree:
    """A whole tree in memory, for tests, tools and small logs.

    Building keeps every perfect aligned subtree (about ``2n`` hashes, O(n) work); after
    that :meth:`subtree_hash`, and so each proof, costs O(log n) hashes.
    """

    __slots__ = ("_levels",)

    def __init__(self, leaf_hashes: Iterable[bytes]) -> None:
        leaves = list(leaf_hashes)
        if not all(_is_hash(h) for h in leaves):
            raise ValueError("leaf hashes are 32-byte values")
        levels = [leaves]
        sha, node = _sha256, _NODE
        while len(levels[-1]) > 1:
            below = levels[-1]
            pairs = zip(below[::2], below[1::2], strict=False)
            levels.append([sha(node + a + b).digest() for a, b in pairs])
        self._levels = levels

    @property
    def size(self) -> int:
        """Number of leaves."""
        return len(self._levels[0])

    def _perfect(self, level: int, index: int) -> bytes:
        return self._levels[level][index]

    def _size(self, size: int | None) -> int:
        if size is None:
            return self.size
        _check_size("size", size)
        if size > self.size:
            raise ValueError(f"the tree has {self.size} leaves, not {size}")
        return size

    def subtree_hash(self, begin: int, end: int) -> bytes:
        """MTH of ``leaves[begin:end]`` (a :data:`SubtreeHasher`)."""
        if end > self.size:
            raise ValueError(f"the tree has {self.size} leaves, not {end}")
        return range_hash_from_perfect(begin, end, self._perfect)

    def root(self, size: int | None = None) -> bytes:
        """MTH of the first ``size`` leaves (all of them by default)."""
        return self.subtree_hash(0, self._size(size))

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """Audit path of leaf ``index`` in the tree of the first ``size`` leaves."""
        return inclusion_proof(index, self._size(size), self.subtree_hash)

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        """Consistency proof from the first ``old_size`` to the first ``new_size`` leaves."""
        return consistency_proof(old_size, self._size(new_size), self.subtree_hash)
