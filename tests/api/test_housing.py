"""The housing API: register, waiting list with its formula, policy, applications and
allocations, with the same services and permissions as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from collegium.housing.models import Dwelling, HousingPolicy

J = "application/json"
DWELLING = {
    "code": "SRM-7",
    "address": "7 Sormovo Street",
    "area_m2": "61.5",
    "rooms": 3,
    "condition": "fair",
}
POLICY = {
    "w_crowding": "10",
    "w_conditions": "5",
    "w_waiting": "1",
    "w_unfit": "20",
    "no_dwelling_crowding": "3",
}

pytestmark = pytest.mark.django_db


def _post(client: Client, url: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(url, data or {}, content_type=J)


def test_register_read_and_refuse(fed: Any, clients: dict[str, Client]) -> None:
    assert (
        _post(clients["worker"], "/api/housing/bodies/sormovo/dwellings", DWELLING).status_code
        == 403
    )
    assert (
        _post(clients["anonymous"], "/api/housing/bodies/sormovo/dwellings", DWELLING).status_code
        == 401
    )
    bad = _post(
        clients["board"], "/api/housing/bodies/sormovo/dwellings", {**DWELLING, "area_m2": "-1"}
    )
    assert bad.status_code == 422 and "area_m2" in bad.json()["errors"]
    made = _post(clients["board"], "/api/housing/bodies/sormovo/dwellings", DWELLING)
    assert made.status_code == 201, made.content
    assert made.json()["state"] == "vacant"
    listing = clients["anonymous"].get("/api/housing/bodies/sormovo/dwellings?state=vacant").json()
    assert listing["count"] == 1 and listing["dwellings"][0]["code"] == "SRM-7"
    detail = clients["anonymous"].get("/api/housing/dwellings/SRM-7").json()
    assert detail["occupancies"] == [] and detail["rooms"] == 3
    assert clients["anonymous"].get("/api/housing/dwellings/NOPE").status_code == 404


def test_occupancy_names_for_members_only(fed: Any, clients: dict[str, Client]) -> None:
    _post(clients["board"], "/api/housing/bodies/sormovo/dwellings", DWELLING)
    made = _post(
        clients["board"],
        "/api/housing/dwellings/SRM-7/occupancies",
        {"head": fed.worker.public_id, "household_size": 3, "since": "2024-01-01"},
    )
    assert made.status_code == 201, made.content
    public = clients["anonymous"].get("/api/housing/dwellings/SRM-7").json()
    assert public["state"] == "occupied"
    assert public["occupancies"][0]["head_name"] is None
    inside = clients["worker"].get("/api/housing/dwellings/SRM-7").json()
    assert inside["occupancies"][0]["head_name"] == "Anna Petrova"
    ended = _post(
        clients["board"], f"/api/housing/occupancies/{made.json()['id']}/end", {"on": "2026-01-01"}
    )
    assert ended.status_code == 200 and ended.json()["ended"] is True


def test_negative_weight_is_a_422_naming_the_field(fed: Any, clients: dict[str, Client]) -> None:
    bad = _post(
        clients["board"], "/api/housing/bodies/sormovo/policy", {**POLICY, "w_waiting": "-1"}
    )
    assert bad.status_code == 422
    assert list(bad.json()["errors"]) == ["w_waiting"]
    assert "must not be negative" in bad.json()["errors"]["w_waiting"]
    assert not HousingPolicy.objects.exists()
    assert _post(clients["worker"], "/api/housing/bodies/sormovo/policy", POLICY).status_code == 403
    good = _post(clients["board"], "/api/housing/bodies/sormovo/policy", POLICY)
    assert good.status_code == 201 and good.json()["w_crowding"] == "10.00"
    history = clients["anonymous"].get("/api/housing/bodies/sormovo/policy").json()
    assert len(history) == 1 and history[0]["set_by"] == fed.board_member.public_id


def test_apply_list_allocate(fed: Any, clients: dict[str, Client]) -> None:
    _post(clients["board"], "/api/housing/bodies/sormovo/policy", POLICY)
    _post(clients["board"], "/api/housing/bodies/sormovo/dwellings", DWELLING)
    applied = _post(
        clients["worker"],
        "/api/housing/bodies/sormovo/applications",
        {"household_size": 4, "current_rooms": 1, "needs_note": "asthma"},
    )
    assert applied.status_code == 201, applied.content
    app = applied.json()
    assert app["rank"] == 1 and app["terms"]["score"] == "40.00"
    again = _post(
        clients["worker"], "/api/housing/bodies/sormovo/applications", {"household_size": 2}
    )
    assert again.status_code == 422
    waiting = clients["anonymous"].get("/api/housing/bodies/sormovo/list").json()
    assert waiting["formula"].startswith("score = 10.00 × people per room")
    assert waiting["rows"][0]["name"] is None  # the public sees member ids, not names
    assert "asthma" not in str(waiting)
    inside = clients["board"].get("/api/housing/bodies/sormovo/list").json()
    assert inside["rows"][0]["name"] == "Anna Petrova"
    # The needs note: the applicant and the board only.
    url = f"/api/housing/applications/{app['public_id']}"
    assert clients["worker"].get(url).json()["needs_note"] == "asthma"
    assert clients["board"].get(url).json()["needs_note"] == "asthma"
    assert clients["outsider"].get(url).json()["needs_note"] is None
    closes = (timezone.now() + dt.timedelta(days=2)).isoformat()
    refused = _post(
        clients["worker"],
        "/api/housing/bodies/sormovo/allocations",
        {"dwelling": "SRM-7", "application": app["public_id"], "closes_at": closes},
    )
    assert refused.status_code == 403
    made = _post(
        clients["board"],
        "/api/housing/bodies/sormovo/allocations",
        {"dwelling": "SRM-7", "application": app["public_id"], "closes_at": closes},
    )
    assert made.status_code == 201, made.content
    allocation = made.json()
    assert allocation["state"] == "voting" and allocation["decision"]
    got = clients["anonymous"].get(f"/api/housing/allocations/{allocation['public_id']}").json()
    assert got["applicant_name"] is None and got["rank"] == 1


def test_withdraw(fed: Any, clients: dict[str, Client]) -> None:
    app = _post(
        clients["worker"], "/api/housing/bodies/sormovo/applications", {"household_size": 2}
    ).json()
    url = f"/api/housing/applications/{app['public_id']}/withdraw"
    assert _post(clients["board"], url).status_code == 403
    assert _post(clients["worker"], url).json()["state"] == "withdrawn"
    assert _post(clients["worker"], url).status_code == 409


def test_csv_import_all_or_nothing(fed: Any, clients: dict[str, Client]) -> None:
    bad = "code,address,area_m2,rooms,condition\nA-1,1 Street,40,2,good\nA-2,2 Street,-5,2,good\n"
    response = _post(clients["board"], "/api/housing/bodies/sormovo/dwellings/import", {"csv": bad})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        "dwellings.csv:3:area_m2: Area must be more than 0 and at most 10000 m²."
    ]
    assert not Dwelling.objects.exists()
    good = bad.replace("-5", "55")
    assert (
        _post(
            clients["worker"], "/api/housing/bodies/sormovo/dwellings/import", {"csv": good}
        ).status_code
        == 403
    )
    done = _post(clients["operator"], "/api/housing/bodies/sormovo/dwellings/import", {"csv": good})
    assert done.status_code == 201 and done.json()["count"] == 2
