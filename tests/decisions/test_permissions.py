"""Who may do what in decisions: every service a person can call × every kind of person.

The rules are the two tables below, written out so they can be read and argued about.
Each cell calls the service (and, in the second half, the page's POST endpoint) as that
person and checks the outcome: an allowed call succeeds and writes its record entry under
the caller's id; a denied call raises ``PermissionDenied`` (for the anonymous visitor and
the operator, who is no member, the same refusal: "only members take part in decisions"),
writes no record entry and changes nothing at all.

The federation is built once for the module, inside a transaction that is rolled back at
its end; every cell runs in a savepoint of its own, so an allowed call never leaks into
the next cell.
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.utils import timezone

from collegium.decisions import alternatives, contracts, initiatives, meetings, services
from collegium.decisions.models import (
    Amendment,
    Decision,
    Initiative,
    Meeting,
    Proposal,
)
from collegium.federation.permissions import PermissionDenied
from collegium.record.models import Entry
from tests.conftest import make_body, make_member

pytestmark = pytest.mark.django_db

NOW = timezone.now()
CLOSE = NOW + dt.timedelta(days=3)
TEXT = "The forge works two shifts.\n\nThe night shift ends."

# author:    a rank-and-file member of the body who wrote the proposal acted on (the
#            initiative acted on is another member's)
# member:    a rank-and-file member of the body
# other:     a member of a sibling shop under the same enterprise (not of the body)
# board:     holds a board seat on the body (and works in it)
# delegate:  holds the body's delegate seat to its parent (and works in it), no board seat
# operator:  User.is_operator, no member
# anonymous: not signed in
ROLES = ("author", "member", "other", "board", "delegate", "operator", "anonymous")

# action → the roles allowed to do it through the service.
ALLOWED: dict[str, set[str]] = {
    "proposal_submit": {"author", "member", "board", "delegate"},
    "proposal_revise": {"author"},
    "proposal_withdraw": {"author"},
    "comment_add": {"author", "member", "board", "delegate"},
    "amendment_propose": {"author", "member", "board", "delegate"},
    "amendment_accept": {"author"},
    "amendment_decline": {"author"},
    "roll_call_open": {"board"},
    "referendum_open": {"board"},
    "roll_call_vote": {"board"},
    "referendum_cast": {"author", "member", "board", "delegate"},
    "review_sign": {"author", "member", "board", "delegate"},
    "initiative_start": {"author", "member", "board", "delegate"},
    "initiative_sign": {"author", "member", "board", "delegate"},
    "meeting_call": {"board"},
    "meeting_close": {"board"},
    "contract_register": {"board"},
    "alternatives_open": {"board"},
    "alternatives_cast": {"author", "member", "board", "delegate"},
}

# Services no person calls: they take no ``user``. Counting a vote after its closing time
# is the system's (the sweep) and anyone's: the service asks nobody's permission.
SYSTEM_SERVICES: dict[str, str] = {
    "decision_close": "counts a vote after its closing time: the sweep, or anyone",
    "decisions_sweep": "the minute sweep: counts votes, makes reviewed decisions final",
    "referendum_call": "opened by the system when a members' petition reaches its share",
}

# The record entry each allowed call writes.
KIND: dict[str, str] = {
    "proposal_submit": "proposal.submitted",
    "proposal_revise": "proposal.revised",
    "proposal_withdraw": "proposal.withdrawn",
    "comment_add": "proposal.commented",
    "amendment_propose": "amendment.proposed",
    "amendment_accept": "amendment.accepted",
    "amendment_decline": "amendment.declined",
    "roll_call_open": "decision.roll_call_opened",
    "referendum_open": "decision.referendum_opened",
    "roll_call_vote": "decision.roll_call_vote",
    "referendum_cast": "decision.referendum_voted",
    "review_sign": "decision.review_signed",
    "initiative_start": "initiative.started",
    "initiative_sign": "initiative.signed",
    "meeting_call": "meeting.called",
    "meeting_close": "meeting.held",
    "contract_register": "contract.registered",
    "alternatives_open": "decision.alternatives_opened",
    "alternatives_cast": "decision.referendum_voted",
}
SERVICE_MODULES = (services, initiatives, meetings, contracts, alternatives)

# Cells where the service does not yet do what the table says: (action, role) → why.
KNOWN_GAPS: dict[tuple[str, str], str] = {}


# ------------------------------------------------------------------------ the world


@dataclass(frozen=True)
class World:
    """Primary keys of everything the cells act on (fetched fresh in every cell)."""

    users: dict[str, int | None]
    body: int
    sibling: int  # the sibling shop
    proposal: int  # board route, under discussion, with one open amendment
    amendment: int
    to_roll_call: int  # board route, under discussion, no open amendment
    to_referendum: int  # members route, under discussion
    roll_call: int  # board roll call, voting
    referendum: int  # referendum of the members, voting
    in_review: int  # adopted board decision in its review window
    past_close: int  # board roll call whose voting time is over, not yet counted
    initiative: int  # started by another member of the body, collecting signatures
    meeting: int  # called by the board, started an hour ago
    alternatives: int  # members ranking three alternatives, voting


def _build() -> World:
    from collegium.elections.models import Seat, SeatRole
    from collegium.elections.services import board_seat_founding
    from collegium.record.services import SYSTEM

    congress = make_body("congress", "Congress of Producers", "congress", None)
    union = make_body("metal", "Metalworkers' Union", "industrial_union", congress)
    works = make_body("sormovo", "Sormovo Works", "enterprise", union)
    forge = make_body("sormovo-forge", "Forge shop", "shop", works)
    assembly = make_body("sormovo-assembly", "Assembly shop", "shop", works)
    author = make_member("1001", "Anna", "Petrova", forge)
    member = make_member("1002", "Boris", "Lebedev", forge)
    board = make_member("1003", "Ivan", "Sokolov", forge)
    delegate = make_member("1004", "Daria", "Volkova", forge)
    other = make_member("2001", "Pavel", "Kuznetsov", assembly)
    # The rest of the shop, so one more signature does not complete a petition.
    rest = [make_member(f"11{i:02d}", "Worker", f"N{i}", forge, password=None) for i in range(40)]
    operator = get_user_model().objects.create_user(
        username="operator", password="pw", is_operator=True
    )
    today = dt.date.today()
    term = (today - dt.timedelta(days=30), today + dt.timedelta(days=700))
    board_seat_founding(
        user=None, actor=SYSTEM, body=forge, members=[board], term_start=term[0], term_end=term[1]
    )
    Seat.objects.create(
        body=forge,
        holder=delegate,
        role=SeatRole.DELEGATE,
        term_start=term[0],
        term_end=term[1],
        basis="election",
    )

    def propose(title: str, route: str = "board", when: dt.datetime = NOW) -> Proposal:
        return services.proposal_submit(
            user=author.user, body=forge, title=title, text=TEXT, route=route, now=when
        )

    proposal = propose("End the night shift")
    amendment = services.amendment_propose(
        user=member.user,
        proposal=proposal,
        original="two shifts",
        replacement="two day shifts",
        now=NOW,
    )
    to_roll_call = propose("A second lathe")
    to_referendum = propose("Join the housing cooperative", route="members")
    roll_call = services.roll_call_open(
        user=board.user, proposal=propose("Buy a press"), closes_at=CLOSE, now=NOW
    )
    referendum = services.referendum_open(
        user=board.user,
        proposal=propose("A shorter week", route="members"),
        closes_at=CLOSE,
        now=NOW,
    )
    long_ago = NOW - dt.timedelta(days=2)
    adopted = services.roll_call_open(
        user=board.user,
        proposal=propose("Paint the hall", when=long_ago),
        closes_at=NOW - dt.timedelta(hours=2),
        now=long_ago,
    )
    services.roll_call_vote(user=board.user, decision=adopted, vote="yes", now=long_ago)
    in_review = services.decision_close(decision=adopted, now=NOW - dt.timedelta(hours=1))
    assert in_review.state == Decision.State.REVIEW
    past_close = services.roll_call_open(
        user=board.user,
        proposal=propose("New gloves", when=long_ago),
        closes_at=NOW - dt.timedelta(hours=1),
        now=long_ago,
    )
    services.roll_call_vote(user=board.user, decision=past_close, vote="yes", now=long_ago)
    initiative = initiatives.initiative_start(
        user=rest[0].user, body=forge, title="Showers by the forge", text="Build them.", now=NOW
    )
    assert initiative.state == Initiative.State.COLLECTING
    meeting = meetings.meeting_call(
        user=board.user, body=forge, starts_at=NOW - dt.timedelta(hours=1), now=long_ago
    )
    ranked = alternatives.alternatives_open(
        user=board.user,
        body=forge,
        title="Which canteen menu",
        text="Rank the menus.",
        options=["Soup", "Stew", "Salad"],
        closes_at=CLOSE,
        now=NOW,
    )
    return World(
        users={
            "author": author.user_id,
            "member": member.user_id,
            "other": other.user_id,
            "board": board.user_id,
            "delegate": delegate.user_id,
            "operator": operator.pk,
            "anonymous": None,
        },
        body=forge.pk,
        sibling=assembly.pk,
        proposal=proposal.pk,
        amendment=amendment.pk,
        to_roll_call=to_roll_call.pk,
        to_referendum=to_referendum.pk,
        roll_call=roll_call.pk,
        referendum=referendum.pk,
        in_review=in_review.pk,
        past_close=past_close.pk,
        initiative=initiative.pk,
        meeting=meeting.pk,
        alternatives=ranked.pk,
    )


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    """Built once for the module in a transaction rolled back at its end; each test's
    own transaction is a savepoint inside it."""
    from django.db import transaction

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield _build()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def user_for(world: World, role: str) -> Any:
    pk = world.users[role]
    if pk is None:
        return AnonymousUser()
    return get_user_model().objects.get(pk=pk)


def snapshot() -> dict[str, Any]:
    """Every row of the decisions tables and the notices, and the record's entries."""
    state: dict[str, Any] = {}
    for label in ("decisions", "notifications"):
        for model in apps.get_app_config(label).get_models():
            state[model._meta.label] = list(model._default_manager.order_by("pk").values())
    state["record.Entry"] = list(Entry.objects.order_by("index").values_list("index", "kind"))
    return state


