"""Summary statistics of a state: what the DataCollector records each week."""

from __future__ import annotations

import numpy as np

from .kernels import state_counts
from .parameters import YOUTH_AGE
from .state import IdentityStrategy, Movement, Phase, PolarisationRole, ResidentState

__all__ = ["summarise", "polarisation_index", "radical_clustering", "SUMMARY_COLUMNS", "RUN_COLUMNS", "OUTCOME_COLUMNS"]

SUMMARY_COLUMNS: tuple[str, ...] = (
    "phase_0", "phase_1", "phase_2", "phase_3",
    "mean_radical_belief", "mean_prejudice", "mean_prejudice_majority", "mean_trust",
    "mean_discrimination", "mean_discrimination_minority", "mean_uncertainty", "mean_violence_attitude",
    "polarisation", "young_sympathiser_share", "social_competition_share",
    *(f"phase_{k}_{m.name.lower()}" for m in Movement for k in (1, 2, 3)),
    *(f"young_sympathiser_share_{m.name.lower()}" for m in Movement),
    *(f"role_{r.name.lower()}" for r in PolarisationRole),
    "mean_trust_silent_middle", "mean_identification", "mean_significance_loss",
    "individual_mobility_share", "social_creativity_share",
    *(f"members_{m.name.lower()}" for m in Movement),
)
"""Columns computed from the residents' state alone (:func:`summarise`). ``members_<movement>`` counts the
movement's residents in phase 2 or 3 (its radical group), the quantity the security services estimate."""

RUN_COLUMNS: tuple[str, ...] = (
    "threat", "societal_discrimination", "entered_phase_2", "entered_phase_3", "cost", "removed",
    "threat_minority", "mobility_ties", "left_phase_2", "left_phase_3", "weeks_in_phase_3",
    *(f"{column}_{m.name.lower()}" for m in Movement for column in ("entered_phase_2", "entered_phase_3", "acts")),
)
"""Columns that need the run's history: the macro context, cumulative entries and cost, residents in prison."""

OUTCOME_COLUMNS: tuple[str, ...] = SUMMARY_COLUMNS + RUN_COLUMNS
"""Every outcome of a run, in the order of :meth:`model.model.RadicalisationModel.outcomes` and the DataCollector."""


def polarisation_index(state: ResidentState, background: np.ndarray) -> float:
    """Dispersion on an us-them axis (DiMaggio, Evans & Bryson 1996).

    Each resident's stance is ``+prejudice`` for the majority and
    ``-group_discrimination`` (collective grievance) for minorities; the index is
    the standard deviation of the stances, in [0, 1]. It rises when majority
    prejudice and minority grievance grow apart at the same time.
    """
    stance = np.where(background == 0, state.prejudice, -state.group_discrimination)
    return float(np.std(stance))


def radical_clustering(state: ResidentState, adjacency) -> tuple[float, float]:
    """Share of radical (phase >= 1) ties among radicals' ties, and the population share.

    Returns ``(share_among_radicals_ties, population_share)``; clustering means the
    first is well above the second.
    """
    radical = (state.phase >= Phase.SENSITIVITY).astype(np.float64)
    if radical.sum() == 0:
        return 0.0, 0.0
    binary = adjacency.copy()
    binary.data[:] = 1.0
    radical_nbrs = binary @ radical
    degree = np.asarray(binary.sum(axis=1)).ravel()
    mask = (radical > 0) & (degree > 0)
    return float(radical_nbrs[mask].sum() / degree[mask].sum()), float(radical.mean())


def summarise(state: ResidentState, background: np.ndarray) -> dict[str, float]:
    """One row of the time series: phase counts and population means.

    The counts come from one compiled pass (:func:`model.kernels.state_counts`); the means are numpy's,
    over the same arrays, so that they are the same floats whatever computes the counts.
    """
    c = np.empty(40, dtype=np.int64)
    state_counts(state.phase, state.movement, state.polarisation_role, state.identity_strategy, state.age,
                 float(YOUTH_AGE[0]), float(YOUTH_AGE[1]), c)
    n = state.phase.size
    minority = background > 0
    out: dict[str, float] = {f"phase_{k}": int(c[k]) for k in range(4)}
    out["mean_radical_belief"] = float(state.radical_belief.mean())
    out["mean_prejudice"] = float(state.prejudice.mean())
    out["mean_prejudice_majority"] = float(state.prejudice[~minority].mean()) if (~minority).any() else 0.0
    out["mean_trust"] = float(state.institutional_trust.mean())
    out["mean_discrimination"] = float(state.perceived_discrimination.mean())
    out["mean_discrimination_minority"] = float(state.perceived_discrimination[minority].mean()) if minority.any() else 0.0
    out["mean_uncertainty"] = float(state.identity_uncertainty.mean())
    out["mean_violence_attitude"] = float(state.violence_attitude.mean())
    out["polarisation"] = polarisation_index(state, background)
    young, young_sympathisers = int(c[12] + c[13]), int(c[14] + c[15])
    out["young_sympathiser_share"] = young_sympathisers / young if young else 0.0
    out["social_competition_share"] = int(c[21 + IdentityStrategy.SOCIAL_COMPETITION]) / n
    for m in Movement:
        for k in (1, 2, 3):
            out[f"phase_{k}_{m.name.lower()}"] = int(c[4 + 4 * m + k])
        out[f"young_sympathiser_share_{m.name.lower()}"] = int(c[14 + m]) / int(c[12 + m]) if c[12 + m] else 0.0
    for r in PolarisationRole:
        out[f"role_{r.name.lower()}"] = int(c[16 + r])
    if c[16 + PolarisationRole.SILENT_MIDDLE]:
        out["mean_trust_silent_middle"] = float(
            state.institutional_trust[state.polarisation_role == PolarisationRole.SILENT_MIDDLE].mean())
    else:
        out["mean_trust_silent_middle"] = 0.0
    out["mean_identification"] = float(state.identification.mean())
    out["mean_significance_loss"] = float(state.significance_loss.mean())
    out["individual_mobility_share"] = int(c[21 + IdentityStrategy.INDIVIDUAL_MOBILITY]) / n
    out["social_creativity_share"] = int(c[21 + IdentityStrategy.SOCIAL_CREATIVITY]) / n
    for m in Movement:
        out[f"members_{m.name.lower()}"] = int(c[4 + 4 * m + 2]) + int(c[4 + 4 * m + 3])
    return out
