"""The young people's survey figures in a run: matched at week 0, and checked against the town (ODD §5.1).

:func:`match_young_figures` shifts the week-0 state so that each neighbourhood's
young people have the survey's means; it evaluates the targets of E7, E8 and
E10 through :mod:`model.rules`, the same functions both executions use.
:func:`survey_fit` tables each figure against the model's current value.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd

from . import rules
from .interventions import RuleModifiers, survey_interventions
from .parameters import YOUTH_AGE, Parameters
from .state import ResidentState
from .survey import FIGURES, Survey
from .town import Town
from .town.survey_population import neighbourhood_sizes

__all__ = ["match_young_figures", "young_means", "survey_fit"]


def _week0_modifiers(params: Parameters, town: Town, phase: np.ndarray) -> RuleModifiers:
    """The rule modifiers the survey's key figures set in week 0 (read by the trust target)."""
    modifiers = RuleModifiers.neutral(town.n_residents)
    world = SimpleNamespace(town=town, state=SimpleNamespace(phase=phase),      # all that key figures read
                            key_figure_trust=np.zeros(town.n_residents))
    for iv in survey_interventions(params, town):
        iv.begin(world)
        iv.act(world, modifiers, 0)
    return modifiers


# ---------------------------------------------------------------------------
# matching the young people's means
# ---------------------------------------------------------------------------

def _shift_to_means(value, group: np.ndarray, target: np.ndarray, lo: float = -5.0, hi: float = 5.0,
                    iterations: int = 72) -> np.ndarray:
    """Per group g, the additive shift ``d[g]`` with ``mean(value(d[group])) == target[g]`` over the group.

    ``value`` maps a per-member shift to per-member values and must be
    non-decreasing in the shift; found by bisection. Where the target cannot be
    reached (clipping at 0 or 1), the shift ends at the nearest bound.
    """
    k = target.size
    count = np.maximum(np.bincount(group, minlength=k), 1)
    low, high = np.full(k, lo), np.full(k, hi)
    goal = np.nan_to_num(target, nan=0.0)
    for _ in range(iterations):
        mid = 0.5 * (low + high)
        mean = np.bincount(group, weights=value(mid[group]), minlength=k) / count
        above = mean > goal
        high = np.where(above, mid, high)
        low = np.where(above, low, mid)
    return np.where(np.isnan(target), 0.0, 0.5 * (low + high))


def match_young_figures(state: "ResidentState", town: "Town", params: "Parameters") -> None:
    """Shift the week-0 state so that each neighbourhood's young people have the survey's means.

    In each neighbourhood with a figure (ODD §5.1):

    1. **Perceived discrimination**: the young residents' personal and group
       discrimination are shifted by one common amount (clipped to [0, 1]) so
       that the mean of D = (Dp + Dg) / 2 hits the figure.
    2. **Identity uncertainty** and **institutional trust**: the lasting
       propensities εU, εT of every resident aged 27 or under (the young people
       and the children who grow into the age band) are shifted by one common
       amount, and their U and T start at the target of their rule (E8, E10:
       the value they relax to, given D, memberships, phase and the key
       figures), so that the young people's mean hits the figure. Because the
       shift sits in the lasting propensity, it does not relax away.
    3. Significance loss and the resilience shield are moved with D and T as in
       the default initialisation (S by ``initial_significance_discrimination`` ΔD; H by ``shield_trust`` ΔT −
       ``shield_discrimination`` ΔD).

    Uses no random numbers. A figure that clipping makes unreachable (for example
    trust 1.0 with a radical-group member among the young) ends at the nearest
    reachable mean; :func:`survey_fit` shows the gap.
    """
    survey = params.survey
    if survey is None:
        return
    p = params
    hood = town.neighbourhood.astype(np.int64)
    young = town.young
    cohort = town.age <= YOUTH_AGE[1]
    in_group = (state.phase >= 2).astype(np.float64)

    def clip(x):
        return np.clip(x, 0.0, 1.0)

    # 1. perceived discrimination (young people only)
    target = survey.targets("young_discrimination")
    sel = np.nonzero(young & ~np.isnan(target)[hood])[0]
    D_old = state.perceived_discrimination.copy()
    if sel.size:
        dp, dg = state.personal_discrimination[sel], state.group_discrimination[sel]
        shift = _shift_to_means(lambda d: 0.5 * (clip(dp + d) + clip(dg + d)), hood[sel], target)[hood[sel]]
        state.personal_discrimination[sel] = clip(dp + shift)
        state.group_discrimination[sel] = clip(dg + shift)
        state.perceived_discrimination[sel] = 0.5 * (state.personal_discrimination[sel]
                                                     + state.group_discrimination[sel])
    D = state.perceived_discrimination

    # E7 complexity and the week-0 modifiers of the survey's key figures, as the engine computes them
    C = rules.identity_complexity.vectorized(town.memberships + town.cross_memberships, p.group_isolation, in_group,
                                             p.complexity_half_saturation)
    modifiers = _week0_modifiers(params, town, state.phase)
    fairness = rules.procedural_fairness.vectorized(p.institutional_fairness, modifiers.fairness_gain)

    def target_u(i, eps):
        return rules.uncertainty_target.vectorized(p.uncertainty_base, eps, p.uncertainty_youth, young[i],
                                                   p.uncertainty_discrimination, D[i], p.uncertainty_complexity,
                                                   C[i], p.uncertainty_group_relief, in_group[i])

    def target_t(i, eps):
        return rules.trust_target.vectorized(fairness[i], p.trust_discrimination, D[i], eps,
                                             modifiers.trust_penalty[i], p.neglect_trust, 0.0, p.blame_trust,
                                             0.0, 0.0, p.trust_group_loss, in_group[i])     # no neglect or blame at week 0

    T_old = state.institutional_trust.copy()
    for figure, propensity, value, rule in (
            ("young_uncertainty", state.uncertainty_propensity, state.identity_uncertainty, target_u),
            ("young_trust", state.trust_propensity, state.institutional_trust, target_t)):
        target = survey.targets(figure)
        has = ~np.isnan(target)[hood]
        sel = np.nonzero(young & has)[0]
        if sel.size == 0:
            continue
        eps = propensity[sel]
        shift = _shift_to_means(lambda d, i=sel, e=eps: rule(i, e + d), hood[sel], target)
        moved = np.nonzero(cohort & has)[0]
        propensity[moved] += shift[hood[moved]]
        value[moved] = rule(moved, propensity[moved])

    # 3. significance loss and shield follow D and T as in the default initialisation
    dD = D - D_old
    dT = state.institutional_trust - T_old
    state.significance_loss[:] = np.where(dD != 0, clip(state.significance_loss + p.initial_significance_discrimination * dD),
                                     state.significance_loss)
    changed = (dD != 0) | (dT != 0)
    state.resilience_shield[:] = np.where(changed, clip(state.resilience_shield + p.shield_trust * dT
                                                         - p.shield_discrimination * dD), state.resilience_shield)


