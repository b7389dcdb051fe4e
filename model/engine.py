"""The array engine: one week of the rules for all residents at once.

State lives in numpy arrays and ties in CSR matrices. A week is one compiled
pass over every resident's ties (:mod:`model.kernels`) followed by the rules of
:mod:`model.rules`, each applied to all residents at once in its compiled form
(``rule.vectorized``). The per-agent reference :meth:`model.agents.Resident.step`
calls the same rules one resident at a time; a test holds the two equal.

Updates are synchronous: every right-hand side reads the state at the start of
the week, except the phase transitions, which read the resident's own updated
belief and violence attitude (E15).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from . import rules
from .interventions import RuleModifiers
from .kernels import PACKED_COLUMNS, SERIAL_BELOW, SUM_COLUMNS, tie_sums, tie_sums_serial
from .parameters import Parameters
from .recruitment import Approaches, recruit
from .rules import IdentityStrategy, Phase
from .state import ResidentState
from .town import LAYERS, Town

__all__ = ["MacroContext", "macro_context", "raw_threat", "ArrayEngine", "N_DRAWS"]

N_DRAWS = 3
"""Uniform draws per resident per week: discrimination incident, identity strategy, phase transition."""


@dataclass(frozen=True)
class MacroContext:
    """The societal level for one week (E1)."""

    week: int
    threat: float                  # societal threat after trigger events, in [0, 1]
    discrimination: float          # societal discrimination level, in [0, 1]
    fairness: float                # institutional fairness (procedural justice), in [0, 1]

    @property
    def stability(self) -> float:
        """Perceived stability of group relations: 1 - threat."""
        return 1.0 - self.threat


def raw_threat(params: Parameters, attack_weeks: list[int], week: int) -> float:
    """E1 without crisis response: ``min(1, sum_e severity * exp(-(t - t_e) / tau))`` over attacks ``t_e <= t``."""
    return rules.undamped_threat(attack_weeks, week, params.attack_severity, params.attack_relaxation_weeks)


def macro_context(params: Parameters, attack_weeks: list[int], week: int, threat_damping: float = 0.0) -> MacroContext:
    """E1: threat decays exponentially after each attack; discrimination rises with threat."""
    threat = rules.damped_threat(raw_threat(params, attack_weeks, week), threat_damping)
    disc = rules.discrimination_after_threat(params.societal_discrimination, params.attack_discrimination_gain, threat)
    return MacroContext(week=week, threat=threat, discrimination=disc, fairness=params.institutional_fairness)


class ArrayEngine:
    """The rules of :mod:`model.rules` over all residents of a :class:`Town` at once (ODD §7).

    Precomputes, once per town, the split of the adjacency into in-group and
    out-group parts and the influence matrix ``W = A_in + outgroup_influence * A_out``.
    """

    def __init__(self, town: Town, params: Parameters):
        self.town = town
        self.params = params
        self.removed = np.zeros(town.n_residents, dtype=bool)
        self.modifiers = RuleModifiers.neutral(town.n_residents)
        self.rebuild_network()

    def rebuild_network(self) -> None:
        """Recompute the matrices derived from the town's ties (after ties, memberships or removals change).

        Residents in ``removed`` (prison) lose all their ties while removed.
        """
        a = self.town.adjacency.tocsr()
        n = a.shape[0]
        bg = self.town.background
        if self.removed.any():
            keep = sp.diags((~self.removed).astype(np.float64))
            a = (keep @ a @ keep).tocsr()
            a.eliminate_zeros()
        self.adjacency = a
        contact = (self.town.edge_layer == LAYERS.index("contact"))
        cs, ct = self.town.edge_source[contact], self.town.edge_target[contact]
        cw = self.town.edge_weight[contact] * (bg[cs] != bg[ct]) * ~self.removed[cs] * ~self.removed[ct]
        programme = np.bincount(cs, weights=cw, minlength=n) + np.bincount(ct, weights=cw, minlength=n)
        cross = np.repeat(bg, np.diff(a.indptr)) != bg[a.indices]     # int8 per tie, not an int64 row index
        row_sum = lambda data: np.add.reduceat(np.append(data, 0.0), a.indptr[:-1]) * (np.diff(a.indptr) > 0)  # noqa: E731
        self.tie_weight = row_sum(a.data)
        outgroup_weight = row_sum(a.data * cross)
        self.ingroup_weight = self.tie_weight - outgroup_weight
        self.influence_weight = self.ingroup_weight + self.params.outgroup_influence * outgroup_weight
        self.contact_share = rules.share.vectorized(outgroup_weight, self.tie_weight, 0.0)
        self.programme_contact_share = rules.share.vectorized(programme, self.tie_weight, 0.0)
        self.minority = (bg > 0).astype(np.float64)
        self.base_prejudice = np.where(bg > 0, self.params.prejudice_minority, self.params.prejudice_majority)
        self.membership_count = (self.town.memberships + self.town.cross_memberships).astype(np.float64)
        self._packed = np.zeros((n, len(PACKED_COLUMNS)), dtype=np.float64)
        self._packed[:, 5] = bg
        self._sums = np.empty((n, len(SUM_COLUMNS)), dtype=np.float64)

    def tie_sums(self, s: ResidentState, in_group: np.ndarray) -> np.ndarray:
        """One pass over all ties (E2, E4, E6): see :func:`model.kernels.tie_sums`."""
        packed = self._packed
        packed[:, 0] = s.radical_belief
        packed[:, 1] = s.violence_attitude
        packed[:, 2] = in_group
        packed[:, 3] = s.prejudice
        packed[:, 4] = s.personal_discrimination
        a = self.adjacency
        kernel = tie_sums_serial if self.town.n_residents < SERIAL_BELOW else tie_sums
        kernel(a.indptr, a.indices, a.data, float(self.params.outgroup_influence), packed, self._sums)
        return self._sums

    def step(self, s: ResidentState, macro: MacroContext, draws: np.ndarray,
             approaches: Approaches | None = None) -> None:
        """Advance ``s`` by one week in place (ODD §7, E2-E17).

        ``draws`` is a ``(N_DRAWS, n)`` array of U(0,1); ``approaches`` are this
        week's recruiters' approaches (none if omitted). Interventions act through
        ``self.modifiers`` (neutral by default).
        """
        p, m, r = self.params, self.modifiers, rules
        phase = s.phase
        in_group = (phase >= Phase.GROUP_MEMBERSHIP).astype(np.float64)
        in_action = phase == Phase.ACTION
        R, V, H = s.radical_belief, s.violence_attitude, s.resilience_shield
        U, T, P = s.identity_uncertainty, s.institutional_trust, s.prejudice
        Dp, Dg, D, S = s.personal_discrimination, s.group_discrimination, s.perceived_discrimination, s.significance_loss

        # E2 exposure through ties (one compiled pass), plus the group's pull
        WR, WrR, Wr, WV, WrV, out_P, in_Dp = self.tie_sums(s, in_group).T
        W1 = self.influence_weight
        exposure = r.influence_exposure.vectorized(WR, WrR, Wr, W1, in_group, p.group_isolation, p.group_pull, R)
        peer_v = r.peer_violence.vectorized(WV, WrV, Wr, W1, in_group, p.group_isolation, p.group_pull, V)

        # E3 prejudice
        target_p = r.prejudice_target.vectorized(self.base_prejudice, s.prejudice_propensity, p.attack_prejudice_gain,
                                                 macro.threat, self.minority, p.contact_prejudice_reduction,
                                                 self.contact_share, m.contact_quality, self.programme_contact_share)
        # E4-E6 discrimination
        fairness = r.procedural_fairness.vectorized(macro.fairness, m.fairness_gain)
        prejudiced_contact = r.share.vectorized(out_P, self.tie_weight, 0.0)
        incident = r.discrimination_incident.vectorized(draws[0], r.incident_probability.vectorized(
            p.incident_rate, prejudiced_contact, macro.discrimination, fairness, m.institutional_relief, self.minority))
        ingroup_dp = r.share.vectorized(in_Dp, self.ingroup_weight, Dp)
        target_g = r.group_deprivation_target.vectorized(ingroup_dp, p.group_deprivation_macro_weight,
                                                         macro.discrimination, m.institutional_relief, self.minority,
                                                         m.injustice)
        # E7 complexity, E8 uncertainty, E9 significance loss, E10 trust
        C = r.identity_complexity.vectorized(self.membership_count, p.group_isolation, in_group,
                                             p.complexity_half_saturation)
        target_u = r.uncertainty_target.vectorized(p.uncertainty_base, s.uncertainty_propensity, p.uncertainty_youth,
                                                   s.young, p.uncertainty_discrimination, D, p.uncertainty_complexity,
                                                   C, p.uncertainty_group_relief, in_group)
        target_s = r.significance_target.vectorized(p.significance_discrimination, Dp, p.significance_belonging, C)
        target_t = r.trust_target.vectorized(fairness, p.trust_discrimination, D, s.trust_propensity, m.trust_penalty,
                                             p.trust_group_loss, in_group)
        # E11 identity strategy
        strategy = r.identity_strategy.vectorized(draws[1], Dg, p.threat_grievance_weight, P, T, macro.stability)
        competing = strategy == IdentityStrategy.SOCIAL_COMPETITION
        # E12 radical belief, E13 attitude to violence, E14 resilience shield
        R_new = r.radical_belief_update.vectorized(R, exposure, U, S, H, competing, in_group, in_action, m.care,
                                                   p.influence_rate, p.competition_drive, p.significance_drive,
                                                   p.belief_decay)
        target_v = r.violence_target.vectorized(R, p.violence_significance, S, p.violence_peer, peer_v,
                                                p.violence_group, in_group, s.violence_propensity)
        V_new = r.relax.vectorized(V, target_v, p.violence_rate)
        target_h = r.shield_target.vectorized(in_action, R, p.shield_base, p.shield_trust, T, p.shield_complexity, C,
                                              p.shield_discrimination, D, m.shield_support, in_group)

        # E15 phase transitions (one per week); joining a group needs a recruiter's approach
        new_phase = r.phase_transition.vectorized(
            phase, R_new, V_new, draws[2], s.time_in_phase, p.sensitivity_threshold, p.membership_threshold,
            p.action_threshold, p.hysteresis, p.disengagement_hazard, m.exit_support, p.min_weeks_before_action,
            p.action_hazard, m.action_blocked, p.action_exit_hazard).astype(np.int8)
        if approaches is not None:
            ready = r.ready_to_join.vectorized(phase, new_phase, R_new, p.membership_threshold, self.removed) > 0
            joined = recruit(approaches, ready, self.town.neighbourhood, s.young, H, m.approach_blocked,
                             m.online_approach_blocked)
            new_phase[joined] = Phase.GROUP_MEMBERSHIP

        # commit (synchronous update); E16 time in phase, E17 ageing and renewal
        s.time_in_phase = r.time_in_phase.vectorized(phase, new_phase, s.time_in_phase).astype(np.int32)
        s.phase = new_phase
        s.identity_strategy = strategy.astype(np.int8)
        s.prejudice = r.relax.vectorized(P, target_p, p.prejudice_rate)
        s.personal_discrimination = r.relax.vectorized(Dp, incident, p.discrimination_memory)
        s.group_discrimination = r.relax.vectorized(Dg, target_g, p.discrimination_memory)
        s.perceived_discrimination = r.perceived_discrimination.vectorized(s.personal_discrimination,
                                                                           s.group_discrimination)
        s.identity_uncertainty = r.relax.vectorized(U, target_u, p.uncertainty_rate)
        s.significance_loss = r.relax.vectorized(S, target_s, p.significance_rate)
        s.institutional_trust = r.relax.vectorized(T, target_t, p.trust_rate)
        s.radical_belief = R_new
        s.violence_attitude = V_new
        s.resilience_shield = r.relax.vectorized(H, target_h, p.shield_rate)
        s.age = r.age_one_week(s.age)
        renew = s.age >= p.life_expectancy
        if renew.any():
            newborn = r.newborn_state(p, self.base_prejudice[renew], s.prejudice_propensity[renew],
                                      s.uncertainty_propensity[renew], s.trust_propensity[renew],
                                      s.group_discrimination[renew])
            for name, value in newborn.items():
                getattr(s, name)[renew] = value
