from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from collegium.decisions.markdown import render_markdown, text_diff
from collegium.decisions.models import Amendment, Comment, Decision, Proposal
from collegium.decisions.services import (
    DecisionError,
    amendment_accept,
    amendment_decline,
    amendment_propose,
    comment_add,
    decision_close,
    decisions_sweep,
    proposal_revise,
    proposal_submit,
    referendum_cast,
    referendum_open,
    review_sign,
    roll_call_open,
    roll_call_vote,
)
from collegium.federation.permissions import PermissionDenied
from collegium.record.models import Entry
from tests.conftest import make_member

NOW = timezone.now()
CLOSE = NOW + dt.timedelta(days=3)
AFTER = CLOSE + dt.timedelta(minutes=1)
TEXT = "The forge works two shifts.\n\nThe night shift ends."


@pytest.fixture
def proposal(small_federation):
    f = small_federation
    return proposal_submit(
        user=f.worker.user,
        body=f.enterprise,
        title="End the night shift",
        text=TEXT,
        rationale="Health",
        now=NOW,
    )


def test_versions_amendments_and_discussion(small_federation, proposal):
    f = small_federation
    amendment = amendment_propose(
        user=f.board_member.user,
        proposal=proposal,
        original="two shifts",
        replacement="two day shifts",
        now=NOW,
    )
    version = amendment_accept(user=f.worker.user, amendment=amendment, now=NOW)
    assert version.number == 2 and "two day shifts" in version.text
    v3 = proposal_revise(
        user=f.worker.user, proposal=proposal, text=version.text + "\n\nMore.", now=NOW
    )
    assert v3.number == 3
    diff = text_diff(TEXT, v3.text, old_label="v1", new_label="v3")
    assert "-The forge works two shifts." in diff and "+The forge works two day shifts." in diff
    first = comment_add(user=f.board_member.user, proposal=proposal, text="Agreed.", now=NOW)
    reply = comment_add(user=f.worker.user, proposal=proposal, text="Thanks", parent=first, now=NOW)
    assert reply.parent == first
    with pytest.raises(PermissionDenied):
        comment_add(user=f.outsider.user, proposal=proposal, text="x", now=NOW)
    declined = amendment_propose(
        user=f.board_member.user, proposal=proposal, original="More.", replacement="Less.", now=NOW
    )
    amendment_decline(user=f.worker.user, amendment=declined)
    assert Amendment.objects.get(pk=declined.pk).state == "declined"


@pytest.mark.parametrize(
    ("original", "message"),
    [
        ("not in the text", "exactly as it stands"),
        ("The", "more than once"),
        ("", "exactly as it stands"),
    ],
)
def test_bad_amendments(small_federation, proposal, original, message):
    with pytest.raises(DecisionError, match=message):
        amendment_propose(
            user=small_federation.board_member.user,
            proposal=proposal,
            original=original,
            replacement="x",
            now=NOW,
        )


def test_board_roll_call_review_window_and_final(small_federation, proposal):
    f = small_federation
    with pytest.raises(PermissionDenied):
        roll_call_open(user=f.worker.user, proposal=proposal, closes_at=CLOSE, now=NOW)
    decision = roll_call_open(user=f.board_member.user, proposal=proposal, closes_at=CLOSE, now=NOW)
    with pytest.raises(DecisionError, match="closed"):
        proposal_revise(user=f.worker.user, proposal=proposal, text="changed", now=NOW)
    with pytest.raises(DecisionError, match="its text is closed"):
        amendment_propose(
            user=f.board_member.user,
            proposal=proposal,
            original="two",
            replacement="three",
            now=NOW,
        )
    roll_call_vote(user=f.board_member.user, decision=decision, vote="yes", now=NOW)
    with pytest.raises(DecisionError, match="already recorded"):
        roll_call_vote(user=f.board_member.user, decision=decision, vote="no", now=NOW)
    with pytest.raises(PermissionDenied):
        roll_call_vote(user=f.worker.user, decision=decision, vote="no", now=NOW)
    with pytest.raises(DecisionError, match="still open"):
        decision_close(decision=decision, now=NOW)
    decision = decision_close(decision=decision, now=AFTER)
    assert decision.state == Decision.State.REVIEW
    assert decision.review_until == AFTER + dt.timedelta(days=10)
    vote_entry = Entry.objects.get(kind="decision.roll_call_vote")
    assert vote_entry.actor_id == f.board_member.public_id and '"vote":"yes"' in vote_entry.payload
    # Not final before the window ends; final after (idempotently).
    assert decisions_sweep(now=AFTER + dt.timedelta(days=9))["decisions_final"] == 0
    assert decisions_sweep(now=decision.review_until)["decisions_final"] == 1
    assert decisions_sweep(now=decision.review_until)["decisions_final"] == 0
    decision.refresh_from_db()
    assert decision.state == Decision.State.FINAL
    assert Proposal.objects.get(pk=proposal.pk).state == Proposal.State.DECIDED


