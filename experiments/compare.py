"""Compare intervention arms against the baseline with common random numbers.

Every arm runs the same replications: replication ``k`` uses the seed
:func:`experiments.seeds.replication_seed` ``(scenario.seed, k)`` in every arm, so
arms share the town, the initial state and the residents' random numbers
(interventions draw from their own stream). The differences against the baseline
are therefore paired: arm minus baseline within each replication, then averaged,
and their confidence intervals are narrow. The outcomes of a run are its
:meth:`~model.RadicalisationModel.outcomes` at the end.

Intervals (:func:`experiments.stats.interval`): counts of residents (the outcomes the model reports as integers:
residents in each phase, entries, removals) get a 95% percentile bootstrap interval of the replications, which
stays within the range of the runs and so never goes below zero; every other outcome (means, shares, cost) a
t-interval. The bootstrap's Generator is seeded with the scenario's seed, so a comparison's report is
reproducible. The cost per averted entry into phase 2 is the mean extra cost over the mean averted entries
(baseline minus arm) with a paired percentile bootstrap interval of that ratio
(:func:`experiments.stats.ratio_ci`); while the averted entries' interval includes zero it has no upper bound.

**Warm up once, fork every arm** (``warmup=W``, ``radsim compare --warmup W``). Before the first intervention
starts the arms are the same run, so each replication simulates the baseline once up to week ``W``, checkpoints
it (:meth:`model.RadicalisationModel.save`, the same pickle-free format as a file) and starts every arm from
that checkpoint, attaching the arm's interventions (:meth:`~model.RadicalisationModel.add_interventions`). The
checkpoint carries every random generator, so the results are bit-identical to a comparison without warm-up;
an intervention that starts before ``W`` is refused (:func:`check_warmup`). The arms' targets are checked
against the week-0 town, as a run straight through checks them.
"""

from __future__ import annotations

import json
import math
import multiprocessing
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, as_completed, wait
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from model import ParameterError, RadicalisationModel, checkpoint
from model.interventions import check_reach, check_targets, validate_interventions
from model.metrics import OUTCOME_COLUMNS

from .plots import plot_trajectories
from .provenance import provenance_json
from .runner import atomic_outputs
from .scenario import Scenario
from .seeds import replication_seed
from .stats import INTERVAL_NAMES, RESAMPLES, interval, is_count, ratio_ci

__all__ = ["ComparisonResult", "compare_arms", "OUTCOMES", "HEADLINE", "write_comparison", "plot_comparison",
           "worker_count", "COST_PER_AVERTED", "OUTPUT_FILES", "check_warmup"]

OUTCOMES: tuple[str, ...] = OUTCOME_COLUMNS
"""Every outcome of a run (:meth:`model.RadicalisationModel.outcomes`), compared at the end of the run."""
HEADLINE: dict[str, str] = {
    "phase_1": "phase 1", "phase_2": "phase 2", "phase_3": "phase 3", "entered_phase_2": "entered phase 2",
    "entered_phase_3": "entered phase 3", "mean_prejudice": "mean prejudice", "mean_trust": "mean trust",
    "polarisation": "polarisation",
    "phase_1_grievance": "phase 1, grievance movement", "phase_1_anti_minority": "phase 1, anti-minority movement",
    "entered_phase_2_grievance": "entered phase 2, grievance movement",
    "entered_phase_2_anti_minority": "entered phase 2, anti-minority movement",
    "role_pusher": "pushers", "role_bridge_builder": "bridge builders", "role_silent_middle": "silent middle",
    "mean_trust_silent_middle": "silent middle's trust",
    "cost": "cost",
}
"""The outcomes shown in ``comparison.md`` and on the console, with their short labels."""
COST_PER_AVERTED = "cost_per_averted_phase_2_entry"
"""The row of :meth:`ComparisonResult.table` with the cost per averted entry into phase 2."""
OUTPUT_FILES = ("comparison.csv", "comparison.md", "runs.csv", "trajectories.parquet", "trajectories.png",
                "provenance.json")
KEYS = ("arm", "replication", "seed")


