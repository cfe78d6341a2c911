"""Kantorovich's plan: the largest multiple ``t`` of the basket the economy can deliver.

::

    max t   subject to   (B - A)[p] x + endowment[p] >= t * basket[p] + floor[p]
                         (B - A)[p] x                <= cap[p]
                         labour[k] x                 <= available[k]
                         0 <= x <= capacity,  t >= 0

Solved exactly by HiGHS (``highspy``) for small and medium problems. Large ones where
each technique makes one product and each product has a technique of unlimited
capacity are solved exactly by Leontief elimination (``reduced``, see
:mod:`collegium.planner.repair`): a few Jacobi block solves and a HiGHS LP with one row
per labour pool. Other large ones go to OR-Tools PDLP (a first-order primal-dual method
that only multiplies by the matrix); a PDLP answer is checked against every constraint
afterwards, repaired into a plan that satisfies every row where the structure allows
(method ``pdlp+repair``), and the relative gap of the reported ``t`` to PDLP's dual
bound is reported beside it. The same builder serves the other
objectives of :mod:`collegium.planner.variants` (least labour, weighted priorities).

Valuations are the duals of the product balances: what one more unit of a product
would add to the objective. They are non-negative and, for the plan ray, scaled so
that the basket is worth 1 (``p·d = 1``).
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp

from collegium.planner.model import (
    Bottleneck,
    Economy,
    FloatArray,
    InfeasiblePlanError,
    PlanResult,
    SolverError,
)

Method = Literal["auto", "reduced", "highs", "highs-simplex", "highs-ipm", "pdlp"]
Objective = Literal["ray", "labour", "weighted"]
PdlpRule = Literal["l2", "componentwise"]
PDLP_NNZ = 40_000
"""``auto`` switches from HiGHS to PDLP above this many matrix nonzeros."""


@dataclass(frozen=True, eq=False)
class LinearProgram:
    """``min c·z`` subject to ``row_lo <= M z <= row_hi``, ``col_lo <= z <= col_hi``.

    Columns are the techniques, then ``t`` when ``has_t``. ``rows`` names each row as
    ``(kind, index)``: ``("balance", product)``, ``("cap", product)``,
    ``("labour", pool)``. ``sign`` is ``-1`` when the original objective is a maximum.
    """

    c: FloatArray
    matrix: sp.csc_matrix
    row_lo: FloatArray
    row_hi: FloatArray
    col_lo: FloatArray
    col_hi: FloatArray
    row_kind: np.ndarray[Any, np.dtype[np.str_]]
    row_ref: np.ndarray[Any, np.dtype[np.int64]]
    has_t: bool
    sign: float

    @property
    def shape(self) -> tuple[int, int]:
        r, c = self.matrix.shape
        return int(r), int(c)


@dataclass(frozen=True, eq=False)
class RawSolution:
    z: FloatArray
    row_dual: FloatArray
    col_dual: FloatArray
    objective: float
    gap: float
    iterations: int
    method: str


def build_program(
    economy: Economy,
    *,
    objective: Objective = "ray",
    weights: FloatArray | None = None,
    t_fixed: float = 0.0,
) -> LinearProgram:
    """The LP for ``objective``; ``weights`` are per product (weighted) or per labour
    pool (labour; default 1 each); ``t_fixed`` is the basket multiple that the
    non-ray objectives must still deliver beside the floors."""
    e = economy
    m = e.n_techniques
    rows = e.balance_rows
    net = sp.csr_matrix(e.net)
    has_t = objective == "ray"
    blocks: list[Any] = []
    lo: list[FloatArray] = []
    hi: list[FloatArray] = []
    kinds: list[np.ndarray[Any, np.dtype[np.str_]]] = []
    refs: list[np.ndarray[Any, np.dtype[np.int64]]] = []

    bal = net[rows, :]
    d = e.basket[rows]
    if has_t:
        bal = sp.hstack([bal, sp.csr_matrix(-d.reshape(-1, 1))])
        lo.append(e.floor[rows] - e.endowment[rows])
    else:
        lo.append(e.floor[rows] + t_fixed * d - e.endowment[rows])
    blocks.append(bal)
    hi.append(np.full(rows.size, math.inf))
    kinds.append(np.full(rows.size, "balance"))
    refs.append(rows.astype(np.int64))

    capped = np.flatnonzero(np.isfinite(e.cap))
    if capped.size:
        cap_rows = net[capped, :]
        if has_t:
            cap_rows = sp.hstack([cap_rows, sp.csr_matrix((capped.size, 1))])
        blocks.append(cap_rows)
        lo.append(np.full(capped.size, -math.inf))
        hi.append(e.cap[capped])
        kinds.append(np.full(capped.size, "cap"))
        refs.append(capped.astype(np.int64))

    L = sp.csr_matrix(e.labour_matrix())
    avail = e.labour_available
    limited = np.flatnonzero(np.isfinite(avail))
    if limited.size:
        lab = L[limited, :]
        if has_t:
            lab = sp.hstack([lab, sp.csr_matrix((limited.size, 1))])
        blocks.append(lab)
        lo.append(np.full(limited.size, -math.inf))
        hi.append(avail[limited])
        kinds.append(np.full(limited.size, "labour"))
        refs.append(limited.astype(np.int64))

    matrix = sp.csc_matrix(sp.vstack(blocks, format="csr"))
    ncols = m + (1 if has_t else 0)
    col_lo = np.zeros(ncols)
    col_hi = np.concatenate([e.capacity, [math.inf]]) if has_t else e.capacity.copy()
    c = np.zeros(ncols)
    sign = 1.0
    if objective == "ray":
        c[m] = -1.0
        sign = -1.0
    elif objective == "labour":
        w = np.ones(len(e.labour)) if weights is None else np.asarray(weights, dtype=np.float64)
        c[:m] = np.asarray(L.T @ w).reshape(-1)
    elif objective == "weighted":
        if weights is None:
            raise ValueError("the weighted objective needs weights per product")
        w = np.asarray(weights, dtype=np.float64)
        c[:m] = -np.asarray(net.T @ w).reshape(-1)
        sign = -1.0
    else:
        raise ValueError(f"unknown objective {objective!r}")
    return LinearProgram(
        c=c,
        matrix=matrix,
        row_lo=np.concatenate(lo),
        row_hi=np.concatenate(hi),
        col_lo=col_lo,
        col_hi=col_hi,
        row_kind=np.concatenate(kinds),
        row_ref=np.concatenate(refs),
        has_t=has_t,
        sign=sign,
    )


# --------------------------------------------------------------------------- HiGHS


@contextmanager
def _quiet_stdout() -> Iterator[None]:
    """HiGHS prints its banner from C when an instance is made; keep stdout clean."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        yield
        return
    sys.stdout.flush()
    saved = os.dup(fd)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
        yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)
        os.close(devnull)


