from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from collegium.decisions.initiatives import initiative_start
from collegium.decisions.meetings import meeting_call, meeting_close, meeting_minutes, minutes_pdf
from collegium.decisions.models import Meeting
from collegium.decisions.services import (
    DecisionError,
    decision_close,
    proposal_submit,
    roll_call_open,
    roll_call_vote,
)
from collegium.federation.permissions import PermissionDenied

NOW = timezone.now()
STARTS = NOW + dt.timedelta(days=2)


@pytest.fixture
def pending(small_federation):
    f = small_federation
    proposal = proposal_submit(
        user=f.worker.user,
        body=f.enterprise,
        title="Second crane in the forge",
        text="Buy a second crane.",
        now=NOW,
    )
    initiative = initiative_start(
        user=f.worker.user, body=f.enterprise, title="Night shift ends", text="End it.", now=NOW
    )
    return proposal, initiative


def test_the_agenda_puts_mandatory_items_first(small_federation, pending):
    f = small_federation
    proposal, initiative = pending
    meeting = meeting_call(
        user=f.board_member.user,
        body=f.enterprise,
        starts_at=STARTS,
        place="Works club, room 2",
        extra_items=["Any other business"],
        now=NOW,
    )
    agenda = list(meeting.agenda.order_by("position"))
    assert [e.kind for e in agenda] == ["initiative", "proposal", "other"]
    assert agenda[0].mandatory and agenda[0].proposal == initiative.proposal
    assert agenda[1].proposal == proposal
    with pytest.raises(PermissionDenied):
        meeting_call(user=f.worker.user, body=f.enterprise, starts_at=STARTS, now=NOW)
    with pytest.raises(DecisionError, match="future"):
        meeting_call(user=f.board_member.user, body=f.enterprise, starts_at=NOW, now=NOW)


def test_minutes_carry_the_roll_calls_with_names(small_federation, pending):
    f = small_federation
    proposal, _initiative = pending
    meeting = meeting_call(user=f.board_member.user, body=f.enterprise, starts_at=STARTS, now=NOW)
    decision = roll_call_open(
        user=f.board_member.user,
        proposal=proposal,
        closes_at=STARTS + dt.timedelta(minutes=30),
        now=STARTS,
    )
    roll_call_vote(user=f.board_member.user, decision=decision, vote="yes", now=STARTS)
    decision_close(decision=decision, now=STARTS + dt.timedelta(minutes=30))
    with pytest.raises(DecisionError, match="not started"):
        meeting_close(user=f.board_member.user, meeting=meeting, present=[], now=NOW)
    with pytest.raises(DecisionError, match="hold no seat"):
        meeting_close(user=f.board_member.user, meeting=meeting, present=[f.worker], now=STARTS)
    meeting_close(
        user=f.board_member.user,
        meeting=meeting,
        present=[f.board_member],
        notes="The crane is bought.\n\nNext meeting in a month.",
        now=STARTS + dt.timedelta(hours=1),
    )
    assert Meeting.objects.get(pk=meeting.pk).state == Meeting.State.HELD
    minutes = meeting_minutes(Meeting.objects.get(pk=meeting.pk))
    crane = next(i for i in minutes.items if i.entry.proposal == proposal)
    assert [v.member for v in crane.votes[0].votes] == [f.board_member]
    assert crane.votes[0].outcome.startswith("adopted (1 yes")
    assert minutes.present == [f.board_member] and minutes.absent == []
    pdf = minutes_pdf(minutes)
    assert pdf.startswith(b"%PDF-") and len(pdf) > 1500
    with pytest.raises(DecisionError, match="held"):
        meeting_close(user=f.board_member.user, meeting=meeting, present=[], now=STARTS)
