"""The array engine: one week of the rules for all residents at once.

State lives in numpy arrays and ties in CSR matrices, so a step is a handful
of sparse matrix-vector products and element-wise operations. The rules are
the same as the per-agent reference :meth:`model.agents.Resident.step`; a test
holds the two equal. Every equation is numbered as in ``docs/ODD.md`` §7.

Updates are synchronous: every right-hand side reads the state at the start of
the week, except the phase transitions, which read the resident's own updated
belief and violence attitude (E15).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .parameters import Parameters
from .interventions import Levers
from .recruitment import Approaches, recruit
from .kernels import PACKED_COLUMNS, SERIAL_BELOW, SUM_COLUMNS, tie_sums, tie_sums_serial
from .state import IdentityStrategy, Phase, ResidentState
from .town import LAYERS, Town

__all__ = ["MacroContext", "macro_context", "raw_threat", "ArrayEngine", "N_DRAWS", "newborn_state"]

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
    threat = 0.0
    for t_e in attack_weeks:
        if t_e <= week:
            threat += params.attack_severity * float(np.exp(-(week - t_e) / params.attack_relaxation_weeks))
    return min(1.0, threat)


def macro_context(params: Parameters, attack_weeks: list[int], week: int, threat_damping: float = 0.0) -> MacroContext:
    """E1: threat decays exponentially after each attack; discrimination rises with threat.

    ``threat(t) = (1 - damping) * min(1, sum_e severity * exp(-(t - t_e) / tau))`` over
    attacks ``t_e <= t`` (damping from a crisis response);
    ``discrimination(t) = min(1, d0 + gain * threat(t))``.
    """
    threat = (1.0 - threat_damping) * raw_threat(params, attack_weeks, week)
    disc = min(1.0, params.societal_discrimination + params.attack_discrimination_gain * threat)
    return MacroContext(week=week, threat=threat, discrimination=disc, fairness=params.institutional_fairness)


def _safe_div(num: np.ndarray, den: np.ndarray, fallback: np.ndarray | float) -> np.ndarray:
    out = np.empty(num.shape, dtype=np.float64)
    ok = den > 0
    np.divide(num, den, out=out, where=ok)
    if np.isscalar(fallback):
        out[~ok] = fallback
    else:
        out[~ok] = fallback[~ok]
    return out


def newborn_state(p: Parameters, base_prejudice, uncertainty_propensity, trust_propensity, group_discrimination):
    """E17: the state of a newborn who takes a departing resident's place.

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
        "prejudice": base_prejudice,
        "radical_belief": 0.0,
        "violence_attitude": 0.0,
        "resilience_shield": np.clip(p.shield_base + p.shield_trust * trust, 0.0, 1.0),
    }


