"""Append-only guards for the record tables, installed by migration.

``remove`` exists for one purpose: tests that must empty a throwaway database
(live-server tests) lift the guards through the ``record_guards_lifted`` fixture in
``tests/conftest.py`` and nowhere else.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

TABLES = ("record_entry", "record_node", "record_checkpoint")
MESSAGE = "the public record is append-only"


def install(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for table in TABLES:
            if connection.vendor == "sqlite":
                for action in ("UPDATE", "DELETE"):
                    cursor.execute(
                        f"CREATE TRIGGER IF NOT EXISTS {table}_no_{action.lower()} "
                        f"BEFORE {action} ON {table} "
                        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;"
                    )
            elif connection.vendor == "postgresql":
                cursor.execute(
                    "CREATE OR REPLACE FUNCTION collegium_record_append_only() "
                    "RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                    f"RAISE EXCEPTION '{MESSAGE} (% on %)', TG_OP, TG_TABLE_NAME; "
                    "END; $$;"
                )
                cursor.execute(
                    f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}; "
                    f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                    "FOR EACH ROW EXECUTE FUNCTION collegium_record_append_only();"
                )
                cursor.execute(
                    f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}; "
                    f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                    "FOR EACH STATEMENT EXECUTE FUNCTION collegium_record_append_only();"
                )
            else:  # pragma: no cover - only SQLite and PostgreSQL are supported
                raise RuntimeError(f"no append-only guard for {connection.vendor}")


def remove(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for table in TABLES:
            if connection.vendor == "sqlite":
                for action in ("update", "delete"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action}")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")


def installed(connection: BaseDatabaseWrapper) -> set[str]:
    """Names of the guard triggers present, for the test that proves they exist."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        return {row[0] for row in cursor.fetchall()}
