"""No sequence of actions by anyone reaches an illegal state: a board decision final
before its review window ends, a vote counted twice, a closed vote reopened."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from collegium.decisions.models import Decision, RollCallVote
from collegium.decisions.services import (
    DecisionError,
    decision_close,
    decisions_sweep,
    proposal_submit,
    referendum_cast,
    review_sign,
    roll_call_open,
    roll_call_vote,
)
from collegium.decisions.transitions import DECISION
from collegium.federation.permissions import PermissionDenied
from collegium.federation.services import charter_change
from tests.conftest import make_body, make_member
from tests.machines import RolledBackMachine

REFUSALS = (DecisionError, PermissionDenied)


def reachable(state: str) -> set[str]:
    found, todo = set(), [state]
    while todo:
        for successor in DECISION[todo.pop()]:
            if successor not in found:
                found.add(successor)
                todo.append(successor)
    return found


class DecisionLifecycle(RolledBackMachine):
    @initialize()
    def federation(self) -> None:
        from collegium.elections.services import board_seat_founding
        from collegium.record.services import SYSTEM

        self.now = timezone.now()
        congress = make_body("c", "Congress", "congress", None)
        union = make_body("u", "Union", "industrial_union", congress)
        self.works = make_body("w", "Works", "enterprise", union)
        self.board = [make_member(f"b{i}", "Board", f"M{i}", self.works) for i in range(3)]
        self.members = [
            *self.board,
            *(make_member(f"m{i}", "Rank", f"F{i}", self.works) for i in range(4)),
        ]
        board_seat_founding(
            user=None,
            actor=SYSTEM,
            body=self.works,
            members=self.board,
            term_start=self.now.date() - dt.timedelta(days=1),
            term_end=self.now.date() + dt.timedelta(days=3000),
        )
        charter_change(
            user=self.board[0].user,
            body=self.works,
            changes={"review_window_days": 5, "overturn_petition_pct": 30},
            reason="test",
        )
        self.history: dict[int, list[str]] = {}
        self.final_at: dict[int, dt.datetime] = {}

    def _try(self, action, *args, **kwargs):  # type: ignore[no-untyped-def]
        try:
            return action(*args, **kwargs)
        except REFUSALS:
            return None

    @rule(title=st.sampled_from(["Shifts", "Canteen", "Ventilation"]), who=st.integers(0, 6))
    def submit(self, title: str, who: int) -> None:
        self._try(
            proposal_submit,
            user=self.members[who].user,
            body=self.works,
            title=title,
            text="Text of the proposal.",
            now=self.now,
        )

    # Board members are 0-2: most draws that matter come from them.
    @rule(who=st.integers(0, 3), days=st.integers(1, 4))
    def open_roll_call(self, who: int, days: int) -> None:
        from collegium.decisions.models import Proposal

        for proposal in Proposal.objects.filter(state="deliberation")[:1]:
            self._try(
                roll_call_open,
                user=self.members[who].user,
                proposal=proposal,
                closes_at=self.now + dt.timedelta(days=days),
                now=self.now,
            )

    @rule(votes=st.lists(st.sampled_from(["yes", "yes", "no", "abstain"]), min_size=7, max_size=7))
    def everyone_votes(self, votes: list[str]) -> None:
        """Everybody tries to vote (outsiders of a roll call are refused)."""
        for member, vote in zip(self.members, votes, strict=True):
            self.vote(self.members.index(member), vote)

    @rule(who=st.integers(0, 6), vote=st.sampled_from(["yes", "yes", "no", "abstain", "maybe"]))
    def vote(self, who: int, vote: str) -> None:
        for decision in Decision.objects.filter(state="voting"):
            if decision.kind == "roll_call":
                self._try(
                    roll_call_vote,
                    user=self.members[who].user,
                    decision=decision,
                    vote=vote,
                    now=self.now,
                )
            else:
                self._try(
                    referendum_cast,
                    user=self.members[who].user,
                    decision=decision,
                    choice=vote,
                    now=self.now,
                )

    @rule(signers=st.integers(1, 7))
    def many_petition(self, signers: int) -> None:
        for who in range(signers):
            self.petition(who)

    @rule(who=st.integers(0, 6))
    def petition(self, who: int) -> None:
        for decision in Decision.objects.filter(state="review"):
            self._try(review_sign, user=self.members[who].user, decision=decision, now=self.now)

    @rule(hours=st.integers(1, 96), tick=st.booleans())
    def time_passes(self, hours: int, tick: bool) -> None:
        self.now += dt.timedelta(hours=hours)
        if tick:  # as the server's ticker would
            decisions_sweep(now=self.now)

    @rule(
        votes=st.lists(st.sampled_from(["yes", "no", "abstain"]), min_size=7, max_size=7),
        hours=st.lists(st.integers(1, 200), min_size=3, max_size=3),
        signers=st.integers(0, 7),
    )
    def a_whole_round(self, votes: list[str], hours: list[int], signers: int) -> None:
        """Submit, open, vote, let time pass, petition, vote again: reaches deep states
        in one step, with every choice drawn."""
        self.submit("Round", 0)
        self.open_roll_call(0, 2)
        self.everyone_votes(votes)
        self.time_passes(hours[0], True)
        self.many_petition(signers)
        self.everyone_votes(votes[::-1])
        self.time_passes(hours[1], True)
        self.time_passes(hours[2], True)

    @rule()
    def sweep(self) -> None:
        decisions_sweep(now=self.now)

    @rule()
    def close_early(self) -> None:
        for decision in Decision.objects.filter(state__in=["voting", "review", "final"]):
            self._try(decision_close, decision=decision, now=self.now)

    @invariant()
    def states_only_move_forward(self) -> None:
        if not hasattr(self, "history"):
            return
        for pk, state, review_until in Decision.objects.values_list("pk", "state", "review_until"):
            seen = self.history.setdefault(pk, [])
            if not seen or seen[-1] != state:
                seen.append(state)
            # Every change follows the table's arrows (several may pass within one step):
            # a closed vote never reopens, a decided one never goes back to review.
            for before, after in itertools.pairwise(seen):
                assert after in reachable(before), seen
            if state == "final" and review_until is not None:
                self.final_at.setdefault(pk, self.now)
                assert self.final_at[pk] >= review_until, "final before its review window"

    def teardown_counts(self) -> None:
        pass

    @invariant()
    def each_vote_counted_once(self) -> None:
        for decision in Decision.objects.exclude(outcome=None):
            outcome = decision.outcome
            cast = outcome["yes"] + outcome["no"] + outcome["abstain"]
            if decision.kind == "roll_call":
                assert cast == RollCallVote.objects.filter(decision=decision).count()
                assert cast <= 3
            else:
                assert cast == decision.referendum_roll.count()

    @invariant()
    def overturned_only_by_an_adopted_referendum(self) -> None:
        for decision in Decision.objects.filter(state="overturned"):
            referendum = decision.overturn_referendum
            assert referendum.outcome is not None and referendum.outcome["adopted"]


def test_no_sequence_of_actions_reaches_an_illegal_state(db: object) -> None:
    run_state_machine_as_test(
        DecisionLifecycle,
        settings=settings(
            max_examples=40,
            stateful_step_count=40,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
