"""Property: no sequence of actions by any role other than the moderation commission
makes a criticism disappear from its body's listing or hides it; every moderation act
leaves a record entry; an anonymous author never appears on the record; states follow
the lifecycle table and the escalation history only grows."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from collegium.criticism import selectors as sel
from collegium.criticism import services as s
from collegium.criticism.models import Criticism, Level, ModerationAct
from collegium.criticism.transitions import CRITICISM, CriticismError
from collegium.federation.permissions import PermissionDenied
from collegium.record.models import Entry
from tests.conftest import make_body, make_member
from tests.criticism.conftest import seat
from tests.machines import RolledBackMachine

T = TypeVar("T")
REFUSALS = (CriticismError, PermissionDenied)
REASONS = ["Threatens or incites violence against a person", "not a charter reason"]
# Roles: 0 critic, 1-2 co-signers, 3 enterprise board, 4 congress board, 5 outsider,
# 6 moderator (the commission).
ROLES = st.integers(0, 6)
NOT_MODERATOR = st.integers(0, 5)
MODERATOR = 6


class CriticismLifecycle(RolledBackMachine):
    @initialize()
    def federation(self) -> None:
        self.now = timezone.now()
        congress = make_body("c", "Congress", "congress", None)
        union = make_body("u", "Union", "industrial_union", congress)
        self.works = make_body("w", "Works", "enterprise", union)
        shop = make_body("w-1", "Shop", "shop", self.works)
        other = make_body("o", "Other works", "enterprise", union)
        commission = make_body("c-mod", "Moderation", "commission", congress)
        commission.function = "moderation"
        commission.save(update_fields=["function"])
        self.members = [
            make_member("m0", "Critic", "A", shop),
            make_member("m1", "Co", "B", shop),
            make_member("m2", "Co", "C", shop),
            make_member("m3", "Board", "D", shop),
            make_member("m4", "Congress", "E", other),
            make_member("m5", "Outsider", "F", other),
            make_member("m6", "Moderator", "G", other),
        ]
        seat(self.works, [self.members[3]])
        seat(congress, [self.members[4]])
        seat(commission, [self.members[6]])
        self.published: set[int] = set()
        self.hidden_by_commission: set[int] = set()
        self.levels: dict[int, int] = {}

    def _try(self, action: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        try:
            with transaction.atomic():
                return action(*args, **kwargs)
        except REFUSALS:
            return None

    def _items(self) -> list[Criticism]:
        return list(Criticism.objects.order_by("pk"))

    @rule(who=ROLES, anonymous=st.booleans(), to_congress=st.booleans())
    def publish(self, who: int, anonymous: bool, to_congress: bool) -> None:
        body = self.works.parent.parent if to_congress else self.works
        c = self._try(
            s.criticism_publish,
            user=self.members[who].user,
            body=body,
            title="Title",
            text="Text",
            anonymous=anonymous,
            now=self.now,
        )
        if c is not None:
            self.published.add(c.pk)

    @rule(who=ROLES, i=st.integers(0, 3))
    def cosign(self, who: int, i: int) -> None:
        for c in self._items()[i : i + 1]:
            self._try(s.criticism_cosign, user=self.members[who].user, criticism=c, now=self.now)

    @rule(who=ROLES, i=st.integers(0, 3))
    def edit_and_add(self, who: int, i: int) -> None:
        for c in self._items()[i : i + 1]:
            user = self.members[who].user
            self._try(s.criticism_edit, user=user, criticism=c, title="New", text="New text")
            self._try(s.addition_add, user=user, criticism=c, text="More", now=self.now)

    @rule(who=ROLES, i=st.integers(0, 3))
    def respond(self, who: int, i: int) -> None:
        for c in self._items()[i : i + 1]:
            self._try(
                s.response_publish,
                user=self.members[who].user,
                criticism=c,
                text="Answer",
                now=self.now,
            )

    @rule(who=ROLES, i=st.integers(0, 3), satisfied=st.booleans())
    def mark(self, who: int, i: int, satisfied: bool) -> None:
        for c in self._items()[i : i + 1]:
            self._try(
                s.response_mark,
                user=self.members[who].user,
                criticism=c,
                satisfied=satisfied,
                now=self.now,
            )

    @rule(days=st.integers(0, 20))
    def time_passes_and_sweep(self, days: int) -> None:
        self.now += dt.timedelta(days=days)
        s.criticism_sweep(now=self.now)

    @rule(who=NOT_MODERATOR, i=st.integers(0, 3), reason=st.sampled_from(REASONS))
    def others_try_to_hide(self, who: int, i: int, reason: str) -> None:
        for c in self._items()[i : i + 1]:
            act = self._try(
                s.criticism_hide, user=self.members[who].user, criticism=c, reason=reason
            )
            assert act is None, "only the moderation commission hides"

    @rule(i=st.integers(0, 3), reason=st.sampled_from(REASONS))
    def commission_hides(self, i: int, reason: str) -> None:
        for c in self._items()[i : i + 1]:
            act = self._try(
                s.criticism_hide,
                user=self.members[MODERATOR].user,
                criticism=c,
                reason=reason,
                now=self.now,
            )
            if act is not None:
                self.hidden_by_commission.add(c.pk)

    @rule(who=ROLES, i=st.integers(0, 3))
    def look_and_appeal(self, who: int, i: int) -> None:
        for c in self._items()[i : i + 1]:
            user = self.members[who].user
            self._try(s.author_reveal, user=user, criticism=c, reason=REASONS[0], now=self.now)
            for act in ModerationAct.objects.filter(criticism=c, kind="hide"):
                self._try(s.appeal_sign, user=user, act=act, now=self.now)

    @invariant()
    def never_disappears(self) -> None:
        if not self.published:
            return
        viewer = self.members[3]
        listed = set(
            sel.body_criticism(self.works, viewer, now=self.now).values_list("pk", flat=True)
        ) | set(
            sel.body_criticism(self.works.parent.parent, viewer, now=self.now).values_list(
                "pk", flat=True
            )
        )
        assert self.published <= listed
        assert Criticism.objects.count() == len(self.published)

    @invariant()
    def only_the_commission_hides(self) -> None:
        hidden = set(Criticism.objects.filter(hidden=True).values_list("pk", flat=True))
        assert hidden <= self.hidden_by_commission

    @invariant()
    def every_moderation_act_is_on_the_record(self) -> None:
        acts = set(ModerationAct.objects.values_list("public_id", flat=True))
        recorded = {
            json.loads(p)["data"]["act"]
            for p in Entry.objects.filter(
                kind__in=["criticism.hidden", "criticism.shown_again"]
            ).values_list("payload", flat=True)
        }
        assert acts == recorded

    @invariant()
    def history_only_grows_and_states_are_known(self) -> None:
        for c in Criticism.objects.all():
            assert c.state in CRITICISM
            n = Level.objects.filter(criticism=c).count()
            assert n == c.level + 1
            assert n >= self.levels.get(c.pk, 0)
            self.levels[c.pk] = n

    @invariant()
    def anonymous_authors_stay_off_the_record(self) -> None:
        for c in Criticism.objects.filter(anonymous=True).select_related("author"):
            assert not Entry.objects.filter(
                kind__startswith="criticism.",
                payload__contains=c.public_id,
                actor_id=c.author.public_id,
            ).exists()


def test_no_sequence_of_actions_silences_criticism(db: object) -> None:
    run_state_machine_as_test(
        CriticismLifecycle,
        settings=settings(
            max_examples=20,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
