"""The record tables are append-only in every database built by ``migrate``."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from collegium.record import triggers
from collegium.record.models import Checkpoint, Entry, Node
from collegium.record.services import SYSTEM, record_append


@pytest.fixture
def entry(db):
    with transaction.atomic():
        for i in range(3):
            last = record_append(kind="test.appended", actor=SYSTEM, data={"i": i})
    return last


def test_guards_are_installed_by_migrate(db):
    names = triggers.installed(connection)
    for table in triggers.TABLES:
        assert any(name.startswith(table) for name in names), (table, names)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE record_entry SET payload = '{}' WHERE index_ = 2",
        "DELETE FROM record_entry WHERE index_ = 2",
        "UPDATE record_node SET hash = hash",
        "DELETE FROM record_node",
    ],
)
def test_update_and_delete_are_rejected(entry, sql):
    sql = sql.replace("index_", connection.ops.quote_name("index"))
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert Entry.objects.count() == 3


def test_orm_delete_is_rejected_too(entry):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Entry.objects.filter(index=0).delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Checkpoint.objects.create(size=3, root=b"x" * 32, note="n", created_at="2026-01-01T00:00Z")
        Checkpoint.objects.all().update(note="rewritten")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE exists on PostgreSQL")
def test_truncate_is_rejected_on_postgresql(entry):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("TRUNCATE record_entry CASCADE")
    assert Node.objects.count() >= 1
