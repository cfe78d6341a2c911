"""The elections API: same services and permissions as the pages, errors as JSON."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from collegium.elections.models import Ballot, Election, RollEntry, Seat, SeatRole
from tests.api.conftest import client_for
from tests.conftest import make_member

NOW = timezone.now()


@pytest.fixture
def people(fed: Any) -> list[Any]:
    from collegium.federation.services import charter_change

    charter_change(
        user=fed.board_member.user,
        body=fed.enterprise,
        changes={"board_seats": 2, "production_worker_quota_pct": 50},
        reason="small",
    )
    return [
        make_member("4001", "Olga", "Popova", fed.shop),
        make_member("4002", "Boris", "Titov", fed.shop, "administrative"),
    ]


def _call(fed: Any, clients: dict[str, Client]) -> dict[str, Any]:
    response = clients["board"].post(
        f"/api/elections/bodies/{fed.enterprise.code}",
        {
            "nominations_close_at": (NOW + dt.timedelta(days=1)).isoformat(),
            "voting_closes_at": (NOW + dt.timedelta(days=2)).isoformat(),
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return response.json()  # type: ignore[no-any-return]


def test_election_lifecycle_through_the_api(
    fed: Any, clients: dict[str, Client], people: list[Any]
) -> None:
    election = _call(fed, clients)
    pid = election["public_id"]
    assert election["state"] == "nomination" and election["seats"] == 2
    assert election["reserved_seats"] == 1
    listed = Client().get(f"/api/elections/bodies/{fed.enterprise.code}").json()
    assert [e["public_id"] for e in listed] == [pid]
    # Nominate another member (needs acceptance), and oneself.
    worker = clients["worker"]
    r = worker.post(
        f"/api/elections/{pid}/nominations", {"member_no": "4001"}, content_type="application/json"
    )
    assert r.status_code == 201
    nomination = r.json()["candidates"][0]
    assert nomination["accepted"] is False
    olga = client_for(people[0].user)
    assert (
        olga.post(
            f"/api/elections/{pid}/nominations/{nomination['nomination_id']}/accept"
        ).status_code
        == 200
    )
    r = clients["congress_board"].post(
        f"/api/elections/{pid}/nominations/{nomination['nomination_id']}/cosign"
    )
    assert r.json()["candidates"][0]["cosigners"] == 1
    boris = client_for(people[1].user)
    boris.post(
        f"/api/elections/{pid}/nominations", {"statement": "me"}, content_type="application/json"
    )
    # Too early to open; a worker may not open at all.
    early = clients["board"].post(f"/api/elections/{pid}/open")
    assert early.status_code == 409 and "still open" in early.json()["detail"]
    assert worker.post(f"/api/elections/{pid}/open").status_code == 403
    Election.objects.filter(public_id=pid).update(
        nominations_close_at=NOW - dt.timedelta(minutes=1)
    )
    opened = clients["board"].post(f"/api/elections/{pid}/open")
    assert opened.json()["state"] == "voting"
    # Cast: tracker once; a second ballot is refused with 409; outsiders get 403.
    cast = worker.post(
        f"/api/elections/{pid}/ballots", {"ranking": [2, 1]}, content_type="application/json"
    )
    assert cast.status_code == 201
    assert len(cast.json()["tracker"]) >= 20
    again = worker.post(
        f"/api/elections/{pid}/ballots", {"ranking": [1]}, content_type="application/json"
    )
    assert again.status_code == 409 and "already voted" in again.json()["detail"]
    assert (
        clients["outsider"]
        .post(f"/api/elections/{pid}/ballots", {"ranking": [1]}, content_type="application/json")
        .status_code
        == 403
    )
    bad = clients["board"].post(
        f"/api/elections/{pid}/ballots", {"ranking": [7]}, content_type="application/json"
    )
    assert bad.status_code == 409 and "no candidate 7" in bad.json()["detail"]
    clients["board"].post(
        f"/api/elections/{pid}/ballots", {"ranking": [1, 2]}, content_type="application/json"
    )
    assert RollEntry.objects.count() == Ballot.objects.count() == 2
    # Nothing published before the count; count after the close.
    assert Client().get(f"/api/elections/{pid}/results").status_code == 404
    assert worker.post(f"/api/elections/{pid}/count").status_code == 409
    Election.objects.filter(public_id=pid).update(voting_closes_at=NOW - dt.timedelta(seconds=1))
    assert worker.post(f"/api/elections/{pid}/count").json()["state"] == "counted"
    results = Client().get(f"/api/elections/{pid}/results").json()
    assert len(results["elected"]) == 2
    assert results["count_sheet"]["method"] == "scottish-stv"
    blt = Client().get(f"/api/elections/{pid}/ballots.blt")
    from collegium.tally import count_scottish_stv, read_blt

    assert (
        count_scottish_stv(read_blt(blt.content.decode())).elected
        == results["count_sheet"]["elected"]
    )
    trackers = Client().get(f"/api/elections/{pid}/trackers.txt").content.decode().split()
    assert cast.json()["tracker"] in trackers


def test_errors_are_json(fed: Any, clients: dict[str, Client]) -> None:
    r = Client().get("/api/elections/nope")
    assert r.status_code == 404 and "detail" in r.json()
    r = Client().post(
        f"/api/elections/bodies/{fed.enterprise.code}", {}, content_type="application/json"
    )
    assert r.status_code == 401
    r = clients["worker"].post(
        f"/api/elections/bodies/{fed.enterprise.code}",
        {
            "nominations_close_at": "2099-01-01T00:00:00Z",
            "voting_closes_at": "2099-02-01T00:00:00Z",
        },
        content_type="application/json",
    )
    assert r.status_code == 403 and "board" in r.json()["detail"]


def test_recall_and_mandates(fed: Any, clients: dict[str, Client]) -> None:
    seat = Seat.objects.get(body=fed.enterprise, holder=fed.board_member)
    r = clients["worker"].post(
        f"/api/elections/seats/{seat.pk}/recalls",
        {"reason": "absent"},
        content_type="application/json",
    )
    assert r.status_code == 201
    petition = r.json()
    assert petition["signatures"] == 1 and petition["state"] in ("collecting", "ballot")
    got = Client().get(f"/api/elections/recalls/{petition['public_id']}").json()
    assert got["reason"] == "absent"
    again = clients["worker"].post(f"/api/elections/recalls/{petition['public_id']}/signatures")
    assert again.status_code == 409
    # Mandates: the board adopts, a delegate records a vote, a breach is flagged.
    today = dt.date.today()
    Seat.objects.create(
        body=fed.enterprise,
        holder=fed.worker,
        term_start=today - dt.timedelta(days=1),
        term_end=today + dt.timedelta(days=100),
        role=SeatRole.DELEGATE,
    )
    m = clients["board"].post(
        f"/api/elections/bodies/{fed.enterprise.code}/mandates",
        {"question": "Seven-hour day", "position": "for"},
        content_type="application/json",
    )
    assert m.status_code == 201
    mid = m.json()["public_id"]
    assert (
        clients["outsider"]
        .post(
            f"/api/elections/mandates/{mid}/votes", {"vote": "for"}, content_type="application/json"
        )
        .status_code
        == 403
    )
    v = clients["worker"].post(
        f"/api/elections/mandates/{mid}/votes", {"vote": "against"}, content_type="application/json"
    )
    assert v.status_code == 201
    assert v.json()["votes"][0]["breach"] is True
    listed = Client().get(f"/api/elections/bodies/{fed.enterprise.code}/mandates").json()
    assert listed[0]["votes"][0]["vote"] == "against"
