"""Shared fixtures: a small federation with a board, members of two shops, an operator."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

# Django is imported inside the fixtures, so the pure cores' tests also run with
# ``-p no:django``.


@dataclass
class SmallFederation:
    congress: Any  # Body
    union: Any
    enterprise: Any
    shop: Any
    other_enterprise: Any
    other_shop: Any
    worker: Any  # Member: rank-and-file member of ``shop``
    board_member: Any  # holds a seat on the board of ``enterprise`` (works in ``shop``)
    congress_board_member: Any
    outsider: Any  # works in ``other_shop``
    operator: Any


def make_body(code: str, name: str, kind: str, parent: Any) -> Any:
    from collegium.federation.models import Body
    from collegium.federation.services import body_place

    body = Body.objects.create(code=code, name=name, kind=kind, parent=parent, path="")
    body_place(body)
    return body


def make_member(
    number: str,
    given: str,
    family: str,
    workplace: Any,
    category: str = "production_worker",
    password: str | None = "pw",
) -> Any:
    from django.contrib.auth import get_user_model

    from collegium.federation.models import Category, Member

    user = get_user_model().objects.create_user(username=number, password=password)
    return Member.objects.create(
        member_no=number,
        given_name=given,
        family_name=family,
        email=f"{number}@example.org",
        category=Category.objects.get(code=category),
        workplace=workplace,
        user=user,
    )


@pytest.fixture
def small_federation(db: Any) -> SmallFederation:
    from django.contrib.auth import get_user_model

    from collegium.elections.services import board_seat_founding
    from collegium.record.services import SYSTEM

    congress = make_body("congress", "Congress of Producers", "congress", None)
    union = make_body("metal", "Metalworkers' Union", "industrial_union", congress)
    enterprise = make_body("sormovo", "Sormovo Works", "enterprise", union)
    shop = make_body("sormovo-forge", "Forge shop", "shop", enterprise)
    other_enterprise = make_body("putilov", "Putilov Works", "enterprise", union)
    other_shop = make_body("putilov-rolling", "Rolling mill", "shop", other_enterprise)
    worker = make_member("1001", "Anna", "Petrova", shop)
    board_member = make_member("1002", "Ivan", "Sokolov", shop)
    congress_board_member = make_member("1003", "Vera", "Orlova", shop, "technical_specialist")
    outsider = make_member("2001", "Pavel", "Kuznetsov", other_shop)
    operator = get_user_model().objects.create_user(
        username="operator", password="pw", is_operator=True
    )
    today = dt.date.today()
    term = (today - dt.timedelta(days=30), today + dt.timedelta(days=700))
    board_seat_founding(
        user=None,
        actor=SYSTEM,
        body=enterprise,
        members=[board_member],
        term_start=term[0],
        term_end=term[1],
    )
    board_seat_founding(
        user=None,
        actor=SYSTEM,
        body=congress,
        members=[congress_board_member],
        term_start=term[0],
        term_end=term[1],
    )
    return SmallFederation(
        congress,
        union,
        enterprise,
        shop,
        other_enterprise,
        other_shop,
        worker,
        board_member,
        congress_board_member,
        outsider,
        operator,
    )


_guards_lifted = False


@pytest.fixture
def record_guards_lifted(django_db_setup: Any, django_db_blocker: Any) -> None:
    """The one sanctioned way to lift the record's append-only triggers: for tests that
    must empty a throwaway database (live-server / transactional tests).

    The guards come back at the start of the next test (``_record_guards_restored``),
    not at this one's teardown: pytest-django may flush the database after every fixture
    the test names is torn down, and the flush must still find the guards lifted.
    """
    global _guards_lifted
    from django.db import connection

    from collegium.record import triggers

    with django_db_blocker.unblock():
        triggers.remove(connection)
        reseed()
    _guards_lifted = True


def reseed() -> None:
    """Put back what the migrations seed (categories, the default charter): a flushed
    database lost them."""
    from collegium.federation.models import Category, Charter

    seed = __import__(
        "collegium.federation.migrations.0002_default_categories_and_charter",
        fromlist=["CATEGORIES", "DEFAULT_CHARTER"],
    )
    for code, name, position in seed.CATEGORIES:
        Category.objects.get_or_create(code=code, defaults={"name": name, "position": position})
    if not Charter.objects.filter(body__isnull=True).exists():
        from collegium.federation.charters import DEFAULTS

        Charter.objects.create(body=None, **DEFAULTS)


@pytest.fixture(autouse=True)
def _record_guards_restored(request: pytest.FixtureRequest) -> None:
    global _guards_lifted
    if not _guards_lifted:
        return
    django_db_blocker = request.getfixturevalue("django_db_blocker")
    from django.db import connection

    from collegium.record import triggers

    with django_db_blocker.unblock():
        triggers.install(connection)
    _guards_lifted = False
