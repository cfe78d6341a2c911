"""``collegium plan solve|variants|rounds``.

Exit codes: 0 success, 1 invalid input (or a plan that cannot be computed), 2 usage
error (unknown option, missing file or directory), 3 floors that cannot be met (the
explanation is still printed).
"""

from __future__ import annotations

import argparse
import csv
import importlib
import importlib.util
import json
import math
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from collegium.planner.io import (
    leontief_to_json,
    load,
    plan_to_json,
    read_floors,
    save_infeasibility,
    save_leontief,
    save_plan,
)
from collegium.planner.leontief import NotLeontiefError, balance, leontief_system
from collegium.planner.lp import choose_method, solve_plan
from collegium.planner.model import (
    Economy,
    InfeasiblePlanError,
    InputError,
    LeontiefResult,
    MissingInputError,
    PlannerError,
    PlanResult,
)
from collegium.planner.variants import default_variants, plan_variants


class Progress:
    """A one-line stage bar on stderr, drawn only when stderr is a terminal."""

    def __init__(self, stages: Sequence[str], stream: TextIO | None = None) -> None:
        self.stages = list(stages)
        self.stream = stream or sys.stderr
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self.done = 0
        self.start = time.perf_counter()

    def step(self, label: str) -> None:
        if not self.enabled:
            return
        n = len(self.stages)
        filled = int(20 * self.done / max(n, 1))
        bar = "#" * filled + "-" * (20 - filled)
        elapsed = time.perf_counter() - self.start
        self.stream.write(f"\r[{bar}] {self.done}/{n} {label:<24} {elapsed:6.1f}s")
        self.stream.flush()
        self.done += 1

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\r" + " " * 64 + "\r")
            self.stream.flush()


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:
        self.print_usage(sys.stderr)
        raise _UsageError(f"{self.prog}: error: {message}")


class _UsageError(Exception):
    pass


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="collegium plan", description="Balance production plans.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("path", help="economy: a JSON file or a directory of CSV files")
        sp.add_argument("--json", action="store_true", help="print the result as JSON")
        sp.add_argument("--out", metavar="DIR", help="write the results as CSV and JSON here")
        sp.add_argument("--tol", type=float, default=1e-4, help="PDLP relative gap (1e-4)")
        sp.add_argument("--time-limit", type=float, default=None, metavar="SECONDS")
        sp.add_argument(
            "--pdlp-rule",
            choices=["l2", "componentwise"],
            default="l2",
            help="PDLP stops on the norm (l2, fast) or on every row (componentwise)",
        )

    s = sub.add_parser("solve", help="balance a plan (Leontief or Kantorovich)")
    common(s)
    s.add_argument(
        "--method",
        choices=["auto", "leontief", "highs", "pdlp"],
        default="auto",
        help="auto: HiGHS for small and medium problems, PDLP for large ones",
    )
    s.add_argument(
        "--floors",
        metavar="FILE",
        help="CSV product,floor (e.g. from 'conditions floors'): raise floors to at least these",
    )
    v = sub.add_parser("variants", help="the same plan under different objectives")
    common(v)
    v.add_argument("--method", choices=["auto", "highs", "pdlp"], default="auto")
    v.add_argument(
        "--weights",
        metavar="FILE",
        help="priority weights: CSV with columns product,weight (adds the 'weighted' variant)",
    )
    v.add_argument(
        "--baskets",
        type=float,
        default=0.0,
        help="baskets the least-labour and weighted variants must still deliver (0)",
    )
    sub.add_parser("rounds", help="participatory planning rounds", add_help=False)
    return p


def _load(path: str) -> Economy:
    return load(path)


def _read_weights(path: str) -> dict[str, float]:
    p = Path(path)
    if not p.exists():
        raise MissingInputError([])
    out: dict[str, float] = {}
    problems = []
    with p.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames is None or not {"product", "weight"} <= set(reader.fieldnames):
            from collegium.planner.model import Issue

            raise InputError([Issue(str(p), 1, "", "columns product,weight required")])
        for row in reader:
            try:
                out[row["product"].strip()] = float(row["weight"])
            except ValueError:
                from collegium.planner.model import Issue

                problems.append(
                    Issue(str(p), reader.line_num, "weight", f"not a number: {row['weight']!r}")
                )
    if problems:
        raise InputError(problems)
    return out


