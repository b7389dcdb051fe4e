"""The rules of the model: every equation of ``docs/ODD.md`` §7 (E1-E17), once.

Each equation is a small pure function of floats, named after the theory and
labelled with its E-number. Both executions call these same functions:

* the per-agent reference (:meth:`model.agents.Resident.step`) calls them as
  plain Python with one resident's floats;
* the array engine (:meth:`model.engine.ArrayEngine.step`) calls their compiled
  form, ``rule.vectorized``: a numba ufunc over arrays, built from the same
  source.

A rule is a scalar function that numba can compile (``register_jitable``), so a
later fused pass over residents can call the same functions from compiled code.
Arithmetic is written in one fixed order: the two executions give the same
floats. Parameters are passed by name, so a reader sees which ones a rule uses.

Constants of the theory (the phases, the identity strategies) live here too.
E1 (the macro context) and E17 (demographic renewal) run rarely or once a week
and are plain numpy.
"""

from __future__ import annotations

import inspect
from enum import IntEnum

import numpy as np
from numba import float64, vectorize
from numba.extending import register_jitable

from .parameters import WEEKS_PER_YEAR

__all__ = [
    "Phase", "IdentityStrategy", "RULES",
    "clip", "share", "relax",
    "attack_threat", "undamped_threat", "damped_threat", "discrimination_after_threat",
    "influence_exposure", "peer_violence",
    "prejudice_target",
    "procedural_fairness", "incident_probability", "discrimination_incident", "group_deprivation_target",
    "perceived_discrimination",
    "identity_complexity", "uncertainty_target", "significance_target", "trust_target",
    "identity_strategy",
    "radical_belief_update", "violence_target", "shield_target",
    "phase_transition", "ready_to_join", "approach_succeeds", "time_in_phase",
    "age_one_week", "newborn_state",
]


class Phase(IntEnum):
    """Phases of the radicalisation process (Doosje, Loseman & Van den Bos 2013)."""

    NONE = 0
    SENSITIVITY = 1
    GROUP_MEMBERSHIP = 2
    ACTION = 3


class IdentityStrategy(IntEnum):
    """Answers to a low-status group position (Tajfel & Turner 1979)."""

    INDIVIDUAL_MOBILITY = 0
    SOCIAL_CREATIVITY = 1
    SOCIAL_COMPETITION = 2


RULES: dict[str, object] = {}
"""Every compiled rule by name (for tests and the fused pass)."""


class _Vectorized:
    """The compiled array form of a rule: a numba ufunc, built (or loaded from numba's disk cache) on first use.

    Every argument and the result are float64; booleans and integers are cast
    exactly. Building it on first use keeps ``import model`` fast for work that
    never steps a model (validating a scenario file, listing parameters).
    """

    def __init__(self, fn):
        self.fn = fn
        self.ufunc = None

    def __call__(self, *args):
        if self.ufunc is None:
            n_args = len(inspect.signature(self.fn).parameters)
            self.ufunc = vectorize([float64(*([float64] * n_args))], cache=True)(self.fn)
        return self.ufunc(*args)


def rule(fn):
    """Mark ``fn`` as a rule: plain Python for one resident, ``fn.vectorized(...)`` for arrays."""
    jitable = register_jitable(fn)
    jitable.vectorized = _Vectorized(fn)
    RULES[fn.__name__] = jitable
    return jitable


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

@register_jitable
def clip(x):
    """``x`` clipped to [0, 1]."""
    return 0.0 if x < 0.0 else 1.0 if x > 1.0 else x


@rule
def share(part, whole, fallback):
    """``part / whole``, or ``fallback`` where there is nothing to divide by (``whole <= 0``)."""
    return part / whole if whole > 0.0 else fallback


@rule
def relax(value, target, rate):
    """E3, E5, E6, E8-E10, E13, E14: close the share ``rate`` of the gap to ``target`` in a week."""
    return value + rate * (target - value)


# ---------------------------------------------------------------------------
# E1 the macro context (once a week, scalars)
# ---------------------------------------------------------------------------

