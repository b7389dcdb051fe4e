"""Interventions: the policy levers of the seed, as small validated objects.

An intervention has a schedule (``start``, ``duration``), a ``target`` (who,
how many), an ``intensity`` in [0, 1] and a ``cost`` in abstract units per
targeted resident per active week. Each acts through a documented mechanism
(``docs/ODD.md`` §7.5) by one or both of:

* **levers**: per-resident arrays that the rules read each week
  (:class:`Levers`; neutral values change nothing), reset and re-applied while
  the intervention is active;
* **structural changes**: new ties or memberships added to the town when the
  intervention starts, and removal from the network (prison).

Interventions draw random numbers only from ``model.intervention_rng``, a stream
spawned from the model's generator, so that arms of a comparison share the
residents' random numbers (common random numbers).
"""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Annotated, Literal, Union

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

if TYPE_CHECKING:
    from .model import RadicalisationModel

__all__ = [
    "Levers", "Targeting", "Intervention", "InterventionSpec", "INTERVENTION_TYPES",
    "IntergroupContact", "InclusionPolicy", "MultipleMemberships", "KeyFigures", "ParentSupport",
    "EarlySignalling", "CareAndRepression", "CrisisResponse", "NationalityStripping", "RecruiterDisruption",
]


@dataclass
class Levers:
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
    threat_damping: float = 0.0
    online_approach_blocked: float = 0.0

    SCALARS = ("threat_damping", "online_approach_blocked")

    @classmethod
    def neutral(cls, n: int) -> "Levers":
        arrays = {f.name: np.zeros(n) for f in fields(cls) if f.name not in cls.SCALARS}
        return cls(**arrays)

    def reset(self) -> None:
        for f in fields(self):
            if f.name in self.SCALARS:
                setattr(self, f.name, 0.0)
            else:
                getattr(self, f.name)[:] = 0.0


class Targeting(BaseModel):
    """Who an intervention reaches: filters, then a share or a number of the eligible."""

    model_config = ConfigDict(extra="forbid")

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

    def eligible(self, model: "RadicalisationModel") -> np.ndarray:
        town, age = model.town, model.state.age
        ok = (age >= self.min_age) & (age <= self.max_age)
        if self.backgrounds is not None:
            ok &= np.isin(town.background, self.backgrounds)
        if self.neighbourhoods is not None:
            ok &= np.isin(town.neighbourhood, self.neighbourhoods)
        return ok

    def select(self, model: "RadicalisationModel", rng: np.random.Generator,
               eligible: np.ndarray | None = None) -> np.ndarray:
        """Boolean mask of the residents reached (random among the eligible)."""
        eligible = self.eligible(model) if eligible is None else eligible
        idx = np.nonzero(eligible)[0]
        k = self.count if self.count is not None else int(round(self.share * idx.size))
        k = min(k, idx.size)
        chosen = np.zeros(eligible.size, dtype=bool)
        chosen[rng.choice(idx, size=k, replace=False) if k < idx.size else idx] = True
        return chosen


class Intervention(BaseModel):
    """Common fields. ``duration`` None means permanent."""

    model_config = ConfigDict(extra="forbid")

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
    def begin(self, model: "RadicalisationModel") -> None:
        """Called once, in the first active week: choose whom the intervention reaches."""
        self._reached = self.target.select(model, model.intervention_rng)

    @abstractmethod
    def act(self, model: "RadicalisationModel", levers: Levers, week: int) -> float:
        """Called every active week; sets levers. Returns the week's cost. Each intervention defines it."""

    def finish(self, model: "RadicalisationModel") -> None:
        """Called once, in the first week after the intervention ended."""

    def weekly(self, model: "RadicalisationModel", levers: Levers, week: int) -> float:
        """Run the hooks due this week and return the week's cost."""
        if self.is_active(week):
            if not self._started:
                self._started = True
                self.begin(model)
            return self.act(model, levers, week)
        if self._started and self.end_week() == week:
            self.finish(model)
        return 0.0

    def reached_cost(self) -> float:
        return self.cost * float(self._reached.sum()) if self._reached is not None else 0.0


# ---------------------------------------------------------------------------
# the nine levers of the seed
# ---------------------------------------------------------------------------