def _size(e: Economy) -> dict[str, int]:
    return {
        "products": e.n_products,
        "techniques": e.n_techniques,
        "labour_pools": len(e.labour),
        "nonzeros": e.nnz,
    }


def _fmt(v: float) -> str:
    return "—" if v is None or not math.isfinite(v) else f"{v:.6g}"


def _report_plan(e: Economy, r: PlanResult, out: TextIO) -> None:
    s = _size(e)
    out.write(
        f"economy {e.name or '-'}: {s['products']} products, {s['techniques']} techniques, "
        f"{s['labour_pools']} labour pools, {s['nonzeros']} nonzeros\n"
        f"method {r.method}, {r.seconds:.3f} s, {r.iterations} iterations, "
        f"relative gap {_fmt(r.gap)}, largest relative violation {_fmt(r.residual)}\n"
    )
    if math.isfinite(r.t):
        out.write(f"t = {r.t:.9g} (multiple of the basket reached)\n")
    if r.residual > 1e-6:
        out.write(
            f"note: approximate answer (largest relative violation {r.residual:.2g}); "
            "use a smaller --tol or --method highs for a plan to carry out row by row\n"
        )
    out.write(f"objective {r.objective}: {_fmt(r.objective_value)}\n")
    if r.bottlenecks:
        out.write("bottlenecks (valuation, basket = 1):\n")
        for b in r.bottlenecks[:20]:
            out.write(f"  {b.constraint:<40} {b.valuation:.6g}\n")
        if len(r.bottlenecks) > 20:
            out.write(f"  … {len(r.bottlenecks) - 20} more\n")
    for k, pool in enumerate(e.labour):
        out.write(
            f"labour {e.pool_label(k):<20} used {r.labour_used[k]:.6g} of "
            f"{_fmt(pool.available)}, valuation {r.labour_valuations[k]:.6g}\n"
        )


def _report_infeasible(err: InfeasiblePlanError, out: TextIO) -> None:
    out.write("infeasible: these floors cannot all be met\n")
    for f in err.explanation.floors:
        out.write(
            f"  {f.product:<30} required {f.required:.6g}, reachable {f.reachable:.6g}, "
            f"short by {f.shortfall:.6g}\n"
        )
    if err.explanation.grow:
        out.write("to meet them all, grow:\n")
        for g in err.explanation.grow:
            out.write(f"  {g.constraint:<40} by {g.by:.6g}\n")
    else:
        out.write("no growth of labour, capacities, caps or resources meets them\n")


def _leontief_json(e: Economy, r: LeontiefResult) -> dict[str, Any]:
    _, _, order = leontief_system(e)
    rows = e.balance_rows
    d = e.basket[rows] + e.floor[rows]
    out = leontief_to_json(r)
    activity = {
        e.techniques[int(order[k])].code: float(r.gross_output[k]) for k in range(rows.size)
    }
    valuations: dict[str, float] = {}
    if r.labour_values is not None:
        worth = float(r.labour_values @ d)
        scale = worth if worth > 0 else 1.0
        valuations = {c: float(v) / scale for c, v in zip(r.codes, r.labour_values, strict=True)}
    return {"t": 1.0, "activity": activity, "valuations": valuations, **out}


