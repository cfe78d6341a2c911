"""A small federation with a moderation commission serving it (on the congress) whose
member works in another enterprise and sits on no other board."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from tests.conftest import SmallFederation, make_body, make_member


@dataclass
class Crit:
    fed: SmallFederation
    commission: Any  # the moderation commission (on the congress)
    moderator: Any  # sits on the commission only
    cosigner: Any  # rank-and-file member of the forge shop
    cosigner2: Any


def seat(body: Any, members: list[Any]) -> None:
    from collegium.elections.services import board_seat_founding
    from collegium.record.services import SYSTEM

    today = dt.date.today()
    board_seat_founding(
        user=None,
        actor=SYSTEM,
        body=body,
        members=members,
        term_start=today - dt.timedelta(days=30),
        term_end=today + dt.timedelta(days=700),
    )


@pytest.fixture
def crit(small_federation: SmallFederation) -> Crit:
    return build_crit(small_federation)


def build_crit(fed: SmallFederation) -> Crit:
    commission = make_body(
        "congress-moderation", "Moderation commission", "commission", fed.congress
    )
    commission.function = "moderation"
    commission.save(update_fields=["function"])
    moderator = make_member("3001", "Olga", "Moderova", fed.other_shop)
    seat(commission, [moderator])
    cosigner = make_member("1004", "Boris", "Smirnov", fed.shop)
    cosigner2 = make_member("1005", "Lidia", "Volkova", fed.shop)
    return Crit(fed, commission, moderator, cosigner, cosigner2)
