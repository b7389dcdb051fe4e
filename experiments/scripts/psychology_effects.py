"""Measure the effect of each mechanism of the psychology (ODD §1 patterns 9-13) with 95% CIs.

``python -m experiments.scripts.psychology_effects [--replications 6] [--residents 5000]``

Each row is an ablation or a contrast run over the same seeds in both arms (common
random numbers): the paired mean difference of one outcome with its t-interval.
The relative risk of joining a group for residents with a radical relative is
pooled over the replications with a log-scale Wald interval. These are the
quantities ``tests/test_psychology.py`` asserts on.
"""

from __future__ import annotations

import click
import numpy as np

from experiments.seeds import replication_seed
from experiments.stats import mean_ci
from model import RadicalisationModel
from model.rules import Phase

TARGETED = [{"type": "inclusion_policy", "start": 52, "target": {"backgrounds": [1, 2]}}]
UNIVERSAL = [{"type": "inclusion_policy", "start": 52}]
STRIPPING = {"type": "nationality_stripping", "start": 52, "intensity": 1.0}
RISKY = {"societal_discrimination": 0.45}
"""More residents in action, so that the mechanisms of phase 3 can be measured in a town of 5,000."""

CONTRASTS = [
    # (what, outcome, arm, reference, weeks)
    ("the shield turns around (discrimination 0.45): resident-weeks in phase 3", "weeks_in_phase_3", RISKY,
     {**RISKY, "shield_turns_around": False}, 520),
    ("the shield turns around (discrimination 0.45): exits per 100 resident-weeks in phase 3", "exit_rate", RISKY,
     {**RISKY, "shield_turns_around": False}, 520),
    ("mobility's ties: grievance movement in phase 1", "phase_1_grievance", {}, {"mobility_tie_rate": 0.0}, 520),
    ("mobility loosens identification: mean identification", "mean_identification", {},
     {"identification_mobility": 0.0}, 520),
    ("creativity restores significance: mean significance loss", "mean_significance_loss", {},
     {"creativity_significance_relief": 0.0}, 520),
    ("competition raises belief: residents in phase 1", "phase_1", {}, {"competition_drive": 0.0}, 520),
    ("uncertainty raises the group's appeal: entries into phase 2", "entered_phase_2", {},
     {"join_appeal_uncertainty": 0.0}, 520),
    ("acts as triggers (act_hazard 0.1): entries into the grievance movement", "entered_phase_2_grievance",
     {"act_hazard": 0.1}, {"act_hazard": 0.1, "act_severity": 0.0}, 520),
    ("acts as triggers (act_hazard 0.1): entries into the anti-minority movement", "entered_phase_2_anti_minority",
     {"act_hazard": 0.1}, {"act_hazard": 0.1, "act_severity": 0.0}, 520),
    ("acts as triggers (defaults): entries into the anti-minority movement", "entered_phase_2_anti_minority",
     {}, {"act_severity": 0.0}, 520),
    ("targeted inclusion: the silent middle's trust", "mean_trust_silent_middle", {"interventions": TARGETED}, {},
     260),
    ("targeted inclusion: majority prejudice", "mean_prejudice_majority", {"interventions": TARGETED}, {}, 260),
    ("inclusion for everybody: the silent middle's trust", "mean_trust_silent_middle", {"interventions": UNIVERSAL},
     {}, 260),
    ("inclusion for everybody: majority prejudice", "mean_prejudice_majority", {"interventions": UNIVERSAL}, {}, 260),
    ("nationality stripping's deterrence (discrimination 0.45): entries into action (grievance)",
     "entered_phase_3_grievance", {**RISKY, "interventions": [STRIPPING]},
     {**RISKY, "interventions": [{**STRIPPING, "deterrence": 0.0}]}, 520),
    ("nationality stripping's grievance cost: grievance movement in phase 1", "phase_1_grievance",
     {"interventions": [STRIPPING]}, {}, 520),
    ("pushers: mean prejudice", "mean_prejudice", {}, {"pusher_prejudice_gain": 0.0}, 260),
    ("bridge builders: mean prejudice", "mean_prejudice", {}, {"bridge_prejudice_reduction": 0.0}, 260),
    ("scapegoating: mean perceived discrimination", "mean_discrimination", {}, {"scapegoat_incident_rate": 0.0}, 260),
]


def outcomes(kw: dict, seeds: list[int], weeks: int, n_residents: int) -> list[dict]:
    rows = []
    for seed in seeds:
        m = RadicalisationModel(rng=seed, collect=False, n_residents=n_residents, **kw)
        m.run_for(weeks)
        o = m.outcomes()
        o["exit_rate"] = 100.0 * o["left_phase_3"] / max(o["weeks_in_phase_3"], 1)
        rows.append(o)
    return rows


def relative_risk(seeds: list[int], n_residents: int, weeks: int = 260, radical_family_share: float = 0.02):
    """Relative risk of entering phase 2 for residents with a seeded radical relative, with its 95% CI."""
    events = np.zeros(4)
    for seed in seeds:
        m = RadicalisationModel(rng=seed, n_residents=n_residents, radical_family_share=radical_family_share,
                                collect=False)
        hh, rel = m.town.household, m.town.radical_relative
        has = (np.bincount(hh, weights=rel)[hh] - rel) > 0
        at_risk = ~rel & (m.state.phase < Phase.GROUP_MEMBERSHIP)
        entered = np.zeros(m.town.n_residents, bool)
        for _ in range(weeks):
            before = m.state.phase.copy()
            m.step()
            entered |= (before < Phase.GROUP_MEMBERSHIP) & (m.state.phase >= Phase.GROUP_MEMBERSHIP)
        events += [(entered & has & at_risk).sum(), (has & at_risk).sum(),
                   (entered & ~has & at_risk).sum(), (~has & at_risk).sum()]
    a, n1, c, n0 = events
    rr = (a / n1) / (c / n0)
    se = np.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n0)
    return rr, rr * np.exp(-1.96 * se), rr * np.exp(1.96 * se), int(a), int(n1)


@click.command()
@click.option("--replications", default=6, show_default=True)
@click.option("--residents", default=5000, show_default=True)
def main(replications: int, residents: int) -> None:
    """Print every contrast as a Markdown table row."""
    seeds = [replication_seed(1, k) for k in range(replications)]
    click.echo(f"| contrast ({residents:,} residents, {replications} replications) | arm | reference | "
               "paired difference (95% CI) |\n|---|---|---|---|")
    cache: dict[str, list[dict]] = {}
    for what, column, arm, reference, weeks in CONTRASTS:
        runs = []
        for kw in (arm, reference):
            key = repr((kw, weeks))
            if key not in cache:
                cache[key] = outcomes(kw, seeds, weeks, residents)
            runs.append(cache[key])
        a = np.array([r[column] for r in runs[0]], float)
        b = np.array([r[column] for r in runs[1]], float)
        mean, low, high = mean_ci(a - b)
        click.echo(f"| {what} | {a.mean():.4g} | {b.mean():.4g} | {mean:+.4g} ({low:+.4g} to {high:+.4g}) |")
    rr, low, high, a, n1 = relative_risk([replication_seed(2, k) for k in range(replications)], residents)
    click.echo(f"| radical relative: relative risk of joining a group (radical_family_share 0.02, 260 weeks) | "
               f"{a} of {n1} | | RR {rr:.2f} ({low:.2f} to {high:.2f}) |")


if __name__ == "__main__":
    main()
