"""Data model of the planner: an economy, its targets, and the results of balancing it.

Names are tables of small frozen records (products, techniques, labour pools); numbers
are numpy arrays and sparse matrices indexed like those tables, so an economy of a
million products costs memory in proportion to its nonzeros, not to Python objects per
flow.

Conventions used everywhere in the planner:

* ``outputs`` (``B``) and ``inputs`` (``A``) are non-negative sparse matrices of shape
  ``(n_products, n_techniques)``: amount of each product made or used per unit of
  activity of each technique. ``net = B - A``.
* Labour is a product of kind ``labour``; it is supplied by :class:`LabourPool` rows
  (per skill, optionally per region) and has no product balance of its own.
* Every other product has a balance ``net[p] @ x + endowment[p] >= t * basket[p] +
  floor[p]``; ``endowment`` comes from ``resources.csv``. ``cap[p]`` (``inf`` when
  absent) bounds ``net[p] @ x`` from above (emission caps).
* Capacities bound activity: ``0 <= x[j] <= capacity[j]`` (``inf`` when absent).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal, TypeAlias

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

FloatArray: TypeAlias = NDArray[np.float64]
SparseMatrix: TypeAlias = sp.csc_matrix

ProductKind = Literal["good", "service", "labour", "resource", "emission"]
PRODUCT_KINDS: tuple[ProductKind, ...] = ("good", "service", "labour", "resource", "emission")


# --------------------------------------------------------------------------- errors


@dataclass(frozen=True)
class Issue:
    """One problem in the input, located as ``FILE:LINE:COLUMN: reason``.

    ``line`` is 1-based (the header is line 1 in CSV files); ``column`` is the header
    name. Either may be empty when the problem is not tied to one cell.
    """

    file: str
    line: int | None
    column: str
    reason: str

    def __str__(self) -> str:
        line = "" if self.line is None else str(self.line)
        return f"{self.file}:{line}:{self.column}: {self.reason}"


class PlannerError(Exception):
    """Base class of the planner's errors."""


class InputError(PlannerError):
    """The input economy is invalid; ``issues`` lists every problem found."""

    def __init__(self, issues: Iterable[Issue]) -> None:
        self.issues: tuple[Issue, ...] = tuple(issues)
        super().__init__("\n".join(str(i) for i in self.issues))


class MissingInputError(InputError):
    """A file or directory the input needs does not exist (a usage error, exit 2)."""


class SolverError(PlannerError):
    """A solver failed for a reason other than infeasible floors (unbounded, time)."""


class InfeasiblePlanError(PlannerError):
    """The floors cannot all be met; ``explanation`` says which and what must grow."""

    def __init__(self, explanation: Infeasibility) -> None:
        self.explanation = explanation
        names = ", ".join(f.product for f in explanation.floors) or "(none)"
        super().__init__(f"floors cannot all be met: {names}")


# --------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class Product:
    code: str
    name: str = ""
    unit: str = ""
    kind: ProductKind = "good"


@dataclass(frozen=True, slots=True)
class Technique:
    """A way of making products, run by one workplace, up to ``capacity`` units."""

    code: str
    workplace: str = ""
    capacity: float = math.inf
    union: str = ""
    region: str = ""


@dataclass(frozen=True, slots=True)
class Flow:
    """Amount of ``product`` per unit of activity: outputs positive, inputs negative."""

    technique: str
    product: str
    amount: float


@dataclass(frozen=True, slots=True)
class LabourPool:
    """Labour of one skill available in the plan period (in one region, or everywhere)."""

    skill: str
    available: float
    region: str = ""


@dataclass(frozen=True, slots=True)
class Target:
    """A row of ``targets.csv``: share of the plan ray, floor and optional cap."""

    product: str
    basket: float = 0.0
    floor: float = 0.0
    cap: float = math.inf


@dataclass(frozen=True, slots=True)
class Resource:
    product: str
    available: float


# --------------------------------------------------------------------------- economy


