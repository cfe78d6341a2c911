"""CSV import of dwellings into a body's register: all or nothing.

Columns ``code,address,area_m2,rooms,condition``, optional ``condition_note`` and
``state`` (``vacant`` default, or ``under_repair``; occupancy is recorded separately).
Every problem is reported as ``FILE:LINE:COLUMN: reason`` (column by header name) and, if
there is any, nothing is imported.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from typing import Any

from django.db import transaction
from django.utils import timezone

from collegium.federation.models import Body
from collegium.federation.permissions import require
from collegium.housing.models import Dwelling
from collegium.housing.permissions import can_import_dwellings
from collegium.housing.services import clean_dwelling
from collegium.record.services import actor_for, record_append

COLUMNS = ("code", "address", "area_m2", "rooms", "condition")
OPTIONAL = ("condition_note", "state")
MAX_ROWS = 100_000


class DwellingImportError(ValueError):
    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        super().__init__("\n".join(lines))


def parse_dwellings(filename: str, content: bytes) -> tuple[list[dict[str, Any]], list[str]]:
    """The clean rows of the file, or the problems (``FILE:LINE:COLUMN: reason``)."""
    problems: list[str] = []
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        return [], [f"{filename}:{line}:-: the file is not UTF-8 (byte {exc.start})"]
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in COLUMNS if c not in header]
    unknown = [h for h in header if h not in COLUMNS + OPTIONAL]
    if missing or unknown:
        why = []
        if missing:
            why.append(f"missing column(s) {', '.join(missing)}")
        if unknown:
            why.append(f"unknown column(s) {', '.join(unknown)}")
        return [], [f"{filename}:1:-: {'; '.join(why)} (need {','.join(COLUMNS)})"]
    reader.fieldnames = header
    rows: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for record in reader:
        line = reader.line_num
        if len(rows) >= MAX_ROWS:
            problems.append(f"{filename}:{line}:-: more than {MAX_ROWS:,} rows")
            break
        if None in record:
            problems.append(f"{filename}:{line}:-: more fields than columns")
            continue
        raw = {k: (v or "").strip() for k, v in record.items()}
        values, errors = clean_dwelling(raw, creating=True)
        for column, reason in errors.items():
            problems.append(f"{filename}:{line}:{column}: {reason}")
        code = values.get("code", "")
        if code in seen:
            problems.append(f"{filename}:{line}:code: {code} is already on line {seen[code]}")
        elif code:
            seen[code] = line
        values.setdefault("state", "vacant")
        rows.append({"line": line, **values})
    if not rows and not problems:
        problems.append(f"{filename}:2:-: the file has no dwellings")
    taken = set(Dwelling.objects.filter(code__in=list(seen)).values_list("code", flat=True))
    for row in rows:
        if row["code"] in taken:
            problems.append(
                f"{filename}:{row['line']}:code: there is already a dwelling {row['code']}"
            )
    prefix = len(filename) + 1
    return rows, sorted(problems, key=lambda p: int(p[prefix:].split(":", 1)[0]))


@transaction.atomic
def dwellings_import(
    *, user: Any, body: Body, filename: str, content: bytes, now: dt.datetime | None = None
) -> list[Dwelling]:
    now = now or timezone.now()
    require(
        can_import_dwellings(user, body),
        f"only the operator, the board of {body.name} or its housing commission imports dwellings",
    )
    rows, problems = parse_dwellings(filename, content)
    if body.kind == "commission":
        problems.insert(0, f"{filename}:1:-: a commission keeps no dwellings")
    if problems:
        raise DwellingImportError(problems)
    added = Dwelling.objects.bulk_create(
        [
            Dwelling(
                body=body,
                created_at=now,
                updated_at=now,
                **{k: v for k, v in row.items() if k != "line"},
            )
            for row in rows
        ],
        batch_size=1000,
    )
    record_append(
        kind="housing.dwellings_imported",
        actor=actor_for(user),
        body=body,
        data={
            "file_sha256": hashlib.sha256(content).hexdigest(),
            "count": len(added),
            "codes": [d.code for d in added],
        },
    )
    return list(Dwelling.objects.filter(body=body, code__in=[d.code for d in added]))