def new_highs() -> Any:
    """A silent ``highspy.Highs`` instance."""
    import highspy

    with _quiet_stdout():
        h: Any = highspy.Highs()  # type: ignore[no-untyped-call]
    h.setOptionValue("output_flag", False)
    return h


class _Infeasible(Exception):
    pass


class _Unbounded(Exception):
    pass


def to_highs_lp(lp: LinearProgram) -> Any:
    import highspy

    hlp = highspy.HighsLp()
    nrow, ncol = lp.shape
    hlp.num_col_ = ncol
    hlp.num_row_ = nrow
    hlp.col_cost_ = lp.c
    hlp.col_lower_ = lp.col_lo
    hlp.col_upper_ = lp.col_hi
    hlp.row_lower_ = lp.row_lo
    hlp.row_upper_ = lp.row_hi
    hlp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    hlp.a_matrix_.start_ = lp.matrix.indptr.astype(np.int32)
    hlp.a_matrix_.index_ = lp.matrix.indices.astype(np.int32)
    hlp.a_matrix_.value_ = lp.matrix.data
    return hlp


def _solve_highs(lp: LinearProgram, solver: str, time_limit: float | None) -> RawSolution:
    import highspy

    h = new_highs()
    h.setOptionValue("solver", solver)
    if time_limit is not None:
        h.setOptionValue("time_limit", float(time_limit))
    h.passModel(to_highs_lp(lp))
    h.run()
    status = h.getModelStatus()
    ms = highspy.HighsModelStatus
    if status == ms.kInfeasible:
        raise _Infeasible
    if status in (ms.kUnbounded, ms.kUnboundedOrInfeasible):
        raise _Unbounded
    if status != ms.kOptimal:
        raise SolverError(f"HiGHS stopped: {h.modelStatusToString(status)}")
    sol = h.getSolution()
    info = h.getInfo()
    z = np.asarray(sol.col_value, dtype=np.float64)
    y = np.asarray(sol.row_dual, dtype=np.float64)
    zd = np.asarray(sol.col_dual, dtype=np.float64)
    iters = int(info.simplex_iteration_count) + max(int(info.ipm_iteration_count), 0)
    name = {"choose": "highs", "simplex": "highs-simplex", "ipm": "highs-ipm"}.get(solver, solver)
    return RawSolution(z, y, zd, float(info.objective_function_value), math.nan, iters, name)


