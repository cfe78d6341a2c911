"""Seeded synthetic economies for tests and benchmarks.

Structure imitates real input-output tables: a few *hub* products (energy, transport)
feed almost every technique, and the rest of each technique's inputs come from its own
*cluster* (a supply chain: metals, food, textiles …) with a few from anywhere. Column
sums of ``A`` are drawn around ``rho`` (default 0.5) and kept below 0.95, so the spectral
radius of ``A``, which lies between the smallest and largest column sum, is near
``rho`` (the real US 1997 table has 0.49).
"""

from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp

from collegium.planner.leontief import solve
from collegium.planner.model import Economy, FloatArray, LabourPool, Product, Technique


def technology_matrix(
    n: int,
    *,
    inputs: int = 20,
    rho: float = 0.5,
    n_cols: int | None = None,
    cluster_size: int = 100,
    n_hubs: int | None = None,
    seed: int = 0,
) -> sp.csc_matrix:
    """An ``n x n_cols`` non-negative input matrix with about ``inputs`` nonzeros per
    column and column sums in ``[0.8 rho, 1.2 rho]`` (never above 0.95).

    Column ``c`` stands for a technique of product ``c % n``, so its cluster is that
    product's cluster.
    """
    rng = np.random.default_rng(seed)
    cols = n if n_cols is None else n_cols
    k = max(1, min(inputs, n))
    hubs = n_hubs if n_hubs is not None else max(1, min(10, n // 100))
    k_hub = min(3, hubs, k // 4) if k >= 4 else 0
    k_local = k - k_hub
    size = max(1, min(cluster_size, n))

    product = np.arange(cols, dtype=np.int64) % n
    start = (product // size) * size
    width = np.minimum(size, n - start)
    rows = np.empty((cols, k), dtype=np.int64)
    if k_hub:
        rows[:, :k_hub] = rng.integers(0, hubs, size=(cols, k_hub))
    local = rng.random((cols, k_local)) < 0.8
    in_cluster = start[:, None] + (rng.random((cols, k_local)) * width[:, None]).astype(np.int64)
    anywhere = rng.integers(0, n, size=(cols, k_local))
    rows[:, k_hub:] = np.where(local, in_cluster, anywhere)

    vals = rng.exponential(1.0, size=(cols, k))
    if k_hub:
        # Hubs carry about 30% of every column: everything needs energy and transport.
        vals[:, :k_hub] *= 0.3 * k_local / max(0.7 * k_hub, 1e-12)
    sums = np.clip(rho * rng.uniform(0.8, 1.2, size=cols), 0.0, 0.95)
    vals *= (sums / vals.sum(axis=1))[:, None]
    A = sp.csc_matrix(
        (vals.reshape(-1), (rows.reshape(-1), np.repeat(np.arange(cols), k))),
        shape=(n, cols),
    )
    A.sum_duplicates()
    return A


def final_demand(n: int, *, share: float = 0.5, seed: int = 0) -> FloatArray:
    """A positive-or-zero final demand: about ``share`` of products are consumed."""
    rng = np.random.default_rng(seed + 1)
    d = rng.lognormal(0.0, 1.0, size=n)
    d[rng.random(n) >= share] = 0.0
    if not d.any():
        d[0] = 1.0
    return d


def leontief_instance(
    n: int, *, inputs: int = 20, rho: float = 0.5, seed: int = 0
) -> tuple[sp.csr_matrix, FloatArray]:
    """``(A, d)`` for benchmarking ``(I - A) x = d`` (CSR, the layout of the sweeps)."""
    A = sp.csr_matrix(technology_matrix(n, inputs=inputs, rho=rho, seed=seed))
    return A, final_demand(n, seed=seed)


def economy(
    n_products: int,
    *,
    techniques_per_product: int = 2,
    inputs: int = 8,
    rho: float = 0.5,
    n_skills: int = 4,
    cluster_size: int = 100,
    floor_share: float = 0.05,
    seed: int = 0,
) -> Economy:
    """A plannable economy where labour and capacity both bind.

    Technique 0 of each product is the labour-intensive standard one, unlimited;
    further techniques need less labour but more inputs and have a capacity of half
    the standard plan's output. Labour available per skill is what the standard
    techniques need for the basket, so ``t`` comes out a little above 1. A share of
    products get a floor of a tenth of their basket amount. With one technique per
    product the economy is a Leontief one.
    """
    n = n_products
    tp = techniques_per_product
    m = n * tp
    rng = np.random.default_rng(seed + 2)
    A = technology_matrix(n, inputs=inputs, rho=rho, n_cols=m, cluster_size=cluster_size, seed=seed)
    kind = np.arange(m) // n  # technique c makes product c % n; kind 0 is standard
    made = np.arange(m) % n
    # Labour-saving techniques use more materials.
    A = sp.csc_matrix(A @ sp.diags(np.where(kind == 0, 1.0, 1.25)))
    d = final_demand(n, seed=seed)
    cluster = made // max(1, min(cluster_size, n))
    skill = cluster % n_skills
    base_labour = rng.uniform(0.5, 1.5, size=n)
    labour_coef = base_labour[made] * np.where(kind == 0, 1.0, 0.4)

    standard = sp.csc_matrix(A[:, :n])
    x_std = solve(standard, d).gross_output
    capacity = np.where(kind == 0, math.inf, 0.5 * x_std[made] / max(tp - 1, 1))

    inputs_all = sp.vstack(
        [A, sp.csc_matrix((labour_coef, (skill, np.arange(m))), shape=(n_skills, m))]
    )
    outputs = sp.csc_matrix((np.ones(m), (made, np.arange(m))), shape=(n + n_skills, m))
    need = np.bincount(skill[:n], weights=labour_coef[:n] * x_std, minlength=n_skills)

    products = [Product(f"p{i}", f"product {i}", "unit") for i in range(n)]
    products += [
        Product(f"skill{s}", f"labour skill {s}", "hour", "labour") for s in range(n_skills)
    ]
    techniques = [
        Technique(
            f"p{made[c]}-t{kind[c]}",
            workplace=f"w{made[c]}-{kind[c]}",
            capacity=float(capacity[c]),
            union=f"union{cluster[c]}",
        )
        for c in range(m)
    ]
    pools = [LabourPool(f"skill{s}", float(need[s])) for s in range(n_skills) if need[s] > 0]
    basket = np.concatenate([d, np.zeros(n_skills)])
    floor = np.zeros(n + n_skills)
    chosen = (rng.random(n) < floor_share) & (d > 0)
    floor[:n][chosen] = 0.1 * d[chosen]
    return Economy(
        tuple(products),
        tuple(techniques),
        outputs,
        sp.csc_matrix(inputs_all),
        tuple(pools),
        basket,
        floor,
        np.full(n + n_skills, math.inf),
        np.zeros(n + n_skills),
        name=f"synthetic-{n}-seed{seed}",
    )
