"""Who sees whom: counts for everyone, member lists for members of the body only."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import make_member

pytestmark = pytest.mark.django_db


def test_public_sees_counts_not_names(client_for: Any) -> None:
    html = client_for(None).get("/bodies/sormovo-forge/").content.decode()
    assert "has 3 members" in html and "sign in" in html
    assert "Anna" not in html  # rank-and-file names stay hidden; Ivan is on no board here
    assert 'id="member-list"' not in html


def test_member_of_the_body_sees_the_list(client_for: Any) -> None:
    html = client_for("worker").get("/bodies/sormovo-forge/").content.decode()
    assert 'id="member-list"' in html
    assert "Petrova, Anna" in html and "Orlova, Vera" in html


def test_member_of_another_body_sees_counts_only(client_for: Any) -> None:
    html = client_for("outsider").get("/bodies/sormovo-forge/").content.decode()
    assert 'id="member-list"' not in html and "Petrova" not in html
    assert "open only to members who belong to this body" in html
    # ...but the outsider sees the list of their own union, which includes the forge shop.
    html = client_for("outsider").get("/bodies/metal/").content.decode()
    assert "Petrova, Anna" in html


def test_member_search_and_htmx_fragment(client_for: Any) -> None:
    client = client_for("worker")
    html = client.get("/bodies/metal/", {"q": "kuzn"}).content.decode()
    assert "Kuznetsov, Pavel" in html and "Petrova, Anna" not in html
    fragment = client.get(
        "/bodies/metal/", {"q": "anna"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="member-list"
    )
    text = fragment.content.decode()
    assert text.lstrip().startswith('<div id="member-list">')
    assert "Petrova, Anna" in text and "<html" not in text
    assert 'id="member-status"' in text and "1 member matching" in text
    assert "HX-Request" in fragment["Vary"]
    # The public never gets the fragment, htmx or not.
    public = (
        client_for(None)
        .get("/bodies/metal/", {"q": "anna"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="member-list")
        .content.decode()
    )
    assert "Petrova" not in public


def test_member_list_is_paginated_by_50(client_for: Any, small_federation: Any) -> None:
    for i in range(60):
        make_member(
            f"9{i:03d}", "Test", f"Member{i:03d}", small_federation.other_shop, password=None
        )
    client = client_for("outsider")
    first = client.get("/bodies/putilov/").content.decode()
    assert "61 members" in first and "Page 1 of 2" in first
    htmx = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "member-list"}
    first = client.get("/bodies/putilov/", **htmx).content.decode()
    assert first.count("<tr>") - 1 == 50
    second = client.get("/bodies/putilov/", {"page": 2}, **htmx).content.decode()
    assert second.count("<tr>") - 1 == 11


def test_member_page_visibility(client_for: Any, small_federation: Any) -> None:
    url = f"/members/{small_federation.worker.public_id}/"
    anonymous = client_for(None).get(url)
    assert anonymous.status_code == 403
    assert "Sign in" in anonymous.content.decode()
    assert client_for("worker").get(url).status_code == 200
    # Same union, different enterprise: both belong to the union.
    assert client_for("outsider").get(url).status_code == 200
    other_union = make_member("3001", "Olga", "Lebedeva", _new_union_shop(small_federation))
    client = client_for(None)
    client.force_login(other_union.user)
    # Every member belongs to the congress, so members see each other's pages.
    assert client.get(url).status_code == 200
    assert client_for("worker").get("/members/m_doesnotexist/").status_code == 404


def _new_union_shop(fed: Any) -> Any:
    from tests.conftest import make_body

    union = make_body("textile", "Textile Workers", "industrial_union", fed.congress)
    works = make_body("trekhgorka", "Trekhgorka Mill", "enterprise", union)
    return make_body("trekhgorka-weave", "Weaving shop", "shop", works)


def test_member_page_shows_bodies_seats_and_activity(
    client_for: Any, small_federation: Any
) -> None:
    from collegium.federation.services import charter_change

    board = small_federation.board_member
    charter_change(
        user=board.user,
        body=small_federation.enterprise,
        changes={"board_seats": 9},
        reason="more hands",
    )
    html = client_for("worker").get(f"/members/{board.public_id}/").content.decode()
    assert "Ivan Sokolov" in html and "Forge shop" in html and "Congress of Producers" in html
    assert 'Board of <a href="/bodies/sormovo/">Sormovo Works</a>' in html
    assert "charter.changed" in html


def test_service_permission_denied_becomes_403_with_message(client_for: Any) -> None:
    response = client_for("worker").post(
        "/bodies/sormovo/charter/", {"board_seats": "9", "reason": "x"}
    )
    assert response.status_code == 403
    assert "Only members of the board of Sormovo Works" in response.content.decode()


def test_commission_members_are_its_seat_holders(client_for: Any, small_federation: Any) -> None:
    import datetime as dt

    from collegium.elections.services import board_seat_founding
    from collegium.record.services import SYSTEM
    from tests.conftest import make_body

    fed = small_federation
    control = make_body("sormovo-control", "Control commission", "commission", fed.enterprise)
    today = dt.date.today()
    board_seat_founding(
        user=None,
        actor=SYSTEM,
        body=control,
        members=[fed.worker, fed.congress_board_member],
        term_start=today - dt.timedelta(days=1),
        term_end=today + dt.timedelta(days=300),
    )
    html = client_for("worker").get("/bodies/sormovo-control/").content.decode()
    assert "its members are the 2 seat-holders" in html
    assert "50.0%" in html  # one production worker, one technical specialist
    assert 'id="member-list"' not in html
    tree = client_for(None).get("/bodies/").content.decode()
    assert "Control commission" in tree
    # The enterprise lists its commission apart from the shops below it.
    page = client_for(None).get("/bodies/sormovo/").content.decode()
    assert 'id="commissions-h"' in page
