from __future__ import annotations

import pytest

from collegium.federation.imports import (
    ImportRejected,
    bodies_import,
    bodies_plan,
    members_import,
    members_plan,
)
from collegium.federation.models import Body, Member
from collegium.federation.permissions import PermissionDenied
from collegium.record.models import Entry

BODIES = b"""code,name,kind,parent_code
congress,Congress,congress,
metal,Metalworkers,industrial_union,congress
works,The Works,enterprise,metal
forge,Forge,shop,works
ctrl,Control Commission,commission,congress
"""


@pytest.fixture
def operator(django_user_model):
    return django_user_model.objects.create_user(username="op", is_operator=True)


@pytest.fixture
def bodies(operator):
    bodies_import(user=operator, data=BODIES, filename="b.csv")
    return {b.code: b for b in Body.objects.all()}


def members_csv(
    *rows: str, header: str = "member_no,given_name,family_name,email,category,body_code"
) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def errors_of(plan_fn, data: bytes, name: str = "f.csv") -> list[str]:
    return plan_fn(data, name).error_lines()


def test_bodies_import_builds_the_tree_and_records_it(bodies):
    assert bodies["forge"].parent == bodies["works"]
    assert bodies["forge"].path.startswith(bodies["congress"].path)
    assert bodies["forge"].depth == 3
    entry = Entry.objects.get(kind="bodies.imported")
    assert '"forge"' in entry.payload


def test_children_may_come_before_parents_in_the_file(operator):
    data = (
        b"code,name,kind,parent_code\nforge,Forge,shop,works\nworks,Works,enterprise,metal\n"
        b"metal,Metal,industrial_union,congress\ncongress,Congress,congress,\n"
    )
    bodies_import(user=operator, data=data, filename="b.csv")
    assert Body.objects.get(code="forge").depth == 3


def test_reimport_is_unchanged_and_rename_is_a_change(bodies, operator):
    plan = bodies_plan(BODIES)
    assert (len(plan.added), len(plan.changed), plan.unchanged) == (0, 0, 5)
    renamed = BODIES.replace(b"Forge,shop", b"Forge and Press,shop")
    plan = bodies_import(user=operator, data=renamed, filename="b.csv")
    assert plan.changed == [{"code": "forge", "name": "Forge and Press"}]
    assert Body.objects.get(code="forge").name == "Forge and Press"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "f.csv:1:1: the file is empty"),
        (b"code,name,kind\ncongress,C,congress\n", "f.csv:1:parent_code: missing column"),
        (
            b"code,name,kind,parent_code\ncongress,C,congress,\nx,X,shop,nowhere\n",
            "f.csv:3:parent_code: unknown body 'nowhere'",
        ),
        (
            b"code,name,kind,parent_code\ncongress,C,congress,\nx,X,factory,congress\n",
            "f.csv:3:kind: unknown kind 'factory'",
        ),
        (
            b"code,name,kind,parent_code\ncongress,C,congress,\nu,U,industrial_union,congress\n"
            b"u,U2,industrial_union,congress\n",
            "f.csv:4:code: duplicate body 'u' (first on line 3)",
        ),
        (
            b"code,name,kind,parent_code\ncongress,C,congress,\nx,X,shop,congress\n",
            "f.csv:3:parent_code: a shop cannot sit under a congress",
        ),
        (
            b"code,name,kind,parent_code\ncongress,C,congress,\nc2,C2,congress,\n",
            "only one congress per federation",
        ),
        (
            b"code,name,kind,parent_code\nc1,One,commission,c2\nc2,Two,commission,c1\n",
            "f.csv:2:parent_code: cycle in the body tree: c1 → c2 → c1",
        ),
        (
            b"code,name,kind,parent_code\ncongress,Caf\xe9,congress,\n",
            "f.csv:2:13: not UTF-8 (byte 0xe9)",
        ),
        (b"code,name,kind,parent_code\n", "f.csv:2:code: the file has a header but no rows"),
    ],
)
def test_bad_body_files_are_rejected_with_line_and_column(db, data, expected):
    lines = errors_of(bodies_plan, data)
    assert any(expected in line for line in lines), lines


def test_bom_is_accepted(db):
    plan = bodies_plan(b"\xef\xbb\xbf" + BODIES)
    assert plan.ok and len(plan.added) == 5


