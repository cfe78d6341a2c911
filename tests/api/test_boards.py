"""The API of initiatives, meetings, contracts, alternatives and the waiting list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from collegium.decisions.models import Decision
from collegium.decisions.services import decision_close, proposal_submit

pytestmark = pytest.mark.django_db


def _iso(days: float) -> str:
    return (timezone.now() + dt.timedelta(days=days)).isoformat()


def test_initiative_meeting_and_agenda(client, small_federation):
    f = small_federation
    client.force_login(f.worker.user)
    started = client.post(
        "/api/bodies/sormovo/initiatives",
        {"title": "Fans", "text": "Fit extraction fans."},
        content_type="application/json",
    )
    assert started.status_code == 201, started.content
    body = started.json()
    assert body["state"] == "on_agenda" and body["current_body"] == "sormovo"
    again = client.post(f"/api/initiatives/{body['public_id']}/signatures")
    assert again.status_code == 409 and "no more signatures" in again.json()["detail"]
    agenda = client.get("/api/bodies/sormovo/agenda").json()
    assert agenda[0]["kind"] == "initiative" and agenda[0]["mandatory"] is True
    denied = client.post(
        "/api/bodies/sormovo/meetings", {"starts_at": _iso(1)}, content_type="application/json"
    )
    assert denied.status_code == 403
    client.force_login(f.board_member.user)
    called = client.post(
        "/api/bodies/sormovo/meetings",
        {"starts_at": _iso(1), "place": "Club", "extra_items": ["Other business"]},
        content_type="application/json",
    )
    assert called.status_code == 201
    meeting = called.json()
    assert [e["kind"] for e in meeting["agenda"]] == ["initiative", "other"]
    pdf = client.get(f"/api/meetings/{meeting['public_id']}/minutes.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_contract_and_alternatives(client, small_federation):
    f = small_federation
    client.force_login(f.board_member.user)
    data = {
        "counterparty": "Baltic Timber",
        "kind": "supply",
        "title": "Sleepers",
        "terms": "4,000 a quarter",
        "affected": [],
        "closes_at": _iso(7),
    }
    empty = client.post("/api/bodies/sormovo/contracts", data, content_type="application/json")
    assert empty.status_code == 409 and "affected body" in empty.json()["detail"]
    unknown = client.post(
        "/api/bodies/sormovo/contracts",
        {**data, "affected": ["nowhere"]},
        content_type="application/json",
    )
    assert unknown.status_code == 422
    made = client.post(
        "/api/bodies/sormovo/contracts",
        {**data, "affected": ["sormovo", "congress"]},
        content_type="application/json",
    )
    assert made.status_code == 201
    assert {r["body"] for r in made.json()["ratifications"]} == {"sormovo", "congress"}
    ratification = made.json()["ratifications"][0]["decision"]
    assert client.get(f"/api/decisions/{ratification}").json()["subject"].startswith("/contracts/")

    opened = client.post(
        "/api/bodies/sormovo/alternatives",
        {"title": "Canteen?", "options": ["Canteen", "Vouchers"], "closes_at": _iso(2)},
        content_type="application/json",
    )
    assert opened.status_code == 201
    decision = opened.json()["decision"]
    ranked = client.post(
        f"/api/decisions/{decision}/rankings", {"ranking": [1, 0]}, content_type="application/json"
    )
    assert ranked.status_code == 201 and ranked.json()["tracker"]
    twice = client.post(
        f"/api/decisions/{decision}/rankings", {"ranking": [0]}, content_type="application/json"
    )
    assert twice.status_code == 409
    d = Decision.objects.get(public_id=decision)
    decision_close(decision=d, now=d.closes_at)
    out = client.get(f"/api/decisions/{decision}").json()
    assert out["options"] == ["Canteen", "Vouchers"] and out["outcome"]["winner"] == 1


def test_waiting(client, small_federation):
    f = small_federation
    proposal = proposal_submit(user=f.worker.user, body=f.enterprise, title="A crane", text="x")
    client.force_login(f.board_member.user)
    client.post(
        f"/api/decisions/proposals/{proposal.public_id}/roll-call",
        {"closes_at": _iso(1)},
        content_type="application/json",
    )
    items = client.get("/api/waiting").json()
    assert [i["kind"] for i in items] == ["roll_call"]
    client.logout()
    assert client.get("/api/waiting").status_code == 401
    client.force_login(f.operator)
    assert client.get("/api/waiting").status_code == 403
