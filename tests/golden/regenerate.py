"""Regenerate the golden outputs of ``tests/test_bit_identical.py`` from the current code.

Run it only when a commit changes the model's results on purpose, and say so in
that commit: ``python tests/golden/regenerate.py``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from experiments.compare import compare_arms
from experiments.examples import example_path
from experiments.runner import run_scenario
from experiments.scenario import load_scenario
from experiments.sweep import load_sweep, read_results, run_sweep

GOLDEN = Path(__file__).resolve().parent


def main() -> None:
    run_scenario(load_scenario(example_path("demo.toml"))).timeseries.to_csv(GOLDEN / "demo_timeseries.csv",
                                                                             index=False)
    result = compare_arms(load_scenario(example_path("combined.toml")), replications=3, workers=2)
    result.outcomes.reset_index(drop=True).to_csv(GOLDEN / "compare_combined_runs.csv", index=False)
    with tempfile.TemporaryDirectory() as tmp:
        run_sweep(load_sweep(GOLDEN / "sweep16.toml"), Path(tmp) / "sweep", workers=2)
        results = read_results(Path(tmp) / "sweep").sort_values("run_id")
        # the time a run took and the version string are not results
        results.drop(columns=["wall_seconds", "model_version"]).to_csv(GOLDEN / "sweep16_results.csv", index=False)


if __name__ == "__main__":
    main()
