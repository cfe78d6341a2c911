"""Housing services: the register, the waiting list, the policy and allocations through
the real decisions services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from collegium.decisions import services as decisions
from collegium.decisions.models import Decision
from collegium.federation.permissions import PermissionDenied
from collegium.housing import selectors, services
from collegium.housing.models import Allocation, Application, Dwelling, HousingPolicy, Occupancy
from collegium.housing.services import HousingError
from collegium.notifications.models import Notification
from collegium.record.models import Entry
from tests.conftest import make_body, make_member
from tests.housing.conftest import NOW

pytestmark = pytest.mark.django_db

GOOD = {
    "code": "SRM-1",
    "address": "1 Factory Street, flat 4",
    "area_m2": "54.5",
    "rooms": "3",
    "condition": "fair",
}


def kinds() -> list[str]:
    return list(Entry.objects.order_by("index").values_list("kind", flat=True))


# ----------------------------------------------------------------------------- register


def test_board_registers_a_dwelling_on_the_record(small_federation: Any) -> None:
    f = small_federation
    d = services.dwelling_register(user=f.board_member.user, body=f.enterprise, now=NOW, **GOOD)
    assert (d.code, d.rooms, d.area_m2, d.state) == ("SRM-1", 3, Decimal("54.5"), "vacant")
    entry = Entry.objects.order_by("-index").first()
    assert entry is not None and entry.kind == "housing.dwelling_registered"
    assert "Factory" not in entry.payload  # the address is hashed


def test_rank_and_file_cannot_register(small_federation: Any) -> None:
    f = small_federation
    with pytest.raises(PermissionDenied, match="housing commission"):
        services.dwelling_register(user=f.worker.user, body=f.enterprise, now=NOW, **GOOD)
    assert not Dwelling.objects.exists()


def test_housing_commission_seat_holder_may_keep_the_register(small_federation: Any) -> None:
    from collegium.elections.services import board_seat_founding
    from collegium.record.services import SYSTEM

    f = small_federation
    commission = make_body("sormovo-housing", "Housing commission", "commission", f.enterprise)
    commission.function = "housing"
    commission.save()
    today = dt.date.today()
    board_seat_founding(
        user=None,
        actor=SYSTEM,
        body=commission,
        members=[f.worker],
        term_start=today - dt.timedelta(days=1),
        term_end=today + dt.timedelta(days=300),
    )
    d = services.dwelling_register(user=f.worker.user, body=f.enterprise, now=NOW, **GOOD)
    assert d.body == f.enterprise


def test_bad_dwelling_input_names_each_field_and_changes_nothing(small_federation: Any) -> None:
    f = small_federation
    before = kinds()
    with pytest.raises(HousingError) as caught:
        services.dwelling_register(
            user=f.board_member.user,
            body=f.enterprise,
            now=NOW,
            code="bad code!",
            address="",
            area_m2="-3",
            rooms="0",
            condition="awful",
        )
    assert set(caught.value.errors) == {"code", "address", "area_m2", "rooms", "condition"}
    assert not Dwelling.objects.exists()
    assert kinds() == before


def test_poor_condition_needs_a_note(small_federation: Any) -> None:
    f = small_federation
    with pytest.raises(HousingError) as caught:
        services.dwelling_register(
            user=f.board_member.user, body=f.enterprise, now=NOW, **{**GOOD, "condition": "poor"}
        )
    assert "condition_note" in caught.value.errors


def test_duplicate_code_is_refused(housing: Any) -> None:
    housing.dwelling("SRM-1")
    with pytest.raises(HousingError, match="already a dwelling"):
        services.dwelling_register(
            user=housing.board_member.user, body=housing.enterprise, now=NOW, **GOOD
        )


def test_update_and_vacancy_notice_to_the_board(housing: Any) -> None:
    d = housing.dwelling("SRM-2", state="under_repair")
    services.application_submit(
        user=housing.worker.user, body=housing.enterprise, household_size=3, now=NOW
    )
    services.dwelling_update(
        user=housing.board_member.user,
        dwelling=d,
        now=NOW,
        address=d.address,
        area_m2="50",
        rooms="2",
        condition="good",
        state="vacant",
    )
    d.refresh_from_db()
    assert d.state == "vacant"
    notice = Notification.objects.get(kind="housing.vacant")
    assert notice.member == housing.board_member
    assert "1 person is on the waiting list" in notice.title


def test_occupancy_history_and_the_sweep(housing: Any) -> None:
    d = housing.dwelling("SRM-3")
    occ = services.occupancy_record(
        user=housing.board_member.user,
        dwelling=d,
        head=housing.outsider,
        household_size=2,
        since="2020-01-01",
        until="2026-05-01",
        now=NOW,
    )
    d.refresh_from_db()
    assert d.state == "occupied"
    with pytest.raises(HousingError, match="occupied"):
        services.occupancy_record(
            user=housing.board_member.user,
            dwelling=d,
            head=housing.worker,
            household_size=1,
            since="2021-01-01",
            now=NOW,
        )
    assert services.housing_sweep(now=NOW) == {"housing_occupancies_ended": 1}
    assert services.housing_sweep(now=NOW) == {"housing_occupancies_ended": 0}
    occ.refresh_from_db()
    d.refresh_from_db()
    assert occ.ended and d.state == "vacant"
    assert [o.pk for o in selectors.dwelling_occupancies(d)] == [occ.pk]
    assert "housing.occupancy_ended" in kinds()


def test_occupancy_end_by_hand(housing: Any) -> None:
    d = housing.dwelling("SRM-4")
    occ = services.occupancy_record(
        user=housing.board_member.user,
        dwelling=d,
        head=housing.worker,
        household_size=2,
        since="2020-01-01",
        now=NOW,
    )
    with pytest.raises(HousingError) as caught:
        services.occupancy_end(
            user=housing.board_member.user, occupancy=occ, on="2019-01-01", now=NOW
        )
    assert "on" in caught.value.errors
    services.occupancy_end(user=housing.board_member.user, occupancy=occ, on="2026-05-20", now=NOW)
    occ.refresh_from_db()
    assert occ.ended and occ.until == dt.date(2026, 5, 20)


# -------------------------------------------------------------------------------- policy


def test_policy_with_a_negative_weight_is_refused_and_changes_nothing(
    small_federation: Any,
) -> None:
    f = small_federation
    before = kinds()
    with pytest.raises(HousingError) as caught:
        services.policy_set(
            user=f.board_member.user,
            body=f.enterprise,
            weights={
                "w_crowding": "-5",
                "w_conditions": "5",
                "w_waiting": "1",
                "w_unfit": "20",
                "no_dwelling_crowding": "3",
            },
            now=NOW,
        )
    assert list(caught.value.errors) == ["w_crowding"]
    assert "must not be negative" in caught.value.errors["w_crowding"]
    assert not HousingPolicy.objects.exists()
    assert kinds() == before


def _policy(f: Any, when: dt.datetime = NOW, **over: str) -> HousingPolicy:
    weights = {
        "w_crowding": "10",
        "w_conditions": "5",
        "w_waiting": "1",
        "w_unfit": "20",
        "no_dwelling_crowding": "3",
    }
    weights.update(over)
    return services.policy_set(
        user=f.board_member.user, body=f.enterprise, weights=weights, reason="why", now=when
    )


def test_policy_history_is_kept_and_only_the_board_sets_it(small_federation: Any) -> None:
    f = small_federation
    first = _policy(f)
    second = _policy(f, NOW + dt.timedelta(days=1), w_waiting="2")
    assert selectors.current_policy(f.enterprise) == second
    assert selectors.policy_history(f.enterprise) == [second, first]
    assert second.record_index is not None
    with pytest.raises(PermissionDenied):
        _policy_by(f.worker, f)


def _policy_by(member: Any, f: Any) -> None:
    services.policy_set(
        user=member.user,
        body=f.enterprise,
        weights={k: "1" for k in ("w_crowding", "w_conditions", "w_waiting", "w_unfit")}
        | {"no_dwelling_crowding": "1"},
        now=NOW,
    )


# -------------------------------------------------------------------------- waiting list


def test_one_active_application_per_member_and_body(housing: Any) -> None:
    f = housing
    a = services.application_submit(user=f.worker.user, body=f.enterprise, household_size=2)
    with pytest.raises(HousingError, match="already on the waiting list"):
        services.application_submit(user=f.worker.user, body=f.enterprise, household_size=2)
    services.application_withdraw(user=f.worker.user, application=a)
    a.refresh_from_db()
    assert a.state == "withdrawn"
    again = services.application_submit(user=f.worker.user, body=f.enterprise, household_size=2)
    assert again.state == "active"


def test_application_input_is_checked(housing: Any) -> None:
    f = housing
    with pytest.raises(HousingError) as caught:
        services.application_submit(
            user=f.worker.user,
            body=f.enterprise,
            household_size="0",
            current_dwelling="NOPE",
            current_rooms="2",
        )
    assert set(caught.value.errors) == {"household_size", "current_dwelling", "current_rooms"}
    with pytest.raises(PermissionDenied):
        services.application_submit(user=f.outsider.user, body=f.enterprise, household_size=2)
    assert not Application.objects.exists()


def test_only_the_applicant_withdraws(housing: Any) -> None:
    a = services.application_submit(
        user=housing.worker.user, body=housing.enterprise, household_size=2
    )
    with pytest.raises(PermissionDenied):
        services.application_withdraw(user=housing.board_member.user, application=a)


def test_waiting_list_order_and_terms(housing: Any) -> None:
    f = housing
    _policy(f)
    crowded = f.dwelling("OLD-1", rooms=1, state="occupied", condition="unfit", condition_note="x")
    first = services.application_submit(
        user=f.worker.user,
        body=f.enterprise,
        household_size=4,
        current_dwelling="OLD-1",
        needs_note="asthma",
        now=NOW - dt.timedelta(days=95),
    )
    second = services.application_submit(
        user=f.board_member.user,
        body=f.enterprise,
        household_size=2,
        current_rooms=2,
        now=NOW - dt.timedelta(days=400),
    )
    third = services.application_submit(
        user=f.congress_board_member.user, body=f.enterprise, household_size=1, now=NOW
    )
    listing = selectors.waiting_list(f.enterprise, NOW)
    assert [r.key.pk for r in listing.rows] == [first.pk, third.pk, second.pk]
    top = listing.rows[0].terms
    assert (top.crowding, top.conditions, top.waiting, top.unfit) == (Decimal("4.00"), 0, 3, 1)
    assert top.score == Decimal("63.00")  # 10×4 + 5×0 + 1×3 + 20×1
    assert listing.rows[1].terms.score == Decimal("30.00")  # no dwelling: 10×3
    assert listing.rows[2].terms.score == Decimal("23.00")  # 10×1 + 13 months
    assert crowded.pk == first.current_dwelling_id


def test_member_items_show_place_and_score(housing: Any) -> None:
    f = housing
    services.application_submit(user=f.worker.user, body=f.enterprise, household_size=3, now=NOW)
    items = selectors.member_items(f.worker, NOW)
    assert len(items) == 1
    assert "place 1 of 1" in items[0].title
    assert "need score 30.00" in items[0].note


# -------------------------------------------------------------------------- allocation


def _two_applicants(f: Any) -> tuple[Application, Application]:
    top = services.application_submit(
        user=f.worker.user, body=f.enterprise, household_size=5, now=NOW - dt.timedelta(days=60)
    )
    low = services.application_submit(
        user=f.congress_board_member.user,
        body=f.enterprise,
        household_size=1,
        current_rooms=3,
        now=NOW,
    )
    return top, low


def test_allocation_in_order_goes_through_the_board_and_moves_the_household_in(
    housing: Any,
) -> None:
    f = housing
    d = f.dwelling("NEW-1", rooms=3)
    top, _ = _two_applicants(f)
    items = selectors.agenda_items(f.enterprise, NOW)
    assert [i.kind for i in items] == ["housing_vacancy"]
    allocation = services.allocation_propose(
        user=f.board_member.user,
        dwelling=d,
        application=top,
        closes_at=NOW + dt.timedelta(days=2),
        now=NOW,
    )
    assert (allocation.rank, allocation.skipped, allocation.state) == (1, 0, "voting")
    assert allocation.decision is not None
    assert allocation.decision.subject_kind == "housing.allocation"
    assert [i.kind for i in selectors.agenda_items(f.enterprise, NOW)] == ["housing_allocation"]
    decisions.roll_call_vote(
        user=f.board_member.user,
        decision=allocation.decision,
        vote="yes",
        now=NOW + dt.timedelta(hours=1),
    )
    decisions.decisions_sweep(now=NOW + dt.timedelta(days=3))
    allocation.refresh_from_db()
    decision = Decision.objects.get(pk=allocation.decision_id)
    assert decision.state in ("review", "final")
    decisions.decisions_sweep(now=NOW + dt.timedelta(days=60))
    decision.refresh_from_db()
    allocation.refresh_from_db()
    top.refresh_from_db()
    d.refresh_from_db()
    assert decision.state == "final"
    assert allocation.state == "allocated"
    assert top.state == "housed"
    assert d.state == "occupied"
    occupancy = Occupancy.objects.get(dwelling=d)
    assert occupancy.head == f.worker and occupancy.household_size == 5
    assert occupancy.allocation == allocation
    recorded = kinds()
    for kind in ("housing.allocated", "housing.occupancy_recorded", "housing.application_closed"):
        assert kind in recorded
    assert Notification.objects.filter(member=f.worker, kind="housing.allocated").exists()


def test_rejected_allocation_lapses(housing: Any) -> None:
    f = housing
    d = f.dwelling("NEW-2")
    top, _ = _two_applicants(f)
    allocation = services.allocation_propose(
        user=f.board_member.user,
        dwelling=d,
        application=top,
        closes_at=NOW + dt.timedelta(days=2),
        now=NOW,
    )
    assert allocation.decision is not None
    decisions.roll_call_vote(
        user=f.board_member.user, decision=allocation.decision, vote="no", now=NOW
    )
    decisions.decisions_sweep(now=NOW + dt.timedelta(days=3))
    allocation.refresh_from_db()
    d.refresh_from_db()
    top.refresh_from_db()
    assert allocation.state == "lapsed"
    assert d.state == "vacant" and top.state == "active"
    assert "housing.allocation_lapsed" in kinds()


def test_skipping_people_needs_a_reason(housing: Any) -> None:
    f = housing
    d = f.dwelling("NEW-3")
    _, low = _two_applicants(f)
    before = kinds()
    with pytest.raises(HousingError) as caught:
        services.allocation_propose(
            user=f.board_member.user,
            dwelling=d,
            application=low,
            closes_at=NOW + dt.timedelta(days=2),
            now=NOW,
        )
    assert "passes over 1 person" in caught.value.errors["reason"]
    assert kinds() == before and not Allocation.objects.exists()
    allocation = services.allocation_propose(
        user=f.board_member.user,
        dwelling=d,
        application=low,
        reason="ground floor needed for a wheelchair",
        closes_at=NOW + dt.timedelta(days=2),
        now=NOW,
    )
    assert (allocation.rank, allocation.skipped) == (2, 1)


@pytest.mark.parametrize(
    ("state", "condition", "words"),
    [
        ("occupied", "good", "is occupied"),
        ("vacant", "unfit", "unfit to live in"),
        ("under_repair", "good", "under repair"),
    ],
)
def test_cannot_allocate_an_occupied_or_unfit_dwelling(
    housing: Any, state: str, condition: str, words: str
) -> None:
    f = housing
    d = f.dwelling("BAD-1", state=state, condition=condition, condition_note="n")
    top, _ = _two_applicants(f)
    with pytest.raises(HousingError) as caught:
        services.allocation_propose(
            user=f.board_member.user,
            dwelling=d,
            application=top,
            closes_at=NOW + dt.timedelta(days=2),
            now=NOW,
        )
    assert words in caught.value.errors["dwelling"]


def test_cannot_allocate_to_a_withdrawn_application(housing: Any) -> None:
    f = housing
    d = f.dwelling("NEW-4")
    top, _ = _two_applicants(f)
    services.application_withdraw(user=f.worker.user, application=top)
    with pytest.raises(HousingError) as caught:
        services.allocation_propose(
            user=f.board_member.user,
            dwelling=d,
            application=top,
            closes_at=NOW + dt.timedelta(days=2),
            now=NOW,
        )
    assert "withdrawn" in caught.value.errors["application"]


def test_only_the_board_proposes_an_allocation(housing: Any) -> None:
    f = housing
    d = f.dwelling("NEW-5")
    top, _ = _two_applicants(f)
    with pytest.raises(PermissionDenied):
        services.allocation_propose(
            user=f.worker.user,
            dwelling=d,
            application=top,
            closes_at=NOW + dt.timedelta(days=2),
            now=NOW,
        )


def test_open_confirmed_condition_reports_raise_the_score(housing: Any) -> None:
    from collegium.conditions.models import ConditionReport, Hazard

    f = housing
    _policy(f)
    home = f.dwelling("DAMP-1", rooms=2, state="occupied")
    application = services.application_submit(
        user=f.worker.user, body=f.enterprise, household_size=2, current_dwelling="DAMP-1", now=NOW
    )
    base = selectors.waiting_list(f.enterprise, NOW).rows[0].terms
    assert (base.conditions, base.score) == (0, Decimal("10.00"))

    def report(state: str) -> None:
        ConditionReport.objects.create(
            body=f.enterprise,
            place="dwelling",
            location="kitchen",
            dwelling=home,
            hazard=Hazard.values[0],
            severity=2,
            people_affected=2,
            title="Damp",
            description="Mould on the walls",
            reporter=f.worker,
            state=state,
            confirmations_needed=1,
            responsible=f.enterprise,
            created_at=NOW,
        )

    report("open")
    report("awaiting")  # not confirmed: does not count
    report("fixed")  # fixed: does not count
    terms = selectors.waiting_list(f.enterprise, NOW).rows[0].terms
    assert (terms.conditions, terms.score) == (1, Decimal("15.00"))
    assert selectors.application_terms(application, NOW) == terms


def test_allocation_lapses_when_the_dwelling_turned_unfit_before_it_was_final(
    housing: Any,
) -> None:
    f = housing
    d = f.dwelling("NEW-6")
    top, _ = _two_applicants(f)
    allocation = services.allocation_propose(
        user=f.board_member.user,
        dwelling=d,
        application=top,
        closes_at=NOW + dt.timedelta(days=2),
        now=NOW,
    )
    assert allocation.decision is not None
    decisions.roll_call_vote(
        user=f.board_member.user, decision=allocation.decision, vote="yes", now=NOW
    )
    decisions.decisions_sweep(now=NOW + dt.timedelta(days=3))
    services.dwelling_update(
        user=f.board_member.user,
        dwelling=d,
        address=d.address,
        area_m2="50",
        rooms="2",
        condition="unfit",
        condition_note="The roof fell in",
        now=NOW + dt.timedelta(days=4),
    )
    decisions.decisions_sweep(now=NOW + dt.timedelta(days=60))
    allocation.refresh_from_db()
    top.refresh_from_db()
    assert allocation.state == "lapsed" and "no longer vacant and fit" in allocation.lapse_reason
    assert top.state == "active"
    assert not Occupancy.objects.filter(dwelling=d).exists()


def test_withdrawing_while_an_allocation_is_before_the_board_is_refused(housing: Any) -> None:
    f = housing
    d = f.dwelling("NEW-7")
    top, _ = _two_applicants(f)
    services.allocation_propose(
        user=f.board_member.user,
        dwelling=d,
        application=top,
        closes_at=NOW + dt.timedelta(days=2),
        now=NOW,
    )
    with pytest.raises(HousingError, match="before the board"):
        services.application_withdraw(user=f.worker.user, application=top)


def test_many_vacant_dwellings_are_one_agenda_item(housing: Any) -> None:
    f = housing
    for i in range(7):
        f.dwelling(f"BLOCK-{i}")
    assert selectors.agenda_items(f.enterprise, NOW) == []  # nobody waiting
    services.application_submit(user=f.worker.user, body=f.enterprise, household_size=2)
    items = selectors.agenda_items(f.enterprise, NOW)
    assert [(i.kind, i.title) for i in items] == [
        ("housing_vacancy", "7 vacant dwellings to allocate")
    ]
    assert items[0].note == "1 person on the waiting list"


def test_allocation_overturned_by_the_members_lapses(housing: Any) -> None:
    f = housing
    d = f.dwelling("NEW-8")
    top, _ = _two_applicants(f)
    allocation = services.allocation_propose(
        user=f.board_member.user,
        dwelling=d,
        application=top,
        closes_at=NOW + dt.timedelta(days=1),
        now=NOW,
    )
    assert allocation.decision is not None
    decisions.roll_call_vote(
        user=f.board_member.user, decision=allocation.decision, vote="yes", now=NOW
    )
    decisions.decisions_sweep(now=NOW + dt.timedelta(days=2))
    decision = Decision.objects.get(pk=allocation.decision_id)
    assert decision.state == "review"
    # The petition: members sign until the charter's share is reached.
    referendum = None
    for member in (f.worker, f.congress_board_member, f.board_member):
        referendum = referendum or decisions.review_sign(
            user=member.user, decision=decision, now=NOW + dt.timedelta(days=2, hours=1)
        )
    assert referendum is not None
    for member in (f.worker, f.congress_board_member, f.board_member):
        decisions.referendum_cast(
            user=member.user,
            decision=referendum,
            choice="yes",
            now=NOW + dt.timedelta(days=2, hours=2),
        )
    decisions.decisions_sweep(now=referendum.closes_at + dt.timedelta(minutes=1))
    decision.refresh_from_db()
    allocation.refresh_from_db()
    d.refresh_from_db()
    assert decision.state == "overturned"
    assert allocation.state == "lapsed" and allocation.lapse_reason == "the decision is overturned"
    assert d.state == "vacant"


def test_a_policy_change_tells_applicants_who_moved_far(housing: Any) -> None:
    f = housing
    members = [make_member(f"w{i}", "Waiting", f"N{i}", f.shop) for i in range(6)]
    # Five crowded households applied today; one alone applied three years ago.
    for m in members[:5]:
        services.application_submit(
            user=m.user, body=f.enterprise, household_size=6, current_rooms=1, now=NOW
        )
    services.application_submit(
        user=members[5].user,
        body=f.enterprise,
        household_size=1,
        current_rooms=3,
        now=NOW - dt.timedelta(days=1100),
    )
    assert selectors.waiting_list(f.enterprise, NOW).place_of_member(members[5].pk).rank == 6
    _policy(f, NOW, w_crowding="1", w_waiting="10")  # waiting time now counts most
    notice = Notification.objects.get(kind="housing.place_changed")
    assert notice.member == members[5]
    assert "your place on the waiting list is 1 (was 6)" in notice.title