def _run_one(task: tuple[Scenario, str, list, int]) -> tuple[str, int, dict, pd.DataFrame, float]:
    scenario, arm, interventions, rep = task
    start = time.perf_counter()
    m = RadicalisationModel.from_parameters(scenario.parameters, rng=replication_seed(scenario.seed, rep),
                                            interventions=interventions)
    m.run_for(scenario.steps)
    return _finished(m, arm, rep, start)


def _finished(m: RadicalisationModel, arm: str, rep: int, start: float) -> tuple[str, int, dict, pd.DataFrame, float]:
    outcome = m.outcomes()                      # counts stay integers: they get bootstrap intervals
    return arm, rep, outcome, m.timeseries().assign(arm=arm, replication=rep), time.perf_counter() - start


def check_warmup(scenario: Scenario, warmup: int) -> None:
    """Refuse a warm-up of ``warmup`` weeks that an intervention of ``scenario`` would start inside, or one
    longer than the run.

    Raises:
        ParameterError: one line, e.g. ``--warmup 60: arm 'package', interventions[2] (key_figures) starts at week
            52, inside the warm-up; allowed --warmup 0 to 52 for this scenario``.
    """
    starts = [iv.start for iv in scenario.interventions]
    allowed = min([scenario.steps, *starts])
    if warmup > scenario.steps:
        raise ParameterError(f"--warmup {warmup}: longer than the run ({scenario.steps} steps); allowed --warmup 0 "
                             f"to {allowed} for this scenario")
    for k, iv in enumerate(scenario.interventions):
        if iv.start < warmup:
            raise ParameterError(f"--warmup {warmup}: arm '{iv.label}', interventions[{k}] ({iv.type}) starts at "
                                 f"week {iv.start}, inside the warm-up; allowed --warmup 0 to {allowed} for this "
                                 "scenario")


_SEEN_A_RUN = False
"""Whether this process has run a model before: its first run also loads the compiled rules, so its seconds are
left out of the estimate of the time a warm-up saves."""


def _first_in_process() -> bool:
    global _SEEN_A_RUN
    first, _SEEN_A_RUN = not _SEEN_A_RUN, True
    return first


def _warm_up(task: tuple[Scenario, dict[str, list], int, int, str | None]) -> tuple[int, bytes | str, dict]:
    """Replication ``rep``'s baseline up to week ``warmup``, checkpointed to a file in ``folder`` (its path is
    returned) or, without a folder, to bytes; with the seconds it took to build, simulate and save."""
    scenario, arms, rep, warmup, folder = task
    first = _first_in_process()
    t0 = time.perf_counter()
    m = RadicalisationModel.from_parameters(scenario.parameters, rng=replication_seed(scenario.seed, rep))
    p = m.params
    for ivs in arms.values():           # each arm's targets against the week-0 town, as its own model checks them
        checked = validate_interventions(ivs)
        check_targets(checked, p.n_backgrounds, p.n_neighbourhoods, p.n_residents)
        check_reach(checked, m)
    t1 = time.perf_counter()
    m.run_for(warmup)
    t2 = time.perf_counter()
    if folder is None:
        data: bytes | str = checkpoint.dumps(m)
    else:
        data = str(Path(folder) / f"replication-{rep}.npz")
        m.save(data)
    t3 = time.perf_counter()
    return rep, data, {"build": t1 - t0, "warmup": t2 - t1, "save": t3 - t2, "first": first}


def _number(value: float, count: bool, sign: bool = False) -> str:
    """A value as the report shows it: one decimal for counts and large values, three for means and shares."""
    if isinstance(value, float) and math.isnan(value):
        return "n/a"
    if math.isinf(value):
        return "unbounded" if value > 0 else "-unbounded"
    fmt = "{:+,.1f}" if sign else "{:,.1f}"
    if not count and abs(value) < 10:
        fmt = "{:+.3f}" if sign else "{:.3f}"
    return fmt.format(value)


def _with_ci(mean: float, low: float, high: float, count: bool, sign: bool = False) -> str:
    ci = "" if math.isnan(low) else f" [{_number(low, count, sign)}, {_number(high, count, sign)}]"
    return _number(mean, count, sign) + ci


