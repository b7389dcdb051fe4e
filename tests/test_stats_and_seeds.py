"""The one mean-and-CI helper and the one seed scheme of experiments/."""

import math

import numpy as np
import pytest
from scipy import stats

from experiments.seeds import replication_seed, replication_seeds
from experiments.stats import mean_ci


def test_mean_ci_is_the_t_interval():
    x = np.array([3.0, 5.0, 4.0, 8.0, 6.0])
    mean, low, high = mean_ci(x)
    lo, hi = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
    assert mean == x.mean() and low == pytest.approx(lo) and high == pytest.approx(hi)
    _, low90, high90 = mean_ci(x, level=0.9)
    assert low < low90 < mean < high90 < high


def test_mean_ci_small_constant_and_non_finite_samples():
    assert mean_ci([2.0, 2.0, 2.0]) == (2.0, 2.0, 2.0)
    m, lo, hi = mean_ci([4.0])
    assert m == 4.0 and math.isnan(lo) and math.isnan(hi)
    assert all(math.isnan(v) for v in mean_ci([]))
    assert mean_ci([1.0, np.nan, 3.0, np.inf])[0] == 2.0          # non-finite values are left out


def test_replication_seeds_are_the_sweep_scheme_and_never_overlap():
    # the seeds of tests/golden/sweep16_results.csv (sweep seed 7) and compare_combined_runs.csv (seed 1)
    assert replication_seed(7, 0) == 7696923348926885464
    assert replication_seeds(1, 3) == [7434755675892716031, 77803131892610477, 6306526848564946091]
    seeds = {replication_seed(base, k) for base in range(20) for k in range(50)}
    assert len(seeds) == 1000 and all(0 <= s < 2**63 for s in seeds)   # unlike base + k
