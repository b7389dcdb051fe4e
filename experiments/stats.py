"""The one mean-and-confidence-interval helper of experiments and the dashboard."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

__all__ = ["mean_ci", "t_half_width"]


def t_half_width(sd: float, n: int, level: float = 0.95) -> float:
    """Half-width of the t-interval of a mean of ``n`` values with standard deviation ``sd`` (nan if n < 2)."""
    from scipy import stats

    if n < 2:
        return math.nan
    return float(stats.t.ppf(0.5 + level / 2, n - 1) * sd / math.sqrt(n))


def mean_ci(values: Iterable[float], level: float = 0.95) -> tuple[float, float, float]:
    """``(mean, low, high)``: the mean of the finite ``values`` and its t-interval at ``level``.

    Non-finite values (nan, inf) are left out. With one value the interval is
    ``(nan, nan)``, with none the mean is nan too. A constant sample has a
    zero-width interval.
    """
    v = np.asarray(list(values) if not isinstance(values, np.ndarray) else values, dtype=float).ravel()
    v = v[np.isfinite(v)]
    if v.size == 0:
        return math.nan, math.nan, math.nan
    mean = float(v.mean())
    half = t_half_width(float(v.std(ddof=1)) if v.size > 1 else math.nan, v.size, level)
    return mean, mean - half, mean + half