def attack_threat(severity: float, weeks_since: float, relaxation_weeks: float) -> float:
    """E1: threat left by one attack ``weeks_since`` weeks ago: ``severity * exp(-weeks_since / tau)``."""
    return severity * float(np.exp(-weeks_since / relaxation_weeks))


def undamped_threat(attack_weeks, week: int, severity: float, relaxation_weeks: float) -> float:
    """E1: threat left by every attack up to ``week``, before any crisis response: ``min(1, sum of attack_threat)``."""
    threat = 0.0
    for t_e in attack_weeks:
        if t_e <= week:
            threat += attack_threat(severity, week - t_e, relaxation_weeks)
    return min(1.0, threat)


def damped_threat(raw_threat: float, damping: float) -> float:
    """E1: societal threat after a crisis response removed the share ``damping`` of it."""
    return (1.0 - damping) * raw_threat


def discrimination_after_threat(societal_discrimination: float, gain: float, threat: float) -> float:
    """E1: societal discrimination rises with threat: ``min(1, d0 + gain * threat)``."""
    return min(1.0, societal_discrimination + gain * threat)


# ---------------------------------------------------------------------------
# E2 exposure through ties (from the tie sums of the execution's own loop)
# ---------------------------------------------------------------------------

@rule
def influence_exposure(WR, WrR, Wr, W1, in_group, group_isolation, group_pull, R):
    """E2: isolation-weighted mean radical belief of a resident's ties, plus the group's own pull.

    ``W1 = sum w``, ``WR = sum w R_j``, ``Wr = sum w r_j``, ``WrR = sum w r_j R_j``
    over ties (``r_j`` = tie in a radical group). Ties between a group member and
    a non-member weaken by ``group_isolation``, both ways. No ties: own belief.
    """
    pull = group_pull * in_group
    if in_group > 0.0:
        den = W1 - group_isolation * (W1 - Wr) + pull
        num = WR - group_isolation * (WR - WrR) + pull
    else:
        den = W1 - group_isolation * Wr + pull
        num = WR - group_isolation * WrR + pull
    return num / den if den > 0.0 else R


@rule
def peer_violence(WV, WrV, Wr, W1, in_group, group_isolation, group_pull, V):
    """E2: isolation-weighted mean attitude to violence of a resident's ties (the group's pull excluded)."""
    pull = group_pull * in_group
    if in_group > 0.0:
        den = W1 - group_isolation * (W1 - Wr) + pull
        num = WV - group_isolation * (WV - WrV)
    else:
        den = W1 - group_isolation * Wr + pull
        num = WV - group_isolation * WrV
    return num / (den - pull) if den - pull > 0.0 else V


# ---------------------------------------------------------------------------
# E3 prejudice
# ---------------------------------------------------------------------------

@rule
def prejudice_target(base, propensity, attack_prejudice_gain, threat, minority, contact_prejudice_reduction,
                     contact_share, contact_quality, programme_contact_share):
    """E3: prejudice target, raised by threat (majority) and lowered by cross-background contact (Allport)."""
    return clip(base + propensity + attack_prejudice_gain * threat * (1.0 - minority)
                - contact_prejudice_reduction * (contact_share + contact_quality * programme_contact_share))


# ---------------------------------------------------------------------------
# E4-E6 discrimination
# ---------------------------------------------------------------------------

@rule
def procedural_fairness(institutional_fairness, fairness_gain):
    """E4, E10: fairness of institutions as this resident meets them."""
    return clip(institutional_fairness + fairness_gain)


@rule
def incident_probability(incident_rate, prejudiced_contact, societal_discrimination, fairness, institutional_relief,
                         minority):
    """E4: weekly chance of a discrimination incident, from prejudiced out-group ties and institutions."""
    return clip(incident_rate * prejudiced_contact
                + societal_discrimination * (1.0 - fairness) * (1.0 - institutional_relief) * minority)


@rule
def discrimination_incident(u, probability):
    """E4: 1 if this week brings an incident (a uniform draw below its chance), else 0."""
    return 1.0 if u < probability else 0.0


