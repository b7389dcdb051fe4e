"""Compare intervention arms against the baseline with common random numbers.

Every arm runs the same replications: replication ``k`` uses seed
``scenario.seed + k`` in every arm, so arms share the town, the initial state and
the residents' random numbers (interventions draw from their own stream). The
differences against the baseline are therefore paired, and their confidence
intervals are narrow.
"""

from __future__ import annotations

import math
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from model import RadicalisationModel

from .scenario import Scenario

__all__ = ["ComparisonResult", "compare_arms", "OUTCOMES", "write_comparison"]

OUTCOMES: dict[str, str] = {
    "phase_1": "residents in phase 1 at the end",
    "phase_2": "residents in phase 2 at the end",
    "phase_3": "residents in phase 3 at the end",
    "entered_phase_2": "entries into phase 2 (cumulative)",
    "entered_phase_3": "entries into phase 3 (cumulative)",
    "mean_prejudice": "mean prejudice at the end",
    "mean_trust": "mean institutional trust at the end",
    "polarisation": "polarisation index at the end",
    "cost": "cost (abstract units, cumulative)",
}
TRAJECTORIES = ("phase_1", "phase_2", "phase_3", "mean_prejudice_majority", "mean_trust", "polarisation")


def _run_one(task: tuple[Scenario, str, list, int]) -> tuple[str, int, dict, pd.DataFrame]:
    scenario, arm, interventions, rep = task
    m = RadicalisationModel.from_parameters(scenario.parameters, rng=scenario.seed + rep, interventions=interventions)
    m.run_for(scenario.steps)
    ts = m.timeseries()
    final = ts.iloc[-1]
    outcome = {k: float(final[k]) for k in OUTCOMES}
    return arm, rep, outcome, ts[["step", *TRAJECTORIES]].assign(arm=arm, replication=rep)


def _ci(values: np.ndarray) -> tuple[float, float, float]:
    """Mean and 95% t-interval."""
    from scipy import stats

    values = np.asarray(values, dtype=float)
    mean = float(values.mean())
    if values.size < 2:
        return mean, math.nan, math.nan
    half = float(stats.t.ppf(0.975, values.size - 1) * values.std(ddof=1) / math.sqrt(values.size))
    return mean, mean - half, mean + half


@dataclass
class ComparisonResult:
    """Per-replication outcomes and trajectories of every arm."""

    scenario: Scenario
    outcomes: pd.DataFrame       # one row per (arm, replication)
    trajectories: pd.DataFrame   # one row per (arm, replication, step)

    @property
    def arms(self) -> list[str]:
        return list(dict.fromkeys(self.outcomes["arm"]))

    def table(self) -> pd.DataFrame:
        """Long table: arm, outcome, mean, 95% CI, and the paired difference to the baseline."""
        rows = []
        base = self.outcomes[self.outcomes.arm == "baseline"].set_index("replication")
        for arm in self.arms:
            df = self.outcomes[self.outcomes.arm == arm].set_index("replication")
            for name in OUTCOMES:
                mean, lo, hi = _ci(df[name].to_numpy())
                diff = df[name] - base[name].reindex(df.index)
                dm, dlo, dhi = _ci(diff.to_numpy())
                rows.append({"arm": arm, "outcome": name, "mean": mean, "ci_low": lo, "ci_high": hi,
                             "difference": dm, "difference_ci_low": dlo, "difference_ci_high": dhi,
                             "replications": len(df)})
            averted = float((base["entered_phase_2"] - df["entered_phase_2"].reindex(base.index)).mean())
            extra = float((df["cost"] - base["cost"].reindex(df.index)).mean())
            rows.append({"arm": arm, "outcome": "cost_per_averted_phase_2_entry",
                         "mean": extra / averted if averted > 0 else math.nan,
                         "ci_low": math.nan, "ci_high": math.nan, "difference": math.nan,
                         "difference_ci_low": math.nan, "difference_ci_high": math.nan, "replications": len(df)})
        return pd.DataFrame(rows)

    def markdown(self) -> str:
        """Wide Markdown table: one row per arm, mean [95% CI] per outcome."""
        t = self.table()
        cols = [*OUTCOMES, "cost_per_averted_phase_2_entry"]
        head = "| arm | " + " | ".join(c.replace("_", " ") for c in cols) + " |"
        lines = [head, "|" + "---|" * (len(cols) + 1)]
        for arm in self.arms:
            cells = []
            for c in cols:
                r = t[(t.arm == arm) & (t.outcome == c)].iloc[0]
                if c == "cost_per_averted_phase_2_entry":
                    cells.append("-" if arm == "baseline" else ("none averted" if math.isnan(r["mean"]) else f"{r['mean']:,.0f}"))
                    continue
                fmt = "{:,.1f}" if abs(r["mean"]) >= 10 or c.startswith(("phase", "entered", "cost")) else "{:.3f}"
                ci = "" if math.isnan(r["ci_low"]) else f" [{fmt.format(r['ci_low'])}, {fmt.format(r['ci_high'])}]"
                cells.append(fmt.format(r["mean"]) + ci)
            lines.append(f"| {arm} | " + " | ".join(cells) + " |")
        return "\n".join(lines)


