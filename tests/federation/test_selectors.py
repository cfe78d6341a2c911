from __future__ import annotations

from collegium.federation.selectors import (
    body_members,
    body_tree,
    composition,
    member_bodies,
    member_counts_by_body,
)


def test_counts_include_everything_below(small_federation, django_assert_max_num_queries):
    f = small_federation
    with django_assert_max_num_queries(2):
        counts = member_counts_by_body()
    assert counts[f.congress.pk] == 4
    assert counts[f.enterprise.pk] == 3
    assert counts[f.other_shop.pk] == 1


def test_tree_order_puts_children_after_parents(small_federation):
    codes = [b.code for b in body_tree()]
    assert codes.index("congress") < codes.index("metal") < codes.index("sormovo")
    assert codes.index("sormovo") < codes.index("sormovo-forge")


def test_composition_by_category(small_federation):
    rows = {c.code: c for c in composition(body_members(small_federation.shop))}
    assert rows["production_worker"].count == 2
    assert rows["technical_specialist"].count == 1
    assert abs(sum(c.share for c in rows.values()) - 1) < 1e-9


def test_member_bodies_top_first(small_federation):
    f = small_federation
    assert [b.code for b in member_bodies(f.worker)] == [
        "congress",
        "metal",
        "sormovo",
        "sormovo-forge",
    ]


def test_composition_ignores_the_ordering_of_its_queryset(small_federation):
    members = body_members(small_federation.shop).order_by("family_name")
    rows = {c.code: c.count for c in composition(members)}
    assert rows["production_worker"] == 2
