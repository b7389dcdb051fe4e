"""The per-agent reference: what one resident does in one week, in plain Python.

This is the version a student reads. It applies exactly the rules of the array
engine (:mod:`model.engine`, ``docs/ODD.md`` §7), one resident at a time, and a
test holds both executions equal for the same seed. Attributes such as
``resident.radical_belief`` read and write the model's state arrays, so the
same agents also let the dashboard and notebooks inspect an array-engine run.

Updates are synchronous, as in Mesa's old ``SimultaneousActivation``: every
resident first computes its next state in :meth:`Resident.step` from the state
at the start of the week, then all commit it in :meth:`Resident.advance`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from .engine import newborn_state
from .state import IdentityStrategy, Phase

if TYPE_CHECKING:
    from .model import RadicalisationModel

__all__ = ["Resident", "Recruiter"]


class _State:
    """A resident attribute backed by one of the model's state arrays."""

    def __init__(self, cast=float):
        self.cast = cast

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        return self.cast(getattr(obj.model.state, self.name)[obj.index])

    def __set__(self, obj, value):
        getattr(obj.model.state, self.name)[obj.index] = value


class Resident(mesa.Agent):
    """One resident of the synthetic town (a synthetic person, never a real one)."""

    phase = _State(lambda v: Phase(int(v)))
    time_in_phase = _State(int)
    identity_strategy = _State(lambda v: IdentityStrategy(int(v)))
    age = _State()
    identity_uncertainty = _State()
    personal_discrimination = _State()
    group_discrimination = _State()
    perceived_discrimination = _State()
    significance_loss = _State()
    institutional_trust = _State()
    prejudice = _State()
    radical_belief = _State()
    violence_attitude = _State()
    resilience_shield = _State()
    uncertainty_propensity = _State()
    trust_propensity = _State()
    prejudice_propensity = _State()
    violence_propensity = _State()

    def __init__(self, model: "RadicalisationModel", index: int):
        super().__init__(model)
        self.index = index
        self._next: dict | None = None

    # --- static attributes --------------------------------------------------
    @property
    def background(self) -> int:
        return int(self.model.town.background[self.index])

    @property
    def is_minority(self) -> bool:
        return self.background > 0

    @property
    def is_young(self) -> bool:
        return 12.0 <= self.age <= 27.0

    @property
    def memberships(self) -> list[int]:
        """Ids of the groups (school/work, clubs, religious community) the resident belongs to."""
        return self.model.memberships_of(self.index)

    @property
    def shield_direction(self) -> int:
        """+1: the shield protects against radical influence; -1 (phase 3): it protects the group."""
        return -1 if self.phase == Phase.ACTION else 1

    def ties(self) -> list[tuple["Resident", float]]:
        """``(neighbour, tie strength)`` for every tie, in CSR order."""
        a = self.model.engine.adjacency          # the town's ties, minus residents in prison
        start, end = a.indptr[self.index], a.indptr[self.index + 1]
        agents = self.model.residents
        return [(agents[j], float(w)) for j, w in zip(a.indices[start:end], a.data[start:end])]

    # --- one week --------------------------------------------------------------
    def step(self) -> None:
        """Compute next week's state from this week's (ODD §7, E2-E16)."""
        p = self.model.params
        macro = self.model.macro
        lv, i = self.model.levers, self.index      # intervention levers (zeros change nothing)
        fairness = _clip(macro.fairness + lv.fairness_gain[i])
        u_incident, u_strategy, u_transition = (float(x) for x in self.model.draws[:, self.index])
        phase = self.phase
        in_group = 1.0 if phase >= Phase.GROUP_MEMBERSHIP else 0.0
        in_action = phase == Phase.ACTION
        young = 1.0 if self.is_young else 0.0
        minority = 1.0 if self.is_minority else 0.0
        R, V, H = self.radical_belief, self.violence_attitude, self.resilience_shield
        U, T, P = self.identity_uncertainty, self.institutional_trust, self.prejudice
        Dp, Dg = self.personal_discrimination, self.group_discrimination
        D, S = self.perceived_discrimination, self.significance_loss

        # look at every tie once: influence (weighted by shared identity) and discrimination
        WR = WrR = Wr = WV = WrV = W1 = 0.0
        tie_weight = ingroup_weight = outgroup_weight = 0.0
        prejudiced_contact = ingroup_dp = 0.0
        for other, a in self.ties():
            same = other.background == self.background
            w = a if same else a * p.outgroup_influence
            other_in_group = 1.0 if other.phase >= Phase.GROUP_MEMBERSHIP else 0.0
            WR += w * other.radical_belief
            WrR += w * (other_in_group * other.radical_belief)
            Wr += w * other_in_group
            WV += w * other.violence_attitude
            WrV += w * (other_in_group * other.violence_attitude)
            W1 += w
            tie_weight += a
            if same:
                ingroup_weight += a
                ingroup_dp += a * other.personal_discrimination
            else:
                outgroup_weight += a
                prejudiced_contact += a * other.prejudice

        # E2 exposure to radical belief and violence; ties between a group member and a
        # non-member weaken by group_isolation, both ways, and the group itself pulls its members
        iso = p.group_isolation
        pull = p.group_pull * in_group
        if in_group:   # outside ties (all minus those to members) weaken
            den = W1 - iso * (W1 - Wr) + pull
            num_r, num_v = WR - iso * (WR - WrR) + pull, WV - iso * (WV - WrV)
        else:          # ties to members weaken
            den = W1 - iso * Wr
            num_r, num_v = WR - iso * WrR, WV - iso * WrV
        exposure = num_r / den if den > 0 else R
        peer_violence = num_v / (den - pull) if den - pull > 0 else V

        # E3 prejudice relaxes to a target lowered by cross-background contact
        contact_share = outgroup_weight / tie_weight if tie_weight > 0 else 0.0
        base = p.prejudice_minority if minority else p.prejudice_majority
        programme_share = self.model.engine.programme_contact_share[i]   # programme ties to other backgrounds
        target_p = _clip(base + self.prejudice_propensity + p.attack_prejudice_gain * macro.threat * (1.0 - minority)
                         - p.contact_prejudice_reduction * (contact_share + lv.contact_quality[i] * programme_share))
        P_new = P + p.prejudice_rate * (target_p - P)

        # E4-E6 discrimination: incidents from prejudiced contacts and institutions
        prejudiced_contact = prejudiced_contact / tie_weight if tie_weight > 0 else 0.0
        institutional = macro.discrimination * (1.0 - fairness) * (1.0 - lv.institutional_relief[i]) * minority
        incident_prob = _clip(p.incident_rate * prejudiced_contact + institutional)
        incident = 1.0 if u_incident < incident_prob else 0.0
        ingroup_dp = ingroup_dp / ingroup_weight if ingroup_weight > 0 else Dp
        m = p.discrimination_memory
        Dp_new = Dp + m * (incident - Dp)                                   # E5
        mu = p.group_deprivation_macro_weight                               # E6
        target_g = _clip((1.0 - mu) * ingroup_dp + mu * macro.discrimination * (1.0 - lv.institutional_relief[i])
                         * minority + lv.injustice[i])
        Dg_new = Dg + m * (target_g - Dg)

        # E7 complexity, E8 uncertainty, E9 significance loss, E10 trust
        memb = float(self.model.town.memberships[self.index] + self.model.town.cross_memberships[self.index]) * (1.0 - iso * in_group)
        C = memb / (memb + p.complexity_half_saturation)
        target_u = _clip(p.uncertainty_base + self.uncertainty_propensity + p.uncertainty_youth * young + p.uncertainty_discrimination * D
                         - p.uncertainty_complexity * C) * (1.0 - p.uncertainty_group_relief * in_group)
        U_new = U + p.uncertainty_rate * (target_u - U)
        target_s = _clip(p.significance_discrimination * Dp + p.significance_belonging * (1.0 - C))
        S_new = S + p.significance_rate * (target_s - S)
        target_t = _clip(fairness * (1.0 - p.trust_discrimination * D) + self.trust_propensity - lv.trust_penalty[i]) * (1.0 - p.trust_group_loss * in_group)
        T_new = T + p.trust_rate * (target_t - T)

        # E11 identity strategy: permeable -> mobility; legitimate and stable -> creativity; else competition
        grievance = max(Dg, p.threat_grievance_weight * P)
        p_competition = grievance * (1.0 - T * macro.stability)
        if u_strategy < p_competition:
            strategy = IdentityStrategy.SOCIAL_COMPETITION
        elif u_strategy < grievance:
            strategy = IdentityStrategy.SOCIAL_CREATIVITY
        else:
            strategy = IdentityStrategy.INDIVIDUAL_MOBILITY
        competing = 1.0 if strategy == IdentityStrategy.SOCIAL_COMPETITION else 0.0

        # E12 radical belief: the shield filters radicalising forces before phase 3, de-radicalising pulls in it
        gap = exposure - R
        radicalising = (p.influence_rate * U * max(gap, 0.0)
                        + p.competition_drive * competing * (1.0 - R)
                        + p.significance_drive * S * exposure * (1.0 - R))
        deradicalising = p.influence_rate * min(gap, 0.0)
        if in_action:
            deradicalising *= 1.0 - H
        else:
            radicalising *= 1.0 - H
        care = 0.0 if in_group else lv.care[i] * R      # outside helpers do not reach group members
        R_new = _clip(R + radicalising + deradicalising - p.belief_decay * R * (1.0 - in_group) - care)

        # E13 attitude to violence, E14 resilience shield (in phase 3 it follows group commitment)
        target_v = _clip(R * (p.violence_significance * S + p.violence_peer * peer_violence + p.violence_group * in_group)
                         + self.violence_propensity * in_group)
        V_new = V + p.violence_rate * (target_v - V)
        if in_action:
            target_h = R
        else:
            support = 0.0 if in_group else lv.shield_support[i]
            target_h = _clip(p.shield_base + p.shield_trust * T + p.shield_complexity * C - p.shield_discrimination * D
                             + support)
        H_new = H + p.shield_rate * (target_h - H)

        # E15 phase transitions with thresholds and hysteresis (joining a group needs a recruiter: Recruiter)
        new_phase = phase
        if phase == Phase.NONE:
            if R_new >= p.sensitivity_threshold:
                new_phase = Phase.SENSITIVITY
        elif phase == Phase.SENSITIVITY:
            if R_new < p.sensitivity_threshold - p.hysteresis:
                new_phase = Phase.NONE
        elif phase == Phase.GROUP_MEMBERSHIP:
            exit2 = p.disengagement_hazard + lv.exit_support[i]
            if R_new < p.membership_threshold - p.hysteresis or u_transition < exit2:
                new_phase = Phase.SENSITIVITY
            elif (self.time_in_phase + 1 >= p.min_weeks_before_action and V_new >= p.action_threshold
                  and u_transition < exit2 + p.action_hazard * V_new and lv.action_blocked[i] == 0):
                new_phase = Phase.ACTION
        else:
            if V_new < p.action_threshold - p.hysteresis or u_transition < p.action_exit_hazard + lv.exit_support[i]:
                new_phase = Phase.GROUP_MEMBERSHIP

        self._next = dict(
            phase=int(new_phase),
            time_in_phase=0 if new_phase != phase else self.time_in_phase + 1,  # E16
            identity_strategy=int(strategy),
            prejudice=P_new, personal_discrimination=Dp_new, group_discrimination=Dg_new,
            perceived_discrimination=0.5 * (Dp_new + Dg_new),
            identity_uncertainty=U_new, significance_loss=S_new, institutional_trust=T_new,
            radical_belief=R_new, violence_attitude=V_new, resilience_shield=H_new,
            age=self.age + 1.0 / 52.0,
        )
        # E17 demographic renewal: a newborn takes the place
        if self._next["age"] >= p.life_expectancy:
            base = p.prejudice_minority if minority else p.prejudice_majority
            newborn = newborn_state(p, _clip(base + self.prejudice_propensity), self.uncertainty_propensity, self.trust_propensity, Dg_new)
            self._next.update(newborn)

    @property
    def ready_to_join(self) -> bool:
        """After :meth:`step`: a sympathiser who stays in phase 1 with belief at least the membership threshold."""
        return (self.phase == Phase.SENSITIVITY and self._next["phase"] == Phase.SENSITIVITY
                and self._next["radical_belief"] >= self.model.params.membership_threshold
                and not self.model.removed[self.index])

    def join_group(self) -> None:
        """Accept a recruiter's approach: next week's phase is 2 (E15)."""
        self._next.update(phase=int(Phase.GROUP_MEMBERSHIP), time_in_phase=0)

    def advance(self) -> None:
        """Commit the state computed in :meth:`step`."""
        for name, value in self._next.items():
            setattr(self, name, value)
        self._next = None