@rule
def group_deprivation_target(ingroup_personal_discrimination, macro_weight, societal_discrimination,
                             institutional_relief, minority, injustice):
    """E6: group relative deprivation: in-group peers' experiences and societal discrimination (Runciman)."""
    return clip((1.0 - macro_weight) * ingroup_personal_discrimination
                + macro_weight * societal_discrimination * (1.0 - institutional_relief) * minority + injustice)


@rule
def perceived_discrimination(personal, group):
    """E5-E6: perceived discrimination is the mean of personal and group relative deprivation."""
    return 0.5 * (personal + group)


# ---------------------------------------------------------------------------
# E7-E10 identity, significance and trust
# ---------------------------------------------------------------------------

@rule
def identity_complexity(memberships, group_isolation, in_group, half_saturation):
    """E7: social identity complexity from group memberships (Roccas & Brewer), faded inside a radical group."""
    m = memberships * (1.0 - group_isolation * in_group)
    return m / (m + half_saturation)


@rule
def uncertainty_target(uncertainty_base, propensity, uncertainty_youth, young, uncertainty_discrimination, D,
                       uncertainty_complexity, C, uncertainty_group_relief, in_group):
    """E8: identity uncertainty target (Hogg): youth and discrimination raise it, complexity and the group relieve it."""
    return clip(uncertainty_base + propensity + uncertainty_youth * young + uncertainty_discrimination * D
                - uncertainty_complexity * C) * (1.0 - uncertainty_group_relief * in_group)


@rule
def significance_target(significance_discrimination, personal_discrimination, significance_belonging, C):
    """E9: significance loss target (Kruglanski): personal discrimination and lack of belonging."""
    return clip(significance_discrimination * personal_discrimination + significance_belonging * (1.0 - C))


@rule
def trust_target(fairness, trust_discrimination, D, propensity, trust_penalty, trust_group_loss, in_group):
    """E10: institutional trust target (Tyler): procedural fairness, lowered by discrimination and the group."""
    return clip(fairness * (1.0 - trust_discrimination * D) + propensity - trust_penalty) \
        * (1.0 - trust_group_loss * in_group)


# ---------------------------------------------------------------------------
# E11 identity strategy
# ---------------------------------------------------------------------------

@rule
def identity_strategy(u, group_discrimination, threat_grievance_weight, prejudice, trust, stability):
    """E11: this week's answer to a low-status position (Tajfel & Turner), an :class:`IdentityStrategy` code.

    Collective grievance ``g = max(Dg, w P)``; social competition with chance
    ``g (1 - T * stability)``, social creativity up to ``g``, else individual mobility.
    """
    grievance = max(group_discrimination, threat_grievance_weight * prejudice)
    p_competition = grievance * (1.0 - trust * stability)
    if u < p_competition:
        return 2.0
    if u < grievance:
        return 1.0
    return 0.0


# ---------------------------------------------------------------------------
# E12-E14 radical belief, violence, resilience shield
# ---------------------------------------------------------------------------

@rule
def radical_belief_update(R, exposure, U, S, H, competing, in_group, in_action, care, influence_rate,
                          competition_drive, significance_drive, belief_decay):
    """E12: next week's radical belief. The shield filters radicalising forces before phase 3 and
    de-radicalising pulls in it (it turns around); belief decays outside a group; care lowers it."""
    gap = exposure - R
    radicalising = (influence_rate * U * max(gap, 0.0)
                    + competition_drive * competing * (1.0 - R)
                    + significance_drive * S * exposure * (1.0 - R))
    deradicalising = influence_rate * min(gap, 0.0)
    if in_action > 0.0:
        deradicalising = deradicalising * (1.0 - H)
    else:
        radicalising = radicalising * (1.0 - H)
    return clip(R + radicalising + deradicalising - belief_decay * R * (1.0 - in_group)
                - care * R * (1.0 - in_group))


@rule
def violence_target(R, violence_significance, S, violence_peer, peer_violence_, violence_group, in_group,
                    violence_propensity):
    """E13: attitude to violence target: belief times significance loss, peers and group norms, plus the
    resident's lasting readiness, expressed in a group."""
    return clip(R * (violence_significance * S + violence_peer * peer_violence_ + violence_group * in_group)
                + violence_propensity * in_group)


