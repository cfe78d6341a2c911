from __future__ import annotations

import pytest

from collegium.federation.models import Charter, CharterChange
from collegium.federation.permissions import PermissionDenied
from collegium.federation.selectors import charter_as_dict, charter_effective
from collegium.federation.services import CharterChangeError, charter_change
from collegium.record.models import Entry


def test_charter_is_inherited_down_the_tree(small_federation):
    f = small_federation
    charter_change(
        user=f.congress_board_member.user,
        body=None,
        changes={"board_seats": 9},
        reason="Bigger boards everywhere",
    )
    assert charter_as_dict(f.shop)["board_seats"] == 9
    charter_change(
        user=f.board_member.user,
        body=f.enterprise,
        changes={"board_seats": 5},
        reason="A small works",
    )
    assert charter_as_dict(f.shop)["board_seats"] == 5
    assert charter_as_dict(f.other_shop)["board_seats"] == 9
    values = {v.name: v for v in charter_effective(f.shop)}
    assert values["board_seats"].source == f.enterprise.name
    assert values["term_months"].source == "federation default"
    own = {v.name: v for v in charter_effective(f.enterprise)}
    assert own["board_seats"].own and own["board_seats"].source == "this body"


def test_charter_change_is_recorded_with_reason_digest(small_federation):
    f = small_federation
    change = charter_change(
        user=f.board_member.user,
        body=f.enterprise,
        changes={"review_window_days": "7"},
        reason="Faster review",
    )
    entry = Entry.objects.get(index=change.record_index)
    assert entry.kind == "charter.changed" and entry.body == f.enterprise
    assert "Faster review" not in entry.payload
    assert '"review_window_days":{"from":null,"to":7}' in entry.payload
    assert entry.actor_id == f.board_member.public_id


def test_clearing_an_override_inherits_again(small_federation):
    f = small_federation
    charter_change(
        user=f.board_member.user, body=f.enterprise, changes={"term_limit": 3}, reason="r"
    )
    charter_change(
        user=f.board_member.user,
        body=f.enterprise,
        changes={"term_limit": ""},
        reason="back to the default",
    )
    assert charter_as_dict(f.enterprise)["term_limit"] == 2


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"board_seats": -1}, "board_seats", "out of range"),
        ({"production_worker_quota_pct": 101}, "production_worker_quota_pct", "between 0 and 100"),
        ({"term_months": "two"}, "term_months", "whole number"),
        ({"nonsense": 1}, "nonsense", "not a charter field"),
    ],
)
def test_bad_charter_values_change_nothing(small_federation, changes, field, message):
    f = small_federation
    before = Entry.objects.count()
    with pytest.raises(CharterChangeError) as exc:
        charter_change(user=f.board_member.user, body=f.enterprise, changes=changes, reason="r")
    assert message in exc.value.errors[field]
    assert Entry.objects.count() == before
    assert not Charter.objects.filter(body=f.enterprise).exists()


def test_reason_is_required(small_federation):
    f = small_federation
    with pytest.raises(CharterChangeError) as exc:
        charter_change(
            user=f.board_member.user, body=f.enterprise, changes={"board_seats": 5}, reason="  "
        )
    assert "reason" in exc.value.errors


def test_federation_default_cannot_be_emptied(small_federation):
    f = small_federation
    with pytest.raises(CharterChangeError):
        charter_change(
            user=f.congress_board_member.user, body=None, changes={"board_seats": None}, reason="r"
        )


@pytest.mark.parametrize("who", ["worker", "outsider", "operator", "congress_board_member"])
def test_only_the_board_of_the_body_changes_its_charter(small_federation, who):
    f = small_federation
    person = getattr(f, who)
    user = getattr(person, "user", person)
    with pytest.raises(PermissionDenied):
        charter_change(user=user, body=f.enterprise, changes={"board_seats": 5}, reason="r")
    assert not CharterChange.objects.exists()
