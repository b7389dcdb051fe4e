"""Interventions: the policy levers of the seed, as small validated objects.

An intervention has a schedule (``start``, ``duration``), a ``target`` (who,
how many), an ``intensity`` in [0, 1] and a ``cost`` in abstract units per
targeted resident per active week. Each acts through a documented mechanism
(``docs/ODD.md`` §7.5) by one or both of:

* **rule modifiers**: per-resident arrays that the rules read each week
  (:class:`RuleModifiers`; neutral values change nothing), reset and re-applied
  while the intervention is active;
* **structural changes**: new ties or memberships added to the town when the
  intervention starts, and removal from the network (prison).

Every coefficient of a mechanism is a field of the intervention, with its
default, range and meaning (``radsim params --interventions`` lists them).

**The world an intervention sees** is the narrow protocol :class:`World` (the
model implements it):

* read: ``town`` (backgrounds, households, neighbourhoods, ties, key figures),
  ``key_figure_trust`` (trust in key figures built so far, which key-figure
  interventions write and a crisis response reads),
  ``state`` (the residents' state arrays), ``params``, ``removed`` (in prison),
  ``raw_threat(week)`` (E1 before any crisis response);
* change the town only through ``add_ties``, ``join_groups`` and ``leave_groups``
  (the town's own bookkeeping; the model then refreshes what the rules read);
* take residents out of the network and back with ``remove`` and ``release``;
* write the state only for the documented jumps of a mechanism (a false flag's
  label, an arrest, re-entry after prison);
* draw random numbers only from ``intervention_rng``, a stream spawned from the
  model's generator, so that arms of a comparison share the residents' random
  numbers (common random numbers).
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import Annotated, Any, Literal, Protocol, Union

import numpy as np
from pydantic import BaseModel, Field, PrivateAttr, TypeAdapter, ValidationError, model_validator

from .errors import STRICT, ParameterError, bounds, one_line_error
from .parameters import GroupKind, Parameters
from .state import ResidentState
from .town import MembershipChange, Town

__all__ = [
    "RuleModifiers", "World", "Targeting", "Intervention", "InterventionSpec", "INTERVENTION_TYPES",
    "IntergroupContact", "InclusionPolicy", "MultipleMemberships", "KeyFigures", "ParentSupport",
    "EarlySignalling", "CareAndRepression", "CrisisResponse", "NationalityStripping", "RecruiterDisruption",
    "SurveyKeyFigures", "survey_interventions", "validate_interventions", "check_targets", "check_reach",
    "intervention_table",
]


class World(Protocol):
    """What an intervention may read and change (see the module docstring)."""

    town: Town
    state: ResidentState
    params: Parameters
    intervention_rng: np.random.Generator
    key_figure_trust: np.ndarray

    @property
    def removed(self) -> np.ndarray: ...

    def raw_threat(self, week: int) -> float: ...

    def add_ties(self, source: np.ndarray, target: np.ndarray, layer: str, weight: float) -> int: ...

    def join_groups(self, residents: np.ndarray, group: np.ndarray, kind: GroupKind,
                    ties_per_membership: float) -> MembershipChange: ...

    def leave_groups(self, change: MembershipChange) -> None: ...

    def remove(self, mask: np.ndarray) -> None: ...

    def release(self, mask: np.ndarray) -> None: ...


@dataclass
class RuleModifiers:
    """Per-resident modifiers of the rules for one week; zeros change nothing.

    fairness_gain: added to institutional fairness (E4, E10).
    institutional_relief: share of institutional discrimination removed (E4, E6).
    contact_quality: Allport/Sherif quality of programme contact, q in E3 (negative under competition).
    shield_support: added to the shield target in phases 0-2 (E14).
    trust_penalty: subtracted from the trust target (E10).
    injustice: added to the group-deprivation target (E6).
    care: extra weekly decay of radical belief in phases 0-2 (E12).
    exit_support: added to the weekly exit hazards from phases 2 and 3 (E15).
    action_blocked: 1 where moving to action is impossible (in prison) (E15).
    approach_blocked: chance that a local recruiter's approach meeting this resident is prevented (E15).
    neglect: felt neglect when an inclusion policy serves other groups only (E3, E10).
    deterrence: share by which the hazards of moving to action and of an act are lowered (E15, E20).
    threat_damping: share of societal threat removed (E1), a scalar.
    online_approach_blocked: chance that an online recruiter's approach is prevented (E15), a scalar.
    """

    fairness_gain: np.ndarray
    institutional_relief: np.ndarray
    contact_quality: np.ndarray
    shield_support: np.ndarray
    trust_penalty: np.ndarray
    injustice: np.ndarray
    care: np.ndarray
    exit_support: np.ndarray
    action_blocked: np.ndarray
    approach_blocked: np.ndarray
    neglect: np.ndarray
    deterrence: np.ndarray
    threat_damping: float = 0.0
    online_approach_blocked: float = 0.0

    SCALARS = ("threat_damping", "online_approach_blocked")

    @classmethod
    def neutral(cls, n: int, dtype=np.float64) -> "RuleModifiers":
        """Zeros; the per-resident modifiers are rows of one ``(12, n)`` array (:attr:`rows`), so that a week
        resets them at once and the compiled pass reads them together."""
        names = [f.name for f in fields(cls) if f.name not in cls.SCALARS]
        block = np.zeros((len(names), n), dtype=dtype)
        return cls(**dict(zip(names, block)))

    @property
    def rows(self) -> np.ndarray:
        """The per-resident modifiers as one ``(12, n)`` array, rows in field order (a view, not a copy).

        Raises:
            RuntimeError: a modifier was replaced by a new array instead of changed in place.
        """
        block = self.fairness_gain.base
        if any(getattr(self, f.name).base is not block for f in fields(self) if f.name not in self.SCALARS):
            raise RuntimeError("RuleModifiers: change a modifier in place (modifiers.care[...] += x), do not replace it")
        return block

    def reset(self) -> None:
        self.rows[:] = 0.0
        for name in self.SCALARS:
            setattr(self, name, 0.0)


def coefficient(default: float, doc: str, hi: float = 1.0) -> Any:
    """A documented coefficient of a mechanism, in [0, ``hi``] (listed by ``radsim params --interventions``)."""
    return Field(default, ge=0.0, le=hi, description=doc, json_schema_extra={"coefficient": True})


class Targeting(BaseModel):
    """Who an intervention reaches: filters, then a share or a number of the eligible."""

    model_config = STRICT

    backgrounds: list[Annotated[int, Field(ge=0, le=8)]] | None = Field(None, description="backgrounds reached (0 = majority); all if omitted")
    neighbourhoods: list[Annotated[int, Field(ge=0)]] | None = Field(None, description="neighbourhood ids reached; all if omitted")
    min_age: float = Field(0.0, ge=0.0, le=120.0, description="youngest age reached (years)")
    max_age: float = Field(120.0, ge=0.0, le=120.0, description="oldest age reached (years)")
    share: float = Field(1.0, ge=0.0, le=1.0, description="share of eligible residents reached")
    count: int | None = Field(None, ge=0, description="number of eligible residents reached (instead of share)")

    @model_validator(mode="after")
    def _ages(self) -> "Targeting":
        if self.min_age > self.max_age:
            raise ValueError("min_age: must not exceed max_age")
        return self

    def eligible(self, world: World) -> np.ndarray:
        town, age = world.town, world.state.age
        ok = (age >= self.min_age) & (age <= self.max_age)
        if self.backgrounds is not None:
            ok &= np.isin(town.background, self.backgrounds)
        if self.neighbourhoods is not None:
            ok &= np.isin(town.neighbourhood, self.neighbourhoods)
        return ok

    def select(self, world: World, rng: np.random.Generator,
               eligible: np.ndarray | None = None) -> np.ndarray:
        """Boolean mask of the residents reached (random among the eligible)."""
        eligible = self.eligible(world) if eligible is None else eligible
        idx = np.nonzero(eligible)[0]
        k = self.count if self.count is not None else int(round(self.share * idx.size))
        k = min(k, idx.size)
        chosen = np.zeros(eligible.size, dtype=bool)
        chosen[rng.choice(idx, size=k, replace=False) if k < idx.size else idx] = True
        return chosen


class Intervention(BaseModel):
    """Common fields. ``duration`` None means permanent."""

    model_config = STRICT

    arm: str | None = Field(None, description="name of the comparison arm; interventions with the same arm are combined")
    start: int = Field(0, ge=0, le=100_000, description="first active week")
    duration: int | None = Field(None, ge=1, le=100_000, description="active weeks; permanent if omitted")
    intensity: float = Field(0.5, ge=0.0, le=1.0, description="strength of the mechanism")
    cost: float = Field(1.0, ge=0.0, le=1e9, description="abstract units per targeted resident per active week")
    target: Targeting = Field(default_factory=Targeting)

    _reached: np.ndarray | None = PrivateAttr(None)
    _started: bool = PrivateAttr(False)

    @property
    def reached(self) -> np.ndarray | None:
        """Mask of the residents the intervention reached (None before it starts)."""
        return self._reached

    @property
    def label(self) -> str:
        return self.arm or self.type  # type: ignore[attr-defined]

    def is_active(self, week: int) -> bool:
        return week >= self.start and (self.duration is None or week < self.start + self.duration)

    def end_week(self) -> int | None:
        return None if self.duration is None else self.start + self.duration

    # hooks -------------------------------------------------------------------
    def begin(self, world: World) -> None:
        """Called once, in the first active week: choose whom the intervention reaches."""
        self._reached = self.target.select(world, world.intervention_rng)

    @abstractmethod
    def act(self, world: World, modifiers: RuleModifiers, week: int) -> float:
        """Called every active week; sets rule modifiers. Returns the week's cost. Each intervention defines it."""

    def finish(self, world: World) -> None:
        """Called once, in the first week after the intervention ended."""

    def weekly(self, world: World, modifiers: RuleModifiers, week: int) -> float:
        """Run the hooks due this week and return the week's cost."""
        if self.is_active(week):
            if not self._started:
                self._started = True
                self.begin(world)
            return self.act(world, modifiers, week)
        if self._started and self.end_week() == week:
            self.finish(world)
        return 0.0

    def reached_cost(self) -> float:
        return self.cost * float(self._reached.sum()) if self._reached is not None else 0.0


