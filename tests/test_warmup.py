"""``radsim compare --warmup W`` (issue 16): the arms forked from one warm-up per replication give exactly the
results of a comparison without warm-up; an intervention that starts inside the warm-up is refused in one line."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from experiments.compare import check_warmup, compare_arms
from experiments.examples import example_path
from experiments.scenario import load_scenario, scenario_from_dict
from model import ParameterError

OUTPUTS = ("runs.csv", "comparison.csv", "comparison.md", "trajectories.parquet")


def radsim(*args):
    return subprocess.run([sys.executable, "-m", "experiments", *args], capture_output=True, text=True)


def assert_same_result(a, b) -> None:
    pd.testing.assert_frame_equal(a.outcomes, b.outcomes, check_exact=True)
    pd.testing.assert_frame_equal(a.trajectories, b.trajectories, check_exact=True)
    pd.testing.assert_frame_equal(a.table(), b.table(), check_exact=True)


def every_type_scenario(start: int) -> object:
    """Every intervention type, each its own arm starting at ``start``, in a town where residents reach action
    (arrests, acts), with an attack before and one after the start."""
    types = ["inclusion_policy", "multiple_memberships", "key_figures", "parent_support", "crisis_response",
             "early_signalling", "care_and_repression", "intergroup_contact", "nationality_stripping",
             "recruiter_disruption"]
    return scenario_from_dict({
        "name": "every type", "steps": start + 12, "seed": 5,
        "parameters": {"n_residents": 400, "attack_weeks": [start - 4, start + 3], "radical_family_share": 0.3,
                       "action_hazard": 0.5, "min_weeks_before_action": 0, "act_hazard": 0.05},
        "interventions": [{"type": t, "start": start} for t in types],
    })


def test_forked_arms_equal_arms_run_from_week_zero():
    sc = every_type_scenario(10)
    straight = compare_arms(sc, replications=2, workers=1)
    forked = compare_arms(sc, replications=2, workers=1, warmup=10)
    assert_same_result(straight, forked)
    assert straight.outcomes["removed"].sum() > 0 or straight.outcomes["left_phase_3"].sum() > 0
    info = forked.run_info
    assert info["warmup_weeks"] == 10 and info["compute_seconds"] > 0 and "compute_seconds_saved" in info
    assert straight.run_info["warmup_weeks"] is None


def test_the_command_with_warmup_writes_the_same_files(tmp_path):
    """Through the command line, with worker processes (the checkpoints go through files)."""
    common = ["compare", "combined.toml", "--replications", "2", "--residents", "400", "--steps", "60"]
    plain = radsim(*common, "--workers", "1", "--out", str(tmp_path / "plain"))
    warm = radsim(*common, "--workers", "2", "--warmup", "52", "--out", str(tmp_path / "warm"))
    assert plain.returncode == 0 and warm.returncode == 0, plain.stderr + warm.stderr
    for name in OUTPUTS:
        assert (tmp_path / "plain" / name).read_bytes() == (tmp_path / "warm" / name).read_bytes(), name
    assert "warm-up to week 52" in warm.stdout and "saved about" in warm.stdout
    run = json.loads((tmp_path / "warm" / "provenance.json").read_text())["run"]
    assert run["warmup_weeks"] == 52 and run["workers"] == 2
    plain_record = json.loads((tmp_path / "plain" / "provenance.json").read_text())
    assert plain_record["config_sha256"] == json.loads((tmp_path / "warm" / "provenance.json").read_text())["config_sha256"]


@pytest.mark.parametrize("args, message", [
    (["--warmup", "53"], "error: --warmup 53: arm 'package', interventions[0] (inclusion_policy) starts at week 52, "
                         "inside the warm-up; allowed --warmup 0 to 52 for this scenario"),
    (["--warmup", "600", "--steps", "100"], "error: --warmup 600: longer than the run (100 steps); allowed --warmup "
                                            "0 to 52 for this scenario"),
    (["--warmup", "-1"], "--warmup"),
])
def test_a_warmup_an_intervention_starts_inside_is_refused_in_one_line(tmp_path, args, message):
    res = radsim("compare", "combined.toml", "--replications", "1", "--residents", "300", *args,
                 "--out", str(tmp_path / "o"))
    assert res.returncode == 2
    assert message in res.stderr and len(res.stderr.strip().splitlines()) == 1 and "Traceback" not in res.stderr
    assert not (tmp_path / "o").exists()


def test_check_warmup_names_the_arm_and_the_intervention():
    sc = load_scenario(example_path("combined.toml"))
    check_warmup(sc, 52)                    # every intervention starts at week 52
    late = sc.model_copy(update={"interventions": [*sc.interventions[:5],
                                                   sc.interventions[5].model_copy(update={"start": 30})]})
    with pytest.raises(ParameterError, match=r"arm 'imprecise signalling alone', interventions\[5\] "
                                             r"\(early_signalling\) starts at week 30"):
        compare_arms(late, replications=1, workers=1, warmup=40)


def test_comparison_workers_share_the_cores_instead_of_each_taking_all():
    """Each worker of a comparison gets its share of numba's threads: two workers each running the threaded
    passes on every core (towns of 20,000 residents and more) made a 20,000-resident comparison 2.5 times slower."""
    import os

    import numba

    from experiments.compare import _pool

    with _pool(2) as pool:
        threads = {pool.submit(numba.get_num_threads).result() for _ in range(4)}
    assert threads == {max(1, min(numba.config.NUMBA_NUM_THREADS, (os.cpu_count() or 1) // 2))}
    with _pool(1) as pool:
        assert pool.submit(numba.get_num_threads).result() == min(numba.config.NUMBA_NUM_THREADS, os.cpu_count() or 1)
