"""The pyramid check of docs/ODD.md §7.4: the default town's phases over replications.

``radsim pyramid [--replications 10] [--residents 10000] [--steps 520] [--seed 1]``
prints a Markdown table of the mean and the 95% confidence interval (t-interval)
over replications, against the calibration targets. Replication ``k`` runs with
the seed :func:`experiments.seeds.replication_seed` ``(seed, k)``.
"""

from __future__ import annotations

from collections.abc import Callable

from model import RadicalisationModel

from .seeds import replication_seed
from .stats import mean_ci

__all__ = ["COLUMNS", "TARGETS", "pyramid", "pyramid_markdown"]

COLUMNS = ("phase_1", "phase_2", "phase_3", "young_sympathiser_share")
TARGETS = {"phase_1": "far above phase 2", "phase_2": "above phase 3", "phase_3": "> 0 and < 1% of residents",
           "young_sympathiser_share": "5% to 15%"}
"""The calibration target of each column (ODD §7.4)."""


def pyramid(replications: int = 10, n_residents: int = 10_000, steps: int = 520, seed: int = 1,
            progress: Callable[[int, int], None] | None = None) -> dict[str, tuple[float, float, float]]:
    """``{column: (mean, low, high)}``: the default pyramid after ``steps`` steps, mean and 95% CI over replications.

    ``progress(done, total)`` is called after each replication.
    """
    rows = []
    for k in range(replications):
        m = RadicalisationModel(n_residents=n_residents, rng=replication_seed(seed, k), collect=False)
        m.run_for(steps)
        outcomes = m.outcomes()
        rows.append({c: outcomes[c] for c in COLUMNS})
        if progress:
            progress(k + 1, replications)
    return {c: mean_ci([r[c] for r in rows]) for c in COLUMNS}


def pyramid_markdown(result: dict[str, tuple[float, float, float]], n_residents: int, steps: int,
                     replications: int) -> str:
    """The result of :func:`pyramid` as the Markdown table of ODD §7.4."""
    lines = [f"| quantity (n = {n_residents:,}, step {steps}, {replications} replications) | mean | 95% CI | target |",
             "|---|---|---|---|"]
    for c, (mean, low, high) in result.items():
        half = (high - low) / 2
        if c == "young_sympathiser_share":
            lines.append(f"| young people (12-27) in phase >= 1 | {100 * mean:.1f}% | ±{100 * half:.1f}% | {TARGETS[c]} |")
        else:
            lines.append(f"| residents in {c.replace('_', ' ')} | {mean:.1f} ({100 * mean / n_residents:.2f}%) | "
                         f"±{half:.1f} | {TARGETS[c]} |")
    return "\n".join(lines)
