from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from collegium.elections.models import Seat
from collegium.federation.charters import reserved_seats
from collegium.federation.models import Body, Member
from collegium.ops.demo import DEMO_LOGINS, demo_bodies_csv, demo_members_csv
from collegium.record.verification import record_verify


@pytest.fixture
def demo_output(db) -> str:
    out = io.StringIO()
    call_command("demo", "--no-serve", stdout=out)
    return out.getvalue()


def test_demo_is_a_realistic_federation(demo_output):
    kinds = {
        k: Body.objects.filter(kind=k).count()
        for k in ("congress", "industrial_union", "enterprise", "shop", "commission")
    }
    assert kinds["congress"] == 1
    assert kinds["industrial_union"] >= 3
    assert kinds["enterprise"] >= 8
    assert kinds["shop"] >= 30
    assert kinds["commission"] >= 3
    members = Member.objects.count()
    assert members >= 2000
    workers = Member.objects.filter(category__code="production_worker").count()
    assert 0.65 < workers / members < 0.9
    assert Member.objects.filter(category__code="technical_specialist").exists()
    assert Member.objects.filter(category__code="administrative").exists()


def test_demo_prints_address_and_logins_that_work(demo_output):
    assert "address: http://127.0.0.1:8000/" in demo_output
    logins = re.findall(r"^login: (\S+) (\S+) (\S+)$", demo_output, re.M)
    assert {role for role, _, _ in logins} >= {"member", "board", "operator"}
    for _role, username, password in logins:
        assert authenticate(username=username, password=password) is not None
    board = next(u for r, u, _ in logins if r == "board")
    assert Seat.objects.filter(holder__user__username=board).exists()


def test_founding_boards_respect_the_quota(demo_output):
    for body in Body.objects.filter(kind="enterprise"):
        seats = Seat.objects.filter(body=body).select_related("holder__category")
        workers = sum(s.holder.category.code == "production_worker" for s in seats)
        assert workers >= reserved_seats(60, seats.count())


def test_demo_record_verifies_and_a_second_run_reuses_it(demo_output):
    assert record_verify().ok
    out = io.StringIO()
    call_command("demo", "--no-serve", stdout=out)
    assert "existing demo database" in out.getvalue()
    assert Member.objects.count() == 2400


def test_demo_data_is_deterministic():
    assert demo_bodies_csv() == demo_bodies_csv()
    assert demo_members_csv() == demo_members_csv()
    assert [login.username for login in DEMO_LOGINS] == ["anna", "ivan", "operator"]


def test_demo_has_elections_recall_delegates_and_mandates(demo_output):
    from collegium.elections.models import (
        DelegateVote,
        Election,
        Mandate,
        RecallPetition,
        RollEntry,
    )
    from collegium.elections.permissions import in_electorate
    from collegium.elections.selectors import delegate_seats
    from collegium.tally import BallotSet, Candidate, count_scottish_stv, read_blt

    counted = Election.objects.get(body__code="putilov-1", state="counted")
    rounds = counted.count_sheet["rounds"]
    assert len(rounds) >= 4
    assert any(r["action"] != "first preferences" and r["changes"] for r in rounds[1:])
    # Recounting the published ballots with the quota gives the same result.
    ballots = read_blt(counted.published_ballots)
    categories = {c["number"]: c["category"] for c in counted.count_sheet["candidates"]}
    ballots = BallotSet(
        [Candidate(c.number, c.name, categories[c.number]) for c in ballots.candidates],
        ballots.rankings,
        ballots.weights,
        seats=ballots.seats,
    )
    minimums = {counted.quota_category: counted.reserved_seats}
    sheet = count_scottish_stv(ballots, minimums=minimums)
    assert sheet.elected == counted.count_sheet["elected"]
    assert RollEntry.objects.filter(election=counted).count() > 20
    # Voting is open in Anna's shop, and Anna has not voted yet.
    anna = Member.objects.get(user__username="anna")
    running = Election.objects.get(body__code="sormovo-2", state="voting")
    assert in_electorate(anna, running.body)
    assert not RollEntry.objects.filter(election=running, member=anna).exists()
    assert RecallPetition.objects.filter(state="collecting").count() == 1
    for enterprise in Body.objects.filter(kind="enterprise"):
        assert delegate_seats(enterprise).exists(), enterprise.code
    mandate = Mandate.objects.filter(body__code="sormovo", position="for", proposal=None).get()
    assert any(v.breach for v in DelegateVote.objects.filter(mandate=mandate))


def test_demo_has_decisions_to_take_part_in(demo_output):
    from collegium.decisions.models import Decision, Proposal

    review = Decision.objects.get(state="review", subject_kind="")
    assert review.kind == "roll_call" and review.review_signatures.count() == 1
    referendum = Decision.objects.get(kind="referendum", state="voting")
    assert not referendum.referendum_roll.filter(member__member_no="M00001").exists()
    assert Proposal.objects.filter(state="deliberation", author__member_no="M00001").exists()


def test_demo_has_the_boards_business(demo_output):
    from collegium.decisions.models import Contract, Decision, Initiative, Meeting
    from collegium.elections.models import Mandate

    assert set(Initiative.objects.values_list("state", flat=True)) == {"collecting", "on_agenda"}
    assert set(Meeting.objects.values_list("state", flat=True)) == {"scheduled", "held"}
    assert Contract.objects.get().state == Contract.State.RATIFYING
    assert Decision.objects.filter(kind="alternatives", state="voting").count() == 1
    assert Mandate.objects.filter(proposal__isnull=False).count() == 1
