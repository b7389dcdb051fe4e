"""The rules of the model: every equation of ``docs/ODD.md`` §7 (E1-E20), once.

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

Constants of the theory (the phases, the identity strategies, the two
movements, the polarisation roles) live here too. E1 (the macro context) and
E17 (demographic renewal) run rarely or once a week and are plain numpy.
"""

from __future__ import annotations

import inspect
from enum import IntEnum

import numpy as np
from numba import float64, vectorize
from numba.extending import register_jitable

from .parameters import WEEKS_PER_YEAR

__all__ = [
    "Phase", "IdentityStrategy", "Movement", "PolarisationRole", "RULES",
    "clip", "share", "relax",
    "attack_threat", "undamped_threat", "acts_threat", "combined_threat", "damped_threat",
    "discrimination_after_threat",
    "influence_exposure", "peer_violence",
    "prejudice_target",
    "procedural_fairness", "incident_probability", "discrimination_incident", "group_deprivation_target",
    "perceived_discrimination",
    "identity_complexity", "uncertainty_target", "significance_target", "trust_target",
    "perceived_permeability", "identity_strategy", "identification_target",
    "radical_belief_update", "violence_target", "shield_target", "shield_after_transition",
    "phase_transition", "family_pull", "ready_to_join", "join_appeal", "approach_succeeds", "kin_route",
    "time_in_phase",
    "is_pusher", "is_bridge_builder", "polarisation_role", "commits_act",
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


class Movement(IntEnum):
    """The two radical movements of the town; a resident's radical belief is belief in the movement of their side.

    The grievance movement recruits among minority residents and feeds on group
    grievance; the anti-minority movement recruits among majority residents and
    feeds on threat. Each is the other's enemy: its acts are trigger events for the
    other side (reciprocal radicalisation, Moghaddam 2018; Eatwell 2006).
    """

    GRIEVANCE = 0
    ANTI_MINORITY = 1


class PolarisationRole(IntEnum):
    """Roles in polarisation (Brandsma 2017), read from a resident's state each week."""

    SILENT_MIDDLE = 0
    PUSHER = 1
    JOINER = 2
    BRIDGE_BUILDER = 3
    SCAPEGOAT = 4


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


def acts_threat(act_weeks, week: int, severity: float, relaxation_weeks: float) -> float:
    """E1: threat left by the other side's acts before ``week``: ``1 - exp(-sum of attack_threat)``.

    Saturating, so each further act adds less (the feedback between the movements stays bounded).
    """
    total = 0.0
    for t_e in act_weeks:
        if t_e < week:
            total += attack_threat(severity, week - t_e, relaxation_weeks)
    return 1.0 - float(np.exp(-total))


def combined_threat(scheduled: float, acts: float) -> float:
    """E1: threat from scheduled attacks and from acts together: ``1 - (1 - a)(1 - b)``."""
    return 1.0 - (1.0 - scheduled) * (1.0 - acts)


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
def influence_exposure(WR, WrR, Wr, W1, Kr, KrR, in_group, group_isolation, group_pull, R):
    """E2: isolation-weighted mean belief in the resident's movement among their ties, plus the group's pull.

    ``W1 = sum w`` over all ties; ``WR = sum w R_j``, ``Wr = sum w r_j``, ``WrR = sum w r_j R_j``
    over ties on the same side only (``r_j`` = tie in the movement's group): a tie on the
    other side holds none of this movement's belief. Ties between a group member and
    a non-member weaken by ``group_isolation``, both ways, except a non-member's close
    ties to members (``Kr = sum w r_j``, ``KrR = sum w r_j R_j`` over ties of strength at least
    ``kin_tie_strength``): radical relatives and friends stay in touch. No ties: own belief.
    """
    pull = group_pull * in_group
    if in_group > 0.0:
        den = W1 - group_isolation * (W1 - Wr) + pull
        num = WR - group_isolation * (WR - WrR) + pull
    else:
        den = W1 - group_isolation * (Wr - Kr) + pull
        num = WR - group_isolation * (WrR - KrR) + pull
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
def prejudice_target(base, propensity, attack_prejudice_gain, threat, pusher_prejudice_gain, pusher_share,
                     bridge_prejudice_reduction, bridge_share, neglect_prejudice, neglect, minority,
                     contact_prejudice_reduction, contact_share, contact_quality, programme_contact_share):
    """E3: prejudice target, raised by the threat one's side feels, by pushers and by neglect (majority), and
    lowered by bridge builders and cross-background contact (Allport)."""
    return clip(base + propensity + attack_prejudice_gain * threat + pusher_prejudice_gain * pusher_share
                - bridge_prejudice_reduction * bridge_share + neglect_prejudice * neglect * (1.0 - minority)
                - contact_prejudice_reduction * (contact_share + contact_quality * programme_contact_share))


# ---------------------------------------------------------------------------
# E4-E6 discrimination
# ---------------------------------------------------------------------------

@rule
def procedural_fairness(institutional_fairness, fairness_gain):
    """E4, E10: fairness of institutions as this resident meets them."""
    return clip(institutional_fairness + fairness_gain)


@rule
def incident_probability(incident_rate, prejudiced_contact, scapegoat_incident_rate, other_pusher_share,
                         societal_discrimination, fairness, institutional_relief, minority, exposure):
    """E4: weekly chance of a discrimination incident, from prejudiced out-group ties, the other side's pushers
    (scapegoating) and institutions, scaled by the resident's lasting exposure to discrimination."""
    return clip(exposure * (incident_rate * prejudiced_contact + scapegoat_incident_rate * other_pusher_share
                            + societal_discrimination * (1.0 - fairness) * (1.0 - institutional_relief) * minority))


@rule
def discrimination_incident(u, probability):
    """E4: 1 if this week brings an incident (a uniform draw below its chance), else 0."""
    return 1.0 if u < probability else 0.0


@rule
def group_deprivation_target(ingroup_personal_discrimination, macro_weight, identification, societal_discrimination,
                             institutional_relief, minority, injustice, act_grievance_gain, threat):
    """E6: group relative deprivation (Runciman): in-group peers' experiences, and the shared societal term
    weighted by how strongly the resident identifies with the group; injustice to the group and attacks on one's
    side add to it, felt in proportion to identification too."""
    return clip((1.0 - macro_weight) * ingroup_personal_discrimination
                + macro_weight * identification * societal_discrimination * (1.0 - institutional_relief) * minority
                + (injustice + act_grievance_gain * threat * minority) * identification)


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
def significance_target(significance_discrimination, personal_discrimination, significance_belonging, C,
                        creativity_significance_relief, creating, group_significance_gain, in_group):
    """E9: significance loss target (Kruglanski): personal discrimination and lack of belonging; social
    creativity and membership of a radical group restore significance."""
    return clip(significance_discrimination * personal_discrimination + significance_belonging * (1.0 - C)
                - creativity_significance_relief * creating - group_significance_gain * in_group)


@rule
def trust_target(fairness, trust_discrimination, D, propensity, trust_penalty, neglect_trust, neglect, blame_trust,
                 blame_threat, middle, trust_group_loss, in_group):
    """E10: institutional trust target (Tyler): procedural fairness, lowered by discrimination, by neglect, by
    collective blame of the silent middle after the other side was hit, and by the group."""
    return clip(fairness * (1.0 - trust_discrimination * D) + propensity - trust_penalty - neglect_trust * neglect
                - blame_trust * blame_threat * middle) * (1.0 - trust_group_loss * in_group)


# ---------------------------------------------------------------------------
# E11 identity strategy
# ---------------------------------------------------------------------------

@rule
def perceived_permeability(permeability_contact, contact_share):
    """E11: perceived permeability of group boundaries, from cross-background ties at school, work and in town."""
    return clip(permeability_contact * contact_share)


@rule
def identity_strategy(u_reconsider, u, current, reconsider_rate, group_discrimination, threat_grievance_weight,
                      prejudice, grievance_half_saturation, permeability, trust, stability, peer_floor, peer_gain,
                      peer_share):
    """E11: the answer to a low, unjust position (Tajfel & Turner), an :class:`IdentityStrategy` code.

    The strategy persists; it is reconsidered with chance ``reconsider_rate`` a week. Then, with collective
    grievance ``g = max(Dg, w P)``, the share who feel it as a group ``a = g / (g + k)`` (diminishing returns)
    and permeability ``p``: social competition with chance ``a (1 - p)(1 - T * stability) c`` (illegitimate,
    unstable, impermeable), social creativity up to ``a (1 - p)``, else individual mobility. Collective action
    spreads among peers: ``c = clip(peer_floor + peer_gain * q)``, with ``q`` the share of tie strength to
    sympathisers and members on one's own side (van Zomeren et al. 2008).
    """
    if u_reconsider >= reconsider_rate:
        return current
    grievance = max(group_discrimination, threat_grievance_weight * prejudice)
    closed = grievance / (grievance + grievance_half_saturation) * (1.0 - permeability)
    if u < closed * (1.0 - trust * stability) * clip(peer_floor + peer_gain * peer_share):
        return 2.0
    if u < closed:
        return 1.0
    return 0.0


@rule
def identification_target(identification_base, identification_rejection, group_discrimination,
                          identification_competition, competing, identification_mobility, mobile):
    """E18: target of social identification with one's background group: rejection raises it (Branscombe et al.
    1999), competing for the group strengthens it, individual mobility loosens it."""
    return clip(identification_base + identification_rejection * group_discrimination
                + identification_competition * competing - identification_mobility * mobile)


# ---------------------------------------------------------------------------
# E12-E14 radical belief, violence, resilience shield
# ---------------------------------------------------------------------------

@rule
def radical_belief_update(R, exposure, U, S, H, competing, identification, in_group, in_action, care,
                          influence_rate, competition_drive, significance_drive, belief_decay):
    """E12: next week's radical belief. Social competition feeds it in proportion to identification with the
    group; the shield filters radicalising forces before phase 3 and de-radicalising pulls in it (``in_action``
    is 0 when the shield does not turn around); belief decays outside a group; care lowers it."""
    gap = exposure - R
    radicalising = (influence_rate * U * max(gap, 0.0)
                    + competition_drive * competing * identification * (1.0 - R)
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
                    violence_competition, competing, violence_propensity):
    """E13: attitude to violence target: belief times significance loss, peers, group norms and social
    competition (activism), plus the resident's lasting readiness, expressed in a group."""
    return clip(R * (violence_significance * S + violence_peer * peer_violence_ + violence_group * in_group
                     + violence_competition * competing)
                + violence_propensity * in_group)


@rule
def shield_after_transition(old_phase, new_phase, H, shield_after_action):
    """E14: leaving action resets the shield to a non-protective value; otherwise it keeps its relaxed value."""
    return shield_after_action if (old_phase == 3.0 and new_phase != 3.0) else H


@rule
def shield_target(in_action, R, shield_base, shield_trust, T, shield_complexity, C, shield_discrimination, D,
                  shield_support, in_group):
    """E14: resilience shield target. Before action: trust and complexity build it, discrimination wears it,
    outside support adds to it. In action it follows group commitment (belief) when the shield turns around
    (``in_action`` is 0 when it does not)."""
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
                     action_blocked, deterrence, action_exit_hazard, exit_family, family_pull_, H, shield_turns,
                     old_enough):
    """E15: next week's phase, at most one step, from the new belief ``R`` and attitude ``V``.

    Children (``old_enough`` = 0: younger than ``radicalisation_min_age``) stay in
    phase 0. Thresholds with hysteresis; leaving phase 2 or 3 and moving to action are
    hazards tested with one uniform draw ``u``. Deterrence lowers the hazard of
    action. The pull out of action (relatives outside the group, exit programmes)
    passes through ``1 - H`` when the shield turns around. Joining a group (1 -> 2)
    needs a recruiter (:func:`ready_to_join`, :func:`approach_succeeds`) or a close
    tie to a member (:func:`kin_route`).
    """
    if phase == 0.0:
        return 1.0 if (R >= sensitivity_threshold and old_enough > 0.0) else 0.0
    if phase == 1.0:
        return 0.0 if R < sensitivity_threshold - hysteresis else 1.0
    if phase == 2.0:
        exit_hazard = disengagement_hazard + exit_support
        if R < membership_threshold - hysteresis or u < exit_hazard:
            return 1.0
        if (time_in_phase_ + 1.0 >= min_weeks_before_action and V >= action_threshold
                and u < exit_hazard + action_hazard * (1.0 - deterrence) * V and action_blocked == 0.0):
            return 3.0
        return 2.0
    pull = (exit_family * family_pull_ + exit_support) * (1.0 - H * shield_turns)
    if V < action_threshold - hysteresis or u < action_exit_hazard + pull:
        return 2.0
    return 3.0


