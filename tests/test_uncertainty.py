"""radsim compare --uncertainty N: priors, parameter sets, probabilities with a known answer, reproducibility and
one-line errors (experiments/uncertainty.py)."""

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from experiments.scenario import scenario_from_dict
from experiments.uncertainty import (BETTER, DEFAULT_PRIORS, PriorsError, apply_set, draw_sets, fixed_parameters,
                                     load_posterior, load_priors, run_uncertainty, wilson)
from model.interventions import INTERVENTION_TYPES

FILES = ("uncertainty.md", "uncertainty.csv", "parameter_sets.csv", "uncertainty_runs.csv")


def radsim(*args):
    return subprocess.run([sys.executable, "-m", "experiments", *args], capture_output=True, text=True)


SCENARIO = """
[scenario]
name = "known answers"
steps = 30
seed = 3

[parameters]
n_residents = 600

[[interventions]]
type = "parent_support"
arm = "nothing"
intensity = 0.0

[[interventions]]
type = "inclusion_policy"
arm = "inclusion"
intensity = 1.0
"""


def known_scenario():
    import tomllib

    raw = tomllib.loads(SCENARIO)
    return scenario_from_dict({**raw["scenario"], "parameters": raw["parameters"],
                               "interventions": raw["interventions"]})


@pytest.fixture(scope="module")
def known():
    return run_uncertainty(known_scenario(), n_sets=5, replications=2, workers=1)


def test_the_shipped_priors_cover_every_intervention_coefficient_with_a_source():
    priors = load_priors()
    for kind, cls in INTERVENTION_TYPES.items():
        coefficients = {n for n, f in cls.model_fields.items()
                        if isinstance(f.json_schema_extra, dict) and f.json_schema_extra.get("coefficient")}
        given = set(priors.interventions.get(kind, {}))
        # a crisis response's threshold says when it acts, not how strongly: documented as not drawn
        assert coefficients - given <= {"response_threshold"}, kind
    for key, prior in priors.entries().items():
        assert prior.source and prior.mapping, key
        assert prior.placeholder == key.startswith("parameters."), key    # psychological priors are placeholders


def test_an_arm_that_cannot_work_ties_in_every_set_and_a_strong_arm_wins(known):
    t = known.table()
    nothing = t[(t.arm == "nothing") & (t.versus == "baseline") & t.better.isin(["lower", "higher"])]
    assert len(nothing) == len([o for o in BETTER if o in known.runs.columns])
    assert (nothing.ties == 5).all() and (nothing.p_better == 0.5).all() and (nothing.p_better_runs == 0.5).all()
    assert (nothing.difference == 0).all()
    trust = t[(t.arm == "inclusion") & (t.versus == "baseline") & (t.outcome == "mean_trust")].iloc[0]
    assert trust.p_better == 1.0 and trust.wins == 5 and trust.p_better_runs == 1.0
    assert trust.p_low == pytest.approx(wilson(5, 5)[0]) and trust.p_high == 1.0
    assert trust.difference > 0 and trust.difference_q025 > 0
    versus = t[(t.arm == "nothing") & (t.versus == "inclusion") & (t.outcome == "mean_trust")].iloc[0]
    assert versus.p_better == 0.0 and versus.losses == 5       # arm against arm: the arms in their order
    assert "nothing vs baseline" in known.markdown() and "0.50 [" in known.markdown()


def test_every_arm_and_set_shares_the_replications_seeds(known):
    seeds = known.runs.groupby(["set", "arm"]).seed.apply(tuple)
    assert seeds.nunique() == 1
    # the sets differ: the drawn fidelity of the inclusion policy changes its effect on trust
    assert known.sets["interventions.inclusion_policy.intensity"].nunique() == 5
    assert "interventions.key_figures.care" not in known.sets.columns      # not in this scenario: not recorded


def test_wilson_interval():
    assert wilson(0, 10)[0] == 0.0 and wilson(10, 10)[1] == 1.0
    lo, hi = wilson(5, 10)
    assert lo == pytest.approx(0.2366, abs=1e-4) and hi == pytest.approx(0.7634, abs=1e-4)


