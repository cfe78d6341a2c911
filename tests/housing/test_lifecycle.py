"""Random sequences of housing services (and the board's votes and the sweep) never leave
the register inconsistent: a dwelling is occupied exactly when one household lives there,
one active application per member and body, an allocation that took effect housed its
applicant, and every state is one the lifecycle tables allow."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collegium.decisions import services as decisions
from collegium.decisions.services import DecisionError
from collegium.housing import services
from collegium.housing.models import Allocation, Application, Dwelling, Occupancy
from collegium.housing.services import HousingError
from collegium.housing.transitions import ALLOCATION, APPLICATION, DWELLING
from tests.housing.conftest import NOW

pytestmark = pytest.mark.django_db

N_DWELLINGS = 2
# Every run starts from two registered dwellings and three applicants, then goes at random.
PRELUDE: list[tuple[Any, ...]] = [
    ("register", 0),
    ("register", 1),
    ("apply", 0),
    ("apply", 1),
    ("apply", 2),
]
actions = st.lists(
    st.one_of(
        st.tuples(st.just("register"), st.integers(0, N_DWELLINGS - 1)),
        st.tuples(st.just("occupy"), st.integers(0, N_DWELLINGS - 1), st.integers(0, 2)),
        st.tuples(st.just("end"), st.integers(0, N_DWELLINGS - 1)),
        st.tuples(
            st.just("state"),
            st.integers(0, N_DWELLINGS - 1),
            st.sampled_from(["vacant", "under_repair"]),
        ),
        st.tuples(
            st.just("condition"),
            st.integers(0, N_DWELLINGS - 1),
            st.sampled_from(["good", "unfit"]),
        ),
        st.tuples(st.just("apply"), st.integers(0, 2)),
        st.tuples(st.just("withdraw"), st.integers(0, 2)),
        # Allocations, votes and time passing weigh more: they are the long paths.
        *[st.tuples(st.just("allocate"), st.integers(0, N_DWELLINGS - 1), st.integers(0, 2))] * 3,
        *[st.tuples(st.just("vote"), st.sampled_from(["yes", "yes", "no"]))] * 3,
        *[st.tuples(st.just("sweep"), st.integers(1, 20))] * 3,
    ),
    min_size=10,
    max_size=30,
)


def _check() -> None:
    for d in Dwelling.objects.all():
        open_ = Occupancy.objects.filter(dwelling=d, ended=False).count()
        assert open_ <= 1
        assert (d.state == "occupied") == (open_ == 1), (d.code, d.state, open_)
        assert d.state in DWELLING
    for a in Application.objects.all():
        assert a.state in APPLICATION
    active = list(Application.objects.filter(state="active").values_list("body_id", "member_id"))
    assert len(active) == len(set(active))
    for al in Allocation.objects.all():
        assert al.state in ALLOCATION
        if al.state == "allocated":
            assert al.application.state == "housed"
            assert Occupancy.objects.filter(allocation=al).exists()
    assert Allocation.objects.filter(state="voting").values("dwelling").distinct().count() == (
        Allocation.objects.filter(state="voting").count()
    )


@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=actions)
def test_random_sequences_keep_the_register_consistent(
    small_federation: Any, steps: list[tuple[Any, ...]]
) -> None:
    f = small_federation
    people = [f.worker, f.board_member, f.congress_board_member]
    board = f.board_member.user
    with transaction.atomic():
        now = NOW
        for step in PRELUDE + steps:
            kind = step[0]
            code = (
                f"D{step[1]}"
                if kind in ("register", "occupy", "end", "state", "condition", "allocate")
                else ""
            )
            d = Dwelling.objects.filter(code=code).first() if code else None
            try:
                if kind == "register":
                    services.dwelling_register(
                        user=board,
                        body=f.enterprise,
                        now=now,
                        code=code,
                        address="1 St",
                        area_m2="40",
                        rooms="2",
                        condition="good",
                    )
                elif kind == "occupy" and d is not None:
                    services.occupancy_record(
                        user=board,
                        dwelling=d,
                        head=people[step[2]],
                        household_size=2,
                        since="2020-01-01",
                        now=now,
                    )
                elif kind == "end" and d is not None:
                    o = Occupancy.objects.filter(dwelling=d, ended=False).first()
                    if o is not None:
                        services.occupancy_end(user=board, occupancy=o, on="2026-01-01", now=now)
                elif kind in ("state", "condition") and d is not None:
                    fields = {
                        "address": d.address,
                        "area_m2": str(d.area_m2),
                        "rooms": str(d.rooms),
                        "condition": d.condition,
                        "condition_note": "n",
                    }
                    fields[step[0]] = step[2]
                    services.dwelling_update(user=board, dwelling=d, now=now, **fields)
                elif kind == "apply":
                    services.application_submit(
                        user=people[step[1]].user, body=f.enterprise, household_size=3, now=now
                    )
                elif kind == "withdraw":
                    a = Application.objects.filter(member=people[step[1]], state="active").first()
                    if a is not None:
                        services.application_withdraw(user=people[step[1]].user, application=a)
                elif kind == "allocate" and d is not None:
                    a = Application.objects.filter(member=people[step[2]], state="active").first()
                    if a is not None:
                        services.allocation_propose(
                            user=board,
                            dwelling=d,
                            application=a,
                            reason="need",
                            closes_at=now + dt.timedelta(days=1),
                            now=now,
                        )
                elif kind == "vote":
                    al = Allocation.objects.filter(state="voting", decision__state="voting").first()
                    if al is not None and al.decision is not None:
                        decisions.roll_call_vote(
                            user=board, decision=al.decision, vote=step[1], now=now
                        )
                elif kind == "sweep":
                    now += dt.timedelta(days=step[1])
                    decisions.decisions_sweep(now=now)
                    services.housing_sweep(now=now)
            except (HousingError, DecisionError):
                pass
            _check()
        transaction.set_rollback(True)
