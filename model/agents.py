"""The per-agent reference: what one resident does in one week, in plain Python.

This is the version a student reads. :meth:`Resident.step` looks at each of the
resident's ties once, then applies the rules of :mod:`model.rules` (``docs/ODD.md``
§7) to its own floats: the same functions the array engine (:mod:`model.engine`)
applies to all residents at once, so a test holds both executions equal for the
same seed. Attributes such as ``resident.radical_belief`` read and write the
model's state arrays, so the same agents also let the dashboard and notebooks
inspect an array-engine run.

Updates are synchronous, as in Mesa's old ``SimultaneousActivation``: every
resident first computes its next state in :meth:`Resident.step` from the state
at the start of the week, then all commit it in :meth:`Resident.advance`.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence

import mesa

from . import rules
from .parameters import YOUTH_AGE
from .recruitment import venue_of
from .rules import IdentityStrategy, Movement, Phase, PolarisationRole

__all__ = ["Resident", "Residents", "Recruiter", "join_through_ties"]


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
    polarisation_role = _State(lambda v: PolarisationRole(int(v)))
    movement = _State(lambda v: Movement(int(v)))
    age = _State()
    identification = _State()
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
    discrimination_exposure = _State()

    def __init__(self, model: mesa.Model, index: int):
        super().__init__(model)
        self.unique_id = index + 1          # stable whatever the order residents are first asked for in
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
        return YOUTH_AGE[0] <= self.age <= YOUTH_AGE[1]

    @property
    def memberships(self) -> list[int]:
        """Ids of the groups (school/work, clubs, religious community) the resident belongs to."""
        return self.model.town.memberships_of(self.index)

    @property
    def shield_direction(self) -> int:
        """+1: the shield protects against radical influence; -1 (phase 3): it protects the group."""
        return -1 if self.phase == Phase.ACTION and self.model.params.shield_turns_around else 1

    def ties(self) -> list[tuple["Resident", float]]:
        """``(neighbour, tie strength)`` for every tie, in CSR order."""
        a = self.model.engine.adjacency          # the town's ties, minus residents in prison
        start, end = a.indptr[self.index], a.indptr[self.index + 1]
        agents = self.model.residents
        return [(agents[j], float(w)) for j, w in zip(a.indices[start:end], a.data[start:end])]

    def relatives(self) -> list["Resident"]:
        """The other residents of the household."""
        agents = self.model.residents
        return [agents[j] for j in self.model.town.relatives_of(self.index)]

    def is_pusher(self) -> bool:
        """E19: a member of a radical group, or prejudiced at least ``pusher_prejudice``."""
        return rules.is_pusher(float(self.phase), self.prejudice, self.model.params.pusher_prejudice) > 0.0

    def is_bridge_builder(self) -> bool:
        """E19: in phase 0, with low prejudice and many cross-background ties."""
        p = self.model.params
        return rules.is_bridge_builder(float(self.phase), self.prejudice,
                                       float(self.model.engine.contact_share[self.index]), p.bridge_prejudice,
                                       p.bridge_contact) > 0.0

    # --- one week --------------------------------------------------------------
    def step(self) -> None:
        """Compute next week's state from this week's (ODD §7, E2-E19)."""
        p, macro, r = self.model.params, self.model.macro, rules
        m, i = self.model.modifiers, self.index          # intervention rule modifiers (zeros change nothing)
        engine = self.model.engine                       # the town's tie totals, as the engine keeps them
        u_incident, u_strategy, u_transition, u_reconsider, u_kin = (float(x) for x in self.model.draws[:5, i])
        phase = self.phase
        in_group = 1.0 if phase >= Phase.GROUP_MEMBERSHIP else 0.0
        turns = 1.0 if p.shield_turns_around else 0.0
        in_action = (1.0 if phase == Phase.ACTION else 0.0) * turns     # where the shield has turned around
        young = 1.0 if self.is_young else 0.0
        minority = 1.0 if self.is_minority else 0.0
        R, V, H = self.radical_belief, self.violence_attitude, self.resilience_shield
        U, T, P, I = self.identity_uncertainty, self.institutional_trust, self.prejudice, self.identification
        Dp, Dg = self.personal_discrimination, self.group_discrimination
        D, S = self.perceived_discrimination, self.significance_loss
        threat = macro.threat_minority if minority else macro.threat       # felt by one's own side
        blame = macro.threat if minority else macro.threat_minority        # felt by the other side

        # look at every tie once: influence of one's own movement (weighted by shared identity), discrimination,
        # pushers, bridge builders and close ties to members
        WR = WrR = Wr = WV = WrV = W1 = 0.0
        tie_weight = ingroup_weight = outgroup_weight = prejudiced = ingroup_dp = 0.0
        pushers = other_pushers = bridges = close_members = Kr = KrR = sympathisers = 0.0
        for other, a in self.ties():
            same = other.background == self.background
            w = a if same else a * p.outgroup_influence
            W1 += w
            tie_weight += a
            if same:
                ingroup_weight += a
                ingroup_dp += a * other.personal_discrimination
            else:
                outgroup_weight += a
                prejudiced += a * other.prejudice
            pusher = 1.0 if other.is_pusher() else 0.0
            pushers += a * pusher
            bridges += a * (1.0 if other.is_bridge_builder() else 0.0)
            if other.movement == self.movement:
                other_in_group = 1.0 if other.phase >= Phase.GROUP_MEMBERSHIP else 0.0
                WR += w * other.radical_belief
                WrR += w * (other_in_group * other.radical_belief)
                Wr += w * other_in_group
                WV += w * other.violence_attitude
                WrV += w * (other_in_group * other.violence_attitude)
                sympathisers += a * (1.0 if other.phase >= Phase.SENSITIVITY else 0.0)
                if a >= p.kin_tie_strength:
                    close_members += other_in_group
                    Kr += w * other_in_group
                    KrR += w * (other_in_group * other.radical_belief)
            else:
                other_pushers += a * pusher

        # E19 this week's polarisation role
        pusher_share = r.share(pushers, tie_weight, 0.0)
        other_pusher_share = r.share(other_pushers, tie_weight, 0.0)
        role = PolarisationRole(int(r.polarisation_role(float(phase), 1.0 if self.is_pusher() else 0.0,
                                                        1.0 if self.is_bridge_builder() else 0.0,
                                                        other_pusher_share, p.scapegoat_exposure)))
        middle = 1.0 if role == PolarisationRole.SILENT_MIDDLE else 0.0
        # E2 exposure to the movement's belief and violence
        exposure = r.influence_exposure(WR, WrR, Wr, W1, Kr, KrR, in_group, p.group_isolation, p.group_pull, R)
        peer_v = r.peer_violence(WV, WrV, Wr, W1, in_group, p.group_isolation, p.group_pull, V)
        # E3 prejudice: threat, pushers and neglect raise it; bridge builders and cross-background contact lower it
        base = p.prejudice_minority if minority else p.prejudice_majority
        contact_share = r.share(outgroup_weight, tie_weight, 0.0)
        target_p = r.prejudice_target(base, self.prejudice_propensity, p.attack_prejudice_gain, threat,
                                      p.pusher_prejudice_gain, pusher_share, p.bridge_prejudice_reduction,
                                      r.share(bridges, tie_weight, 0.0), p.neglect_prejudice, m.neglect[i], minority,
                                      p.contact_prejudice_reduction, contact_share, m.contact_quality[i],
                                      engine.programme_contact_share[i])
        # E4-E6 discrimination: incidents from prejudiced contacts, pushers of the other side and institutions
        fairness = r.procedural_fairness(macro.fairness, m.fairness_gain[i])
        incident = r.discrimination_incident(u_incident, r.incident_probability(
            p.incident_rate, r.share(prejudiced, tie_weight, 0.0), p.scapegoat_incident_rate, other_pusher_share,
            macro.discrimination, fairness, m.institutional_relief[i], minority, self.discrimination_exposure))
        target_g = r.group_deprivation_target(r.share(ingroup_dp, ingroup_weight, Dp), p.group_deprivation_macro_weight,
                                              I, macro.discrimination, m.institutional_relief[i], minority,
                                              m.injustice[i], p.act_grievance_gain, threat)
        # E11 identity strategy (mobility, creativity or competition; it persists), E18 identification
        permeability = r.perceived_permeability(p.permeability_contact, contact_share)
        strategy = IdentityStrategy(int(r.identity_strategy(u_reconsider, u_strategy, float(self.identity_strategy),
                                                            p.strategy_reconsider_rate, Dg, p.threat_grievance_weight,
                                                            P, p.grievance_half_saturation, permeability, T,
                                                            1.0 - threat, p.competition_peer_floor,
                                                            p.competition_peer_gain,
                                                            r.share(sympathisers, tie_weight, 0.0))))
        competing = 1.0 if strategy == IdentityStrategy.SOCIAL_COMPETITION else 0.0
        creating = 1.0 if strategy == IdentityStrategy.SOCIAL_CREATIVITY else 0.0
        mobile = 1.0 if strategy == IdentityStrategy.INDIVIDUAL_MOBILITY else 0.0
        target_i = r.identification_target(p.identification_base, p.identification_rejection, Dg,
                                           p.identification_competition, competing, p.identification_mobility, mobile)
        # E7 complexity, E8 uncertainty, E9 significance loss, E10 trust
        C = r.identity_complexity(float(engine.membership_count[i]), p.group_isolation, in_group,
                                  p.complexity_half_saturation)
        target_u = r.uncertainty_target(p.uncertainty_base, self.uncertainty_propensity, p.uncertainty_youth, young,
                                        p.uncertainty_discrimination, D, p.uncertainty_complexity, C,
                                        p.uncertainty_group_relief, in_group)
        target_s = r.significance_target(p.significance_discrimination, Dp, p.significance_belonging, C,
                                         p.creativity_significance_relief, creating, p.group_significance_gain,
                                         in_group)
        target_t = r.trust_target(fairness, p.trust_discrimination, D, self.trust_propensity, m.trust_penalty[i],
                                  p.neglect_trust, m.neglect[i], p.blame_trust, blame, middle, p.trust_group_loss,
                                  in_group)
        # E12 radical belief, E13 attitude to violence, E14 resilience shield (it turns around in phase 3)
        R_new = r.radical_belief_update(R, exposure, U, S, H, competing, I, in_group, in_action, m.care[i],
                                        p.influence_rate, p.competition_drive, p.significance_drive, p.belief_decay)
        V_new = r.relax(V, r.violence_target(R, p.violence_significance, S, p.violence_peer, peer_v, p.violence_group,
                                             in_group, p.violence_competition, competing, self.violence_propensity),
                        p.violence_rate)
        target_h = r.shield_target(in_action, R, p.shield_base, p.shield_trust, T, p.shield_complexity, C,
                                   p.shield_discrimination, D, m.shield_support[i], in_group)
        # E15 phase transitions (joining a group needs a recruiter, Recruiter, or a close tie, kin_route)
        relatives = self.relatives()
        pull = r.family_pull(float(len(relatives)),
                             float(sum(1.0 for rel in relatives if rel.phase >= Phase.GROUP_MEMBERSHIP)))
        new_phase = int(r.phase_transition(
            float(phase), R_new, V_new, u_transition, float(self.time_in_phase), p.sensitivity_threshold,
            p.membership_threshold, p.action_threshold, p.hysteresis, p.disengagement_hazard, m.exit_support[i],
            p.min_weeks_before_action, p.action_hazard, m.action_blocked[i], m.deterrence[i], p.action_exit_hazard,
            p.exit_family, pull, H, turns, 1.0 if self.age >= p.radicalisation_min_age else 0.0))
        ready = r.ready_to_join(float(phase), float(new_phase), R_new, p.membership_threshold,
                                float(self.model.removed[i]))
        self.appeal = r.join_appeal(p.join_appeal_base, p.join_appeal_uncertainty, U)
        sympathiser = r.ready_to_join(float(phase), float(new_phase), R_new, 0.0, float(self.model.removed[i]))
        self.joins_through_tie = r.kin_route(u_kin, sympathiser, close_members, p.kin_join_rate, H, self.appeal) > 0.0

        Dp_new = r.relax(Dp, incident, p.discrimination_memory)
        Dg_new = r.relax(Dg, target_g, p.discrimination_memory)
        self._next = dict(
            phase=new_phase,
            time_in_phase=int(r.time_in_phase(float(phase), float(new_phase), float(self.time_in_phase))),  # E16
            identity_strategy=int(strategy), polarisation_role=int(role),
            identification=r.relax(I, target_i, p.identification_rate),
            prejudice=r.relax(P, target_p, p.prejudice_rate),
            personal_discrimination=Dp_new, group_discrimination=Dg_new,
            perceived_discrimination=r.perceived_discrimination(Dp_new, Dg_new),
            identity_uncertainty=r.relax(U, target_u, p.uncertainty_rate),
            significance_loss=r.relax(S, target_s, p.significance_rate),
            institutional_trust=r.relax(T, target_t, p.trust_rate),
            radical_belief=R_new, violence_attitude=V_new,
            resilience_shield=r.shield_after_transition(float(phase), float(new_phase),
                                                        r.relax(H, target_h, p.shield_rate), p.shield_after_action),
            age=r.age_one_week(self.age),
        )
        self._ready = ready > 0.0
        self._newborn = None
        if self._next["age"] >= p.life_expectancy:      # E17 demographic renewal: a newborn takes the place
            self._newborn = r.newborn_state(p, base, self.prejudice_propensity, self.uncertainty_propensity,
                                            self.trust_propensity, Dg_new)

    @property
    def ready_to_join(self) -> bool:
        """After :meth:`step`: a sympathiser who stays in phase 1 with belief at least the membership threshold."""
        return self._ready

    def join_group(self) -> None:
        """Join a radical group: next week's phase is 2 (E15)."""
        self._next.update(phase=int(Phase.GROUP_MEMBERSHIP), time_in_phase=0)
        self._ready = False

    def advance(self) -> None:
        """Commit the state computed in :meth:`step` (after the week's joins; a newborn replaces it, E17)."""
        if self._newborn is not None:
            self._next.update(self._newborn)
        for name, value in self._next.items():
            setattr(self, name, value)
        self._next = None