def test_parameter_sets_are_reproducible_and_do_not_depend_on_n():
    priors = load_priors()
    a, b = draw_sets(7, 2, priors), draw_sets(7, 4, priors)
    assert a == b[:2] and a != draw_sets(8, 2, priors)
    for values in b:
        for key, prior in priors.entries().items():
            assert prior.low <= values[key] <= prior.high


def test_a_parameter_the_scenario_sets_keeps_its_value_and_intensity_is_a_fidelity():
    sc = known_scenario().with_overrides()
    fixed = fixed_parameters(sc, {"shield_trust"})
    assert {"n_residents", "shield_trust"} <= fixed
    values = {"parameters.shield_trust": 0.11, "parameters.belief_decay": 0.012,
              "interventions.inclusion_policy.intensity": 0.5, "interventions.parent_support.intensity": 0.9}
    applied, used = apply_set(sc, values, fixed)
    assert applied.parameters.shield_trust == sc.parameters.shield_trust
    assert applied.parameters.belief_decay == 0.012
    assert [iv.intensity for iv in applied.interventions] == [0.0, 0.5]
    assert "parameters.shield_trust" not in used and used["parameters.belief_decay"] == 0.012


def test_a_warmup_gives_the_same_answer(known):
    warm = run_uncertainty(known_scenario().model_copy(update={"interventions": [
        iv.model_copy(update={"start": 10}) for iv in known_scenario().interventions]}),
        n_sets=2, replications=1, workers=1, warmup=10)
    plain = run_uncertainty(known_scenario().model_copy(update={"interventions": [
        iv.model_copy(update={"start": 10}) for iv in known_scenario().interventions]}),
        n_sets=2, replications=1, workers=1)
    pd.testing.assert_frame_equal(warm.runs, plain.runs, check_exact=True)


def test_a_posterior_replaces_the_placeholder_priors(tmp_path):
    fitted = tmp_path / "fitted.csv"
    pd.DataFrame([{"parameter": "shield_trust", "mean": 0.2, "sd": 0.01, "ci_low": 0.18, "ci_high": 0.22,
                   "prior_low": 0.1, "prior_high": 0.5}]).to_csv(fitted, index=False)
    posterior = load_posterior(fitted)
    sets = draw_sets(1, 20, load_priors(), posterior)
    values = np.array([s["parameters.shield_trust"] for s in sets])
    assert abs(values.mean() - 0.2) < 0.01 and values.min() >= 0.1
    samples = tmp_path / "posterior.csv"
    pd.DataFrame({"belief_decay": [0.011, 0.029], "weight": [1.0, 0.0], "prior_point": [3, 4]}).to_csv(samples,
                                                                                                     index=False)
    sets = draw_sets(1, 5, load_priors(), load_posterior(samples))
    assert {s["parameters.belief_decay"] for s in sets} == {0.011}           # weight 0 is never drawn