# ---------------------------------------------------------------------------
# the levers of the seed
# ---------------------------------------------------------------------------

class IntergroupContact(Intervention):
    """Mixed projects, schools or sports that create cross-background ties (Allport 1954).

    Reached residents get ``ties_per_resident`` new ties (layer ``contact``) to
    reached residents of other backgrounds. While the programme runs, the
    prejudice target falls by ``contact_prejudice_reduction * q * c_prog`` (E3),
    where ``c_prog`` is the share of tie strength in programme ties to other
    backgrounds and the quality ``q = intensity * (w_goal common_goal + w_status
    equal_status + w_support institutional_support - w_competition competitive)``
    (weights 4, 1, 1 and 4 by default: cooperation on a common goal matters most,
    Sherif 1961; competition turns contact hostile). Bare contact has ``q = 0``: only the ordinary
    small effect of cross-background ties remains. The ties stay after the end.
    """

    type: Literal["intergroup_contact"] = "intergroup_contact"
    ties_per_resident: int = Field(2, ge=1, le=20, description="new cross-background ties per reached resident")
    tie_strength: float = Field(0.5, ge=0.0, le=1.0, description="strength of a programme tie")
    common_goal: bool = Field(False, description="cooperation on a goal that needs joint effort (Sherif)")
    equal_status: bool = Field(False, description="equal status within the contact situation (Allport)")
    institutional_support: bool = Field(False, description="support by authorities and institutions (Allport)")
    competitive: bool = Field(False, description="the groups compete (raises prejudice)")
    common_goal_weight: float = coefficient(4.0, "contact quality from a common goal", hi=10.0)
    equal_status_weight: float = coefficient(1.0, "contact quality from equal status", hi=10.0)
    institutional_support_weight: float = coefficient(1.0, "contact quality from institutional support", hi=10.0)
    competition_weight: float = coefficient(4.0, "contact quality lost when the groups compete", hi=10.0)

    def quality(self) -> float:
        """The quality ``q`` of programme contact in E3 (negative under competition)."""
        q = (self.common_goal_weight * self.common_goal + self.equal_status_weight * self.equal_status
             + self.institutional_support_weight * self.institutional_support)
        return self.intensity * (q - self.competition_weight * self.competitive)

    def begin(self, world):
        super().begin(world)
        rng = world.intervention_rng
        reached = np.nonzero(self._reached)[0]
        bg = world.town.background
        src, dst = [], []
        for _ in range(self.ties_per_resident):
            partner = rng.choice(reached, size=reached.size) if reached.size else reached
            cross = bg[reached] != bg[partner]
            src.append(reached[cross])
            dst.append(partner[cross])
        if reached.size:
            world.add_ties(np.concatenate(src), np.concatenate(dst), "contact", self.tie_strength)

    def act(self, world, modifiers, week):
        modifiers.contact_quality[self._reached] += self.quality()
        return self.reached_cost()


