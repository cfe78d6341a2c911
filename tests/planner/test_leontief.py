from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from collegium.planner import synthetic
from collegium.planner.io import from_arrays
from collegium.planner.leontief import (
    NotLeontiefError,
    balance,
    labour_values,
    leontief_system,
    solve,
    spectral_radius,
)
from collegium.planner.model import Economy, Flow, Product, Technique

IO = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "io"


@pytest.mark.parametrize("method", ["lu", "splu", "jacobi", "gmres"])
def test_methods_agree_with_dense_solve(method: str) -> None:
    A, d = synthetic.leontief_instance(400, inputs=10, seed=3)
    ref = np.linalg.solve(np.eye(400) - A.toarray(), d)
    r = solve(A, d, method=method)
    assert r.residual < 1e-9
    np.testing.assert_allclose(r.gross_output, ref, rtol=1e-8, atol=1e-10)


def test_auto_uses_lu_for_small_and_sweeps_for_large() -> None:
    A, d = synthetic.leontief_instance(50, inputs=5)
    assert solve(A, d).method == "lu"
    A, d = synthetic.leontief_instance(5000, inputs=10)  # sparse: sweeps
    r = solve(A, d)
    assert r.method == "jacobi" and r.residual < 1e-10 and r.iterations < 60


def test_jacobi_falls_back_to_gmres_near_radius_one() -> None:
    A, d = synthetic.leontief_instance(3000, inputs=10, seed=1)
    A = sp.csr_matrix(A @ sp.diags(0.9995 / np.asarray(A.sum(axis=0)).reshape(-1)))
    r = solve(A, d, method="jacobi", tol=1e-10)
    assert r.method.startswith("jacobi+gmres")
    assert r.residual < 1e-8


def test_several_right_hand_sides() -> None:
    A, _ = synthetic.leontief_instance(100, inputs=5)
    D = np.random.default_rng(0).random((100, 3))
    r = solve(A, D)
    assert r.gross_output.shape == (100, 3) and r.residual < 1e-12


def test_labour_values() -> None:
    A = np.array([[0.2, 0.3], [0.1, 0.4]])
    lab = np.array([1.0, 2.0])
    v = labour_values(A, lab).gross_output
    np.testing.assert_allclose(v @ (np.eye(2) - A), lab)


def test_balance_on_an_economy_with_joint_scaling() -> None:
    # Technique "tb" makes 2 units of b per unit of activity: A is per unit of output.
    e = Economy.from_records(
        [Product("a"), Product("b"), Product("w", kind="labour")],
        [Technique("tb"), Technique("ta")],
        [
            Flow("ta", "a", 1),
            Flow("ta", "b", -0.5),
            Flow("ta", "w", -1),
            Flow("tb", "b", 2),
            Flow("tb", "a", -0.4),
            Flow("tb", "w", -2),
        ],
        targets=[],
    ).with_targets(basket=np.array([1.0, 1.0, 0.0]))
    A, L, order = leontief_system(e)
    np.testing.assert_allclose(A.toarray(), [[0, 0.2], [0.5, 0]])
    np.testing.assert_allclose(L.toarray(), [[1, 1]])
    assert list(order) == [1, 0]
    r = balance(e)
    x = r.gross_output
    np.testing.assert_allclose(x - A @ x, [1, 1])
    assert r.codes == ("a", "b") and r.labour_values is not None


def test_not_leontief() -> None:
    e = Economy.from_records(
        [Product("a")], [Technique("t1"), Technique("t2")], [Flow("t1", "a", 1), Flow("t2", "a", 1)]
    )
    with pytest.raises(NotLeontiefError):
        leontief_system(e)


def test_spectral_radius_bounds() -> None:
    A = synthetic.technology_matrix(3000, inputs=10, rho=0.5)
    lo, hi = spectral_radius(A, tol=1e-4)
    assert 0.4 <= lo <= hi <= 0.6
    small = np.array([[0.5, 0.6], [0.6, 0.5]])
    assert spectral_radius(small) == pytest.approx((1.1, 1.1))