@dataclass
class ComparisonResult:
    """Per-replication outcomes and trajectories of every arm."""

    scenario: Scenario
    outcomes: pd.DataFrame       # one row per (arm, replication)
    trajectories: pd.DataFrame   # one row per (arm, replication, step)
    run_info: dict = field(default_factory=dict, compare=False)
    """How the comparison ran: seconds of wall time and of compute, and with a warm-up its weeks and the compute
    it saved (recorded in ``provenance.json`` under ``run``; results do not depend on it)."""
    _table: pd.DataFrame | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def arms(self) -> list[str]:
        return list(dict.fromkeys(self.outcomes["arm"]))

    @property
    def outcome_names(self) -> list[str]:
        """The outcomes recorded for every run (the columns of :attr:`outcomes` but arm, replication and seed)."""
        return [c for c in self.outcomes.columns if c not in KEYS]

    def table(self) -> pd.DataFrame:
        """Long table: arm, outcome, mean with its 95% CI, and the paired difference to the baseline with its CI.

        ``interval`` names the kind of interval (see the module docstring). The last row of each arm is the cost
        per averted entry into phase 2 (:data:`COST_PER_AVERTED`): the ratio in ``mean``, its interval in
        ``ci_low``/``ci_high`` (``inf``: unbounded), and the averted entries with their interval in the
        ``difference`` columns.
        """
        if self._table is None:
            self._table = self._compute_table()
        return self._table

    def _compute_table(self) -> pd.DataFrame:
        rows = []
        seed = self.scenario.seed
        base = self.outcomes[self.outcomes.arm == "baseline"].set_index("replication")
        for arm in self.arms:
            df = self.outcomes[self.outcomes.arm == arm].set_index("replication")
            for name in self.outcome_names:
                count = is_count(self.outcomes[name])
                diff = df[name] - base[name].reindex(df.index)
                rows.append({"arm": arm, "outcome": name,
                             **dict(zip(("mean", "ci_low", "ci_high"), interval(df[name].to_numpy(), count, seed))),
                             **dict(zip(("difference", "difference_ci_low", "difference_ci_high"),
                                        interval(diff.to_numpy(), count, seed))),
                             "interval": INTERVAL_NAMES[count], "replications": len(df)})
            averted = (base["entered_phase_2"] - df["entered_phase_2"].reindex(base.index)).to_numpy()
            extra = (df["cost"] - base["cost"].reindex(df.index)).to_numpy(dtype=float)
            ratio, lo, hi = ratio_ci(extra, averted, seed)
            am, alo, ahi = interval(averted, True, seed)
            rows.append({"arm": arm, "outcome": COST_PER_AVERTED, "mean": ratio, "ci_low": lo, "ci_high": hi,
                         "difference": am, "difference_ci_low": alo, "difference_ci_high": ahi,
                         "interval": "percentile bootstrap (ratio of means)", "replications": len(df)})
        return pd.DataFrame(rows)

    def _cell(self, arm: str, outcome: str, difference: bool = False) -> str:
        t = self.table()
        r = t[(t.arm == arm) & (t.outcome == outcome)].iloc[0]
        values = self.outcomes[outcome]
        count = r["interval"] == INTERVAL_NAMES[True] or not values.between(0, 1).all()   # one decimal
        if difference:
            return _with_ci(r["difference"], r["difference_ci_low"], r["difference_ci_high"], count, sign=True)
        return _with_ci(r["mean"], r["ci_low"], r["ci_high"], count)

    def _headline(self) -> dict[str, str]:
        return {k: v for k, v in HEADLINE.items() if k in self.outcome_names}

    def cost_per_averted_text(self, arm: str) -> str:
        """The cost per averted entry into phase 2 of ``arm`` in words, saying plainly when it is unbounded."""
        t = self.table()
        r = t[(t.arm == arm) & (t.outcome == COST_PER_AVERTED)].iloc[0]
        if math.isnan(r["mean"]):
            return (f"undefined: no entry into phase 2 averted on average (mean averted "
                    f"{_number(r['difference'], True)})")
        text = f"{r['mean']:,.0f}"
        if math.isnan(r["ci_low"]):
            return text + " (no interval from one replication)"
        if r["difference_ci_low"] <= 0 or math.isinf(r["ci_high"]):
            return (f"{text} [{r['ci_low']:,.0f}, unbounded]: the averted entries' 95% CI includes 0, so the "
                    "cost per averted entry has no upper bound")
        return f"{text} [{r['ci_low']:,.0f}, {r['ci_high']:,.0f}]"

    def markdown(self) -> str:
        """The tables of ``comparison.md``: mean [95% CI] per arm, the paired differences to the baseline
        [95% CI], and the cost per averted entry into phase 2 with its interval (headline outcomes,
        :data:`HEADLINE`)."""
        head = self._headline()

        def table(title_cells: list[str]) -> list[str]:
            return ["| " + " | ".join(title_cells) + " |", "|" + "---|" * len(title_cells)]

        lines = ["## Mean per arm [95% CI]", "", *table(["arm", *head.values()])]
        for arm in self.arms:
            lines.append(f"| {arm} | " + " | ".join(self._cell(arm, c) for c in head) + " |")
        lines += ["", "## Paired differences to the baseline [95% CI]", "",
                  "Arm minus baseline within each replication (the same seed in both), then the mean over "
                  "replications.", "", *table(["arm", *(f"{v} difference" for v in head.values())])]
        for arm in self.arms[1:]:
            lines.append(f"| {arm} | " + " | ".join(self._cell(arm, c, difference=True) for c in head) + " |")
        lines += ["", "## Cost per averted entry into phase 2 [95% CI]", "",
                  *table(["arm", "extra cost", "averted entries into phase 2", "cost per averted entry"])]
        t = self.table().set_index(["arm", "outcome"])
        for arm in self.arms[1:]:
            r = t.loc[(arm, COST_PER_AVERTED)]
            averted = _with_ci(r["difference"], r["difference_ci_low"], r["difference_ci_high"], True)
            lines.append(f"| {arm} | {self._cell(arm, 'cost', difference=True)} | {averted} | "
                         f"{self.cost_per_averted_text(arm)} |")
        return "\n".join(lines)

    def method_text(self) -> str:
        """How the intervals of ``comparison.md`` are made."""
        return ("Intervals: counts of residents (residents in a phase, entries, removals) have 95% percentile "
                f"bootstrap intervals ({RESAMPLES:,} resamples of the replications; numpy Generator seeded with "
                f"the scenario's seed {self.scenario.seed}), which stay within the range of the runs and so "
                "never below zero; the other outcomes (means and shares on a 0-1 scale, cost) have t-intervals. "
                "The cost per averted entry is the mean extra cost over the mean averted entries into phase 2 "
                "(baseline minus arm), with a paired percentile bootstrap interval of that ratio; when the "
                "averted entries' interval includes 0 the ratio has no upper bound, and it is undefined when no "
                "entry is averted on average. comparison.csv holds every outcome.")