# --------------------------------------------------------------------------- PDLP


def _solve_pdlp(
    lp: LinearProgram, tol: float, time_limit: float | None, rule: PdlpRule = "l2"
) -> RawSolution:
    from ortools.pdlp import solve_log_pb2, solvers_pb2
    from ortools.pdlp.python import pdlp

    qp = pdlp.QuadraticProgram()
    qp.objective_vector = lp.c
    qp.constraint_lower_bounds = lp.row_lo
    qp.constraint_upper_bounds = lp.row_hi
    qp.variable_lower_bounds = lp.col_lo
    qp.variable_upper_bounds = lp.col_hi
    qp.constraint_matrix = lp.matrix
    params = solvers_pb2.PrimalDualHybridGradientParams()
    crit = params.termination_criteria.simple_optimality_criteria
    crit.eps_optimal_relative = tol
    crit.eps_optimal_absolute = tol
    if rule == "componentwise":
        # Every row and bound within tol of its own size, not only the norm.
        params.termination_criteria.optimality_norm = (
            solvers_pb2.OptimalityNorm.OPTIMALITY_NORM_L_INF_COMPONENTWISE
        )
    if time_limit is not None:
        params.termination_criteria.time_sec_limit = float(time_limit)
    params.num_threads = max(1, min(4, os.cpu_count() or 1))
    params.verbosity_level = 0
    result = pdlp.primal_dual_hybrid_gradient(qp, params)
    log = result.solve_log
    reason = log.termination_reason
    tr = solve_log_pb2
    if reason == tr.TERMINATION_REASON_PRIMAL_INFEASIBLE:
        raise _Infeasible
    if reason in (
        tr.TERMINATION_REASON_DUAL_INFEASIBLE,
        tr.TERMINATION_REASON_PRIMAL_OR_DUAL_INFEASIBLE,
    ):
        raise _Unbounded
    if reason not in (
        tr.TERMINATION_REASON_OPTIMAL,
        tr.TERMINATION_REASON_TIME_LIMIT,
        tr.TERMINATION_REASON_ITERATION_LIMIT,
    ):
        raise SolverError(f"PDLP stopped: {tr.TerminationReason.Name(reason)}")
    z = np.asarray(result.primal_solution, dtype=np.float64)
    y = np.asarray(result.dual_solution, dtype=np.float64)
    zd = np.asarray(result.reduced_costs, dtype=np.float64)
    return RawSolution(z, y, zd, float(lp.c @ z), math.nan, int(log.iteration_count), "pdlp")


# --------------------------------------------------------------------------- checks


