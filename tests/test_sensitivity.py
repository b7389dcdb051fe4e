"""Sensitivity analysis (SALib) on toy problems with known indices, on a real sweep, plots, time series, EMA."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

from experiments.sensitivity import analyze, indices, run_sensitivity
from experiments.seeds import replication_seed
from experiments.sweep import load_sweep, read_results, read_timeseries
from experiments.sweep_plots import outcome_by_factor, plot_sweep

ISHIGAMI = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}


def ishigami(X, a=7.0, b=0.1):
    return np.sin(X[:, 0]) + a * np.sin(X[:, 1]) ** 2 + b * X[:, 2] ** 4 * np.sin(X[:, 0])


def test_sobol_recovers_the_analytic_indices_of_the_ishigami_function():
    # analytic values (Ishigami & Homma 1990; Saltelli et al. 2008, p. 179) for a = 7, b = 0.1
    s1 = np.array([0.3139, 0.4424, 0.0])
    st = np.array([0.5576, 0.4424, 0.2437])
    X = sobol_sample.sample(ISHIGAMI, 4096, calc_second_order=False, seed=1)
    t = indices(ISHIGAMI, X, {"y": ishigami(X)}, "sobol", seed=1)
    assert list(t.factor) == ["x1", "x2", "x3"]
    np.testing.assert_allclose(t.S1, s1, atol=0.04)
    np.testing.assert_allclose(t.ST, st, atol=0.04)
    assert (t.S1_conf > 0).all() and (t.S1_conf < 0.1).all()
    covered = (np.abs(t.ST - st) <= 2 * t.ST_conf).mean()
    assert covered >= 2 / 3                               # the CIs are honest, not decorative


def test_morris_ranks_a_linear_function_by_its_coefficients():
    problem = {"num_vars": 3, "names": ["big", "small", "none"], "bounds": [[0, 1], [0, 1], [0, 1]]}
    X = morris_sample.sample(problem, 20, num_levels=4, seed=2)
    y = 5 * X[:, 0] + 1 * X[:, 1] + 0 * X[:, 2]
    t = indices(problem, X, {"y": y}, "morris", seed=2).set_index("factor")
    np.testing.assert_allclose(t.mu_star, [5, 1, 0], atol=1e-9)   # elementary effects of a linear function
    np.testing.assert_allclose(t.sigma, [0, 0, 0], atol=1e-9)     # no interaction, no non-linearity


def test_a_constant_outcome_has_zero_indices():
    X = sobol_sample.sample(ISHIGAMI, 64, calc_second_order=False, seed=1)
    t = indices(ISHIGAMI, X, {"flat": np.ones(len(X))}, "sobol")
    assert (t[["S1", "ST"]] == 0).all().all()


SOBOL = """
[sweep]
name = "tiny sobol"
design = "sobol"
samples = 8
replications = 1
seed = 3
steps = 30
batch_size = 4
outcomes = ["phase_1", "mean_trust"]
timeseries = ["phase_1", "mean_trust"]

[uncertainties]
societal_discrimination = { low = 0.1, high = 0.5 }
institutional_fairness = { low = 0.5, high = 0.9 }

[levers]
memberships_mean = { low = 0.5, high = 2.0 }

