import json
import subprocess
import sys

import pandas as pd
import pytest

from experiments import load_scenario
from experiments.examples import example_path, examples
from experiments.scenario import ScenarioError


def radsim(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "experiments", *args], capture_output=True, text=True, cwd=cwd)


def test_run_writes_timeseries_provenance_and_plot(tmp_path):
    out = tmp_path / "run"
    res = radsim("run", "--residents", "300", "--steps", "20", "--seed", "4", "--out", str(out))
    assert res.returncode == 0, res.stderr
    df = pd.read_parquet(out / "timeseries.parquet")
    assert list(df["step"]) == list(range(21))
    assert {"step", "phase_0", "phase_1", "phase_2", "phase_3", "mean_radical_belief", "mean_prejudice",
            "mean_trust", "mean_discrimination", "polarisation"} <= set(df.columns)
    assert (df[["phase_0", "phase_1", "phase_2", "phase_3"]].sum(axis=1) == 300).all()
    meta = json.loads((out / "run.json").read_text())
    assert meta["scenario"]["seed"] == 4 and meta["parameters"]["n_residents"] == 300
    assert meta["radsim_version"]
    assert (out / "phases.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "sensitivity" in res.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]       # no temporary folder left


def test_scenario_file_and_overrides(tmp_path):
    sc = tmp_path / "s.toml"
    sc.write_text('[scenario]\nname = "tiny"\nsteps = 5\nseed = 9\n[parameters]\nn_residents = 100\nsegregation = 0.9\n')
    res = radsim("run", str(sc), "--steps", "3", "--out", str(tmp_path / "o"))
    assert res.returncode == 0, res.stderr
    meta = json.loads((tmp_path / "o" / "run.json").read_text())
    assert meta["scenario"] == {"name": "tiny", "description": "", "steps": 3, "seed": 9}
    assert meta["parameters"]["segregation"] == 0.9


def test_same_seed_same_results_file(tmp_path):
    for name in ("a", "b"):
        assert radsim("run", "--residents", "200", "--steps", "10", "--seed", "1", "--out", str(tmp_path / name)).returncode == 0
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "a" / "timeseries.parquet"),
                                  pd.read_parquet(tmp_path / "b" / "timeseries.parquet"))


BAD = [
    ("missing.toml", None, "scenario file not found"),
    ("bad.toml", "[parameters\nx = 1\n", "malformed TOML"),
    ("bad.toml", "[parameters]\ncolour = 'red'\n", "unknown parameter 'parameters.colour'"),
    ("bad.toml", "[scenario]\nsteps = 5\nspeed = 2\n", "unknown key 'speed'"),
    ("bad.toml", "[parameters]\nn_residents = -4\n", "parameters.n_residents: -4 is out of range; allowed range 10 to"),
    ("bad.toml", "[parameters]\nradical_family_share = 1.5\n", "radical_family_share: 1.5 is out of range; allowed range 0.0 to 1.0"),
    ("bad.toml", "[extra]\na = 1\n", "unknown table 'extra'"),
]


@pytest.mark.parametrize("name, content, message", BAD)
def test_bad_scenario_one_line_exit_2_nothing_written(tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_text(content)
    out = tmp_path / "out"
    res = radsim("run", str(path), "--out", str(out))
    assert res.returncode == 2
    assert message in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1, res.stderr
    assert "Traceback" not in res.stderr
    assert not out.exists()


@pytest.mark.parametrize("args, message", [
    (["--residents", "-5"], "'--residents': -5 is out of range; allowed range 10 to 50000000"),
    (["--steps", "-1"], "'--steps': -1 is out of range; allowed range 1 to 100000"),
    (["--residents", "many"], "'many' is not a valid integer"),
    (["--frobnicate"], "No such option"),
])
def test_bad_options_one_line_exit_2(tmp_path, args, message):
    res = radsim("run", *args, "--out", str(tmp_path / "out"))
    assert res.returncode == 2
    assert message in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1, res.stderr
    assert not (tmp_path / "out").exists()


def test_params_lists_every_parameter():
    res = radsim("params")
    assert res.returncode == 0
    assert "societal_discrimination" in res.stdout and "segregation" in res.stdout


def test_params_lists_every_intervention_coefficient():
    res = radsim("params", "--interventions")
    assert res.returncode == 0
    assert "inclusion_policy.discrimination_relief = 0.5  [0.0 .. 1.0] coefficient" in res.stdout
    assert "early_signalling.label_trust_penalty = 0.3" in res.stdout


def test_demo_scenario_is_valid():
    sc = load_scenario(example_path("demo.toml"))
    assert sc.parameters.n_residents == 10000 and sc.steps == 520


def test_load_scenario_error_type(tmp_path):
    with pytest.raises(ScenarioError):
        load_scenario(tmp_path / "nope.toml")


EXAMPLES = examples("comparisons")


def test_one_example_scenario_per_intervention_plus_a_combined_one():
    from model.interventions import INTERVENTION_TYPES

    types = set()
    for path in EXAMPLES:
        types |= {iv.type for iv in load_scenario(path).interventions}
    assert types == set(INTERVENTION_TYPES)
    packages = [arm for p in EXAMPLES for arm, ivs in load_scenario(p).arms().items() if len(ivs) >= 3]
    assert packages, "an example should combine several interventions in one arm"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_scenario_runs_from_the_cli(tmp_path, path):
    out = tmp_path / "cmp"
    res = radsim("compare", str(path), "--replications", "2", "--residents", "300", "--steps", "60",
                 "--workers", "1", "--out", str(out))
    assert res.returncode == 0, res.stderr
    table = pd.read_csv(out / "comparison.csv")
    arms = load_scenario(path).arms()
    assert set(table["arm"]) == set(arms)
    assert (out / "trajectories.png").stat().st_size > 10_000
    runs = pd.read_csv(out / "runs.csv")
    assert len(runs) == 2 * len(arms)
    assert (runs.groupby("replication")["seed"].nunique() == 1).all()     # common random numbers


def test_compare_results_do_not_depend_on_workers(tmp_path):
    args = ["inclusion.toml", "--replications", "2", "--residents", "300", "--steps", "70"]
    assert radsim("compare", *args, "--workers", "1", "--out", str(tmp_path / "a")).returncode == 0
    assert radsim("compare", *args, "--workers", "2", "--out", str(tmp_path / "b")).returncode == 0
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "a" / "runs.csv"), pd.read_csv(tmp_path / "b" / "runs.csv"))


