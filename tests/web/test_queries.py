"""List pages make the same number of queries however large the federation grows."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from collegium.federation.services import charter_change
from tests.conftest import make_body, make_member

pytestmark = pytest.mark.django_db

# Three more for a signed-in member: the unread notices, and the workplace and its
# enterprise (for the "Decisions" link) in the header.
LIMITS = {"/bodies/": 10, "/bodies/metal/": 25, "/record/": 12}
# For a signed-in member, pages listing record entries put a fellow member's name beside
# the id: the members, and the permission asked once per shared body (a fixed few); the
# body page's criticism, conditions and housing panels ask what the member may do (8).
NAMES = {"/bodies/metal/": 3 + 8, "/record/": 3}


def grow(fed: Any, n: int) -> None:
    """Add n enterprises with two shops, a commission and members each."""
    for i in range(n):
        works = make_body(f"w{i}", f"Works {i}", "enterprise", fed.union)
        make_body(f"w{i}-control", f"Control commission {i}", "commission", works)
        for j in range(2):
            shop = make_body(f"w{i}-s{j}", f"Shop {i}.{j}", "shop", works)
            make_member(f"m{i}-{j}", "Worker", f"N{i}{j}", shop, password=None)
        charter_change(
            user=fed.board_member.user,
            body=fed.enterprise,
            changes={"board_seats": 8 + i % 2},
            reason=str(i),
        )


def count(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", list(LIMITS))
@pytest.mark.parametrize("who", [None, "worker"])
def test_query_count_does_not_grow(
    client_for: Any,
    small_federation: Any,
    django_assert_max_num_queries: Any,
    url: str,
    who: str | None,
) -> None:
    client = client_for(who)
    # A member's act on the record, so the small federation's pages already put a
    # fellow member's name beside an id.
    charter_change(
        user=small_federation.board_member.user,
        body=small_federation.enterprise,
        changes={"board_seats": 7},
        reason="start",
    )
    client.get(url)  # warm up sessions and caches
    small = count(client, url)
    grow(small_federation, 12)
    large = count(client, url)
    assert large == small, (url, small, large)
    with django_assert_max_num_queries(LIMITS[url] + (NAMES.get(url, 0) if who else 0)):
        client.get(url)