def test_the_command_is_reproducible_and_independent_of_workers(tmp_path):
    sc = tmp_path / "known.toml"
    sc.write_text(SCENARIO)
    common = ["compare", str(sc), "--uncertainty", "3", "--replications", "2"]
    one = radsim(*common, "--workers", "1", "--out", str(tmp_path / "one"))
    again = radsim(*common, "--workers", "1", "--out", str(tmp_path / "again"))
    two = radsim(*common, "--workers", "2", "--out", str(tmp_path / "two"))
    assert one.returncode == again.returncode == two.returncode == 0, one.stderr + two.stderr
    for name in FILES:
        data = (tmp_path / "one" / name).read_bytes()
        assert data == (tmp_path / "again" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name
    assert "probability that the arm beats the other" in one.stdout and "0.50 [" in one.stdout
    record = json.loads((tmp_path / "one" / "provenance.json").read_text())
    assert record["configuration"]["uncertainty"] == 3
    assert any(str(DEFAULT_PRIORS.name) in str(i) for i in json.dumps(record["inputs"]).split(","))


BAD_PRIORS = [
    ('[interventions.key_figures.care]\nlow = 0.0\nhigh = 1.5\nsource = "x"\nmapping = "y"\n',
     "interventions.key_figures.care.high: 1.5 is out of range; allowed range 0.0 to 1.0"),
    ('[interventions.key_figures.wisdom]\nlow = 0.0\nhigh = 0.5\nsource = "x"\nmapping = "y"\n',
     "interventions.key_figures.wisdom: not a coefficient of key_figures"),
    ('[parameters.shield_trust]\nlow = 0.5\nhigh = 0.2\nsource = "x"\nmapping = "y"\n',
     "parameters.shield_trust.high: 0.2 is below low = 0.5"),
    ('[parameters.shield_trust]\nlow = 0.1\nhigh = 0.5\nmapping = "y"\n', "parameters.shield_trust.source"),
    ('[interventions.key_figures.intensity]\nlow = 0.5\nhigh = 2.0\nsource = "x"\nmapping = "y"\n',
     "interventions.key_figures.intensity.high: 2.0 is out of range; allowed range 0.0 to 1.0"),
    ("[parameters\n", "malformed TOML"),
]


@pytest.mark.parametrize("text,message", BAD_PRIORS)
def test_a_bad_priors_file_is_one_line(tmp_path, text, message):
    path = tmp_path / "priors.toml"
    path.write_text(text)
    with pytest.raises(PriorsError, match=message.replace("[", r"\[").replace(".", r"\.")):
        load_priors(path)


BAD_POSTERIOR = [
    ("parameter,mean,sd,ci_low,ci_high,prior_low,prior_high\nshield_trust,3.0,0.1,0,1,0,1\n",
     "shield_trust.mean: 3.0 is out of range; allowed range 0.0 to 2.0"),
    ("parameter,mean,sd,ci_low,ci_high,prior_low,prior_high\ncolour,0.3,0.1,0,1,0,1\n",
     "parameter colour: not a numeric model parameter"),
    ("parameter,mean,sd,ci_low,ci_high,prior_low,prior_high\nshield_trust,0.3,-1,0,1,0,1\n",
     "shield_trust.sd: -1 is out of range; at least 0"),
    ("belief_decay,weight\n1.5,1\n", "belief_decay: 1.5 is out of range; allowed range 0.0 to 1.0"),
    ("a,b\n1,2\n", "expected radsim calibrate's fitted.csv"),
]


@pytest.mark.parametrize("text,message", BAD_POSTERIOR)
def test_a_bad_posterior_file_is_one_line(tmp_path, text, message):
    path = tmp_path / "fitted.csv"
    path.write_text(text)
    with pytest.raises(PriorsError, match=message.replace(".", r"\.")):
        load_posterior(path)


@pytest.mark.parametrize("args,message", [
    (["--uncertainty", "0"], "--uncertainty': 0 is out of range; allowed range 1 to 100000"),
    (["--uncertainty", "2", "--priors", "BAD"], "interventions.key_figures.care.high: 1.5 is out of range; "
                                                "allowed range 0.0 to 1.0"),
    (["--uncertainty", "2", "--posterior", "BADPOST"], "shield_trust.mean: 3.0 is out of range; allowed range 0.0 "
                                                       "to 2.0"),
    (["--uncertainty", "2", "--priors", "MISSING"], "priors file not found"),
    (["--priors", "BAD"], "--priors: only with --uncertainty N"),
])
def test_bad_input_on_the_command_line_is_one_line_with_exit_code_2(tmp_path, args, message):
    (tmp_path / "bad.toml").write_text(BAD_PRIORS[0][0])
    (tmp_path / "post.csv").write_text(BAD_POSTERIOR[0][0])
    args = [{"BAD": str(tmp_path / "bad.toml"), "BADPOST": str(tmp_path / "post.csv"),
             "MISSING": str(tmp_path / "none.toml")}.get(a, a) for a in args]
    res = radsim("compare", "combined.toml", "--replications", "1", "--residents", "300", "--steps", "60", *args,
                 "--out", str(tmp_path / "o"))
    assert res.returncode == 2, res.stdout
    assert message in res.stderr, res.stderr
    assert len(res.stderr.strip().splitlines()) == 1 and "Traceback" not in res.stderr
    assert not (tmp_path / "o").exists()
