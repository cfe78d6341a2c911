"""Pages for initiatives, board meetings, contracts, alternatives and a member's waiting list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from collegium.decisions.alternatives import alternatives_open
from collegium.decisions.initiatives import initiative_start
from collegium.decisions.models import Contract, Decision, Initiative, Meeting
from collegium.decisions.services import proposal_submit, roll_call_open

pytestmark = pytest.mark.django_db


def _when(days: int) -> str:
    return (timezone.localtime() + dt.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def test_start_and_sign_an_initiative(client, small_federation):
    f = small_federation
    from collegium.federation.models import Charter

    Charter.objects.create(body=f.enterprise, initiative_threshold_pct=60)
    client.force_login(f.worker.user)
    page = client.get("/bodies/sormovo/initiatives/")
    assert page.status_code == 200 and b"Start an initiative" in page.content
    bad = client.post("/bodies/sormovo/initiatives/", {"title": "", "text": "x"})
    assert bad.status_code == 400 and b"needs a title" in bad.content
    response = client.post(
        "/bodies/sormovo/initiatives/", {"title": "Fans in the forge", "text": "Fit fans."}
    )
    initiative = Initiative.objects.get()
    assert response.url == f"/initiatives/{initiative.public_id}/"
    again = client.post(f"/initiatives/{initiative.public_id}/sign/")
    assert again.status_code == 400 and b"already signed" in again.content
    client.force_login(f.outsider.user)
    assert client.post(f"/initiatives/{initiative.public_id}/sign/").status_code == 403
    client.force_login(f.board_member.user)
    client.post(f"/initiatives/{initiative.public_id}/sign/")
    initiative.refresh_from_db()
    assert initiative.state == Initiative.State.ON_AGENDA
    page = client.get(f"/initiatives/{initiative.public_id}/")
    assert (
        b"must decide it by" in page.content and b"Its way through the federation" in page.content
    )


def test_call_a_meeting_close_it_and_download_minutes(client, small_federation):
    f = small_federation
    proposal_submit(user=f.worker.user, body=f.enterprise, title="A crane", text="Buy one.")
    client.force_login(f.worker.user)
    page = client.get("/bodies/sormovo/meetings/")
    assert b"A crane" in page.content and b"Call a meeting" not in page.content
    assert client.post("/bodies/sormovo/meetings/", {"starts_at": _when(1)}).status_code == 403
    client.force_login(f.board_member.user)
    response = client.post(
        "/bodies/sormovo/meetings/",
        {"starts_at": _when(-1), "place": "Club", "extra": "Any other business"},
    )
    assert response.status_code == 400 and b"future" in response.content
    response = client.post(
        "/bodies/sormovo/meetings/",
        {"starts_at": _when(1), "place": "Club", "extra": "Any other business"},
    )
    meeting = Meeting.objects.get()
    assert response.url == f"/meetings/{meeting.public_id}/"
    page = client.get(response.url)
    assert b"A crane" in page.content and b"Any other business" in page.content
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - dt.timedelta(hours=1))
    bad = client.post(f"/meetings/{meeting.public_id}/close/", {"present": [f.worker.public_id]})
    assert bad.status_code == 400 and b"hold no seat" in bad.content
    client.post(
        f"/meetings/{meeting.public_id}/close/",
        {"present": [f.board_member.public_id], "notes": "Agreed to buy."},
    )
    assert Meeting.objects.get().state == Meeting.State.HELD
    pdf = client.get(f"/meetings/{meeting.public_id}/minutes.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_register_a_contract(client, small_federation):
    f = small_federation
    client.force_login(f.board_member.user)
    values = {
        "title": "Sleepers",
        "counterparty": "Baltic Timber",
        "kind": "supply",
        "terms": "4,000 a quarter.",
        "value": "1200000",
        "currency": "RUB",
        "closes_at": _when(7),
    }
    none = client.post("/bodies/sormovo/contracts/", values)
    assert none.status_code == 400 and b"at least one affected body" in none.content
    unknown = client.post("/bodies/sormovo/contracts/", {**values, "affected": ["putilov"]})
    assert unknown.status_code == 400 and Contract.objects.count() == 0
    response = client.post(
        "/bodies/sormovo/contracts/", {**values, "affected": ["sormovo", "metal"]}
    )
    contract = Contract.objects.get()
    page = client.get(response.url)
    assert page.status_code == 200 and b"Metalworkers" in page.content
    assert Decision.objects.filter(subject_id=contract.public_id).count() == 2
    decision = Decision.objects.get(subject_id=contract.public_id, body=f.enterprise)
    assert b"the contract" in client.get(f"/decisions/{decision.public_id}/").content


def test_rank_alternatives_and_publish_the_ballots(client, small_federation):
    f = small_federation
    client.force_login(f.board_member.user)
    response = client.post(
        "/bodies/sormovo/alternatives/",
        {"title": "Canteen?", "options": "Canteen\nVouchers\nLonger break", "closes_at": _when(2)},
    )
    decision = Decision.objects.get(kind=Decision.Kind.ALTERNATIVES)
    assert response.url == f"/decisions/{decision.public_id}/"
    client.force_login(f.worker.user)
    page = client.get(response.url)
    assert b'name="rank-2"' in page.content
    clash = client.post(f"/decisions/{decision.public_id}/cast/", {"rank-0": "1", "rank-1": "1"})
    assert clash.status_code == 400 and b"Two alternatives have rank 1" in clash.content
    cast = client.post(f"/decisions/{decision.public_id}/cast/", {"rank-1": "1", "rank-2": "2"})
    assert cast.status_code == 200 and b"tracker" in cast.content.lower()
    assert client.get(f"/decisions/{decision.public_id}/ballots.csv").status_code == 404
    from collegium.decisions.services import decision_close

    decision_close(decision=decision, now=decision.closes_at)
    page = client.get(f"/decisions/{decision.public_id}/")
    assert b"Outcome: Vouchers" in page.content
    ballots = client.get(f"/decisions/{decision.public_id}/ballots.csv")
    assert ballots.content.decode() == "ranking\nVouchers > Longer break\n"
    trackers = client.get(f"/decisions/{decision.public_id}/trackers.txt").content.decode()
    assert len(trackers.split()) == 1


def test_waiting_lists_votes_and_initiatives(client, small_federation):
    f = small_federation
    now = timezone.now()
    proposal = proposal_submit(user=f.worker.user, body=f.enterprise, title="A crane", text="x")
    roll_call_open(
        user=f.board_member.user, proposal=proposal, closes_at=now + dt.timedelta(hours=5)
    )
    alternatives_open(
        user=f.board_member.user,
        body=f.enterprise,
        title="Canteen?",
        text="",
        options=["a", "b"],
        closes_at=now + dt.timedelta(days=5),
    )
    from collegium.federation.models import Charter

    Charter.objects.create(body=f.enterprise, initiative_threshold_pct=100)
    initiative_start(user=f.worker.user, body=f.enterprise, title="Fans", text="x")
    client.force_login(f.board_member.user)
    page = client.get("/waiting/").content.decode()
    assert "Due within two days" in page and "A crane" in page
    assert "Canteen?" in page and "Fans" in page
    client.force_login(f.worker.user)
    page = client.get("/waiting/").content.decode()
    assert "A crane" not in page and "Canteen?" in page and "Fans" not in page  # signed it
    client.logout()
    assert client.get("/waiting/").status_code == 302
