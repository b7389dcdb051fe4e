"""Results are bit-identical to the recorded outputs of an earlier commit.

``tests/golden/`` holds the outputs of commit 51b5765 (before the core was
untangled, issue 13): the demo's time series, the runs of a 3-replication
comparison of the combined example, and a 16-run Latin-hypercube sweep. A
refactor must reproduce them value for value; a change of the model's results
must regenerate them on purpose (and say so in its commit).

The comparison's replication seeds follow the one seed scheme
(:func:`experiments.seeds.replication_seed`); its golden file was made with the
old code given those seeds (``compare_combined_runs.csv``). The old scheme's
file (``seed + k``) is kept beside it for the record.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

GOLDEN = Path(__file__).parent / "golden"


def assert_same_values(new: pd.DataFrame, old: pd.DataFrame) -> None:
    """Every column of ``old`` is in ``new`` with exactly the same values (floats compared exactly)."""
    missing = [c for c in old.columns if c not in new.columns]
    assert not missing, f"columns missing: {missing}"
    assert len(new) == len(old), (len(new), len(old))
    for col in old.columns:
        a, b = new[col].to_numpy(), old[col].to_numpy()
        if b.dtype.kind in "fi":
            assert np.array_equal(a.astype(float), b.astype(float)), f"{col} differs"
        else:
            assert (a.astype(str) == b.astype(str)).all(), f"{col} differs"


def test_demo_run_is_bit_identical():
    from experiments.runner import run_scenario
    from experiments.scenario import load_scenario
    from experiments.examples import example_path

    result = run_scenario(load_scenario(example_path("demo.toml")))
    assert_same_values(result.timeseries, pd.read_csv(GOLDEN / "demo_timeseries.csv"))


@pytest.mark.slow
def test_comparison_of_the_combined_example_is_bit_identical():
    from experiments.compare import compare_arms
    from experiments.scenario import load_scenario
    from experiments.examples import example_path

    result = compare_arms(load_scenario(example_path("combined.toml")), replications=3, workers=2)
    assert_same_values(result.outcomes.reset_index(drop=True), pd.read_csv(GOLDEN / "compare_combined_runs.csv"))


@pytest.mark.slow
def test_sweep_of_sixteen_runs_is_bit_identical(tmp_path):
    from experiments.sweep import load_sweep, read_results, run_sweep

    spec = load_sweep(GOLDEN / "sweep16.toml")
    run_sweep(spec, tmp_path / "sweep", workers=2)
    new = read_results(tmp_path / "sweep").sort_values("run_id").reset_index(drop=True)
    old = pd.read_csv(GOLDEN / "sweep16_results.csv").drop(columns=["model_version"])
    assert_same_values(new, old)
