"""Is the difference more than chance? Replications of both towns with common random numbers.

One run of two towns is one draw of chance. :func:`replicate` runs the what-if the
room built (the scenario file the dashboard saves, :mod:`dashboard.scenario_file`)
with ``radsim compare``'s own function (:func:`experiments.compare.compare_arms`):
every replication has its own seed, the same in both towns, so their difference is
paired. It returns the mean difference per phase, week by week, with its 95%
t-interval: a band that tells a room whether the line of one run is signal or noise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from experiments.compare import compare_arms
from experiments.scenario import Scenario
from scipy import stats

__all__ = ["NoiseBand", "replicate", "REPLICATIONS"]

REPLICATIONS = 10


@dataclass(frozen=True)
class NoiseBand:
    """Mean difference (with interventions minus as is) per phase and week, with a 95% band."""

    weeks: list[int]
    mean: dict[int, list[float]]
    low: dict[int, list[float]]
    high: dict[int, list[float]]
    replications: int
    key: str
    """What these replications ran (``Session.scenario_key``): the band is stale once the settings differ."""


def replicate(scenario: Scenario, key: str, replications: int = REPLICATIONS,
              progress: Callable[[int, int], None] | None = None) -> NoiseBand:
    """Run the baseline and the what-if arm of ``scenario`` ``replications`` times in this process."""
    result = compare_arms(scenario, replications=replications, workers=1, progress=progress)
    tr = result.trajectories
    arms = result.arms
    what_if = next(a for a in arms if a != "baseline") if len(arms) > 1 else "baseline"
    base = tr[tr.arm == "baseline"].sort_values(["replication", "step"])
    other = tr[tr.arm == what_if].sort_values(["replication", "step"])
    weeks = sorted(base.step.unique().tolist())
    mean, low, high = {}, {}, {}
    for k in (1, 2, 3):
        diff = (other[f"phase_{k}"].to_numpy(float) - base[f"phase_{k}"].to_numpy(float)).reshape(replications, -1)
        m = diff.mean(axis=0)
        half = (stats.t.ppf(0.975, replications - 1) * diff.std(axis=0, ddof=1) / np.sqrt(replications)
                if replications > 1 else np.zeros_like(m))
        mean[k], low[k], high[k] = m.tolist(), (m - half).tolist(), (m + half).tolist()
    return NoiseBand(weeks, mean, low, high, replications, key)