def max_violation(lp: LinearProgram, z: FloatArray) -> float:
    """Largest violation of any row or bound, relative to ``1 + |bound|``."""
    act = lp.matrix @ z
    with np.errstate(invalid="ignore"):
        v_lo = np.where(np.isfinite(lp.row_lo), (lp.row_lo - act) / (1 + np.abs(lp.row_lo)), 0)
        v_hi = np.where(np.isfinite(lp.row_hi), (act - lp.row_hi) / (1 + np.abs(lp.row_hi)), 0)
        b_lo = np.where(np.isfinite(lp.col_lo), (lp.col_lo - z) / (1 + np.abs(lp.col_lo)), 0)
        b_hi = np.where(np.isfinite(lp.col_hi), (z - lp.col_hi) / (1 + np.abs(lp.col_hi)), 0)
    worst = 0.0
    for v in (v_lo, v_hi, b_lo, b_hi):
        if v.size:
            worst = max(worst, float(np.max(v)))
    return worst


def dual_objective(lp: LinearProgram, y: FloatArray, zd: FloatArray) -> float:
    """The dual bound ``sum(y * active row bound) + sum(reduced cost * active bound)``."""

    def part(mult: FloatArray, lo: FloatArray, hi: FloatArray) -> float:
        pos = np.where((mult > 0) & np.isfinite(lo), mult * np.where(np.isfinite(lo), lo, 0), 0)
        neg = np.where((mult < 0) & np.isfinite(hi), mult * np.where(np.isfinite(hi), hi, 0), 0)
        return float(np.sum(pos) + np.sum(neg))

    return part(y, lp.row_lo, lp.row_hi) + part(zd, lp.col_lo, lp.col_hi)


def relative_gap(primal: float, dual: float) -> float:
    scale = max(1.0, abs(primal), abs(dual))
    return abs(primal - dual) / scale


# --------------------------------------------------------------------------- plan


def choose_method(economy: Economy) -> Method:
    """HiGHS up to :data:`PDLP_NNZ` nonzeros; above, the exact Leontief elimination
    (``reduced``, which falls back to PDLP by itself) where each technique makes one
    product and each product has a technique of unlimited capacity, else PDLP."""
    if economy.nnz <= PDLP_NNZ:
        return "highs"
    B = sp.csc_matrix(economy.outputs[economy.balance_rows, :])
    single = bool(np.all(np.diff(B.indptr) == 1)) and bool(np.all(B.data > 0))
    unlimited = ~np.isfinite(economy.capacity)
    served = np.zeros(B.shape[0], dtype=bool)
    if single and np.any(unlimited):
        served[B.indices[unlimited]] = True
    return "reduced" if single and bool(np.all(served)) else "pdlp"


def _with_gap(lp: LinearProgram, raw: RawSolution) -> RawSolution:
    primal = float(lp.c @ raw.z)
    dual = dual_objective(lp, raw.row_dual, raw.col_dual)
    return RawSolution(
        raw.z,
        raw.row_dual,
        raw.col_dual,
        primal,
        relative_gap(primal, dual),
        raw.iterations,
        raw.method,
    )


def _repaired(lp: LinearProgram, raw: RawSolution) -> RawSolution:
    """``raw`` made to satisfy every row (:mod:`collegium.planner.repair`) when it does
    not already and a repair applies; the gap is then the repaired ``t`` against the
    dual bound of ``raw``."""
    from collegium.planner.repair import polish, repair

    if not lp.has_t or max_violation(lp, raw.z) <= 1e-9:
        return raw
    best: FloatArray | None = None
    for fix in (polish, repair):
        z = fix(lp, raw.z)
        if z is None or max_violation(lp, z) > 1e-9:
            continue
        if best is None or z[-1] > best[-1]:
            best = z
    if best is None:
        return raw
    return RawSolution(
        best,
        raw.row_dual,
        raw.col_dual,
        float(lp.c @ best),
        raw.gap,
        raw.iterations,
        raw.method + "+repair",
    )