class InclusionPolicy(Intervention):
    """Institutions treat people more fairly (the Utrecht approach; Tyler 2006).

    For every reached resident (by default everyone, including the grey middle),
    institutional discrimination falls by the share ``discrimination_relief * intensity``
    (E4, E6) and institutional fairness closes ``fairness_gap_closed * intensity`` of
    its gap to 1 (E4, E10), which raises trust. With the defaults (0.5 and 0.5), at
    full intensity institutions halve their discrimination.

    A policy aimed at some backgrounds only (``target.backgrounds`` set) is seen
    by the residents of the other backgrounds: they feel neglected, with
    ``neglect = neglect_felt * intensity`` (E3: majority prejudice rises; E10: trust
    falls). A policy that serves everybody (the Utrecht approach) neglects nobody.
    """

    type: Literal["inclusion_policy"] = "inclusion_policy"
    cost: float = Field(0.05, ge=0.0, le=1e9, description="abstract units per targeted resident per active week")
    discrimination_relief: float = coefficient(0.5, "share of institutional discrimination removed at intensity 1")
    fairness_gap_closed: float = coefficient(0.5, "share of the gap between institutional fairness and 1 closed at intensity 1")
    neglect_felt: float = coefficient(1.0, "neglect felt at intensity 1 by residents of backgrounds the policy does not serve (assumption)")

    def act(self, world, modifiers, week):
        r = self._reached
        if self.target.backgrounds is not None:
            left_out = ~np.isin(world.town.background, self.target.backgrounds)
            modifiers.neglect[left_out] = np.maximum(modifiers.neglect[left_out], self.neglect_felt * self.intensity)
        modifiers.institutional_relief[r] = np.maximum(modifiers.institutional_relief[r],
                                                       self.discrimination_relief * self.intensity)
        modifiers.fairness_gain[r] += (self.fairness_gap_closed * self.intensity
                                       * (1.0 - world.params.institutional_fairness))
        return self.reached_cost()


