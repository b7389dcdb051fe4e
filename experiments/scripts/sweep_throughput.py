"""Sweep throughput: runs per second for many small runs, in a plain loop and on 1 or 2 Dask workers.

Run: ``python -m experiments.scripts.sweep_throughput [--runs 200] [--residents 2000] [--steps 100]``.
"""

from __future__ import annotations

import tempfile
import time

import click

from experiments.cli import RESIDENTS, STEPS, IntRange
from experiments.sweep import SweepSpec, _run_batch, run_sweep, runs_table


def _spec(runs: int, residents: int, steps: int, batch_size: int) -> SweepSpec:
    return SweepSpec(name="throughput", design="lhs", samples=runs, replications=1, seed=1, steps=steps,
                     batch_size=batch_size, uncertainties={"societal_discrimination": {"low": 0.1, "high": 0.5}},
                     constants={"n_residents": residents})


@click.command()
@click.option("--runs", default=200, show_default=True, type=IntRange(1))
@click.option("--residents", default=2000, show_default=True, type=RESIDENTS)
@click.option("--steps", default=100, show_default=True, type=STEPS)
@click.option("--batch-size", default=8, show_default=True, type=IntRange(1))
def main(runs: int, residents: int, steps: int, batch_size: int) -> None:
    """Print runs per second: plain loop, 1 worker, 2 workers."""
    spec = _spec(runs, residents, steps, batch_size)
    table = runs_table(spec).to_dict("records")
    t = time.perf_counter()
    _run_batch(spec.model_dump_json(), table)
    loop = runs / (time.perf_counter() - t)
    rows = [("plain loop (no Dask)", loop)]
    for workers in (1, 2):
        with tempfile.TemporaryDirectory() as out:
            t = time.perf_counter()
            run_sweep(spec, out, workers=workers)
            rows.append((f"Dask, {workers} worker(s), batch {batch_size}", runs / (time.perf_counter() - t)))
    click.echo(f"{runs} runs of {residents:,} residents x {steps} steps")
    click.echo("| how | runs/s | vs loop |\n|---|---|---|")
    for name, rate in rows:
        click.echo(f"| {name} | {rate:.2f} | {rate / loop:.2f}x |")


if __name__ == "__main__":
    main()