@rule
def family_pull(relatives, relatives_in_group):
    """E15: share of a resident's relatives (household) outside a radical group; 0 without relatives."""
    return (relatives - relatives_in_group) / relatives if relatives > 0.0 else 0.0


@rule
def ready_to_join(phase, next_phase, R, membership_threshold, removed):
    """E15: a sympathiser who stays in phase 1 with belief at least the membership threshold (not in prison)."""
    return 1.0 if (phase == 1.0 and next_phase == 1.0 and R >= membership_threshold and removed == 0.0) else 0.0


@rule
def join_appeal(join_appeal_base, join_appeal_uncertainty, U):
    """E15: appeal of a radical group with a clear, single identity; it rises with identity uncertainty (Hogg)."""
    return clip(join_appeal_base + join_appeal_uncertainty * U)


@rule
def approach_succeeds(u_accept, u_blocked, prevented, H, appeal):
    """E15: a recruiter's approach recruits unless it is prevented (chance ``prevented``), the shield holds or the
    group does not appeal: it succeeds if ``u_accept < (1 - H) * appeal``."""
    return 1.0 if (u_blocked >= prevented and u_accept < (1.0 - H) * appeal) else 0.0


@rule
def kin_route(u, ready, close_member_ties, kin_join_rate, H, appeal):
    """E15: a sympathiser (``ready``: in phase 1 after this week's other transitions, not in prison) with a close
    tie to a member of the movement joins through it with chance
    ``kin_join_rate (1 - H) appeal`` (a bunch of guys, Sageman 2004); the model caps these joins per week."""
    return 1.0 if (ready > 0.0 and close_member_ties > 0.0 and u < kin_join_rate * (1.0 - H) * appeal) else 0.0


