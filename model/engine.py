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
from .kernels import (PACKED_COLUMNS, SERIAL_BELOW, SUM_COLUMNS, commit_phases, commit_phases_serial,
                      neighbour_codes, pack, pack_serial, tie_sums, tie_sums_serial, week_parameters, week_pass,
                      week_pass_serial)
from .parameters import Parameters
from .recruitment import Approaches, kin_cap, kin_recruits, recruit
from .rules import Phase
from .state import ResidentState
from .town import LAYERS, Town
from .town.sparse import row_sums

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

    ``dtype`` is the precision of what it stores per resident and per tie (``float64``, or ``float32``
    for large towns: half the memory; each rule still computes in float64 and rounds what it stores).
    """

    def __init__(self, town: Town, params: Parameters, dtype=np.float64):
        self.town = town
        self.params = params
        self.dtype = np.dtype(dtype)
        self.removed = np.zeros(town.n_residents, dtype=bool)
        self.modifiers = RuleModifiers.neutral(town.n_residents, self.dtype)
        self.rebuild_network()

    def rebuild_network(self, ties_only: bool = False) -> None:
        """Recompute the matrices derived from the town's ties (after ties, memberships or removals change).

        Residents in ``removed`` (prison) lose all their ties while removed. With ``ties_only`` (ties were
        added, nothing else changed: individual mobility every 13 weeks), what does not depend on the ties
        (backgrounds, memberships, households, the week's parameters, the buffers) is kept.
        """
        a = self.town.adjacency.tocsr()
        n = a.shape[0]
        bg = self.town.background
        if self.removed.any():
            keep = sp.diags((~self.removed).astype(np.float64))
            a = (keep @ a @ keep).tocsr()
            a.eliminate_zeros()
        if a.data.dtype != self.dtype:      # float32 strengths; the index arrays are the town's, not copies
            a = sp.csr_matrix((a.data.astype(self.dtype), a.indices, a.indptr), shape=a.shape, copy=False)
        self.adjacency = a
        contact = (self.town.edge_layer == LAYERS.index("contact"))
        cs, ct = self.town.edge_source[contact], self.town.edge_target[contact]
        cw = self.town.edge_weight[contact] * (bg[cs] != bg[ct]) * ~self.removed[cs] * ~self.removed[ct]
        programme = np.bincount(cs, weights=cw, minlength=n) + np.bincount(ct, weights=cw, minlength=n)
        self.tie_weight = row_sums(a.indptr, a.indices, a.data)
        outgroup_weight = row_sums(a.indptr, a.indices, a.data, bg)
        self.ingroup_weight = self.tie_weight - outgroup_weight
        self.influence_weight = self.ingroup_weight + self.params.outgroup_influence * outgroup_weight
        self.contact_share = rules.share.vectorized(outgroup_weight, self.tie_weight, 0.0)
        self.programme_contact_share = rules.share.vectorized(programme, self.tie_weight, 0.0)
        tied = ("tie_weight", "ingroup_weight", "influence_weight", "contact_share", "programme_contact_share")
        if not ties_only:
            self._residents_arrays()
        if self.dtype != np.float64:
            for name in tied:
                setattr(self, name, getattr(self, name).astype(self.dtype))

    def _residents_arrays(self) -> None:
        """What the week reads of each resident that does not depend on the ties, and the week's buffers."""
        n, bg = self.town.n_residents, self.town.background
        self.minority = (bg > 0).astype(np.float64)
        self.movement = np.where(bg > 0, 0, 1).astype(np.float64)
        self.base_prejudice = np.where(bg > 0, self.params.prejudice_minority, self.params.prejudice_majority)
        self.membership_count = (self.town.memberships + self.town.cross_memberships).astype(np.float64)
        self.kin_cap = kin_cap(self.params, n)
        household = self.town.household
        self.relatives = (np.bincount(household)[household] - 1).astype(np.float64)
        if self.dtype != np.float64:
            for name in ("minority", "base_prejudice", "membership_count", "relatives"):
                setattr(self, name, getattr(self, name).astype(self.dtype))
        self._floats = np.zeros((n, len(PACKED_COLUMNS)), dtype=self.dtype)
        self._codes = np.zeros(n, dtype=np.int16)
        self._static_codes = neighbour_codes(bg, self.movement, 0, 0, 0, 0)
        self._week_parameters = week_parameters(self.params)
        f = self.dtype
        self._buffers = {"pusher": np.empty(n, f), "bridge": np.empty(n, f), "new_phase": np.empty(n, dtype=np.int8),
                         "shield_next": np.empty(n, f), "appeal": np.empty(n, f), "ready": np.empty(n, dtype=np.bool_),
                         "kin": np.empty(n, dtype=np.bool_)}

    def _compiled(self, threaded, one_thread):
        """The one-thread form of a compiled pass for towns below :data:`SERIAL_BELOW`, else the threaded one
        (both give the same floats)."""
        return one_thread if self.town.n_residents < SERIAL_BELOW else threaded

    def pack(self, s: ResidentState, pusher: np.ndarray, bridge: np.ndarray) -> None:
        """E19 roles at the start of the week into ``pusher`` and ``bridge``, and what the pass over ties reads
        of each resident (:func:`model.kernels.pack`)."""
        self._compiled(pack, pack_serial)(s.phase, s.radical_belief, s.violence_attitude, s.prejudice,
                                          s.personal_discrimination, self.contact_share, self._static_codes,
                                          self._week_parameters, pusher, bridge, self._floats, self._codes)

    def tie_sums(self, s: ResidentState, pusher: np.ndarray, bridge: np.ndarray) -> np.ndarray:
        """The roles (:meth:`pack`), then every resident's sums over its ties (E2-E4, E6, E15, E19), as a table
        of :data:`model.kernels.SUM_COLUMNS` (for inspection: a week computes them a block at a time)."""
        self.pack(s, pusher, bridge)
        wp, a = self._week_parameters, self.adjacency
        sums = np.empty((self.town.n_residents, len(SUM_COLUMNS)), dtype=self.dtype)
        self._compiled(tie_sums, tie_sums_serial)(a.indptr, a.indices, a.data, wp.outgroup_influence,
                                                  wp.kin_tie_strength, self._floats, self._codes, sums)
        return sums

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

        Three compiled passes and the sequential recruitment between them: the roles (E19); the pass
        over ties (E2-E4, E6, E15) fused with every element-wise rule for one resident at a time, a
        block of residents at a time (:func:`model.kernels.week_pass`, which writes the continuous
        state in place); the recruiters and the joins through close ties (:mod:`model.recruitment`);
        then the phases (:func:`model.kernels.commit_phases`).
        """
        p, m = self.params, self.modifiers
        wp, buf, a = self._week_parameters, self._buffers, self.adjacency
        phase = s.phase
        in_group = (phase >= Phase.GROUP_MEMBERSHIP).astype(self.dtype)
        pusher, bridge = buf["pusher"], buf["bridge"]
        self.pack(s, pusher, bridge)
        self._compiled(week_pass, week_pass_serial)(
                  a.indptr, a.indices, a.data, self._floats, self._codes,
                  wp, macro.threat, macro.threat_minority, macro.discrimination, macro.fairness,
                  phase, s.time_in_phase, s.identity_strategy, s.polarisation_role, s.age, s.identification,
                  s.identity_uncertainty, s.personal_discrimination, s.group_discrimination,
                  s.perceived_discrimination, s.significance_loss, s.institutional_trust, s.prejudice,
                  s.radical_belief, s.violence_attitude, s.resilience_shield, s.uncertainty_propensity,
                  s.trust_propensity, s.prejudice_propensity, s.violence_propensity, s.discrimination_exposure,
                  pusher, bridge, draws, m.rows, self.influence_weight, self.ingroup_weight,
                  self.contact_share, self.programme_contact_share, self.minority, self.base_prejudice,
                  self.membership_count, self.relatives, self.relatives_in_group(in_group), self.removed,
                  buf["new_phase"], buf["shield_next"], buf["appeal"], buf["ready"], buf["kin"])
        new_phase = buf["new_phase"]
        # E15 joining a group needs a recruiter's approach or a close tie (sequential, in resident order)
        joined = np.empty(0, dtype=np.int64)
        if approaches is not None:
            joined = recruit(approaches, buf["ready"], self.town.neighbourhood, s.movement, s.young,
                             s.resilience_shield, buf["appeal"], m.approach_blocked, m.online_approach_blocked)
            new_phase[joined] = Phase.GROUP_MEMBERSHIP
        new_phase[kin_recruits(buf["kin"], s.movement, self.kin_cap, joined)] = Phase.GROUP_MEMBERSHIP
        # E14, E16 the phases; E17 ageing and renewal
        self._compiled(commit_phases, commit_phases_serial)(phase, new_phase, s.time_in_phase, s.resilience_shield,
                                                            buf["shield_next"], float(p.shield_after_action))
        s.age = rules.age_one_week(s.age)
        renew = s.age >= p.life_expectancy
        if renew.any():
            newborn = rules.newborn_state(p, self.base_prejudice[renew], s.prejudice_propensity[renew],
                                      s.uncertainty_propensity[renew], s.trust_propensity[renew],
                                      s.group_discrimination[renew])
            for name, value in newborn.items():
                getattr(s, name)[renew] = value
