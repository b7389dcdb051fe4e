"""Are attitudes and action distinct? Measure how interventions split between them.

PROTON-T (Weisburd et al. 2022) found that community work lowers radicalisation
(attitudes) but not recruitment, and that removing opportunity does the reverse.
This module measures, for attitude-focused and opportunity-focused arms, the
relative change in phase-1 prevalence (mean over the second half of the run)
and in cumulative entries into phase 3, against the baseline with common random
numbers (a comparison, :func:`experiments.compare.compare_arms`).

Run: ``radsim attitude-action [--replications 8] [--residents 5000]``; check 3 of
``radsim validate`` uses the same :func:`measure`.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from model.parameters import Parameters

from .compare import compare_arms
from .examples import example_path
from .scenario import Scenario, load_scenario

__all__ = ["ARMS", "relative_change", "measure", "attitude_action_markdown", "percent_with_ci"]

ARMS = [
    {"type": "key_figures", "arm": "key figures (attitude)", "start": 52, "intensity": 1.0,
     "government_visibility": 0.0, "target": {"share": 0.03}},
    {"type": "parent_support", "arm": "parent support (attitude)", "start": 52, "intensity": 1.0},
    {"type": "inclusion_policy", "arm": "inclusion policy (attitude)", "start": 52, "intensity": 0.3},
    {"type": "care_and_repression", "arm": "exit and arrests (opportunity)", "start": 52, "intensity": 1.0,
     "exit_programme": 1.0, "detection_rate": 0.05},
    {"type": "recruiter_disruption", "arm": "recruiter disruption (opportunity)", "start": 52, "intensity": 0.8},
]


def relative_change(arm: np.ndarray, base: np.ndarray, boot: int = 2000) -> tuple[float, float, float]:
    """``mean(arm) / mean(base) - 1`` and a 95% percentile bootstrap interval over paired replications.

    Replication k of both arms shares its seed (common random numbers), so the
    bootstrap resamples replications, not runs. The resampling uses a fixed seed:
    it is part of the analysis, and the same results give the same interval.
    """
    arm, base = np.asarray(arm, float), np.asarray(base, float)
    if base.mean() <= 0:
        return math.nan, math.nan, math.nan
    idx = np.random.default_rng(0).integers(0, arm.size, (boot, arm.size))
    b = base[idx].mean(axis=1)
    ratios = np.divide(arm[idx].mean(axis=1), b, out=np.full(boot, np.nan), where=b > 0) - 1.0
    lo, hi = np.nanpercentile(ratios, [2.5, 97.5]) if arm.size > 1 else (math.nan, math.nan)
    return float(arm.mean() / base.mean() - 1.0), float(lo), float(hi)


PLACE = "high_breeding_ground.toml"
"""The scenario whose place the arms are compared in: at the fitted (national) defaults a town of 5,000 has almost
never a resident in action, so the split between attitudes and action can only be measured where residents act."""


def measure(replications: int = 8, n_residents: int = 5000, steps: int = 520, discrimination: float = 0.35,
            seed: int = 1, workers: int | None = None, progress: Callable[[int, int], None] | None = None):
    """One dict per arm, and the baseline's mean phase-1 prevalence and phase-3 entries.

    Each row has the relative change of phase-1 prevalence (mean over the second
    half of the run) and of cumulative entries into phase 3, each with a 95%
    bootstrap interval (``change_phase_1``, ``phase_1_low``, ``phase_1_high``, and
    the same for ``phase_3_entries``), and ``changes``: which of the two changes
    more. Replication ``k`` of every arm runs with ``replication_seed(seed, k)``;
    ``progress`` goes to ``compare_arms``.
    """
    sc = Scenario(name="attitudes and action", steps=steps, seed=seed,
                  parameters=Parameters(**{**load_scenario(example_path(PLACE)).given_parameters(),
                                           "n_residents": n_residents, "societal_discrimination": discrimination}),
                  interventions=ARMS)
    res = compare_arms(sc, replications=replications, workers=workers, progress=progress)
    tr = res.trajectories
    late = tr[tr.step >= steps // 2].groupby(["arm", "replication"])["phase_1"].mean().unstack("replication")
    entries = res.outcomes.pivot(index="arm", columns="replication", values="entered_phase_3")
    rows = []
    for arm in res.arms[1:]:
        d1 = relative_change(late.loc[arm], late.loc["baseline"])
        d3 = relative_change(entries.loc[arm], entries.loc["baseline"])
        rows.append({"arm": arm, "change_phase_1": d1[0], "phase_1_low": d1[1], "phase_1_high": d1[2],
                     "change_phase_3_entries": d3[0], "phase_3_entries_low": d3[1], "phase_3_entries_high": d3[2],
                     "changes": "attitudes more" if abs(d1[0]) > abs(d3[0]) else "action more"})
    return rows, float(late.loc["baseline"].mean()), float(entries.loc["baseline"].mean())


def attitude_action_markdown(rows: list[dict], phase_1: float, phase_3_entries: float, replications: int,
                             discrimination: float = 0.35) -> str:
    """The result of :func:`measure` as a Markdown table, after a line on the baseline."""
    lines = [f"Baseline (the neighbourhood of {PLACE} at societal discrimination {discrimination}, {replications} "
             "replications): phase 1 "
             f"{phase_1:.1f}, entries into phase 3 {phase_3_entries:.1f}", "",
             "| arm | change in phase-1 prevalence (95% CI) | change in phase-3 entries (95% CI) | changes |",
             "|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['arm']} | {percent_with_ci(r, 'phase_1', 'change_phase_1')} | "
                     f"{percent_with_ci(r, 'phase_3_entries', 'change_phase_3_entries')} | {r['changes']} |")
    return "\n".join(lines)


def percent_with_ci(row: dict, prefix: str, key: str) -> str:
    """``+12% (+3% to +20%)`` for a row of :func:`measure`."""
    return f"{100 * row[key]:+.0f}% ({100 * row[prefix + '_low']:+.0f}% to {100 * row[prefix + '_high']:+.0f}%)"
