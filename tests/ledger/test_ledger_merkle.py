"""The RFC 6962 tree: published vectors, a reference from the RFC's text, and properties."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collegium.ledger.merkle import (
    EMPTY_ROOT,
    Frontier,
    MemoryTree,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    range_hash_from_perfect,
    root_hash,
    verify_consistency,
    verify_inclusion,
)


def h(text: str) -> bytes:
    return bytes.fromhex(text)


# --------------------------------------------------------------- published test vectors
# transparency-dev/merkle (the Certificate Transparency reference code):
# testonly/constants.go (leaf inputs, node hashes, roots, compact ranges) and
# proof/verify_test.go (inclusion and consistency proofs; there leaf numbers are 1-based).

LEAF_INPUTS = [
    h(""),
    h("00"),
    h("10"),
    h("2021"),
    h("3031"),
    h("40414243"),
    h("5051525354555657"),
    h("606162636465666768696a6b6c6d6e6f"),
]
LEAVES = [leaf_hash(data) for data in LEAF_INPUTS]

NODE_HASHES = [
    [
        h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
        h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
        h("0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7"),
        h("07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7"),
        h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
        h("4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658"),
        h("b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"),
        h("46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1"),
    ],
    [
        h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"),
        h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
        h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
        h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
    ],
    [
        h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
    ],
    [h("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")],
]

ROOTS = [
    h("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
    h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"),
    h("aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77"),
    h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
    h("4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4"),
    h("76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef"),
    h("ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c"),
    h("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"),
]

NH = NODE_HASHES
COMPACT_RANGES = [
    [],
    [NH[0][0]],
    [NH[1][0]],
    [NH[1][0], NH[0][2]],
    [NH[2][0]],
    [NH[2][0], NH[0][4]],
    [NH[2][0], NH[1][2]],
    [NH[2][0], NH[1][2], NH[0][6]],
    [NH[3][0]],
]

# (1-based leaf, tree size, proof)
INCLUSION_PROOFS = [
    (
        1,
        8,
        [
            h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
        ],
    ),
    (
        6,
        8,
        [
            h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
            h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
            h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        ],
    ),
    (3, 3, [h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")]),
    (
        2,
        5,
        [
            h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
        ],
    ),
    (1, 1, []),
]

CONSISTENCY_PROOFS = [
    (1, 1, []),
    (
        1,
        8,
        [
            h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
        ],
    ),
    (
        6,
        8,
        [
            h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
            h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
            h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        ],
    ),
    (
        2,
        5,
        [
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
        ],
    ),
    (
        6,
        7,
        [
            h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
            h("b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"),
            h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        ],
    ),
]

SOME_HASH = h("abacaba000000000000000000000000000000000000000000060061e00123456")


def test_hash_definitions() -> None:
    assert h("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") == EMPTY_ROOT
    assert leaf_hash(b"x") == hashlib.sha256(b"\x00x").digest()
    assert node_hash(b"a", b"b") == hashlib.sha256(b"\x01ab").digest()
    assert NODE_HASHES[0] == LEAVES


def test_roots_of_the_reference_tree() -> None:
    tree = MemoryTree(LEAVES)
    frontier = Frontier()
    assert frontier.root() == ROOTS[0] == root_hash([]) == tree.root(0)
    for size in range(1, 9):
        frontier.append(LEAVES[size - 1])
        assert root_hash(LEAVES[:size]) == ROOTS[size], size
        assert tree.root(size) == ROOTS[size], size
        assert frontier.root() == ROOTS[size], size
        assert frontier.to_hashes() == COMPACT_RANGES[size], size
    assert tree.root() == ROOTS[8]
    assert frontier.size == tree.size == 8


def test_perfect_subtrees_of_the_reference_tree() -> None:
    tree = MemoryTree(LEAVES)
    for level, row in enumerate(NODE_HASHES):
        for index, expected in enumerate(row):
            width = 1 << level
            assert tree.subtree_hash(index * width, (index + 1) * width) == expected
            assert (
                range_hash_from_perfect(
                    index * width, (index + 1) * width, lambda lv, ix: NODE_HASHES[lv][ix]
                )
                == expected
            )


@pytest.mark.parametrize(("leaf", "size", "proof"), INCLUSION_PROOFS)
def test_published_inclusion_proofs(leaf: int, size: int, proof: list[bytes]) -> None:
    tree = MemoryTree(LEAVES)
    index = leaf - 1
    assert tree.inclusion_proof(index, size) == proof
    assert verify_inclusion(LEAVES[index], index, size, proof, ROOTS[size])
    for probe in corrupted_inclusion(index, size, proof, ROOTS[size], LEAVES[index]):
        assert not verify_inclusion(*probe), probe


@pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY_PROOFS)
def test_published_consistency_proofs(old: int, new: int, proof: list[bytes]) -> None:
    tree = MemoryTree(LEAVES)
    assert tree.consistency_proof(old, new) == proof
    assert verify_consistency(old, new, ROOTS[old], ROOTS[new], proof)
    if proof:
        for probe in corrupted_consistency(old, new, ROOTS[old], ROOTS[new], proof):
            assert not verify_consistency(*probe), probe


def corrupted_inclusion(
    index: int, size: int, proof: list[bytes], root: bytes, leaf: bytes
) -> list[tuple[bytes, int, int, list[bytes], bytes]]:
    """The corruptions of transparency-dev/merkle's verifier test, and a few more."""
    probes = [
        (leaf, index - 1, size, proof, root),
        (leaf, index + 1, size, proof, root),
        (leaf, index ^ 2, size, proof, root),
        (leaf, index, size * 2, proof, root),
        (leaf, index, size // 2, proof, root),
        (b"WrongLeaf", index, size, proof, root),
        (SOME_HASH, index, size, proof, root),
        (leaf, index, size, proof, EMPTY_ROOT),
        (leaf, index, size, proof, SOME_HASH),
        (leaf, index, size, [*proof, b""], root),
        (leaf, index, size, [*proof, root], root),
        (leaf, index, size, [b"", *proof], root),
        (leaf, index, size, [root, *proof], root),
    ]
    for position in range(len(proof)):
        flipped = list(proof)
        flipped[position] = bytes([flipped[position][0] ^ 8]) + flipped[position][1:]
        probes.append((leaf, index, size, flipped, root))
    if proof:
        probes.append((leaf, index, size, proof[:-1], root))
    if len(proof) > 1:
        probes.append((leaf, index, size, [proof[0], SOME_HASH, *proof[1:]], root))
    return probes


def corrupted_consistency(
    old: int, new: int, old_root: bytes, new_root: bytes, proof: list[bytes]
) -> list[tuple[int, int, bytes, bytes, list[bytes]]]:
    probes = [
        (old - 1, new, old_root, new_root, proof),
        (old + 1, new, old_root, new_root, proof),
        (old ^ 2, new, old_root, new_root, proof),
        (old, new * 2, old_root, new_root, proof),
        (old, new // 2, old_root, new_root, proof),
        (old, new, b"WrongRoot", new_root, proof),
        (old, new, SOME_HASH, new_root, proof),
        (old, new, old_root, SOME_HASH, proof),
        (old, new, new_root, old_root, proof),
        (old, new, old_root, new_root, []),
        (old, new, old_root, new_root, [*proof, b""]),
        (old, new, old_root, new_root, [*proof, old_root]),
        (old, new, old_root, new_root, [*proof, new_root]),
        (old, new, old_root, new_root, [b"", *proof]),
        (old, new, old_root, new_root, [old_root, *proof]),
        (old, new, old_root, new_root, [new_root, *proof]),
        (old, new, old_root, new_root, [proof[0], *proof]),
        (old, new, old_root, new_root, proof[:-1]),
    ]
    for position in range(len(proof)):
        flipped = list(proof)
        flipped[position] = bytes([flipped[position][0] ^ 16]) + flipped[position][1:]
        probes.append((old, new, old_root, new_root, flipped))
    return probes


# ------------------------------------------------------------- reference from the RFC text


def ref_mth(leaves: list[bytes]) -> bytes:
    """RFC 6962 §2.1 MTH, recursively, over leaf hashes."""
    n = len(leaves)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return leaves[0]
    k = 1
    while k * 2 < n:
        k *= 2
    return hashlib.sha256(b"\x01" + ref_mth(leaves[:k]) + ref_mth(leaves[k:])).digest()


def ref_path(m: int, leaves: list[bytes]) -> list[bytes]:
    """RFC 6962 §2.1.1 PATH(m, D[n])."""
    n = len(leaves)
    if n == 1:
        return []
    k = 1
    while k * 2 < n:
        k *= 2
    if m < k:
        return [*ref_path(m, leaves[:k]), ref_mth(leaves[k:])]
    return [*ref_path(m - k, leaves[k:]), ref_mth(leaves[:k])]


def ref_subproof(m: int, leaves: list[bytes], whole: bool) -> list[bytes]:
    """RFC 6962 §2.1.2 SUBPROOF(m, D[n], b)."""
    n = len(leaves)
    if m == n:
        return [] if whole else [ref_mth(leaves)]
    k = 1
    while k * 2 < n:
        k *= 2
    if m <= k:
        return [*ref_subproof(m, leaves[:k], whole), ref_mth(leaves[k:])]
    return [*ref_subproof(m - k, leaves[k:], False), ref_mth(leaves[:k])]


def make_leaves(count: int, tag: str = "") -> list[bytes]:
    return [leaf_hash(f"{tag}entry {i}".encode()) for i in range(count)]


def test_every_proof_of_small_trees_matches_the_rfc() -> None:
    leaves = make_leaves(40)
    tree = MemoryTree(leaves)
    for size in range(1, 41):
        root = ref_mth(leaves[:size])
        assert tree.root(size) == root == root_hash(leaves[:size])
        for index in range(size):
            proof = tree.inclusion_proof(index, size)
            assert proof == ref_path(index, leaves[:size])
            assert verify_inclusion(leaves[index], index, size, proof, root)
            if size > 1:
                assert not verify_inclusion(leaves[index], (index + 1) % size, size, proof, root)
        for old in range(1, size + 1):
            proof = tree.consistency_proof(old, size)
            assert proof == ref_subproof(old, leaves[:size], True)
            assert verify_consistency(old, size, ref_mth(leaves[:old]), root, proof)


def test_range_hash_of_any_range() -> None:
    leaves = make_leaves(21)
    tree = MemoryTree(leaves)

    def perfect(level: int, index: int) -> bytes:
        return ref_mth(leaves[index << level : (index + 1) << level])

    for begin in range(22):
        for end in range(begin, 22):
            assert range_hash_from_perfect(begin, end, perfect) == ref_mth(leaves[begin:end])
            assert tree.subtree_hash(begin, end) == ref_mth(leaves[begin:end])


def test_aligned_ranges_cost_one_look_up_per_subtree() -> None:
    leaves = make_leaves(1000)
    tree = MemoryTree(leaves)
    calls: list[tuple[int, int]] = []

    def perfect(level: int, index: int) -> bytes:
        calls.append((level, index))
        return tree.subtree_hash(index << level, (index + 1) << level)

    assert range_hash_from_perfect(512, 1000, perfect) == ref_mth(leaves[512:1000])
    assert calls == [(8, 2), (7, 6), (6, 14), (5, 30), (3, 124)]  # 488 = 256+128+64+32+8
    calls.clear()
    inclusion_proof(777, 1000, lambda b, e: range_hash_from_perfect(b, e, perfect))
    assert len(calls) <= 2 * 10


def test_argument_errors() -> None:
    tree = MemoryTree(make_leaves(5))
    for call, words in (
        (lambda: inclusion_proof(5, 5, tree.subtree_hash), "leaf 5 is not in a tree of 5"),
        (lambda: inclusion_proof(-1, 5, tree.subtree_hash), "index must be a non-negative"),
        (lambda: inclusion_proof(0, 0, tree.subtree_hash), "leaf 0 is not in a tree of 0"),
        (lambda: inclusion_proof(True, 5, tree.subtree_hash), "index must be"),
        (lambda: consistency_proof(6, 5, tree.subtree_hash), "cannot extend one of 6"),
        (lambda: consistency_proof(-1, 5, tree.subtree_hash), "old_size must be"),
        (lambda: consistency_proof(1, 2.0, tree.subtree_hash), "new_size must be"),  # type: ignore[arg-type]
        (lambda: range_hash_from_perfect(-1, 2, tree._perfect), "invalid leaf range"),
        (lambda: range_hash_from_perfect(3, 2, tree._perfect), "invalid leaf range"),
        (lambda: tree.root(6), "has 5 leaves, not 6"),
        (lambda: tree.root(-1), "size must be"),
        (lambda: tree.inclusion_proof(0, 6), "has 5 leaves, not 6"),
        (lambda: tree.consistency_proof(1, 6), "has 5 leaves, not 6"),
        (lambda: tree.subtree_hash(0, 6), "has 5 leaves, not 6"),
        (lambda: MemoryTree([b"short"]), "32-byte"),
    ):
        with pytest.raises(ValueError, match=words):
            call()
    assert consistency_proof(0, 5, tree.subtree_hash) == []
    assert consistency_proof(5, 5, tree.subtree_hash) == []
    assert consistency_proof(0, 0, tree.subtree_hash) == []
    assert range_hash_from_perfect(3, 3, tree._perfect) == EMPTY_ROOT
    assert tree.consistency_proof(2) == ref_subproof(2, make_leaves(5), True)
    assert MemoryTree([]).root() == EMPTY_ROOT


# --------------------------------------------------------------------------------- frontier


def test_frontier_persists_and_restores() -> None:
    leaves = make_leaves(100)
    frontier = Frontier()
    for count, leaf in enumerate(leaves, start=1):
        frontier.append(leaf)
        saved = frontier.to_hashes()
        assert len(saved) == count.bit_count()
        restored = Frontier.from_hashes(count, saved)
        assert restored.size == count and restored.root() == frontier.root()
    restored = Frontier.from_hashes(37, compact_range(leaves[:37]))
    assert restored.root() == root_hash(leaves[:37])
    restored.append(leaves[37])
    assert restored.root() == root_hash(leaves[:38])
    assert "size=100" in repr(frontier)
    assert repr(Frontier()).endswith(EMPTY_ROOT.hex() + ")")


def compact_range(leaves: list[bytes]) -> list[bytes]:
    """The compact range a storage layer would keep: the perfect subtrees, largest first."""
    tree = MemoryTree(leaves)
    hashes = []
    begin = 0
    for level in range(len(leaves).bit_length() - 1, -1, -1):
        if len(leaves) >> level & 1:
            hashes.append(tree.subtree_hash(begin, begin + (1 << level)))
            begin += 1 << level
    return hashes


@pytest.mark.parametrize(
    ("size", "hashes"),
    [
        (3, [EMPTY_ROOT]),
        (3, [EMPTY_ROOT] * 3),
        (-1, []),
        (True, [EMPTY_ROOT]),
        ("1", [EMPTY_ROOT]),
        (1, [b"short"]),
        (1, ["x" * 32]),
    ],
)
def test_frontier_refuses_bad_saved_state(size: object, hashes: list[object]) -> None:
    with pytest.raises(ValueError, match="frontier"):
        Frontier.from_hashes(size, hashes)  # type: ignore[arg-type]


def test_frontier_refuses_bad_leaves() -> None:
    frontier = Frontier()
    for leaf in (b"short", "x" * 32, None, bytearray(32)):
        with pytest.raises(ValueError, match="32 bytes"):
            frontier.append(leaf)  # type: ignore[arg-type]
    assert frontier.size == 0


@settings(max_examples=30, deadline=None)
@given(st.lists(st.binary(max_size=8), max_size=300))
def test_frontier_root_equals_root_hash_at_every_size(data: list[bytes]) -> None:
    leaves = [leaf_hash(item) for item in data]
    frontier = Frontier()
    assert frontier.root() == root_hash([])
    for size, leaf in enumerate(leaves, start=1):
        frontier.append(leaf)
        assert frontier.root() == root_hash(leaves[:size])
    assert frontier.size == len(leaves)


def test_root_hash_matches_the_rfc_for_every_size_up_to_300() -> None:
    leaves = make_leaves(300, "r")
    frontier = Frontier()
    for size in range(1, 301):
        frontier.append(leaves[size - 1])
        expected = ref_mth(leaves[:size]) if size <= 70 or size % 37 == 0 else frontier.root()
        assert root_hash(leaves[:size]) == expected == frontier.root()


# ------------------------------------------------------------------------ proof properties

tree_and_index = st.integers(min_value=1, max_value=300).flatmap(
    lambda size: st.tuples(st.just(size), st.integers(min_value=0, max_value=size - 1))
)


@settings(deadline=None)
@given(tree_and_index, st.data())
def test_inclusion_proofs_verify_and_nothing_else_does(
    size_index: tuple[int, int], data: st.DataObject
) -> None:
    size, index = size_index
    leaves = make_leaves(size)
    tree = MemoryTree(leaves)
    root = tree.root()
    proof = tree.inclusion_proof(index, size)
    assert verify_inclusion(leaves[index], index, size, proof, root)
    if size > 1:
        other = data.draw(st.integers(min_value=0, max_value=size - 1).filter(lambda i: i != index))
        assert not verify_inclusion(leaves[index], other, size, proof, root)
        assert not verify_inclusion(leaves[other], index, size, proof, root)
    assert not verify_inclusion(leaf_hash(b"not an entry"), index, size, proof, root)
    assert not verify_inclusion(leaves[index], index, size, proof, leaf_hash(b"other root"))
    if proof:
        position = data.draw(st.integers(min_value=0, max_value=len(proof) - 1))
        bit = data.draw(st.integers(min_value=0, max_value=255))
        altered = list(proof)
        altered[position] = bytes(
            b ^ (1 << (bit % 8)) if i == bit // 8 else b for i, b in enumerate(altered[position])
        )
        assert not verify_inclusion(leaves[index], index, size, altered, root)
        assert not verify_inclusion(leaves[index], index, size, proof[:-1], root)
    assert not verify_inclusion(leaves[index], index, size, [*proof, SOME_HASH], root)


sizes_pair = st.integers(min_value=0, max_value=300).flatmap(
    lambda new: st.tuples(st.integers(min_value=0, max_value=new), st.just(new))
)


@settings(deadline=None)
@given(sizes_pair, st.data())
def test_consistency_proofs_verify_and_forgeries_do_not(
    sizes: tuple[int, int], data: st.DataObject
) -> None:
    old, new = sizes
    leaves = make_leaves(new)
    tree = MemoryTree(leaves)
    old_root, new_root = tree.root(old), tree.root(new)
    proof = tree.consistency_proof(old, new)
    assert verify_consistency(old, new, old_root, new_root, proof)
    # a different history of the same length is not consistent with the old tree
    forged = MemoryTree([*leaves[: max(old - 1, 0)], leaf_hash(b"rewritten"), *leaves[old:]])
    if old:
        forged_proof = forged.consistency_proof(old, new)
        assert not verify_consistency(old, new, old_root, forged.root(new), forged_proof)
        assert not verify_consistency(old, new, old_root, forged.root(new), proof)
    if old not in (0, new):
        position = data.draw(st.integers(min_value=0, max_value=len(proof) - 1))
        altered = list(proof)
        altered[position] = bytes([altered[position][0] ^ 1]) + altered[position][1:]
        assert not verify_consistency(old, new, old_root, new_root, altered)
        assert not verify_consistency(old, new, old_root, new_root, proof[:-1])
        assert not verify_consistency(old, new, old_root, new_root, [*proof, SOME_HASH])
        assert not verify_consistency(old, new, new_root, old_root, proof)
        assert not verify_consistency(new, old, new_root, old_root, proof)
        wrong_old = data.draw(st.integers(min_value=1, max_value=new).filter(lambda m: m != old))
        assert not verify_consistency(wrong_old, new, old_root, new_root, proof)


# --------------------------------------------------------------------- garbage never raises


GARBAGE = [None, "", "x" * 32, b"", b"\x00" * 31, b"\x00" * 33, 3, 2.5, object(), [b"\x00" * 32]]


@pytest.mark.parametrize("junk", GARBAGE)
def test_verification_never_raises_on_garbage(junk: object) -> None:
    leaf, root, proof = LEAVES[0], ROOTS[8], INCLUSION_PROOFS[0][2]
    j = junk
    assert not verify_inclusion(j, 0, 8, proof, root)  # type: ignore[arg-type]
    assert not verify_inclusion(leaf, j, 8, proof, root)  # type: ignore[arg-type]
    assert not verify_inclusion(leaf, 0, j, proof, root)  # type: ignore[arg-type]
    assert not verify_inclusion(leaf, 0, 8, j, root)  # type: ignore[arg-type]
    assert not verify_inclusion(leaf, 0, 8, [*proof[:2], j], root)  # type: ignore[list-item]
    assert not verify_inclusion(leaf, 0, 8, proof, j)  # type: ignore[arg-type]
    cproof = CONSISTENCY_PROOFS[2][2]
    assert not verify_consistency(j, 8, ROOTS[6], root, cproof)  # type: ignore[arg-type]
    assert not verify_consistency(6, j, ROOTS[6], root, cproof)  # type: ignore[arg-type]
    assert not verify_consistency(6, 8, j, root, cproof)  # type: ignore[arg-type]
    assert not verify_consistency(6, 8, ROOTS[6], j, cproof)  # type: ignore[arg-type]
    assert not verify_consistency(6, 8, ROOTS[6], root, j)  # type: ignore[arg-type]
    assert not verify_consistency(6, 8, ROOTS[6], root, [j, *cproof[1:]])  # type: ignore[list-item]


def test_verification_edge_cases() -> None:
    leaf = LEAVES[0]
    # negative, boolean and out-of-range positions
    assert not verify_inclusion(leaf, -1, 8, [], ROOTS[8])
    assert not verify_inclusion(leaf, True, 8, [], ROOTS[8])
    assert not verify_inclusion(leaf, 0, 0, [], EMPTY_ROOT)
    assert not verify_inclusion(leaf, 8, 8, [], ROOTS[8])
    assert not verify_inclusion(leaf, 0, 8, b"\x00" * 32, ROOTS[8])  # type: ignore[arg-type]
    assert not verify_inclusion(leaf, 0, 8, "proof", ROOTS[8])  # type: ignore[arg-type]
    assert not verify_inclusion(leaf, 0, 8, memoryview(b"\x00" * 64), ROOTS[8])
    assert verify_inclusion(leaf, 0, 1, [], leaf)
    assert verify_inclusion(leaf, 0, 8, iter(INCLUSION_PROOFS[0][2]), ROOTS[8])
    assert verify_inclusion(leaf, 0, 8, tuple(INCLUSION_PROOFS[0][2]), ROOTS[8])
    # a proof longer than the tree is deep runs out of tree before it runs out of hashes
    assert not verify_inclusion(leaf, 0, 1, [SOME_HASH], leaf)
    # consistency: equal sizes, empty old tree, shrinking
    assert verify_consistency(3, 3, ROOTS[3], ROOTS[3], [])
    assert not verify_consistency(3, 3, ROOTS[3], ROOTS[4], [])
    assert not verify_consistency(3, 3, ROOTS[3], ROOTS[3], [ROOTS[3]])
    assert verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
    assert verify_consistency(0, 5, EMPTY_ROOT, ROOTS[5], [])
    assert not verify_consistency(0, 5, SOME_HASH, ROOTS[5], [])
    assert not verify_consistency(0, 5, EMPTY_ROOT, ROOTS[5], [EMPTY_ROOT])
    assert not verify_consistency(5, 3, ROOTS[5], ROOTS[3], [])
    assert not verify_consistency(-1, 3, ROOTS[0], ROOTS[3], [])
    assert not verify_consistency(False, 3, ROOTS[0], ROOTS[3], [])
    assert not verify_consistency(1, 8, ROOTS[1], ROOTS[8], [])
    # a proof with extra hashes runs out of tree
    long_proof = [*CONSISTENCY_PROOFS[1][2], SOME_HASH, SOME_HASH]
    assert not verify_consistency(1, 8, ROOTS[1], ROOTS[8], long_proof)
