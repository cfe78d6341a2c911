"""Tests of the participatory rounds: Hahnel's rule, dual decomposition, revisions, CLI."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collegium.planner import synthetic
from collegium.planner.io import save_economy
from collegium.planner.model import Economy
from collegium.planner.rounds import (
    HahnelCouncils,
    LinearCouncils,
    RoundsSession,
    cli_rounds,
    hahnel_instance,
    relative_imbalance,
    rescale_units,
    run_rounds,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def small() -> HahnelCouncils:
    return hahnel_instance(0, n_goods=50, n_workers=1500, n_consumers=500)


def _benchmark_module() -> object:
    spec = importlib.util.spec_from_file_location(
        "planner_rounds_bench", ROOT / "benchmarks" / "planner_rounds.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_hahnel_rounds_match_demplan(small: HahnelCouncils) -> None:
    demplan = pytest.importorskip("demplan")
    from demplan.prefabs import HahnelBook2021

    economy = _benchmark_module().to_demplan(small)  # type: ignore[attr-defined]
    theirs = demplan.run(HahnelBook2021(initial_price=700.0), economy, seed=0)
    ours = run_rounds(small, method="hahnel", initial_prices=700.0)
    assert ours.converged and theirs.summary.converged
    assert ours.rounds == theirs.summary.rounds
    np.testing.assert_allclose(ours.prices, theirs.plan.valuation["indicative_price"], rtol=1e-9)
    np.testing.assert_allclose(ours.proposals.intensities, theirs.plan.output, rtol=1e-9)


@pytest.mark.parametrize("method", ["hahnel", "dual"])
def test_rounds_converge_and_history_is_consistent(small: HahnelCouncils, method: str) -> None:
    result = run_rounds(small, method=method, initial_prices=700.0, tolerance=0.05)  # type: ignore[arg-type]
    assert result.converged
    assert result.rounds == len(result.history) < 250
    last = result.history[-1]
    assert last.max_imbalance < 0.05
    assert max(relative_imbalance(result.proposals.supply, result.proposals.demand)) < 0.05
    for record in result.history:
        assert record.mean_imbalance <= record.max_imbalance
        assert record.price_change >= 0
        assert math.isfinite(record.objective)
    assert [r.round for r in result.history] == list(range(1, result.rounds + 1))


def test_worker_proposal_maximises_benefit_minus_cost(small: HahnelCouncils) -> None:
    rng = np.random.default_rng(0)
    prices = 700.0 * np.exp(rng.normal(0.0, 0.3, small.n_goods))
    output, effort, inputs = small.worker_proposals(prices)

    def net_benefit(w: int, x: np.ndarray, e: float) -> float:
        lo, hi = small.input_offsets[w], small.input_offsets[w + 1]
        goods, b = small.input_good[lo:hi], small.input_exponent[lo:hi]
        q = small.scale[w] * e ** small.effort_c[w] * np.prod(x**b)
        cost = prices[goods] @ x + small.effort_s[w] * e ** small.effort_k[w]
        return float(prices[small.output_good[w]] * q - cost)

    for w in (0, 7, 123):
        lo, hi = small.input_offsets[w], small.input_offsets[w + 1]
        x, e = inputs[lo:hi], float(effort[w])
        best = net_benefit(w, x, e)
        lo_q = small.scale[w] * e ** small.effort_c[w] * np.prod(x ** small.input_exponent[lo:hi])
        assert lo_q == pytest.approx(output[w], rel=1e-9)
        for factor in (0.97, 1.03):
            assert net_benefit(w, x * factor, e) < best
            assert net_benefit(w, x, e * factor) < best
            bent = x.copy()
            bent[0] *= factor
            assert net_benefit(w, bent, e) < best


def test_units_do_not_change_the_economy(small: HahnelCouncils) -> None:
    factor = np.linspace(0.5, 2.0, small.n_goods)
    prices = 700.0 * np.exp(np.random.default_rng(1).normal(0.0, 0.2, small.n_goods))
    before = small.respond(prices)
    after = rescale_units(small, factor).respond(prices * factor)
    np.testing.assert_allclose(after.supply * factor, before.supply, rtol=1e-10)
    np.testing.assert_allclose(after.demand * factor, before.demand, rtol=1e-10)


def test_warm_start_takes_fewer_rounds(small: HahnelCouncils) -> None:
    cold = run_rounds(small, method="hahnel", initial_prices=700.0, tolerance=0.03)
    # Next year's councils are a little more productive.
    revised = dataclasses.replace(small, scale=small.scale * 1.02)
    warm = run_rounds(
        revised,
        method="hahnel",
        initial_prices=cold.next_prices,
        rule_state=cold.rule_state,
        tolerance=0.03,
    )
    again = run_rounds(revised, method="hahnel", initial_prices=700.0, tolerance=0.03)
    assert warm.converged and again.converged
    assert warm.rounds < again.rounds


def test_session_publishes_and_takes_revisions(small: HahnelCouncils) -> None:
    session = RoundsSession(small, method="dual", initial_prices=700.0)
    published = session.publish()
    np.testing.assert_array_equal(published, np.full(small.n_goods, 700.0))
    session.step()
    assert not np.array_equal(session.publish(), published)
    with pytest.raises(ValueError, match="same products"):
        session.revise(hahnel_instance(2, n_goods=60, n_workers=100, n_consumers=10))


@pytest.fixture(scope="module")
def linear() -> LinearCouncils:
    return LinearCouncils.from_economy(synthetic.economy(30, techniques_per_product=2, seed=3))


@pytest.mark.parametrize("method", ["hahnel", "dual"])
def test_linear_rounds_give_a_feasible_plan(linear: LinearCouncils, method: str) -> None:
    tolerance = 0.05
    result = run_rounds(linear, method=method, tolerance=tolerance, max_rounds=400)  # type: ignore[arg-type]
    assert result.converged
    x = result.proposals.intensities
    assert np.all(x >= 0) and np.all(x <= linear.capacity)
    supply, demand = result.proposals.supply, result.proposals.demand
    # Every product and labour pool: what is used is covered, within the tolerance.
    assert np.all(supply >= (1 - tolerance) * demand)
    n = linear.n_products
    np.testing.assert_allclose(supply[n:], linear.available)
    assert np.all(result.proposals.consumption >= 0)


def test_workplaces_revise_capacities_between_rounds(linear: LinearCouncils) -> None:
    busiest = int(np.argmax(run_rounds(linear, max_rounds=400).proposals.intensities))
    cut = linear.capacity.copy()
    cut[busiest] = 0.0

    def revise(record: object, session: RoundsSession) -> LinearCouncils | None:
        return linear.with_capacity(cut) if len(session.history) == 3 else None

    result = run_rounds(linear, max_rounds=400, revise=revise)
    assert result.converged
    assert result.proposals.intensities[busiest] == 0.0


@pytest.fixture(scope="module")
def economy_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("rounds") / "economy"
    base = synthetic.economy(12, techniques_per_product=2, seed=5)
    # No technique uses its own product, so the files list each flow once.
    inputs = base.inputs - base.inputs.multiply(base.outputs != 0)
    save_economy(
        Economy(
            base.products,
            base.techniques,
            base.outputs,
            inputs,
            base.labour,
            base.basket,
            base.floor,
            base.cap,
            base.endowment,
        ),
        path,
    )
    return path


def test_cli_json_and_exit_codes(economy_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_rounds([str(economy_dir), "--json", "--method", "dual"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["converged"] is True
    assert document["method"] == "dual"
    assert len(document["history"]) == document["rounds"]
    assert document["history"][-1]["max_imbalance"] < 0.05
    assert set(document["activity"]) and set(document["valuations"])

    assert cli_rounds([str(economy_dir), "--max-rounds", "1"]) == 1
    out = capsys.readouterr().out
    assert "not converged after 1 rounds" in out

    assert cli_rounds([str(economy_dir / "missing")]) == 2
    assert cli_rounds([str(economy_dir), "--method", "market"]) == 2
    assert cli_rounds([str(economy_dir), "--tolerance", "0"]) == 2


def test_consumer_bundles_add_up_and_spend_the_budget(small: HahnelCouncils) -> None:
    prices = 700.0 * np.exp(np.random.default_rng(2).normal(0.0, 0.3, small.n_goods))
    bundles = small.consumer_proposals(prices)
    assert bundles.shape == (small.n_consumers, small.utility_good.size)
    totals = np.bincount(small.utility_good, bundles.sum(axis=0), minlength=small.n_goods)
    np.testing.assert_allclose(totals, small.respond(prices).consumption, rtol=1e-12)
    spent = bundles @ prices[small.utility_good]
    np.testing.assert_allclose(spent, small.entitlement, rtol=1e-12)


def test_a_workplace_brings_in_a_new_technique_between_rounds() -> None:
    import scipy.sparse as sp

    from collegium.planner.model import Technique

    base = synthetic.economy(30, techniques_per_product=1, seed=6)
    councils = LinearCouncils.from_economy(base)
    # A second way of making p0: the same inputs, half the labour.
    j = base.technique_index["p0-t0"]
    labour_rows = np.flatnonzero(base.is_labour)
    inputs = sp.lil_matrix(base.inputs[:, [j]])
    inputs[labour_rows, 0] = inputs[labour_rows, 0].toarray() * 0.5
    revised_economy = Economy(
        base.products,
        (*base.techniques, Technique("p0-t-new", capacity=math.inf)),
        sp.hstack([base.outputs, base.outputs[:, [j]]]),
        sp.hstack([base.inputs, sp.csc_matrix(inputs)]),
        base.labour,
        base.basket,
        base.floor,
        base.cap,
        base.endowment,
    )
    revised = councils.revised(revised_economy)
    np.testing.assert_array_equal(revised.effort[:-1], councils.effort)

    def revise(record: object, session: RoundsSession) -> LinearCouncils | None:
        return revised if len(session.history) == 2 else None

    result = run_rounds(councils, max_rounds=400, revise=revise)
    assert result.converged
    assert result.proposals.intensities.shape == (base.n_techniques + 1,)
    assert result.proposals.intensities[-1] > 0
    with pytest.raises(ValueError, match="not products"):
        councils.revised(synthetic.economy(31, techniques_per_product=1, seed=6))


@settings(max_examples=50, deadline=None)
@given(
    supply=st.lists(st.floats(0.0, 1e9), min_size=1, max_size=20),
    data=st.data(),
)
def test_imbalance_is_symmetric_and_bounded(supply: list[float], data: st.DataObject) -> None:
    demand = data.draw(st.lists(st.floats(0.0, 1e9), min_size=len(supply), max_size=len(supply)))
    s, d = np.array(supply), np.array(demand)
    v = relative_imbalance(s, d)
    np.testing.assert_array_equal(v, relative_imbalance(d, s))
    assert np.all((v >= 0) & (v <= 2))
    assert np.all((v == 0) == (s == d))


@settings(max_examples=50, deadline=None)
@given(
    excess=st.lists(
        st.floats(-1e6, 1e6).filter(lambda v: v == 0 or abs(v) > 1e-3), min_size=1, max_size=20
    ),
    method=st.sampled_from(["hahnel", "dual"]),
)
def test_prices_move_against_excess_supply(excess: list[float], method: str) -> None:
    from collegium.planner.rounds import price_rule

    gap = np.array(excess)
    demand = np.full(gap.size, 1e6)
    supply = demand + gap
    rule = price_rule(method)  # type: ignore[arg-type]
    prices = np.full(gap.size, 700.0)
    moved, _ = rule(prices, supply, demand, rule.initial_state(gap.size))
    assert np.all(moved[gap > 0] < 700.0)
    assert np.all(moved[gap < 0] > 700.0)
    assert np.all(moved[gap == 0] == 700.0)
    assert np.all(moved > 0)


IO = ROOT / ".." / "shared" / "data" / "io"


def _read_table(name: str) -> dict[str, float]:
    import csv

    with (IO / name).open(encoding="utf-8") as f:
        return {row[0]: float(row[1]) for row in list(csv.reader(f))[1:]}


@pytest.mark.skipif(not IO.exists(), reason="the real IO table (../shared/data/io) is not here")
def test_rounds_balance_the_real_io_table() -> None:
    import csv

    from collegium.planner.io import from_arrays

    with (IO / "Z.csv").open(encoding="utf-8") as f:
        rows = list(csv.reader(f))
    codes = rows[0][1:]
    flows = np.array([[float(v) for v in r[1:]] for r in rows[1:]])
    output = np.array([_read_table("total_output.csv")[c] for c in codes])
    final = np.array([_read_table("final_demand.csv")[c] for c in codes])
    added = np.array([_read_table("value_added.csv")[c] for c in codes])
    A = flows / output
    labour = (added / output).reshape(1, -1)  # value added per unit of output, as labour
    available = 1.05 * float(labour[0] @ output)
    economy = from_arrays(
        A,
        np.maximum(final, 0.0),
        labour=labour,
        labour_available=[available],
        skills=["work"],
        product_codes=codes,
        check=False,
    )
    councils = LinearCouncils.from_economy(economy)
    result = run_rounds(councils, method="dual", max_rounds=400)
    assert result.converged
    supply, demand = result.proposals.supply, result.proposals.demand
    assert np.all(supply >= 0.95 * demand)
    # Labour is a pool like any other: used within the tolerance of what is there.
    assert float(result.proposals.intensities @ labour[0]) <= available / 0.95


@pytest.mark.parametrize("method", ["hahnel", "dual"])
def test_small_economy_with_free_labour_converges(method: str) -> None:
    """In the bakery most products are free goods at the balance (labour and land in
    surplus): they must count as settled, or the rounds never end."""
    from pathlib import Path

    from collegium.planner import LinearCouncils, load, run_rounds

    economy = load(Path(__file__).parent / "data" / "bakery")
    result = run_rounds(LinearCouncils.from_economy(economy), method=method, max_rounds=200)
    assert result.converged
    assert result.history[-1].max_imbalance < 0.05