class IntergroupContact(Intervention):
    """Mixed projects, schools or sports that create cross-background ties (Allport 1954).

    Reached residents get ``ties_per_resident`` new ties (layer ``contact``) to
    reached residents of other backgrounds. While the programme runs, the
    prejudice target falls by ``contact_prejudice_reduction * q * c_prog`` (E3),
    where ``c_prog`` is the share of tie strength in programme ties to other
    backgrounds and the quality ``q = intensity * (4 common_goal + equal_status
    + institutional_support)``; under ``competitive`` contact ``q`` is lowered by
    ``4 * intensity`` (Sherif 1961). Bare contact has ``q = 0``: only the ordinary
    small effect of cross-background ties remains. The ties stay after the end.
    """

    type: Literal["intergroup_contact"] = "intergroup_contact"
    ties_per_resident: int = Field(2, ge=1, le=20, description="new cross-background ties per reached resident")
    tie_strength: float = Field(0.5, ge=0.0, le=1.0, description="strength of a programme tie")
    common_goal: bool = Field(False, description="cooperation on a goal that needs joint effort (Sherif)")
    equal_status: bool = Field(False, description="equal status within the contact situation (Allport)")
    institutional_support: bool = Field(False, description="support by authorities and institutions (Allport)")
    competitive: bool = Field(False, description="the groups compete (raises prejudice)")

    def quality(self) -> float:
        q = 4.0 * self.common_goal + 1.0 * self.equal_status + 1.0 * self.institutional_support
        return self.intensity * (q - 4.0 * self.competitive)

    def begin(self, model):
        super().begin(model)
        rng = model.intervention_rng
        reached = np.nonzero(self._reached)[0]
        bg = model.town.background
        src, dst = [], []
        for _ in range(self.ties_per_resident):
            partner = rng.choice(reached, size=reached.size) if reached.size else reached
            cross = bg[reached] != bg[partner]
            src.append(reached[cross])
            dst.append(partner[cross])
        if reached.size:
            model.add_ties(np.concatenate(src), np.concatenate(dst), "contact", self.tie_strength)

    def act(self, model, levers, week):
        levers.contact_quality[self._reached] += self.quality()
        return self.reached_cost()


class InclusionPolicy(Intervention):
    """Institutions treat people more fairly (the Utrecht approach; Tyler 2006).

    For every reached resident (by default everyone, including the grey middle),
    institutional discrimination falls by the share ``0.5 * intensity`` (E4, E6)
    and institutional fairness closes ``0.5 * intensity`` of its gap to 1
    (E4, E10), which raises trust. At full intensity, institutions halve their
    discrimination.
    """

    type: Literal["inclusion_policy"] = "inclusion_policy"
    cost: float = Field(0.05, ge=0.0, le=1e9, description="abstract units per targeted resident per active week")

    def act(self, model, levers, week):
        r = self._reached
        levers.institutional_relief[r] = np.maximum(levers.institutional_relief[r], 0.5 * self.intensity)
        levers.fairness_gain[r] += 0.5 * self.intensity * (1.0 - model.params.institutional_fairness)
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

    _added: np.ndarray | None = PrivateAttr(None)
    _added_cross: np.ndarray | None = PrivateAttr(None)

    def begin(self, model):
        super().begin(model)
        rng = model.intervention_rng
        town = model.town
        n = town.n_residents
        reached = np.nonzero(self._reached & (rng.random(n) < self.intensity))[0]   # those who take part
        self._added = np.zeros(n, dtype=np.int16)
        self._added_cross = np.zeros(n, dtype=np.int16)
        for _ in range(self.extra_memberships):
            order = rng.permutation(reached)
            if not self.mixed:
                order = order[np.argsort(town.background[order], kind="stable")]
            club = np.arange(order.size) // self.club_size
            model.add_club_memberships(order, club, self.ties_per_membership, self._added, self._added_cross)

    def act(self, model, levers, week):
        return self.reached_cost() * self.extra_memberships

    def finish(self, model):
        model.town.memberships -= self._added
        model.town.cross_memberships -= self._added_cross
        model.engine.rebuild_network()


