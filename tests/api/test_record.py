"""The public record over the API: entries, proofs that verify, signed checkpoints."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from collegium.ledger import (
    leaf_hash,
    open_checkpoint,
    verify_consistency,
    verify_inclusion,
)
from collegium.record.services import SYSTEM, record_append, record_checkpoint_create
from tests.conftest import SmallFederation

ROLES = ["anonymous", "worker", "outsider", "board", "congress_board", "operator"]


@pytest.fixture
def record(fed: SmallFederation) -> int:
    """The two entries of the fixture plus 11 more, alternating between two shops."""
    with transaction.atomic():
        for i in range(11):
            record_append(
                kind="test.note",
                actor=SYSTEM,
                data={"n": i},
                body=fed.shop if i % 2 == 0 else fed.other_shop,
            )
    return 13


def _hexes(values: list[str]) -> list[bytes]:
    return [bytes.fromhex(v) for v in values]


@pytest.mark.parametrize("role", ROLES)
def test_anyone_reads_the_record(clients: dict[str, Client], record: int, role: str) -> None:
    response = clients[role].get("/api/record/entries")
    assert response.status_code == 200
    page = response.json()
    assert [e["index"] for e in page["items"]] == list(range(record - 1, -1, -1))
    assert page["next_before"] is None
    entry = page["items"][0]
    assert set(entry) == {"index", "kind", "body", "actor", "recorded_at", "leaf_hash", "payload"}
    assert entry["kind"] == "test.note"
    assert entry["actor"] == {"id": "system", "role": "system"}
    assert entry["payload"]["data"] == {"n": 10}
    assert entry["leaf_hash"] == entry["leaf_hash"].lower()
    assert len(bytes.fromhex(entry["leaf_hash"])) == 32


def test_entries_cursor_pagination(clients: dict[str, Client], record: int) -> None:
    client = clients["anonymous"]
    seen: list[int] = []
    url = "/api/record/entries?limit=5"
    while True:
        page = client.get(url).json()
        seen += [e["index"] for e in page["items"]]
        if page["next_before"] is None:
            break
        url = f"/api/record/entries?limit=5&before={page['next_before']}"
    assert seen == list(range(record - 1, -1, -1))


def test_entries_filter_by_body_and_kind(clients: dict[str, Client], record: int) -> None:
    client = clients["anonymous"]
    shop = client.get("/api/record/entries?body=sormovo-forge").json()["items"]
    assert [e["payload"]["data"]["n"] for e in shop] == [10, 8, 6, 4, 2, 0]
    # A body's entries include those of the bodies below it.
    enterprise = client.get("/api/record/entries?body=sormovo").json()["items"]
    assert {e["body"] for e in enterprise} == {"sormovo", "sormovo-forge"}
    boards = client.get("/api/record/entries?kind=board").json()["items"]
    assert [e["kind"] for e in boards] == ["board.founded", "board.founded"]
    exact = client.get("/api/record/entries?kind=test.note&limit=2").json()
    assert len(exact["items"]) == 2
    assert exact["next_before"] == exact["items"][-1]["index"]
    missing = client.get("/api/record/entries?body=nowhere")
    assert missing.status_code == 404
    assert client.get("/api/record/entries?limit=0").status_code == 422


def test_entry_inclusion_proof_verifies(clients: dict[str, Client], record: int) -> None:
    client = clients["anonymous"]
    head = client.get("/api/record").json()
    assert head["size"] == record
    for index in range(record):
        entry = client.get(f"/api/record/entries/{index}").json()
        proof = entry["proof"]
        assert proof["tree_size"] == record
        assert proof["root"] == head["root"]
        leaf = bytes.fromhex(entry["leaf_hash"])
        assert leaf_hash(entry["payload_text"].encode()) == leaf
        assert verify_inclusion(
            leaf, index, record, _hexes(proof["path"]), bytes.fromhex(proof["root"])
        )
        # A tampered proof does not verify.
        if proof["path"]:
            bad = _hexes(proof["path"])
            bad[0] = bytes(32)
            assert not verify_inclusion(leaf, index, record, bad, bytes.fromhex(proof["root"]))


def test_entry_inclusion_at_an_older_size(clients: dict[str, Client], record: int) -> None:
    client = clients["anonymous"]
    entry = client.get("/api/record/entries/3?size=7").json()
    proof = entry["proof"]
    assert proof["tree_size"] == 7
    consistency = client.get("/api/record/consistency?old=7&new=7").json()
    assert proof["root"] == consistency["old_root"]
    assert verify_inclusion(
        bytes.fromhex(entry["leaf_hash"]),
        3,
        7,
        _hexes(proof["path"]),
        bytes.fromhex(proof["root"]),
    )
    assert client.get("/api/record/entries/3?size=3").status_code == 422
    assert client.get(f"/api/record/entries/3?size={record + 1}").status_code == 422
    assert client.get(f"/api/record/entries/{record}").status_code == 404
    assert client.get("/api/record/entries/-1").status_code == 404


def test_consistency_proofs_verify(clients: dict[str, Client], record: int) -> None:
    client = clients["anonymous"]
    for old in range(record + 1):
        for new in (old, min(old + 1, record), record):
            response = client.get(f"/api/record/consistency?old={old}&new={new}")
            assert response.status_code == 200, response.content
            body = response.json()
            assert verify_consistency(
                old,
                new,
                bytes.fromhex(body["old_root"]),
                bytes.fromhex(body["new_root"]),
                _hexes(body["proof"]),
            ), (old, new)
    latest = client.get("/api/record/consistency?old=5").json()
    assert latest["new_size"] == record
    assert client.get("/api/record/consistency?old=5&new=4").status_code == 422
    assert client.get(f"/api/record/consistency?old=1&new={record + 1}").status_code == 422
    assert client.get("/api/record/consistency").status_code == 422


def test_checkpoint_opens_with_the_verifier(
    clients: dict[str, Client], record: int, settings: object
) -> None:
    client = clients["anonymous"]
    none_yet = client.get("/api/record/checkpoint")
    assert none_yet.status_code == 404
    assert "no checkpoint" in none_yet.json()["detail"]

    record_checkpoint_create()
    response = client.get("/api/record/checkpoint")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    verifier = client.get("/api/record/verifier")
    assert verifier.status_code == 200
    assert verifier["Content-Type"].startswith("text/plain")
    head = open_checkpoint(
        response.content.decode(),
        verifier.content.decode().strip(),
        expected_origin=settings.COLLEGIUM_ORIGIN,  # type: ignore[attr-defined]
    )
    current = client.get("/api/record").json()
    assert head.size == record == current["size"]
    assert head.root.hex() == current["root"]
    assert current["latest_checkpoint"]["size"] == record

    listed = client.get("/api/record/checkpoints").json()
    assert [c["size"] for c in listed] == [record]
    assert listed[0]["root"] == current["root"]
    assert listed[0]["note"] == response.content.decode()
    by_size = client.get(f"/api/record/checkpoints/{record}")
    assert by_size.status_code == 200
    assert by_size["Content-Type"].startswith("text/plain")
    assert by_size.content == response.content
    assert client.get(f"/api/record/checkpoints/{record - 1}").status_code == 404


def test_entry_list_is_one_query(
    clients: dict[str, Client], record: int, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(1):
        response = Client().get("/api/record/entries?limit=500")
    assert len(response.json()["items"]) == record