def cell(action: str, role: str, table: dict[str, set[str]]) -> Any:
    marks = []
    if (action, role) in KNOWN_GAPS:
        marks.append(pytest.mark.xfail(strict=True, reason=KNOWN_GAPS[(action, role)]))
    return pytest.param(action, role, role in table[action], marks=marks, id=f"{action}-{role}")


# ------------------------------------------------------------------ the service calls


def _call(action: str, world: World, user: Any) -> Any:
    """Call the service for ``action`` as ``user`` with valid input."""
    proposal = Proposal.objects.get(pk=world.proposal)
    calls: dict[str, Callable[[], Any]] = {
        "proposal_submit": lambda: services.proposal_submit(
            user=user,
            body=proposal.body,
            title="Fans in the forge",
            text="Two fans over the hammers.",
            now=NOW,
        ),
        "proposal_revise": lambda: services.proposal_revise(
            user=user, proposal=proposal, text=TEXT + "\n\nFrom May.", now=NOW
        ),
        "proposal_withdraw": lambda: services.proposal_withdraw(
            user=user, proposal=proposal, reason="Agreed with the board instead"
        ),
        "comment_add": lambda: services.comment_add(
            user=user, proposal=proposal, text="I agree.", now=NOW
        ),
        "amendment_propose": lambda: services.amendment_propose(
            user=user, proposal=proposal, original="night shift", replacement="late shift", now=NOW
        ),
        "amendment_accept": lambda: services.amendment_accept(
            user=user, amendment=Amendment.objects.get(pk=world.amendment), now=NOW
        ),
        "amendment_decline": lambda: services.amendment_decline(
            user=user, amendment=Amendment.objects.get(pk=world.amendment)
        ),
        "roll_call_open": lambda: services.roll_call_open(
            user=user,
            proposal=Proposal.objects.get(pk=world.to_roll_call),
            closes_at=CLOSE,
            now=NOW,
        ),
        "referendum_open": lambda: services.referendum_open(
            user=user,
            proposal=Proposal.objects.get(pk=world.to_referendum),
            closes_at=CLOSE,
            now=NOW,
        ),
        "roll_call_vote": lambda: services.roll_call_vote(
            user=user, decision=Decision.objects.get(pk=world.roll_call), vote="no", now=NOW
        ),
        "referendum_cast": lambda: services.referendum_cast(
            user=user, decision=Decision.objects.get(pk=world.referendum), choice="yes", now=NOW
        ),
        "review_sign": lambda: services.review_sign(
            user=user, decision=Decision.objects.get(pk=world.in_review), now=NOW
        ),
        "initiative_start": lambda: initiatives.initiative_start(
            user=user,
            body=proposal.body,
            title="A first-aid room",
            text="Next to the forge.",
            now=NOW,
        ),
        "initiative_sign": lambda: initiatives.initiative_sign(
            user=user, initiative=Initiative.objects.get(pk=world.initiative), now=NOW
        ),
        "meeting_call": lambda: meetings.meeting_call(
            user=user, body=proposal.body, starts_at=CLOSE, place="Forge office", now=NOW
        ),
        "meeting_close": lambda: meetings.meeting_close(
            user=user,
            meeting=Meeting.objects.get(pk=world.meeting),
            present=[Meeting.objects.get(pk=world.meeting).called_by],
            notes="All items discussed.",
            now=NOW,
        ),
        "contract_register": lambda: contracts.contract_register(
            user=user,
            body=proposal.body,
            counterparty="Volga Steel",
            kind="supply",
            title="Sheet steel for 2027",
            terms="400 t of sheet steel, monthly deliveries.",
            affected=[proposal.body],
            closes_at=CLOSE,
            now=NOW,
        ),
        "alternatives_open": lambda: alternatives.alternatives_open(
            user=user,
            body=proposal.body,
            title="Which holiday week",
            text="Rank the weeks.",
            options=["July", "August"],
            closes_at=CLOSE,
            now=NOW,
        ),
        "alternatives_cast": lambda: alternatives.alternatives_cast(
            user=user,
            decision=Decision.objects.get(pk=world.alternatives),
            ranking=[2, 0],
            now=NOW,
        ),
    }
    return calls[action]()


