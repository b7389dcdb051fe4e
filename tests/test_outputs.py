"""Outputs a researcher can cite (issue 18): comparison.md with paired differences and intervals that respect
zero, trajectories.png with units, marks and a difference panel, progress in a log file, radsim export and
radsim plot for every kind of result folder."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest
from rich.console import Console

from experiments.compare import COST_PER_AVERTED, HEADLINE, ComparisonResult
from experiments.scenario import Scenario
from experiments.stats import bootstrap_ci, interval, is_count, mean_ci, ratio_ci

RADSIM = [sys.executable, "-m", "experiments"]


def radsim(*args, cwd, env=None):
    return subprocess.run([*RADSIM, *args], cwd=cwd, capture_output=True, text=True, timeout=600, env=env)


# --- the statistics -------------------------------------------------------------------------------------------------

def test_the_bootstrap_interval_of_a_count_stays_within_the_runs_and_is_reproducible():
    rare = np.array([0, 0, 1, 0, 3, 0, 0, 1])
    mean, low, high = bootstrap_ci(rare, seed=4)
    assert mean == rare.mean() and 0 <= low < mean < high <= rare.max()
    assert mean_ci(rare)[1] < 0                     # the t-interval of the same counts goes below zero
    assert bootstrap_ci(rare, seed=4) == (mean, low, high)
    assert bootstrap_ci([0, 0, 0], seed=1) == (0.0, 0.0, 0.0)
    assert np.isnan(bootstrap_ci([5], seed=1)[1])
    weeks = np.column_stack([rare, 2 * rare, np.zeros(8, dtype=int)])    # one interval per column
    m, lo, hi = bootstrap_ci(weeks, seed=4)
    assert lo[0] == pytest.approx(low) and hi[1] == pytest.approx(2 * high) and lo[2] == hi[2] == 0


def test_interval_uses_the_bootstrap_for_counts_and_the_t_interval_otherwise():
    counts, shares = np.array([3, 5, 4, 8]), np.array([0.3, 0.5, 0.4, 0.8])
    assert is_count(counts) and not is_count(shares)
    assert interval(shares, False, seed=1) == mean_ci(shares)
    assert interval(counts, True, seed=1) == bootstrap_ci(counts, seed=1)
    m, lo, hi = interval(np.column_stack([shares, shares]), False, seed=1)
    assert lo[0] == pytest.approx(mean_ci(shares)[1]) and hi[1] == pytest.approx(mean_ci(shares)[2])


def test_the_cost_per_averted_entry_is_unbounded_while_the_averted_entries_include_zero():
    cost = np.full(10, 1000.0)
    ratio, low, high = ratio_ci(cost, np.array([2, 3, 1, 2, 4, 2, 3, 1, 2, 2]), seed=1)
    assert ratio == pytest.approx(1000 / 2.2) and 0 < low < ratio < high < np.inf
    ratio, low, high = ratio_ci(cost, np.array([1, 0, 0, 0, 0, 2, 0, 0, 0, 0]), seed=1)
    assert ratio == pytest.approx(1000 / 0.3) and high == np.inf
    assert np.isnan(ratio_ci(cost, np.zeros(10), seed=1)[0])


def synthetic(averted: list[int]) -> ComparisonResult:
    """A comparison of two arms over len(averted) replications, without running the model."""
    reps = len(averted)
    base = pd.DataFrame({"arm": "baseline", "replication": range(reps), "seed": range(reps),
                         "phase_1": np.arange(reps) + 50, "entered_phase_2": np.full(reps, 5),
                         "mean_trust": np.linspace(0.6, 0.7, reps), "cost": np.zeros(reps)})
    arm = base.assign(arm="arm", entered_phase_2=5 - np.asarray(averted), phase_1=base.phase_1 - 10,
                      mean_trust=base.mean_trust + 0.05, cost=np.full(reps, 500.0))
    return ComparisonResult(Scenario(seed=3), pd.concat([base, arm], ignore_index=True), pd.DataFrame())


def test_comparison_tables_state_the_interval_and_when_the_cost_per_averted_entry_is_unbounded():
    bounded = synthetic([2, 3, 2, 1, 2, 3])
    t = bounded.table().set_index(["arm", "outcome"])
    assert t.loc[("arm", "phase_1"), "difference"] == -10 and t.loc[("arm", "phase_1"), "interval"] == \
        "percentile bootstrap"
    assert t.loc[("arm", "mean_trust"), "interval"] == "t"
    assert t.loc[("arm", COST_PER_AVERTED), "mean"] == pytest.approx(500 / (13 / 6))
    assert "no upper bound" not in bounded.cost_per_averted_text("arm")
    assert "no upper bound" in synthetic([0, 1, 0, 0, 0, 0]).cost_per_averted_text("arm")
    assert synthetic([0] * 6).cost_per_averted_text("arm").startswith("undefined")
    assert "## Paired differences to the baseline" in bounded.markdown()


# --- a small real comparison ------------------------------------------------------------------------------------------

def markdown_table(text: str, heading: str) -> pd.DataFrame:
    """The Markdown table under ``## heading`` as strings, one row per arm."""
    block = text.split(f"## {heading}")[1].split("\n## ")[0]
    rows = [[c.strip() for c in line.strip().strip("|").split("|")] for line in block.splitlines()
            if line.startswith("|") and not line.startswith("|---")]
    return pd.DataFrame(rows[1:], columns=rows[0]).set_index("arm")