def compare_arms(scenario: Scenario, replications: int = 10, workers: int | None = None,
                 progress: Callable[[int, int], None] | None = None) -> ComparisonResult:
    """Run every arm of ``scenario`` for ``replications`` seeds (common random numbers).

    ``workers`` processes run in parallel (default: CPU count); results do not
    depend on it. ``progress(done, total)`` is called after each run.
    """
    arms = scenario.arms()
    tasks = [(scenario, arm, ivs, rep) for rep in range(replications) for arm, ivs in arms.items()]
    workers = max(1, min(workers or os.cpu_count() or 1, len(tasks)))
    results = []
    if workers == 1:
        for k, task in enumerate(tasks):
            results.append(_run_one(task))
            if progress:
                progress(k + 1, len(tasks))
    else:
        # spawn, not fork: a forked child of a process that already ran numba's threaded kernels can abort
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            for k, res in enumerate(pool.map(_run_one, tasks)):
                results.append(res)
                if progress:
                    progress(k + 1, len(tasks))
    outcomes = pd.DataFrame([{"arm": arm, "replication": rep, "seed": scenario.seed + rep, **out}
                             for arm, rep, out, _ in results])
    order = {a: i for i, a in enumerate(arms)}
    outcomes = outcomes.sort_values(["arm", "replication"], key=lambda s: s.map(order) if s.name == "arm" else s)
    trajectories = pd.concat([ts for *_, ts in results], ignore_index=True)
    return ComparisonResult(scenario, outcomes.reset_index(drop=True), trajectories)


def plot_comparison(result: ComparisonResult, path: str | Path) -> Path:
    """Trajectories of every arm: mean over replications with a 95% band."""
    import matplotlib.pyplot as plt

    from .plots import use_agg

    use_agg()

    panels = [("phase_1", "residents in phase 1"), ("phase_2", "residents in phase 2"),
              ("phase_3", "residents in phase 3"), ("mean_prejudice_majority", "mean prejudice (majority)"),
              ("mean_trust", "mean institutional trust"), ("polarisation", "polarisation index")]
    fig, axes = plt.subplots(2, 3, figsize=(15, 8), sharex=True)
    colours = plt.get_cmap("tab10")
    tr = result.trajectories
    for k, arm in enumerate(result.arms):
        sub = tr[tr.arm == arm]
        g = sub.groupby("step")
        for ax, (col, label) in zip(axes.ravel(), panels):
            mean = g[col].mean()
            n = g[col].count()
            half = 1.96 * g[col].std(ddof=1).fillna(0.0) / np.sqrt(n)
            ax.plot(mean.index, mean.values, color=colours(k % 10), lw=1.8, label=arm)
            ax.fill_between(mean.index, (mean - half).values, (mean + half).values, color=colours(k % 10), alpha=0.18)
            ax.set_title(label)
            ax.grid(alpha=0.3)
    for ax in axes[1]:
        ax.set_xlabel("week")
    axes[0, 0].legend(frameon=False, fontsize=8)
    reps = int(result.outcomes.replication.nunique())
    fig.suptitle(f"{result.scenario.name}: mean of {reps} replications with 95% band (common random numbers)")
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def write_comparison(result: ComparisonResult, out: str | Path) -> Path:
    """Write ``comparison.csv``, ``comparison.md``, ``runs.csv`` and ``trajectories.png`` into ``out`` (all or nothing)."""
    from .runner import atomic_outputs

    with atomic_outputs(out) as tmp:
        result.table().to_csv(tmp / "comparison.csv", index=False)
        reps = int(result.outcomes.replication.nunique())
        header = (f"# {result.scenario.name}\n\n{result.scenario.description}\n\n"
                  f"{result.scenario.parameters.n_residents:,} residents, {result.scenario.steps} weeks, "
                  f"{reps} replications (seeds {result.scenario.seed} to {result.scenario.seed + reps - 1}, "
                  "common random numbers). Mean [95% CI].\n\n")
        (tmp / "comparison.md").write_text(header + result.markdown() + "\n", encoding="utf-8")
        result.outcomes.to_csv(tmp / "runs.csv", index=False)
        plot_comparison(result, tmp / "trajectories.png")
    return Path(out)
