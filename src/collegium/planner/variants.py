"""Plan variants for members to vote on: the same constraints, different objectives.

* ``plan-ray``: the largest multiple ``t`` of the basket (Kantorovich).
* ``least-labour``: meet the floors (and ``t_fixed`` times the basket) with the fewest
  hours of labour, leaving the rest as free time.
* ``weighted``: maximise the net output valued at the priority weights the body gives
  per product, floors still met.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from collegium.planner.lp import Method, Objective, solve_plan
from collegium.planner.model import Economy, FloatArray, InputError, Issue, PlanResult


@dataclass(frozen=True, eq=False)
class VariantSpec:
    name: str
    objective: Objective
    description: str
    weights: FloatArray | None = None
    t_fixed: float = 0.0


@dataclass(frozen=True, eq=False)
class Variant:
    """A solved variant; ``basket_multiple`` is how many baskets its plan delivers."""

    spec: VariantSpec
    result: PlanResult
    basket_multiple: float
    labour_hours: float

    @property
    def name(self) -> str:
        return self.spec.name


def weights_vector(
    economy: Economy, weights: Mapping[str, float], source: str = "weights"
) -> FloatArray:
    """Priority weights per product as a vector; unknown products are an input error."""
    w = np.zeros(economy.n_products)
    issues = []
    for code, value in weights.items():
        i = economy.product_index.get(code)
        if i is None:
            issues.append(Issue(source, None, "product", f"unknown product {code!r}"))
        elif not math.isfinite(value) or value < 0:
            issues.append(Issue(source, None, "weight", f"weight of {code!r} must be >= 0"))
        else:
            w[i] = value
    if issues:
        raise InputError(issues)
    return w


def default_variants(
    economy: Economy, weights: Mapping[str, float] | None = None, *, t_fixed: float = 0.0
) -> list[VariantSpec]:
    specs = [
        VariantSpec("plan-ray", "ray", "largest multiple of the basket"),
        VariantSpec(
            "least-labour",
            "labour",
            "floors met with the fewest hours of labour"
            + (f" (and {t_fixed:g} baskets)" if t_fixed else ""),
            t_fixed=t_fixed,
        ),
    ]
    if weights:
        specs.append(
            VariantSpec(
                "weighted",
                "weighted",
                "net output valued at the body's priority weights",
                weights_vector(economy, weights),
                t_fixed,
            )
        )
    return specs


def basket_multiple(economy: Economy, result: PlanResult) -> float:
    """Largest ``t`` with ``net + endowment >= t * basket + floor`` for this plan."""
    e = economy
    pos = e.basket > 0
    if not pos.any():
        return math.nan
    spare = result.net_output + e.endowment - e.floor
    return max(0.0, float(np.min(spare[pos] / e.basket[pos])))


def plan_variants(
    economy: Economy,
    specs: Sequence[VariantSpec] | None = None,
    *,
    method: Method = "auto",
    tol: float = 1e-4,
) -> tuple[Variant, ...]:
    """Solve each variant; an infeasible or unbounded one raises as :func:`solve_plan`."""
    out = []
    for spec in specs if specs is not None else default_variants(economy):
        result = solve_plan(
            economy,
            method=method,
            objective=spec.objective,
            weights=spec.weights,
            t_fixed=spec.t_fixed,
            tol=tol,
        )
        multiple = result.t if spec.objective == "ray" else basket_multiple(economy, result)
        out.append(Variant(spec, result, multiple, float(np.sum(result.labour_used))))
    return tuple(out)
