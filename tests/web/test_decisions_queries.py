"""A body's list of proposals and decisions makes the same, pinned number of queries with
5 items in every state as with 50, under every filter and for every kind of visitor."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from collegium.decisions.models import (
    Comment,
    Decision,
    Proposal,
    ProposalVersion,
    RollCallVote,
)
from collegium.web.views.decisions import FILTERS

pytestmark = pytest.mark.django_db

NOW = timezone.now()

# Queries for the whole page, by filter and visitor. The anonymous visitor: the body, its
# ancestors, and for each list shown its count and one page (proposals with their version
# and comment counts in the same query; decisions with their proposal and the decision they
# overturn joined). A signed-in visitor adds eight: the session, the user, the member (the
# view's, and again the header's), whether they hold a seat on the body's board, the
# unread notices, and the workplace and enterprise for the header's links.
ANONYMOUS = {"": 7, "proposals": 5, "decisions": 4}
SIGNED_IN = {"": 15, "proposals": 13, "decisions": 12}
EXPECTED: dict[str, dict[str, int]] = {
    who: {
        value: table["proposals" if value.startswith("p-") else "decisions" if value else ""]
        for value in ["", *(v for v, _, _ in FILTERS)]
    }
    for who, table in [("anonymous", ANONYMOUS), ("member", SIGNED_IN), ("board", SIGNED_IN)]
}


def grow(f: Any, n: int, start: int) -> None:
    """Add ``n`` proposals in every proposal state and ``n`` decisions in every decision
    state to the enterprise, with versions, comments and roll-call votes; overturned
    decisions get the referendum that overturned them."""
    body = f.enterprise
    authors = [f.worker, f.board_member]
    when = NOW - dt.timedelta(days=30)

    def stamp(i: int) -> dt.datetime:
        return when + dt.timedelta(minutes=start + i)

    proposals = [
        Proposal(
            body=body,
            author=authors[i % 2],
            title=f"Proposal {state} {start + i}",
            state=state,
            created_at=stamp(i),
        )
        for state in Proposal.State.values
        for i in range(n)
    ]
    for_decisions = [
        Proposal(
            body=body,
            author=authors[i % 2],
            title=f"Decided {state} {start + i}",
            state=Proposal.State.VOTING if state == "voting" else Proposal.State.DECIDED,
            created_at=stamp(i),
        )
        for state in Decision.State.values
        for i in range(n)
    ]
    Proposal.objects.bulk_create(proposals + for_decisions)
    versions = ProposalVersion.objects.bulk_create(
        ProposalVersion(proposal=p, number=1, text="Text.", author=p.author, created_at=stamp(0))
        for p in proposals + for_decisions
    )
    Comment.objects.bulk_create(
        Comment(proposal=p, author=f.worker, text="Agreed.", created_at=stamp(1))
        for p in proposals
        for _ in range(2)
    )
    decisions = Decision.objects.bulk_create(
        Decision(
            body=body,
            proposal=p,
            version=v,
            title=p.title,
            kind=Decision.Kind.ROLL_CALL,
            state=p.title.split()[1],
            electorate_size=1,
            opened_at=stamp(i),
            closes_at=NOW + dt.timedelta(days=1) if p.state == "voting" else stamp(i + 60),
            decided_at=None if p.state == "voting" else stamp(i + 60),
            review_until=NOW + dt.timedelta(days=5),
        )
        for i, (p, v) in enumerate(zip(for_decisions, versions[len(proposals) :], strict=True))
    )
    RollCallVote.objects.bulk_create(
        RollCallVote(decision=d, member=f.board_member, vote="yes", cast_at=d.opened_at)
        for d in decisions
    )
    Decision.objects.bulk_create(
        Decision(
            body=body,
            title=f"Overturn the board's decision: {d.title}",
            kind=Decision.Kind.REFERENDUM,
            state=Decision.State.FINAL,
            quorum="0",
            electorate_size=4,
            opened_at=d.opened_at + dt.timedelta(seconds=1),
            closes_at=d.opened_at + dt.timedelta(days=1),
            decided_at=d.opened_at + dt.timedelta(days=1),
            overturns=d,
        )
        for d in decisions
        if d.state == Decision.State.OVERTURNED
    )


def page(client: Client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def listed(html: str) -> int:
    return html.count('href="/proposals/') + html.count('<li class="decision-item')


@pytest.mark.parametrize("who", ["anonymous", "member", "board"])
@pytest.mark.parametrize("chosen", ["", *(v for v, _, _ in FILTERS)])
def test_list_page_queries_are_pinned(
    small_federation: Any, django_assert_num_queries: Any, who: str, chosen: str
) -> None:
    f = small_federation
    client = Client()
    if who != "anonymous":
        client.force_login((f.worker if who == "member" else f.board_member).user)
    url = f"/bodies/{f.enterprise.code}/decisions/" + (f"?state={chosen}" if chosen else "")
    client.get(url)  # the session's first touch is not the page's

    grow(f, 5, 0)
    few, html = page(client, url)
    shown_few = listed(html)
    assert shown_few >= 5, html

    grow(f, 45, 5)
    many, html = page(client, url)
    assert listed(html) > shown_few
    assert many == few, f"{few} queries with 5 items in each state, {many} with 50"
    with django_assert_num_queries(EXPECTED[who][chosen]):
        client.get(url)


@pytest.mark.parametrize("param", ["page", "dpage"])
def test_deep_pages_make_the_same_queries(
    small_federation: Any, django_assert_num_queries: Any, param: str
) -> None:
    f = small_federation
    grow(f, 60, 0)
    url = f"/bodies/{f.enterprise.code}/decisions/"
    Client().get(url)
    with django_assert_num_queries(ANONYMOUS[""]):
        response = Client().get(f"{url}?{param}=6")
    assert response.status_code == 200
    assert "Page 6 of" in response.content.decode()