def test_rejected_import_changes_nothing(bodies, operator):
    before = (Body.objects.count(), Entry.objects.count())
    bad = BODIES + b"extra,Extra,shop,nowhere\n"
    with pytest.raises(ImportRejected) as exc:
        bodies_import(user=operator, data=bad, filename="b.csv")
    assert "b.csv:7:parent_code" in str(exc.value)
    assert (Body.objects.count(), Entry.objects.count()) == before


def test_members_import_adds_members_with_invitations(
    bodies, operator, mailoutbox, django_capture_on_commit_callbacks
):
    data = members_csv(
        "1,Anna,Petrova,anna@example.org,production_worker,forge",
        "2,Ivan,Sokolov,,technical_specialist,works",
    )
    with django_capture_on_commit_callbacks(execute=True):
        plan = members_import(
            user=operator, data=data, filename="m.csv", base_url="http://testserver"
        )
    assert len(plan.added) == 2
    anna = Member.objects.get(member_no="1")
    assert anna.user is not None and not anna.user.has_usable_password()
    assert anna.public_id.startswith("m_")
    assert len(mailoutbox) == 1
    assert "http://testserver/invitation/" in mailoutbox[0].body
    payload = Entry.objects.get(kind="members.imported").payload
    assert "Petrova" not in payload and "anna@example.org" not in payload
    assert anna.public_id in payload


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (
            ["1,A,B,,production_worker,forge", "1,C,D,,production_worker,forge"],
            "m.csv:3:member_no: duplicate member '1' (first on line 2)",
        ),
        (["1,A,B,,production_worker,nowhere"], "m.csv:2:body_code: unknown body 'nowhere'"),
        (["1,A,B,,production_worker,metal"], "m.csv:2:body_code: 'metal' is a industrial_union"),
        (["1,A,B,,boss,forge"], "m.csv:2:category: unknown category 'boss'"),
        (["1,A,B,not-an-address,production_worker,forge"], "m.csv:2:email:"),
        (["1,,B,,production_worker,forge"], "m.csv:2:given_name: empty given_name"),
        (["1,A,B,,production_worker"], "m.csv:2:"),
    ],
)
def test_bad_member_files_name_line_and_column(bodies, rows, expected):
    lines = errors_of(members_plan, members_csv(*rows), "m.csv")
    assert any(expected in line for line in lines), lines


def test_bad_joined_on_date(bodies):
    data = members_csv(
        "1,A,B,,production_worker,forge,31.12.2020",
        header="member_no,given_name,family_name,email,category,body_code,joined_on",
    )
    assert (
        "m.csv:2:joined_on: '31.12.2020' is not a date" in errors_of(members_plan, data, "m.csv")[0]
    )


def test_member_changes_are_previewed_then_applied(bodies, operator):
    members_import(
        user=operator, data=members_csv("1,A,B,,production_worker,forge"), filename="m.csv"
    )
    moved = members_csv("1,A,B,,technical_specialist,works")
    plan = members_plan(moved)
    assert plan.changed == [
        {"member_no": "1", "category": "technical_specialist", "body_code": "works"}
    ]
    assert Member.objects.get(member_no="1").category.code == "production_worker"
    members_import(user=operator, data=moved, filename="m.csv")
    assert Member.objects.get(member_no="1").workplace.code == "works"


def test_dry_run_changes_nothing(bodies, operator):
    before = Entry.objects.count()
    plan = members_import(
        user=operator,
        data=members_csv("1,A,B,,production_worker,forge"),
        filename="m.csv",
        dry_run=True,
    )
    assert len(plan.added) == 1
    assert Member.objects.count() == 0 and Entry.objects.count() == before


def test_only_the_operator_imports(bodies, django_user_model):
    someone = django_user_model.objects.create_user(username="x")
    with pytest.raises(PermissionDenied):
        bodies_import(user=someone, data=BODIES, filename="b.csv")


def test_one_upload_shows_every_problem(db):
    data = (
        b"code,name,kind,parent_code\ncongress,C,congress,\nx,,shop,congress\n"
        b"y,Y,factory,congress\nz,Z,enterprise,nowhere\n"
    )
    assert errors_of(bodies_plan, data) == [
        "f.csv:3:name: empty name",
        "f.csv:3:parent_code: a shop cannot sit under a congress ('congress'); allowed: enterprise",
        "f.csv:4:kind: unknown kind 'factory' (one of congress, industrial_union, enterprise, "
        "shop, commission)",
        "f.csv:5:parent_code: unknown body 'nowhere'",
    ]
