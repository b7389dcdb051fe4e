"""Sweeps: designs, deterministic seeds, identical results with any number of workers, resume after kill -9."""

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest

from experiments.examples import examples
from experiments.seeds import replication_seed
from experiments.sweep import SweepError, design, load_sweep, read_results, run_sweep, runs_table

TINY = """
[sweep]
name = "tiny"
design = "{design}"
samples = {samples}
replications = 2
seed = 3
steps = {steps}
batch_size = 2
outcomes = ["phase_1", "phase_2", "entered_phase_2", "mean_trust"]

[uncertainties]
societal_discrimination = {{ low = 0.1, high = 0.5 }}

[levers]
memberships_mean = {{ low = 0.5, high = 2.0 }}

[constants]
n_residents = 300
"""


def sweep_file(tmp_path, design="lhs", samples=4, steps=20, name="s.toml"):
    path = tmp_path / name
    path.write_text(TINY.format(design=design, samples=samples, steps=steps))
    return path


def test_designs_have_the_expected_shape_and_bounds(tmp_path):
    lhs = design(load_sweep(sweep_file(tmp_path, "lhs", 8)))
    assert lhs.shape == (8, 2)
    for col, (lo, hi) in {"societal_discrimination": (0.1, 0.5), "memberships_mean": (0.5, 2.0)}.items():
        x = lhs[col].to_numpy()
        assert ((x >= lo) & (x <= hi)).all()
        strata = np.floor((x - lo) / (hi - lo) * 8).clip(0, 7)
        assert sorted(strata) == list(range(8))           # one point per stratum: a Latin hypercube
    assert design(load_sweep(sweep_file(tmp_path, "sobol", 8))).shape == (8 * (2 + 2), 2)   # Saltelli N(D+2)
    assert design(load_sweep(sweep_file(tmp_path, "morris", 5))).shape == (5 * (2 + 1), 2)
    grid = design(load_sweep(sweep_file(tmp_path, "grid", 1)))
    assert grid.shape == (9, 2) and grid["societal_discrimination"].nunique() == 3


def test_run_seeds_depend_only_on_sweep_seed_and_run_id(tmp_path):
    runs = runs_table(load_sweep(sweep_file(tmp_path)))
    assert list(runs.run_id) == list(range(8))
    assert runs.seed.is_unique
    assert replication_seed(3, 5) == runs.loc[5, "seed"] and replication_seed(4, 5) != replication_seed(3, 5)