def _solve(opts: argparse.Namespace) -> int:
    progress = Progress(["load", "solve", "write"])
    progress.step("loading")
    economy = _load(opts.path)
    raised = 0
    if opts.floors:
        extra = read_floors(opts.floors, economy)
        raised = int(np.count_nonzero(extra > economy.floor))
        economy = economy.with_targets(floor=np.maximum(economy.floor, extra))
    size = _size(economy)
    if opts.method == "leontief":
        progress.step("Leontief balance")
        try:
            lr = balance(economy)
        except NotLeontiefError as exc:
            progress.close()
            print(f"{opts.path}: {exc}", file=sys.stderr)
            return 1
        progress.step("writing")
        if opts.out:
            save_leontief(lr, opts.out)
        progress.close()
        if opts.json:
            print(json.dumps({**_leontief_json(economy, lr), "size": size}))
        else:
            print(
                f"economy {economy.name or '-'}: {size['products']} products, "
                f"{size['nonzeros']} nonzeros\nmethod leontief/{lr.method}, {lr.seconds:.3f} s, "
                f"{lr.iterations} iterations, relative residual {lr.residual:.3g}"
            )
        return 0
    method = choose_method(economy) if opts.method == "auto" else opts.method
    progress.step(f"solving ({method})")
    try:
        result = solve_plan(
            economy,
            method=method,
            tol=opts.tol,
            time_limit=opts.time_limit,
            pdlp_rule=opts.pdlp_rule,
        )
    except InfeasiblePlanError as err:
        progress.close()
        if opts.out:
            save_infeasibility(err.explanation, opts.out)
        if opts.json:
            print(json.dumps(err.explanation.to_json()))
        else:
            _report_infeasible(err, sys.stdout)
        return 3
    progress.step("writing")
    if opts.out:
        save_plan(result, opts.out)
    progress.close()
    if opts.json:
        print(json.dumps({**plan_to_json(result), "size": size}))
    else:
        if opts.floors:
            print(f"floors from {opts.floors}: {raised} raised")
        _report_plan(economy, result, sys.stdout)
    return 0


def _variants(opts: argparse.Namespace) -> int:
    progress = Progress(["load", "solve", "write"])
    progress.step("loading")
    economy = _load(opts.path)
    weights = _read_weights(opts.weights) if opts.weights else None
    specs = default_variants(economy, weights, t_fixed=opts.baskets)
    progress.step(f"solving {len(specs)} variants")
    try:
        variants = plan_variants(economy, specs, method=opts.method, tol=opts.tol)
    except InfeasiblePlanError as err:
        progress.close()
        if opts.json:
            print(json.dumps(err.explanation.to_json()))
        else:
            _report_infeasible(err, sys.stdout)
        return 3
    progress.step("writing")
    if opts.out:
        for v in variants:
            save_plan(v.result, Path(opts.out) / v.name)
    progress.close()
    if opts.json:
        print(
            json.dumps(
                {
                    "variants": [
                        {
                            "name": v.name,
                            "description": v.spec.description,
                            "baskets": None
                            if not math.isfinite(v.basket_multiple)
                            else v.basket_multiple,
                            "labour_hours": v.labour_hours,
                            **plan_to_json(v.result),
                        }
                        for v in variants
                    ]
                }
            )
        )
    else:
        print(f"{'variant':<14} {'baskets':>12} {'labour':>14}  description")
        for v in variants:
            print(
                f"{v.name:<14} {_fmt(v.basket_multiple):>12} {v.labour_hours:>14.6g}  "
                f"{v.spec.description}"
            )
    return 0


def main(args: Sequence[str]) -> int:
    argv = list(args)
    if argv and argv[0] == "rounds":
        if importlib.util.find_spec("collegium.planner.rounds") is None:
            print("collegium plan rounds: not available in this installation", file=sys.stderr)
            return 2
        rounds = importlib.import_module("collegium.planner.rounds")
        return int(rounds.cli_rounds(argv[1:]))
    parser = _parser()
    try:
        opts = parser.parse_args(argv)
    except _UsageError as exc:
        print(exc, file=sys.stderr)
        return 2
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    try:
        if opts.command == "solve":
            return _solve(opts)
        return _variants(opts)
    except MissingInputError as err:
        print(err if err.issues else f"{opts.weights}: no such file", file=sys.stderr)
        return 2
    except InputError as err:
        for issue in err.issues:
            print(issue, file=sys.stderr)
        return 1
    except PlannerError as err:
        print(f"{opts.path}: {err}", file=sys.stderr)
        return 1
