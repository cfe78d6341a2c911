import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collegium.planner import synthetic
from collegium.planner.io import load
from collegium.planner.lp import build_program, max_violation, solve_plan
from collegium.planner.model import (
    Economy,
    Flow,
    InfeasiblePlanError,
    LabourPool,
    Product,
    SolverError,
    Target,
    Technique,
)

BAKERY = Path(__file__).parent / "data" / "bakery"


def bread(labour: float = 80.0, oven: float = 50.0) -> Economy:
    """Oven: 1 hour, capacity 50; by hand: 2 hours. Each loaf needs 0.2 loaf of seed."""
    return Economy.from_records(
        [Product("bread"), Product("work", kind="labour")],
        [Technique("oven", capacity=oven), Technique("hand")],
        [
            Flow("oven", "bread", 1),
            Flow("oven", "bread", -0.2),
            Flow("oven", "work", -1),
            Flow("hand", "bread", 1),
            Flow("hand", "bread", -0.2),
            Flow("hand", "work", -2),
        ],
        [LabourPool("work", labour)],
        [Target("bread", 1.0, 0.0)],
    )


@pytest.mark.parametrize("method", ["highs", "pdlp"])
def test_hand_computed_plan(method: str) -> None:
    r = solve_plan(bread(), method=method, tol=1e-9)
    # oven 50 hours, hand 15 units (30 hours): 65 loaves gross, 52 net.
    assert r.t == pytest.approx(52.0, rel=1e-6)
    assert r.activity_by_technique() == pytest.approx({"oven": 50.0, "hand": 15.0}, rel=1e-6)
    assert r.valuation_by_product() == pytest.approx({"bread": 1.0}, rel=1e-6)
    # One more hour: half a loaf by hand, 0.4 net. One more oven unit frees 0.5 h.
    assert r.labour_valuation_by_pool() == pytest.approx({"work": 0.4}, rel=1e-6)
    kinds = {b.constraint: b.valuation for b in r.bottlenecks}
    assert kinds == pytest.approx({"labour:work": 0.4, "capacity:oven": 0.4}, rel=1e-6)
    assert r.residual < 1e-6
    assert r.gap < 1e-6


def test_highs_and_pdlp_agree_on_a_synthetic_economy() -> None:
    e = synthetic.economy(300, seed=2)
    exact = solve_plan(e, method="highs")
    approx = solve_plan(e, method="pdlp", tol=1e-8)
    assert approx.t == pytest.approx(exact.t, rel=1e-6)
    assert exact.gap < 1e-9 and approx.gap < 1e-6
    assert any(b.kind == "labour" for b in exact.bottlenecks)
    assert any(b.kind == "capacity" for b in exact.bottlenecks)


def test_bakery_plan_meets_every_target() -> None:
    e = load(BAKERY)
    r = solve_plan(e)
    for f in r.fulfilment():
        assert f.delivered >= f.required - 1e-9
    co2 = e.product_index["co2"]
    assert r.net_output[co2] <= 40 + 1e-9
    assert np.all(r.labour_used <= e.labour_available + 1e-9)


def test_unbounded_plan_is_an_error() -> None:
    e = bread().with_targets()
    free = Economy.from_records(
        [Product("air"), Product("work", kind="labour")],
        [Technique("breathe")],
        [Flow("breathe", "air", 1)],
        [LabourPool("work", 1)],
        [Target("air", 1.0)],
    )
    assert e.n_products == 2
    with pytest.raises(SolverError, match="unbounded"):
        solve_plan(free)


def test_infeasible_floor_raises_with_explanation() -> None:
    e = bread().with_targets(floor=np.array([60.0, 0.0]))
    with pytest.raises(InfeasiblePlanError) as info:
        solve_plan(e)
    (f,) = info.value.explanation.floors
    assert f.product == "bread" and f.required == 60 and f.reachable == pytest.approx(52)


economies = st.builds(
    lambda n, seed, k: synthetic.economy(n, seed=seed, inputs=k, n_skills=2, cluster_size=10),
    n=st.integers(3, 25),
    seed=st.integers(0, 1000),
    k=st.integers(1, 4),
)


@settings(max_examples=25, deadline=None)
@given(e=economies, scale=st.floats(0.1, 10.0))
def test_property_plan_is_feasible_and_valuations_normalised(e: Economy, scale: float) -> None:
    r = solve_plan(e, method="highs")
    lp = build_program(e)
    z = np.concatenate([r.activity, [r.t]])
    assert max_violation(lp, z) < 1e-7
    assert np.all(r.valuations >= 0) and np.all(r.labour_valuations >= 0)
    assert float(r.valuations @ e.basket) == pytest.approx(1.0, rel=1e-9)
    # Scaling the basket scales t inversely.
    r2 = solve_plan(e.with_targets(basket=e.basket * scale), method="highs")
    assert r2.t * scale == pytest.approx(r.t, rel=1e-6)
    # Strong duality: the basket worth equals the value of labour, capacity and floors.
    assert math.isfinite(r.gap) and r.gap < 1e-7