@rule
def shield_target(in_action, R, shield_base, shield_trust, T, shield_complexity, C, shield_discrimination, D,
                  shield_support, in_group):
    """E14: resilience shield target. Before action: trust and complexity build it, discrimination wears it,
    outside support adds to it. In action it follows group commitment (belief)."""
    if in_action > 0.0:
        return R
    return clip(shield_base + shield_trust * T + shield_complexity * C - shield_discrimination * D
                + shield_support * (1.0 - in_group))


# ---------------------------------------------------------------------------
# E15-E16 phase transitions
# ---------------------------------------------------------------------------

@rule
def phase_transition(phase, R, V, u, time_in_phase_, sensitivity_threshold, membership_threshold, action_threshold,
                     hysteresis, disengagement_hazard, exit_support, min_weeks_before_action, action_hazard,
                     action_blocked, action_exit_hazard):
    """E15: next week's phase, at most one step, from the new belief ``R`` and attitude ``V``.

    Thresholds with hysteresis; leaving phase 2 or 3 and moving to action are
    hazards tested with one uniform draw ``u``. Joining a group (1 -> 2) needs a
    recruiter: :func:`ready_to_join` and :func:`approach_succeeds`.
    """
    if phase == 0.0:
        return 1.0 if R >= sensitivity_threshold else 0.0
    if phase == 1.0:
        return 0.0 if R < sensitivity_threshold - hysteresis else 1.0
    if phase == 2.0:
        exit_hazard = disengagement_hazard + exit_support
        if R < membership_threshold - hysteresis or u < exit_hazard:
            return 1.0
        if (time_in_phase_ + 1.0 >= min_weeks_before_action and V >= action_threshold
                and u < exit_hazard + action_hazard * V and action_blocked == 0.0):
            return 3.0
        return 2.0
    if V < action_threshold - hysteresis or u < action_exit_hazard + exit_support:
        return 2.0
    return 3.0


@rule
def ready_to_join(phase, next_phase, R, membership_threshold, removed):
    """E15: a sympathiser who stays in phase 1 with belief at least the membership threshold (not in prison)."""
    return 1.0 if (phase == 1.0 and next_phase == 1.0 and R >= membership_threshold and removed == 0.0) else 0.0


@rule
def approach_succeeds(u_accept, u_blocked, prevented, H):
    """E15: a recruiter's approach recruits unless it is prevented (chance ``prevented``) or the shield holds."""
    return 1.0 if (u_blocked >= prevented and u_accept < 1.0 - H) else 0.0


@rule
def time_in_phase(old_phase, new_phase, weeks):
    """E16: weeks since entering the current phase."""
    return 0.0 if new_phase != old_phase else weeks + 1.0


# ---------------------------------------------------------------------------
# E17 ageing and demographic renewal (numpy: scalars or arrays)
# ---------------------------------------------------------------------------

def age_one_week(age):
    """E17: residents age one week."""
    return age + 1.0 / WEEKS_PER_YEAR


def newborn_state(p, base_prejudice, prejudice_propensity, uncertainty_propensity, trust_propensity,
                  group_discrimination):
    """E17: the state of a newborn who takes the place of a resident who reached the life expectancy.

    Works element-wise on scalars (reference) and arrays (engine). The newborn
    keeps the place's dispositions and the family's group discrimination.
    """
    trust = np.clip(p.institutional_fairness + trust_propensity, 0.0, 1.0)
    return {
        "age": 0.0, "phase": 0, "time_in_phase": 0, "identity_strategy": 0,
        "identity_uncertainty": np.clip(p.uncertainty_base + uncertainty_propensity, 0.0, 1.0),
        "personal_discrimination": 0.0,
        "perceived_discrimination": 0.5 * group_discrimination,
        "significance_loss": 0.0,
        "institutional_trust": trust,
        "prejudice": np.clip(base_prejudice + prejudice_propensity, 0.0, 1.0),
        "radical_belief": 0.0,
        "violence_attitude": 0.0,
        "resilience_shield": np.clip(p.shield_base + p.shield_trust * trust, 0.0, 1.0),
    }