class KeyFigures(Intervention):
    """Trained key figures ("sleutelpersonen") who spot sensitivity early and support others.

    The key figures are the best-connected reached residents (``target`` picks
    how many). Residents tied to a key figure get shield support
    ``0.3 * intensity * (1 - government_visibility) * min(1, tie strength to key figures)``
    (E14), and those in phase 1 extra care ``0.02 * intensity * (1 - visibility)`` (E12).
    If key figures are seen as informants of the government, trust falls:
    ``trust_penalty = 0.15 * intensity * government_visibility`` for their contacts (E10).
    """

    type: Literal["key_figures"] = "key_figures"
    cost: float = Field(5.0, ge=0.0, le=1e9, description="abstract units per key figure per active week")
    government_visibility: float = Field(0.2, ge=0.0, le=1.0, description="how visible the link to the government is (0 = none)")

    _reach: np.ndarray | None = PrivateAttr(None)

    def begin(self, model):
        eligible = self.target.eligible(model)
        idx = np.nonzero(eligible)[0]
        k = self.target.count if self.target.count is not None else int(round(self.target.share * idx.size))
        degree = np.diff(model.town.adjacency.indptr)[idx]
        tiebreak = model.intervention_rng.random(idx.size)
        best = idx[np.lexsort((tiebreak, -degree))[:k]]
        self._reached = np.zeros(model.town.n_residents, dtype=bool)
        self._reached[best] = True
        self._reach = np.minimum(1.0, model.town.adjacency @ self._reached.astype(float))

    def act(self, model, levers, week):
        v = self.government_visibility
        reach = self._reach
        levers.shield_support += 0.3 * self.intensity * (1.0 - v) * reach
        levers.care += 0.02 * self.intensity * (1.0 - v) * reach * (model.state.phase == 1)
        levers.trust_penalty += 0.15 * self.intensity * v * (reach > 0)
        return self.reached_cost()


class ParentSupport(Intervention):
    """Information evenings and a helpline for parents: family ties become protective.

    Reached residents (by default young people 12-27 in a share of households)
    who live with family get shield support ``0.25 * intensity`` (E14), and extra
    care ``0.01 * intensity`` while in phase 1 (E12).
    """

    type: Literal["parent_support"] = "parent_support"
    target: Targeting = Field(default_factory=lambda: Targeting(min_age=12, max_age=27))

    _family: np.ndarray | None = PrivateAttr(None)

    def begin(self, model):
        super().begin(model)
        sizes = np.bincount(model.town.household)
        self._family = self._reached & (sizes[model.town.household] >= 2)

    def act(self, model, levers, week):
        f = self._family
        levers.shield_support[f] += 0.25 * self.intensity
        levers.care[f & (model.state.phase == 1)] += 0.01 * self.intensity
        return self.reached_cost()


class EarlySignalling(Intervention):
    """Professionals signal young people at risk; flagged residents get care.

    Each active week a share ``screening_share`` of the reached residents is
    screened. Residents in phase 1 or higher are flagged with probability
    ``sensitivity``; others are falsely flagged with probability
    ``false_positive_rate`` (imperfect precision, e.g. someone exploring
    religion). Correctly flagged residents get care ``0.03 * intensity`` and
    shield support ``0.1 * intensity`` for ``care_weeks`` (E12, E14). A falsely
    flagged resident experiences the label as discrimination: personal
    discrimination and significance loss jump by ``0.5 * intensity`` and
    ``0.3 * intensity``, and trust is lowered by ``0.3 * intensity`` for
    ``care_weeks`` (E10), which can backfire.
    """

    type: Literal["early_signalling"] = "early_signalling"
    target: Targeting = Field(default_factory=lambda: Targeting(min_age=12, max_age=27))
    cost: float = Field(0.2, ge=0.0, le=1e9, description="abstract units per targeted resident per active week")
    screening_share: float = Field(0.02, ge=0.0, le=1.0, description="share of reached residents screened per week")
    sensitivity: float = Field(0.7, ge=0.0, le=1.0, description="chance a resident in phase >= 1 is flagged when screened")
    false_positive_rate: float = Field(0.05, ge=0.0, le=1.0, description="chance a resident in phase 0 is flagged when screened")
    care_weeks: int = Field(26, ge=1, le=520, description="weeks of care (or of the label) after a flag")

    _care_until: np.ndarray | None = PrivateAttr(None)
    _label_until: np.ndarray | None = PrivateAttr(None)
    _falsely_flagged: np.ndarray | None = PrivateAttr(None)

    @property
    def falsely_flagged(self) -> np.ndarray | None:
        """Residents falsely flagged at least once (for analysis of the backfire)."""
        return self._falsely_flagged

    def begin(self, model):
        super().begin(model)
        n = model.town.n_residents
        self._care_until = np.full(n, -1)
        self._label_until = np.full(n, -1)
        self._falsely_flagged = np.zeros(n, dtype=bool)

    def act(self, model, levers, week):
        rng = model.intervention_rng
        s = model.state
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
        s.personal_discrimination[false_flag] = np.minimum(1.0, s.personal_discrimination[false_flag] + 0.5 * k)
        s.significance_loss[false_flag] = np.minimum(1.0, s.significance_loss[false_flag] + 0.3 * k)
        in_care = self._care_until > week
        labelled = self._label_until > week
        levers.care[in_care] += 0.03 * k
        levers.shield_support[in_care] += 0.1 * k
        levers.trust_penalty[labelled] += 0.3 * k
        return self.reached_cost()


