"""The need score of the waiting list: a small pure function, so anyone can check it.

    score = w_crowding × people per room
          + w_conditions × open confirmed condition reports about the current dwelling
          + w_waiting × whole months on the list
          + w_unfit × (1 if the current dwelling is unfit to live in, else 0)

People per room is the household size over the rooms of the current dwelling; a
household with no dwelling of its own counts the policy's fixed value instead. Weights
are non-negative, so the score never falls when a term grows. Higher scores come first;
equal scores are ordered by the date of application (earlier first), then by the
application's id (a stable number that never changes), so the order is total and
repeatable.

Arithmetic is decimal, not binary floating point: the same inputs give the same score on
every machine, and the page shows exactly the numbers that were used.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Generic, TypeVar

CENT = Decimal("0.01")
WEIGHT_MAX = Decimal(1000)
NO_DWELLING_MAX = Decimal(20)
DAYS_PER_MONTH = 30

WEIGHT_FIELDS: dict[str, str] = {
    "w_crowding": "Weight of crowding (people per room)",
    "w_conditions": "Weight of open condition reports",
    "w_waiting": "Weight of months waiting",
    "w_unfit": "Weight of an unfit dwelling",
    "no_dwelling_crowding": "People per room counted for a household with no dwelling",
}


@dataclass(frozen=True)
class Weights:
    w_crowding: Decimal
    w_conditions: Decimal
    w_waiting: Decimal
    w_unfit: Decimal
    no_dwelling_crowding: Decimal


DEFAULT_WEIGHTS = Weights(
    w_crowding=Decimal("10.00"),
    w_conditions=Decimal("5.00"),
    w_waiting=Decimal("1.00"),
    w_unfit=Decimal("20.00"),
    no_dwelling_crowding=Decimal("3.00"),
)


@dataclass(frozen=True)
class Need:
    """What the score is made of for one applicant."""

    people: int  # household size, non-members included
    rooms: int | None  # rooms of the current dwelling; None: no dwelling of their own
    open_reports: int  # open confirmed condition reports about the current dwelling
    months_waiting: int
    unfit: bool


@dataclass(frozen=True)
class Terms:
    crowding: Decimal  # people per room (or the fixed value), to the cent
    conditions: int
    waiting: int
    unfit: int
    score: Decimal  # to the cent

    def as_json(self) -> dict[str, str | int]:
        return {
            "crowding": str(self.crowding),
            "conditions": self.conditions,
            "waiting": self.waiting,
            "unfit": self.unfit,
            "score": str(self.score),
        }


class WeightError(ValueError):
    """Weights that cannot be used, with one message per field."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


def parse_weights(raw: Mapping[str, object]) -> Weights:
    """Read the five numbers of a policy; every bad field is named with its reason."""
    errors: dict[str, str] = {}
    values: dict[str, Decimal] = {}
    for name, label in WEIGHT_FIELDS.items():
        value = raw.get(name)
        limit = NO_DWELLING_MAX if name == "no_dwelling_crowding" else WEIGHT_MAX
        if value is None or (isinstance(value, str) and not value.strip()):
            errors[name] = f"{label}: give a number from 0 to {limit}."
            continue
        if isinstance(value, bool):
            errors[name] = f"{label}: give a number, not {value!r}."
            continue
        try:
            number = Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            errors[name] = f"{label}: {str(value)[:40]!r} is not a number."
            continue
        if not number.is_finite():
            errors[name] = f"{label}: must be a finite number, not {value!s}."
        elif number < 0:
            errors[name] = (
                f"{label}: must not be negative ({number}); a negative weight would "
                "push people in greater need down the list."
            )
        elif number > limit:
            errors[name] = f"{label}: {number} is more than the most allowed, {limit}."
        elif number != number.quantize(CENT):
            errors[name] = f"{label}: use at most two decimal places ({number})."
        else:
            values[name] = number.quantize(CENT)
    if errors:
        raise WeightError(errors)
    return Weights(**values)


def months_between(start: dt.datetime, now: dt.datetime) -> int:
    """Whole months of waiting, a month counted as 30 days; never negative."""
    return max(0, (now - start).days // DAYS_PER_MONTH)


def need_score(need: Need, weights: Weights) -> Terms:
    if need.rooms is None:
        crowding = weights.no_dwelling_crowding
    else:
        crowding = (Decimal(need.people) / Decimal(max(need.rooms, 1))).quantize(CENT)
    unfit = 1 if need.unfit else 0
    score = (
        weights.w_crowding * crowding
        + weights.w_conditions * need.open_reports
        + weights.w_waiting * need.months_waiting
        + weights.w_unfit * unfit
    ).quantize(CENT)
    return Terms(crowding, need.open_reports, need.months_waiting, unfit, score)


K = TypeVar("K")


@dataclass(frozen=True)
class Ranked(Generic[K]):
    rank: int  # 1-based place on the list
    key: K
    terms: Terms


def rank(entries: Iterable[tuple[K, Terms, dt.datetime, int]]) -> list[Ranked[K]]:
    """Order (key, terms, applied_at, id) by score, then application date, then id."""
    ordered = sorted(entries, key=lambda e: (-e[1].score, e[2], e[3]))
    return [Ranked(i, key, terms) for i, (key, terms, _, _) in enumerate(ordered, start=1)]


def formula(weights: Weights) -> str:
    """The formula with the weights in force, as the list page prints it."""
    return (
        f"score = {weights.w_crowding} × people per room "
        f"+ {weights.w_conditions} × open condition reports "
        f"+ {weights.w_waiting} × months waiting "
        f"+ {weights.w_unfit} × (1 if the dwelling is unfit)"
    )