[constants]
n_residents = 300
"""


@pytest.fixture(scope="module")
def sobol_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("sobol")
    (out / "s.toml").write_text(SOBOL)
    spec = load_sweep(out / "s.toml")
    table = run_sensitivity(spec, out / "run", workers=2)
    return spec, out, table


def test_sobol_sweep_writes_indices_and_finds_the_trust_driver(sobol_run):
    spec, out, table = sobol_run
    run = out / "run"
    for name in ("indices.csv", "indices.md", "indices.png"):
        assert (run / name).stat().st_size > 0
    assert len(read_results(run)) == 8 * (3 + 2)
    assert set(table.columns) >= {"S1", "S1_conf", "ST", "ST_conf"}
    trust = table[table.outcome == "mean_trust"].set_index("factor")
    # institutional fairness sets trust directly (ODD E7); it must dominate the total indices
    assert trust.ST.idxmax() == "institutional_fairness"
    assert trust.loc["institutional_fairness", "ST"] > 3 * trust.drop("institutional_fairness").ST.max()
    pd.testing.assert_frame_equal(analyze(spec, read_results(run)), table)   # the analysis is deterministic


def test_per_step_series_are_recorded_for_every_run(sobol_run):
    spec, out, _ = sobol_run
    ts = read_timeseries(out / "run")
    assert list(ts.columns) == ["run_id", "step", "phase_1", "mean_trust"]
    steps = spec.steps + 1                                    # the initial state (step 0) and every step
    assert len(ts) == 40 * steps and ts.groupby("run_id").size().eq(steps).all()
    last = ts[ts.step == ts.step.max()].set_index("run_id")
    res = read_results(out / "run").set_index("run_id")
    np.testing.assert_allclose(last.phase_1, res.phase_1)     # the last week is the run's outcome


def test_plots_show_each_outcome_against_each_factor_and_a_heatmap(sobol_run):
    _, out, _ = sobol_run
    paths = plot_sweep(out / "run")
    assert sorted(p.name for p in paths) == ["heatmap_mean_trust.png", "heatmap_phase_1.png",
                                             "mean_trust.png", "phase_1.png"]
    assert all(p.stat().st_size > 5000 for p in paths)
    g = outcome_by_factor(read_results(out / "run"), "institutional_fairness", "mean_trust")
    assert g["mean"].iloc[-1] > g["mean"].iloc[0]              # fairer institutions, more trust
    assert (g.low <= g["mean"]).all() and (g["mean"] <= g.high).all()


def cli(*args):
    return subprocess.run([sys.executable, "-m", "experiments", *map(str, args)], capture_output=True, text=True)


def test_sensitivity_cli_errors_are_one_line(tmp_path, sobol_run):
    grid = tmp_path / "grid.toml"
    grid.write_text("[sweep]\ndesign = 'grid'\n[levers]\nmemberships_mean = { values = [1, 2] }\n")
    for args, message in [
        ((grid, "--out", tmp_path / "o"), "give --method sobol or --method morris"),
        ((grid, "--out", tmp_path / "o", "--method", "sobol"), "sobol needs ranges"),
        ((tmp_path / "missing.toml", "--out", tmp_path / "o", "--method", "morris"), "missing.toml"),
    ]:
        res = cli("sensitivity", *args)
        assert res.returncode == 2 and message in res.stderr, res.stderr
        assert len(res.stderr.strip().splitlines()) == 1, res.stderr
    assert not (tmp_path / "o").exists()
    res = cli("plot", tmp_path)
    assert res.returncode == 2 and "holds no sweep" in res.stderr
    res = cli("plot", sobol_run[1] / "run", "--outcome", "happiness")
    assert res.returncode == 2 and "'happiness' was not recorded" in res.stderr


def test_ema_workbench_runs_radsim_as_a_replicator_model():
    pytest.importorskip("ema_workbench")
    from ema_workbench import perform_experiments

    from experiments.ema import ema_model, simulate

    model = ema_model(uncertainties={"societal_discrimination": {"low": 0.1, "high": 0.5}},
                      levers={"memberships_mean": {"values": [0.5, 2.0]}}, constants={"n_residents": 200},
                      outcomes=["phase_1", "mean_trust"], steps=10, replications=2, seed=3)
    experiments, outcomes = perform_experiments(model, scenarios=2, policies=2)
    assert len(experiments) == 4 and set(outcomes) == {"phase_1", "mean_trust"}
    row = experiments.iloc[0]
    params = {"societal_discrimination": row.societal_discrimination, "memberships_mean": row.memberships_mean,
              "n_residents": 200}
    direct = [simulate(steps=10, rng=replication_seed(3, k), **params)["mean_trust"] for k in range(2)]
    assert outcomes["mean_trust"][0] == pytest.approx(np.mean(direct))   # the mean over seeded replications
