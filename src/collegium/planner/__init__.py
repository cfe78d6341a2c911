"""Collegium's planning engine: balanced production plans, from one cooperative to a
national economy.

A pure library (no Django): load an :class:`Economy` from JSON, a CSV directory or
arrays, validate it, balance it with Leontief's input-output method or Kantorovich's
linear programme (HiGHS, PDLP), compare plan variants and explain floors that cannot be
met.
"""

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
]
