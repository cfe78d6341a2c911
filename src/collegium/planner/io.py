"""Loading economies (JSON, a directory of CSV files, arrays) and saving plans.

Every problem found while reading is collected and raised together as one
:class:`~collegium.planner.model.InputError` whose issues read
``FILE:LINE:COLUMN: reason`` (column by header name). JSON input is located the same
way: the line is where the offending object starts.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from collegium.planner.model import (
    PRODUCT_KINDS,
    Economy,
    FloatArray,
    Infeasibility,
    InputError,
    Issue,
    LabourPool,
    LeontiefResult,
    MissingInputError,
    PlanResult,
    Product,
    ProductKind,
    Technique,
)

# table -> (required columns, optional columns)
TABLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "products": (("code",), ("name", "unit", "kind")),
    "techniques": (("technique",), ("workplace", "capacity", "union", "region")),
    "flows": (("technique", "product", "amount"), ()),
    "labour": (("skill", "available"), ("region",)),
    "targets": (("product",), ("basket", "floor", "cap")),
    "resources": (("product", "available"), ()),
}
REQUIRED_TABLES = ("products", "techniques", "flows", "labour", "targets")


@dataclass
class Row:
    line: int | None
    values: dict[str, Any]


@dataclass
class Locator:
    """Where each record of an economy came from, so later checks can point at it."""

    files: dict[str, str] = field(default_factory=dict)
    products: dict[str, int | None] = field(default_factory=dict)
    techniques: dict[str, int | None] = field(default_factory=dict)
    flows: dict[tuple[str, str], int | None] = field(default_factory=dict)
    labour: dict[int, int | None] = field(default_factory=dict)
    targets: dict[str, int | None] = field(default_factory=dict)
    resources: dict[str, int | None] = field(default_factory=dict)

    def issue(self, table: str, line: int | None, column: str, reason: str) -> Issue:
        return Issue(self.files.get(table, table), line, column, reason)


# --------------------------------------------------------------------------- reading


def _read_csv(path: Path, table: str, issues: list[Issue]) -> list[Row]:
    required, optional = TABLES[table]
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        issues.append(Issue(str(path), None, "", f"not UTF-8 ({exc.reason})"))
        return []
    reader = csv.reader(text.splitlines())
    header: list[str] | None = None
    rows: list[Row] = []
    for record in reader:
        line = reader.line_num
        if header is None:
            header = [h.strip() for h in record]
            missing = [c for c in required if c not in header]
            for c in missing:
                issues.append(Issue(str(path), 1, c, f"missing required column {c!r}"))
            for h in header:
                if h not in required and h not in optional:
                    issues.append(Issue(str(path), 1, h, f"unknown column {h!r}"))
            if missing:
                return []
            continue
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            issues.append(
                Issue(str(path), line, "", f"{len(record)} fields, header has {len(header)}")
            )
            continue
        rows.append(Row(line, {h: cell.strip() for h, cell in zip(header, record, strict=True)}))
    if header is None:
        issues.append(Issue(str(path), 1, "", "empty file (no header)"))
    return rows


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def _json_tables(text: str, name: str, issues: list[Issue]) -> dict[str, list[Row]]:
    """Parse the top-level object, remembering the line where each table row starts."""
    decoder = json.JSONDecoder()
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        issues.append(Issue(name, exc.lineno, "", f"invalid JSON: {exc.msg}"))
        return {}
    if not isinstance(doc, dict):
        issues.append(Issue(name, 1, "", "expected one JSON object with the tables"))
        return {}
    starts: dict[str, list[int]] = {}
    pos = _skip_ws(text, 0) + 1  # past "{"
    while True:
        pos = _skip_ws(text, pos)
        if pos >= len(text) or text[pos] == "}":
            break
        key, pos = decoder.raw_decode(text, pos)
        pos = _skip_ws(text, pos) + 1  # past ":"
        pos = _skip_ws(text, pos)
        if text[pos] == "[":
            offsets: list[int] = []
            pos = _skip_ws(text, pos + 1)
            while text[pos] != "]":
                offsets.append(pos)
                _, pos = decoder.raw_decode(text, pos)
                pos = _skip_ws(text, pos)
                if text[pos] == ",":
                    pos = _skip_ws(text, pos + 1)
            pos += 1
            starts[str(key)] = offsets
        else:
            _, pos = decoder.raw_decode(text, pos)
        pos = _skip_ws(text, pos)
        if pos < len(text) and text[pos] == ",":
            pos += 1
    tables: dict[str, list[Row]] = {}
    for key, value in doc.items():
        if key not in TABLES:
            if key != "name":
                issues.append(Issue(name, None, key, f"unknown table {key!r}"))
            continue
        if not isinstance(value, list):
            issues.append(Issue(name, None, key, f"table {key!r} must be an array of objects"))
            continue
        offsets = starts.get(key, [])
        rows: list[Row] = []
        required, optional = TABLES[key]
        for k, obj in enumerate(value):
            line = text.count("\n", 0, offsets[k]) + 1 if k < len(offsets) else None
            if not isinstance(obj, dict):
                issues.append(Issue(name, line, key, "expected an object"))
                continue
            bad = False
            for c in required:
                if c not in obj:
                    issues.append(Issue(name, line, c, f"missing required field {c!r}"))
                    bad = True
            for c in obj:
                if c not in required and c not in optional:
                    issues.append(Issue(name, line, c, f"unknown field {c!r}"))
            if not bad:
                rows.append(Row(line, dict(obj)))
        tables[key] = rows
    for table in REQUIRED_TABLES:
        if table not in doc:
            issues.append(Issue(name, None, table, f"missing required table {table!r}"))
    return tables


def _number(
    row: Row,
    column: str,
    file: str,
    issues: list[Issue],
    *,
    default: float,
    minimum: float | None = None,
) -> float | None:
    raw = row.values.get(column)
    if raw is None or (isinstance(raw, str) and raw == ""):
        return default
    if isinstance(raw, bool):
        issues.append(Issue(file, row.line, column, f"not a number: {raw!r}"))
        return None
    try:
        value = float(raw)
    except (TypeError, ValueError):
        issues.append(Issue(file, row.line, column, f"not a number: {raw!r}"))
        return None
    if not math.isfinite(value):
        issues.append(Issue(file, row.line, column, f"not a finite number: {raw!r}"))
        return None
    if minimum is not None and value < minimum:
        issues.append(Issue(file, row.line, column, f"must be at least {minimum:g}, got {raw}"))
        return None
    return value


def _text(row: Row, column: str) -> str:
    raw = row.values.get(column)
    return "" if raw is None else str(raw).strip()


def build_economy(
    tables: Mapping[str, Sequence[Row]], locator: Locator, name: str = ""
) -> tuple[Economy | None, list[Issue]]:
    """Turn parsed table rows into an economy, collecting every issue found."""
    issues: list[Issue] = []
    f = locator.files

    products: list[Product] = []
    pidx: dict[str, int] = {}
    for row in tables.get("products", ()):
        code = _text(row, "code")
        if not code:
            issues.append(Issue(f["products"], row.line, "code", "empty product code"))
            continue
        if code in pidx:
            first = locator.products.get(code)
            issues.append(
                Issue(f["products"], row.line, "code", f"duplicate product {code!r} (line {first})")
            )
            continue
        kind = _text(row, "kind") or "good"
        if kind not in PRODUCT_KINDS:
            issues.append(
                Issue(
                    f["products"],
                    row.line,
                    "kind",
                    f"unknown kind {kind!r} (one of {', '.join(PRODUCT_KINDS)})",
                )
            )
            continue
        pk: ProductKind = kind  # type: ignore[assignment]
        pidx[code] = len(products)
        locator.products[code] = row.line
        products.append(Product(code, _text(row, "name"), _text(row, "unit"), pk))

    techniques: list[Technique] = []
    tidx: dict[str, int] = {}
    for row in tables.get("techniques", ()):
        code = _text(row, "technique")
        if not code:
            issues.append(Issue(f["techniques"], row.line, "technique", "empty technique code"))
            continue
        if code in tidx:
            first = locator.techniques.get(code)
            issues.append(
                Issue(
                    f["techniques"],
                    row.line,
                    "technique",
                    f"duplicate technique {code!r} (line {first})",
                )
            )
            continue
        capacity = _number(row, "capacity", f["techniques"], issues, default=math.inf)
        if capacity is not None and capacity < 0:
            issues.append(
                Issue(f["techniques"], row.line, "capacity", f"capacity below zero: {capacity:g}")
            )
            capacity = None
        if capacity is None:
            continue
        tidx[code] = len(techniques)
        locator.techniques[code] = row.line
        techniques.append(
            Technique(
                code,
                _text(row, "workplace"),
                capacity,
                _text(row, "union"),
                _text(row, "region"),
            )
        )

    rows_i: list[int] = []
    cols_j: list[int] = []
    vals: list[float] = []
    seen_flows: dict[tuple[str, str, bool], int | None] = {}
    for row in tables.get("flows", ()):
        tcode, pcode = _text(row, "technique"), _text(row, "product")
        ok = True
        if tcode not in tidx:
            if tcode not in locator.techniques:  # a bad technique row was reported already
                issues.append(
                    Issue(f["flows"], row.line, "technique", f"unknown technique {tcode!r}")
                )
            ok = False
        if pcode not in pidx:
            if pcode not in locator.products:
                issues.append(Issue(f["flows"], row.line, "product", f"unknown product {pcode!r}"))
            ok = False
        amount = _number(row, "amount", f["flows"], issues, default=math.nan)
        if amount is None:
            ok = False
        elif math.isnan(amount):
            issues.append(Issue(f["flows"], row.line, "amount", "empty amount"))
            ok = False
        if not ok or amount is None:
            continue
        # A technique may use some of its own product: then the product appears twice,
        # once as an output (positive) and once as an input (negative).
        key = (tcode, pcode)
        signed = (tcode, pcode, amount > 0)
        if signed in seen_flows:
            side = "output" if amount > 0 else "input"
            issues.append(
                Issue(
                    f["flows"],
                    row.line,
                    "product",
                    f"duplicate {side} of {pcode!r} in {tcode!r} (line {seen_flows[signed]}); "
                    "give each product once per technique as output and at most once as "
                    "input",
                )
            )
            continue
        seen_flows[signed] = row.line
        locator.flows.setdefault(key, row.line)
        rows_i.append(pidx[pcode])
        cols_j.append(tidx[tcode])
        vals.append(amount)

    labour: list[LabourPool] = []
    seen_pools: dict[tuple[str, str], int | None] = {}
    for row in tables.get("labour", ()):
        skill = _text(row, "skill")
        region = _text(row, "region")
        available = _number(row, "available", f["labour"], issues, default=math.nan, minimum=0)
        if skill not in pidx:
            issues.append(Issue(f["labour"], row.line, "skill", f"unknown product {skill!r}"))
            continue
        if products[pidx[skill]].kind != "labour":
            issues.append(
                Issue(
                    f["labour"],
                    row.line,
                    "skill",
                    f"{skill!r} is a product of kind {products[pidx[skill]].kind!r}, not labour",
                )
            )
            continue
        if (skill, region) in seen_pools:
            issues.append(
                Issue(
                    f["labour"],
                    row.line,
                    "skill",
                    f"duplicate labour pool {skill!r} (line {seen_pools[(skill, region)]})",
                )
            )
            continue
        if available is None or math.isnan(available):
            if available is not None:
                issues.append(Issue(f["labour"], row.line, "available", "empty amount"))
            continue
        seen_pools[(skill, region)] = row.line
        locator.labour[len(labour)] = row.line
        labour.append(LabourPool(skill, available, region))

    n = len(products)
    basket = np.zeros(n)
    floor = np.zeros(n)
    cap = np.full(n, math.inf)
    for row in tables.get("targets", ()):
        pcode = _text(row, "product")
        b = _number(row, "basket", f["targets"], issues, default=0.0)
        fl = _number(row, "floor", f["targets"], issues, default=0.0, minimum=0)
        c = _number(row, "cap", f["targets"], issues, default=math.inf)
        if pcode not in pidx:
            issues.append(Issue(f["targets"], row.line, "product", f"unknown product {pcode!r}"))
            continue
        if pcode in locator.targets:
            issues.append(
                Issue(
                    f["targets"],
                    row.line,
                    "product",
                    f"duplicate target for {pcode!r} (line {locator.targets[pcode]})",
                )
            )
            continue
        if products[pidx[pcode]].kind == "labour":
            issues.append(
                Issue(f["targets"], row.line, "product", f"{pcode!r} is labour, not a target")
            )
            continue
        if b is None or fl is None or c is None:
            continue
        locator.targets[pcode] = row.line
        i = pidx[pcode]
        basket[i], floor[i], cap[i] = b, fl, c

    endowment = np.zeros(n)
    for row in tables.get("resources", ()):
        pcode = _text(row, "product")
        available = _number(row, "available", f["resources"], issues, default=0.0, minimum=0)
        if pcode not in pidx:
            issues.append(Issue(f["resources"], row.line, "product", f"unknown product {pcode!r}"))
            continue
        if pcode in locator.resources:
            issues.append(
                Issue(
                    f["resources"],
                    row.line,
                    "product",
                    f"duplicate resource {pcode!r} (line {locator.resources[pcode]})",
                )
            )
            continue
        if available is None:
            continue
        locator.resources[pcode] = row.line
        endowment[pidx[pcode]] = available

    if issues:
        return None, issues
    r = np.asarray(rows_i, dtype=np.int64)
    c_ = np.asarray(cols_j, dtype=np.int64)
    v = np.asarray(vals, dtype=np.float64)
    shape = (len(products), len(techniques))
    pos = v > 0
    outputs = sp.csc_matrix((v[pos], (r[pos], c_[pos])), shape=shape)
    inputs = sp.csc_matrix((-v[~pos], (r[~pos], c_[~pos])), shape=shape)
    economy = Economy(
        tuple(products),
        tuple(techniques),
        outputs,
        inputs,
        tuple(labour),
        basket,
        floor,
        cap,
        endowment,
        name,
    )
    return economy, issues


def read(path: str | Path) -> tuple[Economy, Locator]:
    """Read an economy without the semantic checks of :mod:`validate`."""
    p = Path(path)
    issues: list[Issue] = []
    locator = Locator()
    if not p.exists():
        raise MissingInputError([Issue(str(p), None, "", "no such file or directory")])
    if p.is_dir():
        tables: dict[str, list[Row]] = {}
        for table in TABLES:
            file = p / f"{table}.csv"
            locator.files[table] = str(file)
            if not file.exists():
                if table in REQUIRED_TABLES:
                    issues.append(Issue(str(file), None, "", "missing required file"))
                continue
            tables[table] = _read_csv(file, table, issues)
        name = p.name
    else:
        for table in TABLES:
            locator.files[table] = str(p)
        try:
            text = p.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError([Issue(str(p), None, "", f"not UTF-8 ({exc.reason})")]) from exc
        tables = _json_tables(text, str(p), issues)
        name = p.stem
    if issues:
        raise InputError(issues)
    economy, more = build_economy(tables, locator, name)
    if more or economy is None:
        raise InputError(more)
    return economy, locator


def load(path: str | Path, *, check: bool = True) -> Economy:
    """Load and validate an economy from a JSON file or a directory of CSV files."""
    from collegium.planner.validate import validate

    economy, locator = read(path)
    if check:
        issues = validate(economy, locator)
        if issues:
            raise InputError(issues)
    return economy


def from_arrays(
    A: Any,
    basket: Any,
    *,
    B: Any = None,
    labour: Any = None,
    labour_available: Any = None,
    skills: Sequence[str] | None = None,
    capacity: Any = None,
    floor: Any = None,
    cap: Any = None,
    product_codes: Sequence[str] | None = None,
    technique_codes: Sequence[str] | None = None,
    check: bool = True,
) -> Economy:
    """An economy from matrices.

    ``A`` (inputs) and optional ``B`` (outputs, identity when absent: one technique per
    product, the Leontief case) have shape ``(n_products, n_techniques)``. ``labour``
    has one row per skill (labour per unit of activity); ``labour_available`` one entry
    per skill. Issues are located as ``A:ROW:COLUMN`` with 1-based indices.
    """
    A_ = sp.csc_matrix(A, dtype=np.float64)
    n, m = A_.shape
    B_ = sp.identity(n, format="csc", dtype=np.float64) if B is None else sp.csc_matrix(B)
    issues: list[Issue] = []
    for label, mat in (("A", A_), ("B", B_)):
        coo = mat.tocoo()
        bad = ~np.isfinite(coo.data)
        neg = coo.data < 0
        for k in np.flatnonzero(bad | neg)[:20]:
            why = "not a finite number" if bad[k] else "negative coefficient"
            issues.append(
                Issue(label, int(coo.row[k]) + 1, str(int(coo.col[k]) + 1), f"{why}: {coo.data[k]}")
            )
    if issues:
        raise InputError(issues)
    pcodes = list(product_codes) if product_codes is not None else [f"p{i}" for i in range(n)]
    tcodes = list(technique_codes) if technique_codes is not None else [f"t{j}" for j in range(m)]
    cap_t = np.full(m, math.inf) if capacity is None else np.asarray(capacity, dtype=np.float64)
    products = [Product(c) for c in pcodes]
    techniques = [Technique(c, capacity=float(k)) for c, k in zip(tcodes, cap_t, strict=True)]
    if B_.shape != (n, m):
        raise InputError([Issue("B", None, "", f"shape {B_.shape}, expected {(n, m)}")])
    outputs: Any = B_
    inputs: Any = A_
    pools: list[LabourPool] = []
    if labour is not None:
        L = sp.csc_matrix(labour, dtype=np.float64)
        k = L.shape[0]
        names = list(skills) if skills is not None else [f"labour{s}" for s in range(k)]
        avail = (
            np.full(k, math.inf)
            if labour_available is None
            else np.asarray(labour_available, dtype=np.float64).reshape(-1)
        )
        products += [Product(s, kind="labour") for s in names]
        outputs = sp.vstack([outputs, sp.csc_matrix((k, m))])
        inputs = sp.vstack([inputs, L])
        pools = [LabourPool(s, float(a)) for s, a in zip(names, avail, strict=True)]
    n_all = len(products)

    def pad(v: Any, default: float) -> FloatArray:
        out = np.full(n_all, default)
        if v is not None:
            out[:n] = np.asarray(v, dtype=np.float64).reshape(-1)
        return out

    economy = Economy(
        tuple(products),
        tuple(techniques),
        outputs,
        inputs,
        tuple(pools),
        pad(basket, 0.0),
        pad(floor, 0.0),
        pad(cap, math.inf),
    )
    if check:
        from collegium.planner.validate import validate

        locator = Locator(files=dict.fromkeys(TABLES, "arrays"))
        found = validate(economy, locator, require_labour=False)
        if found:
            raise InputError(found)
    return economy


# --------------------------------------------------------------------------- writing


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        for row in rows:
            w.writerow(["" if isinstance(v, float) and math.isinf(v) else v for v in row])


def economy_tables(economy: Economy) -> dict[str, list[dict[str, Any]]]:
    """The economy in the exchange format, table by table (``inf`` written as empty)."""

    def num(v: float) -> float | str:
        return "" if math.isinf(v) else float(v)

    return {
        "products": [
            {"code": p.code, "name": p.name, "unit": p.unit, "kind": p.kind}
            for p in economy.products
        ],
        "techniques": [
            {
                "technique": t.code,
                "workplace": t.workplace,
                "capacity": num(t.capacity),
                "union": t.union,
                "region": t.region,
            }
            for t in economy.techniques
        ],
        "flows": [
            {"technique": f.technique, "product": f.product, "amount": float(f.amount)}
            for f in economy.flows()
        ],
        "labour": [
            {"skill": pool.skill, "available": float(pool.available), "region": pool.region}
            for pool in economy.labour
        ],
        "targets": [
            {"product": t.product, "basket": t.basket, "floor": t.floor, "cap": num(t.cap)}
            for t in economy.targets()
        ],
        "resources": [
            {"product": r.product, "available": r.available} for r in economy.resources()
        ],
    }


def save_economy(economy: Economy, path: str | Path) -> None:
    """Write an economy as JSON (``*.json``) or as a directory of CSV files."""
    p = Path(path)
    tables = economy_tables(economy)
    if p.suffix == ".json":
        p.write_text(json.dumps(tables, indent=1) + "\n", encoding="utf-8")
        return
    p.mkdir(parents=True, exist_ok=True)
    for table, rows in tables.items():
        required, optional = TABLES[table]
        _write_csv(
            p / f"{table}.csv",
            [*required, *optional],
            ([r[c] for c in (*required, *optional)] for r in rows),
        )


def _clean(v: float) -> float | None:
    return float(v) if math.isfinite(v) else None


def plan_to_json(result: PlanResult) -> dict[str, Any]:
    """The plan as one JSON-ready object (``t``, ``activity``, ``valuations`` …)."""
    e = result.economy
    return {
        "t": _clean(result.t),
        "objective": result.objective,
        "objective_value": _clean(result.objective_value),
        "method": result.method,
        "gap": _clean(result.gap),
        "residual": _clean(result.residual),
        "seconds": result.seconds,
        "iterations": result.iterations,
        "activity": result.activity_by_technique(),
        "valuations": result.valuation_by_product(),
        "gross_output": dict(zip(e.product_codes, result.gross_output.tolist(), strict=True)),
        "labour": {
            e.pool_label(k): {
                "available": _clean(float(e.labour_available[k])),
                "used": float(result.labour_used[k]),
                "valuation": float(result.labour_valuations[k]),
            }
            for k in range(len(e.labour))
        },
        "fulfilment": [
            {
                "product": f.product,
                "basket": f.basket,
                "floor": f.floor,
                "required": f.required,
                "delivered": f.delivered,
            }
            for f in result.fulfilment()
        ],
        "bottlenecks": [
            {"constraint": b.constraint, "kind": b.kind, "valuation": b.valuation}
            for b in result.bottlenecks
        ],
    }


def save_plan(result: PlanResult, out: str | Path, *, prefix: str = "") -> list[Path]:
    """Write a plan as CSV tables plus ``plan.json``; returns the files written."""
    d = Path(out)
    d.mkdir(parents=True, exist_ok=True)
    e = result.economy
    written: list[Path] = []

    def path(name: str) -> Path:
        p = d / f"{prefix}{name}"
        written.append(p)
        return p

    _write_csv(
        path("activity.csv"),
        ["technique", "workplace", "activity", "capacity"],
        (
            (t.code, t.workplace, float(x), t.capacity)
            for t, x in zip(e.techniques, result.activity, strict=True)
        ),
    )
    _write_csv(
        path("products.csv"),
        ["product", "kind", "gross_output", "net_output", "valuation"],
        (
            (p.code, p.kind, float(g), float(nt), float(v))
            for p, g, nt, v in zip(
                e.products, result.gross_output, result.net_output, result.valuations, strict=True
            )
        ),
    )
    _write_csv(
        path("labour.csv"),
        ["skill", "region", "available", "used", "valuation"],
        (
            (pool.skill, pool.region, pool.available, float(u), float(v))
            for pool, u, v in zip(
                e.labour, result.labour_used, result.labour_valuations, strict=True
            )
        ),
    )
    _write_csv(
        path("fulfilment.csv"),
        ["product", "basket", "floor", "required", "delivered"],
        ((f.product, f.basket, f.floor, f.required, f.delivered) for f in result.fulfilment()),
    )
    _write_csv(
        path("bottlenecks.csv"),
        ["constraint", "kind", "valuation"],
        ((b.constraint, b.kind, b.valuation) for b in result.bottlenecks),
    )
    path("plan.json").write_text(json.dumps(plan_to_json(result), indent=1) + "\n", "utf-8")
    return written


def save_infeasibility(explanation: Infeasibility, out: str | Path) -> list[Path]:
    d = Path(out)
    d.mkdir(parents=True, exist_ok=True)
    floors, grow, js = d / "shortfalls.csv", d / "grow.csv", d / "infeasible.json"
    _write_csv(
        floors,
        ["product", "required", "reachable", "shortfall"],
        ((f.product, f.required, f.reachable, f.shortfall) for f in explanation.floors),
    )
    _write_csv(grow, ["constraint", "by"], ((g.constraint, g.by) for g in explanation.grow))
    js.write_text(json.dumps(explanation.to_json(), indent=1) + "\n", "utf-8")
    return [floors, grow, js]


def leontief_to_json(result: LeontiefResult) -> dict[str, Any]:
    codes = result.codes or tuple(str(i) for i in range(result.gross_output.size))
    out: dict[str, Any] = {
        "method": result.method,
        "residual": result.residual,
        "iterations": result.iterations,
        "seconds": result.seconds,
        "gross_output": dict(zip(codes, result.gross_output.tolist(), strict=True)),
    }
    if result.labour_values is not None:
        out["labour_values"] = dict(zip(codes, result.labour_values.tolist(), strict=True))
    return out


def save_leontief(result: LeontiefResult, out: str | Path) -> list[Path]:
    d = Path(out)
    d.mkdir(parents=True, exist_ok=True)
    codes = result.codes or tuple(str(i) for i in range(result.gross_output.size))
    lv = result.labour_values
    csv_path, js = d / "gross_output.csv", d / "leontief.json"
    _write_csv(
        csv_path,
        ["product", "gross_output", "labour_value"],
        (
            (c, float(x), "" if lv is None else float(lv[i]))
            for i, (c, x) in enumerate(zip(codes, result.gross_output, strict=True))
        ),
    )
    js.write_text(json.dumps(leontief_to_json(result), indent=1) + "\n", "utf-8")
    return [csv_path, js]


def iter_rows(path: str | Path) -> Iterator[dict[str, str]]:
    """Rows of a CSV file as dictionaries (for tests and small tools)."""
    with Path(path).open(encoding="utf-8-sig", newline="") as fh:
        yield from csv.DictReader(fh)


def read_floors(path: str | Path, economy: Economy) -> FloatArray:
    """Floors from a CSV file with the columns ``product,floor`` (as ``targets.csv``
    names them, for example the remedies of condition reports), as a vector over the
    economy's products. Every problem is collected: unknown product, labour, a floor that
    is negative or not a finite number, a product listed twice."""
    p = Path(path)
    if not p.exists() or p.is_dir():
        raise MissingInputError([Issue(str(p), None, "", "no such file")])
    issues: list[Issue] = []
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError([Issue(str(p), None, "", f"not UTF-8 ({exc.reason})")]) from exc
    reader = csv.reader(text.splitlines())
    header = next(reader, None)
    if header is None:
        raise InputError([Issue(str(p), 1, "", "empty file (no header)")])
    header = [h.strip() for h in header]
    for column in ("product", "floor"):
        if column not in header:
            issues.append(Issue(str(p), 1, column, f"missing required column {column!r}"))
    for h in header:
        if h not in ("product", "floor"):
            issues.append(Issue(str(p), 1, h, f"unknown column {h!r} (product,floor)"))
    if issues:
        raise InputError(issues)
    index = economy.product_index
    labour = economy.is_labour
    floors = np.zeros(economy.n_products)
    seen: dict[str, int] = {}
    for record in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            issues.append(
                Issue(str(p), line, "", f"{len(record)} fields, header has {len(header)}")
            )
            continue
        row = Row(line, {h: cell.strip() for h, cell in zip(header, record, strict=True)})
        code = _text(row, "product")
        value = _number(row, "floor", str(p), issues, default=math.nan, minimum=0)
        if value is not None and math.isnan(value):
            issues.append(Issue(str(p), line, "floor", "missing floor"))
            continue
        if code not in index:
            issues.append(Issue(str(p), line, "product", f"unknown product {code!r}"))
            continue
        i = index[code]
        if labour[i]:
            issues.append(Issue(str(p), line, "product", f"{code!r} is labour, not a product"))
            continue
        if code in seen:
            issues.append(
                Issue(str(p), line, "product", f"{code!r} is listed twice (line {seen[code]})")
            )
            continue
        seen[code] = line
        if value is not None:
            floors[i] = value
    if issues:
        raise InputError(issues)
    return floors
