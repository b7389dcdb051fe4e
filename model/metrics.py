"""Summary statistics of a state: what the DataCollector records each week."""

from __future__ import annotations

import numpy as np

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
)
"""Columns computed from the residents' state alone (:func:`summarise`)."""

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
    """One row of the time series: phase counts and population means."""
    counts = np.bincount(state.phase, minlength=4)
    minority = background > 0
    young = state.young
    out: dict[str, float] = {f"phase_{k}": int(counts[k]) for k in range(4)}
    out["mean_radical_belief"] = float(state.radical_belief.mean())
    out["mean_prejudice"] = float(state.prejudice.mean())
    out["mean_prejudice_majority"] = float(state.prejudice[~minority].mean()) if (~minority).any() else 0.0
    out["mean_trust"] = float(state.institutional_trust.mean())
    out["mean_discrimination"] = float(state.perceived_discrimination.mean())
    out["mean_discrimination_minority"] = float(state.perceived_discrimination[minority].mean()) if minority.any() else 0.0
    out["mean_uncertainty"] = float(state.identity_uncertainty.mean())
    out["mean_violence_attitude"] = float(state.violence_attitude.mean())
    out["polarisation"] = polarisation_index(state, background)
    out["young_sympathiser_share"] = float((state.phase[young] >= Phase.SENSITIVITY).mean()) if young.any() else 0.0
    out["social_competition_share"] = float((state.identity_strategy == IdentityStrategy.SOCIAL_COMPETITION).mean())
    for m in Movement:
        mine = state.movement == m
        counts_m = np.bincount(state.phase[mine], minlength=4)
        for k in (1, 2, 3):
            out[f"phase_{k}_{m.name.lower()}"] = int(counts_m[k])
        young_m = young & mine
        out[f"young_sympathiser_share_{m.name.lower()}"] = (
            float((state.phase[young_m] >= Phase.SENSITIVITY).mean()) if young_m.any() else 0.0)
    roles = np.bincount(state.polarisation_role, minlength=len(PolarisationRole))
    for r in PolarisationRole:
        out[f"role_{r.name.lower()}"] = int(roles[r])
    middle = state.polarisation_role == PolarisationRole.SILENT_MIDDLE
    out["mean_trust_silent_middle"] = float(state.institutional_trust[middle].mean()) if middle.any() else 0.0
    out["mean_identification"] = float(state.identification.mean())
    out["mean_significance_loss"] = float(state.significance_loss.mean())
    out["individual_mobility_share"] = float((state.identity_strategy == IdentityStrategy.INDIVIDUAL_MOBILITY).mean())
    out["social_creativity_share"] = float((state.identity_strategy == IdentityStrategy.SOCIAL_CREATIVITY).mean())
    return out
