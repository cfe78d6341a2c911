from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from collegium.decisions.initiatives import initiative_sign, initiative_start, initiatives_sweep
from collegium.decisions.models import Decision, Initiative, Proposal
from collegium.decisions.services import (
    DecisionError,
    decision_close,
    roll_call_open,
    roll_call_vote,
)
from collegium.federation.permissions import PermissionDenied
from collegium.notifications.models import Notification
from collegium.record.models import Entry

NOW = timezone.now()


def _start(f, body=None, now=NOW):
    return initiative_start(
        user=f.worker.user,
        body=body or f.enterprise,
        title="Ventilation in the forge",
        text="Install extraction fans above the furnaces.",
        now=now,
    )


def test_signatures_put_it_on_the_agenda_with_a_deadline(small_federation, settings):
    f = small_federation
    # 3 members at Sormovo; the default 5 % needs one signature: the author's own.
    initiative = _start(f)
    initiative.refresh_from_db()
    assert initiative.state == Initiative.State.ON_AGENDA
    assert initiative.signatures_needed == 1
    assert initiative.current_body == f.enterprise
    assert initiative.deadline == NOW + dt.timedelta(days=30)
    proposal = initiative.proposal
    assert proposal.route == Proposal.Route.BOARD and proposal.subject_id == initiative.public_id
    assert Notification.objects.filter(member=f.board_member, kind="initiative.on_agenda").exists()
    kinds = list(Entry.objects.order_by("index").values_list("kind", flat=True))
    assert kinds[-2:] == ["initiative.started", "initiative.on_agenda"]


def test_signing_twice_outside_or_late_is_refused(small_federation):
    f = small_federation
    from collegium.federation.models import Charter

    Charter.objects.create(body=f.enterprise, initiative_threshold_pct=100)
    initiative = _start(f)
    assert initiative.state == Initiative.State.COLLECTING and initiative.signatures_needed == 3
    with pytest.raises(DecisionError, match="already signed"):
        initiative_sign(user=f.worker.user, initiative=initiative, now=NOW)
    with pytest.raises(PermissionDenied):
        initiative_sign(user=f.outsider.user, initiative=initiative, now=NOW)
    assert initiative_sign(user=f.board_member.user, initiative=initiative, now=NOW) == 2
    late = initiative.collect_until
    with pytest.raises(DecisionError, match="over"):
        initiative_sign(user=f.congress_board_member.user, initiative=initiative, now=late)
    assert initiatives_sweep(now=late)["initiatives_lapsed"] == 1
    assert initiatives_sweep(now=late)["initiatives_lapsed"] == 0  # idempotent
    assert Initiative.objects.get(pk=initiative.pk).state == Initiative.State.LAPSED


@pytest.mark.parametrize("title", ["", "x" * 201])
def test_bad_initiatives_are_refused(small_federation, title):
    f = small_federation
    with pytest.raises(DecisionError):
        initiative_start(user=f.worker.user, body=f.enterprise, title=title, text="t", now=NOW)
    with pytest.raises(PermissionDenied):
        initiative_start(user=f.outsider.user, body=f.enterprise, title="t", text="t", now=NOW)
    assert not Initiative.objects.exists()


def test_a_missed_deadline_takes_it_up_to_the_congress(small_federation):
    f = small_federation
    initiative = _start(f)
    first_deadline = initiative.deadline
    before = first_deadline - dt.timedelta(hours=1)
    assert initiatives_sweep(now=before) == {
        "initiatives_decided": 0,
        "initiatives_escalated": 0,
        "initiatives_lapsed": 0,
    }
    assert Notification.objects.filter(kind="initiative.deadline").count() == 1
    initiatives_sweep(now=before)
    assert Notification.objects.filter(kind="initiative.deadline").count() == 1  # once

    assert initiatives_sweep(now=first_deadline)["initiatives_escalated"] == 1
    initiative.refresh_from_db()
    assert initiative.current_body == f.union
    assert initiative.state == Initiative.State.ON_AGENDA
    old = Proposal.objects.get(body=f.enterprise, subject_id=initiative.public_id)
    assert old.state == Proposal.State.WITHDRAWN
    assert initiatives_sweep(now=first_deadline)["initiatives_escalated"] == 0  # idempotent

    assert initiatives_sweep(now=initiative.deadline)["initiatives_escalated"] == 1
    initiative.refresh_from_db()
    assert initiative.current_body == f.congress
    # The congress has no parent: it stays on its agenda, overdue.
    assert initiatives_sweep(now=initiative.deadline + dt.timedelta(days=1)) == {
        "initiatives_decided": 0,
        "initiatives_escalated": 0,
        "initiatives_lapsed": 0,
    }
    steps = list(initiative.steps.values_list("body__code", "outcome"))
    assert steps == [("sormovo", "escalated"), ("metal", "escalated"), ("congress", "")]


def test_a_roll_call_in_time_settles_it(small_federation):
    f = small_federation
    initiative = _start(f)
    decision = roll_call_open(
        user=f.board_member.user,
        proposal=initiative.proposal,
        closes_at=NOW + dt.timedelta(days=2),
        now=NOW,
    )
    roll_call_vote(user=f.board_member.user, decision=decision, vote="no", now=NOW)
    # Voting still open at the deadline: the board started in time, no escalation.
    assert initiatives_sweep(now=NOW + dt.timedelta(days=1))["initiatives_escalated"] == 0
    decision_close(decision=decision, now=NOW + dt.timedelta(days=2))
    assert Decision.objects.get(pk=decision.pk).state == Decision.State.REJECTED
    assert initiatives_sweep(now=NOW + dt.timedelta(days=2))["initiatives_decided"] == 1
    initiative.refresh_from_db()
    assert initiative.state == Initiative.State.DECIDED
    assert initiatives_sweep(now=NOW + dt.timedelta(days=60))["initiatives_escalated"] == 0
