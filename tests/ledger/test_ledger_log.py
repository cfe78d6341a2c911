"""Checking a stored record: every single tampering is found where it happens."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collegium.ledger.canonical import JsonValue, canonical_json
from collegium.ledger.checkpoint import Checkpoint
from collegium.ledger.log import (
    LogVerification,
    StoredEntry,
    append_entry,
    check_against_checkpoint,
    verify_log,
)
from collegium.ledger.merkle import EMPTY_ROOT, Frontier, leaf_hash, root_hash

ORIGIN = "collegium.test/federation"


def build(values: list[JsonValue]) -> list[StoredEntry]:
    frontier = Frontier()
    return [append_entry(frontier, value) for value in values]


def sample(count: int) -> list[StoredEntry]:
    return build([{"kind": "test", "n": i, "member": f"m-{i:04d}"} for i in range(count)])


def reference_first_bad(entries: list[StoredEntry]) -> int | None:
    """Independent oracle: the first position where the list stops being an honest log.

    An honest entry at position p has index p, a payload that canonical JSON writes the
    same way, the leaf hash of that payload, and the root over the leaves stored so far.
    """
    leaves: list[bytes] = []
    for position, entry in enumerate(entries):
        try:
            value = json.loads(entry.payload)
            canonical = canonical_json(value) == entry.payload
        except (ValueError, TypeError):
            canonical = False
        honest_leaf = hashlib.sha256(b"\x00" + entry.payload).digest()
        if (
            entry.index != position
            or not canonical
            or entry.leaf_hash != honest_leaf
            or entry.root_after != root_hash([*leaves, honest_leaf])
        ):
            return position
        leaves.append(honest_leaf)
    return None


# ----------------------------------------------------------------------------- the basics


def test_append_entry_and_a_clean_record() -> None:
    frontier = Frontier()
    first = append_entry(frontier, {"b": 1, "a": [True, None]})
    assert first == StoredEntry(
        index=0,
        payload=b'{"a":[true,null],"b":1}',
        leaf_hash=leaf_hash(b'{"a":[true,null],"b":1}'),
        root_after=leaf_hash(b'{"a":[true,null],"b":1}'),
    )
    entries = [first, *(append_entry(frontier, i) for i in range(9))]
    result = verify_log(entries)
    assert result == LogVerification(ok=True, size=10, root=frontier.root())
    assert result.root == root_hash([e.leaf_hash for e in entries])
    assert result.as_dict() == {
        "ok": True,
        "size": 10,
        "root": frontier.root().hex(),
        "first_bad": None,
        "error": None,
    }
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.index = 3  # type: ignore[misc]


def test_append_entry_refuses_floats_and_leaves_the_frontier_alone() -> None:
    frontier = Frontier()
    with pytest.raises(ValueError, match="floating-point"):
        append_entry(frontier, {"share": 0.5})  # type: ignore[dict-item]
    assert frontier.size == 0


def test_empty_record() -> None:
    assert verify_log([]) == LogVerification(ok=True, size=0, root=EMPTY_ROOT)


def test_streaming_consumes_the_iterator_once() -> None:
    entries = sample(1000)

    class OneShot:
        def __init__(self) -> None:
            self.iterated = 0

        def __iter__(self) -> Iterator[StoredEntry]:
            self.iterated += 1
            assert self.iterated == 1, "iterated twice"
            yield from entries

    source = OneShot()
    assert verify_log(source).ok
    assert source.iterated == 1
    # a plain generator works too, and a failure stops reading
    read: list[int] = []

    def rows() -> Iterator[StoredEntry]:
        for entry in entries:
            read.append(entry.index)
            yield dataclasses.replace(entry, leaf_hash=b"\x00" * 32) if entry.index == 10 else entry

    result = verify_log(rows())
    assert result.first_bad == 10 and read[-1] == 10


def test_bytes_like_fields_are_accepted() -> None:
    entries = [
        StoredEntry(e.index, bytearray(e.payload), e.leaf_hash, e.root_after)  # type: ignore[arg-type]
        if e.index % 2
        else StoredEntry(
            e.index,
            memoryview(e.payload),  # type: ignore[arg-type]
            memoryview(e.leaf_hash),  # type: ignore[arg-type]
            memoryview(e.root_after),  # type: ignore[arg-type]
        )
        for e in sample(6)
    ]
    assert verify_log(entries).ok


# ------------------------------------------------------------------ each kind of failure


def test_changed_payload() -> None:
    entries = sample(5)
    entries[3] = dataclasses.replace(entries[3], payload=canonical_json({"kind": "forged"}))
    result = verify_log(entries)
    assert not result.ok and result.first_bad == 3
    assert result.size == 3 and result.root == entries[2].root_after
    assert result.error is not None
    assert result.error.startswith("entry 3: stored leaf hash ")
    assert "is not the hash of its payload" in result.error


def test_payload_not_canonical() -> None:
    entries = sample(5)
    entries[2] = dataclasses.replace(entries[2], payload=b'{"n": 2}')
    result = verify_log(entries)
    assert result.first_bad == 2
    assert result.error == (
        "entry 2: payload is not canonical JSON: differs from its canonical form at byte 5:"
        " found b' 2}', expected b'2}' (member order, whitespace, escapes and number form"
        " are all fixed)"
    )


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        (b"\xff", "not UTF-8"),
        (b"1.5", "not an integer"),
        (b"", "not JSON"),
        ("text", "payload is a str, not bytes"),
        (None, "payload is a NoneType, not bytes"),
    ],
)
def test_payload_garbage(payload: object, words: str) -> None:
    entries = sample(3)
    entries[1] = dataclasses.replace(entries[1], payload=payload)  # type: ignore[arg-type]
    result = verify_log(entries)
    assert result.first_bad == 1
    assert result.error is not None and words in result.error


@pytest.mark.parametrize("stored", [b"\x00" * 32, b"", None])
def test_changed_leaf_hash(stored: object) -> None:
    entries = sample(4)
    entries[0] = dataclasses.replace(entries[0], leaf_hash=stored)  # type: ignore[arg-type]
    result = verify_log(entries)
    assert result.first_bad == 0 and result.size == 0 and result.root == EMPTY_ROOT
    assert result.error is not None
    assert result.error.startswith("entry 0: stored leaf hash ")
    shown = {b"\x00" * 32: "00" * 32, b"": "(empty)", None: "None"}[stored]  # type: ignore[index]
    assert shown in result.error


def test_changed_root() -> None:
    entries = sample(6)
    entries[5] = dataclasses.replace(entries[5], root_after=entries[4].root_after)
    result = verify_log(entries)
    assert result.first_bad == 5
    assert result.error == (
        f"entry 5: stored root {entries[4].root_after.hex()} is not the recomputed root after"
        f" it ({root_hash([e.leaf_hash for e in entries]).hex()}): this root was altered, or"
        " earlier entries were rewritten together with their hashes"
    )


def test_removed_entries() -> None:
    entries = sample(8)
    result = verify_log(entries[:3] + entries[4:])
    assert result.first_bad == 3
    assert result.error == (
        "entry 3 is missing: the entry stored after entry 2 has index 4 (entries removed)"
    )
    result = verify_log(entries[:3] + entries[6:])
    assert result.error == (
        "entries 3-5 are missing: the entry stored after entry 2 has index 6 (entries removed)"
    )
    result = verify_log(entries[2:])
    assert result.first_bad == 0
    assert result.error == (
        "entries 0-1 are missing: the entry stored first has index 2 (entries removed)"
    )


def test_reordered_and_repeated_entries() -> None:
    entries = sample(8)
    swapped = [*entries[:2], entries[5], *entries[3:5], entries[2], *entries[6:]]
    assert verify_log(swapped).first_bad == 2
    repeated = [*entries[:4], entries[3], *entries[4:]]
    result = verify_log(repeated)
    assert result.first_bad == 4
    assert result.error == (
        "entry 4 is missing: in its place is an entry with index 3, which came earlier"
        " (entries reordered or repeated)"
    )


@pytest.mark.parametrize("index", ["2", None, 2.5, True])
def test_index_that_is_not_an_integer(index: object) -> None:
    entries = sample(4)
    entries[2] = dataclasses.replace(entries[2], index=index)  # type: ignore[arg-type]
    result = verify_log(entries)
    assert result.first_bad == 2
    assert result.error == f"entry 2 is stored with index {index!r}, not an integer"


# ------------------------------------------------------------ what only a checkpoint shows


def test_truncated_or_rewritten_tail_passes_alone_but_not_against_a_checkpoint() -> None:
    entries = sample(10)
    full = verify_log(entries)
    kept = Checkpoint(origin=ORIGIN, size=10, root=full.root)
    roots = {e.index + 1: e.root_after for e in entries}

    truncated = verify_log(entries[:7])
    assert truncated.ok and truncated.size == 7  # the record alone cannot tell
    problem = check_against_checkpoint(truncated, kept, roots.get)
    assert problem == (
        "the record holds 7 entries but the checkpoint of 'collegium.test/federation'"
        " vouches for 10: the last 3 entries were removed (the tail was truncated)"
    )

    forged: list[JsonValue] = [{"kind": "forged", "n": i} for i in range(4)]
    rewritten = entries[:6] + build_from(entries[:6], forged)
    alone = verify_log(rewritten)
    assert alone.ok and alone.size == 10  # consistent, and different
    stored_roots = {e.index + 1: e.root_after for e in rewritten}.get
    problem = check_against_checkpoint(alone, kept, stored_roots)
    assert problem is not None
    assert problem.startswith("the checkpoint of 'collegium.test/federation' at size 10 has root ")
    assert "entries before 10 were rewritten" in problem

    # an older checkpoint, taken before the rewritten part, still matches
    older = Checkpoint(origin=ORIGIN, size=6, root=entries[5].root_after)
    assert check_against_checkpoint(alone, older, stored_roots) is None
    # one taken inside the rewritten part does not
    inside = Checkpoint(origin=ORIGIN, size=8, root=entries[7].root_after)
    assert "at size 8" in (check_against_checkpoint(alone, inside, stored_roots) or "")


def build_from(prefix: list[StoredEntry], values: list[JsonValue]) -> list[StoredEntry]:
    frontier = Frontier()
    for entry in prefix:
        frontier.append(entry.leaf_hash)
    return [append_entry(frontier, value) for value in values]


def test_checkpoint_agreement() -> None:
    entries = sample(10)
    result = verify_log(entries)
    looked_up: list[int] = []

    def root_at(size: int) -> bytes | None:
        looked_up.append(size)
        return entries[size - 1].root_after

    same = Checkpoint(origin=ORIGIN, size=10, root=result.root)
    assert check_against_checkpoint(result, same, root_at) is None
    assert looked_up == []  # the current size needs no look-up
    older = Checkpoint(origin=ORIGIN, size=4, root=entries[3].root_after)
    assert check_against_checkpoint(result, older, root_at) is None
    assert looked_up == [4]
    empty = Checkpoint(origin=ORIGIN, size=0, root=EMPTY_ROOT)
    assert check_against_checkpoint(result, empty, root_at) is None
    assert looked_up == [4]
    wrong_empty = Checkpoint(origin=ORIGIN, size=0, root=entries[0].root_after)
    assert "at size 0" in (check_against_checkpoint(result, wrong_empty, root_at) or "")
    empty_record = verify_log([])
    assert check_against_checkpoint(empty_record, empty, root_at) is None


def test_checkpoint_against_a_failed_or_incomplete_record() -> None:
    entries = sample(5)
    broken = entries[:]
    broken[1] = dataclasses.replace(broken[1], leaf_hash=b"\x01" * 32)
    failed = verify_log(broken)
    checkpoint = Checkpoint(origin=ORIGIN, size=3, root=entries[2].root_after)
    problem = check_against_checkpoint(failed, checkpoint, lambda size: None)
    assert problem is not None
    assert problem.startswith(
        "the record failed verification, so it cannot match the checkpoint of size 3: entry 1:"
    )
    problem = check_against_checkpoint(verify_log(entries), checkpoint, lambda size: None)
    assert problem == "the record has no entry 2, whose root the checkpoint vouches for"


# --------------------------------------------------------------------------- properties

payloads = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=6),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4), children, max_size=3)
    ),
    max_leaves=6,
)
records = st.lists(payloads, min_size=1, max_size=24).map(build)


def mutate_field(entry: StoredEntry, field: str, data: st.DataObject) -> StoredEntry:
    if field == "payload":
        value = data.draw(payloads)
        choice = data.draw(st.sampled_from(["other", "spaced", "garbage"]))
        new = canonical_json(value)
        if choice == "spaced":
            new = b" " + entry.payload
        elif choice == "garbage":
            new = data.draw(st.binary(max_size=10))
        if new == entry.payload:
            new = entry.payload + b" "
        return dataclasses.replace(entry, payload=new)
    if field in ("leaf_hash", "root_after"):
        stored: bytes = getattr(entry, field)
        bit = data.draw(st.integers(min_value=0, max_value=255))
        flipped = bytearray(stored)
        flipped[bit // 8] ^= 1 << (bit % 8)
        if field == "leaf_hash":
            return dataclasses.replace(entry, leaf_hash=bytes(flipped))
        return dataclasses.replace(entry, root_after=bytes(flipped))
    other = data.draw(st.integers(min_value=-5, max_value=50).filter(lambda i: i != entry.index))
    return dataclasses.replace(entry, index=other)


@settings(max_examples=300, deadline=None)
@given(records, st.data())
def test_any_single_change_is_found_where_it_is(
    entries: list[StoredEntry], data: st.DataObject
) -> None:
    position = data.draw(st.integers(min_value=0, max_value=len(entries) - 1))
    field = data.draw(st.sampled_from(["payload", "leaf_hash", "root_after", "index"]))
    tampered = entries[:]
    tampered[position] = mutate_field(entries[position], field, data)
    result = verify_log(tampered)
    assert not result.ok
    assert result.first_bad == position == reference_first_bad(tampered)
    assert result.size == position
    assert result.root == (entries[position - 1].root_after if position else EMPTY_ROOT)
    assert result.error is not None and str(position) in result.error


@settings(max_examples=200, deadline=None)
@given(records.filter(lambda e: len(e) >= 2), st.data())
def test_any_removal_but_of_the_tail_is_found(
    entries: list[StoredEntry], data: st.DataObject
) -> None:
    start = data.draw(st.integers(min_value=0, max_value=len(entries) - 2))
    stop = data.draw(st.integers(min_value=start + 1, max_value=len(entries) - 1))
    result = verify_log(entries[:start] + entries[stop:])
    assert not result.ok and result.first_bad == start


@settings(max_examples=100, deadline=None)
@given(records, st.data())
def test_removing_the_tail_is_not_found_without_a_checkpoint(
    entries: list[StoredEntry], data: st.DataObject
) -> None:
    keep = data.draw(st.integers(min_value=0, max_value=len(entries) - 1))
    result = verify_log(entries[:keep])
    assert result.ok and result.size == keep
    kept = Checkpoint(origin=ORIGIN, size=len(entries), root=entries[-1].root_after)
    assert "the tail was truncated" in (
        check_against_checkpoint(result, kept, lambda n: None) or ""
    )


@settings(max_examples=200, deadline=None)
@given(records.filter(lambda e: len(e) >= 2), st.data())
def test_any_reordering_is_found(entries: list[StoredEntry], data: st.DataObject) -> None:
    order = data.draw(st.permutations(range(len(entries))))
    if list(order) == sorted(order):
        order = [1, 0, *range(2, len(entries))]
    reordered = [entries[i] for i in order]
    first_moved = next(p for p, i in enumerate(order) if i != p)
    result = verify_log(reordered)
    assert not result.ok and result.first_bad == first_moved == reference_first_bad(reordered)


@settings(max_examples=300, deadline=None)
@given(records, st.data())
def test_any_insertion_is_found(entries: list[StoredEntry], data: st.DataObject) -> None:
    position = data.draw(st.integers(min_value=0, max_value=len(entries) - 1))
    kind = data.draw(st.sampled_from(["copy", "forged-consistent", "forged-stale", "any"]))
    prefix = entries[:position]
    if kind == "copy":  # a stored entry repeated somewhere
        inserted = entries[data.draw(st.integers(min_value=0, max_value=len(entries) - 1))]
    elif kind == "forged-consistent":  # with its index, leaf and root all recomputed
        inserted = build_from(prefix, [data.draw(payloads)])[0]
    elif kind == "forged-stale":  # with the root the record had there
        inserted = dataclasses.replace(
            build_from(prefix, [data.draw(payloads)])[0], root_after=entries[position].root_after
        )
    else:
        inserted = StoredEntry(
            index=data.draw(st.integers(min_value=0, max_value=30)),
            payload=canonical_json(data.draw(payloads)),
            leaf_hash=data.draw(st.binary(min_size=32, max_size=32)),
            root_after=data.draw(st.binary(min_size=32, max_size=32)),
        )
    tampered = [*prefix, inserted, *entries[position:]]
    result = verify_log(tampered)
    assert not result.ok
    expected = reference_first_bad(tampered)
    assert result.first_bad == expected
    # the inserted entry itself fails, unless it is exactly what an honest log would hold
    # there; then the displaced original, whose index repeats, is the first to fail
    assert expected in (position, position + 1)
    if kind in ("forged-stale",):
        assert expected == position or inserted == entries[position]
    if kind == "forged-consistent":
        assert expected == position + 1
