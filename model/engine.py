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
from .recruitment import Approaches, kin_cap, kin_recruits, recruit
from .rules import IdentityStrategy, Phase, PolarisationRole
from .state import ResidentState
from .town import LAYERS, Town

__all__ = ["MacroContext", "macro_context", "raw_threat", "ArrayEngine", "N_DRAWS", "DRAW_ROWS"]

DRAW_ROWS = ("incident", "strategy", "transition", "reconsider", "kin_route", "act")
"""Uniform draws per resident per week, by row: discrimination incident, identity strategy, phase transition,
whether to reconsider the strategy, joining through a close tie, committing an act."""
N_DRAWS = len(DRAW_ROWS)


@dataclass(frozen=True)
class MacroContext:
    """The societal level for one week (E1)."""

    week: int
    threat: float                  # threat felt by majority residents (attacks, acts of the grievance movement)
    discrimination: float          # societal discrimination level, in [0, 1]
    fairness: float                # institutional fairness (procedural justice), in [0, 1]
    threat_minority: float = 0.0   # threat felt by minority residents (acts of the anti-minority movement)

    @property
    def stability(self) -> float:
        """Perceived stability of group relations for majority residents: 1 - threat."""
        return 1.0 - self.threat


def _side_threats(params: Parameters, attack_weeks: list[int], act_weeks, week: int) -> tuple[float, float]:
    """E1 before crisis response: threat felt by majority and by minority residents."""
    tau = params.attack_relaxation_weeks
    majority = rules.combined_threat(
        rules.undamped_threat(attack_weeks, week, params.attack_severity, tau),
        rules.acts_threat(act_weeks[0], week, params.act_severity, tau))
    minority = rules.combined_threat(
        rules.undamped_threat(params.anti_minority_attack_weeks, week, params.attack_severity, tau),
        rules.acts_threat(act_weeks[1], week, params.act_severity, tau))
    return majority, minority


NO_ACTS: tuple[list[int], list[int]] = ([], [])


def raw_threat(params: Parameters, attack_weeks: list[int], week: int, act_weeks=NO_ACTS) -> float:
    """E1 without crisis response: the larger of the two sides' threats (scheduled attacks and acts)."""
    return max(_side_threats(params, attack_weeks, act_weeks, week))


