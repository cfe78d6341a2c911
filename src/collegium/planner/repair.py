"""Exact plans for Leontief-structured LPs, and exact-feasibility repair of approximate ones.

When every technique makes exactly one balance product and every product has at least
one technique of unlimited capacity, pick one such *free* technique per product. With
the balances held at equality, the free activities follow from the others by one
Leontief solve::

    x_free = diag(1/b) (I - A_free)^-1 (t d + lo - N_other x_other)

and every labour row becomes ``t (v·d) + (L_other - v N_other) x_other <= avail - v·lo``
with ``v = L_free diag(1/b) (I - A_free)^-1`` the labour values of the free techniques
(one transposed solve per labour pool). That *reduced* LP has one row per labour pool
and one column per other technique: HiGHS solves it in well under a second even for
10^5 products. When the recovered ``x_free`` is non-negative and within capacity, the
plan is feasible for the full LP, and the duals ``y_balance = -y_labour · v`` make it
dual feasible too: the answer is the LP optimum, with the gap computed, not assumed.

:func:`repair` turns an approximate solution (PDLP, interior point without crossover)
into a plan that satisfies every row: it keeps each product's mix of techniques, solves
for gross output exactly and scales ``t`` down to the tightest labour, capacity or cap
row.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp

from collegium.planner.leontief import solve as _single_solve
from collegium.planner.model import LeontiefResult

if TYPE_CHECKING:
    from collegium.planner.lp import LinearProgram, RawSolution
    from collegium.planner.model import FloatArray

FEASIBILITY_TOL = 1e-9
"""Relative slack allowed on the recovered free activities (non-negativity, capacity)."""
CUT_DROP = 1e-11
"""Coefficients of a bounding row below this share of the row's largest are dropped."""


def _solve(A: Any, rhs: Any, tol: float = 1e-13, max_iter: int = 400) -> LeontiefResult:
    """``(I - A) X = rhs`` for one or several right-hand sides at once: Jacobi sweeps
    ``X <- rhs + A X`` on the whole block (one sparse-times-dense product per sweep),
    falling back to :func:`collegium.planner.leontief.solve` when they do not settle."""
    D = np.asarray(rhs, dtype=np.float64)
    many = D.ndim == 2
    D2 = D if many else D.reshape(-1, 1)
    Acsr = sp.csr_matrix(A, dtype=np.float64)
    X = D2.copy()
    scale = max(float(np.max(np.abs(D2), initial=0.0)), 1e-300)
    it = 0
    ok = False
    while it < max_iter:
        X_new = D2 + Acsr @ X
        it += 1
        step = float(np.max(np.abs(X_new - X), initial=0.0))
        X = X_new
        if not math.isfinite(step):
            break
        if step <= tol * max(scale, float(np.max(np.abs(X), initial=0.0))):
            ok = True
            break
    if not ok:
        return _single_solve(A, D, tol=tol)
    R = D2 - (X - Acsr @ X)
    norms = np.linalg.norm(D2, axis=0)
    res = np.linalg.norm(R, axis=0) / np.where(norms > 0, norms, 1.0)
    return LeontiefResult(
        X if many else X[:, 0], float(np.max(res, initial=0.0)), "jacobi-block", it, 0.0
    )


class _Structure:
    """The balance block of a ray LP split into free and other techniques."""

    def __init__(
        self,
        lp: LinearProgram,
        made: np.ndarray[Any, np.dtype[np.int64]],
        bal: np.ndarray[Any, np.dtype[np.int64]],
    ) -> None:
        m = lp.shape[1] - 1
        M = sp.csc_matrix(lp.matrix)
        self.m = m
        self.bal = bal
        self.made = made  # balance row (position within bal) made by each technique
        N = sp.csc_matrix(M[bal, :m])
        self.N = N
        self.d = -np.asarray(M[bal, m].toarray()).reshape(-1)
        self.lo = lp.row_lo[bal]
        self.b = np.asarray(N[made, np.arange(m)]).reshape(-1)
        lab = np.flatnonzero(lp.row_kind == "labour")
        self.lab = lab
        self.L = sp.csc_matrix(M[lab, :m])
        self.avail = lp.row_hi[lab]


