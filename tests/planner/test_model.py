import math

import numpy as np
import pytest

from collegium.planner.model import (
    Economy,
    FloorShortfall,
    Flow,
    Growth,
    Infeasibility,
    Issue,
    LabourPool,
    Product,
    Target,
    Technique,
)


def small() -> Economy:
    return Economy.from_records(
        [Product("a"), Product("b"), Product("w", kind="labour")],
        [Technique("ta", capacity=5, region="north"), Technique("tb")],
        [
            Flow("ta", "a", 1),
            Flow("ta", "b", -0.5),
            Flow("ta", "w", -1),
            Flow("tb", "b", 2),
            Flow("tb", "w", -3),
        ],
        [LabourPool("w", 10, "north"), LabourPool("w", 20)],
        [Target("a", 1.0, 2.0), Target("b", 0.0, 0.0, 7.0)],
    )


def test_matrices_and_views() -> None:
    e = small()
    assert e.n_products == 3 and e.n_techniques == 2 and e.nnz == 5
    np.testing.assert_allclose(e.net.toarray(), [[1, 0], [-0.5, 2], [-1, -3]])
    assert list(e.balance_rows) == [0, 1]
    assert e.capacity[0] == 5 and math.isinf(e.capacity[1])
    # The regional pool counts only northern techniques.
    np.testing.assert_allclose(e.labour_matrix().toarray(), [[1, 0], [1, 3]])
    assert e.pool_label(0) == "w@north" and e.pool_label(1) == "w"


def test_records_round_trip() -> None:
    e = small()
    flows = sorted((f.technique, f.product, f.amount) for f in e.flows())
    assert flows == sorted(
        [
            ("ta", "a", 1.0),
            ("ta", "b", -0.5),
            ("ta", "w", -1.0),
            ("tb", "b", 2.0),
            ("tb", "w", -3.0),
        ]
    )
    targets = {t.product: t for t in e.targets()}
    assert targets["a"].basket == 1 and targets["a"].floor == 2 and math.isinf(targets["a"].cap)
    assert targets["b"].cap == 7


def test_with_targets_keeps_the_rest() -> None:
    e = small()
    f = e.with_targets(basket=np.array([0.0, 1.0, 0.0]))
    assert f.basket[1] == 1 and f.floor[0] == 2 and f.outputs.nnz == e.outputs.nnz


def test_unknown_code_in_records_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        Economy.from_records([Product("a")], [Technique("t")], [Flow("t", "zz", 1)])


def test_issue_format_and_infeasibility_json() -> None:
    assert str(Issue("flows.csv", 3, "amount", "bad")) == "flows.csv:3:amount: bad"
    inf = Infeasibility((FloorShortfall("a", 5, 3, 2),), (Growth("labour:w", 1.5),))
    js = inf.to_json()["infeasible"]
    assert js["floors"][0] == {"product": "a", "required": 5, "reachable": 3, "shortfall": 2}
    assert js["grow"] == [{"constraint": "labour:w", "by": 1.5}]


def test_vectors_may_be_lists() -> None:
    e = small()
    f = Economy(e.products, e.techniques, e.outputs, e.inputs, e.labour, [1.0, 0.0, 0.0])  # type: ignore[arg-type]
    assert f.basket.tolist() == [1.0, 0.0, 0.0]
    assert math.isinf(f.cap[0]) and f.endowment.tolist() == [0.0, 0.0, 0.0]