@pytest.mark.parametrize(
    ("action", "role", "allowed"),
    [cell(action, role, ALLOWED) for action in ALLOWED for role in ROLES],
)
def test_service(world: World, action: str, role: str, allowed: bool) -> None:
    user = user_for(world, role)
    before = snapshot()
    last = Entry.objects.order_by("-index").first()
    if allowed:
        _call(action, world, user)
        entries = Entry.objects.filter(index__gt=last.index if last else -1)
        mine = [e for e in entries if e.kind == KIND[action]]
        assert mine, [e.kind for e in entries]
        assert mine[0].actor_id == user.member.public_id
        assert snapshot() != before
    else:
        with pytest.raises(PermissionDenied) as refused:
            _call(action, world, user)
        if role in ("operator", "anonymous"):
            assert str(refused.value) == "only members take part in decisions"
        else:
            assert str(refused.value).startswith("only ")
        assert snapshot() == before, "a refused call changed something"


def test_every_service_a_person_calls_is_in_the_table() -> None:
    """A new service that takes a ``user`` needs its row in ``ALLOWED`` (and a call in
    ``_call``); one in ``services`` that takes none is the system's and is listed as such."""
    public = {
        name: fn
        for module in SERVICE_MODULES
        for name, fn in inspect.getmembers(module, inspect.isfunction)
        if not name.startswith("_") and fn.__module__ == module.__name__
    }
    personal = {name for name, fn in public.items() if "user" in inspect.signature(fn).parameters}
    assert personal == set(ALLOWED), (
        f"services without a row in ALLOWED: {sorted(personal - set(ALLOWED))}; "
        f"rows without a service: {sorted(set(ALLOWED) - personal)}"
    )
    system = {
        name
        for name, fn in inspect.getmembers(services, inspect.isfunction)
        if not name.startswith("_") and fn.__module__ == services.__name__
    } - personal
    assert system <= set(SYSTEM_SERVICES), sorted(system - set(SYSTEM_SERVICES))


