"""No sequence of signatures, votes, clock steps and sweeps makes an initiative skip a
board before its deadline, leave the federation's tree, or end in a state its table does
not allow."""

from __future__ import annotations

import contextlib
import datetime as dt

from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from collegium.decisions.initiatives import initiative_sign, initiative_start, initiatives_sweep
from collegium.decisions.models import Decision, Initiative
from collegium.decisions.services import (
    DecisionError,
    decision_close,
    roll_call_open,
    roll_call_vote,
)
from collegium.decisions.transitions import INITIATIVE
from collegium.federation.models import Charter
from collegium.federation.permissions import PermissionDenied
from tests.conftest import make_body, make_member
from tests.machines import RolledBackMachine

REFUSALS = (DecisionError, PermissionDenied)


class InitiativeLifecycle(RolledBackMachine):
    @initialize()
    def federation(self) -> None:
        from collegium.elections.services import board_seat_founding
        from collegium.record.services import SYSTEM

        self.now = timezone.now()
        congress = make_body("c", "Congress", "congress", None)
        union = make_body("u", "Union", "industrial_union", congress)
        self.works = make_body("w", "Works", "enterprise", union)
        self.chain = [self.works.pk, union.pk, congress.pk]
        self.members = [make_member(f"m{i}", "Rank", f"F{i}", self.works) for i in range(5)]
        term = (self.now.date() - dt.timedelta(days=1), self.now.date() + dt.timedelta(days=900))
        for body, holder in ((self.works, self.members[0]), (congress, self.members[1])):
            board_seat_founding(
                user=None,
                actor=SYSTEM,
                body=body,
                members=[holder],
                term_start=term[0],
                term_end=term[1],
            )
        self.boards = {self.works.pk: self.members[0], congress.pk: self.members[1]}
        Charter.objects.create(
            body=self.works, initiative_threshold_pct=40, initiative_deadline_days=5
        )
        self.initiative = initiative_start(
            user=self.members[2].user, body=self.works, title="Fans", text="Fit fans.", now=self.now
        )
        self.escalations: list[tuple[int, dt.datetime, dt.datetime]] = []

    @rule(who=st.integers(0, 4))
    def sign(self, who: int) -> None:
        with contextlib.suppress(REFUSALS):
            initiative_sign(user=self.members[who].user, initiative=self.initiative, now=self.now)

    @rule(hours=st.sampled_from([1, 20, 60, 130]))
    def time_passes(self, hours: int) -> None:
        self.now += dt.timedelta(hours=hours)

    @rule()
    def sweep(self) -> None:
        before = Initiative.objects.get(pk=self.initiative.pk)
        initiatives_sweep(now=self.now)
        after = Initiative.objects.get(pk=self.initiative.pk)
        if after.current_body_id != before.current_body_id:
            assert before.deadline is not None
            self.escalations.append((before.current_body_id, before.deadline, self.now))

    @rule(vote=st.sampled_from(["yes", "no"]))
    def board_votes(self, vote: str) -> None:
        initiative = Initiative.objects.get(pk=self.initiative.pk)
        board = self.boards.get(initiative.current_body_id or 0)
        if board is None or initiative.proposal is None:
            return
        try:
            decision = roll_call_open(
                user=board.user,
                proposal=initiative.proposal,
                closes_at=self.now + dt.timedelta(hours=30),
                now=self.now,
            )
            roll_call_vote(user=board.user, decision=decision, vote=vote, now=self.now)
        except REFUSALS:
            pass

    @rule()
    def count(self) -> None:
        for decision in Decision.objects.filter(state="voting", closes_at__lte=self.now):
            decision_close(decision=decision, now=self.now)

    @invariant()
    def only_allowed_states_and_the_tree(self) -> None:
        if not hasattr(self, "initiative"):
            return
        initiative = Initiative.objects.get(pk=self.initiative.pk)
        assert initiative.state in INITIATIVE
        if initiative.current_body_id is not None:
            assert initiative.current_body_id in self.chain
        assert initiative.signatures.count() <= len(self.members)
        # A board loses an item only after its deadline, never while it is voting on it.
        for _body, deadline, when in self.escalations:
            assert when >= deadline
        steps = list(initiative.steps.order_by("started_at", "id"))
        assert [s.body_id for s in steps] == self.chain[: len(steps)]
        assert all(s.outcome == "escalated" for s in steps[:-1])


def test_no_sequence_reaches_an_illegal_initiative_state(db: object) -> None:
    run_state_machine_as_test(
        InitiativeLifecycle,
        settings=settings(
            max_examples=25,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
