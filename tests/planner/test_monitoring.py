"""Tests of the Harrison–Stevens change detector on planted changes."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collegium.planner.monitoring import (
    STATES,
    ChangePrior,
    change_posteriors,
    detect_changes,
    estimate_observation_variance,
)


def noisy(seed: int, n: int = 80, level: float = 100.0) -> np.ndarray:
    return level + np.random.default_rng(seed).normal(0.0, 1.0, n)


def test_level_shift_found_at_its_index() -> None:
    series = noisy(3)
    series[40:] += 8.0
    alerts = detect_changes(series)
    assert [(a.index, a.kind) for a in alerts] == [(40, "level")]
    assert alerts[0].probability > 0.9


@pytest.mark.parametrize("seed", range(10))
def test_steady_noisy_series_raises_nothing(seed: int) -> None:
    assert detect_changes(noisy(seed)) == []


def test_steady_trend_is_not_a_change() -> None:
    rng = np.random.default_rng(5)
    series = 50.0 + 0.5 * np.arange(80) + rng.normal(0.0, 1.0, 80)
    assert detect_changes(series) == []


def test_outlier_is_told_apart_from_a_step() -> None:
    series = noisy(4)
    series[25] += 8.0
    alerts = detect_changes(series)
    assert [(a.index, a.kind) for a in alerts] == [(25, "outlier")]
    assert alerts[0].probability > 0.9


@pytest.mark.parametrize("seed", range(5))
def test_slope_change_flagged_at_the_bend(seed: int) -> None:
    series = noisy(seed)
    series[40:] += 3.0 * np.arange(40)
    alerts = detect_changes(series)
    slopes = [a for a in alerts if a.kind == "slope"]
    assert [a.index for a in slopes] == [40]
    assert slopes[0].probability > 0.5
    assert not [a for a in alerts if a.index < 40]


def test_posteriors_are_distributions() -> None:
    series = noisy(7, n=30)
    series[15:] -= 10.0
    detection = change_posteriors(series)
    assert detection.filtered.shape == (30, len(STATES))
    np.testing.assert_allclose(detection.filtered.sum(axis=1), 1.0)
    np.testing.assert_allclose(detection.retrospective.sum(axis=1), 1.0)
    # After the drop the level estimate follows the data.
    assert abs(detection.level[-1] - 90.0) < 2.0


def test_shift_detected_at_any_scale() -> None:
    series = noisy(3) * 1000.0
    series[40:] += 8000.0
    assert [(a.index, a.kind) for a in detect_changes(series)] == [(40, "level")]


def test_known_variance_and_short_series() -> None:
    assert detect_changes([]) == []
    assert detect_changes([5.0]) == []
    assert estimate_observation_variance([1.0, 1.0, 1.0, 1.0]) > 0
    prior = ChangePrior(observation_variance=1.0)
    series = noisy(3)
    series[40:] += 8.0
    alerts = detect_changes(series, prior=prior, threshold=0.9)
    assert [(a.index, a.kind) for a in alerts] == [(40, "level")]


def test_bad_prior_refused() -> None:
    with pytest.raises(ValueError, match="sum to 1"):
        ChangePrior(steady=0.5)
    with pytest.raises(ValueError, match="finite"):
        detect_changes([1.0, float("nan")])


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    scale=st.floats(1e-3, 1e4),
    shift=st.floats(-1e6, 1e6),
    step=st.sampled_from([0.0, 8.0, -8.0]),
)
def test_alerts_do_not_depend_on_units(seed: int, scale: float, shift: float, step: float) -> None:
    series = noisy(seed, n=50)
    series[25:] += step
    base = detect_changes(series)
    moved = detect_changes(series * scale + shift)
    assert [(a.index, a.kind) for a in moved] == [(a.index, a.kind) for a in base]
    for a, b in zip(moved, base, strict=True):
        assert a.probability == pytest.approx(b.probability, abs=1e-6)


def test_monitor_judges_each_workplace_on_its_own_noise() -> None:
    from collegium.planner.monitoring import monitor

    quiet = noisy(3) * 0.01 + 50.0
    quiet[40:] += 0.08  # eight of its own standard deviations
    loud = noisy(4) * 10.0
    alerts = monitor({"bakery": quiet, "foundry": loud})
    assert [(a.index, a.kind) for a in alerts["bakery"]] == [(40, "level")]
    assert alerts["foundry"] == []