def test_counting_a_vote_is_the_systems_and_anyones(world: World) -> None:
    """decision_close takes no user: whoever asks after the closing time gets the count,
    and the record names the system as the actor."""
    assert "user" not in inspect.signature(services.decision_close).parameters
    assert "user" not in inspect.signature(services.decisions_sweep).parameters
    decision = services.decision_close(decision=Decision.objects.get(pk=world.past_close), now=NOW)
    assert decision.state == Decision.State.REVIEW
    entry = Entry.objects.order_by("-index").first()
    assert entry is not None and entry.kind == "decision.closed" and entry.actor_id == "system"


def test_a_board_names_only_bodies_it_may_bind(world: World) -> None:
    from collegium.federation.models import Body

    board = user_for(world, "board")
    before = snapshot()
    with pytest.raises((PermissionDenied, services.DecisionError)):
        contracts.contract_register(
            user=board,
            body=Body.objects.get(pk=world.body),
            counterparty="Volga Steel",
            kind="supply",
            title="Sheet steel for the assembly shop",
            terms="400 t of sheet steel.",
            affected=[Body.objects.get(pk=world.sibling)],
            closes_at=CLOSE,
            now=NOW,
        )
    assert snapshot() == before


def test_the_sweep_counts_for_everyone(world: World) -> None:
    done = services.decisions_sweep(now=NOW)
    assert done["decisions_closed"] == 1  # past_close; the others are still voting
    assert Decision.objects.get(pk=world.past_close).state == Decision.State.REVIEW


