"""Tests of the union-by-union Leontief sweeps, in process and on a local Dask cluster."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from collegium.planner import synthetic
from collegium.planner.distributed import (
    DaskMissingError,
    balance_distributed,
    partition,
    partition_economy,
    require_dask,
    solve_distributed,
)
from collegium.planner.leontief import balance, solve


@pytest.fixture(scope="module")
def system() -> tuple[sp.csr_matrix, np.ndarray, list[str], np.ndarray]:
    A, d = synthetic.leontief_instance(300, inputs=10, seed=4)
    unions = [f"union{i // 100}" for i in range(300)]
    exact = spla.spsolve(sp.csc_matrix(sp.identity(300) - A), d)
    return A, d, unions, exact


@pytest.mark.parametrize("method", ["neumann", "block-jacobi"])
def test_in_process_sweeps_solve_the_system(
    system: tuple[sp.csr_matrix, np.ndarray, list[str], np.ndarray], method: str
) -> None:
    A, d, unions, exact = system
    result = solve_distributed(A, d, unions, method=method)  # type: ignore[arg-type]
    assert result.converged and not result.distributed
    assert result.residual < 1e-11
    np.testing.assert_allclose(result.gross_output, exact, rtol=1e-9)
    assert result.unions == ("union0", "union1", "union2")


def test_neumann_sweeps_equal_the_single_machine_jacobi(
    system: tuple[sp.csr_matrix, np.ndarray, list[str], np.ndarray],
) -> None:
    A, d, unions, _ = system
    single = solve(A, d, method="jacobi", tol=1e-13)
    split = solve_distributed(A, d, unions, method="neumann", tol=1e-13)
    np.testing.assert_allclose(split.gross_output, single.gross_output, rtol=1e-9)


def test_block_jacobi_needs_fewer_sweeps(
    system: tuple[sp.csr_matrix, np.ndarray, list[str], np.ndarray],
) -> None:
    A, d, unions, _ = system
    neumann = solve_distributed(A, d, unions, method="neumann")
    block = solve_distributed(A, d, unions, method="block-jacobi")
    assert block.iterations < neumann.iterations


def test_unions_import_only_boundary_values(
    system: tuple[sp.csr_matrix, np.ndarray, list[str], np.ndarray],
) -> None:
    A, d, unions, _ = system
    blocks = partition(A, d, unions)
    label = np.array(unions)
    csr = sp.csr_matrix(A)
    for block in blocks:
        assert np.all(label[block.imports] != block.union)
        band = csr[block.rows, :]
        foreign = np.unique(band.indices[label[band.indices] != block.union])
        np.testing.assert_array_equal(block.imports, foreign)
    assert sum(b.rows.size for b in blocks) == 300


def test_economy_split_by_its_unions_matches_leontief() -> None:
    economy = synthetic.economy(150, techniques_per_product=1, seed=2)
    blocks, _ = partition_economy(economy)
    assert len(blocks) > 1
    result = balance_distributed(economy, method="block-jacobi")
    reference = balance(economy, tol=1e-12)
    np.testing.assert_allclose(result.gross_output, reference.gross_output, rtol=1e-9)


@pytest.fixture(scope="module")
def client() -> Iterator[object]:
    distributed = require_dask()
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    )
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


@pytest.mark.parametrize("method", ["neumann", "block-jacobi"])
def test_dask_result_equals_single_machine(
    system: tuple[sp.csr_matrix, np.ndarray, list[str], np.ndarray],
    client: object,
    method: str,
) -> None:
    A, d, unions, exact = system
    local = solve_distributed(A, d, unions, method=method)  # type: ignore[arg-type]
    remote = solve_distributed(A, d, unions, method=method, client=client)  # type: ignore[arg-type]
    assert remote.distributed and remote.converged
    assert remote.iterations == local.iterations
    np.testing.assert_allclose(remote.gross_output, local.gross_output, rtol=1e-9, atol=0)
    np.testing.assert_allclose(remote.gross_output, exact, rtol=1e-9)


def test_missing_dask_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "dask.distributed", None)
    with pytest.raises(DaskMissingError, match=r"collegium\[distributed\]"):
        require_dask()
    A = sp.csr_matrix(np.array([[0.1, 0.2], [0.3, 0.1]]))
    with pytest.raises(DaskMissingError):
        solve_distributed(A, [1.0, 1.0], ["a", "b"], address="tcp://127.0.0.1:1")


def test_bad_shapes_refused() -> None:
    with pytest.raises(ValueError, match="square"):
        partition(np.zeros((2, 3)), [1.0, 1.0], ["a", "b"])
    with pytest.raises(ValueError, match="unknown sweep"):
        solve_distributed(np.zeros((1, 1)), [1.0], ["a"], method="gauss")  # type: ignore[arg-type]


def test_union_state_travels_without_its_factor(
    system: tuple[sp.csr_matrix, np.ndarray, list[str], np.ndarray],
) -> None:
    import pickle

    from collegium.planner.distributed import _start, _sweep

    A, d, unions, _ = system
    block = partition(A, d, unions)[0]
    state = _start(block, "block-jacobi")
    moved = pickle.loads(pickle.dumps(state))
    assert moved.factor is not None
    imports = np.ones(block.imports.size)
    pick = np.stack([np.arange(block.imports.size), np.arange(block.imports.size)])
    here = _sweep(state, [pick], imports)
    there = _sweep(moved, [pick], imports)
    np.testing.assert_allclose(here.x, there.x, rtol=1e-12)


IO = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "io"


@pytest.mark.skipif(not IO.exists(), reason="the real IO table (../shared/data/io) is not here")
def test_real_io_table_split_by_sector_group() -> None:
    import csv

    with (IO / "Z.csv").open(encoding="utf-8") as f:
        rows = list(csv.reader(f))
    codes = rows[0][1:]
    flows = np.array([[float(v) for v in r[1:]] for r in rows[1:]])
    with (IO / "total_output.csv").open(encoding="utf-8") as f:
        output = {r[0]: float(r[1]) for r in list(csv.reader(f))[1:]}
    with (IO / "final_demand.csv").open(encoding="utf-8") as f:
        final = {r[0]: float(r[1]) for r in list(csv.reader(f))[1:]}
    x_pub = np.array([output[c] for c in codes])
    d = np.array([final[c] for c in codes])
    A = sp.csr_matrix(flows / x_pub)
    # Unions by the first digit of the industry code (agriculture, mining, manufacturing …).
    unions = [f"sector{c[0]}" for c in codes]
    single = solve(A, d, method="lu")
    for method in ("neumann", "block-jacobi"):
        split = solve_distributed(A, d, unions, method=method)  # type: ignore[arg-type]
        assert split.converged and len(split.unions) > 3
        np.testing.assert_allclose(split.gross_output, single.gross_output, rtol=1e-9)
        assert np.max(np.abs(split.gross_output - x_pub) / x_pub) < 2e-6
