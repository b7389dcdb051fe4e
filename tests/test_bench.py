"""The benchmark runs and prints its table; timings are never asserted."""

import subprocess
import sys

import pandas as pd

from experiments.bench import bytes_per_step


def test_quick_benchmark_runs_and_prints_a_table(tmp_path):
    res = subprocess.run([sys.executable, "-m", "experiments", "bench", "--quick", "--out", str(tmp_path)],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert "Engine against the per-agent reference" in res.stdout and "Scaling" in res.stdout
    df = pd.read_csv(tmp_path / "bench.csv")
    assert set(df["section"]) == {"engine_vs_reference", "scaling", "acceptance"}
    accept = df[df.section == "acceptance"].set_index("figure")
    assert len(accept) == 9 and (accept["ratio"] > 0).all()
    scaling = df[df.section == "scaling"]
    # the fetches of the pass over ties alone are a floor of the week, which does them and more
    assert (scaling["gather_floor_ms"] < scaling["ms_per_step"]).all()
    assert any(f.startswith("ceiling: two independent runs") for f in accept.index)
    assert "Acceptance of issue 16" in res.stdout and "OUTPUTS DIFFER" not in res.stdout
    assert {"speed_ratio", "ms_per_step", "peak_rss_mb", "step_over_bound"} <= set(df.columns)
    assert (tmp_path / "bench.md").read_text().startswith("# radsim benchmark")


def test_bytes_per_step_counts_csr_and_state():
    n, nnz = 1000, 20_000
    assert bytes_per_step(n, nnz, state_bytes=0) > 12 * nnz
    assert bytes_per_step(n, nnz, state_bytes=10_000) - bytes_per_step(n, nnz, state_bytes=0) == 20_000
