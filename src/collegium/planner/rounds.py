"""Participatory planning rounds: the engine publishes valuations, the councils propose.

Each round the engine publishes indicative prices; every worker council proposes what it
would make and what it needs at those prices (benefit minus cost), every consumer council
proposes what it would consume within its budget, and the engine measures the relative
imbalance of each product, ``|2 (supply - demand) / (supply + demand)|``. Below the
tolerance everywhere the plan is settled; otherwise prices move and the next round starts
from the moved prices (a warm start: nothing is solved from scratch).

Two ways of moving prices:

- ``hahnel``: the rule of Hahnel's participatory-planning experiments (Hahnel 2021, ch. 9,
  as the program behind its tables ran it): a price rises for a product in excess demand
  and falls for one in excess supply by a step that grows with the imbalance,
  ``w = max(0.001, min(v_prev, 0.25) * (1.05 - 0.5 ** v))``.
- ``dual``: dual decomposition. Prices are the multipliers of the product balances; each
  council solves its own small problem at those prices and the multipliers take a
  subgradient step on the balance residual, in log-prices (so they stay positive), with a
  step per product that grows while the residual keeps its sign and shrinks when it flips.

Councils are arrays, one row per council, so a round over 60,000 councils is a handful of
vectorised passes. Two kinds of councils are provided: :class:`HahnelCouncils`, the
Cobb-Douglas councils of Hahnel's experiments, and :class:`LinearCouncils`, built from a
planner :class:`~collegium.planner.model.Economy` (fixed-coefficient techniques whose
workplaces weigh their margin at the published prices against a rising effort cost).

Between rounds a caller may revise the councils (new capacities, new techniques, new
budgets): :class:`RoundsSession` keeps its prices and its price-rule state and carries on.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, Literal, Protocol, TypeAlias

import numpy as np
from numpy.typing import NDArray

from collegium.planner.model import Economy, PlannerError

FloatArray: TypeAlias = NDArray[np.float64]
IntArray: TypeAlias = NDArray[np.int64]
RoundsMethod = Literal["hahnel", "dual"]
METHODS: tuple[RoundsMethod, ...] = ("hahnel", "dual")


# --------------------------------------------------------------------------- proposals


@dataclass(frozen=True, eq=False)
class Proposals:
    """What the councils propose at one set of prices, totalled per product.

    ``supply`` includes the endowment; ``demand`` is intermediate use plus consumption.
    ``intensities`` holds one number per workplace (its proposed output or activity), the
    tentative plan published with the prices. ``objective`` is the councils' summed
    benefit minus cost at those prices (worker surplus plus consumer budgets spent).
    ``disposable`` marks products that may be left over (labour and resources not
    needed, products nobody wants): left over at a negligible price, they count as
    balanced.
    """

    supply: FloatArray
    demand: FloatArray
    intensities: FloatArray
    consumption: FloatArray
    objective: float
    disposable: NDArray[np.bool_] | None = None


class Councils(Protocol):
    """Workplaces and consumer councils that answer prices with proposals."""

    @property
    def n_goods(self) -> int: ...

    def respond(self, prices: FloatArray) -> Proposals: ...


def settled_imbalance(proposals: Proposals, prices: FloatArray, tolerance: float) -> FloatArray:
    """Relative imbalance, with disposable products left over at a negligible price
    (below ``tolerance`` times the dearest product's price) counted as balanced.

    The dearest price is the yardstick rather than the median: in a small economy where
    most products are free goods (labour pools and resources in surplus), the median is
    itself negligible and nothing would ever count as settled.
    """
    imbalance = relative_imbalance(proposals.supply, proposals.demand)
    if proposals.disposable is None or not imbalance.size:
        return imbalance
    cheap = prices < tolerance * float(np.max(prices))
    left_over = proposals.disposable & (proposals.supply >= proposals.demand) & cheap
    return np.where(left_over, 0.0, imbalance)


def relative_imbalance(supply: FloatArray, demand: FloatArray) -> FloatArray:
    """``|2 (s - d) / (s + d)|``, zero where a product is neither made nor used."""
    total = supply + demand
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(
            total > 0, np.abs(2.0 * (supply - demand)) / np.where(total > 0, total, 1.0), 0.0
        )
    finite = np.isfinite(supply) & np.isfinite(demand)
    return np.where(finite, ratio, np.inf)


# --------------------------------------------------------------------------- Hahnel councils


@dataclass(frozen=True, eq=False)
class HahnelCouncils:
    """The councils of Hahnel's annual participatory planning experiments.

    Worker council ``w`` makes one product, ``output_good[w]``, with
    ``Q = scale * e**effort_c * prod(x_j ** b_j)`` (its inputs ``x_j`` and exponents
    ``b_j`` are the slice ``input_offsets[w]:input_offsets[w+1]`` of ``input_good`` and
    ``input_exponent``), and proposes the output, inputs and effort ``e`` that maximise
    ``p_out Q - sum p_j x_j - effort_s * e**effort_k`` (a closed form). Consumer council
    ``c`` spends its ``entitlement`` on the products ``utility_good`` with Cobb-Douglas
    weights ``utility_exponent[c]``. Natural resources and labour are the ``endowment``.
    """

    endowment: FloatArray
    output_good: IntArray
    input_offsets: IntArray
    input_good: IntArray
    input_exponent: FloatArray
    scale: FloatArray
    effort_c: FloatArray
    effort_k: FloatArray
    effort_s: FloatArray
    entitlement: FloatArray
    utility_exponent: FloatArray
    utility_good: IntArray

    def __post_init__(self) -> None:
        w = self.output_good.shape[0]
        if (
            self.input_offsets.shape != (w + 1,)
            or int(self.input_offsets[-1]) != (self.input_good.shape[0])
        ):
            raise ValueError("input_offsets must have one entry per worker council plus one")
        if np.any(self.input_exponent <= 0) or np.any(self.scale <= 0):
            raise ValueError("exponents and technology scales must be positive")
        if self.utility_exponent.shape != (self.entitlement.shape[0], self.utility_good.shape[0]):
            raise ValueError("utility_exponent must be consumer councils by utility goods")
        # Decreasing returns including effort keep each council's problem bounded.
        if np.any(self.denominator >= 0):
            raise ValueError("effort_k must exceed effort_c / (1 - sum of input exponents)")

    @property
    def n_goods(self) -> int:
        return int(self.endowment.shape[0])

    @property
    def n_workers(self) -> int:
        return int(self.output_good.shape[0])

    @property
    def n_consumers(self) -> int:
        return int(self.entitlement.shape[0])

    @cached_property
    def owner(self) -> IntArray:
        counts = np.diff(self.input_offsets)
        return np.repeat(np.arange(self.n_workers, dtype=np.int64), counts)

    def _per_worker(self, values: FloatArray) -> FloatArray:
        return np.asarray(
            np.bincount(self.owner, weights=values, minlength=self.n_workers), dtype=np.float64
        )

    @cached_property
    def exponent_sum(self) -> FloatArray:
        return self._per_worker(self.input_exponent)

    @cached_property
    def log_exponent(self) -> FloatArray:
        return np.log(self.input_exponent)

    @cached_property
    def denominator(self) -> FloatArray:
        # Solving the first-order conditions for log Q divides by c - k + k B; it is
        # negative exactly when returns to inputs and effort together decrease.
        k, c = self.effort_k, self.effort_c
        return np.asarray(c - k + k * self._per_worker(self.input_exponent), dtype=np.float64)

    @cached_property
    def intercept(self) -> FloatArray:
        k, c = self.effort_k, self.effort_c
        return np.asarray(
            -k * np.log(self.scale)
            - k * self._per_worker(self.input_exponent * self.log_exponent)
            - c * np.log(c)
            + c * np.log(k)
            + c * np.log(self.effort_s),
            dtype=np.float64,
        )

    @cached_property
    def consumer_weight(self) -> FloatArray:
        """Per product, what all consumer councils together spend on it.

        Cobb-Douglas councils spend fixed shares of their budgets, so total demand for
        product ``j`` is this weight over ``p_j``; it is computed once.
        """
        spent = self.spending.sum(axis=0)
        return np.asarray(
            np.bincount(self.utility_good, weights=spent, minlength=self.n_goods),
            dtype=np.float64,
        )

    def worker_proposals(self, prices: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Output, effort and inputs (flat, like ``input_good``) of every worker council."""
        log_p = np.log(prices)
        log_in = log_p[self.input_good]
        log_out = log_p[self.output_good]
        spending = self._per_worker(self.input_exponent * log_in)
        k, c, b = self.effort_k, self.effort_c, self.exponent_sum
        log_q = (self.intercept + k * spending - (c + k * b) * log_out) / self.denominator
        # Cost-minimising inputs: x_j = b_j p_out Q / p_j.
        inputs = np.exp(self.log_exponent + (log_out + log_q)[self.owner] - log_in)
        # Effort from the first-order condition p_out c Q = k s e**k.
        log_e = (log_out + np.log(c) + log_q - np.log(k) - np.log(self.effort_s)) / k
        return np.exp(log_q), np.exp(log_e), inputs

    @cached_property
    def spending(self) -> FloatArray:
        """What each consumer council spends on each of its goods, whatever the prices."""
        shares = self.utility_exponent / self.utility_exponent.sum(axis=1, keepdims=True)
        return np.asarray(self.entitlement[:, None] * shares, dtype=np.float64)

    def consumer_proposals(self, prices: FloatArray) -> FloatArray:
        """Each consumer council's bundle, councils by ``utility_good`` (materialised)."""
        return np.asarray(self.spending / prices[self.utility_good][None, :], dtype=np.float64)

    def respond(self, prices: FloatArray) -> Proposals:
        output, effort, inputs = self.worker_proposals(prices)
        n = self.n_goods
        supply = np.bincount(self.output_good, weights=output, minlength=n) + self.endowment
        used = np.bincount(self.input_good, weights=inputs, minlength=n)
        consumption = self.consumer_weight / prices
        revenue = prices[self.output_good] * output
        cost = self._per_worker(prices[self.input_good] * inputs)
        surplus = revenue - cost - self.effort_s * effort**self.effort_k
        return Proposals(
            supply,
            used + consumption,
            output,
            consumption,
            float(surplus.sum() + self.entitlement.sum()),
        )


def hahnel_instance(
    seed: int,
    *,
    n_goods: int = 500,
    n_workers: int = 30_000,
    n_consumers: int = 30_000,
    endowment: float = 1000.0,
    price_level: float | None = 700.0,
    price_spread: float = 2.0,
) -> HahnelCouncils:
    """A seeded economy shaped like Hahnel's experiments (dep1ex: 500 goods, 30,000 each).

    A fifth of the products are consumer goods, half intermediate goods, a tenth natural
    resources and a fifth kinds of labour (each resource and labour kind has ``endowment``
    available). Every worker council makes a consumer or intermediate good from two or
    three intermediate goods, one resource and one or two kinds of labour, with input
    exponents summing to 0.7-0.85 and an effort exponent of 0.05-0.1 (dep1ex's medians are
    0.80 and 0.075); every consumer council weighs every consumer good.

    With ``price_level`` set, units are then chosen (see :func:`rescale_units`) so that
    the balanced prices lie between ``price_level / price_spread`` and ``price_level *
    price_spread``, log-uniformly at random: the experiments start every price at one
    common level (700), and a choice of units is what makes that a fair start. The
    balanced prices are found with the ``dual`` rounds to 0.1 %.
    """
    rng = np.random.default_rng(seed)
    n_final = max(1, n_goods // 5)
    n_inter = max(3, n_goods // 2)
    n_res = max(1, n_goods // 10)
    n_lab = n_goods - n_final - n_inter - n_res
    if n_lab < 2:
        raise ValueError("n_goods is too small for a Hahnel-style economy")
    inter0, res0, lab0 = n_final, n_final + n_inter, n_final + n_inter + n_res
    produced = n_final + n_inter
    # Every produced good has makers; the rest are spread at random.
    output_good = np.concatenate(
        [
            np.arange(min(produced, n_workers)),
            rng.integers(0, produced, max(0, n_workers - produced)),
        ]
    ).astype(np.int64)
    owners: list[IntArray] = []
    goods: list[IntArray] = []
    for lo, width, low, high in (
        (inter0, n_inter, 2, 3),
        (res0, n_res, 1, 1),
        (lab0, n_lab, 1, 2),
    ):
        per = rng.integers(low, high + 1, n_workers)
        owner = np.repeat(np.arange(n_workers, dtype=np.int64), per)
        first = np.concatenate([[0], np.cumsum(per)[:-1]])
        rank = np.arange(owner.shape[0]) - np.repeat(first, per)
        start = rng.integers(0, width, n_workers)[owner]
        owners.append(owner)
        goods.append((lo + (start + rank) % width).astype(np.int64))
    owner = np.concatenate(owners)
    order = np.argsort(owner, kind="stable")
    input_good = np.concatenate(goods)[order]
    counts = np.bincount(owner, minlength=n_workers)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    exponent: FloatArray = np.asarray(rng.uniform(0.5, 1.5, input_good.shape[0]), dtype=np.float64)
    total = np.bincount(owner[order], weights=exponent, minlength=n_workers)
    exponent *= np.repeat(rng.uniform(0.7, 0.85, n_workers) / total, counts)
    councils = HahnelCouncils(
        endowment=np.where(np.arange(n_goods) >= res0, endowment, 0.0),
        output_good=output_good,
        input_offsets=offsets,
        input_good=input_good,
        input_exponent=exponent,
        scale=rng.uniform(2.0, 4.0, n_workers),
        effort_c=rng.uniform(0.05, 0.1, n_workers),
        effort_k=np.full(n_workers, 2.0),
        effort_s=rng.uniform(5.0, 15.0, n_workers),
        entitlement=rng.uniform(2400.0, 3600.0, n_consumers),
        utility_exponent=rng.uniform(0.5, 1.5, (n_consumers, n_final)),
        utility_good=np.arange(n_final, dtype=np.int64),
    )
    if price_level is None:
        return councils
    balanced = run_rounds(
        councils, method="dual", tolerance=1e-3, max_rounds=2000, initial_prices=price_level
    )
    if not balanced.converged:
        raise PlannerError("the generated economy did not balance; try another seed")
    wanted = price_level * price_spread ** rng.uniform(-1.0, 1.0, n_goods)
    return rescale_units(councils, wanted / balanced.prices)


def rescale_units(councils: HahnelCouncils, factor: FloatArray) -> HahnelCouncils:
    """The same economy measured in other units: prices times ``factor``, quantities over it.

    Nothing real changes: a worker council's technology scale absorbs the new units of
    its output and inputs, endowments are restated, and Cobb-Douglas consumer councils
    spend the same shares whatever the units.
    """
    log_f = np.log(np.asarray(factor, dtype=np.float64))
    shift = councils._per_worker(councils.input_exponent * log_f[councils.input_good])
    return replace(
        councils,
        scale=councils.scale * np.exp(shift - log_f[councils.output_good]),
        endowment=councils.endowment / np.exp(log_f),
    )


# --------------------------------------------------------------------------- price rules


class PriceRule(Protocol):
    """Moves prices after a round; whatever it remembers lives in ``state``."""

    def initial_state(self, n_goods: int) -> FloatArray: ...

    def __call__(
        self, prices: FloatArray, supply: FloatArray, demand: FloatArray, state: FloatArray
    ) -> tuple[FloatArray, FloatArray]: ...


@dataclass(frozen=True)
class HahnelRule:
    """Hahnel's rule: up for excess demand, down for excess supply, by the imbalance.

    With ``v`` this round's relative imbalance and ``m`` last round's (capped at
    ``cap``), the step is ``max(floor, min(v_base, |v_base * m|))`` with
    ``v_base = ceiling - 0.5 ** v``; ``m`` starts at ``cap``. These are the constants of the
    program behind the published tables of Hahnel (2021).
    """

    cap: float = 0.25
    ceiling: float = 1.05
    floor: float = 0.001

    def initial_state(self, n_goods: int) -> FloatArray:
        return np.full(n_goods, self.cap)

    def __call__(
        self, prices: FloatArray, supply: FloatArray, demand: FloatArray, state: FloatArray
    ) -> tuple[FloatArray, FloatArray]:
        imbalance = relative_imbalance(supply, demand)
        base = self.ceiling - 0.5**imbalance
        step = np.maximum(self.floor, np.minimum(base, np.abs(base * state)))
        excess = supply - demand
        factor = np.where(excess > 0, 1.0 - step, np.where(excess < 0, 1.0 + step, 1.0))
        return prices * factor, np.minimum(imbalance, self.cap)


@dataclass(frozen=True)
class DualRule:
    """Subgradient steps on the product balances, in log-prices, with adaptive steps.

    The balance residual ``(demand - supply) / (demand + supply)`` is the subgradient of
    the dual function at the current multipliers. Each product keeps its own step:
    ``grow`` times larger while the residual keeps its sign, ``shrink`` times when it
    flips (the multiplier has stepped over the balance). ``state`` holds the step and
    the sign of the last residual per product.
    """

    step: float = 0.25
    grow: float = 1.1
    shrink: float = 0.7
    max_step: float = 2.0

    def initial_state(self, n_goods: int) -> FloatArray:
        return np.stack([np.full(n_goods, self.step), np.zeros(n_goods)], axis=1)

    def __call__(
        self, prices: FloatArray, supply: FloatArray, demand: FloatArray, state: FloatArray
    ) -> tuple[FloatArray, FloatArray]:
        total = supply + demand
        residual = np.where(total > 0, (demand - supply) / np.where(total > 0, total, 1.0), 0.0)
        sign = np.sign(residual)
        steps = state[:, 0]
        flipped = sign * state[:, 1] < 0
        steps = np.where(flipped, steps * self.shrink, np.minimum(steps * self.grow, self.max_step))
        steps = np.where(state[:, 1] == 0, state[:, 0], steps)
        new_prices = prices * np.exp(steps * residual)
        return new_prices, np.stack([steps, sign], axis=1)


def price_rule(method: RoundsMethod) -> PriceRule:
    if method == "hahnel":
        return HahnelRule()
    if method == "dual":
        return DualRule()
    raise ValueError(f"unknown method {method!r}; expected one of {', '.join(METHODS)}")


# --------------------------------------------------------------------------- the rounds


@dataclass(frozen=True)
class RoundRecord:
    """One round of the history (imbalances are relative, 0.05 is 5 %)."""

    round: int
    max_imbalance: float
    mean_imbalance: float
    price_change: float
    objective: float
    seconds: float

    def to_json(self) -> dict[str, float | int]:
        return {
            "round": self.round,
            "max_imbalance": self.max_imbalance,
            "mean_imbalance": self.mean_imbalance,
            "price_change": self.price_change,
            "objective": self.objective,
            "seconds": self.seconds,
        }


@dataclass(frozen=True, eq=False)
class RoundsResult:
    """How the rounds ended: the last published prices and proposals, and the history.

    ``prices`` are the prices the last proposals answered (the settled valuations when
    ``converged``); ``next_prices`` and ``rule_state`` are what a later run continues from.
    """

    method: RoundsMethod
    converged: bool
    rounds: int
    tolerance: float
    prices: FloatArray
    next_prices: FloatArray
    rule_state: FloatArray
    proposals: Proposals
    imbalance: FloatArray
    history: tuple[RoundRecord, ...] = field(default_factory=tuple)

    @property
    def seconds(self) -> float:
        return sum(r.seconds for r in self.history)

    def to_json(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "converged": self.converged,
            "rounds": self.rounds,
            "tolerance": self.tolerance,
            "seconds": self.seconds,
            "history": [r.to_json() for r in self.history],
        }


class RoundsSession:
    """A planning cycle run round by round.

    ``publish()`` gives the prices the next proposals answer; ``step()`` collects the
    councils' proposals at those prices, records the round and moves the prices;
    ``revise(councils)`` swaps in revised councils (new capacities, techniques or
    budgets) between rounds, keeping the prices and the rule's memory (a warm start).
    """

    def __init__(
        self,
        councils: Councils,
        *,
        method: RoundsMethod = "hahnel",
        tolerance: float = 0.05,
        initial_prices: float | FloatArray = 1.0,
        rule: PriceRule | None = None,
        rule_state: FloatArray | None = None,
    ) -> None:
        if not tolerance > 0:
            raise ValueError("tolerance must be positive")
        n = councils.n_goods
        prices = np.asarray(
            np.full(n, float(initial_prices)) if np.ndim(initial_prices) == 0 else initial_prices,
            dtype=np.float64,
        ).copy()
        if prices.shape != (n,) or not np.all(np.isfinite(prices) & (prices > 0)):
            raise ValueError("initial prices must be positive and one per product")
        self.councils = councils
        self.method: RoundsMethod = method
        self.tolerance = tolerance
        self.rule: PriceRule = rule if rule is not None else price_rule(method)
        self.prices: FloatArray = prices
        self.state: FloatArray = (
            self.rule.initial_state(n) if rule_state is None else np.array(rule_state, copy=True)
        )
        self.history: list[RoundRecord] = []
        self.proposals: Proposals | None = None
        self.answered: FloatArray = prices.copy()
        self.imbalance: FloatArray = np.full(n, np.inf)

    def publish(self) -> FloatArray:
        return self.prices.copy()

    def revise(self, councils: Councils) -> None:
        if councils.n_goods != self.councils.n_goods:
            raise ValueError("revised councils must plan the same products")
        self.councils = councils

    @property
    def converged(self) -> bool:
        return bool(self.history) and self.history[-1].max_imbalance < self.tolerance

    def step(self) -> RoundRecord:
        started = time.perf_counter()
        prices = self.prices
        proposals = self.councils.respond(prices)
        imbalance = settled_imbalance(proposals, prices, self.tolerance)
        worst = float(np.max(imbalance)) if imbalance.size else 0.0
        next_prices, next_state = self.rule(prices, proposals.supply, proposals.demand, self.state)
        change = float(np.max(np.abs(next_prices / prices - 1.0))) if prices.size else 0.0
        self.answered = prices
        self.proposals = proposals
        self.imbalance = imbalance
        self.prices = np.asarray(next_prices, dtype=np.float64)
        self.state = np.asarray(next_state, dtype=np.float64)
        record = RoundRecord(
            len(self.history) + 1,
            worst,
            float(np.mean(imbalance)) if imbalance.size else 0.0,
            change,
            proposals.objective,
            time.perf_counter() - started,
        )
        self.history.append(record)
        return record

    def result(self) -> RoundsResult:
        if self.proposals is None:
            raise PlannerError("no round has been run yet")
        return RoundsResult(
            self.method,
            self.converged,
            len(self.history),
            self.tolerance,
            self.answered,
            self.prices.copy(),
            self.state.copy(),
            self.proposals,
            self.imbalance,
            tuple(self.history),
        )


Reviser: TypeAlias = Callable[[RoundRecord, RoundsSession], Councils | None]
"""Called after each unsettled round; returns revised councils, or ``None`` for no change."""


def run_rounds(
    councils: Councils,
    *,
    method: RoundsMethod = "hahnel",
    tolerance: float = 0.05,
    max_rounds: int = 250,
    initial_prices: float | FloatArray = 1.0,
    rule_state: FloatArray | None = None,
    revise: Reviser | None = None,
) -> RoundsResult:
    """Run rounds until every relative imbalance is below ``tolerance`` or ``max_rounds``.

    The round that reports convergence is the round whose prices are returned; the count
    includes it (as in Hahnel's tables). ``revise`` lets workplaces and consumer councils
    change their proposals' basis between rounds.
    """
    if max_rounds < 1:
        raise ValueError("max_rounds must be at least 1")
    session = RoundsSession(
        councils,
        method=method,
        tolerance=tolerance,
        initial_prices=initial_prices,
        rule_state=rule_state,
    )
    for _ in range(max_rounds):
        record = session.step()
        if session.converged or not np.all(np.isfinite(session.prices)):
            break
        if revise is not None:
            revised = revise(record, session)
            if revised is not None:
                session.revise(revised)
    return session.result()


# --------------------------------------------------------------------------- linear councils


@dataclass(frozen=True, eq=False)
class LinearCouncils:
    """Councils built from a planner economy of fixed-coefficient techniques.

    Goods are the balance products followed by the labour pools. Workplace ``j`` runs
    its technique at activity ``x_j`` in ``[0, capacity_j]`` and proposes the activity that
    maximises its margin at the published prices, ``(p B_j - p A_j - w L_j) x_j``, less an
    effort cost ``effort_j x_j**2 / 2`` (rising marginal effort makes the answer a
    definite number rather than all or nothing). Consumer councils spend the value of the
    labour and resources available plus the workplaces' margins (a social dividend, so
    that what is offered can be bought) on the plan's floors and then its basket.
    As in the planner's linear programme every balance is an inequality: a product left
    over (labour not needed, emissions nobody uses) is balanced once its price is
    negligible.
    """

    net: Any  # scipy sparse (balance products by techniques): B - A
    outputs: Any  # scipy sparse (balance products by techniques): B
    labour: Any  # scipy sparse (labour pools by techniques)
    capacity: FloatArray
    effort: FloatArray
    endowment: FloatArray
    available: FloatArray
    floor: FloatArray
    basket: FloatArray
    product_codes: tuple[str, ...] = ()
    technique_codes: tuple[str, ...] = ()
    pool_codes: tuple[str, ...] = ()

    @property
    def n_products(self) -> int:
        return int(self.endowment.shape[0])

    @property
    def n_goods(self) -> int:
        return self.n_products + int(self.available.shape[0])

    @cached_property
    def inputs(self) -> Any:
        return (self.outputs - self.net).tocsc()

    @classmethod
    def from_economy(
        cls, economy: Economy, *, reference: FloatArray | None = None
    ) -> LinearCouncils:
        """Councils for ``economy``; ``reference`` is the activity each workplace proposes
        when its margin equals its revenue at unit prices (default: an estimate of the
        activity the plan's floors and basket call for, bounded by capacity)."""
        import scipy.sparse as sp

        rows = economy.balance_rows
        outputs = sp.csc_matrix(economy.outputs[rows, :])
        inputs = sp.csc_matrix(economy.inputs[rows, :])
        net = sp.csc_matrix(outputs - inputs)
        labour = sp.csc_matrix(economy.labour_matrix())
        capacity = np.asarray(economy.capacity, dtype=np.float64)
        floor = np.asarray(economy.floor[rows], dtype=np.float64)
        basket = np.asarray(economy.basket[rows], dtype=np.float64)
        if reference is None:
            reference = _reference_activity(outputs, inputs, floor + np.maximum(basket, 0.0))
        reference = np.where(np.isfinite(capacity), np.minimum(reference, capacity), reference)
        reference = np.where(reference > 0, reference, 1.0)
        revenue = np.asarray(outputs.sum(axis=0)).reshape(-1)
        effort = np.maximum(revenue, 1e-12) / reference
        return cls(
            net=net,
            outputs=outputs,
            labour=labour,
            capacity=capacity,
            effort=effort,
            endowment=np.asarray(economy.endowment[rows], dtype=np.float64),
            available=np.asarray(economy.labour_available, dtype=np.float64),
            floor=floor,
            basket=basket,
            product_codes=tuple(economy.products[i].code for i in rows),
            technique_codes=economy.technique_codes,
            pool_codes=tuple(economy.pool_label(k) for k in range(len(economy.labour))),
        )

    def with_capacity(self, capacity: FloatArray) -> LinearCouncils:
        """The same councils after workplaces revise their capacities."""
        return replace(self, capacity=np.asarray(capacity, dtype=np.float64))

    def revised(self, economy: Economy) -> LinearCouncils:
        """Councils for a revised economy (techniques added, dropped or changed).

        The products and labour pools must be the same. Techniques that keep their code
        keep their effort cost, so their proposals do not jump; new ones get the default.
        """
        fresh = LinearCouncils.from_economy(economy)
        if fresh.product_codes != self.product_codes or fresh.pool_codes != self.pool_codes:
            raise ValueError("a revision may change techniques, not products or labour pools")
        known = {code: j for j, code in enumerate(self.technique_codes)}
        effort = np.array(
            [
                self.effort[known[code]] if code in known else fresh.effort[j]
                for j, code in enumerate(fresh.technique_codes)
            ],
            dtype=np.float64,
        )
        return replace(fresh, effort=effort)

    def activity(self, prices: FloatArray) -> FloatArray:
        p, w = prices[: self.n_products], prices[self.n_products :]
        margin = self.net.T @ p - self.labour.T @ w
        return np.asarray(np.clip(margin / self.effort, 0.0, self.capacity), dtype=np.float64)

    def respond(self, prices: FloatArray) -> Proposals:
        n = self.n_products
        p, w = prices[:n], prices[n:]
        x = self.activity(prices)
        margin = self.net.T @ p - self.labour.T @ w
        made = self.outputs @ x
        used = self.inputs @ x
        labour_used = self.labour @ x
        budget = _dot(p, self.endowment) + _dot(w, self.available) + _dot(margin, x)
        floor_cost = _dot(p, self.floor)
        basket_cost = _dot(p, np.maximum(self.basket, 0.0))
        if budget <= floor_cost or basket_cost <= 0:
            consumption = self.floor * (budget / floor_cost if floor_cost > 0 else 0.0)
        else:
            consumption = self.floor + (budget - floor_cost) / basket_cost * np.maximum(
                self.basket, 0.0
            )
        supply = np.concatenate([made + self.endowment, self.available])
        demand = np.concatenate([used + consumption, labour_used])
        surplus = _dot(margin, x) - 0.5 * _dot(self.effort, x * x)
        disposable = np.ones(self.n_goods, dtype=bool)
        return Proposals(supply, demand, x, consumption, surplus + budget, disposable)


def _dot(a: FloatArray, b: FloatArray) -> float:
    # Not BLAS: on a shared machine its worker threads can stall a short dot product for
    # a tenth of a second.
    return float(np.einsum("i,i->", a, b))


def _reference_activity(outputs: Any, inputs: Any, final: FloatArray) -> FloatArray:
    """Activity that roughly delivers ``final`` net: Neumann sweeps, makers sharing evenly."""
    n, m = outputs.shape
    if m == 0:
        return np.zeros(0)
    main = np.asarray(outputs.argmax(axis=0)).reshape(-1)
    amount = np.asarray(outputs.max(axis=0).toarray()).reshape(-1)
    makers = np.bincount(main, minlength=n).astype(np.float64)
    gross = final.copy()
    x = np.zeros(m)
    for _ in range(100):
        x = np.where(
            amount > 0,
            gross[main] / (np.maximum(makers[main], 1.0) * np.maximum(amount, 1e-300)),
            0.0,
        )
        new = final + inputs @ x
        if not np.all(np.isfinite(new)):
            break
        done = np.allclose(new, gross, rtol=1e-6, atol=1e-12)
        gross = new
        if done:
            break
    return np.asarray(x, dtype=np.float64)


# --------------------------------------------------------------------------- command line


def cli_rounds(args: Sequence[str]) -> int:
    """``collegium plan rounds PATH [--method hahnel|dual] [--max-rounds N] [--tolerance T]
    [--json]``: run participatory rounds on an economy and print their history.

    Exit 0 when every imbalance fell below the tolerance, 1 when not within the rounds
    allowed (or the input is invalid), 2 on a usage error or a missing file.
    """
    parser = argparse.ArgumentParser(
        prog="collegium plan rounds",
        description="Participatory planning rounds: publish valuations, collect proposals, "
        "adjust, until every product balances within the tolerance.",
    )
    parser.add_argument("path", help="economy: a JSON file or a directory of CSV files")
    parser.add_argument("--method", choices=METHODS, default="hahnel")
    parser.add_argument("--max-rounds", type=int, default=250)
    parser.add_argument("--tolerance", type=float, default=0.05)
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    try:
        options = parser.parse_args(list(args))
    except SystemExit as exit_:
        return 0 if exit_.code == 0 else 2
    if options.max_rounds < 1 or not options.tolerance > 0:
        parser.print_usage(sys.stderr)
        print(
            "collegium plan rounds: --max-rounds and --tolerance must be positive", file=sys.stderr
        )
        return 2
    from collegium.planner.io import load
    from collegium.planner.model import InputError, MissingInputError

    try:
        economy = load(options.path)
    except MissingInputError as error:
        print(error, file=sys.stderr)
        return 2
    except InputError as error:
        print(error, file=sys.stderr)
        return 1
    councils = LinearCouncils.from_economy(economy)
    result = run_rounds(
        councils, method=options.method, tolerance=options.tolerance, max_rounds=options.max_rounds
    )
    if options.json:
        document = result.to_json()
        document["file"] = options.path
        n = councils.n_products
        document["valuations"] = dict(
            zip(councils.product_codes, result.prices[:n].tolist(), strict=True)
        )
        document["labour_valuations"] = dict(
            zip(councils.pool_codes, result.prices[n:].tolist(), strict=True)
        )
        document["activity"] = dict(
            zip(councils.technique_codes, result.proposals.intensities.tolist(), strict=True)
        )
        print(json.dumps(document, allow_nan=False))
    else:
        print(
            f"{'round':>5} {'max imbalance':>14} {'mean imbalance':>15} "
            f"{'price change':>13} {'objective':>14}"
        )
        for r in result.history:
            print(
                f"{r.round:>5} {r.max_imbalance:>14.2%} {r.mean_imbalance:>15.2%} "
                f"{r.price_change:>13.2%} {r.objective:>14.6g}"
            )
        verdict = "converged" if result.converged else "not converged"
        print(
            f"{verdict} after {result.rounds} rounds ({options.method}, tolerance "
            f"{options.tolerance:.2%}, {result.seconds:.3f} s)"
        )
    return 0 if result.converged else 1