def macro_context(params: Parameters, attack_weeks: list[int], week: int, threat_damping: float = 0.0,
                  act_weeks=NO_ACTS) -> MacroContext:
    """E1: threat decays exponentially after each attack and act; discrimination rises with the majority's threat.

    ``act_weeks[m]`` lists the week of every act of movement ``m`` (one entry per act).
    """
    majority, minority = _side_threats(params, attack_weeks, act_weeks, week)
    threat = rules.damped_threat(majority, threat_damping)
    disc = rules.discrimination_after_threat(params.societal_discrimination, params.attack_discrimination_gain, threat)
    return MacroContext(week=week, threat=threat, discrimination=disc, fairness=params.institutional_fairness,
                        threat_minority=rules.damped_threat(minority, threat_damping))


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
        self.movement = np.where(bg > 0, 0, 1).astype(np.float64)
        self.base_prejudice = np.where(bg > 0, self.params.prejudice_minority, self.params.prejudice_majority)
        self.membership_count = (self.town.memberships + self.town.cross_memberships).astype(np.float64)
        self.kin_cap = kin_cap(self.params, n)
        household = self.town.household
        self.relatives = (np.bincount(household)[household] - 1).astype(np.float64)
        self._packed = np.zeros((n, len(PACKED_COLUMNS)), dtype=np.float64)
        self._packed[:, 5] = bg
        self._packed[:, 6] = self.movement
        self._sums = np.empty((n, len(SUM_COLUMNS)), dtype=np.float64)

    def tie_sums(self, s: ResidentState, in_group: np.ndarray, pusher: np.ndarray, bridge: np.ndarray) -> np.ndarray:
        """One pass over all ties (E2-E4, E6, E15, E19): see :func:`model.kernels.tie_sums`."""
        packed = self._packed
        packed[:, 0] = s.radical_belief
        packed[:, 1] = s.violence_attitude
        packed[:, 2] = in_group
        packed[:, 3] = s.prejudice
        packed[:, 4] = s.personal_discrimination
        packed[:, 7] = pusher
        packed[:, 8] = bridge
        packed[:, 9] = s.phase >= Phase.SENSITIVITY
        a = self.adjacency
        kernel = tie_sums_serial if self.town.n_residents < SERIAL_BELOW else tie_sums
        kernel(a.indptr, a.indices, a.data, float(self.params.outgroup_influence), float(self.params.kin_tie_strength),
               packed, self._sums)
        return self._sums

    def relatives_in_group(self, in_group: np.ndarray) -> np.ndarray:
        """Per resident: relatives (same household, self excluded) in a radical group."""
        household = self.town.household
        return np.bincount(household, weights=in_group)[household] - in_group

    def step(self, s: ResidentState, macro: MacroContext, draws: np.ndarray,
             approaches: Approaches | None = None) -> None:
        """Advance ``s`` by one week in place (ODD §7, E2-E19).

        ``draws`` is a ``(N_DRAWS, n)`` array of U(0,1) (rows :data:`DRAW_ROWS`); ``approaches``
        are this week's recruiters' approaches (none if omitted). Interventions act through
        ``self.modifiers`` (neutral by default).
        """
        p, m, r = self.params, self.modifiers, rules
        u_incident, u_strategy, u_transition, u_reconsider, u_kin = draws[:5]
        phase = s.phase
        in_group = (phase >= Phase.GROUP_MEMBERSHIP).astype(np.float64)
        turns = 1.0 if p.shield_turns_around else 0.0
        in_action = (phase == Phase.ACTION) * turns            # where the shield has turned around
        R, V, H = s.radical_belief, s.violence_attitude, s.resilience_shield
        U, T, P, I = s.identity_uncertainty, s.institutional_trust, s.prejudice, s.identification
        Dp, Dg, D, S = s.personal_discrimination, s.group_discrimination, s.perceived_discrimination, s.significance_loss
        threat = np.where(self.minority > 0, macro.threat_minority, macro.threat)    # felt by one's own side
        blame = np.where(self.minority > 0, macro.threat, macro.threat_minority)     # felt by the other side

        # E19 roles at the start of the week; E2 exposure through ties (one compiled pass)
        pusher = r.is_pusher.vectorized(phase, P, p.pusher_prejudice)
        bridge = r.is_bridge_builder.vectorized(phase, P, self.contact_share, p.bridge_prejudice, p.bridge_contact)
        (WR, WrR, Wr, WV, WrV, out_P, in_Dp, push, push_other, bridges, close_members, Kr, KrR, tie_weight,
         sympathisers) = self.tie_sums(s, in_group, pusher, bridge).T
        W1 = self.influence_weight
        pusher_share = r.share.vectorized(push, tie_weight, 0.0)
        other_pusher_share = r.share.vectorized(push_other, tie_weight, 0.0)
        role = r.polarisation_role.vectorized(phase, pusher, bridge, other_pusher_share, p.scapegoat_exposure)
        middle = (role == PolarisationRole.SILENT_MIDDLE).astype(np.float64)
        exposure = r.influence_exposure.vectorized(WR, WrR, Wr, W1, Kr, KrR, in_group, p.group_isolation, p.group_pull, R)
        peer_v = r.peer_violence.vectorized(WV, WrV, Wr, W1, in_group, p.group_isolation, p.group_pull, V)

        # E3 prejudice
        target_p = r.prejudice_target.vectorized(
            self.base_prejudice, s.prejudice_propensity, p.attack_prejudice_gain, threat, p.pusher_prejudice_gain,
            pusher_share, p.bridge_prejudice_reduction, r.share.vectorized(bridges, tie_weight, 0.0),
            p.neglect_prejudice, m.neglect, self.minority, p.contact_prejudice_reduction, self.contact_share,
            m.contact_quality, self.programme_contact_share)
        # E4-E6 discrimination
        fairness = r.procedural_fairness.vectorized(macro.fairness, m.fairness_gain)
        prejudiced_contact = r.share.vectorized(out_P, tie_weight, 0.0)
        incident = r.discrimination_incident.vectorized(u_incident, r.incident_probability.vectorized(
            p.incident_rate, prejudiced_contact, p.scapegoat_incident_rate, other_pusher_share, macro.discrimination,
            fairness, m.institutional_relief, self.minority, s.discrimination_exposure))
        ingroup_dp = r.share.vectorized(in_Dp, self.ingroup_weight, Dp)
        target_g = r.group_deprivation_target.vectorized(ingroup_dp, p.group_deprivation_macro_weight, I,
                                                         macro.discrimination, m.institutional_relief, self.minority,
                                                         m.injustice, p.act_grievance_gain, threat)
        # E11 identity strategy (it persists), E18 identification
        permeability = r.perceived_permeability.vectorized(p.permeability_contact, self.contact_share)
        strategy = r.identity_strategy.vectorized(u_reconsider, u_strategy, s.identity_strategy,
                                                  p.strategy_reconsider_rate, Dg, p.threat_grievance_weight, P,
                                                  p.grievance_half_saturation, permeability, T, 1.0 - threat,
                                                  p.competition_peer_floor, p.competition_peer_gain,
                                                  r.share.vectorized(sympathisers, tie_weight, 0.0))
        competing = (strategy == IdentityStrategy.SOCIAL_COMPETITION).astype(np.float64)
        creating = (strategy == IdentityStrategy.SOCIAL_CREATIVITY).astype(np.float64)
        mobile = (strategy == IdentityStrategy.INDIVIDUAL_MOBILITY).astype(np.float64)
        target_i = r.identification_target.vectorized(p.identification_base, p.identification_rejection, Dg,
                                                      p.identification_competition, competing,
                                                      p.identification_mobility, mobile)
        # E7 complexity, E8 uncertainty, E9 significance loss, E10 trust
        C = r.identity_complexity.vectorized(self.membership_count, p.group_isolation, in_group,
                                             p.complexity_half_saturation)
        target_u = r.uncertainty_target.vectorized(p.uncertainty_base, s.uncertainty_propensity, p.uncertainty_youth,
                                                   s.young, p.uncertainty_discrimination, D, p.uncertainty_complexity,
                                                   C, p.uncertainty_group_relief, in_group)
        target_s = r.significance_target.vectorized(p.significance_discrimination, Dp, p.significance_belonging, C,
                                                    p.creativity_significance_relief, creating,
                                                    p.group_significance_gain, in_group)
        target_t = r.trust_target.vectorized(fairness, p.trust_discrimination, D, s.trust_propensity, m.trust_penalty,
                                             p.neglect_trust, m.neglect, p.blame_trust, blame, middle,
                                             p.trust_group_loss, in_group)
        # E12 radical belief, E13 attitude to violence, E14 resilience shield
        R_new = r.radical_belief_update.vectorized(R, exposure, U, S, H, competing, I, in_group, in_action, m.care,
                                                   p.influence_rate, p.competition_drive, p.significance_drive,
                                                   p.belief_decay)
        target_v = r.violence_target.vectorized(R, p.violence_significance, S, p.violence_peer, peer_v,
                                                p.violence_group, in_group, p.violence_competition, competing,
                                                s.violence_propensity)
        V_new = r.relax.vectorized(V, target_v, p.violence_rate)
        target_h = r.shield_target.vectorized(in_action, R, p.shield_base, p.shield_trust, T, p.shield_complexity, C,
                                              p.shield_discrimination, D, m.shield_support, in_group)

        # E15 phase transitions (one per week); joining a group needs a recruiter's approach or a close tie
        pull = r.family_pull.vectorized(self.relatives, self.relatives_in_group(in_group))
        new_phase = r.phase_transition.vectorized(
            phase, R_new, V_new, u_transition, s.time_in_phase, p.sensitivity_threshold, p.membership_threshold,
            p.action_threshold, p.hysteresis, p.disengagement_hazard, m.exit_support, p.min_weeks_before_action,
            p.action_hazard, m.action_blocked, m.deterrence, p.action_exit_hazard, p.exit_family, pull, H,
            turns, s.age >= p.radicalisation_min_age).astype(np.int8)
        ready = r.ready_to_join.vectorized(phase, new_phase, R_new, p.membership_threshold, self.removed)
        appeal = r.join_appeal.vectorized(p.join_appeal_base, p.join_appeal_uncertainty, U)
        joined = np.empty(0, dtype=np.int64)
        if approaches is not None:
            joined = recruit(approaches, ready > 0, self.town.neighbourhood, s.movement, s.young, H, appeal,
                             m.approach_blocked, m.online_approach_blocked)
            new_phase[joined] = Phase.GROUP_MEMBERSHIP
        sympathiser = r.ready_to_join.vectorized(phase, new_phase, R_new, 0.0, self.removed)
        kin = r.kin_route.vectorized(u_kin, sympathiser, close_members, p.kin_join_rate, H, appeal)
        new_phase[kin_recruits(kin > 0, s.movement, self.kin_cap, joined)] = Phase.GROUP_MEMBERSHIP

        # commit (synchronous update); E16 time in phase, E17 ageing and renewal
        s.time_in_phase = r.time_in_phase.vectorized(phase, new_phase, s.time_in_phase).astype(np.int32)
        s.resilience_shield = r.shield_after_transition.vectorized(phase, new_phase, r.relax.vectorized(
            H, target_h, p.shield_rate), p.shield_after_action)
        s.phase = new_phase
        s.identity_strategy = strategy.astype(np.int8)
        s.polarisation_role = role.astype(np.int8)
        s.identification = r.relax.vectorized(I, target_i, p.identification_rate)
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
        s.age = r.age_one_week(s.age)
        renew = s.age >= p.life_expectancy
        if renew.any():
            newborn = r.newborn_state(p, self.base_prejudice[renew], s.prejudice_propensity[renew],
                                      s.uncertainty_propensity[renew], s.trust_propensity[renew],
                                      s.group_discrimination[renew])
            for name, value in newborn.items():
                getattr(s, name)[renew] = value