class Residents(Sequence):
    """The residents of a model as Mesa agents, each created the first time it is asked for.

    The array engine never needs them, and creating a million Mesa agents took longer
    than building the town, so ``model.residents[i]`` makes resident ``i`` on demand;
    iterating, or asking for ``model.agents``, makes them all (:meth:`create_all`).
    Either way a resident's attributes read the model's state arrays, so an agent made
    late sees the same values as one made at week 0.
    """

    def __init__(self, model: mesa.Model, n: int):
        self.model = model
        self._made: list[Resident | None] = [None] * n
        self._missing = n

    def __len__(self) -> int:
        return len(self._made)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        index = operator.index(index)
        if index < 0:
            index += len(self)
        made = self._made[index]                 # IndexError as a list's
        if made is None:
            made = self._made[index] = Resident(self.model, index)
            self._missing -= 1
        return made

    def __iter__(self):
        self.create_all()
        return iter(self._made)

    @property
    def created(self) -> int:
        """How many residents exist as Mesa agents so far."""
        return len(self) - self._missing

    def create_all(self) -> None:
        """Make every resident a Mesa agent, registered with the model in index order."""
        if self._missing == 0:
            return
        early = [r for r in self._made if r is not None]
        for resident in early:                  # asked for out of order: register again, in order
            self.model.deregister_agent(resident)
        for index, resident in enumerate(self._made):
            if resident is None:
                self._made[index] = Resident(self.model, index)
            else:
                self.model.register_agent(resident)
                resident.unique_id = index + 1
        self._missing = 0