class MultipleMemberships(Intervention):
    """Residents join clubs or associations: more, and cross-cutting, group memberships.

    Reached residents are offered places in new clubs; a share ``intensity`` of
    them take part (participation), drawn once when the intervention starts.
    Participants are put in new clubs of about ``club_size``; clubs mix
    backgrounds if ``mixed`` (cross-cutting, Roccas & Brewer 2002) or are
    formed per background otherwise. Each new membership adds ``ties_per_membership``
    club ties (layer ``association``) and raises social identity complexity (E7)
    while the clubs run; the ties stay afterwards. Cost counts every reached
    (offered) resident.
    """

    type: Literal["multiple_memberships"] = "multiple_memberships"
    intensity: float = Field(1.0, ge=0.0, le=1.0, description="share of the reached residents who take part")
    extra_memberships: int = Field(1, ge=1, le=5, description="new clubs per resident who takes part")
    mixed: bool = Field(True, description="clubs mix backgrounds (cross-cutting memberships)")
    club_size: int = Field(20, ge=2, le=500, description="members per new club")
    ties_per_membership: float = Field(3.0, ge=0.0, le=20.0, description="club ties per new membership")

    _added: MembershipChange | None = PrivateAttr(None)

    def begin(self, world):
        super().begin(world)
        rng = world.intervention_rng
        town = world.town
        n = town.n_residents
        reached = np.nonzero(self._reached & (rng.random(n) < self.intensity))[0]   # those who take part
        self._added = MembershipChange(np.zeros(n, dtype=np.int16), np.zeros(n, dtype=np.int16))
        for _ in range(self.extra_memberships):
            order = rng.permutation(reached)
            if not self.mixed:
                order = order[np.argsort(town.background[order], kind="stable")]
            club = np.arange(order.size) // self.club_size
            change = world.join_groups(order, club, GroupKind.ASSOCIATION, self.ties_per_membership)
            self._added.memberships += change.memberships
            self._added.cross_memberships += change.cross_memberships

    def act(self, world, modifiers, week):
        return self.reached_cost() * self.extra_memberships

    def finish(self, world):
        world.leave_groups(self._added)


class KeyFigures(Intervention):
    """Trained key figures ("sleutelpersonen") who spot sensitivity early and support others.

    The key figures are the best-connected reached residents (``target`` picks
    how many). Residents tied to a key figure get shield support
    ``shield_support * intensity * (1 - government_visibility) * min(1, tie strength to key figures)``
    (E14), and those in phase 1 extra care ``care * intensity * (1 - visibility) * reach`` (E12).
    If key figures are seen as informants of the government, trust falls by
    ``trust_penalty * intensity * government_visibility`` for their contacts (E10).
    """

    type: Literal["key_figures"] = "key_figures"
    cost: float = Field(5.0, ge=0.0, le=1e9, description="abstract units per key figure per active week")
    government_visibility: float = Field(0.2, ge=0.0, le=1.0, description="how visible the link to the government is (0 = none)")
    shield_support: float = coefficient(0.3, "shield support for a key figure's contacts at intensity 1, no visibility")
    care: float = coefficient(0.02, "weekly extra decay of radical belief for contacts in phase 1 at intensity 1")
    trust_penalty: float = coefficient(0.15, "fall in the trust target of contacts at intensity 1, full visibility")
    trust_building_rate: float = coefficient(0.05, "weekly rate at which contacts' trust in key figures approaches their reach times (1 - visibility) (assumption)")

    _reach: np.ndarray | None = PrivateAttr(None)

    def begin(self, world):
        eligible = self.target.eligible(world)
        idx = np.nonzero(eligible)[0]
        k = self.target.count if self.target.count is not None else int(round(self.target.share * idx.size))
        degree = np.diff(world.town.adjacency.indptr)[idx]
        tiebreak = world.intervention_rng.random(idx.size)
        best = idx[np.lexsort((tiebreak, -degree))[:k]]
        self._reached = np.zeros(world.town.n_residents, dtype=bool)
        self._reached[best] = True
        self._reach = np.minimum(1.0, world.town.adjacency @ self._reached.astype(float))

    def act(self, world, modifiers, week):
        v = self.government_visibility
        reach = self._reach
        modifiers.shield_support += self.shield_support * self.intensity * (1.0 - v) * reach
        modifiers.care += self.care * self.intensity * (1.0 - v) * reach * (world.state.phase == 1)
        modifiers.trust_penalty += self.trust_penalty * self.intensity * v * (reach > 0)
        built = world.key_figure_trust
        built += self.trust_building_rate * (self.intensity * (1.0 - v) * reach - built) * (reach > 0)
        return self.reached_cost()


