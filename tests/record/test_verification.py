from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from collegium.ledger.checkpoint import Checkpoint as Head
from collegium.ledger.checkpoint import generate_signing_key, sign_checkpoint
from collegium.record import triggers
from collegium.record.checkpoints import checkpoint_create, current_head
from collegium.record.models import Entry
from collegium.record.services import SYSTEM, record_append
from collegium.record.verification import record_verify


@pytest.fixture
def record(db):
    with transaction.atomic():
        for i in range(12):
            record_append(kind="test.appended", actor=SYSTEM, data={"i": i})


def tamper(sql: str, *params) -> None:
    """What a database administrator could do: lift the guard and rewrite rows."""
    triggers.remove(connection)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql.replace("index_", connection.ops.quote_name("index")), params)
    finally:
        triggers.install(connection)


def run_verify(*args: str) -> tuple[int, dict]:
    import io

    out = io.StringIO()
    try:
        call_command("record", "verify", "--json", *args, stdout=out)
        code = 0
    except SystemExit as exc:
        code = int(exc.code)
    return code, json.loads(out.getvalue())


def test_intact_record_verifies_without_a_checkpoint(record):
    code, result = run_verify()
    assert code == 0
    assert result == {
        "ok": True,
        "size": 12,
        "root": current_head()[1].hex(),
        "first_bad": None,
        "checkpoint": None,
        "error": None,
    }


def test_rewritten_payload_is_found(record):
    entry = Entry.objects.get(index=7)
    tamper(
        "UPDATE record_entry SET payload = %s WHERE index_ = 7",
        entry.payload.replace('"i":7', '"i":8'),
    )
    code, result = run_verify()
    assert code == 1 and result["first_bad"] == 7 and not result["ok"]


def test_rewritten_tail_with_recomputed_hashes_is_caught_by_the_checkpoint(record):
    checkpoint_create()
    # Remove the last entries and append different ones: every hash is consistent again,
    # only the checkpoint kept earlier shows the rewrite.
    tamper("DELETE FROM record_entry WHERE index_ >= 10")
    tamper("DELETE FROM record_node")
    # Rebuild nodes for the 10 remaining entries, then append two others.
    from collegium.ledger.merkle import node_hash
    from collegium.record.models import Node
    from collegium.record.services import _perfect_subtrees  # noqa: F401

    leaves = [bytes(h) for h in Entry.objects.order_by("index").values_list("leaf_hash", flat=True)]
    level, nodes = leaves, []
    depth = 0
    while len(level) > 1:
        depth += 1
        level = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        nodes += [Node(level=depth, position=p, hash=h) for p, h in enumerate(level)]
    Node.objects.bulk_create(nodes)
    with transaction.atomic():
        record_append(kind="test.appended", actor=SYSTEM, data={"i": "forged"})
        record_append(kind="test.appended", actor=SYSTEM, data={"i": "forged too"})
    code, result = run_verify()
    assert code == 1
    assert "rewritten" in result["error"]


def test_truncated_tail_is_caught_by_the_checkpoint(record):
    checkpoint_create()
    tamper("DELETE FROM record_entry WHERE index_ = 11")
    code, result = run_verify()
    assert code == 1 and "removed" in result["error"]


def test_since_a_kept_checkpoint_proves_growth(record, tmp_path):
    kept = tmp_path / "kept.txt"
    kept.write_text(checkpoint_create().note)
    with transaction.atomic():
        record_append(kind="test.appended", actor=SYSTEM, data={"i": "later"})
    code, result = run_verify("--since", str(kept))
    assert code == 0 and result["size"] == 13


def test_foreign_and_tampered_checkpoints_fail(record, tmp_path, settings):
    foreign = tmp_path / "foreign.txt"
    head = Head(origin="other.federation/log", size=12, root=current_head()[1])
    foreign.write_text(sign_checkpoint(head, "other.federation/log", generate_signing_key()))
    code, result = run_verify("--since", str(foreign))
    assert code == 1 and "does not verify" in result["error"]

    tampered = tmp_path / "tampered.txt"
    note = checkpoint_create().note
    tampered.write_text(note.replace("\n12\n", "\n11\n"))
    code, result = run_verify("--since", str(tampered))
    assert code == 1


def test_missing_since_file_is_a_usage_error(record, capsys):
    with pytest.raises(SystemExit) as exc:
        call_command("record", "verify", "--since", "/nonexistent/checkpoint.txt")
    assert exc.value.code == 2


def test_report_helper_matches_command(record):
    assert record_verify().ok
