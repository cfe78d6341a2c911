import pytest

from collegium.planner.model import (
    Economy,
    Flow,
    InputError,
    LabourPool,
    Product,
    Target,
    Technique,
)
from collegium.planner.variants import default_variants, plan_variants, weights_vector


def two_goods() -> Economy:
    return Economy.from_records(
        [Product("bread"), Product("soap"), Product("work", kind="labour")],
        [Technique("bake"), Technique("boil")],
        [
            Flow("bake", "bread", 1),
            Flow("bake", "work", -1),
            Flow("boil", "soap", 1),
            Flow("boil", "work", -2),
        ],
        [LabourPool("work", 100)],
        [Target("bread", 1, 10), Target("soap", 1, 5)],
    )


def test_three_variants() -> None:
    e = two_goods()
    specs = default_variants(e, {"soap": 1.0})
    ray, least, weighted = plan_variants(e, specs, method="highs")
    # Ray: 10 + t bread, 5 + t soap: 10 + t + 2(5 + t) = 100 -> t = 80/3.
    assert ray.basket_multiple == pytest.approx(80 / 3)
    assert ray.labour_hours == pytest.approx(100)
    # Least labour: just the floors, 10 + 10 hours.
    assert least.labour_hours == pytest.approx(20)
    assert least.basket_multiple == pytest.approx(0)
    # All spare labour goes to soap: (100 - 10) / 2 = 45.
    assert weighted.result.activity_by_technique() == pytest.approx({"bake": 10, "boil": 45})
    assert [v.name for v in (ray, least, weighted)] == ["plan-ray", "least-labour", "weighted"]


def test_unknown_weight_product() -> None:
    with pytest.raises(InputError, match="unknown product 'cake'"):
        weights_vector(two_goods(), {"cake": 1})
