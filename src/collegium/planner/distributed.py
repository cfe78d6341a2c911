"""Leontief balances solved union by union, on one machine or on a Dask cluster.

The economy is split by industrial union: each union holds the rows of ``A`` for the
products its workplaces make (its block row), plans its own part of ``x`` and needs from
the other unions only the *boundary* values, the gross outputs of the products its
techniques use and other unions make. The congress coordinates: it forwards boundary
values between unions each sweep and watches the size of the last step.

Two sweeps:

- ``neumann``: every union applies ``x_u <- d_u + A_uu x_u + A_u,other x_other``; taken
  together this is exactly the single-machine Jacobi (Neumann) sweep ``x <- d + A x``, so
  the result matches it to rounding.
- ``block-jacobi``: every union solves its own block exactly,
  ``(I - A_uu) x_u = d_u + A_u,other x_other`` (a sparse LU factorised once per union);
  fewer sweeps when unions are closely knit inside and loosely tied to each other.

Dask is optional: pass a ``dask.distributed`` client (or an address) to run the unions
on its workers; without one the same blocks run in this process. Dask is imported only
when a client or address is given.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from numpy.typing import NDArray

from collegium.planner.model import Economy, PlannerError

FloatArray: TypeAlias = NDArray[np.float64]
IntArray: TypeAlias = NDArray[np.int64]
SweepMethod = Literal["neumann", "block-jacobi"]


class DaskMissingError(PlannerError):
    """Distributed solving was asked for and dask.distributed is not installed."""


def require_dask() -> Any:
    """``dask.distributed``, or a clear error saying how to install it."""
    try:
        import dask.distributed as distributed
    except ImportError as error:  # pragma: no cover - dask is installed in development
        raise DaskMissingError(
            "distributed planning needs dask.distributed; install the optional extra: "
            "pip install 'collegium[distributed]'"
        ) from error
    return distributed


@dataclass(frozen=True, eq=False)
class UnionBlock:
    """One union's part of ``(I - A) x = d``.

    ``rows`` are the union's products (global indices, ascending); ``local`` is ``A``
    restricted to those rows and columns; ``boundary`` is ``A`` on those rows and the
    ``imports`` columns (products of other unions it uses).
    """

    union: str
    rows: IntArray
    local: sp.csr_matrix
    boundary: sp.csr_matrix
    imports: IntArray
    demand: FloatArray


@dataclass(frozen=True, eq=False)
class DistributedResult:
    """Gross output ``x`` in product order, with how the sweeps went.

    ``residual`` is the relative residual ``||(I - A) x - d|| / ||d||``, computed union by
    union. ``boundary_values`` is the number of values the unions exchanged per sweep.
    """

    gross_output: FloatArray
    iterations: int
    converged: bool
    residual: float
    method: SweepMethod
    unions: tuple[str, ...]
    boundary_values: int
    seconds: float
    distributed: bool = False
    history: tuple[float, ...] = field(default_factory=tuple)


def partition(A: Any, d: Any, unions: Sequence[str]) -> tuple[UnionBlock, ...]:
    """Split ``(I - A) x = d`` into block rows, one per union (in order of appearance)."""
    matrix = sp.csr_matrix(A, dtype=np.float64)
    demand = np.asarray(d, dtype=np.float64).reshape(-1)
    n = matrix.shape[0]
    if matrix.shape != (n, n) or demand.shape != (n,) or len(unions) != n:
        raise ValueError("A must be square, with one demand and one union per product")
    labels = list(dict.fromkeys(unions))
    owner = np.array([labels.index(u) for u in unions], dtype=np.int64)
    blocks: list[UnionBlock] = []
    for k, label in enumerate(labels):
        rows = np.flatnonzero(owner == k).astype(np.int64)
        band = sp.csr_matrix(matrix[rows, :])
        used = np.unique(band.indices)
        imports = used[owner[used] != k].astype(np.int64)
        blocks.append(
            UnionBlock(
                union=label,
                rows=rows,
                local=sp.csr_matrix(band[:, rows]),
                boundary=sp.csr_matrix(band[:, imports]),
                imports=imports,
                demand=demand[rows],
            )
        )
    return tuple(blocks)


def partition_economy(economy: Economy) -> tuple[tuple[UnionBlock, ...], FloatArray]:
    """Blocks of a single-product economy's Leontief system, one per union.

    The union of a product is the union of the technique that makes it (``""`` for
    techniques without one). Returns the blocks and the net output ``basket + floor``.
    """
    from collegium.planner.leontief import leontief_system

    A, _, order = leontief_system(economy)
    rows = economy.balance_rows
    d = np.asarray(economy.basket[rows] + economy.floor[rows], dtype=np.float64)
    unions = [economy.techniques[int(j)].union for j in order]
    return partition(A, d, unions), d


# --------------------------------------------------------------------------- one union


@dataclass(eq=False)
class _UnionState:
    """What a union keeps between sweeps: its block, its LU (block-Jacobi) and its x.

    The LU is not pickled (SciPy's factor objects cannot be); a state that travels
    refactorises on arrival.
    """

    block: UnionBlock
    method: SweepMethod
    x: FloatArray
    factor: Any = None
    step: float = 0.0

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "factor": None}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        if self.method == "block-jacobi":
            self.factor = _factor(self.block)


def _factor(block: UnionBlock) -> Any:
    if not block.rows.size:
        return None
    eye = sp.identity(block.rows.size, format="csc")
    return spla.splu(sp.csc_matrix(eye - block.local))


def _start(block: UnionBlock, method: SweepMethod) -> _UnionState:
    factor = _factor(block) if method == "block-jacobi" else None
    return _UnionState(block, method, block.demand.copy(), factor)


def _exports(state: _UnionState, positions: IntArray) -> FloatArray:
    return state.x[positions]


def _gather(parts: Sequence[FloatArray], picks: Sequence[IntArray], size: int) -> FloatArray:
    """Boundary values a union imports, assembled from the other unions' exports."""
    values = np.empty(size)
    for part, pick in zip(parts, picks, strict=True):
        values[pick[1]] = part[pick[0]]
    return values


def _sweep(state: _UnionState, picks: Sequence[IntArray], *parts: FloatArray) -> _UnionState:
    block = state.block
    imported = _gather(parts, picks, block.imports.size)
    rhs = block.demand + block.boundary @ imported
    if state.method == "neumann":
        x = rhs + block.local @ state.x
    else:
        x = state.factor.solve(rhs) if block.rows.size else rhs
    step = float(np.sum((x - state.x) ** 2))
    return _UnionState(block, state.method, x, state.factor, step)


def _step_of(state: _UnionState) -> float:
    return state.step


def _x_of(state: _UnionState) -> FloatArray:
    return state.x


def _residual(state: _UnionState, picks: Sequence[IntArray], *parts: FloatArray) -> float:
    block = state.block
    imported = _gather(parts, picks, block.imports.size)
    r = block.demand - (state.x - block.local @ state.x - block.boundary @ imported)
    return float(np.sum(r**2))


# --------------------------------------------------------------------------- the congress


def _routes(
    blocks: Sequence[UnionBlock],
) -> tuple[list[IntArray], list[list[tuple[int, IntArray]]]]:
    """What each union exports, and for each union where its imports come from.

    ``exports[c]`` are positions in union ``c``'s rows that some other union imports;
    ``sources[b]`` lists ``(c, pick)`` with ``pick[0]`` positions in ``c``'s export array
    and ``pick[1]`` positions in ``b``'s import vector.
    """
    n = sum(b.rows.size for b in blocks)
    owner = np.empty(n, dtype=np.int64)
    position = np.empty(n, dtype=np.int64)
    for c, block in enumerate(blocks):
        owner[block.rows] = c
        position[block.rows] = np.arange(block.rows.size)
    needed: list[IntArray] = []
    for c in range(len(blocks)):
        wanted = [b.imports[owner[b.imports] == c] for b in blocks]
        needed.append(np.unique(np.concatenate(wanted)) if wanted else np.zeros(0, np.int64))
    exports = [position[g].astype(np.int64) for g in needed]
    sources: list[list[tuple[int, IntArray]]] = []
    for block in blocks:
        routes: list[tuple[int, IntArray]] = []
        for c in np.unique(owner[block.imports]):
            at = np.flatnonzero(owner[block.imports] == c)
            in_export = np.searchsorted(needed[int(c)], block.imports[at])
            routes.append((int(c), np.stack([in_export, at]).astype(np.int64)))
        sources.append(routes)
    return exports, sources


def solve_blocks(
    blocks: Sequence[UnionBlock],
    *,
    method: SweepMethod = "neumann",
    tol: float = 1e-12,
    max_iter: int = 5000,
    client: Any = None,
    address: str | None = None,
) -> DistributedResult:
    """Sweep the unions' blocks until the step is below ``tol`` (relative to ``||d||``).

    With ``client`` (a ``dask.distributed.Client``) or ``address``, every union lives on
    a Dask worker and only boundary values travel between them; otherwise the unions run
    in this process, one after another, with the same arithmetic.
    """
    if method not in ("neumann", "block-jacobi"):
        raise ValueError(f"unknown sweep {method!r}")
    started = time.perf_counter()
    n = sum(b.rows.size for b in blocks)
    d_norm = math.sqrt(sum(float(np.sum(b.demand**2)) for b in blocks)) or 1.0
    exports, sources = _routes(blocks)
    picks = [[pick for _, pick in routes] for routes in sources]
    owned = None
    if client is None and address is not None:
        owned = require_dask().Client(address)
        client = owned
    try:
        if client is None:
            run = _run_local(blocks, method, tol, max_iter, d_norm, exports, sources, picks)
        else:
            require_dask()
            run = _run_dask(client, blocks, method, tol, max_iter, d_norm, exports, sources, picks)
    finally:
        if owned is not None:
            owned.close()
    x_parts, iterations, converged, residual_sq, history = run
    x = np.empty(n)
    for block, part in zip(blocks, x_parts, strict=True):
        x[block.rows] = part
    return DistributedResult(
        gross_output=x,
        iterations=iterations,
        converged=converged,
        residual=math.sqrt(residual_sq) / d_norm,
        method=method,
        unions=tuple(b.union for b in blocks),
        boundary_values=int(sum(b.imports.size for b in blocks)),
        seconds=time.perf_counter() - started,
        distributed=client is not None,
        history=tuple(history),
    )


_Run: TypeAlias = tuple[list[FloatArray], int, bool, float, list[float]]


def _run_local(
    blocks: Sequence[UnionBlock],
    method: SweepMethod,
    tol: float,
    max_iter: int,
    d_norm: float,
    exports: list[IntArray],
    sources: list[list[tuple[int, IntArray]]],
    picks: list[list[IntArray]],
) -> _Run:
    states = [_start(b, method) for b in blocks]
    history: list[float] = []
    converged = False
    iterations = 0
    for sweep in range(1, max_iter + 1):
        iterations = sweep
        out = [_exports(s, e) for s, e in zip(states, exports, strict=True)]
        states = [
            _sweep(s, picks[b], *[out[c] for c, _ in sources[b]]) for b, s in enumerate(states)
        ]
        step = math.sqrt(sum(s.step for s in states)) / d_norm
        history.append(step)
        if step <= tol:
            converged = True
            break
    out = [_exports(s, e) for s, e in zip(states, exports, strict=True)]
    residual_sq = sum(
        _residual(s, picks[b], *[out[c] for c, _ in sources[b]]) for b, s in enumerate(states)
    )
    return [s.x for s in states], iterations, converged, residual_sq, history


def _run_dask(
    client: Any,
    blocks: Sequence[UnionBlock],
    method: SweepMethod,
    tol: float,
    max_iter: int,
    d_norm: float,
    exports: list[IntArray],
    sources: list[list[tuple[int, IntArray]]],
    picks: list[list[IntArray]],
    window: int = 8,
) -> _Run:
    # Each union's state stays on one worker (its tasks are pinned there); per sweep only
    # the export arrays (boundary values) and one number per union travel. Sweeps are
    # submitted ``window`` at a time and their step sizes read together, so the congress
    # waits once per window, not once per sweep; the answer is the first sweep whose step
    # met the tolerance, exactly as in process.
    workers = sorted(client.scheduler_info()["workers"])
    if not workers:
        raise PlannerError("the Dask cluster has no workers")

    def on(b: int) -> dict[str, Any]:
        return {"workers": [workers[b % len(workers)]], "allow_other_workers": False}

    states = [
        client.submit(_start, blk, method, pure=False, **on(b)) for b, blk in enumerate(blocks)
    ]
    history: list[float] = []
    converged = False
    iterations = 0
    while iterations < max_iter and not converged:
        window_states: list[list[Any]] = []
        window_steps: list[list[Any]] = []
        for _ in range(min(window, max_iter - iterations)):
            out = [
                client.submit(_exports, st, exports[c], pure=False, **on(c))
                for c, st in enumerate(states)
            ]
            states = [
                client.submit(
                    _sweep, st, picks[b], *[out[c] for c, _ in sources[b]], pure=False, **on(b)
                )
                for b, st in enumerate(states)
            ]
            window_states.append(states)
            window_steps.append(
                [client.submit(_step_of, st, pure=False, **on(b)) for b, st in enumerate(states)]
            )
        steps = client.gather(window_steps)
        for k, per_union in enumerate(steps):
            iterations += 1
            step = math.sqrt(sum(per_union)) / d_norm
            history.append(step)
            if step <= tol:
                converged = True
                states = window_states[k]
                break
    out = [
        client.submit(_exports, st, exports[c], pure=False, **on(c)) for c, st in enumerate(states)
    ]
    residuals = client.gather(
        [
            client.submit(
                _residual, st, picks[b], *[out[c] for c, _ in sources[b]], pure=False, **on(b)
            )
            for b, st in enumerate(states)
        ]
    )
    x_parts = client.gather(
        [client.submit(_x_of, st, pure=False, **on(b)) for b, st in enumerate(states)]
    )
    return list(x_parts), iterations, converged, float(sum(residuals)), history


def solve_distributed(
    A: Any,
    d: Any,
    unions: Sequence[str],
    *,
    method: SweepMethod = "neumann",
    tol: float = 1e-12,
    max_iter: int = 5000,
    client: Any = None,
    address: str | None = None,
) -> DistributedResult:
    """``(I - A) x = d`` with the rows split by ``unions`` (one label per product)."""
    return solve_blocks(
        partition(A, d, unions),
        method=method,
        tol=tol,
        max_iter=max_iter,
        client=client,
        address=address,
    )


def balance_distributed(
    economy: Economy,
    *,
    method: SweepMethod = "neumann",
    tol: float = 1e-12,
    max_iter: int = 5000,
    client: Any = None,
    address: str | None = None,
) -> DistributedResult:
    """Gross output of a single-product economy for ``basket + floor``, union by union.

    Gross outputs are in balance-product order (as :func:`collegium.planner.leontief.balance`
    returns them).
    """
    blocks, _ = partition_economy(economy)
    return solve_blocks(
        blocks, method=method, tol=tol, max_iter=max_iter, client=client, address=address
    )
