"""The demo's condition reports: one in each state the pages show, with photos, built by
the services on a federation shaped like the demo's."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from collegium.conditions.models import ConditionReport, Photo
from collegium.conditions.selectors import remedy_floors
from tests.conftest import make_body, make_member


@pytest.mark.django_db
def test_demo_conditions_fill_every_state() -> None:
    from collegium.conditions.demo import demo_conditions
    from collegium.elections.services import board_seat_founding
    from collegium.record.services import SYSTEM

    congress = make_body("congress", "Congress", "congress", None)
    metal = make_body("metal", "Metalworkers' Union", "industrial_union", congress)
    sormovo = make_body("sormovo", "Sormovo Machine Works", "enterprise", metal)
    shops = {i: make_body(f"sormovo-{i}", f"Shop {i}", "shop", sormovo) for i in (1, 2, 4)}
    anna = make_member("M00001", "Anna", "Petrova", shops[2])
    ivan = make_member("M00002", "Ivan", "Sokolov", shops[2])
    for i in range(12):
        make_member(f"M1{i:04d}", "Forge", f"Worker{i}", shops[2])
        make_member(f"M2{i:04d}", "Foundry", f"Worker{i}", shops[1])
        make_member(f"M4{i:04d}", "Assembly", f"Worker{i}", shops[4])
    today = dt.date.today()
    for body, member in ((sormovo, ivan), (metal, make_member("U1", "Union", "Board", shops[1]))):
        board_seat_founding(
            user=None,
            actor=SYSTEM,
            body=body,
            members=[member],
            term_start=today - dt.timedelta(days=100),
            term_end=today + dt.timedelta(days=600),
        )
    from decimal import Decimal

    from collegium.conditions.selectors import open_reports_by_dwelling
    from collegium.housing.models import Dwelling

    flat = Dwelling.objects.create(
        code="SRM-H-001",
        address="Sormovo, Lenin street 4, flat 1",
        body=sormovo,
        area_m2=Decimal("41"),
        rooms=2,
        created_at=timezone.now(),
        updated_at=timezone.now(),
    )
    demo_conditions(timezone.now())
    assert open_reports_by_dwelling() == {flat.pk: 1}
    states = sorted(ConditionReport.objects.values_list("state", flat=True))
    assert states == ["awaiting", "fixed", "open", "open", "open", "promised", "promised"]
    roof = ConditionReport.objects.get(escalations=2)
    assert roof.responsible == congress and roof.due_at is not None
    assert roof.due_at < timezone.now()  # overdue at the top, where it stays
    assert ConditionReport.objects.filter(reporter=anna).count() == 4
    overdue = ConditionReport.objects.get(state="open", escalations=0, dwelling=None)
    assert overdue.due_at is not None and overdue.due_at < timezone.now()
    assert Photo.objects.count() == 8
    assert {f.product for f in remedy_floors()} >= {"fan-axial-630", "lamp-led-150w"}