class ArrayEngine:
    """Vectorised rules over a :class:`Town` (ODD §7, equations E1-E16).

    Precomputes, once per town, the split of the adjacency into in-group and
    out-group parts and the influence matrix ``W = A_in + outgroup_influence * A_out``.
    """

    def __init__(self, town: Town, params: Parameters):
        self.town = town
        self.params = params
        self.removed = np.zeros(town.n_residents, dtype=bool)
        self.levers = Levers.neutral(town.n_residents)
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
        self.contact_share = _safe_div(outgroup_weight, self.tie_weight, 0.0)
        self.programme_contact_share = _safe_div(programme, self.tie_weight, 0.0)
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
        """Advance ``s`` by one week in place. ``draws`` is a ``(N_DRAWS, n)`` array of U(0,1);
        ``approaches`` are this week's recruiters' approaches (none if omitted).

        Intervention levers are read from ``self.levers`` (neutral by default).
        """
        p = self.params
        lv = self.levers
        fairness = np.clip(macro.fairness + lv.fairness_gain, 0.0, 1.0)
        phase = s.phase
        in_group = (phase >= Phase.GROUP_MEMBERSHIP).astype(np.float64)
        in_action = phase == Phase.ACTION
        outside_group = 1.0 - in_group        # outside helpers (care, shield support) do not reach members
        young = s.young
        R, V, H = s.radical_belief, s.violence_attitude, s.resilience_shield
        U, T, P = s.identity_uncertainty, s.institutional_trust, s.prejudice
        Dp, Dg, D, S = s.personal_discrimination, s.group_discrimination, s.perceived_discrimination, s.significance_loss

        # E2 exposure: isolation-weighted mean belief and violence attitude of ties, plus the group's pull
        sums = self.tie_sums(s, in_group)
        WR, WrR, Wr, WV, WrV = sums[:, 0], sums[:, 1], sums[:, 2], sums[:, 3], sums[:, 4]
        W1 = self.influence_weight
        # ties between a group member and a non-member weaken by group_isolation, both ways
        iso = p.group_isolation
        pull = p.group_pull * in_group
        den = W1 - iso * np.where(in_group > 0, W1 - Wr, Wr) + pull
        exposure = _safe_div(WR - iso * np.where(in_group > 0, WR - WrR, WrR) + pull, den, R)
        peer_violence = _safe_div(WV - iso * np.where(in_group > 0, WV - WrV, WrV), den - pull, V)

        # E3 prejudice
        target_p = np.clip(self.base_prejudice + s.prejudice_propensity + p.attack_prejudice_gain * macro.threat * (1.0 - self.minority)
                           - p.contact_prejudice_reduction * (self.contact_share
                                                              + lv.contact_quality * self.programme_contact_share),
                           0.0, 1.0)
        P_new = P + p.prejudice_rate * (target_p - P)

        # E4-E6 discrimination
        prejudiced_contact = _safe_div(sums[:, 5], self.tie_weight, 0.0)
        institutional = macro.discrimination * (1.0 - fairness) * (1.0 - lv.institutional_relief) * self.minority
        incident_prob = np.clip(p.incident_rate * prejudiced_contact + institutional, 0.0, 1.0)
        incident = (draws[0] < incident_prob).astype(np.float64)
        ingroup_dp = _safe_div(sums[:, 6], self.ingroup_weight, Dp)
        m = p.discrimination_memory
        Dp_new = Dp + m * (incident - Dp)                                   # E5
        mu = p.group_deprivation_macro_weight                               # E6
        target_g = np.clip((1.0 - mu) * ingroup_dp + mu * macro.discrimination * (1.0 - lv.institutional_relief)
                           * self.minority + lv.injustice, 0.0, 1.0)
        Dg_new = Dg + m * (target_g - Dg)

        # E7 social identity complexity; E8 uncertainty; E9 significance loss; E10 trust
        memb = self.membership_count * (1.0 - p.group_isolation * in_group)
        C = memb / (memb + p.complexity_half_saturation)
        target_u = np.clip(p.uncertainty_base + s.uncertainty_propensity + p.uncertainty_youth * young + p.uncertainty_discrimination * D
                           - p.uncertainty_complexity * C, 0.0, 1.0) * (1.0 - p.uncertainty_group_relief * in_group)
        U_new = U + p.uncertainty_rate * (target_u - U)
        target_s = np.clip(p.significance_discrimination * Dp + p.significance_belonging * (1.0 - C), 0.0, 1.0)
        S_new = S + p.significance_rate * (target_s - S)
        target_t = np.clip(fairness * (1.0 - p.trust_discrimination * D) + s.trust_propensity - lv.trust_penalty,
                           0.0, 1.0) * (1.0 - p.trust_group_loss * in_group)
        T_new = T + p.trust_rate * (target_t - T)

        # E11 identity strategy
        grievance = np.maximum(Dg, p.threat_grievance_weight * P)
        p_competition = grievance * (1.0 - T * macro.stability)
        strategy = np.where(draws[1] < p_competition, IdentityStrategy.SOCIAL_COMPETITION,
                            np.where(draws[1] < grievance, IdentityStrategy.SOCIAL_CREATIVITY,
                                     IdentityStrategy.INDIVIDUAL_MOBILITY)).astype(np.int8)
        competing = (strategy == IdentityStrategy.SOCIAL_COMPETITION).astype(np.float64)

        # E12 radical belief: the shield filters radicalising forces before phase 3, de-radicalising pulls in it
        gap = exposure - R
        radicalising = (p.influence_rate * U * np.maximum(gap, 0.0)
                        + p.competition_drive * competing * (1.0 - R)
                        + p.significance_drive * S * exposure * (1.0 - R))
        deradicalising = p.influence_rate * np.minimum(gap, 0.0)
        radicalising = np.where(in_action, radicalising, radicalising * (1.0 - H))
        deradicalising = np.where(in_action, deradicalising * (1.0 - H), deradicalising)
        R_new = np.clip(R + radicalising + deradicalising - p.belief_decay * R * (1.0 - in_group)
                        - lv.care * R * outside_group, 0.0, 1.0)

        # E13 attitude to violence; E14 resilience shield
        target_v = np.clip(R * (p.violence_significance * S + p.violence_peer * peer_violence
                                + p.violence_group * in_group) + s.violence_propensity * in_group, 0.0, 1.0)
        V_new = V + p.violence_rate * (target_v - V)
        target_h = np.where(in_action, R,
                            np.clip(p.shield_base + p.shield_trust * T + p.shield_complexity * C
                                    - p.shield_discrimination * D + lv.shield_support * outside_group,
                                    0.0, 1.0))
        H_new = H + p.shield_rate * (target_h - H)

        # E15 phase transitions (one per week), E16 time in phase
        u = draws[2]
        tau = s.time_in_phase
        lo1 = p.sensitivity_threshold - p.hysteresis
        lo2 = p.membership_threshold - p.hysteresis
        lo3 = p.action_threshold - p.hysteresis
        new_phase = phase.copy()
        ph0, ph1, ph2, ph3 = phase == 0, phase == 1, phase == 2, phase == 3
        new_phase[ph0 & (R_new >= p.sensitivity_threshold)] = Phase.SENSITIVITY
        new_phase[ph1 & (R_new < lo1)] = Phase.NONE
        exit2 = p.disengagement_hazard + lv.exit_support
        leave2 = ph2 & ((R_new < lo2) | (u < exit2))
        new_phase[leave2] = Phase.SENSITIVITY
        act = (ph2 & ~leave2 & (tau + 1 >= p.min_weeks_before_action) & (V_new >= p.action_threshold)
               & (u < exit2 + p.action_hazard * V_new) & (lv.action_blocked == 0))
        new_phase[act] = Phase.ACTION
        new_phase[ph3 & ((V_new < lo3) | (u < p.action_exit_hazard + lv.exit_support))] = Phase.GROUP_MEMBERSHIP
        if approaches is not None:      # 1 -> 2: recruiters approach ready sympathisers (model.recruitment)
            ready = ph1 & (new_phase == Phase.SENSITIVITY) & (R_new >= p.membership_threshold) & ~self.removed
            joined = recruit(approaches, ready, self.town.neighbourhood, young, H, lv.approach_blocked,
                             lv.online_approach_blocked)
            new_phase[joined] = Phase.GROUP_MEMBERSHIP

        changed = new_phase != phase
        s.time_in_phase = np.where(changed, 0, tau + 1).astype(np.int32)
        s.phase = new_phase
        s.identity_strategy = strategy
        s.prejudice = P_new
        s.personal_discrimination = Dp_new
        s.group_discrimination = Dg_new
        s.perceived_discrimination = 0.5 * (Dp_new + Dg_new)
        s.identity_uncertainty = U_new
        s.significance_loss = S_new
        s.institutional_trust = T_new
        s.radical_belief = R_new
        s.violence_attitude = V_new
        s.resilience_shield = H_new
        s.age = s.age + 1.0 / 52.0

        # E17 demographic renewal: at the life expectancy a newborn takes the resident's place
        renew = s.age >= p.life_expectancy
        if renew.any():
            newborn = newborn_state(p, np.clip(self.base_prejudice[renew] + s.prejudice_propensity[renew], 0.0, 1.0),
                                    s.uncertainty_propensity[renew],
                                    s.trust_propensity[renew], s.group_discrimination[renew])
            for name, value in newborn.items():
                getattr(s, name)[renew] = value
