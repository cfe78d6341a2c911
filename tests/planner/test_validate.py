import numpy as np

from collegium.planner.io import Locator
from collegium.planner.model import Economy, Flow, LabourPool, Product, Technique
from collegium.planner.validate import validate


def leontief(a: float, b: float) -> Economy:
    return Economy.from_records(
        [Product("x"), Product("y"), Product("z"), Product("w", kind="labour")],
        [Technique("tx"), Technique("ty"), Technique("tz")],
        [
            Flow("tx", "x", 1),
            Flow("tx", "y", -a),
            Flow("tx", "w", -1),
            Flow("ty", "y", 1),
            Flow("ty", "x", -b),
            Flow("ty", "w", -1),
            Flow("tz", "z", 1),
            Flow("tz", "x", -0.1),
            Flow("tz", "w", -1),
        ],
        [LabourPool("w", 10)],
    )


def test_productive_economy_passes() -> None:
    assert validate(leontief(0.5, 0.5)) == []


def test_unproductive_cycle_is_named() -> None:
    loc = Locator(files={"flows": "flows.csv"})
    (issue,) = validate(leontief(1.0, 1.2), loc)
    assert issue.file == "flows.csv"
    assert "products x, y use up at least what they make" in issue.reason
    assert "z" not in issue.reason.split("(")[0]


def test_labour_without_pool_and_no_labour() -> None:
    e = leontief(0.5, 0.5)
    bare = Economy(e.products, e.techniques, e.outputs, e.inputs, ())
    reasons = [i.reason for i in validate(bare)]
    assert "no labour in the plan period" in reasons
    assert "labour 'w' is used but no labour pool provides it" in reasons
    assert validate(bare, require_labour=False) == []


def test_records_built_in_code_are_checked_too() -> None:
    e = Economy.from_records(
        [Product("x"), Product("w", kind="labour")],
        [Technique("t", capacity=-1), Technique("idle")],
        [Flow("t", "x", 1), Flow("t", "w", -np.inf), Flow("idle", "w", -1)],
        [LabourPool("w", 5)],
    )
    reasons = " | ".join(i.reason for i in validate(e))
    assert "not a finite number" in reasons
    assert "'idle' produces nothing" in reasons
    assert "capacity below zero" in reasons
