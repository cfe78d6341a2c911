from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from collegium.decisions import effects
from collegium.decisions.models import Decision
from collegium.decisions.services import (
    DecisionError,
    decision_close,
    referendum_call,
    referendum_cast,
)

NOW = timezone.now()
CLOSE = NOW + dt.timedelta(days=5)


@pytest.fixture
def calls():
    seen: list[tuple[str, str]] = []
    effects.register(
        "tests.thing",
        on_final=lambda d, now: seen.append(("final", d.subject_id)),
        on_failed=lambda d, now: seen.append(("failed", d.subject_id)),
        url=lambda i: f"/things/{i}/",
        label="the thing",
    )
    yield seen
    effects._SUBJECTS.pop("tests.thing")


@pytest.mark.parametrize(("choice", "outcome"), [("yes", "final"), ("no", "failed")])
def test_a_called_referendum_runs_its_subjects_effect(small_federation, calls, choice, outcome):
    f = small_federation
    decision = referendum_call(
        body=f.enterprise,
        title="Unhide the post?",
        text="Should the hidden post be shown again?",
        subject_kind="tests.thing",
        subject_id="42",
        closes_at=CLOSE,
        now=NOW,
    )
    assert effects.subject_link(decision) == ("the thing", "/things/42/")
    assert decision.electorate_size == 3 and decision.proposal is None
    referendum_cast(user=f.worker.user, decision=decision, choice=choice, now=NOW)
    decision_close(decision=decision, now=CLOSE)
    assert calls == [(outcome, "42")]
    assert Decision.objects.get(pk=decision.pk).state == (
        Decision.State.FINAL if choice == "yes" else Decision.State.REJECTED
    )


def test_a_called_referendum_needs_a_question(small_federation):
    f = small_federation
    with pytest.raises(DecisionError):
        referendum_call(
            body=f.enterprise,
            title="t",
            text=" ",
            subject_kind="x",
            subject_id="1",
            closes_at=CLOSE,
            now=NOW,
        )