@settings(max_examples=30, deadline=None)
@given(
    n=st.integers(2, 40),
    rho=st.floats(0.05, 0.9),
    seed=st.integers(0, 10_000),
)
def test_property_residual_is_small(n: int, rho: float, seed: int) -> None:
    A = synthetic.technology_matrix(n, inputs=min(n, 5), rho=rho, seed=seed)
    d = np.random.default_rng(seed).normal(size=n)
    r = solve(A, d)
    assert r.residual < 1e-10
    # Leontief inverse is non-negative: a non-negative d gives non-negative x.
    x = solve(A, np.abs(d)).gross_output
    assert np.all(x >= -1e-12)


def _read_io() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    import csv

    def table(name: str) -> list[list[str]]:
        with (IO / name).open() as fh:
            return list(csv.reader(fh))

    z = table("Z.csv")
    codes = z[0][1:]
    Z = np.array([[float(v) for v in row[1:]] for row in z[1:]])
    fd = {r[0]: float(r[1]) for r in table("final_demand.csv")[1:]}
    out = {r[0]: float(r[1]) for r in table("total_output.csv")[1:]}
    va = {r[0]: float(r[1]) for r in table("value_added.csv")[1:]}
    return (
        Z,
        np.array([fd[c] for c in codes]),
        np.array([out[c] for c in codes]),
        np.array([va[c] for c in codes]),
    )


@pytest.mark.skipif(not IO.exists(), reason="the real IO table (../shared/data/io) is not here")
def test_real_io_table_reproduces_published_output() -> None:
    Z, d, x_pub, _ = _read_io()
    A = Z / x_pub
    for method in ("lu", "jacobi"):
        r = solve(sp.csr_matrix(A), d, method=method)  # type: ignore[arg-type]
        assert r.residual < 1e-10
        assert np.max(np.abs(r.gross_output - x_pub) / x_pub) < 2e-6
    lo, hi = spectral_radius(A)
    assert 0.48 < lo <= hi < 0.50


@pytest.mark.skipif(not IO.exists(), reason="the real IO table (../shared/data/io) is not here")
def test_real_io_table_plan_with_labour_from_value_added() -> None:
    from collegium.planner.lp import solve_plan

    Z, d, x_pub, va = _read_io()
    A = Z / x_pub
    labour = (va / x_pub).reshape(1, -1)  # value added per unit of output, as "labour"
    x = np.linalg.solve(np.eye(len(d)) - A, d)
    e = from_arrays(A, d, labour=labour, labour_available=[float(labour[0] @ x)])
    r = solve_plan(e, method="highs")
    # The published economy delivers its own final demand: exactly one basket.
    assert r.t == pytest.approx(1.0, rel=1e-9)
    assert np.max(np.abs(r.activity - x_pub) / x_pub) < 2e-6
    assert r.valuations @ e.basket == pytest.approx(1.0)
    assert np.all(r.valuations >= 0)


def test_pymrio_test_system_agrees() -> None:
    pymrio = pytest.importorskip("pymrio")
    io = pymrio.load_test()
    io.calc_all()
    A = io.A.to_numpy()
    y = io.Y.to_numpy().sum(axis=1)
    x_ref = io.x.to_numpy().reshape(-1)
    r = solve(sp.csr_matrix(A), y)
    np.testing.assert_allclose(r.gross_output, x_ref, rtol=1e-8)
    r2 = solve(sp.csr_matrix(A), y, method="jacobi")
    assert r2.residual < 1e-10
    np.testing.assert_allclose(r2.gross_output, x_ref, rtol=1e-6)
    L = io.L.to_numpy()
    np.testing.assert_allclose(solve(A, np.eye(A.shape[0])).gross_output, L, atol=1e-9)
