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
from experiments.sweep import SweepError, _run_batch, load_sweep, read_results, read_timeseries, runs_table
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


# --- sensitivity of a policy contrast (issue 15) ---------------------------------------------------------------------

CONTRAST = """
[sweep]
name = "tiny contrast"
design = "morris"
samples = 4
replications = 1
seed = 5
steps = 40
batch_size = 4
outcomes = ["phase_1"]

[uncertainties]
societal_discrimination = { low = 0.1, high = 0.5 }
interventions.inclusion_policy.fairness_gap_closed = { low = 0.0, high = 1.0 }
# the policy serves everybody, so nobody feels neglected: neglect_felt cannot change the arm
interventions.inclusion_policy.neglect_felt = { low = 0.0, high = 1.0 }

[constants]
n_residents = 300

[contrast]
outcomes = ["mean_trust", "phase_1"]
[[contrast.interventions]]
type = "inclusion_policy"
start = 5
intensity = 0.8
"""


@pytest.fixture(scope="module")
def contrast_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("contrast")
    (out / "c.toml").write_text(CONTRAST)
    spec = load_sweep(out / "c.toml")
    table = run_sensitivity(spec, out / "run", workers=2, inputs=[out / "c.toml"])
    return spec, out, table


def test_an_arm_that_cannot_act_has_a_contrast_of_exactly_zero_in_every_run(tmp_path):
    text = (CONTRAST.replace("intensity = 0.8", "intensity = 0.0")
            .replace('outcomes = ["phase_1"]', 'outcomes = ["phase_1"]\ntimeseries = ["phase_1"]')
            .replace('outcomes = ["mean_trust", "phase_1"]',
                     'outcomes = ["mean_trust", "phase_1", "entered_phase_2", "mean_prejudice", "polarisation"]'))
    (tmp_path / "zero.toml").write_text(text)
    spec = load_sweep(tmp_path / "zero.toml")
    runs = runs_table(spec)
    results, series = _run_batch(spec.model_dump_json(), runs.to_dict("records"))
    assert len(results) == 4 * (3 + 1) and series is not None     # the baseline records its series, the arm not
    for o in spec.contrast_outcomes:
        # common random numbers: the same seed, and an intervention at intensity 0 changes nothing
        assert (results[f"contrast_{o}"] == 0).all(), o
        assert (results[f"arm_{o}"] == results[o]).all(), o
    assert results.mean_trust.nunique() > 1                          # while the baseline itself varies
    t = analyze(spec, results)
    assert list(dict.fromkeys(t.outcome)) == [f"contrast_{o}" for o in spec.contrast_outcomes]
    assert (t[["mu_star", "sigma", "mu"]] == 0).all().all()


def test_a_strength_of_the_intervention_drives_the_contrast_and_a_field_that_cannot_act_does_not(contrast_run):
    spec, out, table = contrast_run
    run = out / "run"
    results = read_results(run)
    assert len(results) == 4 * (3 + 1)
    assert {"mean_trust", "arm_mean_trust", "contrast_mean_trust", "contrast_phase_1"} <= set(results.columns)
    np.testing.assert_allclose(results.contrast_mean_trust, results.arm_mean_trust - results.mean_trust)
    assert (results.contrast_mean_trust > 0).mean() > 0.5          # a fairer treatment raises trust
    trust = table[table.outcome == "contrast_mean_trust"].set_index("factor")
    gap = "interventions.inclusion_policy.fairness_gap_closed"
    neglect = "interventions.inclusion_policy.neglect_felt"
    assert list(trust.index) == ["societal_discrimination", gap, neglect]
    assert trust.mu_star.idxmax() == gap and trust.loc[gap, "mu_star"] > 0.05
    assert trust.loc[gap, "mu_star"] > 2 * trust.loc[gap, "mu_star_conf"]          # clearly non-zero
    # neglect is felt only by the backgrounds a targeted policy leaves out, and this one serves everybody: in one
    # run (one seed) neglect_felt cannot change the contrast; across design points (each its own seed) its
    # elementary effects are the seeds' noise only, far below those of the policy's strength
    assert trust.loc[neglect, "mu_star"] < trust.loc[gap, "mu_star"] / 10
    run0 = results.iloc[0][["run_id", "point", "replication", "seed", *spec.factors]].to_dict()
    runs = [{**run0, neglect: v} for v in (0.0, 0.5, 1.0)]
    same, _ = _run_batch(spec.model_dump_json(), runs)
    assert same.contrast_mean_trust.nunique() == 1 and same.contrast_phase_1.nunique() == 1
    assert same.contrast_mean_trust.iloc[0] == results.contrast_mean_trust.iloc[0]
    md = (run / "indices.md").read_text()
    assert "of a policy contrast" in md
    assert "is the arm (inclusion_policy) minus the baseline, run with the same seed" in md
    assert "common random numbers" in md and "| contrast_mean_trust | " in md
    assert (run / "indices.png").stat().st_size > 0
    assert pd.read_csv(run / "indices.csv").outcome.unique().tolist() == ["contrast_mean_trust", "contrast_phase_1"]