# ------------------------------------------------------------------------ the pages

# action → the roles allowed through the page's POST endpoint. As ALLOWED, except that
# counting a vote from the decision page is offered to members of the body only (the view
# checks it before calling the service).
HTTP_ALLOWED: dict[str, set[str]] = {
    "proposal_submit": {"author", "member", "board", "delegate"},
    "proposal_revise": {"author"},
    "proposal_withdraw": {"author"},
    "comment_add": {"author", "member", "board", "delegate"},
    "amendment_propose": {"author", "member", "board", "delegate"},
    "amendment_accept": {"author"},
    "amendment_decline": {"author"},
    "roll_call_open": {"board"},
    "referendum_open": {"board"},
    "roll_call_vote": {"board"},
    "referendum_cast": {"author", "member", "board", "delegate"},
    "review_sign": {"author", "member", "board", "delegate"},
    "decision_close": {"author", "member", "board", "delegate"},
    "initiative_start": {"author", "member", "board", "delegate"},
    "initiative_sign": {"author", "member", "board", "delegate"},
    "meeting_call": {"board"},
    "meeting_close": {"board"},
    "contract_register": {"board"},
    "alternatives_open": {"board"},
    "alternatives_cast": {"author", "member", "board", "delegate"},
}
HTTP_GAPS: dict[tuple[str, str], str] = {}