def numbers(cell: str) -> list[float]:
    return [float(x.replace(",", "")) for x in re.findall(r"[+-]?[\d,]*\.?\d+", cell)]


@pytest.fixture(scope="module")
def comparison(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cmp")
    res = radsim("compare", "combined.toml", "--replications", "3", "--residents", "300", "--steps", "60",
                 "--workers", "1", "--out", "cmp", cwd=folder)
    assert res.returncode == 0, res.stderr
    return folder / "cmp", res


def test_comparison_md_holds_the_paired_differences_and_intervals_of_counts_that_respect_zero(comparison):
    out, _ = comparison
    text = (out / "comparison.md").read_text()
    runs = pd.read_csv(out / "runs.csv")
    base = runs[runs.arm == "baseline"].set_index("replication")
    diffs = markdown_table(text, "Paired differences to the baseline")
    assert list(diffs.index) == ["package", "imprecise signalling alone"]
    for arm in diffs.index:
        mine = runs[runs.arm == arm].set_index("replication")
        for key, label in HEADLINE.items():
            expected = (mine[key] - base[key]).mean()
            mean, low, high = numbers(diffs.loc[arm, f"{label} difference"])
            assert mean == pytest.approx(expected, abs=0.051 if abs(expected) >= 10 or key != "mean_trust"
                                         else 0.0006), (arm, key)
            assert low <= mean <= high
    means = markdown_table(text, "Mean per arm")
    for label in ("phase 1", "phase 2", "phase 3", "entered phase 2", "entered phase 3"):
        for cell in means[label]:
            assert numbers(cell)[1] >= 0, (label, cell)          # a count's interval never goes below zero
    cost = markdown_table(text, "Cost per averted entry into phase 2")
    for cell in cost["cost per averted entry"]:
        assert cell.startswith("undefined") or "no upper bound" in cell or re.match(r"[\d,]+ \[[\d,]+, [\d,]+\]$", cell)
    assert "percentile bootstrap" in text and "seeded with the scenario's seed 1" in text
    table = pd.read_csv(out / "comparison.csv")
    counts = table[table.interval == "percentile bootstrap"]
    assert set(counts.outcome) >= {"phase_2", "entered_phase_2"} and (counts.ci_low >= 0).all()


def test_a_comparison_in_a_log_file_prints_progress_lines_and_unwrapped_summaries(comparison):
    out, res = comparison
    lines = res.stderr.splitlines()
    assert "compare: 9/9 runs, 100%" in lines[-1] and "elapsed" in lines[-1]
    assert any(line.startswith("compare: 1/9 runs, 11%") for line in lines)
    assert "running in this process" in res.stdout.splitlines()[1]
    summary = [line for line in res.stdout.splitlines() if "cost per averted entry" in line]
    assert summary and all("phase 1" in line for line in summary)       # one line per arm, not wrapped at 80
    assert len(pd.read_parquet(out / "trajectories.parquet")) == 3 * 3 * 61


def test_trajectories_have_units_marks_and_a_difference_panel():
    from experiments.plots import plot_trajectories

    rng = np.random.default_rng(1)
    rows = [{"arm": arm, "replication": rep, "step": step, "phase_1": int(rng.integers(0, 5)),
             "mean_trust": float(rng.random())} for arm in ("baseline", "club") for rep in range(3)
            for step in range(40)]
    scenario = {"name": "t", "seed": 1, "parameters": {"attack_weeks": [30]},
                "interventions": [{"type": "intergroup_contact", "arm": "club", "start": 10, "duration": 5}]}
    fig = plot_trajectories(pd.DataFrame(rows), scenario, None, ["phase_1", "mean_trust"])
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert len(axes) == 4 and all(ax.get_ylabel() for ax in axes)
    levels, differences = axes[:2], axes[2:]
    assert levels[0].get_ylabel() == "residents" and levels[1].get_ylabel() == "mean (0-1 scale)"
    assert all(ax.get_xlabel() == "week" for ax in differences)
    assert "difference to the baseline" in differences[0].get_title()
    texts = [t.get_text().strip() for t in levels[0].texts]
    assert texts == ["attack (week 30)", "club starts (week 10)", "club ends (week 15)"]
    weeks = {line.get_xdata()[0] for line in differences[1].lines if len(set(line.get_xdata())) == 1}
    assert weeks == {10, 15, 30}
    assert differences[0].collections, "the difference has its band"


# --- progress in a log file ------------------------------------------------------------------------------------------

def test_plain_progress_prints_every_tenth_and_at_a_steady_interval():
    from experiments.cli import PlainProgress, duration_text

    buffer = io.StringIO()
    with PlainProgress("sweep", "runs", 20, interval=0.2, console=Console(file=buffer, width=40)) as p:
        for done in range(21):
            p.update(done)
    lines = buffer.getvalue().splitlines()
    assert [line.split(",")[0] for line in lines] == [f"sweep: {k}/20 runs" for k in range(0, 21, 2)]
    assert lines[10].startswith("sweep: 20/20 runs, 100%, 0 s elapsed")
    buffer = io.StringIO()
    with PlainProgress("validate", "runs", None, interval=0.2, console=Console(file=buffer)) as p:
        p.update(3)
        time.sleep(0.7)                    # no progress: still a line every 0.2 s
    assert buffer.getvalue().count("validate: 3 runs") >= 3
    assert duration_text(70) == "1 min 10 s" and duration_text(7300) == "2 h 1 min"


# --- export and plot ----------------------------------------------------------------------------------------------

SWEEP = """[sweep]
name = "round trip"
design = "grid"
grid_levels = 2
replications = 2
seed = 3
steps = 8
outcomes = ["phase_1", "mean_trust", "cost"]
timeseries = ["phase_1", "mean_trust"]
[uncertainties]
segregation = { low = 0.2, high = 0.8 }
[levers]
memberships_mean = { values = [0.5, 2.0] }
[constants]
n_residents = 150
"""


@pytest.fixture(scope="module")
def sweep_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sweep")
    (folder / "sw.toml").write_text(SWEEP)
    res = radsim("sweep", "sw.toml", "--out", "s", "--workers", "1", cwd=folder)
    assert res.returncode == 0, res.stderr
    assert "starting a local Dask cluster of 1 worker process" in res.stdout
    assert res.stderr.splitlines()[-1].startswith("sweep: 8/8 runs, 100%")
    return folder


def test_export_round_trips_a_sweep(sweep_folder):
    from experiments.sweep import read_results, read_timeseries

    res = radsim("export", "s", "--format", "csv", "--out", "c", cwd=sweep_folder)
    assert res.returncode == 0, res.stderr
    assert sorted(p.name for p in (sweep_folder / "c").iterdir()) == ["results.csv", "timeseries.csv"]
    res = radsim("export", "c", "--format", "parquet", "--out", "p", cwd=sweep_folder)
    assert res.returncode == 0, res.stderr
    pd.testing.assert_frame_equal(pd.read_parquet(sweep_folder / "p" / "results.parquet"),
                                  read_results(sweep_folder / "s"))
    pd.testing.assert_frame_equal(pd.read_parquet(sweep_folder / "p" / "timeseries.parquet"),
                                  read_timeseries(sweep_folder / "s"))
    res = radsim("export", "s", "--format", "csv", cwd=sweep_folder)          # beside the Parquet
    assert res.returncode == 0 and (sweep_folder / "s" / "results.csv").is_file()
    assert (sweep_folder / "s" / "results.parquet").is_dir()                # the dataset stays as it was
    res = radsim("export", "s", "--format", "parquet", cwd=sweep_folder)
    assert res.returncode == 0 and "nothing to convert" in res.stdout


def test_export_converts_a_comparison_and_a_run(comparison, tmp_path):
    out, _ = comparison
    res = radsim("export", str(out), "--format", "parquet", "--out", "x", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert {p.name for p in (tmp_path / "x").iterdir()} == {"comparison.parquet", "runs.parquet",
                                                            "trajectories.parquet"}
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "x" / "runs.parquet"), pd.read_csv(out / "runs.csv"))


def test_plot_draws_a_sweep_with_its_time_series(sweep_folder):
    res = radsim("plot", "s", cwd=sweep_folder)
    assert res.returncode == 0, res.stderr
    names = {p.name for p in (sweep_folder / "s" / "plots").iterdir()}
    assert {"phase_1.png", "heatmap_phase_1.png", "timeseries.png"} <= names
    res = radsim("plot", "s", "--outcome", "cost", cwd=sweep_folder)       # recorded at the end only
    assert res.returncode == 0 and "timeseries.png" not in res.stdout


def test_plot_draws_a_comparison_and_a_run(comparison, tmp_path):
    out, _ = comparison
    res = radsim("plot", str(out), cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert (out / "plots" / "trajectories.png").stat().st_size > 20_000
    res = radsim("run", "--residents", "200", "--steps", "5", "--out", "r", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    res = radsim("plot", "r", "--outcome", "mean_trust", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert res.stdout.split() == ["wrote", "r/plots/timeseries.png"]
    res = radsim("plot", "r", cwd=tmp_path)
    assert {p.name for p in (tmp_path / "r" / "plots").iterdir()} == {"phases.png", "timeseries.png"}
