import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collegium.planner.infeasibility import explain_infeasibility
from collegium.planner.lp import solve_plan
from collegium.planner.model import Economy, Flow, LabourPool, Product, Target, Technique


def economy(floor_bread: float, floor_soap: float) -> Economy:
    return Economy.from_records(
        [Product("bread"), Product("soap"), Product("work", kind="labour")],
        [Technique("bake", capacity=30), Technique("boil", capacity=100)],
        [
            Flow("bake", "bread", 1),
            Flow("bake", "work", -1),
            Flow("boil", "soap", 1),
            Flow("boil", "work", -0.5),
        ],
        [LabourPool("work", 40)],
        [Target("bread", 1, floor_bread), Target("soap", 1, floor_soap)],
    )


def test_feasible_floors_explain_nothing() -> None:
    assert explain_infeasibility(economy(10, 10)).floors == ()


def test_floor_beyond_capacity_names_the_floor_and_the_capacity() -> None:
    why = explain_infeasibility(economy(35, 0))
    (f,) = why.floors
    assert (f.product, f.required, f.reachable, f.shortfall) == ("bread", 35, 30, 5)
    grow = {g.constraint: g.by for g in why.grow}
    assert grow == pytest.approx({"capacity:bake": 5})


def test_labour_shortage_is_shared_out_and_labour_must_grow() -> None:
    why = explain_infeasibility(economy(30, 40))
    # 30 hours baking + 20 hours boiling = 50 > 40.
    assert sum(f.shortfall for f in why.floors) > 0
    grow = {g.constraint: g.by for g in why.grow}
    assert grow == pytest.approx({"labour:work": 10})


def test_solve_plan_carries_the_explanation() -> None:
    from collegium.planner.model import InfeasiblePlanError

    with pytest.raises(InfeasiblePlanError) as info:
        solve_plan(economy(35, 0))
    assert info.value.explanation.floors[0].product == "bread"
    assert np.isclose(info.value.explanation.grow[0].by, 5)


@settings(max_examples=25, deadline=None)
@given(bread=st.floats(0, 60), soap=st.floats(0, 120))
def test_property_explanation_iff_infeasible(bread: float, soap: float) -> None:
    from collegium.planner.model import InfeasiblePlanError

    e = economy(bread, soap)
    feasible = bread <= 30 and soap <= 100 and bread + 0.5 * soap <= 40
    why = explain_infeasibility(e)
    if feasible:
        assert why.floors == ()
        solve_plan(e)
    else:
        assert why.floors and all(f.shortfall > 0 for f in why.floors)
        with pytest.raises(InfeasiblePlanError):
            solve_plan(e)
        # Growing what the explanation names makes the floors reachable.
        grown = {g.constraint: g.by for g in why.grow}
        labour = 40 + grown.get("labour:work", 0.0) + 1e-6
        cap_bake = 30 + grown.get("capacity:bake", 0.0) + 1e-6
        cap_boil = 100 + grown.get("capacity:boil", 0.0) + 1e-6
        assert bread <= cap_bake and soap <= cap_boil and bread + 0.5 * soap <= labour