class ParentSupport(Intervention):
    """Information evenings and a helpline for parents: family ties become protective.

    Reached residents (by default young people 12-27 in a share of households)
    who live with family get shield support ``shield_support * intensity`` (E14), and extra
    care ``care * intensity`` while in phase 1 (E12).
    """

    type: Literal["parent_support"] = "parent_support"
    target: Targeting = Field(default_factory=lambda: Targeting(min_age=12, max_age=27))
    shield_support: float = coefficient(0.25, "shield support at intensity 1")
    care: float = coefficient(0.01, "weekly extra decay of radical belief in phase 1 at intensity 1")

    _family: np.ndarray | None = PrivateAttr(None)

    def begin(self, world):
        super().begin(world)
        sizes = np.bincount(world.town.household)
        self._family = self._reached & (sizes[world.town.household] >= 2)

    def act(self, world, modifiers, week):
        f = self._family
        modifiers.shield_support[f] += self.shield_support * self.intensity
        modifiers.care[f & (world.state.phase == 1)] += self.care * self.intensity
        return self.reached_cost()


class EarlySignalling(Intervention):
    """Professionals signal young people at risk; flagged residents get care.

    Each active week a share ``screening_share`` of the reached residents is
    screened. Residents in phase 1 or higher are flagged with probability
    ``sensitivity``; others are falsely flagged with probability
    ``false_positive_rate`` (imperfect precision, e.g. someone exploring
    religion). Correctly flagged residents get care ``care * intensity`` and
    shield support ``shield_support * intensity`` for ``care_weeks`` (E12, E14). A
    falsely flagged resident experiences the label as discrimination: personal
    discrimination and significance loss jump by ``label_discrimination * intensity``
    and ``label_significance_loss * intensity``, and the trust target is lowered by
    ``label_trust_penalty * intensity`` for ``care_weeks`` (E10), which can backfire.
    """

    type: Literal["early_signalling"] = "early_signalling"
    target: Targeting = Field(default_factory=lambda: Targeting(min_age=12, max_age=27))
    cost: float = Field(0.2, ge=0.0, le=1e9, description="abstract units per targeted resident per active week")
    screening_share: float = Field(0.02, ge=0.0, le=1.0, description="share of reached residents screened per week")
    sensitivity: float = Field(0.7, ge=0.0, le=1.0, description="chance a resident in phase >= 1 is flagged when screened")
    false_positive_rate: float = Field(0.05, ge=0.0, le=1.0, description="chance a resident in phase 0 is flagged when screened")
    care_weeks: int = Field(26, ge=1, le=520, description="weeks of care (or of the label) after a flag")
    care: float = coefficient(0.03, "weekly extra decay of radical belief in care at intensity 1")
    shield_support: float = coefficient(0.1, "shield support in care at intensity 1")
    label_discrimination: float = coefficient(0.5, "jump in personal discrimination of a falsely flagged resident at intensity 1")
    label_significance_loss: float = coefficient(0.3, "jump in significance loss of a falsely flagged resident at intensity 1")
    label_trust_penalty: float = coefficient(0.3, "fall in the trust target while falsely labelled, at intensity 1")

    _care_until: np.ndarray | None = PrivateAttr(None)
    _label_until: np.ndarray | None = PrivateAttr(None)
    _falsely_flagged: np.ndarray | None = PrivateAttr(None)

    @property
    def falsely_flagged(self) -> np.ndarray | None:
        """Residents falsely flagged at least once (for analysis of the backfire)."""
        return self._falsely_flagged

    def begin(self, world):
        super().begin(world)
        n = world.town.n_residents
        self._care_until = np.full(n, -1)
        self._label_until = np.full(n, -1)
        self._falsely_flagged = np.zeros(n, dtype=bool)

    def act(self, world, modifiers, week):
        rng = world.intervention_rng
        s = world.state
        n = s.phase.size
        u_screen, u_flag = rng.random(n), rng.random(n)
        screened = self._reached & (u_screen < self.screening_share)
        sympathiser = s.phase >= 1
        true_flag = screened & sympathiser & (u_flag < self.sensitivity)
        false_flag = screened & ~sympathiser & (u_flag < self.false_positive_rate)
        self._care_until[true_flag] = week + self.care_weeks
        self._label_until[false_flag] = week + self.care_weeks
        self._falsely_flagged |= false_flag
        k = self.intensity
        s.personal_discrimination[false_flag] = np.minimum(1.0, s.personal_discrimination[false_flag]
                                                           + self.label_discrimination * k)
        s.significance_loss[false_flag] = np.minimum(1.0, s.significance_loss[false_flag]
                                                     + self.label_significance_loss * k)
        in_care = self._care_until > week
        labelled = self._label_until > week
        modifiers.care[in_care] += self.care * k
        modifiers.shield_support[in_care] += self.shield_support * k
        modifiers.trust_penalty[labelled] += self.label_trust_penalty * k
        return self.reached_cost()