def _post(action: str, world: World) -> tuple[str, dict[str, str], int]:
    """URL, form and the status of success for ``action``'s endpoint."""
    p = Proposal.objects.get(pk=world.proposal)
    later = (timezone.localtime() + dt.timedelta(days=3)).strftime("%Y-%m-%dT18:00")
    amendment = Amendment.objects.get(pk=world.amendment).public_id
    meeting = Meeting.objects.select_related("called_by").get(pk=world.meeting)

    def decision(pk: int) -> str:
        return Decision.objects.get(pk=pk).public_id

    posts: dict[str, tuple[str, dict[str, str], int]] = {
        "proposal_submit": (
            f"/bodies/{p.body.code}/decisions/",
            {"title": "Fans in the forge", "text": "Two fans.", "route": "board"},
            302,
        ),
        "proposal_revise": (
            f"/proposals/{p.public_id}/revise/",
            {"text": TEXT + "\n\nFrom May."},
            302,
        ),
        "proposal_withdraw": (
            f"/proposals/{p.public_id}/withdraw/",
            {"reason": "Settled at the shop meeting."},
            302,
        ),
        "comment_add": (f"/proposals/{p.public_id}/comment/", {"text": "I agree."}, 302),
        "amendment_propose": (
            f"/proposals/{p.public_id}/amend/",
            {"original": "night shift", "replacement": "late shift"},
            302,
        ),
        "amendment_accept": (
            f"/proposals/{p.public_id}/amendment/accept/",
            {"amendment": amendment},
            302,
        ),
        "amendment_decline": (
            f"/proposals/{p.public_id}/amendment/decline/",
            {"amendment": amendment},
            302,
        ),
        "roll_call_open": (
            f"/proposals/{Proposal.objects.get(pk=world.to_roll_call).public_id}/roll-call/",
            {"closes_at": later},
            302,
        ),
        "referendum_open": (
            f"/proposals/{Proposal.objects.get(pk=world.to_referendum).public_id}/referendum/",
            {"closes_at": later},
            302,
        ),
        "roll_call_vote": (f"/decisions/{decision(world.roll_call)}/vote/", {"vote": "no"}, 302),
        "referendum_cast": (
            f"/decisions/{decision(world.referendum)}/cast/",
            {"choice": "yes"},
            200,
        ),
        "review_sign": (f"/decisions/{decision(world.in_review)}/sign/", {}, 302),
        "decision_close": (f"/decisions/{decision(world.past_close)}/close/", {}, 302),
        "initiative_start": (
            f"/bodies/{p.body.code}/initiatives/",
            {"title": "A first-aid room", "text": "Next to the forge."},
            302,
        ),
        "initiative_sign": (
            f"/initiatives/{Initiative.objects.get(pk=world.initiative).public_id}/sign/",
            {},
            302,
        ),
        "meeting_call": (
            f"/bodies/{p.body.code}/meetings/",
            {"starts_at": later, "place": "Forge office"},
            302,
        ),
        "meeting_close": (
            f"/meetings/{meeting.public_id}/close/",
            {"present": meeting.called_by.public_id, "notes": "All items discussed."},
            302,
        ),
        "contract_register": (
            f"/bodies/{p.body.code}/contracts/",
            {
                "counterparty": "Volga Steel",
                "kind": "supply",
                "title": "Sheet steel for 2027",
                "terms": "400 t of sheet steel, monthly deliveries.",
                "affected": p.body.code,
                "closes_at": later,
            },
            302,
        ),
        "alternatives_open": (
            f"/bodies/{p.body.code}/alternatives/",
            {
                "title": "Which holiday week",
                "text": "Rank the weeks.",
                "options": "July\nAugust",
                "closes_at": later,
            },
            302,
        ),
        "alternatives_cast": (
            f"/decisions/{decision(world.alternatives)}/cast/",
            {"rank-2": "1", "rank-0": "2"},
            200,
        ),
    }
    return posts[action]


def http_cell(action: str, role: str) -> Any:
    marks = []
    if (action, role) in HTTP_GAPS:
        marks.append(pytest.mark.xfail(strict=True, reason=HTTP_GAPS[(action, role)]))
    allowed = role in HTTP_ALLOWED[action]
    return pytest.param(action, role, allowed, marks=marks, id=f"{action}-{role}")


@pytest.mark.parametrize(
    ("action", "role", "allowed"),
    [http_cell(action, role) for action in HTTP_ALLOWED for role in ROLES],
)
def test_page(world: World, action: str, role: str, allowed: bool) -> None:
    client = Client()
    user = user_for(world, role)
    if user.is_authenticated:
        client.force_login(user)
    url, form, ok = _post(action, world)
    before = snapshot()
    response = client.post(url, form)
    if allowed:
        assert response.status_code == ok, response.content.decode()[:2000]
        assert snapshot() != before
    else:
        # The page says why, with the form it came from; anonymous visitors get the same
        # 403 (with a sign-in link in the page head), not a redirect.
        assert response.status_code == 403, (response.status_code, response.get("Location"))
        assert "Only " in response.content.decode()
        assert snapshot() == before, "a refused request changed something"
