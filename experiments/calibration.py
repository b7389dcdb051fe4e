"""The calibration check of ODD §7.4: the default pyramid over replications.

Run: ``python -m experiments.calibration [--seeds 10] [--residents 10000] [--weeks 520]``.
Prints a Markdown table with the mean and a 95% confidence interval over seeds.
"""

from __future__ import annotations

import click
import numpy as np
from rich.progress import track

from model import RadicalisationModel

COLUMNS = ("phase_1", "phase_2", "phase_3", "young_sympathiser_share")


def pyramid(seeds: int = 10, residents: int = 10_000, weeks: int = 520) -> dict[str, tuple[float, float]]:
    """Mean and 95% CI half-width (t-interval) of the pyramid at ``weeks`` over seeds 1..``seeds``."""
    from scipy import stats

    rows = []
    for seed in track(range(1, seeds + 1), description="replications", transient=True):
        m = RadicalisationModel(n_residents=residents, rng=seed, collect=False)
        m.run_for(weeks)
        rows.append([m.summary[c] for c in COLUMNS])
    a = np.asarray(rows, dtype=float)
    half = stats.t.ppf(0.975, max(1, seeds - 1)) * a.std(axis=0, ddof=1) / np.sqrt(seeds) if seeds > 1 else np.zeros(4)
    return {c: (float(a[:, k].mean()), float(half[k])) for k, c in enumerate(COLUMNS)}


@click.command()
@click.option("--seeds", default=10, show_default=True, type=click.IntRange(1, 1000))
@click.option("--residents", default=10_000, show_default=True, type=click.IntRange(10))
@click.option("--weeks", default=520, show_default=True, type=click.IntRange(1))
def main(seeds: int, residents: int, weeks: int) -> None:
    """Print the default pyramid as a Markdown table."""
    res = pyramid(seeds, residents, weeks)
    click.echo(f"| quantity (n = {residents:,}, week {weeks}, {seeds} seeds) | mean | 95% CI | target |")
    click.echo("|---|---|---|---|")
    targets = {"phase_1": "far above phase 2", "phase_2": "above phase 3", "phase_3": "> 0 and < 1% of residents",
               "young_sympathiser_share": "5% to 15%"}
    for c, (mean, half) in res.items():
        if c == "young_sympathiser_share":
            click.echo(f"| young people (12-27) in phase >= 1 | {100 * mean:.1f}% | ±{100 * half:.1f}% | {targets[c]} |")
        else:
            click.echo(f"| residents in {c.replace('_', ' ')} | {mean:.1f} ({100 * mean / residents:.2f}%) | ±{half:.1f} | {targets[c]} |")


if __name__ == "__main__":
    main()
