"""`radsim calibrate`: ABC recovers known parameters from targets the model generated with them."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from experiments.calibrate import CalibrationSpec, abc_posterior, load_calibration
from experiments.examples import example_path
from experiments.ema import simulate
from experiments.sweep import SweepError

TRUTH = {"societal_discrimination": 0.3, "institutional_fairness": 0.75}


def test_abc_on_a_toy_problem_recovers_the_mean():
    # y = theta + noise: the ABC posterior of theta must centre on the observation
    rng = np.random.default_rng(0)
    theta = rng.uniform(0, 10, size=(4000, 1))
    y = theta + rng.normal(0, 0.5, size=theta.shape)
    for adjust in (False, True):
        samples, w, _ = abc_posterior(theta, y, np.array([4.0]), accept=0.05, adjust=adjust)
        mean = float(np.sum(w * samples[:, 0]))
        sd = float(np.sqrt(np.sum(w * (samples[:, 0] - mean) ** 2)))
        assert mean == pytest.approx(4.0, abs=0.15)
        assert 0.2 < sd < 0.8                              # close to the true posterior sd, 0.5


def test_calibrate_recovers_known_parameters_within_its_uncertainty(tmp_path):
    observed = simulate(steps=80, rng=99, n_residents=800, **TRUTH)
    targets = {k: observed[k] for k in ("phase_1", "mean_trust", "mean_discrimination_minority")}
    lines = ["[calibration]", 'name = "synthetic"', "samples = 100", "accept = 0.2", "seed = 4", "steps = 80",
             "batch_size = 10", "[targets]", *(f"{k} = {v!r}" for k, v in targets.items()), "[free]",
             "societal_discrimination = { low = 0.1, high = 0.5 }",
             "institutional_fairness = { low = 0.5, high = 0.9 }", "[constants]", "n_residents = 800"]
    path = tmp_path / "cal.toml"
    path.write_text("\n".join(lines) + "\n")
    res = subprocess.run([sys.executable, "-m", "experiments", "calibrate", str(path), "--out", str(tmp_path / "o")],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr[-2000:]
    fitted = pd.read_csv(tmp_path / "o" / "fitted.csv").set_index("parameter")
    prior_sd = 0.4 / np.sqrt(12)
    for name, true in TRUTH.items():
        r = fitted.loc[name]
        assert r.ci_low <= true <= r.ci_high, (name, true, r.to_dict())
        assert r.sd < prior_sd / 3                          # the targets carry information
    report = (tmp_path / "o" / "calibration.md").read_text()
    assert report.count("| `") == len(TRUTH) + len(targets)       # the fitted parameters, then the fit per target
    fit = pd.read_csv(tmp_path / "o" / "fit.csv")
    for name, value in targets.items():                          # the accepted draws come close to each target
        simulated = fit[f"simulated_{name}"]
        assert simulated.min() <= value <= simulated.max() or abs(simulated.mean() - value) < 0.1 * abs(value)
    assert (tmp_path / "o" / "posterior.png").stat().st_size > 5000


@pytest.mark.parametrize("body, message", [
    ("[targets]\nhappiness = 1\n[free]\nsegregation = { low = 0, high = 1 }\n", "targets.happiness: unknown outcome"),
    ("[targets]\nphase_1 = 1\n", "free: give at least one free parameter"),
    ("[targets]\nphase_1 = 1\n[free]\nsegregation = { values = [0.1, 0.2] }\n", "free.segregation: give a range"),
    ("[calibration]\nsamples = 10\naccept = 0.1\n[targets]\nphase_1 = 1\n[free]\nsegregation = { low = 0, high = 1 }\n",
     "keeps fewer than 2 draws"),
    ("[targets]\nphase_1 = 1\n[free]\ncolour = { low = 0, high = 1 }\n", "colour: unknown parameter"),
])
def test_bad_calibration_files_one_line_error(tmp_path, body, message):
    path = tmp_path / "bad.toml"
    path.write_text(body)
    with pytest.raises(SweepError, match=message):
        load_calibration(path)
    res = subprocess.run([sys.executable, "-m", "experiments", "calibrate", str(path), "--out", str(tmp_path / "o")],
                         capture_output=True, text=True)
    assert res.returncode == 2 and message in res.stderr and len(res.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("name", ["trust_discrimination.toml", "national_prevalence.toml"])
def test_example_calibration_files_are_valid(name):
    spec = load_calibration(example_path(name))
    assert isinstance(spec, CalibrationSpec) and spec.sweep().design == "lhs"


def test_the_national_calibration_ties_online_recruiters_and_averages_over_time():
    spec = load_calibration(example_path("national_prevalence.toml")).sweep()
    assert spec.tied == {"online_recruiter_approaches": "recruiter_approaches",
                         "anti_minority_online_recruiter_approaches": "anti_minority_recruiter_approaches"}
    assert 0 < spec.average_weeks < spec.steps
