"""Who keeps a body's housing register: its board, or the housing commission that
serves it (seat-holders of that commission)."""

from __future__ import annotations

from typing import Any

from collegium.federation.models import Body, Member
from collegium.federation.permissions import holds_seat, member_of


def housing_commission(body: Body) -> Body | None:
    from collegium.federation.selectors import commission_for

    return commission_for(body, "housing")


def manages_housing(member: Member | None, body: Body) -> bool:
    """The board of the body, or a seat-holder of the housing commission serving it."""
    if member is None or not member.active:
        return False
    if holds_seat(member, body):
        return True
    commission = housing_commission(body)
    return commission is not None and holds_seat(member, commission)


def can_manage_housing(user: Any, body: Body) -> bool:
    return manages_housing(member_of(user), body)


def can_import_dwellings(user: Any, body: Body) -> bool:
    """The operator (installation and imports) or those who keep the register."""
    return bool(getattr(user, "is_operator", False)) or can_manage_housing(user, body)
