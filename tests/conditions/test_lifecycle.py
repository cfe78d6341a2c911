"""Property test: no sequence of actions by any role other than the moderation commission
makes a report disappear from its body's listing (or hides it); every moderation act
leaves a record entry; states only follow the table's arrows."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from collegium.conditions import services as s
from collegium.conditions.models import ConditionReport, ModerationAct
from collegium.conditions.selectors import body_reports
from collegium.conditions.transitions import REPORT, ConditionsError
from collegium.federation.permissions import PermissionDenied
from collegium.record.models import Entry
from tests.conftest import make_body, make_member
from tests.machines import RolledBackMachine

REFUSALS = (ConditionsError, PermissionDenied)
ROLES = ["reporter", "co_worker", "board", "top_board", "outsider", "moderator"]


def reachable(state: str) -> set[str]:
    found, todo = {state}, [state]
    while todo:
        for successor in REPORT[todo.pop()]:
            if successor not in found:
                found.add(successor)
                todo.append(successor)
    return found


class ReportLifecycle(RolledBackMachine):
    @initialize()
    def federation(self) -> None:
        from collegium.elections.services import board_seat_founding
        from collegium.record.services import SYSTEM

        self.now = timezone.now()
        congress = make_body("c", "Congress", "congress", None)
        union = make_body("u", "Union", "industrial_union", congress)
        self.works = make_body("w", "Works", "enterprise", union)
        self.shop = make_body("w-1", "Press shop", "shop", self.works)
        elsewhere = make_body("x", "Elsewhere", "enterprise", union)
        commission = make_body("c-mod", "Moderation", "commission", congress)
        commission.function = "moderation"
        commission.save(update_fields=["function"])
        people = {
            "reporter": make_member("r", "Rita", "Reporter", self.shop),
            "co_worker": make_member("k", "Kolya", "Coworker", self.shop),
            "board": make_member("b", "Boris", "Board", self.shop),
            "top_board": make_member("t", "Tanya", "Top", elsewhere),
            "outsider": make_member("o", "Oleg", "Outside", elsewhere),
            "moderator": make_member("m", "Masha", "Moderator", elsewhere),
        }
        self.people = people
        term = (self.now.date() - dt.timedelta(days=1), self.now.date() + dt.timedelta(days=3000))
        for body, member in (
            (self.works, people["board"]),
            (congress, people["top_board"]),
            (commission, people["moderator"]),
        ):
            board_seat_founding(
                user=None,
                actor=SYSTEM,
                body=body,
                members=[member],
                term_start=term[0],
                term_end=term[1],
            )
        self.bodies = [self.shop, self.works, union, congress]
        self.viewers = [people["reporter"], people["board"], people["top_board"]]
        self.submitted: set[int] = set()
        self.hidden: dict[int, bool] = {}
        self.history: dict[int, list[str]] = {}
        from collegium.federation.selectors import charter_as_dict

        self.reasons = charter_as_dict(self.shop)["moderation_reasons"]

    def _user(self, role: str) -> Any:
        return self.people[role].user

    def _try(self, action: Any, **kwargs: Any) -> Any:
        try:
            return action(now=self.now, **kwargs)
        except REFUSALS:
            return None

    def _reports(self) -> list[ConditionReport]:
        return list(ConditionReport.objects.order_by("id"))

    def _pick(self, k: int) -> ConditionReport | None:
        reports = self._reports()
        return reports[k % len(reports)] if reports else None

    @rule(who=st.sampled_from(ROLES), severity=st.integers(0, 5))
    def submit(self, who: str, severity: int) -> None:
        report = self._try(
            s.report_submit,
            user=self._user(who),
            body=self.shop,
            location="Press line 2",
            hazard="noise",
            severity=severity,
            people_affected=5,
            title="Noise",
            description="Too loud.",
        )
        if report is not None:
            self.submitted.add(report.pk)
            self.hidden[report.pk] = False

    @rule(who=st.sampled_from(ROLES), k=st.integers(0, 20))
    def confirm(self, who: str, k: int) -> None:
        report = self._pick(k)
        if report:
            self._try(s.report_confirm, user=self._user(who), report=report)

    @rule(who=st.sampled_from(ROLES), k=st.integers(0, 20), days=st.integers(-2, 30))
    def remedy(self, who: str, k: int, days: int) -> None:
        report = self._pick(k)
        if report:
            self._try(
                s.remedy_accept,
                user=self._user(who),
                report=report,
                work="Fix it",
                materials=[s.MaterialLine("felt", Decimal("3"), "m2")],
                labour_hours="4",
                cost="100",
                due_on=(self.now + dt.timedelta(days=days)).date(),
            )

    @rule(who=st.sampled_from(ROLES), k=st.integers(0, 20), reason=st.sampled_from(["", "Big"]))
    def escalate(self, who: str, k: int, reason: str) -> None:
        report = self._pick(k)
        if report:
            self._try(s.report_escalate, user=self._user(who), report=report, reason=reason)

    @rule(who=st.sampled_from(ROLES), k=st.integers(0, 20))
    def done(self, who: str, k: int) -> None:
        report = self._pick(k)
        if report:
            self._try(s.remedy_done, user=self._user(who), report=report)

    @rule(who=st.sampled_from(ROLES), k=st.integers(0, 20), fixed=st.booleans())
    def fixed(self, who: str, k: int, fixed: bool) -> None:
        report = self._pick(k)
        if report:
            self._try(
                s.report_fixed, user=self._user(who), report=report, fixed=fixed, note="Still"
            )

    @rule(who=st.sampled_from(ROLES), k=st.integers(0, 20))
    def reject(self, who: str, k: int) -> None:
        report = self._pick(k)
        if report:
            self._try(s.remedy_reject, user=self._user(who), report=report, note="Not enough")

    @rule(who=st.sampled_from(ROLES), k=st.integers(0, 20), which=st.integers(-1, 4))
    def hide(self, who: str, k: int, which: int) -> None:
        report = self._pick(k)
        if report is None:
            return
        reason = self.reasons[which] if 0 <= which < len(self.reasons) else "Because"
        done = self._try(s.report_hide, user=self._user(who), report=report, reason=reason)
        if done is not None:
            assert who == "moderator"
            self.hidden[report.pk] = True

    @rule(who=st.sampled_from(ROLES), k=st.integers(0, 20))
    def unhide(self, who: str, k: int) -> None:
        report = self._pick(k)
        if report is None:
            return
        done = self._try(s.report_unhide, user=self._user(who), report=report, reason="Fine")
        if done is not None:
            assert who == "moderator"
            self.hidden[report.pk] = False

    @rule(days=st.integers(1, 40))
    def time_passes(self, days: int) -> None:
        self.now += dt.timedelta(days=days)
        s.conditions_sweep(now=self.now)
        s.conditions_sweep(now=self.now)  # idempotent

    @invariant()
    def every_report_stays_listed(self) -> None:
        if not hasattr(self, "submitted"):
            return
        for body in self.bodies:
            for viewer in self.viewers:
                listed = set(body_reports(body, viewer).values_list("pk", flat=True))
                assert self.submitted <= listed, (body.code, viewer.member_no)

    @invariant()
    def only_the_commission_hides(self) -> None:
        if not hasattr(self, "hidden"):
            return
        for pk, hidden in ConditionReport.objects.values_list("pk", "hidden"):
            assert self.hidden[pk] == hidden

    @invariant()
    def every_moderation_act_is_on_the_record(self) -> None:
        acts = list(ModerationAct.objects.values_list("action", "record_index"))
        entries = dict(
            Entry.objects.filter(kind__in=["condition.hidden", "condition.unhidden"]).values_list(
                "index", "kind"
            )
        )
        assert len(acts) == len(entries)
        for action, index in acts:
            assert entries[index] == (
                "condition.hidden" if action == "hide" else "condition.unhidden"
            )

    @invariant()
    def states_follow_the_table(self) -> None:
        if not hasattr(self, "history"):
            return
        for pk, state in ConditionReport.objects.values_list("pk", "state"):
            seen = self.history.setdefault(pk, [])
            if not seen or seen[-1] != state:
                seen.append(state)
            for before, after in itertools.pairwise(seen):
                assert after in reachable(before), seen


def test_no_role_but_the_commission_makes_a_report_disappear(db: object) -> None:
    run_state_machine_as_test(
        ReportLifecycle,
        settings=settings(
            max_examples=15,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
