from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from collegium.federation.models import Body, Member


@pytest.fixture
def operator(django_user_model):
    return django_user_model.objects.create_user(username="op", is_operator=True)


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = int(exc.code)
    return code, out.getvalue(), err.getvalue()


def test_import_bodies_then_members(operator, tmp_path):
    bodies = tmp_path / "bodies.csv"
    bodies.write_text(
        "code,name,kind,parent_code\nc,Congress,congress,\n"
        "u,Union,industrial_union,c\ne,Works,enterprise,u\n"
    )
    code, out, _ = run("bodies", str(bodies), "--dry-run")
    assert code == 0 and "Would import bodies: 3 to add" in out and not Body.objects.exists()
    code, out, _ = run("bodies", str(bodies))
    assert code == 0 and Body.objects.count() == 3
    members = tmp_path / "members.csv"
    members.write_text(
        "member_no,given_name,family_name,email,category,body_code\n"
        "1,Anna,Petrova,,production_worker,e\n"
    )
    code, out, _ = run("members", str(members), "--no-invite")
    assert code == 0 and Member.objects.count() == 1


def test_bad_file_exits_1_with_located_errors(operator, tmp_path):
    bodies = tmp_path / "bodies.csv"
    bodies.write_text("code,name,kind,parent_code\nc,Congress,congress,\nx,X,shop,zz\n")
    code, _, err = run("bodies", str(bodies))
    assert code == 1
    assert f"{bodies}:3:parent_code: unknown body 'zz'" in err
    assert "nothing was imported" in err
    assert not Body.objects.exists()


def test_missing_file_is_a_usage_error(operator):
    code, _, err = run("bodies", "/nonexistent.csv")
    assert code == 2 and "no such file" in err
