"""Decision pages: a body's proposals and decisions, a proposal with its versions, diff,
discussion and amendments, board roll calls (public, with names), secret referendums
and the members' petition to overturn a board decision."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from collegium.decisions.models import (
    Amendment,
    Comment,
    Decision,
    Proposal,
    ReferendumBallot,
    ReviewSignature,
    RollCallVote,
)
from collegium.decisions.services import (
    amendment_accept,
    amendment_propose,
    comment_add,
    decision_close,
    proposal_revise,
    proposal_submit,
    referendum_cast,
    review_sign,
    roll_call_open,
    roll_call_vote,
)
from tests.conftest import make_member

pytestmark = pytest.mark.django_db

NOW = timezone.now()
PAST = NOW - dt.timedelta(days=5)
TEXT = "The forge works two shifts.\n\nThe night shift ends."


def _client(member: Any) -> Client:
    c = Client()
    c.force_login(member.user)
    return c


def _propose(
    f: Any,
    *,
    route: str = "board",
    text: str = TEXT,
    title: str = "End the night shift",
    now: dt.datetime = NOW,
) -> Proposal:
    return proposal_submit(
        user=f.worker.user,
        body=f.enterprise,
        title=title,
        text=text,
        rationale="Health of the forge workers",
        route=route,
        now=now,
    )


def _adopted_board_decision(f: Any) -> Decision:
    """A board decision adopted a day ago and now in its review window."""
    proposal = _propose(f, now=PAST)
    decision = roll_call_open(
        user=f.board_member.user,
        proposal=proposal,
        closes_at=NOW - dt.timedelta(days=1),
        now=PAST,
    )
    roll_call_vote(user=f.board_member.user, decision=decision, vote="yes", now=PAST)
    return decision_close(decision=decision, now=NOW - dt.timedelta(hours=20))


# ------------------------------------------------------------------ the body's list


@pytest.mark.parametrize(
    ("who", "form"),
    [
        (None, False),
        ("worker", True),
        ("outsider", False),
        ("board_member", True),
        ("operator", False),
    ],
)
def test_body_decisions_page_for_each_visitor(
    client_for: Any, small_federation: Any, who: str | None, form: bool
) -> None:
    _propose(small_federation)
    page = client_for(who).get("/bodies/sormovo/decisions/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "End the night shift" in html
    assert ("New proposal" in html) is form
    # Rank-and-file names are for members of the body only.
    assert ("Petrova" in html) is (who in ("worker", "board_member"))


def test_submit_a_proposal_and_errors_on_the_form(small_federation: Any) -> None:
    f = small_federation
    worker = _client(f.worker)
    data = {
        "title": "A canteen",
        "text": "Open a canteen.",
        "rationale": "Hot meals",
        "cost": "12000.50",
        "scope": "Forge shop",
        "route": "members",
    }
    response = worker.post("/bodies/sormovo/decisions/", data)
    assert response.status_code == 302
    proposal = Proposal.objects.get(title="A canteen")
    assert response["Location"] == f"/proposals/{proposal.public_id}/"
    assert str(proposal.cost) == "12000.50" and proposal.route == "members"
    bad = worker.post("/bodies/sormovo/decisions/", {**data, "title": " ", "cost": "-3"})
    assert bad.status_code == 400
    assert b"needs a title" in bad.content and b"cost cannot be negative" in bad.content
    assert b"Open a canteen." in bad.content  # what was typed stays in the form
    assert worker.post("/bodies/sormovo/decisions/", {**data, "cost": "lots"}).status_code == 400
    refused = _client(f.outsider).post("/bodies/sormovo/decisions/", data)
    assert refused.status_code == 403
    assert b"nly members of Sormovo Works" in refused.content
    operator = Client()
    operator.force_login(f.operator)
    assert operator.post("/bodies/sormovo/decisions/", data).status_code == 403
    assert Proposal.objects.count() == 1
    assert Client().get("/bodies/nowhere/decisions/").status_code == 404


def test_list_is_filtered_and_overturned_decisions_stay_listed(small_federation: Any) -> None:
    f = small_federation
    decision = _adopted_board_decision(f)
    referendum = review_sign(user=f.worker.user, decision=decision)
    assert referendum is not None
    for m in (f.worker, f.congress_board_member):
        referendum_cast(user=m.user, decision=referendum, choice="yes")
    decision_close(decision=referendum, now=referendum.closes_at)
    decision.refresh_from_db()
    assert decision.state == Decision.State.OVERTURNED
    _propose(f, title="Another question")
    html = Client().get("/bodies/sormovo/decisions/").content.decode()
    assert "End the night shift" in html and "Overturned by the members" in html
    assert "is-overturned" in html
    only = Client().get("/bodies/sormovo/decisions/?state=d-overturned").content.decode()
    assert "Overturned by the members" in only and "Another question" not in only
    assert 'id="proposals-h"' not in only
    proposals = Client().get("/bodies/sormovo/decisions/?state=p-deliberation").content.decode()
    assert "Another question" in proposals and 'id="decisions-h"' not in proposals


def test_list_query_count_does_not_grow(
    small_federation: Any, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    f = small_federation
    client = client_for("worker")

    def add(n: int) -> None:
        for i in range(n):
            p = _propose(f, title=f"Question {i}")
            comment_add(user=f.worker.user, proposal=p, text="Yes")
            roll_call_open(
                user=f.board_member.user, proposal=p, closes_at=NOW + dt.timedelta(days=3)
            )

    add(2)
    with django_assert_max_num_queries(20) as few:
        assert client.get("/bodies/sormovo/decisions/").status_code == 200
    add(40)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get("/bodies/sormovo/decisions/")
    assert page.content.decode().count('href="/decisions/') == 42


# ---------------------------------------------------------------------- a proposal


def test_proposal_page_renders_markdown_harmlessly(client_for: Any, small_federation: Any) -> None:
    proposal = _propose(
        small_federation,
        text="## Plan\n\n<script>alert(1)</script>\n\n[click](javascript:alert(1)) "
        '<img src=x onerror="alert(1)"> **bold** [ok](https://example.org)',
    )
    for who in (None, "worker", "outsider", "board_member", "operator"):
        page = client_for(who).get(f"/proposals/{proposal.public_id}/")
        assert page.status_code == 200, who
        html = page.content.decode()
        assert "<script>alert" not in html and 'href="javascript:' not in html
        assert 'onerror="' not in html and "<strong>bold</strong>" in html
        assert 'href="https://example.org"' in html
        # No inline script at all on the page (the CSP would block it).
        for attributes in re.findall(r"<script\b([^>]*)>", html):
            assert "src=" in attributes
        assert " style=" not in html
    assert Client().get("/proposals/nothing/").status_code == 404


def test_discussion_amendments_versions_and_diff(small_federation: Any) -> None:
    f = small_federation
    proposal = _propose(f)
    url = f"/proposals/{proposal.public_id}/"
    board, worker = _client(f.board_member), _client(f.worker)
    assert board.post(url + "comment/", {"text": "Agreed."}).status_code == 302
    first = Comment.objects.get()
    assert worker.post(url + "comment/", {"text": "Thanks", "parent": first.pk}).status_code == 302
    assert board.post(url + "comment/", {"text": "  "}).status_code == 400
    refused = _client(f.outsider).post(url + "comment/", {"text": "Hello"})
    assert refused.status_code == 403 and b"take part in its discussion" in refused.content
    assert Comment.objects.count() == 2
    html = worker.get(url).content.decode()
    assert 'class="comment cdepth-1"' in html  # the reply is indented under its comment
    # Amendments: a bad quote is explained on the form; a good one is accepted.
    bad = board.post(url + "amend/", {"original": "three shifts", "replacement": "x"})
    assert bad.status_code == 400 and b"exactly as it stands" in bad.content
    assert (
        board.post(
            url + "amend/",
            {"original": "two shifts", "replacement": "two day shifts", "reason": "Clearer"},
        ).status_code
        == 302
    )
    amendment = Amendment.objects.get()
    html = worker.get(url).content.decode()
    assert "Accept: make a new version" in html and "two day shifts" in html
    assert "Accept: make a new version" not in board.get(url).content.decode()
    not_author = board.post(url + "amendment/accept/", {"amendment": amendment.public_id})
    assert not_author.status_code == 403
    assert (
        worker.post(url + "amendment/accept/", {"amendment": amendment.public_id}).status_code
        == 302
    )
    again = worker.post(url + "amendment/accept/", {"amendment": amendment.public_id})
    assert again.status_code == 400 and b"already accepted" in again.content
    # The author revises: version 3.
    assert (
        worker.post(
            url + "revise/", {"text": "The forge works two day shifts.\n\nMore.", "rationale": "r"}
        ).status_code
        == 302
    )
    assert proposal.versions.count() == 3
    same = worker.post(
        url + "revise/", {"text": "The forge works two day shifts.\n\nMore.", "rationale": "r"}
    )
    assert same.status_code == 400 and b"same as the last one" in same.content
    assert board.post(url + "revise/", {"text": "x"}).status_code == 403
    # The diff between any two versions.
    diff = Client().get(url + "diff/?from=1&to=3")
    assert diff.status_code == 200
    html = diff.content.decode()
    assert '<div class="line del">' in html and '<div class="line add">' in html
    assert "-The forge works two shifts." in html and "+The forge works two day shifts." in html
    assert "+More." in html
    assert " style=" not in html
    # Out-of-range or malformed numbers fall back to the last two versions.
    assert Client().get(url + "diff/?from=x&to=99").status_code == 200


def test_board_opens_roll_call_and_the_vote_is_public_with_names(
    client_for: Any, small_federation: Any
) -> None:
    f = small_federation
    proposal = _propose(f)
    url = f"/proposals/{proposal.public_id}/"
    closes = (timezone.localtime() + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    assert "Open the roll call" not in client_for("worker").get(url).content.decode()
    assert client_for("worker").post(url + "roll-call/", {"closes_at": closes}).status_code == 403
    board = client_for("board_member")
    assert "Open the roll call" in board.get(url).content.decode()
    past = board.post(url + "roll-call/", {"closes_at": "2000-01-01T10:00"})
    assert past.status_code == 400 and b"close in the future" in past.content
    assert board.post(url + "roll-call/", {"closes_at": "soon"}).status_code == 400
    response = board.post(url + "roll-call/", {"closes_at": closes})
    decision = Decision.objects.get()
    assert (
        response.status_code == 302 and response["Location"] == f"/decisions/{decision.public_id}/"
    )
    durl = f"/decisions/{decision.public_id}/"
    for who in (None, "worker", "outsider", "board_member", "operator"):
        assert client_for(who).get(durl).status_code == 200, who
    assert client_for("worker").post(durl + "vote/", {"vote": "yes"}).status_code == 403
    assert board.post(durl + "vote/", {"vote": "maybe"}).status_code == 400
    assert board.post(durl + "vote/", {"vote": "yes"}).status_code == 302
    again = board.post(durl + "vote/", {"vote": "no"})
    assert again.status_code == 400 and b"already recorded" in again.content
    assert RollCallVote.objects.get().vote == "yes"
    # The roll call is public: names and votes, for anyone.
    html = Client().get(durl).content.decode()
    assert "Sokolov, Ivan" in html or "Ivan Sokolov" in html
    assert "vote-yes" in html
    # After the close: the outcome with its reason; in review with the petition.
    decision_close(decision=decision, now=decision.closes_at)
    html = client_for("worker").get(durl).content.decode()
    assert "Outcome of the roll call: adopted" in html and "reached: 1 yes against 0 no" in html
    assert "Becomes final" in html and "Sign the petition to overturn" in html
    assert "0</strong> of 1 signatures" in html


def test_petition_and_overturn_referendum(client_for: Any, small_federation: Any) -> None:
    f = small_federation
    # Twenty members: 5 % of them is one signature; make it need two with 21.
    for i in range(18):
        make_member(f"80{i:02d}", "M", f"Member{i}", f.shop)
    decision = _adopted_board_decision(f)
    durl = f"/decisions/{decision.public_id}/"
    html = client_for("worker").get(durl).content.decode()
    assert "2 signatures" in html  # ceil(5 % of 21)
    assert client_for("outsider").post(durl + "sign/").status_code == 403
    assert client_for("worker").post(durl + "sign/").status_code == 302
    again = client_for("worker").post(durl + "sign/")
    assert again.status_code == 400 and b"already signed" in again.content
    assert "You have signed this petition" in client_for("worker").get(durl).content.decode()
    response = client_for("congress_board_member").post(durl + "sign/")
    referendum = Decision.objects.get(overturns=decision)
    assert response["Location"] == f"/decisions/{referendum.public_id}/"
    assert ReviewSignature.objects.count() == 2
    html = Client().get(durl).content.decode()
    assert "the referendum on overturning it" in html


def test_referendum_ballot_is_secret(client_for: Any, small_federation: Any) -> None:
    f = small_federation
    proposal = _propose(f, route="members")
    url = f"/proposals/{proposal.public_id}/"
    closes = (timezone.localtime() + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    board = client_for("board_member")
    assert "Open the referendum" in board.get(url).content.decode()
    wrong = board.post(url + "roll-call/", {"closes_at": closes})
    assert wrong.status_code == 400 and b"reserved to the members" in wrong.content
    assert board.post(url + "referendum/", {"closes_at": closes}).status_code == 302
    decision = Decision.objects.get()
    durl = f"/decisions/{decision.public_id}/"
    page = client_for("worker").get(durl).content.decode()
    assert "Cast my secret ballot" in page and "What the secret ballot protects" in page
    assert "operator" in page
    cast = client_for("worker").post(durl + "cast/", {"choice": "no"})
    assert cast.status_code == 200 and cast["Cache-Control"] == "no-store"
    tracker = re.search(r'class="tracker"><code>([^<]+)</code>', cast.content.decode())
    assert tracker is not None
    assert ">No<" not in cast.content.decode()  # the choice is not repeated
    again = client_for("worker").post(durl + "cast/", {"choice": "yes"})
    assert again.status_code == 400 and b"already voted" in again.content
    assert client_for("outsider").post(durl + "cast/", {"choice": "yes"}).status_code == 403
    client_for("board_member").post(durl + "cast/", {"choice": "yes"})
    client_for("congress_board_member").post(durl + "cast/", {"choice": "yes"})
    assert ReferendumBallot.objects.count() == 3
    # Nobody's page shows who voted what; the tracker is shown once only.
    for who in (None, "worker", "board_member", "operator"):
        html = client_for(who).get(durl).content.decode()
        assert tracker.group(1) not in html
        assert "vote-no" not in html and "vote-yes" not in html
    decision_close(decision=decision, now=decision.closes_at)
    html = client_for("worker").get(durl).content.decode()
    assert "Outcome: adopted" in html and "vote-yes" not in html
    checked = client_for("worker").get(durl + f"?tracker={tracker.group(1)}").content.decode()
    assert "is among the ballots received" in checked
    wrong_code = client_for("worker").get(durl + "?tracker=nope").content.decode()
    assert "is not among the ballots" in wrong_code


def test_count_after_close_from_the_page(client_for: Any, small_federation: Any) -> None:
    f = small_federation
    proposal = _propose(f, now=PAST)
    decision = roll_call_open(
        user=f.board_member.user,
        proposal=proposal,
        closes_at=NOW - dt.timedelta(minutes=1),
        now=PAST,
    )
    durl = f"/decisions/{decision.public_id}/"
    assert "Count the votes" in client_for("worker").get(durl).content.decode()
    assert client_for(None).post(durl + "close/").status_code == 403
    assert client_for("worker").post(durl + "close/").status_code == 302
    decision.refresh_from_db()
    assert decision.state == Decision.State.REJECTED  # nobody voted: no quorum
    again = client_for("worker").post(durl + "close/")
    assert again.status_code == 400 and b"already rejected" in again.content
    assert Proposal.objects.get().state == Proposal.State.DELIBERATION
    html = client_for("worker").get(durl).content.decode()
    assert "quorum not reached" in html.lower()


def test_record_links_and_amendment_text_is_escaped(small_federation: Any) -> None:
    f = small_federation
    proposal = _propose(f)
    amendment_propose(
        user=f.board_member.user, proposal=proposal, original="two shifts", replacement="<b>x</b>"
    )
    html = _client(f.worker).get(f"/proposals/{proposal.public_id}/").content.decode()
    assert "&lt;b&gt;x&lt;/b&gt;" in html
    assert 'href="/record/' in html and "proposal.submitted" in html
    amendment_accept(user=f.worker.user, amendment=Amendment.objects.get())
    proposal_revise(user=f.worker.user, proposal=proposal, text="New", rationale="")
    assert proposal.versions.count() == 3


def test_the_author_withdraws_a_proposal_from_its_page(client, small_federation):
    from collegium.decisions.models import Proposal
    from collegium.decisions.services import proposal_submit

    f = small_federation
    proposal = proposal_submit(user=f.worker.user, body=f.enterprise, title="A crane", text="x")
    client.force_login(f.board_member.user)
    assert (
        client.post(f"/proposals/{proposal.public_id}/withdraw/", {"reason": "no"}).status_code
        == 403
    )
    client.force_login(f.worker.user)
    page = client.get(f"/proposals/{proposal.public_id}/").content.decode()
    assert "Withdraw the proposal" in page
    empty = client.post(f"/proposals/{proposal.public_id}/withdraw/", {"reason": " "})
    assert empty.status_code == 400 and "Say why" in empty.content.decode()
    done = client.post(f"/proposals/{proposal.public_id}/withdraw/", {"reason": "Done elsewhere."})
    assert done.status_code == 302
    assert Proposal.objects.get(pk=proposal.pk).state == Proposal.State.WITHDRAWN