def worker_count(workers: int | None, runs: int) -> int:
    """The processes a comparison of ``runs`` runs starts: ``workers`` (default: the CPU count), at most one per
    run; 1 runs in this process."""
    return max(1, min(workers or os.cpu_count() or 1, runs))


def compare_arms(scenario: Scenario, replications: int = 10, workers: int | None = None,
                 progress: Callable[[int, int], None] | None = None, warmup: int | None = None) -> ComparisonResult:
    """Run every arm of ``scenario`` for ``replications`` seeds (common random numbers).

    ``workers`` processes run in parallel (default: CPU count); results do not
    depend on it. ``progress(done, total)`` is called after each run, in the order they finish; a run that
    fails (an intervention that reaches nobody in its town) stops the comparison as soon as it fails.

    ``warmup``: simulate each replication's baseline once up to this week and fork every arm from its
    checkpoint (see the module docstring); the results are the same as without. Then each warm-up counts as a
    run for ``progress``, and :attr:`ComparisonResult.run_info` tells the compute it saved.

    Raises:
        ParameterError: a warm-up that an intervention starts inside (:func:`check_warmup`).
    """
    arms = scenario.arms()
    started = time.perf_counter()
    if warmup is None:
        tasks = [(scenario, arm, ivs, rep) for rep in range(replications) for arm, ivs in arms.items()]
        results, costs = _run_tasks(tasks, workers, progress)
    else:
        check_warmup(scenario, warmup)
        results, costs = _run_forked(scenario, arms, replications, warmup, workers, progress)
    position = {a: i for i, a in enumerate(arms)}
    results.sort(key=lambda r: (position[r[0]], r[1]))
    outcomes = pd.DataFrame([{"arm": arm, "replication": rep, "seed": replication_seed(scenario.seed, rep), **out}
                             for arm, rep, out, *_ in results])
    trajectories = pd.concat([ts for _, _, _, ts, _ in results], ignore_index=True)
    info = {"warmup_weeks": warmup, "workers": worker_count(workers, len(results)),
            "wall_seconds": round(time.perf_counter() - started, 3),
            "compute_seconds": round(sum(r[4] for r in results)            # a fork's seconds include its loading
                                     + sum(c["build"] + c["warmup"] + c["save"] for c in costs if "save" in c), 3)}
    if warmup is not None:
        # the saving: every arm but one would have built the town and simulated the warm-up itself. Estimated from
        # the median build and the forks' seconds per week, leaving out each process's first run (which also loads
        # the compiled rules), minus the seconds of saving and loading the checkpoints
        warm, forks = [c for c in costs if "save" in c], [c for c in costs if "load" in c]
        typical = [c for c in forks if not c["first"]] or forks
        weeks = sum(c["weeks"] for c in typical)
        per_week = sum(c["run"] for c in typical) / weeks if weeks else 0.0
        builds = [c["build"] for c in warm if not c["first"]]         # none: count no build (an underestimate)
        shared = replications * ((statistics.median(builds) if builds else 0.0) + warmup * per_week)
        handling = sum(c["save"] for c in warm) + sum(c["load"] for c in forks)
        saved = (len(arms) - 1) * shared - handling
        info.update(warmup_seconds=round(sum(c["build"] + c["warmup"] for c in warm), 3),
                    checkpoint_seconds=round(handling, 3), compute_seconds_saved=round(saved, 3),
                    compute_share_saved=round(saved / (info["compute_seconds"] + saved), 4))
    return ComparisonResult(scenario, outcomes.reset_index(drop=True), trajectories, run_info=info)


