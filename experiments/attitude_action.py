"""Are attitudes and action distinct? Measure how interventions split between them.

PROTON-T (Weisburd et al. 2022) found that community work lowers radicalisation
(attitudes) but not recruitment, and that removing opportunity does the reverse.
This script measures, for attitude-focused and opportunity-focused arms, the
relative change in phase-1 prevalence (mean over the second half of the run)
and in cumulative entries into phase 3, against the baseline with common random
numbers.

Run: ``python -m experiments.attitude_action [--replications 8] [--residents 5000]``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import click

from model.parameters import Parameters

from .compare import compare_arms
from .scenario import Scenario

ARMS = [
    {"type": "key_figures", "arm": "key figures (attitude)", "start": 52, "intensity": 1.0,
     "government_visibility": 0.0, "target": {"share": 0.03}},
    {"type": "parent_support", "arm": "parent support (attitude)", "start": 52, "intensity": 1.0},
    {"type": "inclusion_policy", "arm": "inclusion policy (attitude)", "start": 52, "intensity": 0.3},
    {"type": "care_and_repression", "arm": "exit and arrests (opportunity)", "start": 52, "intensity": 1.0,
     "exit_programme": 1.0, "detection_rate": 0.05},
    {"type": "recruiter_disruption", "arm": "recruiter disruption (opportunity)", "start": 52, "intensity": 0.8},
]


def measure(replications: int = 8, residents: int = 5000, weeks: int = 520, discrimination: float = 0.45,
            seed: int = 1, workers: int | None = None, progress: Callable[[int, int], None] | None = None):
    """Rows of (arm, relative change of phase-1 prevalence, relative change of phase-3 entries, which changes
    more), and the baseline's phase-1 prevalence and phase-3 entries. ``progress`` goes to ``compare_arms``."""
    sc = Scenario(name="attitudes and action", steps=weeks, seed=seed,
                  parameters=Parameters(n_residents=residents, societal_discrimination=discrimination),
                  interventions=ARMS)
    res = compare_arms(sc, replications=replications, workers=workers, progress=progress)
    tr = res.trajectories
    late = tr[tr.step >= weeks // 2].groupby("arm")["phase_1"].mean()
    entries = res.outcomes.groupby("arm")["entered_phase_3"].mean()
    rows = []
    for arm in res.arms[1:]:
        d1 = late[arm] / late["baseline"] - 1.0
        d3 = entries[arm] / entries["baseline"] - 1.0 if entries["baseline"] > 0 else math.nan
        rows.append((arm, d1, d3, "attitudes more" if abs(d1) > abs(d3) else "action more"))
    return rows, late["baseline"], entries["baseline"]


@click.command()
@click.option("--replications", default=8, show_default=True, type=click.IntRange(1, 1000))
@click.option("--residents", default=5000, show_default=True, type=click.IntRange(100))
def main(replications: int, residents: int) -> None:
    """Print the attitude/action split as a Markdown table."""
    rows, p1, e3 = measure(replications, residents)
    click.echo(f"Baseline (societal discrimination 0.45): phase 1 {p1:.1f}, entries into phase 3 {e3:.1f}\n")
    click.echo("| arm | change in phase-1 prevalence | change in phase-3 entries | changes |")
    click.echo("|---|---|---|---|")
    for arm, d1, d3, which in rows:
        click.echo(f"| {arm} | {100 * d1:+.0f}% | {100 * d3:+.0f}% | {which} |")


if __name__ == "__main__":
    main()
