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

MOVEMENTS = ("grievance", "anti_minority")
COLUMNS = ("phase_1", "phase_2", "phase_3", "young_sympathiser_share",
           *(f"phase_{k}_{m}" for m in MOVEMENTS for k in (1, 2, 3)),
           "young_sympathiser_share_grievance", "young_sympathiser_share_anti_minority")
TARGETS = {"phase_1": "far above phase 2", "phase_2": "above phase 3", "phase_3": "> 0 and < 0.1% of residents",
           "young_sympathiser_share": "",
           **{f"phase_{k}_{m}": t for m in MOVEMENTS
              for k, t in ((1, "far above phase 2"), (2, "above phase 3"), (3, "> 0"))},
           "young_sympathiser_share_grievance": "5% to 15% (young minority residents)",
           "young_sympathiser_share_anti_minority": "2% to 15% (young majority residents)"}
"""The calibration target of each column (ODD §7.4)."""

LABELS = {"young_sympathiser_share": "young people (12-27) in phase >= 1",
          "young_sympathiser_share_grievance": "young minority residents in phase >= 1 (grievance movement)",
          "young_sympathiser_share_anti_minority": "young majority residents in phase >= 1 (anti-minority movement)"}


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
        if c in LABELS:
            lines.append(f"| {LABELS[c]} | {100 * mean:.1f}% | ±{100 * half:.1f}% | {TARGETS[c]} |")
        else:
            phase, _, movement = c.partition("_")[2].partition("_")
            where = f" ({movement.replace('_', '-')} movement)" if movement else ""
            lines.append(f"| residents in phase {phase}{where} | {mean:.1f} ({100 * mean / n_residents:.2f}%) | "
                         f"±{half:.1f} | {TARGETS[c]} |")
    return "\n".join(lines)
