"""Bounded responses (ODD §7.4): no shock tips the town.

With the default parameters plus any one example intervention at full intensity,
or three attacks within 30 weeks, no background's share of residents in phase >= 1
may exceed 40%, nor rise above three times its baseline.

``radsim bounded [--replications 3] [--residents 5000] [--steps 520]`` prints, for
every shock, each background's peak share in phase >= 1 (the largest 13-week
running mean, over replications, across the weeks from the shock's start to the
end; the running mean keeps week-to-week noise in a background of a few hundred
residents from passing for a rise), and that peak as a multiple of the baseline's
mean share over the same weeks. Replication ``k``
uses :func:`experiments.seeds.replication_seed` ``(seed, k)`` in every arm
(common random numbers).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from model import RadicalisationModel

from .examples import examples
from .scenario import load_scenario
from .seeds import replication_seed

__all__ = ["SHOCK_START", "THREE_ATTACKS", "shocks", "bounded_responses", "bounded_markdown",
           "MAX_SHARE", "MAX_RATIO"]

MAX_SHARE = 0.40
"""Largest allowed share of a background in phase >= 1."""
MAX_RATIO = 3.0
"""Largest allowed multiple of the baseline share."""
SMOOTHING_WEEKS = 13
"""Width of the running mean before taking the peak."""
SHOCK_START = 104
"""Week in which every shock starts (after a two-year burn-in)."""
THREE_ATTACKS = [SHOCK_START, SHOCK_START + 15, SHOCK_START + 30]


def shocks() -> dict[str, dict]:
    """Every shock: three attacks within 30 weeks, and each intervention type of the example comparisons,
    at full intensity from :data:`SHOCK_START` on, without the examples' own attacks."""
    out: dict[str, dict] = {"three attacks within 30 weeks": {"attack_weeks": THREE_ATTACKS}}
    for path in examples("comparisons"):
        if path.stem == "combined":          # a package of several, not one intervention
            continue
        interventions = []
        for iv in load_scenario(path).interventions:
            spec = iv.model_dump(exclude_unset=True, exclude={"arm"})
            spec.update(intensity=1.0, start=SHOCK_START)
            interventions.append(spec)
        out[path.stem] = {"interventions": interventions}
    return out


def _shares(kw: dict, seed: int, n_residents: int, steps: int) -> np.ndarray:
    """Per week from SHOCK_START on, per background: share of residents in phase >= 1."""
    m = RadicalisationModel(n_residents=n_residents, rng=seed, collect=False, **kw)
    bg = m.town.background
    sizes = np.bincount(bg)
    rows = []
    for week in range(steps):
        m.step()
        if week >= SHOCK_START:
            rows.append(np.bincount(bg, weights=m.state.phase >= 1, minlength=sizes.size) / np.maximum(sizes, 1))
    return np.array(rows)


def bounded_responses(replications: int = 3, n_residents: int = 5000, steps: int = 520, seed: int = 1,
                      only: list[str] | None = None,
                      progress: Callable[[int, int], None] | None = None) -> pd.DataFrame:
    """One row per shock and background: ``peak_share``, ``baseline_share``, ``ratio`` (peak / baseline)."""
    arms = {"baseline": {}, **{k: v for k, v in shocks().items() if only is None or k in only}}
    seeds = [replication_seed(seed, k) for k in range(replications)]
    total, done = len(arms) * replications, 0
    mean_shares = {}
    for arm, kw in arms.items():
        runs = []
        for s in seeds:
            runs.append(_shares(kw, s, n_residents, steps))
            done += 1
            if progress:
                progress(done, total)
        mean_shares[arm] = np.mean(runs, axis=0)          # weeks x backgrounds
    base = mean_shares.pop("baseline").mean(axis=0)
    rows = []
    for arm, shares in mean_shares.items():
        peak = pd.DataFrame(shares).rolling(SMOOTHING_WEEKS).mean().max(axis=0).to_numpy()
        for b in range(peak.size):
            rows.append({"shock": arm, "background": b, "peak_share": float(peak[b]),
                         "baseline_share": float(base[b]),
                         "ratio": float(peak[b] / base[b]) if base[b] > 0 else float("inf")})
    return pd.DataFrame(rows)


def bounded_markdown(df: pd.DataFrame) -> str:
    """The result as a Markdown table (peak share in phase >= 1 and its multiple of the baseline, per background)."""
    backgrounds = sorted(df.background.unique())
    head = " | ".join(f"background {b}" for b in backgrounds)
    lines = [f"| shock | {head} |", "|---" * (len(backgrounds) + 1) + "|"]
    for shock, group in df.groupby("shock", sort=False):
        cells = [f"{100 * r.peak_share:.1f}% ({r.ratio:.1f}×)" for r in group.sort_values("background").itertuples()]
        lines.append(f"| {shock} | " + " | ".join(cells) + " |")
    base = df.drop_duplicates("background").sort_values("background")
    lines.append("| baseline (mean share) | " + " | ".join(f"{100 * v:.1f}%" for v in base.baseline_share) + " |")
    return "\n".join(lines)

