"""Checks an economy must pass before it is balanced.

Each problem becomes an :class:`~collegium.planner.model.Issue` located through the
:class:`~collegium.planner.io.Locator` filled while reading, so the message points at
the file, line and column to fix.
"""

from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp

from collegium.planner.io import Locator
from collegium.planner.leontief import NotLeontiefError, leontief_system, productivity_issues
from collegium.planner.model import Economy, Issue


def validate(
    economy: Economy, locator: Locator | None = None, *, require_labour: bool = True
) -> list[Issue]:
    """Every problem found in ``economy``; an empty list when it can be planned."""
    loc = locator or Locator()
    issues: list[Issue] = []
    products, techniques = economy.products, economy.techniques

    for m, sign in ((economy.outputs, 1.0), (economy.inputs, -1.0)):
        coo = m.tocoo()
        for k in np.flatnonzero(~np.isfinite(coo.data) | (coo.data < 0))[:50]:
            t, p = techniques[coo.col[k]].code, products[coo.row[k]].code
            v = sign * coo.data[k]
            why = "not a finite number" if not math.isfinite(v) else "negative coefficient"
            issues.append(
                loc.issue("flows", loc.flows.get((t, p)), "amount", f"{why}: {v} ({t}, {p})")
            )

    labour_out = sp.csc_matrix(economy.outputs[np.flatnonzero(economy.is_labour), :])
    coo = labour_out.tocoo()
    for k in range(min(coo.nnz, 50)):
        t = techniques[coo.col[k]].code
        p = products[np.flatnonzero(economy.is_labour)[coo.row[k]]].code
        issues.append(
            loc.issue(
                "flows",
                loc.flows.get((t, p)),
                "amount",
                f"technique {t!r} makes labour {p!r}: labour is an input (negative amount)",
            )
        )

    made = np.diff(sp.csc_matrix(economy.outputs[economy.balance_rows, :]).indptr)
    for j in np.flatnonzero(made == 0)[:50]:
        t = techniques[j].code
        issues.append(
            loc.issue("techniques", loc.techniques.get(t), "technique", f"{t!r} produces nothing")
        )

    for t in techniques:
        if math.isnan(t.capacity) or t.capacity < 0:
            issues.append(
                loc.issue(
                    "techniques",
                    loc.techniques.get(t.code),
                    "capacity",
                    f"capacity below zero: {t.capacity:g} ({t.code})",
                )
            )

    for k, pool in enumerate(economy.labour):
        if math.isnan(pool.available) or pool.available < 0:
            issues.append(
                loc.issue(
                    "labour",
                    loc.labour.get(k),
                    "available",
                    f"labour available below zero: {pool.available:g} ({pool.skill})",
                )
            )
    if require_labour and not any(
        pool.available > 0 for pool in economy.labour if not math.isnan(pool.available)
    ):
        issues.append(loc.issue("labour", None, "available", "no labour in the plan period"))
    pooled = {pool.skill for pool in economy.labour}
    used = np.diff(sp.csr_matrix(economy.inputs).indptr) > 0
    for i in np.flatnonzero(economy.is_labour & used):
        code = products[i].code
        if code not in pooled and require_labour:
            issues.append(
                loc.issue(
                    "labour",
                    None,
                    "skill",
                    f"labour {code!r} is used but no labour pool provides it",
                )
            )

    for name, vec, low in (
        ("basket", economy.basket, -math.inf),
        ("floor", economy.floor, 0.0),
        ("cap", economy.cap, -math.inf),
    ):
        bad = np.isnan(vec) | (vec < low) | (np.isinf(vec) & (name != "cap"))
        for i in np.flatnonzero(bad)[:50]:
            code = products[i].code
            issues.append(
                loc.issue(
                    "targets", loc.targets.get(code), name, f"invalid {name} {vec[i]} ({code})"
                )
            )
    for i in np.flatnonzero(~np.isfinite(economy.endowment) | (economy.endowment < 0))[:50]:
        code = products[i].code
        issues.append(
            loc.issue(
                "resources",
                loc.resources.get(code),
                "available",
                f"invalid amount available {economy.endowment[i]} ({code})",
            )
        )

    if not issues:
        try:
            A, _, _ = leontief_system(economy)
        except NotLeontiefError:
            pass
        else:
            codes = tuple(products[i].code for i in economy.balance_rows)
            issues.extend(productivity_issues(A, codes, loc.files.get("flows", "flows")))
    return issues