def _structure(lp: LinearProgram) -> _Structure | None:
    """The single-output structure of ``lp``, or ``None`` when it does not have one."""
    if not lp.has_t:
        return None
    m = lp.shape[1] - 1
    bal = np.flatnonzero(lp.row_kind == "balance")
    if bal.size == 0 or m == 0:
        return None
    N = sp.csc_matrix(lp.matrix[bal, :m])
    pos = N.data > 0
    per_col = np.add.reduceat(pos.astype(np.int64), N.indptr[:-1]) if N.nnz else None
    if per_col is None or np.any(np.diff(N.indptr) == 0) or np.any(per_col != 1):
        return None
    col_of = np.repeat(np.arange(m), np.diff(N.indptr))
    made = np.empty(m, dtype=np.int64)
    made[col_of[pos]] = N.indices[pos]
    if np.unique(made).size != bal.size:
        return None  # some balance product has no technique
    return _Structure(lp, made, bal)


def _free_techniques(
    s: _Structure, col_hi: FloatArray
) -> np.ndarray[Any, np.dtype[np.int64]] | None:
    """Per product the unlimited technique with the least labour per unit of output."""
    n = s.bal.size
    labour = np.asarray(abs(s.L).sum(axis=0)).reshape(-1) / s.b if s.L.shape[0] else np.zeros(s.m)
    unlimited = ~np.isfinite(col_hi[: s.m])
    if not np.any(unlimited):
        return None
    cand = np.flatnonzero(unlimited)
    order = np.lexsort((labour[cand], s.made[cand]))
    cand = cand[order]
    first = np.ones(cand.size, dtype=bool)
    first[1:] = s.made[cand[1:]] != s.made[cand[:-1]]
    free = np.full(n, -1, dtype=np.int64)
    free[s.made[cand[first]]] = cand[first]
    if np.any(free < 0):
        return None
    return free


def _leontief_of(s: _Structure, free: np.ndarray[Any, np.dtype[np.int64]]) -> sp.csr_matrix:
    """``A_free = I - N_free diag(1/b_free)``, products in balance-row order."""
    n = s.bal.size
    Nf = sp.csc_matrix(s.N[:, free] @ sp.diags(1.0 / s.b[free]))
    return sp.csr_matrix(sp.identity(n, format="csc") - Nf)


def solve_reduced(
    lp: LinearProgram, time_limit: float | None = None, max_rounds: int = 30
) -> RawSolution | None:
    """The exact optimum of a single-output ray LP by Leontief elimination (see module
    docstring), or ``None`` when the structure does not apply or no feasible choice of
    free techniques was found (the caller then uses a general method).

    A free activity that comes out negative means another technique of that product
    makes more than the product needs: that technique becomes the product's free one.
    One above its capacity hands over to the unlimited one. Each round re-solves the
    reduced LP; ``max_rounds`` bounds the rounds.
    """
    from collegium.planner.lp import RawSolution

    s = _structure(lp)
    if s is None or s.L.shape[0] == 0:
        return None
    free = _free_techniques(s, lp.col_hi)
    if free is None:
        return None
    base = free.copy()
    # Capped products: the balance holds with equality, so caps bound t alone.
    cap = np.flatnonzero(lp.row_kind == "cap")
    pos_of = np.full(int(lp.row_ref.max(initial=0)) + 1, -1, dtype=np.int64)
    pos_of[lp.row_ref[s.bal]] = np.arange(s.bal.size)
    t_hi = math.inf
    for r in cap:
        p = pos_of[lp.row_ref[r]]
        if p < 0:
            return None
        if s.d[p] > 0:
            t_hi = min(t_hi, (lp.row_hi[r] - s.lo[p]) / s.d[p])
        elif s.lo[p] > lp.row_hi[r]:
            return None
    if not t_hi >= 0:
        return None
    iters = 0
    K = s.L.shape[0]
    cuts = np.zeros(0, dtype=np.int64)
    pinned = np.zeros(s.m, dtype=bool)  # techniques held at 0 while another is free
    for _ in range(max_rounds):
        hi = np.where(pinned, 0.0, lp.col_hi[: s.m])
        out = _reduced_round(lp, s, free, cuts, t_hi, hi, time_limit)
        if out is None:
            return None
        x, t, y_red, VW, it = out
        iters += it
        y = np.zeros(lp.shape[0])
        y[s.lab] = y_red[:K]
        y[s.bal] = -(y_red @ VW)  # labour values, and the bounded free activities' rows
        zd = lp.c - np.asarray(lp.matrix.T @ y).reshape(-1)
        x_free = x[free]
        scale = 1.0 + np.abs(x_free)
        neg = np.flatnonzero(x_free < -FEASIBILITY_TOL * scale)
        over = np.flatnonzero(x_free > lp.col_hi[free] + FEASIBILITY_TOL * scale)
        # A held technique that would pay to run: its product needs both techniques.
        want = np.flatnonzero(pinned & (zd[: s.m] < -1e-9 * (1.0 + np.abs(lp.c[: s.m]))))
        if neg.size == 0 and over.size == 0 and want.size == 0:
            break
        bad = np.concatenate([neg, over])
        if want.size == 0 and np.all(np.isin(bad, cuts)):
            # Only the solver's own tolerance on bounded rows is left: fix every
            # other activity within its bounds and recompute one per product.
            polished = polish(lp, np.concatenate([x, [t]]))
            if polished is None or polished[s.m] < t * (1 - 1e-6):
                return None
            x, t = polished[: s.m], float(polished[s.m])
            break
        free = free.copy()
        # Back to the unlimited technique, its activity bounded by a row of its own.
        back = np.union1d(over, s.made[want])
        back = back[free[back] != base[back]] if back.size else back
        pinned[base[back]] = False
        free[back] = base[back]
        cuts = np.union1d(cuts, np.union1d(back, over))
        # Free activities below zero: the product's other technique with the largest
        # activity takes over, and the one it replaces is held at zero.
        neg = np.setdiff1d(neg, np.union1d(cuts, back))
        if neg.size:
            act = np.where(np.isin(np.arange(s.m), free) | pinned, -np.inf, x)
            best = np.full(s.bal.size, -1, dtype=np.int64)
            order = np.lexsort((act, s.made))  # by product, then activity ascending
            last = np.ones(order.size, dtype=bool)
            last[:-1] = s.made[order[1:]] != s.made[order[:-1]]
            best[s.made[order[last]]] = order[last]
            cand = best[neg]
            ok = (cand >= 0) & (act[np.maximum(cand, 0)] > 0)
            pinned[free[neg[ok]]] = True
            free[neg[ok]] = cand[ok]
            cuts = np.union1d(cuts, neg[~ok])
    else:
        return None
    x = np.clip(x, 0.0, lp.col_hi[: s.m])
    z = np.concatenate([x, [t]])
    loose = np.setdiff1d(free, free[cuts])
    zd[loose] = 0.0
    return RawSolution(z, y, zd, float(lp.c @ z), math.nan, iters, "reduced")