def test_without_basket_the_floors_are_met_with_least_labour() -> None:
    e = bread().with_targets(basket=np.zeros(2), floor=np.array([8.0, 0.0]))
    r = solve_plan(e)
    assert r.objective == "labour" and math.isnan(r.t)
    # 10 loaves gross, 8 net, all in the oven: 10 hours.
    assert r.activity_by_technique() == pytest.approx({"oven": 10.0, "hand": 0.0})
    assert r.labour_used[0] == pytest.approx(10.0)


def test_componentwise_pdlp_rule_bounds_every_row() -> None:
    e = synthetic.economy(300, seed=2)
    exact = solve_plan(e, method="highs")
    r = solve_plan(e, method="pdlp", tol=1e-5, pdlp_rule="componentwise")
    assert r.residual < 1e-4
    assert r.t == pytest.approx(exact.t, rel=1e-4)


# --------------------------------------------------------------------------- reduced, repair


@pytest.mark.parametrize(
    ("n", "seed", "kw"),
    [
        (300, 1, {}),
        (200, 3, {"floor_share": 0.3, "techniques_per_product": 3}),
        # These need free techniques switched and free activities bounded.
        (100, 5, {"inputs": 2, "rho": 0.8}),
        (300, 1, {"inputs": 3, "cluster_size": 10, "n_skills": 2}),
    ],
)
def test_reduced_method_matches_highs_simplex(n: int, seed: int, kw: dict[str, float]) -> None:
    e = synthetic.economy(n, seed=seed, **kw)  # type: ignore[arg-type]
    exact = solve_plan(e, method="highs-simplex")
    r = solve_plan(e, method="reduced")
    assert r.method == "reduced"
    assert r.t == pytest.approx(exact.t, rel=1e-9)
    assert r.residual < 1e-9 and r.gap < 1e-9
    assert r.valuations @ e.basket == pytest.approx(1.0)
    assert r.labour_valuation_by_pool() == pytest.approx(
        exact.labour_valuation_by_pool(), rel=1e-6, abs=1e-9
    )


def test_reduced_falls_back_where_the_structure_does_not_apply() -> None:
    # The bakery has a cap, resources and a multi-product technique: HiGHS answers.
    e = load(BAKERY)
    r = solve_plan(e, method="reduced")
    exact = solve_plan(e, method="highs-simplex")
    assert r.t == pytest.approx(exact.t, rel=1e-9)
    assert r.residual < 1e-9


def test_auto_method_choice() -> None:
    from collegium.planner.lp import PDLP_NNZ, choose_method

    small = synthetic.economy(300, seed=1)
    assert small.nnz <= PDLP_NNZ and choose_method(small) == "highs"
    large = synthetic.economy(2_500, seed=1)
    assert large.nnz > PDLP_NNZ and choose_method(large) == "reduced"
    r = solve_plan(large)
    assert r.method == "reduced"
    assert r.residual < 1e-9 and r.gap < 1e-9
    assert any(b.kind == "capacity" for b in r.bottlenecks)


def test_repaired_pdlp_plan_satisfies_every_row() -> None:
    e = synthetic.economy(300, seed=2)
    exact = solve_plan(e, method="highs-simplex")
    r = solve_plan(e, method="pdlp", tol=1e-4)
    assert r.method == "pdlp+repair"
    lp = build_program(e)
    z = np.concatenate([r.activity, [r.t]])
    assert max_violation(lp, z) <= 1e-9 and r.residual <= 1e-9
    # Every balance holds with the delivered t; labour within its pools.
    for f in r.fulfilment():
        assert f.delivered >= f.required * (1 - 1e-9) - 1e-9
    assert np.all(r.labour_used <= e.labour_available * (1 + 1e-9))
    # A feasible plan cannot beat the optimum; the gap states how far below it is.
    assert r.t <= exact.t * (1 + 1e-9)
    assert r.t == pytest.approx(exact.t, rel=1e-2)
    assert r.gap >= (exact.t - r.t) / exact.t - 1e-3


def test_repair_and_polish_turn_a_perturbed_optimum_into_a_plan() -> None:
    from collegium.planner.repair import polish, repair

    e = synthetic.economy(200, seed=4)
    exact = solve_plan(e, method="highs-simplex")
    lp = build_program(e)
    rng = np.random.default_rng(0)
    z = np.concatenate([exact.activity * rng.uniform(0.999, 1.001, exact.activity.size), [exact.t]])
    assert max_violation(lp, z) > 1e-6
    for fix in (polish, repair):
        fixed = fix(lp, z)
        assert fixed is not None
        assert max_violation(lp, fixed) <= 1e-9
        assert exact.t * (1 - 1e-2) <= fixed[-1] <= exact.t * (1 + 1e-9)