def solve_program(
    lp: LinearProgram,
    method: Method,
    *,
    tol: float = 1e-4,
    time_limit: float | None = None,
    pdlp_rule: PdlpRule = "l2",
) -> RawSolution:
    """Solve ``lp``; raises ``InfeasibleProgram`` / ``UnboundedProgram`` sentinels.

    ``reduced`` (and ``auto``) first try the exact Leontief elimination of
    :func:`collegium.planner.repair.solve_reduced`; where it does not apply, or its
    answer is not optimal to 1e-9, ``auto`` uses HiGHS up to :data:`PDLP_NNZ`
    nonzeros and PDLP above. A PDLP answer that violates some row is repaired into a
    plan that satisfies every row (method ``pdlp+repair``); its gap is then measured
    from the repaired ``t``.
    """
    if method == "auto":
        method = "reduced" if lp.matrix.nnz > PDLP_NNZ else "highs"
    if method == "reduced":
        from collegium.planner.repair import solve_reduced

        start = time.perf_counter()
        red = solve_reduced(lp, time_limit)
        if red is not None:
            red = _with_gap(lp, red)
            if red.gap <= 1e-9 and max_violation(lp, red.z) <= 1e-9:
                return red
        if time_limit is not None:
            time_limit = max(1.0, time_limit - (time.perf_counter() - start))
        method = "pdlp" if lp.matrix.nnz > PDLP_NNZ else "highs"
    if method == "pdlp":
        raw = _with_gap(lp, _solve_pdlp(lp, tol, time_limit, pdlp_rule))
        fixed = _repaired(lp, raw)
        if fixed is raw:
            return raw
        dual = dual_objective(lp, raw.row_dual, raw.col_dual)
        return RawSolution(
            fixed.z,
            fixed.row_dual,
            fixed.col_dual,
            fixed.objective,
            relative_gap(fixed.objective, dual),
            fixed.iterations,
            fixed.method,
        )
    solver = {"highs": "choose", "highs-simplex": "simplex"}.get(method, "ipm")
    return _with_gap(lp, _solve_highs(lp, solver, time_limit))


InfeasibleProgram = _Infeasible
UnboundedProgram = _Unbounded


def solve_plan(
    economy: Economy,
    *,
    method: Method = "auto",
    objective: Objective = "ray",
    weights: FloatArray | Sequence[float] | None = None,
    t_fixed: float = 0.0,
    tol: float = 1e-4,
    time_limit: float | None = None,
    explain: bool = True,
    pdlp_rule: PdlpRule = "l2",
) -> PlanResult:
    """Balance ``economy``; the main entry point of the planner.

    ``pdlp_rule="componentwise"`` makes PDLP stop only when every row and bound is
    within ``tol`` of its own size (slower; the default L2 rule bounds only the norm).

    An economy without a basket has no ray to scale: its plan meets the floors with the
    least labour (``objective == "labour"``, ``t`` is NaN).

    Raises :class:`~collegium.planner.model.InfeasiblePlanError` (with the explanation
    of :mod:`collegium.planner.infeasibility` when ``explain``) when the floors cannot
    all be met, and :class:`~collegium.planner.model.SolverError` when the plan is
    unbounded (some product can be made without labour or capacity) or the solver
    fails.
    """
    start = time.perf_counter()
    if method == "auto":
        method = choose_method(economy)
    if objective == "ray" and not np.any(economy.basket[economy.balance_rows]):
        # No plan ray to scale: meet the floors with the least labour instead.
        objective = "labour"
    w = None if weights is None else np.asarray(weights, dtype=np.float64)
    lp = build_program(economy, objective=objective, weights=w, t_fixed=t_fixed)
    try:
        raw = solve_program(lp, method, tol=tol, time_limit=time_limit, pdlp_rule=pdlp_rule)
    except (_Infeasible, _Unbounded) as exc:
        from collegium.planner.infeasibility import explain_infeasibility

        why = explain_infeasibility(economy, t_fixed=0.0 if objective == "ray" else t_fixed)
        if why.floors:
            raise InfeasiblePlanError(why) from None
        if isinstance(exc, _Infeasible):
            # Floors are reachable by the shortfall LP but the solver said infeasible:
            # numerical trouble rather than a real verdict.
            raise SolverError("the solver reported infeasible floors it could not name") from None
        raise SolverError(
            "the plan is unbounded: some product can be made without limited labour, "
            "capacity or resources"
        ) from None
    return _result(economy, lp, raw, objective, time.perf_counter() - start)


