"""Why floors cannot be met, and what would have to grow so that they can.

Two phase LPs with elastic slack variables:

1. *Minimum shortfall*: every floor may fall short by ``s >= 0``; minimise the sum of
   relative shortfalls ``s / floor`` under the hard labour, capacity and cap limits.
   The floors with ``s > 0`` are the ones that cannot be met; ``reachable`` is what
   that plan delivers.
2. *Minimum growth*: floors are hard; each labour pool, capacity, cap and resource may
   grow by ``g >= 0``; minimise the sum of relative growths ``g / (1 + limit)``.
   The limits with ``g > 0`` are the ones to grow, and by how much.
"""

from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp

from collegium.planner.lp import (
    InfeasibleProgram,
    LinearProgram,
    UnboundedProgram,
    build_program,
    solve_program,
)
from collegium.planner.model import (
    Economy,
    FloatArray,
    FloorShortfall,
    Growth,
    Infeasibility,
    SolverError,
)

TOL = 1e-7


def _with_columns(
    lp: LinearProgram, cols: sp.csc_matrix, cost: FloatArray, upper: FloatArray | None = None
) -> LinearProgram:
    k = cols.shape[1]
    c = np.concatenate([np.zeros_like(lp.c), cost])
    return LinearProgram(
        c=c,
        matrix=sp.csc_matrix(sp.hstack([lp.matrix, cols])),
        row_lo=lp.row_lo,
        row_hi=lp.row_hi,
        col_lo=np.concatenate([lp.col_lo, np.zeros(k)]),
        col_hi=np.concatenate([lp.col_hi, np.full(k, math.inf) if upper is None else upper]),
        row_kind=lp.row_kind,
        row_ref=lp.row_ref,
        has_t=False,
        sign=1.0,
    )


def _shortfall(economy: Economy, t_fixed: float) -> tuple[FloorShortfall, ...]:
    e = economy
    base = build_program(e, objective="labour", weights=np.zeros(len(e.labour)), t_fixed=t_fixed)
    need = (base.row_kind == "balance") & (base.row_lo > 0)
    rows = np.flatnonzero(need)
    if rows.size == 0:
        return ()
    cols = sp.csc_matrix(
        (np.ones(rows.size), (rows, np.arange(rows.size))), shape=(base.shape[0], rows.size)
    )
    required = base.row_lo[rows]
    lp = _with_columns(base, cols, 1.0 / np.maximum(required, 1e-12))
    try:
        raw = solve_program(lp, "highs")
    except (InfeasibleProgram, UnboundedProgram) as exc:
        raise SolverError("the minimum-shortfall problem could not be solved") from exc
    s = raw.z[base.shape[1] :]
    out = []
    for r, short in zip(rows, s, strict=True):
        p = int(base.row_ref[r])
        floor_req = float(e.floor[p] + t_fixed * e.basket[p])
        if short > TOL * max(1.0, floor_req):
            out.append(
                FloorShortfall(
                    e.products[p].code,
                    floor_req,
                    max(floor_req - float(short), 0.0),
                    float(short),
                )
            )
    return tuple(out)


def _growth(economy: Economy, t_fixed: float) -> tuple[Growth, ...]:
    e = economy
    m = e.n_techniques
    base = build_program(e, objective="labour", weights=np.zeros(len(e.labour)), t_fixed=t_fixed)
    nrow = base.shape[0]
    # Capacities become rows so that their growth is a column like the others.
    limited = np.flatnonzero(np.isfinite(e.capacity))
    cap_rows = sp.csr_matrix(
        (np.ones(limited.size), (np.arange(limited.size), limited)), shape=(limited.size, m)
    )
    matrix = sp.csc_matrix(sp.vstack([base.matrix, cap_rows]))
    base = LinearProgram(
        c=base.c,
        matrix=matrix,
        row_lo=np.concatenate([base.row_lo, np.full(limited.size, -math.inf)]),
        row_hi=np.concatenate([base.row_hi, e.capacity[limited]]),
        col_lo=base.col_lo,
        col_hi=np.full(m, math.inf),
        row_kind=np.concatenate([base.row_kind, np.full(limited.size, "capacity")]),
        row_ref=np.concatenate([base.row_ref, limited.astype(np.int64)]),
        has_t=False,
        sign=1.0,
    )
    kind, ref = base.row_kind, base.row_ref
    grow_rows: list[int] = []
    signs: list[float] = []
    names: list[str] = []
    limits: list[float] = []
    for r in range(base.shape[0]):
        k = str(kind[r])
        j = int(ref[r])
        if k == "labour":
            names.append(f"labour:{e.pool_label(j)}")
            limits.append(float(e.labour_available[j]))
            signs.append(-1.0)
        elif k == "capacity":
            names.append(f"capacity:{e.techniques[j].code}")
            limits.append(float(e.capacity[j]))
            signs.append(-1.0)
        elif k == "cap":
            names.append(f"cap:{e.products[j].code}")
            limits.append(float(e.cap[j]))
            signs.append(-1.0)
        elif k == "balance" and (e.endowment[j] > 0 or e.products[j].kind == "resource"):
            names.append(f"resource:{e.products[j].code}")
            limits.append(float(e.endowment[j]))
            signs.append(1.0)
        else:
            continue
        grow_rows.append(r)
    if not grow_rows:
        return ()
    g = len(grow_rows)
    cols = sp.csc_matrix(
        (np.array(signs), (np.array(grow_rows), np.arange(g))), shape=(nrow + limited.size, g)
    )
    lp = _with_columns(base, cols, 1.0 / (1.0 + np.abs(np.array(limits))))
    try:
        raw = solve_program(lp, "highs")
    except (InfeasibleProgram, UnboundedProgram):
        return ()
    growth = raw.z[m:]
    return tuple(
        Growth(name, float(by))
        for name, by, lim in zip(names, growth, limits, strict=True)
        if by > TOL * max(1.0, abs(lim))
    )


def explain_infeasibility(economy: Economy, *, t_fixed: float = 0.0) -> Infeasibility:
    """Which floors cannot be met (and by how much), and which limits must grow.

    ``floors`` is empty when every floor can be met (the plan then failed for another
    reason, such as being unbounded).
    """
    floors = _shortfall(economy, t_fixed)
    if not floors:
        return Infeasibility((), ())
    return Infeasibility(floors, _growth(economy, t_fixed))