def _reduced_round(
    lp: LinearProgram,
    s: _Structure,
    free: np.ndarray[Any, np.dtype[np.int64]],
    cuts: np.ndarray[Any, np.dtype[np.int64]],
    t_hi: float,
    col_hi: FloatArray,
    time_limit: float | None,
) -> tuple[FloatArray, float, FloatArray, FloatArray, int] | None:
    """One reduced LP for the free techniques ``free``: ``(x, t, labour duals, V, iterations)``."""
    import highspy

    from collegium.planner.lp import new_highs

    A_free = _leontief_of(s, free)
    try:
        Lf = sp.csc_matrix(s.L[:, free] @ sp.diags(1.0 / s.b[free]))
        # Rows of diag(1/b) (I - A_free)^-1 for the bounded free activities.
        E = np.zeros((s.bal.size, cuts.size))
        E[cuts, np.arange(cuts.size)] = 1.0 / s.b[free[cuts]]
        vres = _solve(A_free.T, np.column_stack([Lf.toarray().T, E]), tol=1e-13)
    except Exception:
        return None
    VW = np.asarray(vres.gross_output, dtype=np.float64).reshape(s.bal.size, -1).T
    if not np.all(np.isfinite(VW)) or vres.residual > 1e-9:
        return None
    K = s.L.shape[0]
    V, W = VW[:K], VW[K:]  # labour values; free activities per unit of net output
    other = np.setdiff1d(np.arange(s.m), free)
    No = sp.csc_matrix(s.N[:, other])
    coef = np.asarray(s.L[:, other].toarray() - (No.T @ V.T).T)  # K x |other|
    cut_coef = -np.asarray((No.T @ W.T).T).reshape(cuts.size, other.size)
    # The rows of a dense inverse decay fast: drop what cannot move an activity by
    # more than the solver's tolerance (the plan is recomputed exactly below).
    if cuts.size:
        row_max = np.max(np.abs(cut_coef), axis=1, initial=0.0)
        cut_coef[np.abs(cut_coef) < CUT_DROP * row_max[:, None]] = 0.0
    k = K + cuts.size
    A = sp.csc_matrix(
        np.column_stack([np.vstack([coef, cut_coef]), np.concatenate([V @ s.d, W @ s.d])])
    )  # last column: t
    A.eliminate_zeros()
    ncol = A.shape[1]
    cost = np.zeros(ncol)
    cost[-1] = -1.0
    h = new_highs()
    # Few rows, many columns: the interior point's normal equations are k x k.
    h.setOptionValue("solver", "ipm")
    h.setOptionValue("primal_feasibility_tolerance", 1e-10)
    h.setOptionValue("dual_feasibility_tolerance", 1e-10)
    if time_limit is not None:
        h.setOptionValue("time_limit", float(time_limit))
    hlp = highspy.HighsLp()
    hlp.num_col_ = ncol
    hlp.num_row_ = k
    hlp.col_cost_ = cost
    hlp.col_lower_ = np.zeros(ncol)
    hlp.col_upper_ = np.concatenate([col_hi[other], [t_hi]])
    hlp.row_lower_ = np.concatenate([np.full(K, -math.inf), -(W @ s.lo)])
    hlp.row_upper_ = np.concatenate([s.avail - V @ s.lo, lp.col_hi[free[cuts]] - W @ s.lo])
    hlp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    hlp.a_matrix_.start_ = A.indptr.astype(np.int32)
    hlp.a_matrix_.index_ = A.indices.astype(np.int32)
    hlp.a_matrix_.value_ = A.data
    h.passModel(hlp)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    sol = h.getSolution()
    w = np.asarray(sol.col_value, dtype=np.float64)
    t = float(w[-1])
    if math.isfinite(t_hi) and t >= t_hi * (1 - 1e-12):
        return None  # a cap binds: its dual is not recovered here
    x = np.zeros(s.m)
    x[other] = np.clip(w[:-1], 0.0, col_hi[other])
    target = t * s.d + s.lo - No @ x[other]
    gres = _solve(A_free, target, tol=1e-13)
    x[free] = np.asarray(gres.gross_output, dtype=np.float64) / s.b[free]
    info = h.getInfo()
    it = int(info.simplex_iteration_count) + max(int(info.ipm_iteration_count), 0)
    y = np.asarray(sol.row_dual, dtype=np.float64)
    # A bounded free activity's dual prices its product like a labour pool would.
    return x, t, y, VW, it + vres.iterations