def _result(
    economy: Economy, lp: LinearProgram, raw: RawSolution, objective: str, seconds: float
) -> PlanResult:
    e = economy
    m = e.n_techniques
    x = np.clip(raw.z[:m], 0.0, e.capacity)
    t = float(raw.z[m]) if lp.has_t else math.nan
    gross = np.asarray(e.outputs @ x).reshape(-1)
    net = np.asarray(e.net @ x).reshape(-1)
    labour_used = np.asarray(e.labour_matrix() @ x).reshape(-1)

    # Shadow prices in "objective gained per unit of relaxation": the min-form duals
    # of >= rows are >= 0, of <= rows <= 0.
    y = raw.row_dual
    val_rows = np.where(lp.row_kind == "balance", y, -y)
    val_rows = np.maximum(val_rows, 0.0)
    bal = lp.row_kind == "balance"
    valuations = np.zeros(e.n_products)
    valuations[lp.row_ref[bal]] = val_rows[bal]
    scale = float(valuations @ e.basket)
    if not (scale > 0 and math.isfinite(scale)):
        scale = 1.0
    valuations /= scale
    val_rows = val_rows / scale
    labour_val = np.zeros(len(e.labour))
    lab = lp.row_kind == "labour"
    labour_val[lp.row_ref[lab]] = val_rows[lab]
    cap_val = np.maximum(-raw.col_dual[:m], 0.0) / scale

    bottlenecks: list[Bottleneck] = []
    top = max(float(np.max(val_rows, initial=0.0)), float(np.max(cap_val, initial=0.0)))
    thresh = 1e-7 * max(top, 1e-300)
    for k in np.flatnonzero(labour_val > thresh):
        bottlenecks.append(
            Bottleneck(f"labour:{e.pool_label(int(k))}", "labour", float(labour_val[k]))
        )
    for j in np.flatnonzero((cap_val > thresh) & np.isfinite(e.capacity)):
        bottlenecks.append(
            Bottleneck(f"capacity:{e.techniques[j].code}", "capacity", float(cap_val[j]))
        )
    caps = lp.row_kind == "cap"
    for r in np.flatnonzero(caps & (val_rows > thresh)):
        code = e.products[int(lp.row_ref[r])].code
        bottlenecks.append(Bottleneck(f"cap:{code}", "cap", float(val_rows[r])))
    for p in np.flatnonzero((e.endowment > 0) & (valuations > thresh)):
        bottlenecks.append(
            Bottleneck(f"resource:{e.products[p].code}", "resource", float(valuations[p]))
        )
    for p in np.flatnonzero((e.floor > 0) & (e.basket == 0) & (valuations > thresh)):
        bottlenecks.append(Bottleneck(f"floor:{e.products[p].code}", "floor", float(valuations[p])))
    bottlenecks.sort(key=lambda b: -b.valuation)

    return PlanResult(
        economy=e,
        objective=objective,
        t=t,
        activity=x,
        gross_output=gross,
        net_output=net,
        labour_used=labour_used,
        valuations=valuations,
        labour_valuations=labour_val,
        bottlenecks=tuple(bottlenecks),
        method=raw.method,
        gap=raw.gap,
        residual=max_violation(lp, raw.z),
        seconds=seconds,
        iterations=raw.iterations,
        objective_value=lp.sign * raw.objective,
    )
