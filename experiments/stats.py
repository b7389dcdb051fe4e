"""The interval helpers of experiments and the dashboard: one place for every mean, interval and ratio.

- :func:`mean_ci`: the mean and its t-interval (means of state variables, shares, cost).
- :func:`bootstrap_ci`: the mean and its percentile bootstrap interval (counts of residents: the interval stays
  inside the range of the data, so it never goes below zero, and a count that is 0 in every replication has
  the interval [0, 0]).
- :func:`interval`: the one of the two that radsim reports for an outcome (:func:`is_count` decides).
- :func:`ratio_ci`: a ratio of two means (cost per averted entry) with a paired percentile bootstrap interval.

The bootstrap resamples replications (axis 0) with ``scipy.stats.bootstrap``; its numpy Generator is seeded from
``seed`` afresh on every call, so the same data give the same interval, and every outcome of a comparison is
resampled with the same replications.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

__all__ = ["mean_ci", "t_half_width", "bootstrap_ci", "interval", "ratio_ci", "is_count", "INTERVAL_NAMES",
           "RESAMPLES"]

RESAMPLES = 9999
"""Bootstrap resamples of an interval in a report."""
INTERVAL_NAMES = {True: "percentile bootstrap", False: "t"}
"""The name of the interval :func:`interval` uses for counts (True) and other outcomes (False)."""


def t_half_width(sd, n: int, level: float = 0.95):
    """Half-width of the t-interval of a mean of ``n`` values with standard deviation ``sd`` (nan if n < 2).

    ``sd`` may be an array (one standard deviation per column); the result then is an array too.
    """
    from scipy import stats

    if n < 2:
        return math.nan if np.ndim(sd) == 0 else np.full(np.shape(sd), math.nan)
    half = stats.t.ppf(0.5 + level / 2, n - 1) * np.asarray(sd, dtype=float) / math.sqrt(n)
    return float(half) if half.ndim == 0 else half


def _finite(values: Iterable[float]) -> np.ndarray:
    v = np.asarray(list(values) if not isinstance(values, np.ndarray | pd.Series) else values, dtype=float)
    return v[np.isfinite(v)] if v.ndim <= 1 else v


def mean_ci(values: Iterable[float], level: float = 0.95) -> tuple[float, float, float]:
    """``(mean, low, high)``: the mean of the finite ``values`` and its t-interval at ``level``.

    Non-finite values (nan, inf) are left out. With one value the interval is
    ``(nan, nan)``, with none the mean is nan too. A constant sample has a
    zero-width interval.
    """
    v = _finite(values).ravel()
    if v.size == 0:
        return math.nan, math.nan, math.nan
    mean = float(v.mean())
    half = t_half_width(float(v.std(ddof=1)) if v.size > 1 else math.nan, v.size, level)
    return mean, mean - half, mean + half


def bootstrap_ci(values, seed: int, level: float = 0.95, resamples: int = RESAMPLES):
    """``(mean, low, high)``: the mean over axis 0 (replications) and its percentile bootstrap interval.

    ``values`` is one value per replication (a 1-d sequence; non-finite values are left out) or a 2-d array
    with one row per replication (one interval per column, e.g. per week). The interval lies within the
    range of the data. Fewer than two replications give ``(mean, nan, nan)``.
    """
    from scipy import stats

    v = _finite(values)
    scalar = v.ndim == 1
    n = v.shape[0]
    if n == 0:
        return math.nan, math.nan, math.nan
    mean = v.mean(axis=0)
    if n < 2:
        low = high = np.full(np.shape(mean), math.nan)
    else:
        res = stats.bootstrap((v,), np.mean, axis=0, vectorized=True, method="percentile", confidence_level=level,
                              n_resamples=resamples, batch=max(1, 2_000_000 // v.size),
                              rng=np.random.default_rng(seed))
        low, high = res.confidence_interval
    if scalar:
        return float(mean), float(low), float(high)
    return mean, np.asarray(low), np.asarray(high)


def is_count(values) -> bool:
    """Whether an outcome counts residents: its values are integers (the model reports counts as integers)."""
    return pd.api.types.is_integer_dtype(np.asarray(values).dtype)


def interval(values, count: bool, seed: int, level: float = 0.95, resamples: int = RESAMPLES):
    """``(mean, low, high)`` over axis 0: a percentile bootstrap interval if ``count``, else the t-interval."""
    if count:
        return bootstrap_ci(values, seed, level, resamples)
    v = np.asarray(values, dtype=float)
    if v.ndim <= 1:
        return mean_ci(v, level)
    mean = v.mean(axis=0)
    half = t_half_width(v.std(axis=0, ddof=1) if v.shape[0] > 1 else np.full(v.shape[1:], math.nan),
                        v.shape[0], level)
    return mean, mean - half, mean + half


def ratio_ci(numerator, denominator, seed: int, level: float = 0.95,
             resamples: int = RESAMPLES) -> tuple[float, float, float]:
    """``(ratio, low, high)``: ``mean(numerator) / mean(denominator)`` with a paired percentile bootstrap interval.

    The two are paired by replication (entry ``k`` of both belongs to replication ``k``) and resampled together.
    A ratio whose denominator's mean is 0 or less (nothing averted) is infinite, so if more than
    ``(1 - level) / 2`` of the resamples avert nothing, ``high`` is ``inf``: the interval is unbounded. The
    ratio itself is nan when the denominator's mean is 0 or less.
    """
    from scipy import stats

    num, den = np.asarray(numerator, dtype=float), np.asarray(denominator, dtype=float)

    def ratio(a, b, axis=-1):
        m = b.mean(axis=axis)
        return np.where(m > 0, a.mean(axis=axis) / np.where(m > 0, m, 1.0), np.inf)

    estimate = float(ratio(num, den)) if den.mean() > 0 else math.nan
    if num.size < 2:
        return estimate, math.nan, math.nan
    with np.errstate(invalid="ignore"):          # the standard error of a distribution with inf in it
        res = stats.bootstrap((num, den), ratio, paired=True, vectorized=True, method="percentile",
                              confidence_level=level, n_resamples=resamples, rng=np.random.default_rng(seed))
    low, high = res.confidence_interval
    return estimate, float(low), float(high)
