"""Collegium's planning engine: balanced production plans, from one cooperative to a
national economy.

A pure library (no Django): load an :class:`Economy` from JSON, a CSV directory or
arrays, validate it, balance it with Leontief's input-output method or Kantorovich's
linear programme (HiGHS, PDLP), compare plan variants and explain floors that cannot be
met; run participatory rounds (:func:`run_rounds`), watch fulfilment reports for changes
(:func:`detect_changes`), and balance a federation split by industrial union on Dask
(:func:`solve_distributed`).
"""

from collegium.planner.distributed import (
    DaskMissingError,
    DistributedResult,
    balance_distributed,
    solve_distributed,
)
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
from collegium.planner.monitoring import (
    ChangeAlert,
    ChangeDetection,
    ChangePrior,
    change_posteriors,
    detect_changes,
    monitor,
)
from collegium.planner.rounds import (
    DualRule,
    HahnelCouncils,
    HahnelRule,
    LinearCouncils,
    RoundRecord,
    RoundsResult,
    RoundsSession,
    hahnel_instance,
    run_rounds,
)
from collegium.planner.validate import validate
from collegium.planner.variants import Variant, VariantSpec, default_variants, plan_variants

__all__ = [
    "PRODUCT_KINDS",
    "Bottleneck",
    "ChangeAlert",
    "ChangeDetection",
    "ChangePrior",
    "DaskMissingError",
    "DistributedResult",
    "DualRule",
    "Economy",
    "FloorShortfall",
    "Flow",
    "Fulfilment",
    "Growth",
    "HahnelCouncils",
    "HahnelRule",
    "Infeasibility",
    "InfeasiblePlanError",
    "InputError",
    "Issue",
    "LabourPool",
    "LeontiefResult",
    "LinearCouncils",
    "MissingInputError",
    "PlanResult",
    "PlannerError",
    "Product",
    "ProductKind",
    "Resource",
    "RoundRecord",
    "RoundsResult",
    "RoundsSession",
    "SolverError",
    "Target",
    "Technique",
    "Variant",
    "VariantSpec",
    "balance",
    "balance_distributed",
    "change_posteriors",
    "default_variants",
    "detect_changes",
    "explain_infeasibility",
    "from_arrays",
    "hahnel_instance",
    "labour_values",
    "load",
    "monitor",
    "plan_to_json",
    "plan_variants",
    "run_rounds",
    "save_economy",
    "save_plan",
    "solve",
    "solve_distributed",
    "solve_plan",
    "validate",
]