def test_a_contrast_sweep_is_reproducible_and_resumable(contrast_run, tmp_path):
    spec, out, table = contrast_run
    again = run_sensitivity(load_sweep(out / "c.toml"), tmp_path / "again", workers=1)
    pd.testing.assert_frame_equal(again, table)
    cols = ["run_id", "seed", *spec.factors, "mean_trust", "arm_mean_trust", "contrast_mean_trust", "contrast_phase_1"]
    first = read_results(out / "run")[cols]
    pd.testing.assert_frame_equal(read_results(tmp_path / "again")[cols], first)
    parts = sorted((tmp_path / "again" / "results.parquet").glob("part-*.parquet"))
    parts[-1].unlink()                                              # lose the last batch; run again to resume
    resumed = run_sensitivity(load_sweep(out / "c.toml"), tmp_path / "again", workers=1)
    pd.testing.assert_frame_equal(resumed, table)
    pd.testing.assert_frame_equal(read_results(tmp_path / "again")[cols], first)


def test_contrast_errors_are_one_line(tmp_path):
    arm = CONTRAST.split("[[contrast.interventions]]")
    for name, text, message in [
        ("field", CONTRAST.replace("fairness_gap_closed = {", "trust_gain = {"),
         "uncertainties.interventions.inclusion_policy.trust_gain: not a coefficient of inclusion_policy; one of "
         "intensity, discrimination_relief, fairness_gap_closed, neglect_felt"),
        ("empty", arm[0], "contrast.interventions: a contrast needs its arm"),
        ("outcome", CONTRAST.replace('"mean_trust", "phase_1"]', '"mean_trust", "happiness"]'),
         "contrast.outcomes: unknown outcome 'happiness'; one of phase_0"),
        ("other", CONTRAST.replace("inclusion_policy.neglect_felt", "key_figures.care"),
         "uncertainties.interventions.key_figures.care: the contrast's arm has no key_figures intervention"),
        ("nocontrast", CONTRAST.split("[contrast]")[0],
         "uncertainties.interventions.inclusion_policy.fairness_gap_closed: an intervention's field can only be a "
         "factor of a contrast"),
        ("range", CONTRAST.replace("{ low = 0.0, high = 1.0 }\n#", "{ low = 0.0, high = 2.0 }\n#"),
         "fairness_gap_closed.high: 2.0 is out of range; allowed range 0.0 to 1.0"),
    ]:
        path = tmp_path / f"{name}.toml"
        path.write_text(text)
        if name in ("field", "empty", "outcome"):               # through the command line
            res = cli("sensitivity", path, "--out", tmp_path / "o")
            assert res.returncode == 2 and message in res.stderr, (name, res.stderr)
            assert len(res.stderr.strip().splitlines()) == 1, res.stderr
        else:                                                   # the same messages, faster in this process
            with pytest.raises(SweepError) as err:
                load_sweep(path)
            assert message in str(err.value) and "\n" not in str(err.value), (name, err.value)
    assert not (tmp_path / "o").exists()