def test_same_results_with_one_two_or_four_workers_and_after_a_resume(tmp_path):
    spec = load_sweep(sweep_file(tmp_path))
    a = run_sweep(spec, tmp_path / "a", workers=1)
    b = run_sweep(spec, tmp_path / "b", workers=2)
    d = run_sweep(spec, tmp_path / "d", workers=4)
    cols = [c for c in a.columns if c != "wall_seconds"]
    assert len(a) == 8 and a.run_id.is_unique
    pd.testing.assert_frame_equal(a[cols], b[cols])
    pd.testing.assert_frame_equal(a[cols], d[cols])
    parts = sorted((tmp_path / "b" / "results.parquet").glob("part-*.parquet"))
    for p in parts[: len(parts) // 2]:
        p.unlink()                                        # as if the sweep had stopped half-way
    assert len(read_results(tmp_path / "b")) < 8
    c = run_sweep(spec, tmp_path / "b", workers=2)
    pd.testing.assert_frame_equal(a[cols], c[cols])


def test_resume_after_kill_9_loses_and_duplicates_nothing(tmp_path):
    path = sweep_file(tmp_path, samples=12, steps=120)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "experiments", "sweep", str(path), "--out", str(out), "--workers", "2"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    folder = out / "results.parquet"
    deadline = time.time() + 120
    while time.time() < deadline and len(list(folder.glob("part-*.parquet"))) < 2:
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)                   # the client and its workers
    proc.wait()
    partial = read_results(out)
    assert 0 < len(partial) < 24, len(partial)
    res = subprocess.run(cmd, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    final = read_results(out)
    assert list(final.run_id) == list(range(24))
    clean = run_sweep(load_sweep(path), tmp_path / "clean", workers=2)
    cols = [c for c in clean.columns if c != "wall_seconds"]
    pd.testing.assert_frame_equal(final[cols], clean[cols])


BAD = [
    ("[uncertainties]\ncolour = { low = 0, high = 1 }\n", "uncertainties.colour: unknown parameter"),
    ("[uncertainties]\nsegregation = { low = 0.5, high = 0.5 }\n", "the range is empty"),
    ("[uncertainties]\nsegregation = { low = 0.8, high = 0.2 }\n", "low 0.8 is above high 0.2"),
    ("[uncertainties]\nsegregation = { low = 0.2, high = 1.5 }\n", "segregation: 1.5 is out of range"),
    ("[levers]\nmemberships_mean = { values = [] }\n", "values: the list is empty"),
    ("[sweep]\ndesign = 'sobol'\n[levers]\nmemberships_mean = { values = [1, 2] }\n", "sobol needs ranges"),
    ("[sweep]\noutcomes = ['happiness']\n[levers]\nmemberships_mean = { values = [1, 2] }\n", "unknown outcome 'happiness'"),
    ("[sweep]\nspeed = 3\n[levers]\nmemberships_mean = { values = [1, 2] }\n", "unknown key 'speed'"),
    ("[sweep]\n", "give at least one uncertainty or lever"),
    ("[sweep]\ntimeseries = ['mood']\n[levers]\nmemberships_mean = { values = [1, 2] }\n", "timeseries: unknown outcome"),
    ("[sweep]\nsteps = 10\naverage_weeks = 11\n[levers]\nmemberships_mean = { values = [1, 2] }\n",
     "average_weeks: 11 is more than the run's 10 steps"),
    ("[levers]\nmemberships_mean = { values = [1, 2] }\n[tied]\nsegregation = 'colour'\n",
     "tied.segregation: 'colour' is not a model parameter varied in this file"),
    ("[levers]\nmemberships_mean = { values = [1, 2] }\n[tied]\nhue = 'memberships_mean'\n", "tied.hue: unknown parameter"),
    ("[levers]\nmemberships_mean = { values = [1, 2] }\n[tied]\nsegregation = 'memberships_mean'\n",
     "tied.segregation: takes the values of memberships_mean, and segregation: 2.0 is out of range"),
]


@pytest.mark.parametrize("content, message", BAD)
def test_bad_sweep_files_one_line_error(tmp_path, content, message):
    path = tmp_path / "bad.toml"
    path.write_text(content)
    with pytest.raises(SweepError, match=message.replace("(", r"\(").replace("[", r"\[")):
        load_sweep(path)
    res = subprocess.run([sys.executable, "-m", "experiments", "sweep", str(path), "--out", str(tmp_path / "o")],
                         capture_output=True, text=True)
    assert res.returncode == 2 and message in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1, res.stderr
    assert not (tmp_path / "o").exists()


def test_unreachable_scheduler_is_a_one_line_error(tmp_path):
    res = subprocess.run([sys.executable, "-m", "experiments", "sweep", str(sweep_file(tmp_path)), "--out",
                          str(tmp_path / "o"), "--scheduler", "tcp://127.0.0.1:9"], capture_output=True, text=True)
    assert res.returncode == 2 and "'--scheduler': cannot reach tcp://127.0.0.1:9" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


def test_example_sweep_files_are_valid():
    files = examples("sweeps")
    assert files
    for f in files:
        assert len(runs_table(load_sweep(f))) > 0


def test_tied_parameters_and_averaged_outcomes(tmp_path):
    """A tied parameter takes its factor's value in each run (the run equals a model built by hand with it);
    ``average_weeks`` gives each outcome's mean over the last weeks of that same run."""
    from model import RadicalisationModel

    text = TINY.format(design="lhs", samples=2, steps=30).replace(
        "[constants]", "[tied]\ninstitutional_fairness = \"societal_discrimination\"\n\n[constants]")
    text = text.replace("batch_size = 2", "batch_size = 2\naverage_weeks = 10")
    path = tmp_path / "tied.toml"
    path.write_text(text)
    spec = load_sweep(path)
    got = run_sweep(spec, tmp_path / "o", workers=1).set_index("run_id")
    for run in runs_table(spec).to_dict("records"):
        m = RadicalisationModel(rng=int(run["seed"]), n_residents=300, memberships_mean=run["memberships_mean"],
                                societal_discrimination=run["societal_discrimination"],
                                institutional_fairness=run["societal_discrimination"])
        m.run_for(20)
        weeks = []
        for _ in range(10):
            m.step()
            weeks.append(m.outcomes())
        for o in spec.outcomes:
            assert got.loc[run["run_id"], o] == pytest.approx(np.mean([w[o] for w in weeks]), rel=1e-12)
    assert got["phase_1"].nunique() > 1