class CareAndRepression(Intervention):
    """Exit programmes and removal (prison) for residents in phases 2-3.

    Exit programmes add ``exit_hazard * intensity * exit_programme`` to the weekly exit
    hazards from phases 2 and 3 (E15). Repression: each week a reached resident
    in phase 3 is arrested with probability ``detection_rate * intensity``; they
    move to phase 2, are removed from the network and cannot act for
    ``sentence_weeks``. On release (re-entry) their trust falls by ``reentry_effect``,
    and personal discrimination and significance loss rise by it.
    """

    type: Literal["care_and_repression"] = "care_and_repression"
    cost: float = Field(20.0, ge=0.0, le=1e9, description="abstract units per reached resident in phase 2-3 per active week")
    exit_programme: float = Field(1.0, ge=0.0, le=1.0, description="strength of exit programmes (0 = none)")
    detection_rate: float = Field(0.02, ge=0.0, le=1.0, description="weekly chance a resident in action is arrested")
    sentence_weeks: int = Field(104, ge=1, le=2080, description="weeks in prison")
    reentry_effect: float = Field(0.3, ge=0.0, le=1.0, description="loss of trust and rise in grievance on release")
    exit_hazard: float = coefficient(0.02, "weekly exit hazard an exit programme adds at intensity 1 and full strength")

    _release_week: np.ndarray | None = PrivateAttr(None)

    def begin(self, world):
        super().begin(world)
        self._release_week = np.full(world.town.n_residents, -1)

    def act(self, world, modifiers, week):
        s = world.state
        rng = world.intervention_rng
        releasing = self._release_week == week
        if releasing.any():
            s.institutional_trust[releasing] = np.maximum(0.0, s.institutional_trust[releasing] - self.reentry_effect)
            for name in ("personal_discrimination", "significance_loss"):
                arr = getattr(s, name)
                arr[releasing] = np.minimum(1.0, arr[releasing] + self.reentry_effect)
            world.release(releasing)
        u = rng.random(s.phase.size)
        arrest = self._reached & (s.phase == 3) & (u < self.detection_rate * self.intensity) & ~world.removed
        if arrest.any():
            s.phase[arrest] = 2
            s.time_in_phase[arrest] = 0
            self._release_week[arrest] = week + self.sentence_weeks
            world.remove(arrest)
        in_prison = self._release_week > week
        modifiers.action_blocked[in_prison] = 1.0
        radical = self._reached & (s.phase >= 2)
        modifiers.exit_support[radical] += self.exit_hazard * self.intensity * self.exit_programme
        return self.cost * float(radical.sum())


class CrisisResponse(Intervention):
    """Crisis response after an attack: key figures into the neighbourhood, transparent
    communication, visible police.

    While active, the societal threat of trigger events is damped by
    ``threat_damping * intensity * (trust_floor + (1 - trust_floor) * kappa)`` (E1), where kappa is
    the mean trust in key figures the reached residents had built before (written by
    :class:`KeyFigures`): a response carried by trusted key figures works, one without
    them only partly. Damping lowers the prejudice spike, the rise in
    discrimination and the instability. In weeks with raw threat above
    ``response_threshold``, reached residents also get shield support
    ``shield_support * intensity`` (E14); cost is counted only in those weeks.
    """

    type: Literal["crisis_response"] = "crisis_response"
    cost: float = Field(0.5, ge=0.0, le=1e9, description="abstract units per targeted resident per responding week")
    threat_damping: float = coefficient(0.6, "share of societal threat removed at intensity 1")
    shield_support: float = coefficient(0.1, "shield support in a week of response at intensity 1")
    response_threshold: float = coefficient(0.05, "raw threat above which the response is in the neighbourhoods")
    trust_floor: float = coefficient(0.3, "share of the damping a response reaches without any trust in key figures (assumption)")

    def act(self, world, modifiers, week):
        kappa = float(world.key_figure_trust[self._reached].mean()) if self._reached.any() else 0.0
        damping = self.threat_damping * self.intensity * (self.trust_floor + (1.0 - self.trust_floor) * kappa)
        modifiers.threat_damping = max(modifiers.threat_damping, damping)
        raw = world.raw_threat(week)
        if raw > self.response_threshold:
            modifiers.shield_support[self._reached] += self.shield_support * self.intensity
            return self.reached_cost()
        return 0.0


