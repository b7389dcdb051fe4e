"""Figures of a run, of a comparison and of recorded time series, and the one phase palette of radsim's figures
and dashboard.

- :func:`plot_run`: phases over time, the final pyramid and the societal climate of one run (``phases.png``).
- :func:`plot_trajectories`: the arms of a comparison, each a mean over replications with its 95% band, the
  paired differences to the baseline with theirs, and vertical marks for the weeks interventions start and
  end and attacks happen (``trajectories.png``).
- :func:`plot_series`: any recorded time series (a run's or a sweep's), one panel per column.

Bands are those of :func:`experiments.stats.interval`: percentile bootstrap for counts of residents (so they never
go below zero), t-intervals for everything else.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .stats import INTERVAL_NAMES, interval, is_count

__all__ = ["plot_run", "plot_trajectories", "plot_series", "event_marks", "axis_label", "use_agg", "PHASE_LABELS",
           "PHASE_COLOURS", "phase_rgb", "TRAJECTORIES"]

TRAJECTORIES = ("phase_1", "phase_2", "phase_3", "mean_prejudice_majority", "mean_trust", "polarisation")
"""The panels of ``trajectories.png`` unless others are asked for."""
TITLES = {"phase_0": "residents in phase 0 (none)", "phase_1": "residents in phase 1 (sensitivity)",
          "phase_2": "residents in phase 2 (group membership)", "phase_3": "residents in phase 3 (action)",
          "mean_prejudice_majority": "mean prejudice (majority)", "mean_trust": "mean institutional trust",
          "polarisation": "polarisation index", "entered_phase_2": "entries into phase 2 so far",
          "entered_phase_3": "entries into phase 3 so far", "cost": "cost so far"}
BAND_RESAMPLES = 1999
"""Bootstrap resamples of a band in a figure (one interval per week)."""
ATTACK_COLOUR = "#a4161a"

PHASE_LABELS = ("0 none", "1 sensitivity", "2 group membership", "3 action")
PHASE_COLOURS = ("#c7d4e0", "#f2b134", "#e0662d", "#a4161a")
"""The colour of each phase 0-3 (blue grey, amber, orange, crimson) in every figure, notebook and the dashboard."""


def phase_rgb(phase: int) -> tuple[int, int, int]:
    """The colour of ``phase`` as an (r, g, b) triple of 0-255."""
    h = PHASE_COLOURS[phase]
    return int(h[1:3], 16), int(h[3:5], 16), int(h[5:7], 16)


def use_agg() -> None:
    """Draw off-screen (Agg) for files, except inside Jupyter, whose inline backend shows notebook plots."""
    if "ipykernel" not in sys.modules:
        import matplotlib

        matplotlib.use("Agg")


def _save(fig, path: str | Path, dpi: int = 100) -> Path:
    """Write ``fig`` to ``path`` and close it."""
    import matplotlib.pyplot as plt

    path = Path(path)
    fig.savefig(path, dpi=dpi)
    plt.close(fig)
    return path


def plot_run(timeseries: pd.DataFrame, path: str | Path, title: str = "") -> Path:
    """Phases over time, the final pyramid, and the societal climate, in one PNG."""
    use_agg()
    import matplotlib.pyplot as plt

    n = int(timeseries.loc[0, ["phase_0", "phase_1", "phase_2", "phase_3"]].sum())
    fig, (ax_t, ax_p, ax_c) = plt.subplots(1, 3, figsize=(15, 4.6), gridspec_kw={"width_ratios": [1.4, 1, 1.2]})
    weeks = timeseries["step"]
    for k in (1, 2, 3):
        ax_t.plot(weeks, 100.0 * timeseries[f"phase_{k}"] / n, color=PHASE_COLOURS[k], label=PHASE_LABELS[k], lw=2)
    ax_t.set_yscale("symlog", linthresh=0.1)
    ax_t.set_xlabel("week")
    ax_t.set_ylabel("residents in phase (% of town, symlog)")
    ax_t.set_title("Phases over time")
    ax_t.legend(frameon=False)
    ax_t.grid(alpha=0.3)

    last = timeseries.iloc[-1]
    counts = [int(last[f"phase_{k}"]) for k in range(4)]
    for k, c in enumerate(counts):
        width = max(c, 0.5)
        ax_p.barh(k, width, color=PHASE_COLOURS[k], height=0.8)
        ax_p.text(max(c, 1) * 1.1, k, f"{c:,} ({100.0 * c / n:.2f}%)", va="center", fontsize=9)
    ax_p.set_xscale("log")
    ax_p.set_xlim(0.8, n * 20)
    ax_p.set_yticks(range(4), PHASE_LABELS)
    ax_p.set_xlabel("residents (log scale)")
    ax_p.set_title(f"The pyramid at week {int(last['step'])}")

    for col, label, colour in [("mean_prejudice_majority", "prejudice (majority)", "#6a4c93"),
                               ("mean_trust", "institutional trust", "#1982c4"),
                               ("mean_discrimination_minority", "perceived discrimination (minorities)", "#8ac926"),
                               ("polarisation", "polarisation index", "#444444")]:
        ax_c.plot(weeks, timeseries[col], label=label, color=colour, lw=1.8)
    if "threat" in timeseries and timeseries["threat"].max() > 0:
        ax_c.fill_between(weeks, 0, timeseries["threat"], color="#ff595e", alpha=0.2, label="threat after an attack")
    ax_c.set_ylim(0, 1)
    ax_c.set_xlabel("week")
    ax_c.set_ylabel("mean (0-1)")
    ax_c.set_title("Societal climate")
    ax_c.legend(frameon=False, fontsize=8, loc="upper right")
    ax_c.grid(alpha=0.3)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return _save(fig, path, dpi=110)


def axis_label(column: str, values: Any) -> str:
    """The y-axis label of a column with its unit: residents for counts, cost units, or the 0-1 scale of a mean."""
    if is_count(values):
        return "residents"
    if column == "cost" or column.startswith("cost_"):
        return "cost (abstract units)"
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if not (v.size and v.min() >= 0 and v.max() <= 1):
        return "value"
    return "mean (0-1 scale)" if column.startswith("mean_") else "share (0-1)" if column.endswith("_share") \
        else "value (0-1 scale)"


def title_of(column: str) -> str:
    return TITLES.get(column, column.replace("_", " "))


def event_marks(scenario: dict) -> dict[str, Any]:
    """The weeks to mark in a comparison's figure, from a scenario as JSON (``Scenario.model_dump(mode="json")``).

    ``{"attacks": [week, ...], "arms": {arm: [(start, end or None), ...]}}``: the attacks of the parameters and
    the schedule of each arm's interventions (an arm is the ``arm`` name, else the intervention's type).
    """
    arms: dict[str, list[tuple[int, int | None]]] = {}
    for iv in scenario.get("interventions") or []:
        start, duration = int(iv.get("start") or 0), iv.get("duration")
        span = (start, None if duration is None else start + int(duration))
        spans = arms.setdefault(iv.get("arm") or iv.get("type", "?"), [])
        if span not in spans:
            spans.append(span)
    attacks = sorted(int(w) for w in (scenario.get("parameters") or {}).get("attack_weeks") or [])
    return {"attacks": attacks, "arms": arms}


def _matrix(df: pd.DataFrame, column: str, index: str = "replication") -> pd.DataFrame:
    """One row per replication (or run), one column per week."""
    return df.pivot(index=index, columns="step", values=column).sort_index()


def _band(ax, weeks, values: np.ndarray, count: bool, seed: int, colour, label: str | None) -> None:
    """Mean of ``values`` (one row per replication) and its 95% band (:func:`experiments.stats.interval`)."""
    mean, low, high = interval(values, count, seed, resamples=BAND_RESAMPLES)
    ax.plot(weeks, mean, color=colour, lw=1.8, label=label)
    if values.shape[0] > 1:
        ax.fill_between(weeks, np.nan_to_num(low, nan=0.0) if count else low, high, color=colour, alpha=0.18,
                        lw=0)


def _marks(ax, marks: dict, colours: dict[str, Any], labelled: bool) -> None:
    """Vertical lines at the attacks and at each arm's starts and ends; labelled on the axes if ``labelled``.

    Arms that start (or end) in the same week share one line and one label.
    """
    from matplotlib.transforms import blended_transform_factory

    where = blended_transform_factory(ax.transData, ax.transAxes)
    events: dict[tuple[int, str], list[str]] = {}
    for arm, spans in marks["arms"].items():
        for start, end in spans:
            for week, what in [(start, "start"), *([(end, "end")] if end is not None else [])]:
                if arm not in events.setdefault((week, what), []):
                    events[(week, what)].append(arm)
    lines = [(w, ATTACK_COLOUR, "--", f"attack (week {w})") for w in marks["attacks"]]
    for (week, what), arms in sorted(events.items()):
        one = len(arms) == 1
        lines.append((week, colours.get(arms[0], "grey") if one else "dimgrey", ":",
                      f"{arms[0]} {what}s (week {week})" if one else f"{len(arms)} arms {what} (week {week})"))
    for week, colour, style, text in lines:
        ax.axvline(week, color=colour, ls=style, lw=1.1, alpha=0.9)
        if labelled:
            ax.text(week, 0.98, text + " ", transform=where, rotation=90, va="top", ha="right", fontsize=7,
                    color=colour)


def plot_trajectories(trajectories: pd.DataFrame, scenario: dict, path: str | Path | None,
                      columns: Sequence[str] | None = None):
    """The figure of a comparison (``trajectories.png``).

    Args:
        trajectories: one row per (arm, replication, step) with a column per recorded outcome; replication
            ``k`` of every arm shares its seed (common random numbers). The first arm is the baseline.
        scenario: the scenario as JSON (for its name, seed, attacks and the interventions' schedules).
        path: the PNG to write (returned); None: return the matplotlib Figure instead.
        columns: the outcomes to draw (default :data:`TRAJECTORIES`, those recorded).

    For every outcome two panels: each arm's mean over replications with its 95% band, and below it each
    arm's paired difference to the baseline (arm minus baseline within a replication, then the mean) with its
    95% band. Vertical lines mark the attacks and the weeks the arms' interventions start (and end).
    """
    use_agg()
    import matplotlib.pyplot as plt

    columns = [c for c in (columns or TRAJECTORIES) if c in trajectories.columns]
    arms = list(dict.fromkeys(trajectories["arm"]))
    base_arm, seed = arms[0], int(scenario.get("seed") or 0)
    colours = {arm: plt.get_cmap("tab10")(k % 10) for k, arm in enumerate(arms)}
    marks = event_marks(scenario)
    per_row = min(3, len(columns))
    rows = 2 * math.ceil(len(columns) / per_row)
    fig, axes = plt.subplots(rows, per_row, figsize=(5.2 * per_row, 3.3 * rows), sharex=True, squeeze=False)
    by_arm = {arm: trajectories[trajectories["arm"] == arm] for arm in arms}
    kinds = set()
    for i, col in enumerate(columns):
        ax, ax_d = axes[2 * (i // per_row), i % per_row], axes[2 * (i // per_row) + 1, i % per_row]
        count = is_count(trajectories[col])
        kinds.add(INTERVAL_NAMES[count])
        base = _matrix(by_arm[base_arm], col)
        for arm in arms:
            m = _matrix(by_arm[arm], col)
            _band(ax, m.columns, m.to_numpy(), count, seed, colours[arm], arm)
            if arm != base_arm:
                diff = m.to_numpy() - base.reindex(index=m.index, columns=m.columns).to_numpy()
                _band(ax_d, m.columns, diff, count, seed, colours[arm], f"{arm} - {base_arm}")
        ax_d.axhline(0, color="black", lw=0.8)
        unit = axis_label(col, trajectories[col])
        ax.set_title(title_of(col), fontsize=10)
        ax.set_ylabel(unit)
        ax_d.set_title(f"{title_of(col)}: difference to the {base_arm}", fontsize=9)
        ax_d.set_ylabel(f"arm - {base_arm}, {unit}")
        for a in (ax, ax_d):
            _marks(a, marks, colours, labelled=a is ax and i % per_row == 0)
            a.grid(alpha=0.3)
            a.tick_params(labelbottom=True)
        ax_d.set_xlabel("week")
    for i in range(len(columns), rows // 2 * per_row):          # the empty places of the last row
        axes[2 * (i // per_row), i % per_row].set_visible(False)
        axes[2 * (i // per_row) + 1, i % per_row].set_visible(False)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=min(len(labels), 4), frameon=False, fontsize=9)
    reps = int(trajectories["replication"].nunique())
    fig.suptitle(f"{scenario.get('name', 'comparison')}: mean of {reps} replications with 95% band "
                 f"({' or '.join(sorted(kinds))}); common random numbers; dashed: attacks, dotted: interventions")
    fig.tight_layout(rect=(0, 0.04, 1, 0.97))
    return fig if path is None else _save(fig, path)


def plot_series(series: pd.DataFrame, path: str | Path, columns: Sequence[str] | None = None, title: str = "",
                group: str | None = "run_id", seed: int = 0, max_lines: int = 200) -> Path:
    """Recorded time series, one panel per column, week on the x axis.

    ``series`` has a ``step`` column (week) and, with several runs, a ``group`` column naming the run: each run
    is a thin line (the first ``max_lines``), and their mean a thick one with its 95% band. ``columns`` default to
    every column but ``step`` and ``group``.
    """
    use_agg()
    import matplotlib.pyplot as plt

    if group is None or group not in series.columns:
        series, group = series.assign(_run=0), "_run"
    columns = [c for c in (columns or series.columns) if c not in ("step", group)]
    runs = series[group].nunique()
    per_row = min(3, len(columns))
    rows = math.ceil(len(columns) / per_row)
    fig, axes = plt.subplots(rows, per_row, figsize=(5 * per_row, 3.2 * rows), squeeze=False)
    for ax, col in zip(axes.ravel(), columns):
        m = _matrix(series, col, index=group)
        if runs > 1:
            for row in m.to_numpy()[:max_lines]:
                ax.plot(m.columns, row, color="grey", lw=0.5, alpha=min(0.6, 20 / runs))
            _band(ax, m.columns, m.to_numpy(), is_count(series[col]), seed, "#1f4e79", f"mean of {runs} runs, 95% band")
        else:
            ax.plot(m.columns, m.to_numpy()[0], color="#1f4e79", lw=1.6)
        ax.set_title(title_of(col), fontsize=10)
        ax.set_xlabel("week")
        ax.set_ylabel(axis_label(col, series[col]))
        ax.grid(alpha=0.3)
    for ax in axes.ravel()[len(columns):]:
        ax.set_visible(False)
    if runs > 1:
        axes[0, 0].legend(frameon=False, fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return _save(fig, path)


class PlotError(ValueError):
    """A folder cannot be plotted (one-line message)."""


def folder_kind(folder: Path) -> str | None:
    """``"sweep"``, ``"comparison"`` or ``"run"``: what made the result folder ``folder`` (None: none of them)."""
    if (folder / "sweep.json").is_file():
        return "sweep"
    if (folder / "comparison.csv").is_file() and (folder / "runs.csv").is_file():
        return "comparison"
    if (folder / "run.json").is_file() or (folder / "timeseries.parquet").is_file():
        return "run"
    return None


def _recorded(folder: Path) -> dict:
    """The JSON record beside a comparison's or a run's tables (``provenance.json``, ``run.json``); {} if none."""
    import json

    for name in ("provenance.json", "run.json"):
        try:
            record = json.loads((folder / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(record, dict):
            return record
    return {}


def _columns(asked: Sequence[str] | None, recorded: Sequence[str], default: Sequence[str] | None = None) -> list[str]:
    for name in asked or ():
        if name not in recorded:
            raise PlotError(f"--outcome: '{name}' was not recorded; one of {', '.join(recorded)}")
    return list(asked or default or recorded)


def plot_folder(folder: str | Path, outcomes: Sequence[str] | None = None, x: str | None = None,
                y: str | None = None) -> list[Path]:
    """Draw the figures of a result folder into ``folder/plots``; returns the PNG paths.

    - a sweep (``sweep.json``): each outcome against each factor and the heat maps
      (:func:`experiments.sweep_plots.plot_sweep`, ``x`` and ``y`` its factors), and, if the sweep recorded time
      series, ``timeseries.png`` (every run and their mean with its 95% band);
    - a comparison (``comparison.csv``, ``runs.csv``): ``trajectories.png`` (:func:`plot_trajectories`) from its
      ``trajectories.parquet``;
    - a run (``run.json``, ``timeseries.parquet``): ``phases.png`` (:func:`plot_run`) and ``timeseries.png``, every
      recorded series.

    ``outcomes`` restricts the outcomes (the panels of the time series). Raises :class:`PlotError`, or
    :class:`experiments.export.TableError` for a table that cannot be read.
    """
    from .export import read_table

    folder = Path(folder)
    if not folder.is_dir():
        raise PlotError(f"DIR: {folder} is not a folder" if folder.exists() else f"DIR: {folder} does not exist")
    kind = folder_kind(folder)
    if kind is None:
        raise PlotError(f"DIR: {folder} holds no sweep, comparison or run (no sweep.json, comparison.csv with "
                        "runs.csv, or run.json); give the --out folder of a radsim sweep, compare or run")
    if kind != "sweep" and (x is not None or y is not None):
        raise PlotError(f"--x/--y: {folder} holds a {kind}, which has no factors; only a sweep has them")
    dest = folder / "plots"
    if kind == "sweep":
        from .sweep import read_timeseries
        from .sweep_plots import plot_sweep, recorded_spec

        spec = recorded_spec(folder)
        final = spec["outcomes"]
        series = read_timeseries(folder)
        recorded = [c for c in series.columns if c not in ("run_id", "step")]
        _columns(outcomes, list(dict.fromkeys([*final, *recorded])))
        at_end = [o for o in outcomes or () if o in final]
        paths = plot_sweep(folder, at_end or None, x, y) if at_end or not outcomes else []
        wanted = [o for o in (outcomes or recorded) if o in recorded]
        if wanted:
            paths.append(plot_series(series, dest / "timeseries.png", wanted, group="run_id",
                                     title=f"{spec.get('name', folder.name)}: recorded time series "
                                           f"({series.run_id.nunique()} runs)"))
        return paths
    record = _recorded(folder)
    if kind == "comparison":
        path = folder / "trajectories.parquet"
        if not path.exists():
            raise PlotError(f"DIR: {folder} holds a comparison without trajectories.parquet (made by an older "
                            "radsim); run `radsim compare` into it again")
        tr = read_table(path)
        recorded = [c for c in tr.columns if c not in ("arm", "replication", "step")]
        columns = _columns(outcomes, recorded, [c for c in TRAJECTORIES if c in recorded])
        scenario = (record.get("configuration") or {}).get("scenario") or {"name": folder.name}
        dest.mkdir(exist_ok=True)
        return [plot_trajectories(tr, scenario, dest / "trajectories.png", columns)]
    ts = read_table(folder / "timeseries.parquet")
    recorded = [c for c in ts.columns if c != "step"]
    columns = _columns(outcomes, recorded)
    scenario = record.get("scenario") or {}
    title = f"{scenario.get('name', folder.name)}, seed {scenario.get('seed', '?')}"
    dest.mkdir(exist_ok=True)
    paths = []
    if all(f"phase_{k}" in ts.columns for k in range(4)) and not outcomes:
        paths.append(plot_run(ts, dest / "phases.png", title=title))
    paths.append(plot_series(ts, dest / "timeseries.png", columns, title=f"{title}: recorded time series",
                             group=None))
    return paths