class Recruiter:
    """A movement's recruiter presence in one venue: a neighbourhood, or online (``neighbourhood=None``).

    Recruiters are not residents of the synthetic town (they come from outside or
    online), so they are not Mesa agents of the model. Each week the venue gets
    the number of approaches the model drew (:mod:`model.recruitment`); an
    approach meets one of the movement's ready sympathisers of the venue, chosen
    uniformly, who joins unless the shield holds or the group does not appeal.
    Runs between :meth:`Resident.step` and :meth:`Resident.advance`.
    """

    def __init__(self, model: mesa.Model, movement: Movement, neighbourhood: int | None):
        self.model = model
        self.movement = movement
        self.neighbourhood = neighbourhood

    def reaches(self, resident: Resident) -> bool:
        if resident.movement != self.movement:
            return False
        if self.neighbourhood is None:
            return resident.is_young
        return int(self.model.town.neighbourhood[resident.index]) == self.neighbourhood

    def approach(self) -> None:
        """Make this week's approaches in the venue."""
        approaches = self.model.approaches
        venue = venue_of(self.movement, self.neighbourhood, self.model.town.n_neighbourhoods)
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
            modifiers = self.model.modifiers
            prevented = (modifiers.online_approach_blocked if self.neighbourhood is None
                         else modifiers.approach_blocked[chosen.index])
            if rules.approach_succeeds(approaches.accept[j], approaches.blocked[j], prevented, chosen.resilience_shield,
                                       chosen.appeal):
                chosen.join_group()
                del pool[pos]


def join_through_ties(model: mesa.Model) -> None:
    """E15: after the recruiters, ready sympathisers with a close tie to a member join through it, at most
    :func:`model.recruitment.kin_cap` per movement a week, in resident order."""
    cap = model.engine.kin_cap
    joined = {movement: 0 for movement in Movement}
    for resident in model.residents:
        if (resident.joins_through_tie and resident._next["phase"] == Phase.SENSITIVITY
                and joined[resident.movement] < cap):
            resident.join_group()
            joined[resident.movement] += 1