class NationalityStripping(Intervention):
    """Stripping dual nationality (a policy the seed criticises): perceived injustice.

    The reached residents (by default all minority backgrounds) see their group
    targeted: the group-deprivation target rises by ``injustice * intensity`` (E6) and
    the trust target falls by ``trust_penalty * intensity`` (E10). It also deters:
    the hazards of moving to action and of an act fall by the share
    ``deterrence * intensity`` (E15, E20).
    """

    type: Literal["nationality_stripping"] = "nationality_stripping"
    cost: float = Field(0.0, ge=0.0, le=1e9, description="abstract units per targeted resident per active week")
    target: Targeting = Field(default_factory=lambda: Targeting(backgrounds=[1, 2, 3, 4, 5, 6, 7, 8]))
    injustice: float = coefficient(0.1, "rise in the group-deprivation target at intensity 1, for a resident who identifies fully with the group (assumption; 0.15 before version 2)")
    trust_penalty: float = coefficient(0.1, "fall in the trust target at intensity 1")
    deterrence: float = coefficient(0.3, "share by which the hazards of action and of an act fall at intensity 1 (assumption)")

    def act(self, world, modifiers, week):
        modifiers.injustice[self._reached] += self.injustice * self.intensity
        modifiers.trust_penalty[self._reached] += self.trust_penalty * self.intensity
        modifiers.deterrence[self._reached] = np.maximum(modifiers.deterrence[self._reached],
                                                         self.deterrence * self.intensity)
        return self.reached_cost()


class RecruiterDisruption(Intervention):
    """Disrupting recruiters: situational prevention that removes the opportunity to join.

    Situational prevention (Clarke 1997), in the spirit of PROTON-T's
    opportunity arm (Weisburd et al. 2022, an employment programme that kept
    high-risk agents away from recruiters): police and community presence where
    recruiters operate, closed venues, and online content taken down. A local
    recruiter's approach that meets a reached resident is prevented with chance
    ``intensity``; online approaches are prevented with chance
    ``online_share * intensity`` (takedowns are partial). Attitudes are not
    touched (E15, :mod:`world.recruitment`).
    """

    type: Literal["recruiter_disruption"] = "recruiter_disruption"
    cost: float = Field(0.1, ge=0.0, le=1e9, description="abstract units per targeted resident per active week")
    online_share: float = Field(0.5, ge=0.0, le=1.0, description="share of online approaches prevented at intensity 1")

    def act(self, world, modifiers, week):
        modifiers.approach_blocked[self._reached] = np.maximum(modifiers.approach_blocked[self._reached], self.intensity)
        modifiers.online_approach_blocked = max(modifiers.online_approach_blocked, self.online_share * self.intensity)
        return self.reached_cost()


InterventionSpec = Annotated[
    Union[IntergroupContact, InclusionPolicy, MultipleMemberships, KeyFigures, ParentSupport,
          EarlySignalling, CareAndRepression, CrisisResponse, NationalityStripping, RecruiterDisruption],
    Field(discriminator="type"),
]

INTERVENTION_TYPES: dict[str, type[Intervention]] = {
    cls.model_fields["type"].default: cls
    for cls in (IntergroupContact, InclusionPolicy, MultipleMemberships, KeyFigures, ParentSupport,
                EarlySignalling, CareAndRepression, CrisisResponse, NationalityStripping, RecruiterDisruption)
}

_INTERVENTION = TypeAdapter(InterventionSpec)


def validate_interventions(items: Iterable[Intervention | dict]) -> list[Intervention]:
    """Validate intervention specs (objects or dicts with a ``type``); returns fresh copies.

    Raises :class:`model.errors.ParameterError` with one line naming the intervention and field.
    """
    out = []
    for k, item in enumerate(items):
        if isinstance(item, Intervention):
            out.append(item.model_copy(deep=True))
            continue
        try:
            out.append(_INTERVENTION.validate_python(item))
        except ValidationError as err:
            raise ParameterError(one_line_error(err, f"interventions[{k}].", schema=InterventionSpec,
                                                tags=INTERVENTION_TYPES, tag_kind="intervention")) from None
    return out