def _as_csc(m: Any, shape: tuple[int, int]) -> SparseMatrix:
    out = sp.csc_matrix(m, dtype=np.float64)
    if out.shape != shape:
        raise ValueError(f"matrix has shape {out.shape}, expected {shape}")
    out.sum_duplicates()
    out.eliminate_zeros()
    return out


def _vector(v: Any, n: int, default: float) -> FloatArray:
    if v is None:
        return np.full(n, default, dtype=np.float64)
    arr = np.asarray(v, dtype=np.float64).reshape(-1)
    if arr.shape != (n,):
        raise ValueError(f"vector has length {arr.shape[0]}, expected {n}")
    return arr


@dataclass(frozen=True, eq=False)
class Economy:
    """A plan period's economy: what can be made, how, with what labour, to what end.

    Build one with :meth:`from_records`, :func:`collegium.planner.io.load` or
    :func:`collegium.planner.io.from_arrays`; the constructor itself normalises the
    matrices and vectors it is given.
    """

    products: tuple[Product, ...]
    techniques: tuple[Technique, ...]
    outputs: SparseMatrix
    inputs: SparseMatrix
    labour: tuple[LabourPool, ...] = ()
    basket: FloatArray = field(default_factory=lambda: np.zeros(0))
    floor: FloatArray = field(default_factory=lambda: np.zeros(0))
    cap: FloatArray = field(default_factory=lambda: np.zeros(0))
    endowment: FloatArray = field(default_factory=lambda: np.zeros(0))
    name: str = ""

    def __post_init__(self) -> None:
        shape = (len(self.products), len(self.techniques))
        n = shape[0]
        object.__setattr__(self, "products", tuple(self.products))
        object.__setattr__(self, "techniques", tuple(self.techniques))
        object.__setattr__(self, "labour", tuple(self.labour))
        object.__setattr__(self, "outputs", _as_csc(self.outputs, shape))
        object.__setattr__(self, "inputs", _as_csc(self.inputs, shape))
        # Lists are accepted too; an empty vector means "the default everywhere".
        for name, default in (
            ("basket", 0.0),
            ("floor", 0.0),
            ("cap", math.inf),
            ("endowment", 0.0),
        ):
            value = np.asarray(getattr(self, name), dtype=np.float64)
            object.__setattr__(self, name, _vector(value if value.size else None, n, default))

    # -- construction ------------------------------------------------------------

    @classmethod
    def from_records(
        cls,
        products: Iterable[Product],
        techniques: Iterable[Technique],
        flows: Iterable[Flow],
        labour: Iterable[LabourPool] = (),
        targets: Iterable[Target] = (),
        resources: Iterable[Resource] = (),
        name: str = "",
    ) -> Economy:
        """Build an economy from records; unknown codes raise ``KeyError``.

        Loading files goes through :mod:`collegium.planner.io`, which reports unknown
        codes as located :class:`InputError` issues instead.
        """
        prods = tuple(products)
        techs = tuple(techniques)
        pidx = {p.code: i for i, p in enumerate(prods)}
        tidx = {t.code: j for j, t in enumerate(techs)}
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        for f in flows:
            rows.append(pidx[f.product])
            cols.append(tidx[f.technique])
            vals.append(float(f.amount))
        r = np.asarray(rows, dtype=np.int64)
        c = np.asarray(cols, dtype=np.int64)
        v = np.asarray(vals, dtype=np.float64)
        shape = (len(prods), len(techs))
        pos = v > 0
        outputs = sp.csc_matrix((v[pos], (r[pos], c[pos])), shape=shape)
        inputs = sp.csc_matrix((-v[~pos], (r[~pos], c[~pos])), shape=shape)
        n = len(prods)
        basket = np.zeros(n)
        floor = np.zeros(n)
        cap = np.full(n, math.inf)
        for t in targets:
            i = pidx[t.product]
            basket[i], floor[i], cap[i] = t.basket, t.floor, t.cap
        endowment = np.zeros(n)
        for res in resources:
            endowment[pidx[res.product]] += res.available
        return cls(
            prods, techs, outputs, inputs, tuple(labour), basket, floor, cap, endowment, name
        )

    # -- indices and derived views -----------------------------------------------

    @property
    def n_products(self) -> int:
        return len(self.products)

    @property
    def n_techniques(self) -> int:
        return len(self.techniques)

    @property
    def nnz(self) -> int:
        return int(self.outputs.nnz + self.inputs.nnz)

    @cached_property
    def product_index(self) -> Mapping[str, int]:
        return {p.code: i for i, p in enumerate(self.products)}

    @cached_property
    def technique_index(self) -> Mapping[str, int]:
        return {t.code: j for j, t in enumerate(self.techniques)}

    @cached_property
    def product_codes(self) -> tuple[str, ...]:
        return tuple(p.code for p in self.products)

    @cached_property
    def technique_codes(self) -> tuple[str, ...]:
        return tuple(t.code for t in self.techniques)

    @cached_property
    def is_labour(self) -> NDArray[np.bool_]:
        return np.array([p.kind == "labour" for p in self.products], dtype=bool)

    @cached_property
    def balance_rows(self) -> NDArray[np.int64]:
        """Indices of the products that have a balance (every kind but labour)."""
        return np.flatnonzero(~self.is_labour).astype(np.int64)

    @cached_property
    def net(self) -> SparseMatrix:
        """``B - A``: net output of each product per unit of each technique."""
        return sp.csc_matrix(self.outputs - self.inputs)

    @cached_property
    def capacity(self) -> FloatArray:
        return np.array([t.capacity for t in self.techniques], dtype=np.float64)

    def labour_matrix(self) -> SparseMatrix:
        """Labour used per unit of activity, one row per labour pool.

        A pool with a region counts only the techniques of that region; a pool without
        one counts every technique.
        """
        net_use = sp.csr_matrix(self.inputs - self.outputs)
        regions = np.array([t.region for t in self.techniques], dtype=object)
        rows: list[sp.csr_matrix] = []
        for pool in self.labour:
            row = sp.csr_matrix(net_use[[self.product_index[pool.skill]], :])
            if pool.region:
                mask = sp.diags((regions == pool.region).astype(np.float64))
                row = sp.csr_matrix(row @ mask)
            rows.append(row)
        if not rows:
            return sp.csc_matrix((0, self.n_techniques))
        return sp.csc_matrix(sp.vstack(rows))

    @cached_property
    def labour_available(self) -> FloatArray:
        return np.array([p.available for p in self.labour], dtype=np.float64)

    def pool_label(self, k: int) -> str:
        pool = self.labour[k]
        return pool.skill if not pool.region else f"{pool.skill}@{pool.region}"

    def flows(self) -> Iterator[Flow]:
        """Flows as records (outputs positive, inputs negative), in technique order."""
        for m, sign in ((self.outputs, 1.0), (self.inputs, -1.0)):
            coo = m.tocoo()
            for i, j, v in zip(coo.row, coo.col, coo.data, strict=True):
                yield Flow(self.techniques[int(j)].code, self.products[int(i)].code, sign * v)

    def targets(self) -> Iterator[Target]:
        """Products with a basket share, a floor or a cap."""
        interesting = (self.basket != 0) | (self.floor != 0) | np.isfinite(self.cap)
        for i in np.flatnonzero(interesting):
            yield Target(
                self.products[i].code,
                float(self.basket[i]),
                float(self.floor[i]),
                float(self.cap[i]),
            )

    def resources(self) -> Iterator[Resource]:
        for i in np.flatnonzero(self.endowment != 0):
            yield Resource(self.products[i].code, float(self.endowment[i]))

    def with_targets(
        self,
        basket: FloatArray | None = None,
        floor: FloatArray | None = None,
        cap: FloatArray | None = None,
    ) -> Economy:
        """The same economy with other targets (for variants and what-if questions)."""
        return Economy(
            self.products,
            self.techniques,
            self.outputs,
            self.inputs,
            self.labour,
            self.basket if basket is None else basket,
            self.floor if floor is None else floor,
            self.cap if cap is None else cap,
            self.endowment,
            self.name,
        )


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, eq=False)
class LeontiefResult:
    """Gross output ``x`` with ``(I - A) x = d``; labour values ``v = l (I - A)^-1``."""

    gross_output: FloatArray
    residual: float
    method: str
    iterations: int
    seconds: float
    labour_values: FloatArray | None = None
    codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Bottleneck:
    """A binding constraint and its valuation (dual value, ``p·d = 1`` scale).

    ``constraint`` reads ``kind:name``: ``balance:P``, ``labour:SKILL`` (or
    ``labour:SKILL@REGION``), ``capacity:T``, ``cap:P``.
    """

    constraint: str
    kind: str
    valuation: float