def _share_cores(workers: int) -> None:
    """In a worker process: numba threads for this worker's share of the cores, so that the workers' threaded
    passes (towns of 8,000 residents and more) do not ask for more threads than the machine has; and the
    command line's allocator setting (:func:`experiments.memory.keep_freed_memory`)."""
    import numba

    from .memory import keep_freed_memory

    keep_freed_memory()

    numba.set_num_threads(max(1, min(numba.config.NUMBA_NUM_THREADS, (os.cpu_count() or 1) // workers)))


def _pool(workers: int) -> ProcessPoolExecutor:
    # spawn, not fork: a forked child of a process that already ran numba's threaded kernels can abort
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_share_cores, initargs=(workers,))


def _run_tasks(tasks: list, workers: int | None, progress, runner: Callable = _run_one) -> tuple[list, list]:
    """Every arm of every replication from week 0; ``runner`` runs one task (a module-level function, so that a
    worker process can load it; :mod:`experiments.uncertainty` gives its own)."""
    workers = worker_count(workers, len(tasks))
    results = []
    if workers == 1:
        for task in tasks:
            results.append(runner(task))
            if progress:
                progress(len(results), len(tasks))
        return results, []
    with _pool(workers) as pool:
        futures = [pool.submit(runner, task) for task in tasks]
        try:
            for future in as_completed(futures):          # a failing run stops the comparison at once
                results.append(future.result())
                if progress:
                    progress(len(results), len(tasks))
        except BaseException:
            pool.shutdown(cancel_futures=True)
            raise
    return results, []


def _run_forked(scenario: Scenario, arms: dict[str, list], replications: int, warmup: int, workers: int | None,
                progress) -> tuple[list, list]:
    """Each replication's warm-up once, then every arm from its checkpoint (in memory in one process; through
    files in a temporary folder between worker processes). A replication's arms start as soon as its warm-up
    is done."""
    total = replications * (1 + len(arms))
    workers = worker_count(workers, replications * len(arms))
    results: list = []
    costs: list[dict] = []
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, total)

    def fork_tasks(rep: int, data: bytes | str) -> list:
        return [(scenario, arm, ivs, rep, warmup, data) for arm, ivs in arms.items()]

    if workers == 1:
        for rep in range(replications):
            _, data, cost = _warm_up((scenario, arms, rep, warmup, None))
            costs.append(cost)
            tick()
            for task in fork_tasks(rep, data):
                results.append(_timed_fork(task, costs))
                tick()
        return results, costs
    with tempfile.TemporaryDirectory(prefix="radsim-warmup-") as folder, _pool(workers) as pool:
        warm_ups = {pool.submit(_warm_up, (scenario, arms, rep, warmup, folder)) for rep in range(replications)}
        pending = set(warm_ups)
        try:
            while pending:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    value = future.result()                  # a failing run stops the comparison at once
                    if future in warm_ups:                   # a warm-up: fork its arms
                        rep, data, cost = value
                        costs.append(cost)
                        pending |= {pool.submit(_run_fork, task) for task in fork_tasks(rep, data)}
                    else:
                        *result, cost = value
                        results.append(tuple(result))
                        costs.append(cost)
                    tick()
        except BaseException:
            pool.shutdown(cancel_futures=True)
            raise
    return results, costs


def _run_fork(task: tuple[Scenario, str, list, int, int, bytes | str]) -> tuple:
    """One arm of replication ``rep`` from its warm-up's checkpoint (bytes or a file): load it, attach the arm's
    interventions and run on. Returns what :func:`_run_one` does, then the seconds of loading and of running on."""
    first = _first_in_process()
    start = time.perf_counter()
    scenario, arm, interventions, rep, warmup, data = task
    m = checkpoint.loads(RadicalisationModel, data) if isinstance(data, bytes) else RadicalisationModel.load(data)
    loaded = time.perf_counter()
    m.add_interventions(interventions, check_reach_now=False)      # checked against the week-0 town
    m.run_for(scenario.steps - warmup)
    cost = {"load": loaded - start, "run": time.perf_counter() - loaded, "weeks": scenario.steps - warmup,
            "first": first}
    return (*_finished(m, arm, rep, start), cost)


def _timed_fork(task, costs: list[dict]) -> tuple:
    *result, cost = _run_fork(task)
    costs.append(cost)
    return tuple(result)


def plot_comparison(result: ComparisonResult, path: str | Path) -> Path:
    """``trajectories.png``: each arm with its 95% band, the paired differences to the baseline with theirs, and
    marks for the interventions' starts and the attacks (:func:`experiments.plots.plot_trajectories`)."""
    return plot_trajectories(result.trajectories, result.scenario.model_dump(mode="json"), path)


def write_comparison(result: ComparisonResult, out: str | Path, inputs: list[str | Path] = ()) -> Path:
    """Write the :data:`OUTPUT_FILES` into ``out`` (all or nothing); ``inputs`` are the files the scenario was
    read from."""
    sc = result.scenario
    config = {"scenario": sc.model_dump(mode="json"),
              "replications": int(result.outcomes.replication.nunique())}
    record = provenance_json(config, inputs, seeds=sorted(set(result.outcomes.seed.tolist())))
    if result.run_info:     # how it ran (warm-up, seconds): not part of the configuration, results do not depend on it
        record = json.dumps({**json.loads(record), "run": result.run_info}, indent=2, default=str) + "\n"
    with atomic_outputs(out) as tmp:
        (tmp / "provenance.json").write_text(record, encoding="utf-8")
        result.table().to_csv(tmp / "comparison.csv", index=False)
        reps = int(result.outcomes.replication.nunique())
        header = (f"# {sc.name}\n\n{sc.description}\n\n"
                  f"{sc.parameters.n_residents:,} residents, {sc.steps} steps (weeks), "
                  f"{reps} replications (seeds derived from seed {sc.seed}, the same in every arm: "
                  "common random numbers).\n\n")
        (tmp / "comparison.md").write_text(f"{header}{result.markdown()}\n\n{result.method_text()}\n",
                                           encoding="utf-8")
        result.outcomes.to_csv(tmp / "runs.csv", index=False)
        result.trajectories.to_parquet(tmp / "trajectories.parquet", index=False)
        plot_comparison(result, tmp / "trajectories.png")
    return Path(out)
