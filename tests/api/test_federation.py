"""Bodies and members over the API: shapes, and the same visibility as the pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.conftest import SmallFederation, make_member

ROLES = ["anonymous", "worker", "outsider", "board", "congress_board", "operator"]


@pytest.mark.parametrize("role", ROLES)
def test_body_list_is_public_in_tree_order(clients: dict[str, Client], role: str) -> None:
    response = clients[role].get("/api/bodies")
    assert response.status_code == 200
    bodies = response.json()
    assert [b["code"] for b in bodies] == [
        "congress",
        "metal",
        "sormovo",
        "sormovo-forge",
        "putilov",
        "putilov-rolling",
    ]
    by_code = {b["code"]: b for b in bodies}
    assert by_code["congress"] == {
        "code": "congress",
        "name": "Congress of Producers",
        "kind": "congress",
        "parent_code": None,
        "depth": 0,
        "member_count": 4,
    }
    assert by_code["sormovo-forge"]["parent_code"] == "sormovo"
    assert by_code["sormovo-forge"]["depth"] == 3
    assert by_code["sormovo"]["member_count"] == 3
    assert by_code["putilov"]["member_count"] == 1


def test_body_list_query_count_does_not_grow_with_the_tree(
    fed: SmallFederation, django_assert_max_num_queries: Any
) -> None:
    from tests.conftest import make_body

    for i in range(20):
        shop = make_body(f"shop-{i}", f"Shop {i}", "shop", fed.other_enterprise)
        make_member(f"9{i:03d}", "Test", f"Member {i}", shop, password=None)
    client = Client()
    with django_assert_max_num_queries(3):
        response = client.get("/api/bodies")
    assert response.status_code == 200
    assert len(response.json()) == 26


@pytest.mark.parametrize("role", ROLES)
def test_body_detail_is_public(clients: dict[str, Client], role: str) -> None:
    response = clients[role].get("/api/bodies/sormovo")
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == "sormovo"
    assert body["kind"] == "enterprise"
    assert body["parent"]["code"] == "metal"
    assert [a["code"] for a in body["ancestors"]] == ["congress", "metal"]
    assert [c["code"] for c in body["children"]] == ["sormovo-forge"]
    assert body["commissions"] == []
    assert body["member_count"] == 3
    composition = {c["code"]: c for c in body["composition"]}
    assert composition["production_worker"]["count"] == 2
    assert composition["technical_specialist"]["count"] == 1
    assert composition["production_worker"]["share"] == pytest.approx(2 / 3)
    assert sum(c["count"] for c in body["composition"]) == 3
    [seat] = body["board"]
    assert seat["member"]["family_name"] == "Sokolov"
    assert seat["member"]["category"] == "production_worker"
    assert seat["basis"] == "founding"
    assert {"term_start", "term_end"} <= seat.keys()
    charter = {f["name"]: f for f in body["charter"]}
    assert charter["board_seats"]["value"] == 7
    assert charter["board_seats"]["source"] == "federation default"


def test_body_detail_shows_commissions_apart(fed: SmallFederation) -> None:
    from tests.conftest import make_body

    make_body("sormovo-control", "Control commission", "commission", fed.enterprise)
    body = Client().get("/api/bodies/sormovo").json()
    assert [c["code"] for c in body["commissions"]] == ["sormovo-control"]
    assert [c["code"] for c in body["children"]] == ["sormovo-forge"]


def test_unknown_body_is_404_json(clients: dict[str, Client]) -> None:
    response = clients["anonymous"].get("/api/bodies/no-such-body")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert "no-such-body" in response.json()["detail"]


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 401),
        ("worker", 200),
        ("outsider", 403),
        ("board", 200),
        ("congress_board", 200),
        ("operator", 403),
    ],
)
def test_member_list_only_for_members_of_the_body(
    clients: dict[str, Client], role: str, status: int
) -> None:
    response = clients[role].get("/api/bodies/sormovo/members")
    assert response.status_code == status, response.content
    if status == 200:
        page = response.json()
        assert page["count"] == 3
        assert [m["family_name"] for m in page["items"]] == ["Orlova", "Petrova", "Sokolov"]
        assert set(page["items"][0]) == {
            "public_id",
            "given_name",
            "family_name",
            "category",
            "workplace",
        }
    else:
        assert response.json()["detail"]
    if status == 403:
        assert "only members of Sormovo Works" in response.json()["detail"]


def test_member_list_pages(clients: dict[str, Client]) -> None:
    response = clients["worker"].get("/api/bodies/sormovo/members?page=2&page_size=2")
    assert response.status_code == 200
    page = response.json()
    assert (page["count"], page["page"], page["page_size"]) == (3, 2, 2)
    assert [m["family_name"] for m in page["items"]] == ["Sokolov"]
    assert clients["worker"].get("/api/bodies/sormovo/members?page=0").status_code == 422


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 401),
        ("worker", 200),  # the worker's own union is a body both belong to
        ("outsider", 200),
        ("board", 200),
        ("operator", 404),  # the operator is not a member of any body
    ],
)
def test_member_detail_follows_can_see_member(
    fed: SmallFederation, clients: dict[str, Client], role: str, status: int
) -> None:
    response = clients[role].get(f"/api/members/{fed.worker.public_id}")
    assert response.status_code == status, response.content
    if status == 200:
        member = response.json()
        assert member["public_id"] == fed.worker.public_id
        assert member["family_name"] == "Petrova"
        assert [b["code"] for b in member["bodies"]] == [
            "congress",
            "metal",
            "sormovo",
            "sormovo-forge",
        ]
        assert "email" not in member


def test_member_of_another_union_is_404(fed: SmallFederation) -> None:
    from tests.conftest import make_body

    textile = make_body("textile", "Textile Workers' Union", "industrial_union", fed.congress)
    mill = make_body("mill", "Trekhgornaya Mill", "enterprise", textile)
    weaver = make_member("3001", "Olga", "Ivanova", mill)
    client = Client()
    client.force_login(fed.outsider.user)
    # Both belong to the congress, so the congress is their common body: visible.
    assert client.get(f"/api/members/{weaver.public_id}").status_code == 200
    assert client.get("/api/members/m_0000000000000000").status_code == 404


def test_board_seats_appear_on_member(fed: SmallFederation, clients: dict[str, Client]) -> None:
    member = clients["worker"].get(f"/api/members/{fed.board_member.public_id}").json()
    assert [(s["body"]["code"], s["role"]) for s in member["seats"]] == [("sormovo", "board")]


def test_me(fed: SmallFederation, clients: dict[str, Client]) -> None:
    me = clients["worker"].get("/api/me").json()
    assert me["username"] == "1001"
    assert me["is_operator"] is False
    assert me["member"]["public_id"] == fed.worker.public_id
    assert me["email"] == "1001@example.org"

    op = clients["operator"].get("/api/me").json()
    assert op["is_operator"] is True
    assert op["member"] is None

    anonymous = clients["anonymous"].get("/api/me")
    assert anonymous.status_code == 401
    assert "Bearer" in anonymous.json()["detail"]
    assert anonymous["WWW-Authenticate"].startswith("Bearer")


def test_body_detail_query_count_does_not_grow_with_members(
    fed: SmallFederation, django_assert_max_num_queries: Any
) -> None:
    for i in range(30):
        make_member(f"8{i:03d}", "Test", f"Worker {i}", fed.shop, password=None)
    with django_assert_max_num_queries(10):
        response = Client().get("/api/bodies/sormovo")
    assert response.status_code == 200
    assert response.json()["member_count"] == 33
