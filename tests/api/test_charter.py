"""Charters over the API: read with sources, change by the body's board only."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from collegium.federation.models import Charter, CharterChange
from collegium.record.models import Entry
from tests.api.conftest import client_for
from tests.conftest import SmallFederation


def _patch(client: Client, url: str, payload: object, **extra: str) -> Any:
    return client.patch(url, data=json.dumps(payload), content_type="application/json", **extra)


def _values(charter: dict[str, Any]) -> dict[str, Any]:
    return {f["name"]: f["value"] for f in charter["fields"]}


def test_default_charter_shape(clients: dict[str, Client]) -> None:
    charter = clients["anonymous"].get("/api/charter").json()
    assert charter["body"] is None
    assert charter["can_change"] is False
    fields = {f["name"]: f for f in charter["fields"]}
    assert fields["production_worker_quota_pct"] == {
        "name": "production_worker_quota_pct",
        "label": "Production-worker quota",
        "help": fields["production_worker_quota_pct"]["help"],
        "unit": "%",
        "value": 60,
        "source": "federation default",
        "own": True,
        "min": 0,
        "max": 100,
    }
    assert clients["congress_board"].get("/api/charter").json()["can_change"] is True


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 401),
        ("worker", 403),
        ("outsider", 403),
        ("board", 200),
        ("congress_board", 403),  # the congress's board does not run the enterprise
        ("operator", 403),
    ],
)
def test_body_charter_patch_only_by_its_board(
    fed: SmallFederation, clients: dict[str, Client], role: str, status: int
) -> None:
    before = Entry.objects.count()
    response = _patch(
        clients[role],
        "/api/bodies/sormovo/charter",
        {"changes": {"board_seats": 9}, "reason": "The works has grown."},
    )
    assert response.status_code == status, response.content
    body = response.json()
    if status == 200:
        assert body["body"]["code"] == "sormovo"
        fields = {f["name"]: f for f in body["fields"]}
        assert fields["board_seats"]["value"] == 9
        assert fields["board_seats"]["source"] == "this body"
        assert fields["board_seats"]["own"] is True
        assert Entry.objects.count() == before + 1
        # Inherited below, with its source.
        shop = clients[role].get("/api/bodies/sormovo-forge/charter").json()
        shop_seats = {f["name"]: f for f in shop["fields"]}["board_seats"]
        assert (shop_seats["value"], shop_seats["source"]) == (9, "Sormovo Works")
    else:
        assert body["detail"]
        assert Entry.objects.count() == before
        assert not Charter.objects.filter(body=fed.enterprise, board_seats=9).exists()
    if status == 403:
        assert "board of Sormovo Works" in body["detail"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"production_worker_quota_pct": 101}, "production_worker_quota_pct"),
        ({"board_seats": -1}, "board_seats"),
        ({"board_seats": "many"}, "board_seats"),
        ({"no_such_rule": 3}, "no_such_rule"),
    ],
)
def test_invalid_charter_values_are_422_and_change_nothing(
    fed: SmallFederation, clients: dict[str, Client], changes: dict[str, object], field: str
) -> None:
    before_entries = Entry.objects.count()
    before = clients["board"].get("/api/bodies/sormovo/charter").json()
    response = _patch(
        clients["board"],
        "/api/bodies/sormovo/charter",
        {"changes": {"term_months": 12, **changes}, "reason": "Try it."},
    )
    assert response.status_code == 422
    body = response.json()
    assert set(body["errors"]) == {field}
    assert field in body["detail"]
    assert clients["board"].get("/api/bodies/sormovo/charter").json() == before
    assert Entry.objects.count() == before_entries
    assert not CharterChange.objects.exists()


def test_reason_is_required(clients: dict[str, Client]) -> None:
    response = _patch(
        clients["board"],
        "/api/bodies/sormovo/charter",
        {"changes": {"board_seats": 9}, "reason": "  "},
    )
    assert response.status_code == 422
    assert "reason" in response.json()["errors"]


def test_malformed_patch_body_is_422_with_detail(clients: dict[str, Client]) -> None:
    response = _patch(clients["board"], "/api/bodies/sormovo/charter", {"reason": "x"})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert isinstance(detail, str)
    assert "changes" in detail


def test_default_charter_patch_by_congress_board_and_history(
    fed: SmallFederation, clients: dict[str, Client]
) -> None:
    denied = _patch(
        clients["board"],
        "/api/charter",
        {"changes": {"term_months": 36}, "reason": "Longer terms."},
    )
    assert denied.status_code == 403
    ok = _patch(
        clients["congress_board"],
        "/api/charter",
        {"changes": {"term_months": 36}, "reason": "Longer terms."},
    )
    assert ok.status_code == 200
    assert _values(ok.json())["term_months"] == 36
    cleared = _patch(
        clients["congress_board"],
        "/api/charter",
        {"changes": {"term_months": None}, "reason": "Oops."},
    )
    assert cleared.status_code == 422

    history = clients["anonymous"].get("/api/charter/history").json()
    [change] = history
    assert change["changes"] == {"term_months": {"from": 24, "to": 36}}
    assert change["reason"] == "Longer terms."
    assert change["changed_by"] == fed.congress_board_member.public_id
    entry = clients["anonymous"].get(f"/api/record/entries/{change['record_index']}").json()
    assert entry["kind"] == "charter.changed"
    assert clients["anonymous"].get("/api/bodies/sormovo/charter/history").json() == []


def test_null_makes_a_value_inherit_again(clients: dict[str, Client]) -> None:
    url = "/api/bodies/sormovo/charter"
    _patch(clients["board"], url, {"changes": {"board_seats": 9}, "reason": "Grow."})
    response = _patch(clients["board"], url, {"changes": {"board_seats": None}, "reason": "Back."})
    assert response.status_code == 200
    seats = {f["name"]: f for f in response.json()["fields"]}["board_seats"]
    assert (seats["value"], seats["source"]) == (7, "federation default")
    assert len(clients["anonymous"].get(f"{url}/history").json()) == 2


def test_session_patch_needs_csrf_token(fed: SmallFederation) -> None:
    client = client_for(fed.board_member.user, enforce_csrf=True)
    payload = {"changes": {"board_seats": 9}, "reason": "Grow."}
    refused = _patch(client, "/api/bodies/sormovo/charter", payload)
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    client.get("/api/tokens/")  # any page that renders the token sets the cookie
    token = client.cookies["csrftoken"].value
    accepted = _patch(client, "/api/bodies/sormovo/charter", payload, HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 200, accepted.content


def test_unknown_body_charter_is_404(clients: dict[str, Client]) -> None:
    assert clients["anonymous"].get("/api/bodies/nowhere/charter").status_code == 404
    response = _patch(
        clients["board"],
        "/api/bodies/nowhere/charter",
        {"changes": {"board_seats": 9}, "reason": "x"},
    )
    assert response.status_code == 404
