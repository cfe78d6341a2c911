from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from collegium.federation.permissions import (
    belongs_to,
    can_change_charter,
    can_import,
    can_see_member,
    can_see_member_list,
)


def test_members_belong_to_their_workplace_and_every_body_above(small_federation):
    f = small_federation
    for body in (f.shop, f.enterprise, f.union, f.congress):
        assert belongs_to(f.worker, body)
    assert not belongs_to(f.worker, f.other_shop)
    assert not belongs_to(f.worker, f.other_enterprise)


def test_member_lists_are_for_members_of_the_body(small_federation):
    f = small_federation
    assert can_see_member_list(f.worker.user, f.enterprise)
    assert not can_see_member_list(f.outsider.user, f.enterprise)
    assert can_see_member_list(f.outsider.user, f.union)
    assert not can_see_member_list(AnonymousUser(), f.congress)
    assert not can_see_member_list(f.operator, f.congress)


def test_member_pages_are_seen_within_a_shared_body(small_federation):
    f = small_federation
    assert can_see_member(f.worker.user, f.board_member)
    assert can_see_member(f.outsider.user, f.worker)  # both in the union
    assert not can_see_member(AnonymousUser(), f.worker)


def test_inactive_members_lose_their_rights(small_federation):
    f = small_federation
    f.worker.active = False
    f.worker.save()
    assert not can_see_member_list(f.worker.user, f.shop)


def test_rights_come_from_seats_not_from_the_operator(small_federation):
    f = small_federation
    assert can_change_charter(f.board_member.user, f.enterprise)
    assert not can_change_charter(f.board_member.user, f.shop)
    assert can_change_charter(f.congress_board_member.user, None)
    assert not can_change_charter(f.operator, None)
    assert can_import(f.operator) and not can_import(f.board_member.user)


def test_a_member_no_longer_active_holds_no_seat(small_federation):
    from collegium.federation.permissions import holds_seat

    f = small_federation
    assert holds_seat(f.board_member, f.enterprise)
    f.board_member.active = False
    assert not holds_seat(f.board_member, f.enterprise)