BAD_INTERVENTIONS = [
    ("[[interventions]]\ntype = 'magic_wand'\n", "interventions[0].type: unknown intervention 'magic_wand'"),
    ("[[interventions]]\ntype = 'inclusion_policy'\ntarget = { share = 1.5 }\n",
     "interventions[0].target.share: 1.5 is out of range"),
    ("[scenario]\nsteps = 100\n[[interventions]]\ntype = 'inclusion_policy'\nstart = 300\n",
     "interventions[0].start: week 300 is after the end of the run (steps = 100)"),
    ("[[interventions]]\ntype = 'intergroup_contact'\ncommon_goal = 'perhaps'\n",
     "interventions[0].common_goal: must be true or false, not a string (got 'perhaps')"),
    ("[[interventions]]\ntype = 'key_figures'\nvisibility = 0.5\n", "unknown key 'interventions[0].visibility'"),
    ("[[interventions]]\nintensity = 0.5\n", "interventions[0]: missing 'type'"),
]


@pytest.mark.parametrize("content, message", BAD_INTERVENTIONS)
def test_bad_intervention_one_line_error(tmp_path, content, message):
    path = tmp_path / "bad.toml"
    path.write_text(content)
    for command in ("run", "compare"):
        res = radsim(command, str(path), "--out", str(tmp_path / "out"))
        assert res.returncode == 2, res.stderr
        assert message in res.stderr
        assert len(res.stderr.strip().splitlines()) == 1, res.stderr
        assert not (tmp_path / "out").exists()


def test_pyramid_attitude_action_and_survey_persistence_print_their_tables():
    res = radsim("pyramid", "--replications", "2", "--residents", "300", "--steps", "10")
    assert res.returncode == 0, res.stderr
    assert "| residents in phase 1 |" in res.stdout and "2 replications" in res.stdout
    res = radsim("attitude-action", "--replications", "2", "--residents", "300", "--steps", "60", "--workers", "1")
    assert res.returncode == 0, res.stderr
    assert "recruiter disruption (opportunity)" in res.stdout
    res = radsim("survey-persistence", "--replications", "1", "--steps", "4")
    assert res.returncode == 0, res.stderr
    assert "| young_trust |" in res.stdout and "stress case" in res.stdout
    res = radsim("survey-persistence", "demo.toml")
    assert res.returncode == 2 and "no [survey] table" in res.stderr and len(res.stderr.strip().splitlines()) == 1


def test_ranges_of_the_options_are_one_line_errors(tmp_path):
    for args, message in [(["compare", "combined.toml", "--replications", "0"], "'--replications': 0 is out of range"),
                          (["compare", "combined.toml", "--workers", "0"], "'--workers': 0 is out of range"),
                          (["run", "--out", str(tmp_path / "f")], "exists and is not a folder")]:
        (tmp_path / "f").write_text("x")
        res = radsim(*args)
        assert res.returncode == 2 and message in res.stderr, res.stderr
        assert len(res.stderr.strip().splitlines()) == 1 and "Traceback" not in res.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator")
@pytest.mark.parametrize("opt_out", [False, True])
def test_the_command_lines_processes_keep_freed_memory_unless_told_not_to(opt_out):
    """The command line asks glibc to keep freed blocks for reuse (experiments.memory): a freed array of 100 MB
    stays in the process instead of going back to the system; ``RADSIM_RETURN_MEMORY`` keeps the default."""
    import os

    script = ("import numpy as np\n"
              "from experiments.bench import current_rss_mb\n"
              "from experiments.memory import keep_freed_memory\n"
              "kept = keep_freed_memory()\n"
              "a = np.ones(100 * 2**20 // 8)\n"
              "before = current_rss_mb()\n"
              "del a\n"
              "print(kept, before - current_rss_mb())\n")
    env = {k: v for k, v in os.environ.items() if k != "RADSIM_RETURN_MEMORY"}
    if opt_out:
        env["RADSIM_RETURN_MEMORY"] = "1"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True).stdout
    kept, returned_mb = out.split()
    assert kept == str(not opt_out)
    if opt_out:
        assert float(returned_mb) > 90
    else:
        assert float(returned_mb) < 10
