"""Reads: who sees what, the filtered list, the panel's counts, agendas, members' pages,
dwellings' open reports and the plan floors of promised remedies."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from collegium.conditions import selectors as sel
from collegium.conditions import services as s
from collegium.conditions.models import ConditionReport
from collegium.conditions.services import MaterialLine
from tests.conditions.conftest import ConditionsWorld

NOW = timezone.now().replace(microsecond=0)
DAY = dt.timedelta(days=1)


def report(world: ConditionsWorld, title: str = "Fumes", **extra: Any) -> ConditionReport:
    data: dict[str, Any] = {
        "user": world.fed.worker.user,
        "body": world.fed.shop,
        "location": "Hammer 2",
        "hazard": "foul_air",
        "severity": 3,
        "people_affected": 4,
        "title": title,
        "description": "Broken extractor.",
        "now": NOW,
        **extra,
    }
    return s.report_submit(**data)


def confirm(world: ConditionsWorld, r: ConditionReport) -> None:
    s.report_confirm(user=world.co_worker.user, report=r, now=NOW)


def promise(
    world: ConditionsWorld, r: ConditionReport, lines: list[MaterialLine], days: int
) -> None:
    s.remedy_accept(
        user=world.fed.board_member.user,
        report=r,
        work="Fix",
        materials=lines,
        labour_hours="2",
        cost="10",
        due_on=(NOW + days * DAY).date(),
        now=NOW,
    )


@pytest.mark.django_db
def test_who_sees_a_report(world: ConditionsWorld) -> None:
    fed = world.fed
    r = report(world)
    assert sel.can_view(fed.worker, r) and sel.can_view(world.co_worker, r)
    assert sel.can_view(fed.board_member, r)  # board of the enterprise above
    assert sel.can_view(fed.congress_board_member, r)
    assert sel.can_view(world.moderator, r)  # the moderation commission serving it
    assert not sel.can_view(fed.outsider, r)  # another enterprise
    assert not sel.can_view(None, r)
    assert list(sel.body_reports(fed.union, fed.outsider)) == []
    assert [x.pk for x in sel.body_reports(fed.union, fed.worker)] == [r.pk]


@pytest.mark.django_db
def test_filters(world: ConditionsWorld) -> None:
    fed = world.fed
    fumes = report(world)
    cold = report(
        world,
        "Cold in the hall",
        hazard="cold",
        severity=1,
        location="Main hall",
        description="4 C",
    )
    confirm(world, fumes)

    def titles(**data: str) -> list[str]:
        filters = sel.Filters.parse(data)
        return [x.title for x in sel.body_reports(fed.enterprise, fed.board_member, filters, NOW)]

    assert titles() == ["Cold in the hall", "Fumes"]
    assert titles(state="awaiting") == ["Cold in the hall"]
    assert titles(state="open") == ["Fumes"]
    assert titles(hazard="cold") == ["Cold in the hall"]
    assert titles(severity="3") == ["Fumes"]
    assert titles(q="hall") == ["Cold in the hall"]
    assert titles(q="extractor") == ["Fumes"]
    assert titles(place="dwelling") == []
    assert titles(state="overdue") == []
    assert [
        x.title
        for x in sel.body_reports(
            fed.enterprise,
            fed.board_member,
            sel.Filters.parse({"state": "overdue"}),
            NOW + 20 * DAY,
        )
    ] == ["Fumes"]
    assert titles(state="nonsense", severity="x", hazard="?") == titles()  # unknown: ignored
    counts = sel.panel_counts(fed.enterprise, fed.board_member, NOW + 20 * DAY)
    assert (counts.awaiting, counts.open, counts.overdue, counts.escalated) == (1, 1, 1, 0)
    assert cold.pk


@pytest.mark.django_db
def test_agenda_and_member_items(world: ConditionsWorld) -> None:
    fed = world.fed
    r = report(world)
    waiting = sel.member_items(world.co_worker, NOW)
    assert [i.kind for i in waiting] == ["condition_confirmation"]
    assert sel.member_items(fed.outsider, NOW) == []
    mine = sel.member_items(fed.worker, NOW)
    assert mine[0].kind == "condition_report" and "awaits confirmation" in mine[0].note
    confirm(world, r)
    assert sel.member_items(world.co_worker, NOW) == []
    agenda = sel.agenda_items(fed.enterprise, NOW + 15 * DAY)
    assert len(agenda) == 1 and agenda[0].overdue and agenda[0].mandatory
    assert sel.agenda_items(fed.congress, NOW) == []
    promise(world, r, [], 3)
    assert sel.agenda_items(fed.enterprise, NOW + DAY) == []
    late = sel.agenda_items(fed.enterprise, NOW + 5 * DAY)
    assert [i.kind for i in late] == ["condition_remedy"] and late[0].overdue
    s.remedy_done(user=fed.board_member.user, report=r, now=NOW + DAY)
    mine = sel.member_items(fed.worker, NOW + DAY)
    assert mine[0].mandatory and "is it fixed" in mine[0].note


@pytest.mark.django_db
def test_floors_sum_promised_remedies(world: ConditionsWorld, tmp_path: Path) -> None:
    fed = world.fed
    first, second, third = report(world, "A"), report(world, "B"), report(world, "C")
    for r in (first, second, third):
        confirm(world, r)
    promise(world, first, [MaterialLine("duct-steel", Decimal("12.5"), "m")], 5)
    promise(
        world,
        second,
        [MaterialLine("duct-steel", Decimal("2"), "m"), MaterialLine("fan", Decimal("1"), "piece")],
        40,
    )
    floors = {f.product: f.quantity for f in sel.remedy_floors()}
    assert floors == {"duct-steel": Decimal("14.5"), "fan": Decimal("1")}
    until = (NOW + 10 * DAY).date()
    assert [f.product for f in sel.remedy_floors(until=until)] == ["duct-steel"]
    assert sel.remedy_floors(fed.other_enterprise) == []
    out = io.StringIO()
    call_command("conditions", "floors", "--body", "sormovo", stdout=out)
    assert out.getvalue() == "product,floor\nduct-steel,14.5\nfan,1\n"
    target = tmp_path / "floors.csv"
    call_command(
        "conditions",
        "floors",
        "--until",
        until.isoformat(),
        "--out",
        str(target),
        stderr=io.StringIO(),
    )
    assert target.read_text() == "product,floor\nduct-steel,12.5\n"
    # Fixed (or marked done) remedies are no longer floors.
    s.remedy_done(user=fed.board_member.user, report=first, now=NOW)
    assert {f.product for f in sel.remedy_floors()} == {"duct-steel", "fan"}
    assert {f.product: f.quantity for f in sel.remedy_floors()}["duct-steel"] == Decimal("2")
    # One product in two units cannot be summed: the command says which.
    promise(world, third, [MaterialLine("fan", Decimal("3"), "kg")], 5)
    with pytest.raises(CommandError, match=r"fan \(kg, piece\)"):
        call_command("conditions", "floors", stdout=io.StringIO())
    with pytest.raises(CommandError, match="no body with code"):
        call_command("conditions", "floors", "--body", "nowhere")
    with pytest.raises(CommandError, match="not a date"):
        call_command("conditions", "floors", "--until", "tomorrow")


@pytest.mark.django_db
def test_open_reports_by_dwelling(world: ConditionsWorld) -> None:
    from collegium.housing.models import Dwelling

    fed = world.fed
    flat = Dwelling.objects.create(
        code="SRM-H-1",
        address="Sormovo, Lenin st. 4, flat 2",
        body=fed.enterprise,
        area_m2=Decimal("42"),
        rooms=2,
        created_at=NOW,
        updated_at=NOW,
    )
    damp = report(world, "Damp walls", body=None, dwelling=flat, hazard="dampness")
    assert damp.body == fed.enterprise and damp.place == "dwelling"
    assert sel.open_reports_by_dwelling() == {}  # not yet confirmed
    s.report_confirm(user=fed.board_member.user, report=damp, now=NOW)
    assert sel.open_reports_by_dwelling() == {flat.pk: 1}
    with pytest.raises(s.ConditionsError, match="workplace or a dwelling"):
        report(world, body=fed.shop, dwelling=flat)
