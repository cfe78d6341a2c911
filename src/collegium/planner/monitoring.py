"""Bayesian change detection on fulfilment reports (Harrison–Stevens multi-state model).

A workplace reports its output period by period. The detector reads that series as a
linear growth model (level plus slope plus noise) that at every step is in one of four
states, as in the Harrison–Stevens (1971, 1976) multi-state Kalman filter that Cybersyn's
Cyberstride used:

- ``steady``: the level and slope carry on, only observation noise;
- ``level``: the level jumps (a step);
- ``slope``: the slope changes (the trend bends);
- ``outlier``: one observation is off and the series carries on as before.

Each state is a Kalman filter with its own noise. The posterior is carried as a mixture of
Gaussians, one per sequence of states over the last ``memory`` steps (4**memory
components), collapsed by moment matching after every step: Harrison and Stevens' class II
approximation for ``memory=1``, class III for 2, and so on. A step and an outlier look
alike when they happen and a bend in the trend takes a few observations to show, so alerts
are read from the retrospective posteriors: the state at step t given the observations up
to t + memory.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, Literal

import numpy as np
from numpy.typing import NDArray

ChangeKind = Literal["level", "slope", "outlier"]

STATES: Final[tuple[str, str, str, str]] = ("steady", "level", "slope", "outlier")
_KINDS: Final[tuple[ChangeKind, ChangeKind, ChangeKind]] = ("level", "slope", "outlier")

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class ChangePrior:
    """Prior probabilities of the four states and the noise each state adds.

    Noise is in units of the observation variance ``V``: the steady state lets the level
    and the slope drift by ``steady_level`` and ``steady_slope`` times ``V`` a period, a
    level step adds ``level_jump`` times ``V`` to the level, a slope change adds
    ``slope_jump`` times ``V`` to the slope, and an outlier adds ``outlier_scale`` times
    ``V`` to one observation. ``observation_variance`` ``None`` estimates ``V`` from the
    series itself (robustly, from the spread of its first differences).
    """

    steady: float = 0.94
    level: float = 0.02
    slope: float = 0.02
    outlier: float = 0.02
    observation_variance: float | None = None
    steady_level: float = 0.01
    steady_slope: float = 1e-4
    level_jump: float = 100.0
    slope_jump: float = 4.0
    outlier_scale: float = 100.0
    memory: int = 3

    def __post_init__(self) -> None:
        probabilities = (self.steady, self.level, self.slope, self.outlier)
        if any(p <= 0 for p in probabilities) or not math.isclose(sum(probabilities), 1.0):
            raise ValueError("state probabilities must be positive and sum to 1")
        if self.memory < 1:
            raise ValueError("memory must be at least 1")
        if self.observation_variance is not None and self.observation_variance <= 0:
            raise ValueError("observation_variance must be positive")

    @property
    def probabilities(self) -> FloatArray:
        return np.array([self.steady, self.level, self.slope, self.outlier])


DEFAULT_PRIOR: Final = ChangePrior()


@dataclass(frozen=True)
class ChangeAlert:
    """A change found at ``index`` of the series, of ``kind``, with its posterior."""

    index: int
    kind: ChangeKind
    probability: float


@dataclass(frozen=True)
class ChangeDetection:
    """Everything the detector computed on one series.

    ``filtered[t]`` is the posterior over the four states (order :data:`STATES`) given the
    observations up to ``t``; ``retrospective[t]`` the same given the observations up to
    ``t + memory`` (the last rows use what there is). ``level`` and ``slope`` are the filtered
    estimates of the underlying trend.
    """

    filtered: FloatArray
    retrospective: FloatArray
    level: FloatArray
    slope: FloatArray
    observation_variance: float
    alerts: tuple[ChangeAlert, ...] = field(default_factory=tuple)


def estimate_observation_variance(series: Sequence[float] | FloatArray) -> float:
    """Robust estimate of the observation variance from first differences.

    The median absolute deviation ignores the few large differences that steps and
    outliers cause; a difference of two noisy observations has twice their variance.
    """
    y = np.asarray(series, dtype=np.float64)
    spread = float(np.max(np.abs(y - np.median(y)))) if y.size else 0.0
    if spread == 0.0:
        return 1.0
    # Relative to the spread, not the values: the units and the origin of a series
    # must not matter.
    floor = (1e-9 * spread) ** 2
    if y.size < 3:
        return spread**2
    differences = np.diff(y)
    mad = float(np.median(np.abs(differences - np.median(differences))))
    return max(floor, (1.4826 * mad) ** 2 / 2.0)


_G: Final = np.array([[1.0, 1.0], [0.0, 1.0]])


def change_posteriors(
    series: Sequence[float] | FloatArray,
    *,
    prior: ChangePrior = DEFAULT_PRIOR,
    threshold: float = 0.5,
    warmup: int = 3,
) -> ChangeDetection:
    """Run the four-state filter over ``series`` and return the per-step posteriors.

    Alerts are raised where the retrospective probability of a change state is at least
    ``threshold`` (for a slope change: of a change within one step of that index);
    consecutive steps flagged for the same kind count as one change, placed where its
    probability peaks. The first ``warmup`` observations never alert: the filter
    has not yet learned the level and slope there.
    """
    y = np.asarray(series, dtype=np.float64)
    if y.ndim != 1:
        raise ValueError("series must be one-dimensional")
    if not np.all(np.isfinite(y)):
        raise ValueError("series must hold finite numbers")
    n = y.size
    filtered = np.zeros((n, 4))
    retrospective = np.zeros((n, 4))
    level = np.zeros(n)
    slope = np.zeros(n)
    variance = (
        prior.observation_variance
        if prior.observation_variance is not None
        else estimate_observation_variance(y)
    )
    if n == 0:
        return ChangeDetection(filtered, retrospective, level, slope, variance)
    # Work in standard units (origin at the first report, noise of variance 1), so that
    # the answer does not depend on the units of the series.
    origin, unit = float(y[0]), math.sqrt(variance)
    z = (y - origin) / unit

    log_prior = np.log(prior.probabilities)
    # Evolution noise (level, slope) and observation noise per state, in units of V.
    evolution = np.array(
        [
            [prior.steady_level, prior.steady_slope],
            [prior.level_jump, prior.steady_slope],
            [prior.steady_level, prior.slope_jump],
            [prior.steady_level, prior.steady_slope],
        ]
    )
    observation = np.array([1.0, 1.0, 1.0, 1.0 + prior.outlier_scale])
    evolution_cov = np.zeros((4, 2, 2))
    evolution_cov[:, 0, 0] = evolution[:, 0]
    evolution_cov[:, 1, 1] = evolution[:, 1]

    # Components are indexed by the states of the last ``memory`` steps, oldest first,
    # flattened: a state is judged ``memory`` observations after it happened (a step and
    # an outlier look alike when they occur, a bend in the trend takes longer to show).
    memory = prior.memory
    size = 4**memory
    means = np.tile(np.array([0.0, 0.0]), (size, 1))
    covariances = np.tile(np.eye(2), (size, 1, 1))
    log_weights = np.log(np.full(size, 1.0 / size))
    filtered[0] = prior.probabilities
    level[0], slope[0] = y[0], 0.0

    for t in range(1, n):
        # Predict every component c into every state j: shapes (c, j, ...).
        predicted_mean = means @ _G.T
        predicted_cov = np.einsum("ab,cbd,ed->cae", _G, covariances, _G)
        r = predicted_cov[:, None, :, :] + evolution_cov[None, :, :, :]
        q = r[..., 0, 0] + observation[None, :]
        error = z[t] - predicted_mean[:, None, 0]
        gain = r[..., :, 0] / q[..., None]
        new_mean = predicted_mean[:, None, :] + gain * error[..., None]
        new_cov = r - gain[..., :, None] * r[..., 0, None, :]
        log_likelihood = -0.5 * (np.log(2.0 * math.pi * q) + error**2 / q)
        log_joint = log_weights[:, None] + log_prior[None, :] + log_likelihood
        log_joint -= float(np.max(log_joint))
        joint = np.exp(log_joint)
        joint /= float(joint.sum())

        # joint is indexed by the states of steps t-memory .. t.
        history = joint.reshape((4,) * (memory + 1))
        for lag in range(1, min(memory, t) + 1):
            axis = memory - lag
            others = tuple(a for a in range(memory + 1) if a != axis)
            retrospective[t - lag] = history.sum(axis=others)
        # Collapse over the oldest state, keeping the last ``memory`` ones.
        keep = size // 4
        joint = joint.reshape(4, keep, 4)
        new_mean = new_mean.reshape(4, keep, 4, 2)
        new_cov = new_cov.reshape(4, keep, 4, 2, 2)
        weights = joint.sum(axis=0)  # (keep, 4)
        within = joint / np.maximum(weights[None, :, :], 1e-300)
        merged_mean = np.einsum("hcj,hcjk->cjk", within, new_mean)
        spread = new_mean - merged_mean[None, ...]
        merged_cov = np.einsum(
            "hcj,hcjab->cjab", within, new_cov + spread[..., :, None] * spread[..., None, :]
        )
        means = merged_mean.reshape(size, 2)
        covariances = merged_cov.reshape(size, 2, 2)
        log_weights = np.log(np.maximum(weights.reshape(size), 1e-300))
        filtered[t] = weights.sum(axis=0)
        level[t] = origin + unit * float(weights.reshape(size) @ means[:, 0])
        slope[t] = unit * float(weights.reshape(size) @ means[:, 1])

    # The last step has no later observation to judge it by.
    retrospective[n - 1] = filtered[n - 1]
    retrospective[: min(warmup, n)] = np.array([1.0, 0.0, 0.0, 0.0])
    alerts = _alerts(retrospective, threshold, warmup)
    return ChangeDetection(filtered, retrospective, level, slope, variance, alerts)


def _alerts(retrospective: FloatArray, threshold: float, warmup: int) -> tuple[ChangeAlert, ...]:
    found: list[ChangeAlert] = []
    n = retrospective.shape[0]
    for column, kind in enumerate(_KINDS, start=1):
        probabilities = retrospective[:, column]
        if kind == "slope":
            # When exactly a trend bent is uncertain by a step or so, which spreads its
            # probability over neighbouring steps: alert on the probability that the
            # slope changed within one step of t (the events are disjoint, so they add).
            probabilities = np.minimum(np.convolve(probabilities, np.ones(3), mode="same"), 1.0)
            probabilities[:warmup] = 0.0
        t = warmup
        while t < n:
            if probabilities[t] < threshold:
                t += 1
                continue
            end = t
            while end + 1 < n and probabilities[end + 1] >= threshold:
                end += 1
            peak = t + int(np.argmax(probabilities[t : end + 1]))
            found.append(ChangeAlert(peak, kind, float(probabilities[peak])))
            t = end + 1
    found.sort(key=lambda alert: (alert.index, alert.kind))
    return tuple(found)


def detect_changes(
    series: Sequence[float] | FloatArray,
    *,
    prior: ChangePrior = DEFAULT_PRIOR,
    threshold: float = 0.5,
) -> list[ChangeAlert]:
    """Flag level steps, slope changes and outliers in a reported output series."""
    return list(change_posteriors(series, prior=prior, threshold=threshold).alerts)


def monitor(
    reports: Mapping[str, Sequence[float]],
    *,
    prior: ChangePrior = DEFAULT_PRIOR,
    threshold: float = 0.5,
) -> dict[str, list[ChangeAlert]]:
    """Alerts for many workplaces at once: each series is judged on its own noise."""
    return {
        name: detect_changes(series, prior=prior, threshold=threshold)
        for name, series in reports.items()
    }