def test_members_overturn_a_board_decision(small_federation, proposal):
    f = small_federation
    decision = roll_call_open(user=f.board_member.user, proposal=proposal, closes_at=CLOSE, now=NOW)
    roll_call_vote(user=f.board_member.user, decision=decision, vote="yes", now=NOW)
    decision = decision_close(decision=decision, now=AFTER)
    # 5 % of 3 members rounds up to one signature.
    referendum = review_sign(user=f.worker.user, decision=decision, now=AFTER)
    assert referendum is not None and referendum.overturns == decision
    with pytest.raises(DecisionError, match="already under way"):
        review_sign(user=f.congress_board_member.user, decision=decision, now=AFTER)
    for member, choice in (
        (f.worker, "yes"),
        (f.congress_board_member, "yes"),
        (f.board_member, "no"),
    ):
        tracker = referendum_cast(user=member.user, decision=referendum, choice=choice, now=AFTER)
        assert len(tracker) > 10
    with pytest.raises(DecisionError, match="already voted"):
        referendum_cast(user=f.worker.user, decision=referendum, choice="no", now=AFTER)
    # The original stays in review while the referendum runs, even past its window.
    assert decisions_sweep(now=decision.review_until)["decisions_final"] == 0
    result = decisions_sweep(now=referendum.closes_at)
    assert result["decisions_closed"] == 1
    decision.refresh_from_db()
    assert decision.state == Decision.State.OVERTURNED
    assert Decision.objects.filter(state="overturned").count() == 1  # still listed


def test_rejected_roll_call_returns_the_proposal_to_discussion(small_federation, proposal):
    f = small_federation
    decision = roll_call_open(user=f.board_member.user, proposal=proposal, closes_at=CLOSE, now=NOW)
    roll_call_vote(user=f.board_member.user, decision=decision, vote="no", now=NOW)
    assert decision_close(decision=decision, now=AFTER).state == Decision.State.REJECTED
    assert Proposal.objects.get(pk=proposal.pk).state == Proposal.State.DELIBERATION


def test_referendum_for_questions_reserved_to_members(small_federation):
    f = small_federation
    extra = [make_member(f"70{i}", "M", f"Member{i}", f.shop) for i in range(3)]
    proposal = proposal_submit(
        user=f.worker.user,
        body=f.enterprise,
        title="Housing fund",
        text="Set aside 5 %.",
        route="members",
        now=NOW,
    )
    with pytest.raises(DecisionError, match="reserved to the members"):
        roll_call_open(user=f.board_member.user, proposal=proposal, closes_at=CLOSE, now=NOW)
    decision = referendum_open(
        user=f.board_member.user, proposal=proposal, closes_at=CLOSE, now=NOW
    )
    for member in extra:
        referendum_cast(user=member.user, decision=decision, choice="yes", now=NOW)
    with pytest.raises(PermissionDenied):
        referendum_cast(user=f.outsider.user, decision=decision, choice="no", now=NOW)
    with pytest.raises(DecisionError, match="closed"):
        referendum_cast(user=f.worker.user, decision=decision, choice="no", now=AFTER)
    decision = decision_close(decision=decision, now=AFTER)
    assert decision.state == Decision.State.FINAL
    assert decision.outcome["yes"] == 3
    payloads = "".join(
        Entry.objects.filter(kind="decision.referendum_voted").values_list("payload", flat=True)
    )
    assert '"yes"' not in payloads


