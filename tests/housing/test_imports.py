"""CSV import of dwellings: all or nothing, errors as FILE:LINE:COLUMN: reason."""

from __future__ import annotations

from typing import Any

import pytest

from collegium.federation.permissions import PermissionDenied
from collegium.housing.imports import DwellingImportError, dwellings_import, parse_dwellings
from collegium.housing.models import Dwelling
from collegium.record.models import Entry

pytestmark = pytest.mark.django_db
HEAD = "code,address,area_m2,rooms,condition,condition_note,state\n"


def test_good_file_with_bom_imports_every_row(small_federation: Any) -> None:
    f = small_federation
    text = HEAD + 'A-1,1 Street,40.5,2,good,,\nA-2,"2 Street, flat 3",60,3,poor,Damp,under_repair\n'
    added = dwellings_import(
        user=f.operator,
        body=f.enterprise,
        filename="d.csv",
        content=b"\xef\xbb\xbf" + text.encode(),
    )
    assert [(d.code, d.state) for d in added] == [("A-1", "vacant"), ("A-2", "under_repair")]
    assert Dwelling.objects.get(code="A-2").address == "2 Street, flat 3"
    entry = Entry.objects.order_by("-index").first()
    assert entry is not None and entry.kind == "housing.dwellings_imported"


def test_every_problem_is_located_and_nothing_is_imported(small_federation: Any) -> None:
    f = small_federation
    Dwelling.objects.create(
        code="OLD",
        body=f.enterprise,
        address="x",
        area_m2=1,
        rooms=1,
        created_at=f.enterprise.created_at,
        updated_at=f.enterprise.created_at,
    )
    text = (
        HEAD
        + "B-1,1 Street,40,2,good,,\n"
        + "B-1,2 Street,40,two,good,,\n"
        + "OLD,3 Street,40,2,unfit,,occupied\n"
    )
    with pytest.raises(DwellingImportError) as caught:
        dwellings_import(
            user=f.operator, body=f.enterprise, filename="d.csv", content=text.encode()
        )
    assert caught.value.lines == [
        "d.csv:3:rooms: Rooms: give a whole number from 1 to 50.",
        "d.csv:3:code: B-1 is already on line 2",
        "d.csv:4:condition_note: Say what is wrong when the condition is poor or unfit.",
        "d.csv:4:state: State (occupancy is recorded separately) must be one of vacant, "
        "under_repair, not 'occupied'.",
        "d.csv:4:code: there is already a dwelling OLD",
    ]
    assert Dwelling.objects.count() == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"code,address\nA,B\n", "d.csv:1:-: missing column(s) area_m2, rooms, condition"),
        (HEAD.encode(), "d.csv:2:-: the file has no dwellings"),
        (b"code,address,area_m2,rooms,condition\n\xff\n", "d.csv:2:-: the file is not UTF-8"),
    ],
)
def test_file_level_problems(small_federation: Any, content: bytes, message: str) -> None:
    rows, problems = parse_dwellings("d.csv", content)
    assert problems and problems[0].startswith(message)


def test_rank_and_file_may_not_import(small_federation: Any) -> None:
    f = small_federation
    with pytest.raises(PermissionDenied):
        dwellings_import(
            user=f.worker.user, body=f.enterprise, filename="d.csv", content=HEAD.encode()
        )