def polish(
    lp: LinearProgram, z: FloatArray, free: np.ndarray[Any, np.dtype[np.int64]] | None = None
) -> FloatArray | None:
    """Keep every activity of ``z`` but one per product (the unlimited least-labour one
    where ``z`` runs it inside its bounds), solve for those exactly, and take the
    largest ``t`` every row allows. Loses little when ``z`` is nearly optimal. Where a
    recomputed activity would have to go negative, that product's other technique with
    the largest activity is solved for instead (a few rounds). ``None`` when the
    structure does not apply or no ``t >= 0`` is found."""
    s = _structure(lp)
    if s is None:
        return None
    if free is None:
        free = _interior_techniques(s, lp, z)
    if free is None:
        return None
    zx = np.clip(z[: s.m], 0.0, lp.col_hi[: s.m])
    for _ in range(5):
        x = zx.copy()
        x[free] = 0.0
        A_free = _leontief_of(s, free)
        try:
            res = _solve(A_free, np.column_stack([s.d, s.lo - s.N @ x]), tol=1e-13)
        except Exception:
            return None
        G = np.asarray(res.gross_output, dtype=np.float64)
        x_d = np.zeros(s.m)
        x_d[free] = G[:, 0] / s.b[free]
        x_0 = x.copy()
        x_0[free] = G[:, 1] / s.b[free]
        out = _largest_t(lp, s, x_d, x_0)
        if out is not None:
            return out
        # Which free activities force t up: negative where the labour rows allow.
        t_hi = _largest_t(lp, s, x_d, x_0, lower=False)
        if t_hi is None:
            return None
        t = float(t_hi[s.m])
        xt = x_d[free] * t + x_0[free]
        short = np.flatnonzero(xt < -1e-12 * (1 + np.abs(xt)))
        if short.size == 0:
            return None
        score = np.where(np.isin(np.arange(s.m), free), -np.inf, zx)
        order = np.lexsort((score, s.made))
        last = np.ones(order.size, dtype=bool)
        last[:-1] = s.made[order[1:]] != s.made[order[:-1]]
        best = np.full(s.bal.size, -1, dtype=np.int64)
        best[s.made[order[last]]] = order[last]
        cand = best[short]
        ok = (cand >= 0) & (score[np.maximum(cand, 0)] > 0)
        if not np.any(ok):
            return None
        free = free.copy()
        free[short[ok]] = cand[ok]
    return None


