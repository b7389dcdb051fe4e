"""Compare intervention arms against the baseline with common random numbers.

Every arm runs the same replications: replication ``k`` uses the seed
:func:`experiments.seeds.replication_seed` ``(scenario.seed, k)`` in every arm, so
arms share the town, the initial state and the residents' random numbers
(interventions draw from their own stream). The differences against the baseline
are therefore paired, and their confidence intervals (t-intervals,
:func:`experiments.stats.mean_ci`) are narrow. The outcomes of a run are its
:meth:`~model.RadicalisationModel.outcomes` at the end.
"""

from __future__ import annotations

import json
import math
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from model import RadicalisationModel
from model.metrics import OUTCOME_COLUMNS

from .provenance import provenance_record
from .runner import atomic_outputs
from .scenario import Scenario
from .seeds import replication_seed
from .stats import mean_ci, t_half_width

__all__ = ["ComparisonResult", "compare_arms", "OUTCOMES", "HEADLINE", "write_comparison"]

OUTCOMES: tuple[str, ...] = OUTCOME_COLUMNS
"""Every outcome of a run (:meth:`model.RadicalisationModel.outcomes`), compared at the end of the run."""
HEADLINE: dict[str, str] = {
    "phase_1": "phase 1", "phase_2": "phase 2", "phase_3": "phase 3", "entered_phase_2": "entered phase 2",
    "entered_phase_3": "entered phase 3", "mean_prejudice": "mean prejudice", "mean_trust": "mean trust",
    "polarisation": "polarisation", "cost": "cost",
}
"""The outcomes shown in ``comparison.md`` and on the console, with their short labels."""
TRAJECTORIES = ("phase_1", "phase_2", "phase_3", "mean_prejudice_majority", "mean_trust", "polarisation")


def _run_one(task: tuple[Scenario, str, list, int]) -> tuple[str, int, dict, pd.DataFrame]:
    scenario, arm, interventions, rep = task
    m = RadicalisationModel.from_parameters(scenario.parameters, rng=replication_seed(scenario.seed, rep),
                                            interventions=interventions)
    m.run_for(scenario.steps)
    final = m.outcomes()
    outcome = {k: float(final[k]) for k in OUTCOMES}
    return arm, rep, outcome, m.timeseries()[["step", *TRAJECTORIES]].assign(arm=arm, replication=rep)


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
                mean, lo, hi = mean_ci(df[name].to_numpy())
                diff = df[name] - base[name].reindex(df.index)
                dm, dlo, dhi = mean_ci(diff.to_numpy())
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
        """Wide Markdown table: one row per arm, mean [95% CI] per headline outcome (:data:`HEADLINE`)."""
        t = self.table()
        cols = [*HEADLINE, "cost_per_averted_phase_2_entry"]
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
    outcomes = pd.DataFrame([{"arm": arm, "replication": rep, "seed": replication_seed(scenario.seed, rep), **out}
                             for arm, rep, out, _ in results])
    order = {a: i for i, a in enumerate(arms)}
    outcomes = outcomes.sort_values(["arm", "replication"], key=lambda s: s.map(order) if s.name == "arm" else s)
    trajectories = pd.concat([ts for *_, ts in results], ignore_index=True)
    return ComparisonResult(scenario, outcomes.reset_index(drop=True), trajectories)


def plot_comparison(result: ComparisonResult, path: str | Path) -> Path:
    """Trajectories of every arm: mean over replications with a 95% band (t-interval)."""
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
            half = g[col].agg(lambda v: t_half_width(v.std(ddof=1), v.size)).fillna(0.0)
            ax.plot(mean.index, mean.values, color=colours(k % 10), lw=1.8, label=arm)
            ax.fill_between(mean.index, (mean - half).values, (mean + half).values, color=colours(k % 10), alpha=0.18)
            ax.set_title(label)
            ax.grid(alpha=0.3)
    for ax in axes[1]:
        ax.set_xlabel("step (week)")
    axes[0, 0].legend(frameon=False, fontsize=8)
    reps = int(result.outcomes.replication.nunique())
    fig.suptitle(f"{result.scenario.name}: mean of {reps} replications with 95% band (common random numbers)")
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def write_comparison(result: ComparisonResult, out: str | Path, inputs: list[str | Path] = ()) -> Path:
    """Write ``comparison.csv``, ``comparison.md``, ``runs.csv``, ``trajectories.png`` and ``provenance.json``
    into ``out`` (all or nothing); ``inputs`` are the files the scenario was read from."""
    sc = result.scenario
    config = {"scenario": sc.model_dump(mode="json"),
              "replications": int(result.outcomes.replication.nunique())}
    record = provenance_record(config, inputs, seeds=sorted(set(result.outcomes.seed.tolist())))
    with atomic_outputs(out) as tmp:
        (tmp / "provenance.json").write_text(json.dumps({**record, "configuration": config}, indent=2) + "\n",
                                             encoding="utf-8")
        result.table().to_csv(tmp / "comparison.csv", index=False)
        reps = int(result.outcomes.replication.nunique())
        header = (f"# {result.scenario.name}\n\n{result.scenario.description}\n\n"
                  f"{result.scenario.parameters.n_residents:,} residents, {result.scenario.steps} steps (weeks), "
                  f"{reps} replications (seeds derived from seed {result.scenario.seed}, the same in every arm: "
                  "common random numbers). Mean [95% CI].\n\n")
        (tmp / "comparison.md").write_text(header + result.markdown() + "\n", encoding="utf-8")
        result.outcomes.to_csv(tmp / "runs.csv", index=False)
        plot_comparison(result, tmp / "trajectories.png")
    return Path(out)
