"""The decisions API: proposals, amendments, discussion, roll calls, referendums and the
review petition, with the same services and permissions as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from collegium.decisions.models import Decision, ReferendumBallot
from collegium.decisions.services import decision_close

NOW = timezone.now()
J = "application/json"


def _post(client: Client, url: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(url, data or {}, content_type=J)


def _submit(clients: dict[str, Client], **extra: Any) -> dict[str, Any]:
    data = {
        "title": "End the night shift",
        "text": "The forge works two shifts.\n\nThe night shift ends.",
        "rationale": "Health",
        "cost": "1500.00",
        **extra,
    }
    response = _post(clients["worker"], "/api/decisions/bodies/sormovo/proposals", data)
    assert response.status_code == 201, response.content
    return response.json()  # type: ignore[no-any-return]


@pytest.mark.django_db
def test_proposal_lifecycle_through_the_api(fed: Any, clients: dict[str, Client]) -> None:
    proposal = _submit(clients)
    pid = proposal["public_id"]
    assert proposal["cost"] == "1500.00" and proposal["versions"][0]["note"] == "submitted"
    base = f"/api/decisions/proposals/{pid}"
    # Discussion: a comment and a threaded reply.
    first = _post(clients["board"], base + "/comments", {"text": "Agreed."})
    assert first.status_code == 201
    reply = _post(
        clients["worker"], base + "/comments", {"text": "Thanks", "parent": first.json()["id"]}
    )
    assert reply.json()["parent"] == first.json()["id"]
    assert _post(clients["board"], base + "/comments", {"text": " "}).status_code == 422
    assert _post(clients["outsider"], base + "/comments", {"text": "Hi"}).status_code == 403
    assert _post(clients["anonymous"], base + "/comments", {"text": "Hi"}).status_code == 401
    # Amendments.
    bad = _post(clients["board"], base + "/amendments", {"original": "nope", "replacement": "x"})
    assert bad.status_code == 422 and "exactly as it stands" in bad.json()["detail"]
    amendment = _post(
        clients["board"],
        base + "/amendments",
        {"original": "two shifts", "replacement": "two day shifts"},
    ).json()
    aid = amendment["public_id"]
    # The vote cannot open while an amendment waits.
    closes = (NOW + dt.timedelta(days=3)).isoformat()
    blocked = _post(clients["board"], base + "/roll-call", {"closes_at": closes})
    assert blocked.status_code == 409 and "amendments are still open" in blocked.json()["detail"]
    assert _post(clients["board"], base + f"/amendments/{aid}/accept").status_code == 403
    accepted = _post(clients["worker"], base + f"/amendments/{aid}/accept")
    assert accepted.status_code == 200 and len(accepted.json()["versions"]) == 2
    assert _post(clients["worker"], base + f"/amendments/{aid}/decline").status_code == 409
    assert _post(clients["worker"], base + "/amendments/nope/accept").status_code == 404
    revised = _post(clients["worker"], base + "/versions", {"text": "Two day shifts only."})
    assert revised.status_code == 201 and revised.json()["versions"][-1]["number"] == 3
    # Names of rank-and-file members go to members of the body only.
    public = Client().get(base).json()
    assert public["author_name"] is None and public["comments"][0]["author_name"] is None
    assert clients["board"].get(base).json()["author_name"] == "Anna Petrova"
    # The board opens its roll call; a worker may not.
    assert _post(clients["worker"], base + "/roll-call", {"closes_at": closes}).status_code == 403
    # The board may also put a board-routed proposal to the members.
    opened = _post(clients["board"], base + "/referendum", {"closes_at": closes})
    assert opened.status_code == 201
    decision = opened.json()
    assert decision["kind"] == "referendum" and decision["version"] == 3
    assert _post(clients["worker"], base + "/versions", {"text": "x"}).status_code == 409


@pytest.mark.django_db
def test_roll_call_review_petition_and_overturn(fed: Any, clients: dict[str, Client]) -> None:
    proposal = _submit(clients)
    base = f"/api/decisions/proposals/{proposal['public_id']}"
    closes = (NOW + dt.timedelta(days=3)).isoformat()
    past = _post(clients["board"], base + "/roll-call", {"closes_at": "2000-01-01T00:00:00Z"})
    assert past.status_code == 409
    decision = _post(clients["board"], base + "/roll-call", {"closes_at": closes}).json()
    durl = f"/api/decisions/{decision['public_id']}"
    assert decision["kind"] == "roll_call" and decision["state"] == "voting"
    assert _post(clients["worker"], durl + "/votes", {"vote": "yes"}).status_code == 403
    assert _post(clients["board"], durl + "/votes", {"vote": "maybe"}).status_code == 422
    voted = _post(clients["board"], durl + "/votes", {"vote": "yes"})
    assert voted.status_code == 201
    assert voted.json()["roll_call"][0]["name"] == "Ivan Sokolov"  # public, with the name
    assert _post(clients["board"], durl + "/votes", {"vote": "no"}).status_code == 409
    assert _post(clients["board"], durl + "/ballots", {"choice": "yes"}).status_code == 409
    assert _post(clients["worker"], durl + "/close").status_code == 409  # still open
    decision_close(
        decision=Decision.objects.get(public_id=decision["public_id"]),
        now=NOW + dt.timedelta(days=3),
    )
    got = Client().get(durl).json()
    assert got["state"] == "review" and got["outcome"]["yes"] == 1
    assert got["petition"] == {"signatures": 0, "needed": 1, "members": 3}
    assert "reached" in got["outcome"]["reason"]
    assert _post(clients["outsider"], durl + "/signatures").status_code == 403
    signed = _post(clients["worker"], durl + "/signatures")
    assert signed.status_code == 201
    referendum = signed.json()["referendum"]
    assert referendum and signed.json()["decision"]["overturn_referendum"] == referendum
    assert _post(clients["congress_board"], durl + "/signatures").status_code == 409
    rurl = f"/api/decisions/{referendum}"
    for who, choice in (("worker", "yes"), ("congress_board", "yes"), ("board", "no")):
        cast = _post(clients[who], rurl + "/ballots", {"choice": choice})
        assert cast.status_code == 201 and len(cast.json()["tracker"]) > 10
    assert _post(clients["worker"], rurl + "/ballots", {"choice": "no"}).status_code == 409
    decision_close(
        decision=Decision.objects.get(public_id=referendum), now=NOW + dt.timedelta(days=30)
    )
    assert Client().get(durl).json()["state"] == "overturned"
    listed = Client().get("/api/decisions/bodies/sormovo?decision_state=overturned").json()
    assert [d["public_id"] for d in listed["decisions"]] == [decision["public_id"]]
    # The referendum says how many voted and what the totals are, never who voted what.
    r = Client().get(rurl).json()
    assert r["ballots_cast"] == 3 and r["roll_call"] == [] and r["outcome"]["yes"] == 2
    assert ReferendumBallot.objects.count() == 3


@pytest.mark.django_db
def test_lists_validation_and_errors(fed: Any, clients: dict[str, Client]) -> None:
    _submit(clients, route="members")
    listed = Client().get("/api/decisions/bodies/sormovo").json()
    assert listed["proposals"][0]["route"] == "members" and listed["decisions"] == []
    assert listed["proposals"][0]["versions"] == 1
    assert Client().get("/api/decisions/bodies/nowhere").status_code == 404
    assert Client().get("/api/decisions/bodies/sormovo?proposal_state=bogus").status_code == 422
    assert Client().get("/api/decisions/nothing").status_code == 404
    assert Client().get("/api/decisions/proposals/nothing").status_code == 404
    bad = _post(
        clients["worker"], "/api/decisions/bodies/sormovo/proposals", {"title": " ", "text": "x"}
    )
    assert bad.status_code == 422 and "needs a title" in bad.json()["detail"]
    assert (
        _post(
            clients["worker"],
            "/api/decisions/bodies/sormovo/proposals",
            {"title": "t", "text": "x", "route": "x"},
        ).status_code
        == 422
    )
    assert (
        _post(
            clients["outsider"],
            "/api/decisions/bodies/sormovo/proposals",
            {"title": "t", "text": "x"},
        ).status_code
        == 403
    )
    assert (
        _post(
            clients["operator"],
            "/api/decisions/bodies/sormovo/proposals",
            {"title": "t", "text": "x"},
        ).status_code
        == 403
    )
    assert (
        _post(
            clients["anonymous"],
            "/api/decisions/bodies/sormovo/proposals",
            {"title": "t", "text": "x"},
        ).status_code
        == 401
    )
    html = _submit(clients, text="<script>alert(1)</script>[x](javascript:alert(1))")
    assert (
        "<script" not in html["versions"][0]["html"]
        and "javascript:" not in html["versions"][0]["html"]
    )


def test_withdraw_through_the_api(client, small_federation):
    from collegium.decisions.services import proposal_submit

    f = small_federation
    proposal = proposal_submit(user=f.worker.user, body=f.enterprise, title="A crane", text="x")
    url = f"/api/decisions/proposals/{proposal.public_id}/withdrawal"
    client.force_login(f.board_member.user)
    assert client.post(url, {"reason": "x"}, content_type="application/json").status_code == 403
    client.force_login(f.worker.user)
    done = client.post(url, {"reason": "Done elsewhere."}, content_type="application/json")
    assert done.status_code == 200 and done.json()["state"] == "withdrawn"
    again = client.post(url, {"reason": "again"}, content_type="application/json")
    assert again.status_code == 409
