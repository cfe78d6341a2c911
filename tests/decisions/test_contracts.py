from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from collegium.decisions.contracts import contract_register
from collegium.decisions.models import Contract, Decision
from collegium.decisions.services import (
    DecisionError,
    decision_close,
    decisions_sweep,
    review_sign,
    roll_call_vote,
)
from collegium.federation.permissions import PermissionDenied
from collegium.record.models import Entry

NOW = timezone.now()
CLOSE = NOW + dt.timedelta(days=7)


def _register(f, affected=(), **overrides):
    values = {
        "user": f.board_member.user,
        "body": f.enterprise,
        "counterparty": "Baltic Timber Cooperative",
        "kind": "supply",
        "title": "Pine sleepers, 2027",
        "terms": "4,000 sleepers a quarter, delivered to Sormovo, paid on delivery.",
        "affected": affected,
        "closes_at": CLOSE,
        "value": Decimal("1200000"),
        "currency": "rub",
        "now": NOW,
    }
    values.update(overrides)
    return contract_register(**values)


def test_in_force_only_when_every_board_has_ratified(small_federation):
    f = small_federation
    contract = _register(f, [f.enterprise, f.congress])
    assert contract.state == Contract.State.RATIFYING and contract.currency == "RUB"
    ours = contract.ratifications.get(body=f.enterprise).decision
    congress = contract.ratifications.get(body=f.congress).decision
    assert ours.kind == Decision.Kind.ROLL_CALL and ours.subject_id == contract.public_id
    roll_call_vote(user=f.board_member.user, decision=ours, vote="yes", now=NOW)
    roll_call_vote(user=f.congress_board_member.user, decision=congress, vote="yes", now=NOW)
    decision_close(decision=ours, now=CLOSE)
    decision_close(decision=congress, now=CLOSE)
    contract.refresh_from_db()
    assert contract.state == Contract.State.RATIFYING  # both in their review window
    decisions_sweep(now=CLOSE + dt.timedelta(days=30))
    contract.refresh_from_db()
    assert contract.state == Contract.State.IN_FORCE
    assert Entry.objects.filter(kind="contract.in_force").count() == 1


def test_one_refusal_refuses_it(small_federation):
    f = small_federation
    contract = _register(f, [f.enterprise, f.congress])
    congress = contract.ratifications.get(body=f.congress).decision
    roll_call_vote(user=f.congress_board_member.user, decision=congress, vote="no", now=NOW)
    decision_close(decision=congress, now=CLOSE)
    contract.refresh_from_db()
    assert contract.state == Contract.State.REFUSED
    entry = Entry.objects.get(kind="contract.refused")
    assert "congress" in entry.payload


def test_members_can_overturn_a_ratification(small_federation):
    f = small_federation
    contract = _register(f, [f.enterprise])
    ours = contract.ratifications.get().decision
    roll_call_vote(user=f.board_member.user, decision=ours, vote="yes", now=NOW)
    decision_close(decision=ours, now=CLOSE)
    referendum = review_sign(user=f.worker.user, decision=ours, now=CLOSE)
    assert referendum is not None
    from collegium.decisions.services import referendum_cast

    referendum_cast(user=f.worker.user, decision=referendum, choice="yes", now=CLOSE)
    decision_close(decision=referendum, now=referendum.closes_at)
    contract.refresh_from_db()
    assert contract.state == Contract.State.REFUSED


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"affected": []}, "at least one affected body"),
        ({"counterparty": " "}, "counterparty"),
        ({"kind": "gift"}, "kind"),
        ({"terms": ""}, "terms"),
        ({"value": Decimal("-1")}, "negative"),
        ({"currency": "roubles"}, "currency"),
        ({"closes_at": NOW}, "future"),
        (
            {"starts_on": dt.date(2027, 2, 1), "ends_on": dt.date(2027, 1, 1)},
            "ends before it starts",
        ),
    ],
)
def test_bad_contracts_are_refused_whole(small_federation, overrides, message):
    f = small_federation
    values = {"affected": [f.enterprise], **overrides}
    with pytest.raises(DecisionError, match=message):
        _register(f, **values)
    assert not Contract.objects.exists() and not Decision.objects.exists()


def test_only_the_board_registers(small_federation):
    f = small_federation
    with pytest.raises(PermissionDenied):
        _register(f, [f.enterprise], user=f.worker.user)
    with pytest.raises(PermissionDenied):
        _register(f, [f.enterprise], user=f.outsider.user)