def test_open_amendments_block_the_vote(small_federation, proposal):
    f = small_federation
    amendment_propose(
        user=f.board_member.user,
        proposal=proposal,
        original="two shifts",
        replacement="one shift",
        now=NOW,
    )
    with pytest.raises(DecisionError, match="amendments are still open"):
        roll_call_open(user=f.board_member.user, proposal=proposal, closes_at=CLOSE, now=NOW)


def test_bad_proposals(small_federation):
    f = small_federation
    with pytest.raises(PermissionDenied):
        proposal_submit(user=f.outsider.user, body=f.enterprise, title="t", text="x", now=NOW)
    with pytest.raises(DecisionError, match="needs a title"):
        proposal_submit(user=f.worker.user, body=f.enterprise, title=" ", text="x", now=NOW)
    from decimal import Decimal

    with pytest.raises(DecisionError, match="cost cannot be negative"):
        proposal_submit(
            user=f.worker.user, body=f.enterprise, title="t", text="x", cost=Decimal("-1"), now=NOW
        )
    assert not Proposal.objects.exists() and not Comment.objects.exists()


def test_markdown_with_script_is_rendered_harmless():
    html = render_markdown(
        "# Title\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) "
        '<img src=x onerror="alert(1)"> **bold**'
    )
    assert "<script" not in html and "javascript:" not in html and "onerror" not in html
    assert "<strong>bold</strong>" in html


def test_author_withdraws_and_it_stays_listed(small_federation, proposal):
    from collegium.decisions.services import proposal_withdraw

    f = small_federation
    with pytest.raises(PermissionDenied):
        proposal_withdraw(user=f.board_member.user, proposal=proposal, reason="no")
    with pytest.raises(DecisionError, match="say why"):
        proposal_withdraw(user=f.worker.user, proposal=proposal, reason=" ")
    proposal_withdraw(user=f.worker.user, proposal=proposal, reason="Agreed elsewhere")
    assert Proposal.objects.get(pk=proposal.pk).state == Proposal.State.WITHDRAWN
    with pytest.raises(DecisionError, match="cannot become"):
        proposal_withdraw(user=f.worker.user, proposal=proposal, reason="again")
    assert Entry.objects.filter(kind="proposal.withdrawn").count() == 1


def test_an_outsider_hears_no_before_closed(small_federation, proposal):
    """Permission is checked first: someone with no say learns that, not the vote's state."""
    f = small_federation
    decision = roll_call_open(user=f.board_member.user, proposal=proposal, closes_at=CLOSE, now=NOW)
    with pytest.raises(PermissionDenied):
        roll_call_vote(user=f.worker.user, decision=decision, vote="yes", now=AFTER)
    with pytest.raises(DecisionError, match="closed"):
        roll_call_vote(user=f.board_member.user, decision=decision, vote="yes", now=AFTER)


def test_the_record_holds_salted_fingerprints_of_texts(small_federation, proposal):
    """A guess at a proposal's or comment's text cannot be checked against the record."""
    import hashlib
    import json

    from collegium.record.services import salted_digest

    f = small_federation
    comment_add(user=f.worker.user, proposal=proposal, text="Agreed.", now=NOW)
    submitted = json.loads(Entry.objects.get(kind="proposal.submitted").payload)["data"]
    commented = json.loads(Entry.objects.get(kind="proposal.commented").payload)["data"]
    assert submitted["text_sha256"] == salted_digest(proposal.salt, TEXT)
    assert submitted["text_sha256"] != hashlib.sha256(TEXT.encode()).hexdigest()
    assert commented["text_sha256"] == salted_digest(proposal.salt, "Agreed.")