@rule
def time_in_phase(old_phase, new_phase, weeks):
    """E16: weeks since entering the current phase."""
    return 0.0 if new_phase != old_phase else weeks + 1.0


# ---------------------------------------------------------------------------
# E19 polarisation roles, E20 acts
# ---------------------------------------------------------------------------

@rule
def is_pusher(phase, P, pusher_prejudice):
    """E19: a pusher: a member of a radical group (either pole) or a resident with prejudice >= the threshold."""
    return 1.0 if (phase >= 2.0 or P >= pusher_prejudice) else 0.0


@rule
def is_bridge_builder(phase, P, contact_share, bridge_prejudice, bridge_contact):
    """E19: a bridge builder: phase 0, low prejudice and many cross-background ties."""
    return 1.0 if (phase == 0.0 and P <= bridge_prejudice and contact_share >= bridge_contact) else 0.0


@rule
def polarisation_role(phase, pusher, bridge, other_pusher_share, scapegoat_exposure):
    """E19: this week's :class:`PolarisationRole`: pusher, joiner (a sympathiser), bridge builder, scapegoat (in
    phase 0 and reached by the other side's pushers), else the silent middle (Brandsma 2017)."""
    if pusher > 0.0:
        return 1.0
    if phase == 1.0:
        return 2.0
    if bridge > 0.0:
        return 3.0
    if phase == 0.0 and other_pusher_share >= scapegoat_exposure:
        return 4.0
    return 0.0


@rule
def commits_act(u, in_action, removed, act_hazard, deterrence):
    """E20: a resident in phase 3, not in prison, commits an act this week with chance ``act_hazard (1 - deterrence)``."""
    return 1.0 if (in_action > 0.0 and removed == 0.0 and u < act_hazard * (1.0 - deterrence)) else 0.0


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
        "age": 0.0, "phase": 0, "time_in_phase": 0, "identity_strategy": 0, "polarisation_role": 0,
        "identification": np.clip(p.identification_base + p.identification_rejection * group_discrimination, 0.0, 1.0),
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