class Recruiter:
    """A recruiter's presence in one venue: a neighbourhood, or online (``neighbourhood=None``).

    Recruiters are not residents of the synthetic town (they come from outside or
    online), so they are not Mesa agents of the model. Each week the venue gets
    the number of approaches the model drew (:mod:`model.recruitment`); an
    approach meets one ready sympathiser of the venue, chosen uniformly, who
    joins unless the resilience shield holds. Runs between :meth:`Resident.step`
    and :meth:`Resident.advance`.
    """

    def __init__(self, model: "RadicalisationModel", neighbourhood: int | None):
        self.model = model
        self.neighbourhood = neighbourhood

    def reaches(self, resident: Resident) -> bool:
        if self.neighbourhood is None:
            return resident.is_young
        return int(self.model.town.neighbourhood[resident.index]) == self.neighbourhood

    def approach(self) -> None:
        """Make this week's approaches in the venue."""
        approaches = self.model.approaches
        venue = approaches.counts.size - 1 if self.neighbourhood is None else self.neighbourhood
        first = int(approaches.counts[:venue].sum())
        count = int(approaches.counts[venue])
        if count == 0:
            return
        pool = [r for r in self.model.residents if self.reaches(r) and r.ready_to_join]
        for j in range(first, first + count):
            if not pool:
                return
            pos = int(approaches.whom[j] * len(pool))
            chosen = pool[pos]
            levers = self.model.levers
            prevented = levers.online_approach_blocked if self.neighbourhood is None else levers.approach_blocked[chosen.index]
            if approaches.blocked[j] >= prevented and approaches.accept[j] < 1.0 - chosen.resilience_shield:
                chosen.join_group()
                del pool[pos]


def _clip(x: float, lo: float = 0.0, hi: float = 1.0) -> float:
    return lo if x < lo else hi if x > hi else x