class CareAndRepression(Intervention):
    """Exit programmes and removal (prison) for residents in phases 2-3.

    Exit programmes add ``0.02 * intensity * exit_programme`` to the weekly exit
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

    _release_week: np.ndarray | None = PrivateAttr(None)

    def begin(self, model):
        super().begin(model)
        self._release_week = np.full(model.town.n_residents, -1)

    def act(self, model, levers, week):
        s = model.state
        rng = model.intervention_rng
        releasing = self._release_week == week
        if releasing.any():
            s.institutional_trust[releasing] = np.maximum(0.0, s.institutional_trust[releasing] - self.reentry_effect)
            for name in ("personal_discrimination", "significance_loss"):
                arr = getattr(s, name)
                arr[releasing] = np.minimum(1.0, arr[releasing] + self.reentry_effect)
            model.release(releasing)
        u = rng.random(s.phase.size)
        arrest = self._reached & (s.phase == 3) & (u < self.detection_rate * self.intensity) & ~model.removed
        if arrest.any():
            s.phase[arrest] = 2
            s.time_in_phase[arrest] = 0
            self._release_week[arrest] = week + self.sentence_weeks
            model.remove(arrest)
        in_prison = self._release_week > week
        levers.action_blocked[in_prison] = 1.0
        radical = self._reached & (s.phase >= 2)
        levers.exit_support[radical] += 0.02 * self.intensity * self.exit_programme
        return self.cost * float(radical.sum())


class CrisisResponse(Intervention):
    """Crisis response after an attack: key figures into the neighbourhood, transparent
    communication, visible police.

    While active, the societal threat of trigger events is damped by
    ``0.6 * intensity`` (E1), which lowers the prejudice spike, the rise in
    discrimination and the instability. In weeks with threat above 0.05, reached
    residents also get shield support ``0.1 * intensity`` (E14); cost is counted
    only in those weeks.
    """

    type: Literal["crisis_response"] = "crisis_response"
    cost: float = Field(0.5, ge=0.0, le=1e9, description="abstract units per targeted resident per responding week")

    def act(self, model, levers, week):
        levers.threat_damping = max(levers.threat_damping, 0.6 * self.intensity)
        raw = model.raw_threat(week)
        if raw > 0.05:
            levers.shield_support[self._reached] += 0.1 * self.intensity
            return self.reached_cost()
        return 0.0


class NationalityStripping(Intervention):
    """Stripping dual nationality (a policy the seed criticises): perceived injustice.

    The reached residents (by default all minority backgrounds) see their group
    targeted: the group-deprivation target rises by ``0.15 * intensity`` (E6) and
    trust falls by ``0.1 * intensity`` (E10).
    """

    type: Literal["nationality_stripping"] = "nationality_stripping"
    cost: float = Field(0.0, ge=0.0, le=1e9, description="abstract units per targeted resident per active week")
    target: Targeting = Field(default_factory=lambda: Targeting(backgrounds=[1, 2, 3, 4, 5, 6, 7, 8]))

    def act(self, model, levers, week):
        levers.injustice[self._reached] += 0.15 * self.intensity
        levers.trust_penalty[self._reached] += 0.1 * self.intensity
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
    touched (E15, :mod:`model.recruitment`).
    """

    type: Literal["recruiter_disruption"] = "recruiter_disruption"
    cost: float = Field(0.1, ge=0.0, le=1e9, description="abstract units per targeted resident per active week")
    online_share: float = Field(0.5, ge=0.0, le=1.0, description="share of online approaches prevented at intensity 1")

    def act(self, model, levers, week):
        levers.approach_blocked[self._reached] = np.maximum(levers.approach_blocked[self._reached], self.intensity)
        levers.online_approach_blocked = max(levers.online_approach_blocked, self.online_share * self.intensity)
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
