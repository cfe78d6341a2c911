"""Collegium's planning engine: balanced production plans, from one cooperative to a
national economy.

A pure library (no Django): load an :class:`Economy` from JSON, a CSV directory or
arrays, validate it, balance it with Leontief's input-output method or Kantorovich's
linear programme (HiGHS, PDLP), compare plan variants and explain floors that cannot be
met.
"""

from collegium.planner.infeasibility import explain_infeasibility
from collegium.planner.io import from_arrays, load, plan_to_json, save_economy, save_plan
from collegium.planner.leontief import balance, labour_values, solve
from collegium.planner.lp import solve_plan
from collegium.planner.model import (
    PRODUCT_KINDS,
    Bottleneck,
    Economy,
    FloorShortfall,
    Flow,
    Fulfilment,
    Growth,
    Infeasibility,
    InfeasiblePlanError,
    InputError,
    Issue,
    LabourPool,
    LeontiefResult,
    MissingInputError,
    PlannerError,
    PlanResult,
    Product,
    ProductKind,
    Resource,
    SolverError,
    Target,
    Technique,
)
from collegium.planner.validate import validate
from collegium.planner.variants import Variant, VariantSpec, default_variants, plan_variants

__all__ = [
    "PRODUCT_KINDS",
    "Bottleneck",
    "Economy",
    "FloorShortfall",
    "Flow",
    "Fulfilment",
    "Growth",
    "Infeasibility",
    "InfeasiblePlanError",
    "InputError",
    "Issue",
    "LabourPool",
    "LeontiefResult",
    "MissingInputError",
    "PlanResult",
    "PlannerError",
    "Product",
    "ProductKind",
    "Resource",
    "SolverError",
    "Target",
    "Technique",
    "Variant",
    "VariantSpec",
    "balance",
    "default_variants",
    "explain_infeasibility",
    "from_arrays",
    "labour_values",
    "load",
    "plan_to_json",
    "plan_variants",
    "save_economy",
    "save_plan",
    "solve",
    "solve_plan",
    "validate",
]
