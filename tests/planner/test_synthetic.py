import numpy as np

from collegium.planner import synthetic
from collegium.planner.leontief import spectral_radius
from collegium.planner.lp import solve_plan
from collegium.planner.validate import validate


def test_seeded_and_near_half() -> None:
    a = synthetic.technology_matrix(2000, inputs=20, seed=5)
    b = synthetic.technology_matrix(2000, inputs=20, seed=5)
    assert (a != b).nnz == 0
    assert 18 * 2000 < a.nnz <= 20 * 2000  # duplicates merge
    lo, hi = spectral_radius(a, tol=1e-3)
    assert 0.4 < lo <= hi < 0.6
    sums = np.asarray(a.sum(axis=0)).reshape(-1)
    assert sums.max() <= 0.95


def test_hubs_feed_most_techniques() -> None:
    a = synthetic.technology_matrix(1000, inputs=20, seed=1).tocsr()
    per_row = np.diff(a.indptr)
    assert per_row[:10].min() > 100 > np.median(per_row[10:])


def test_economy_is_valid_and_both_limits_bind() -> None:
    e = synthetic.economy(200, seed=3)
    assert validate(e) == []
    r = solve_plan(e, method="highs")
    kinds = {b.kind for b in r.bottlenecks}
    assert {"labour", "capacity"} <= kinds
    assert r.t > 1.0