# ---------------------------------------------------------------------------
# checking the match
# ---------------------------------------------------------------------------

def young_means(town: "Town", state: "ResidentState", variable: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean, standard deviation and count of ``variable`` over young people, per neighbourhood."""
    k = town.n_neighbourhoods
    young = state.young
    hood = town.neighbourhood[young]
    x = getattr(state, variable)[young]
    n = np.bincount(hood, minlength=k).astype(float)
    safe = np.maximum(n, 1.0)
    mean = np.bincount(hood, weights=x, minlength=k) / safe
    var = np.bincount(hood, weights=x * x, minlength=k) / safe - mean**2
    mean[n == 0] = np.nan
    return mean, np.sqrt(np.maximum(var, 0.0)), n


def survey_fit(town: "Town", state: "ResidentState", survey: Survey):
    """A table of each survey figure against the model's current value, per neighbourhood.

    Columns: ``neighbourhood`` (id), ``name``, ``figure``, ``target``, ``model``,
    ``gap`` (model - target), ``young`` (young residents) and ``se`` (standard
    error of the young mean, sd / sqrt(young)). Figures: ``residents`` (the
    survey's size, scaled if ``n_residents`` differs from the survey's total),
    ``minority_share_k``, the three young means and ``key_figure_share``.
    """
    k = len(survey.neighbourhoods)
    hood = town.neighbourhood
    size = np.bincount(hood, minlength=k).astype(float)
    rows = []
    _, _, n_young = young_means(town, state, "perceived_discrimination")
    comp = np.bincount(hood.astype(np.int64) * (survey.n_minorities + 1) + town.background,
                       minlength=k * (survey.n_minorities + 1)).reshape(k, -1)
    means = {f: young_means(town, state, var) for f, var in FIGURES.items()}
    key = np.bincount(hood, weights=town.key_figure.astype(float), minlength=k)
    residents = neighbourhood_sizes(survey, town.n_residents)
    for i, nb in enumerate(survey.neighbourhoods):
        def row(figure, target, model, se=math.nan, young=math.nan):
            rows.append({"neighbourhood": i, "name": nb.name, "figure": figure, "target": target, "model": model,
                         "gap": model - target, "young": young, "se": se})
        row("residents", float(residents[i]), size[i])
        for b, share in enumerate(nb.minority_shares, start=1):
            row(f"minority_share_{b}", share, comp[i, b] / max(size[i], 1.0))
        for f in FIGURES:
            target = getattr(nb, f)
            if target is not None:
                mean, sd, n = means[f]
                row(f, target, mean[i], sd[i] / math.sqrt(max(n[i], 1.0)), n_young[i])
        row("key_figure_share", nb.key_figure_share, key[i] / max(size[i], 1.0))
    return pd.DataFrame(rows)