def _interior_techniques(
    s: _Structure, lp: LinearProgram, z: FloatArray
) -> np.ndarray[Any, np.dtype[np.int64]] | None:
    """Per product the technique to solve for: the unlimited least-labour one where ``z``
    runs it strictly inside its bounds, else the one ``z`` runs most strictly inside."""
    base = _free_techniques(s, lp.col_hi)
    if base is None:
        return None
    x = z[: s.m]
    hi = lp.col_hi[: s.m]
    gross = np.bincount(s.made, weights=np.abs(x) * s.b, minlength=s.bal.size)
    margin = 1e-7 * (1.0 + gross[s.made] / s.b)
    inside = (x > margin) & (x < hi - margin)
    free = base.copy()
    swap = ~inside[base]
    if np.any(swap):
        score = np.where(inside, x, -np.inf)
        order = np.lexsort((score, s.made))
        last = np.ones(order.size, dtype=bool)
        last[:-1] = s.made[order[1:]] != s.made[order[:-1]]
        best = np.full(s.bal.size, -1, dtype=np.int64)
        best[s.made[order[last]]] = order[last]
        pick = swap & (best >= 0) & np.isfinite(score[np.maximum(best, 0)])
        free[pick] = best[pick]
    return free


def _largest_t(
    lp: LinearProgram, s: _Structure, xd: FloatArray, xf: FloatArray, *, lower: bool = True
) -> FloatArray | None:
    """``x = t xd + xf`` with the largest ``t`` every labour, cap row and bound allows
    (with ``lower=False`` the lower bounds on activities are not checked)."""
    a_parts = [s.L @ xd, xd, -xd]
    b_parts = [s.avail - s.L @ xf, lp.col_hi[: s.m] - xf, xf]
    cap = np.flatnonzero(lp.row_kind == "cap")
    if cap.size:
        Mc = sp.csr_matrix(lp.matrix[cap, : s.m])
        a_parts.append(Mc @ xd)
        b_parts.append(lp.row_hi[cap] - Mc @ xf)
    a = np.concatenate(a_parts)
    b = np.concatenate(b_parts)
    with np.errstate(divide="ignore", invalid="ignore"):
        t_hi = min(lp.col_hi[s.m], float(np.min(np.where(a > 0, b / a, math.inf))))
        t_lo = float(np.max(np.where(a < 0, b / a, 0.0), initial=0.0)) if lower else 0.0
    if np.any((a == 0) & (b < -1e-12 * (1 + np.abs(b)))) or not math.isfinite(t_hi):
        return None
    if t_lo > t_hi + 1e-9 * (1 + t_hi):
        return None
    # A lower bound above t_hi by rounding only: clip it (a violation below 1e-9).
    t = t_hi * (1 - 1e-12) if t_lo <= t_hi * (1 - 1e-12) else t_hi
    x = np.clip(xd * t + xf, 0.0, lp.col_hi[: s.m])
    return np.concatenate([x, [t]])


def repair(lp: LinearProgram, z: FloatArray) -> FloatArray | None:
    """A plan that satisfies every row, made from the approximate solution ``z``.

    Each product keeps the shares of its techniques in ``z`` (the unlimited one with the
    least labour where ``z`` makes none); gross output follows from one Leontief solve
    per right-hand side (basket and floors), so every balance holds to the solver's
    residual; ``t`` is the largest value every labour, capacity and cap row allows.
    ``None`` when the structure does not apply or no ``t >= 0`` is feasible.
    """
    s = _structure(lp)
    if s is None:
        return None
    free = _free_techniques(s, lp.col_hi)
    n = s.bal.size
    x0 = np.clip(z[: s.m], 0.0, None) * s.b  # gross output of each technique
    gross = np.bincount(s.made, weights=x0, minlength=n)
    share = np.where(gross[s.made] > 0, x0 / np.where(gross[s.made] > 0, gross[s.made], 1), 0.0)
    empty = gross <= 0
    if np.any(empty):
        if free is None:
            return None
        share[free[empty]] = 1.0
    # Per unit of gross output of each product: activity share / b.
    per_unit = sp.csc_matrix((share / s.b, (np.arange(s.m), s.made)), shape=(s.m, n))
    A_mix = sp.csr_matrix(sp.identity(n, format="csc") - s.N @ per_unit)
    try:
        res = _solve(A_mix, np.column_stack([s.d, s.lo]), tol=1e-13)
    except Exception:
        return None
    G = np.asarray(res.gross_output, dtype=np.float64)
    xd = per_unit @ G[:, 0]
    xf = per_unit @ G[:, 1]
    return _largest_t(lp, s, xd, xf)