def _ids(kind: str, n: int) -> str:
    return f"{kind} 0 only" if n == 1 else f"{kind}s 0 to {n - 1}"


def check_targets(interventions: Iterable[Intervention], n_backgrounds: int, n_neighbourhoods: int,
                  n_residents: int | None = None) -> None:
    """Check the targets given to ``interventions`` against the town they are applied to.

    A background or neighbourhood that the town does not have, an empty list of them, a ``count`` of 0 or
    a ``share`` that rounds to nobody even if every resident were eligible is an error: the target reaches
    nobody. Only targets given explicitly are checked; an intervention's default target (all minority
    backgrounds for ``nationality_stripping``) adapts to the town.

    Raises:
        ParameterError: one line naming the field, e.g. ``interventions[0].target.backgrounds: background 5
            does not exist; this town has backgrounds 0 to 2``.
    """
    for k, iv in enumerate(interventions):
        if "target" not in iv.model_fields_set:
            continue
        t, where = iv.target, f"interventions[{k}].target"
        for field, kind, n in (("backgrounds", "background", n_backgrounds),
                               ("neighbourhoods", "neighbourhood", n_neighbourhoods)):
            ids = getattr(t, field)
            if ids is None:
                continue
            if not ids:
                raise ParameterError(f"{where}.{field}: the list is empty, so the intervention reaches nobody; "
                                     f"leave {field} out to reach every {kind}")
            missing = [i for i in ids if i >= n]
            if missing:
                raise ParameterError(f"{where}.{field}: {kind} {missing[0]} does not exist; this town has "
                                     f"{_ids(kind, n)}")
        if t.count == 0:
            raise ParameterError(f"{where}.count: 0 reaches nobody; give at least 1 (or a share)")
        if t.count is None and (t.share == 0 or (n_residents is not None and round(t.share * n_residents) == 0)):
            raise ParameterError(f"{where}.share: {t.share} reaches nobody"
                                 + ("" if t.share == 0 else f" in a town of {n_residents} residents"))


def check_reach(interventions: Iterable[Intervention], world: World) -> None:
    """Check that each explicitly given target reaches someone in the town of ``world`` as it is now
    (:func:`check_targets` checks what the parameters alone tell).

    Raises:
        ParameterError: ``interventions[k].target: no resident of this town is eligible (...)``, or
            ``interventions[k].target.share: ...`` if the share of the eligible rounds to nobody.
    """
    for k, iv in enumerate(interventions):
        if "target" not in iv.model_fields_set:
            continue
        t, where = iv.target, f"interventions[{k}].target"
        eligible = int(t.eligible(world).sum())
        if eligible == 0:
            given = ", ".join(f"{f} = {getattr(t, f)}" for f in ("min_age", "max_age", "backgrounds", "neighbourhoods")
                              if f in t.model_fields_set)
            raise ParameterError(f"{where}: no resident of this town is eligible ({given or 'as given'}), "
                                 "so the intervention reaches nobody")
        if t.count is None and round(t.share * eligible) == 0:
            raise ParameterError(f"{where}.share: {t.share} of the {eligible} eligible residents reaches nobody")


def intervention_table() -> list[dict[str, Any]]:
    """Rows of (intervention, name, default, min, max, description) for every field of every intervention."""
    rows = []
    for kind, cls in INTERVENTION_TYPES.items():
        for name, field in cls.model_fields.items():
            if name in ("type", "target", "arm"):
                continue
            b = bounds(field.metadata)
            extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
            rows.append({"intervention": kind, "name": name, "default": field.default,
                         "min": b.get("ge"), "max": b.get("le"),
                         "coefficient": bool(extra.get("coefficient")), "description": field.description or ""})
    return rows


# ---------------------------------------------------------------------------
# the key figures of a survey (ODD §5.1)
# ---------------------------------------------------------------------------

class SurveyKeyFigures(KeyFigures):
    """The key figures a survey reports, acting from week 0 (not a new policy).

    The mechanism is that of :class:`KeyFigures` (shield support and care for
    their contacts; a trust penalty if they are seen as informants). They are the
    residents flagged in ``town.key_figure``, chosen when the town is built, and
    they cost nothing in the model's cost account.
    """

    arm: str | None = "survey key figures"
    cost: float = 0.0

    def begin(self, world):
        self._reached = world.town.key_figure.copy()
        self._reach = np.minimum(1.0, world.town.adjacency @ self._reached.astype(float))


def survey_interventions(params: Parameters, town: Town) -> list[SurveyKeyFigures]:
    """The permanent interventions a survey implies: its key figures, if any."""
    if params.survey is None or not town.key_figure.any():
        return []
    s = params.survey
    return [SurveyKeyFigures(start=0, intensity=s.key_figure_intensity, government_visibility=s.key_figure_visibility)]