@dataclass(frozen=True)
class Fulfilment:
    """How a product with a basket share or floor is served by the plan."""

    product: str
    basket: float
    floor: float
    required: float
    delivered: float

    @property
    def ratio(self) -> float:
        return self.delivered / self.required if self.required > 0 else math.inf


@dataclass(frozen=True)
class FloorShortfall:
    product: str
    required: float
    reachable: float
    shortfall: float


@dataclass(frozen=True)
class Growth:
    """A capacity, labour pool, resource or cap that would have to grow by ``by``."""

    constraint: str
    by: float


@dataclass(frozen=True)
class Infeasibility:
    floors: tuple[FloorShortfall, ...]
    grow: tuple[Growth, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "infeasible": {
                "floors": [
                    {
                        "product": f.product,
                        "required": f.required,
                        "reachable": f.reachable,
                        "shortfall": f.shortfall,
                    }
                    for f in self.floors
                ],
                "grow": [{"constraint": g.constraint, "by": g.by} for g in self.grow],
            }
        }


@dataclass(frozen=True, eq=False)
class PlanResult:
    """A balanced plan.

    Arrays are indexed like ``economy.techniques`` (``activity``), ``economy.products``
    (``gross_output``, ``net_output``, ``valuations``) and ``economy.labour``
    (``labour_used``, ``labour_valuations``). ``gap`` is the relative primal-dual gap
    the solver reached (about 0 for exact methods), ``residual`` the largest relative
    constraint violation found by the final check.
    """

    economy: Economy
    objective: str
    t: float
    activity: FloatArray
    gross_output: FloatArray
    net_output: FloatArray
    labour_used: FloatArray
    valuations: FloatArray
    labour_valuations: FloatArray
    bottlenecks: tuple[Bottleneck, ...]
    method: str
    gap: float
    residual: float
    seconds: float
    iterations: int = 0
    objective_value: float = math.nan

    def activity_by_technique(self) -> dict[str, float]:
        return dict(zip(self.economy.technique_codes, self.activity.tolist(), strict=True))

    def valuation_by_product(self) -> dict[str, float]:
        e = self.economy
        return {e.products[i].code: float(self.valuations[i]) for i in e.balance_rows}

    def labour_by_pool(self) -> dict[str, float]:
        e = self.economy
        return {e.pool_label(k): float(v) for k, v in enumerate(self.labour_used)}

    def labour_valuation_by_pool(self) -> dict[str, float]:
        e = self.economy
        return {e.pool_label(k): float(v) for k, v in enumerate(self.labour_valuations)}

    def fulfilment(self) -> tuple[Fulfilment, ...]:
        e = self.economy
        t = self.t if math.isfinite(self.t) else 0.0
        rows = np.flatnonzero((e.basket != 0) | (e.floor != 0))
        return tuple(
            Fulfilment(
                e.products[i].code,
                float(e.basket[i]),
                float(e.floor[i]),
                float(t * e.basket[i] + e.floor[i]),
                float(self.net_output[i] + e.endowment[i]),
            )
            for i in rows
        )
