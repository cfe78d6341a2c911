"""Housing pages: the register, a dwelling, the waiting list with its formula, the forms
of members and of the board, the body-page panel, and the list's query count."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from collegium.housing import services
from collegium.housing.models import Allocation, Application, Dwelling, HousingPolicy
from tests.conftest import make_member

pytestmark = pytest.mark.django_db
NOW = timezone.now()


def _dwelling(fed: Any, code: str, rooms: int = 2, **kw: Any) -> Dwelling:
    values = {
        "address": f"{code} Factory St",
        "area_m2": 48,
        "condition": "good",
        "state": "vacant",
    }
    values.update(kw)
    return Dwelling.objects.create(
        code=code, body=fed.enterprise, rooms=rooms, created_at=NOW, updated_at=NOW, **values
    )


def test_register_page_vacant_first_and_filters(client_for: Any, small_federation: Any) -> None:
    fed = small_federation
    _dwelling(fed, "A-OCC", state="occupied")
    _dwelling(fed, "B-VAC")
    _dwelling(fed, "C-REP", state="under_repair")
    page = client_for(None).get("/bodies/sormovo/housing/").content.decode()
    assert page.index("B-VAC") < page.index("C-REP") < page.index("A-OCC")
    assert "Register a dwelling" not in page
    only = client_for(None).get("/bodies/sormovo/housing/?state=occupied").content.decode()
    assert "A-OCC" in only and "B-VAC" not in only
    board = client_for("board_member").get("/bodies/sormovo/housing/").content.decode()
    assert "Register a dwelling" in board


def test_board_registers_through_the_page_and_bad_input_is_shown(
    client_for: Any, small_federation: Any
) -> None:
    client = client_for("board_member")
    bad = client.post(
        "/bodies/sormovo/housing/",
        {"code": "X-1", "address": "1 St", "area_m2": "abc", "rooms": "2", "condition": "good"},
    )
    assert bad.status_code == 400
    assert "Area: give the floor area" in bad.content.decode()
    assert not Dwelling.objects.exists()
    ok = client.post(
        "/bodies/sormovo/housing/",
        {"code": "X-1", "address": "1 St", "area_m2": "40", "rooms": "2", "condition": "good"},
    )
    assert ok.status_code == 302 and ok["Location"] == "/dwellings/X-1/"
    assert (
        client_for("worker")
        .post(
            "/bodies/sormovo/housing/",
            {"code": "X-2", "address": "1 St", "area_m2": "40", "rooms": "2"},
        )
        .status_code
        == 403
    )


def test_dwelling_page_history_and_manager_forms(client_for: Any, small_federation: Any) -> None:
    fed = small_federation
    _dwelling(fed, "D-1")
    board = client_for("board_member")
    recorded = board.post(
        "/dwellings/D-1/",
        {
            "form": "occupy",
            "head": fed.worker.member_no,
            "household_size": "3",
            "since": "2024-02-01",
        },
    )
    assert recorded.status_code == 302
    page = client_for("worker").get("/dwellings/D-1/").content.decode()
    assert "Anna Petrova" in page and "household of 3" in page
    public = client_for(None).get("/dwellings/D-1/").content.decode()
    assert "Anna Petrova" not in public and fed.worker.public_id in public
    occupancy = Dwelling.objects.get(code="D-1").occupancies.get()
    ended = board.post(
        "/dwellings/D-1/", {"form": "end", "occupancy": str(occupancy.pk), "on": "2026-01-10"}
    )
    assert ended.status_code == 302
    assert Dwelling.objects.get(code="D-1").state == "vacant"
    assert client_for(None).get("/dwellings/NOPE/").status_code == 404


def test_apply_see_place_and_withdraw(client_for: Any, small_federation: Any) -> None:
    client = client_for("worker")
    form = client.get("/bodies/sormovo/housing/apply/")
    assert form.status_code == 200 and "csrfmiddlewaretoken" in form.content.decode()
    bad = client.post("/bodies/sormovo/housing/apply/", {"household_size": "0"})
    assert bad.status_code == 400 and "Household size must be from 1 to 30" in bad.content.decode()
    done = client.post(
        "/bodies/sormovo/housing/apply/",
        {"household_size": "4", "current_rooms": "1", "needs_note": "wheelchair"},
    )
    assert done.status_code == 302
    page = client.get("/bodies/sormovo/housing/list/").content.decode()
    assert "Your place: 1 of 1" in page
    assert "score = 10.00 × people per room" in page
    assert "wheelchair" not in page
    other = client_for("board_member").get("/bodies/sormovo/housing/list/").content.decode()
    assert "Anna Petrova" in other and "Your place" not in other
    public = client_for(None).get("/bodies/sormovo/housing/list/").content.decode()
    assert "Anna Petrova" not in public
    assert client.post("/bodies/sormovo/housing/withdraw/").status_code == 302
    assert Application.objects.get().state == "withdrawn"


def test_policy_form_refuses_a_negative_weight(client_for: Any, small_federation: Any) -> None:
    client = client_for("board_member")
    data = {
        "w_crowding": "-3",
        "w_conditions": "5",
        "w_waiting": "1",
        "w_unfit": "20",
        "no_dwelling_crowding": "3",
        "reason": "",
    }
    bad = client.post("/bodies/sormovo/housing/policy/", data)
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "Weight of crowding (people per room): must not be negative" in text
    assert 'id="w_crowding-error"' in text
    assert not HousingPolicy.objects.exists()
    assert (
        client.post("/bodies/sormovo/housing/policy/", {**data, "w_crowding": "12"}).status_code
        == 302
    )
    assert "12.00 × people per room" in client.get("/bodies/sormovo/housing/list/").content.decode()
    worker = client_for("worker").get("/bodies/sormovo/housing/policy/").content.decode()
    assert "Set the weights" not in worker


def test_allocation_form_requires_a_reason_to_skip(client_for: Any, small_federation: Any) -> None:
    fed = small_federation
    _dwelling(fed, "V-1", rooms=3)
    services.application_submit(
        user=fed.worker.user, body=fed.enterprise, household_size=5, now=NOW - dt.timedelta(days=90)
    )
    low = services.application_submit(
        user=fed.congress_board_member.user, body=fed.enterprise, household_size=1, current_rooms=4
    )
    client = client_for("board_member")
    assert client_for("worker").get("/bodies/sormovo/housing/allocate/").status_code == 403
    closes = (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    data = {"dwelling": "V-1", "application": low.public_id, "closes_at": closes, "reason": ""}
    bad = client.post("/bodies/sormovo/housing/allocate/", data)
    assert bad.status_code == 400 and "passes over 1 person" in bad.content.decode()
    assert not Allocation.objects.exists()
    ok = client.post("/bodies/sormovo/housing/allocate/", {**data, "reason": "ground floor"})
    assert ok.status_code == 302
    allocation = Allocation.objects.get()
    page = client_for(None).get(ok["Location"]).content.decode()
    assert "skips 1 person" in page and "ground floor" in page
    assert allocation.decision is not None and allocation.decision.public_id in page


def test_housing_panel_tag(small_federation: Any) -> None:
    fed = small_federation
    _dwelling(fed, "P-1")
    services.application_submit(user=fed.worker.user, body=fed.enterprise, household_size=2)
    html = Template("{% load housing_tags %}{% housing_panel body user %}").render(
        Context({"body": fed.enterprise, "user": fed.worker.user})
    )
    assert "1 vacant" in html and "Your place on the list" in html


def test_waiting_list_query_count_does_not_grow(client_for: Any, small_federation: Any) -> None:
    fed = small_federation
    client = client_for("worker")
    services.application_submit(user=fed.worker.user, body=fed.enterprise, household_size=2)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/bodies/sormovo/housing/list/").status_code == 200
        return len(ctx.captured_queries)

    client.get("/bodies/sormovo/housing/list/")
    small = count()
    for i in range(30):
        m = make_member(f"h{i}", "Applicant", f"N{i}", fed.shop, password=None)
        d = _dwelling(fed, f"OLD-{i}", state="occupied")
        Application.objects.create(
            body=fed.enterprise,
            member=m,
            household_size=1 + i % 5,
            current_dwelling=d if i % 2 else None,
            applied_at=NOW - dt.timedelta(days=i),
        )
    large = count()
    assert large == small
    assert large <= 17


def test_import_page_all_or_nothing(client_for: Any, small_federation: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for("board_member")
    assert client_for("worker").get("/bodies/sormovo/housing/import/").status_code == 403
    bad = SimpleUploadedFile(
        "flats.csv", b"code,address,area_m2,rooms,condition\nF-1,1 St,40,0,good\n"
    )
    response = client.post("/bodies/sormovo/housing/import/", {"file": bad})
    assert response.status_code == 400
    assert "flats.csv:2:rooms: Rooms must be from 1 to 50, not 0." in response.content.decode()
    assert not Dwelling.objects.exists()
    good = SimpleUploadedFile(
        "flats.csv", b"code,address,area_m2,rooms,condition\nF-1,1 St,40,2,good\n"
    )
    assert client.post("/bodies/sormovo/housing/import/", {"file": good}).status_code == 302
    assert Dwelling.objects.get().code == "F-1"
