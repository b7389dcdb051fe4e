"""Two towns in lockstep: the town as is, and the same town with the chosen interventions.

This is the dashboard's model layer: plain Python, no Solara. It holds two
:class:`model.RadicalisationModel` built from the same seed, so they start with the
same residents, ties and random numbers; interventions draw from their own spawned
stream, so any difference between the towns comes from the interventions (common
random numbers). It records what the views need every week, including each
resident's story, so that a trainer can meet anyone at any time.

All changes go through methods that hold a lock, because the play loop steps the
towns in one thread while the trainer's clicks arrive in another.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from model import Parameters, RadicalisationModel
from model.interventions import Intervention
from model.model import validate_interventions
from model.parameters import GROUP_KINDS
from model.state import IdentityStrategy, Movement, PolarisationRole

from experiments.examples import example_path
from experiments.scenario import load_scenario

from .layout import neighbourhood_names, town_layout
from .picture import PICTURE_SIZE

__all__ = ["TownSettings", "InterventionChoice", "InterventionControl", "CONTROLS", "TwinTowns", "Record",
           "RESIDENT_FIELDS", "MOVEMENTS", "ROLES", "STRATEGIES", "ATTACK_SIDES"]

MOVEMENTS: tuple[str, ...] = tuple(m.name.lower() for m in Movement)
"""The two movements, in the order of :class:`model.state.Movement`: ``grievance`` (recruits among minority
residents), ``anti_minority`` (among majority residents); the suffix of the per-movement outcomes."""
ROLES: tuple[str, ...] = tuple(r.name.lower() for r in PolarisationRole)
"""The polarisation roles (E19), in the order of :class:`model.state.PolarisationRole`."""
STRATEGIES: tuple[str, ...] = tuple(s.name.lower() for s in IdentityStrategy)
"""The identity strategies (E11), in the order of :class:`model.state.IdentityStrategy`."""
ATTACK_SIDES: tuple[str, ...] = MOVEMENTS
"""Who attacks: the grievance side (a trigger event felt by majority residents, ``attack_weeks``) or the
anti-minority side (felt by minority residents, ``anti_minority_attack_weeks``)."""

RESIDENTS_PER_NEIGHBOURHOOD = 200
"""Neighbourhood size in the dashboard: small, so that even a town of 500 has a few neighbourhoods to compare."""

_DEFAULT_MINORITY = Parameters().minority_shares

RECRUITMENT: dict[str, Any] = {
    k: v for k, v in load_scenario(example_path("high_breeding_ground.toml")).given_parameters().items()
    if k in ("recruiter_approaches", "online_recruiter_approaches", "radical_family_share")}
"""The grievance movement's recruiters and radical households of the neighbourhood with a high breeding ground:
at the fitted national defaults a town of 1,000 residents would almost never have a member of a radical group
to show. The sliders set the rest of the town."""


@dataclass(frozen=True)
class TownSettings:
    """The sliders that shape a town.

    Args:
        n_residents: residents (persons), 100..5000 in the dashboard.
        societal_discrimination: 0..1, applies at once to both towns.
        segregation: 0..1.
        minority_share: 0..1, the total share of the two minority backgrounds, split as in
            the defaults (14 : 8); 0 leaves both minority backgrounds without residents.
        memberships_mean: mean clubs per resident, 0..10.
        seed: the random seed of both towns.
    """

    n_residents: int = 1000
    societal_discrimination: float = 0.3
    segregation: float = 0.5
    minority_share: float = round(sum(_DEFAULT_MINORITY), 2)
    memberships_mean: float = 1.2
    seed: int = 42

    def model_parameters(self) -> dict[str, Any]:
        total = sum(_DEFAULT_MINORITY)
        return {
            "n_residents": int(self.n_residents),
            "residents_per_neighbourhood": RESIDENTS_PER_NEIGHBOURHOOD,
            "minority_shares": [self.minority_share * s / total for s in _DEFAULT_MINORITY],
            "segregation": float(self.segregation),
            "memberships_mean": float(self.memberships_mean),
            "societal_discrimination": float(self.societal_discrimination),
            **RECRUITMENT,
        }


@dataclass(frozen=True)
class InterventionChoice:
    """What the trainer chose for one intervention: on or off, intensity 0..1, and its variant."""

    on: bool = False
    intensity: float = 0.8
    variant: bool = False


@dataclass(frozen=True)
class InterventionControl:
    """How the dashboard's toggle, slider and variant switch map onto an intervention spec.

    ``options`` are fixed options (as in ``experiments/examples/comparisons/*.toml``);
    ``variant`` options replace them when the variant switch is on (the documented
    backfire or the stronger form). ``intensity_sets_share``: the slider sets the share
    of young people reached instead of the intensity (for interventions without an
    intensity); such changes restart the intervention.
    """

    options: Mapping[str, Any] = field(default_factory=dict)
    variant: Mapping[str, Any] | None = None
    intensity_sets_share: bool = False

    def spec(self, type_: str, choice: InterventionChoice, start: int) -> dict[str, Any]:
        spec: dict[str, Any] = {"type": type_, "start": int(start), **self.options}
        if choice.variant and self.variant:
            spec.update(self.variant)
        if self.intensity_sets_share:
            spec["target"] = {**spec.get("target", {}), "share": float(choice.intensity)}
        else:
            spec["intensity"] = float(choice.intensity)
        return spec


YOUNG = {"min_age": 12, "max_age": 27}

CONTROLS: dict[str, InterventionControl] = {
    "intergroup_contact": InterventionControl(
        {"target": {**YOUNG, "share": 0.4}},
        variant={"common_goal": True, "equal_status": True, "institutional_support": True}),
    "inclusion_policy": InterventionControl(),
    "multiple_memberships": InterventionControl(
        {"extra_memberships": 1, "mixed": True, "target": dict(YOUNG)}, intensity_sets_share=True),
    "key_figures": InterventionControl(
        {"government_visibility": 0.1, "target": {"share": 0.02}}, variant={"government_visibility": 0.9}),
    "parent_support": InterventionControl({"target": {**YOUNG, "share": 0.6}}),
    "early_signalling": InterventionControl({"false_positive_rate": 0.01}, variant={"false_positive_rate": 0.3}),
    "care_and_repression": InterventionControl(
        {"exit_programme": 1.0, "detection_rate": 0.0}, variant={"detection_rate": 0.05}),
    "crisis_response": InterventionControl(),
    "nationality_stripping": InterventionControl(),
    "recruiter_disruption": InterventionControl(),
}
"""The nine levers of the seed and recruiter disruption, in the order of the what-if panel, with the options of the example scenarios."""

RESIDENT_FIELDS: tuple[str, ...] = (
    "perceived_discrimination", "identity_uncertainty", "institutional_trust", "resilience_shield", "radical_belief",
    "identification",
)
"""State variables recorded for every resident every week (besides the phase)."""

SERIES: tuple[str, ...] = (
    "phase_0", "phase_1", "phase_2", "phase_3", "mean_prejudice", "mean_trust", "polarisation",
    "mean_discrimination", "mean_discrimination_minority", "mean_radical_belief",
    "threat", "cost", "entered_phase_2", "entered_phase_3",
    *(f"phase_{k}_{m}" for m in MOVEMENTS for k in (1, 2, 3)),
    *(f"young_sympathiser_share_{m}" for m in MOVEMENTS),
    *(f"acts_{m}" for m in MOVEMENTS), *(f"entered_phase_2_{m}" for m in MOVEMENTS),
    *(f"role_{r}" for r in ROLES), "mean_trust_silent_middle", "mean_identification", "threat_minority",
)
"""Outcomes of a town (:meth:`model.RadicalisationModel.outcomes`) recorded every week for the charts."""

MAX_HISTORY_WEEKS = 1560
"""Residents' stories keep at most the last 30 years (memory: 9 bytes per resident per week)."""


class Record:
    """What one town did, week by week: town-level series and every resident's story.

    Residents' values are stored as bytes (value * 255; phase, role and strategy as is), nine
    bytes per resident per week: 45 kB a week for 5,000 residents.
    """

    def __init__(self, model: RadicalisationModel):
        n = model.town.n_residents
        self.series: dict[str, list[float]] = {k: [] for k in ("week", *SERIES)}
        self._stories = np.zeros((64, 3 + len(RESIDENT_FIELDS), n), dtype=np.uint8)
        self._weeks = np.zeros(64, dtype=np.int64)
        self._length = 0
        self.add(model)

    def add(self, model: RadicalisationModel) -> None:
        outcomes = model.outcomes()
        self.series["week"].append(model.steps)
        for k in SERIES:
            self.series[k].append(float(outcomes[k]))
        if self._length == MAX_HISTORY_WEEKS:           # drop the oldest half, once in a while
            keep = MAX_HISTORY_WEEKS // 2
            self._stories[:keep] = self._stories[self._length - keep:self._length]
            self._weeks[:keep] = self._weeks[self._length - keep:self._length]
            self._length = keep
        if self._length == self._stories.shape[0]:
            grow = min(2 * self._length, MAX_HISTORY_WEEKS)
            self._stories = np.concatenate([self._stories, np.zeros((grow - self._length, *self._stories.shape[1:]),
                                                                    dtype=np.uint8)])
            self._weeks = np.concatenate([self._weeks, np.zeros(grow - self._length, dtype=np.int64)])
        row = self._stories[self._length]
        st = model.state
        row[0] = st.phase
        row[1] = st.polarisation_role
        row[2] = st.identity_strategy
        for j, name in enumerate(RESIDENT_FIELDS):
            np.rint(getattr(st, name) * 255.0, out=row[3 + j], casting="unsafe")
        self._weeks[self._length] = model.steps
        self._length += 1

    def phase_history(self) -> tuple[np.ndarray, np.ndarray]:
        """The recorded weeks and every resident's phase in each: ``(weeks, phases[week, resident])`` (copies)."""
        return self._weeks[:self._length].copy(), self._stories[:self._length, 0, :].astype(np.int64)

    def story(self, i: int) -> dict[str, np.ndarray]:
        """Resident ``i`` week by week: ``week``, ``phase``, ``role`` (E19), ``strategy`` (E11) and the
        :data:`RESIDENT_FIELDS` in [0, 1]."""
        data = self._stories[:self._length, :, i]
        out = {"week": self._weeks[:self._length].copy(), "phase": data[:, 0].astype(np.int64),
               "role": data[:, 1].astype(np.int64), "strategy": data[:, 2].astype(np.int64)}
        for j, name in enumerate(RESIDENT_FIELDS):
            out[name] = data[:, 3 + j] / 255.0
        return out


_builds = itertools.count(1)


class TwinTowns:
    """Two towns from the same seed, stepped in lockstep; the right one gets the chosen interventions.

    Raises:
        ParameterError: the settings do not make a valid town (one-line message).
    """

    def __init__(self, settings: TownSettings = TownSettings(),
                 choices: Mapping[str, InterventionChoice] | None = None):
        params = settings.model_parameters()
        self.settings = settings
        self.lock = threading.RLock()
        self.as_is = RadicalisationModel(rng=settings.seed, collect=False, **params)
        self.what_if = RadicalisationModel(rng=settings.seed, collect=False, **params)
        self.build = next(_builds)
        """A new number for every pair of towns built (keys the caches of the views)."""
        self.positions = town_layout(self.as_is.town, aspect=PICTURE_SIZE[0] / PICTURE_SIZE[1])
        self.hood_names = neighbourhood_names(int(self.as_is.town.neighbourhood.max()) + 1,
                                              aspect=PICTURE_SIZE[0] / PICTURE_SIZE[1])
        """Each neighbourhood's name, as written in the network pictures and the heat map (column letter, row)."""
        self.attacks: list[int] = []
        """Weeks of the attacks by the grievance side (felt by majority residents), as the model's ``attack_weeks``."""
        self.anti_minority_attacks: list[int] = []
        """Weeks of the attacks by the anti-minority side (felt by minority residents), as the model's
        ``anti_minority_attack_weeks``."""
        self.choices: dict[str, InterventionChoice] = {k: InterventionChoice() for k in CONTROLS}
        self.active: dict[str, Intervention] = {}
        self.started: dict[str, int] = {}
        for type_, choice in (choices or {}).items():
            self.set_intervention(type_, choice)
        self.records = (Record(self.as_is), Record(self.what_if))

    # --- reading ----------------------------------------------------------------
    @property
    def week(self) -> int:
        """Weeks simulated so far (both towns are always at the same week)."""
        return self.as_is.steps

    @property
    def models(self) -> tuple[RadicalisationModel, RadicalisationModel]:
        return self.as_is, self.what_if

    # Readers take the lock too: the play loop steps in another thread than the one that may draw.
    def phase_counts(self, side: int) -> list[int]:
        with self.lock:
            return np.bincount(self.models[side].state.phase, minlength=4).tolist()

    def movement_counts(self, side: int) -> dict[str, list[int]]:
        """Residents per phase (0..3) on each movement's side (its pyramid) in town ``side``."""
        with self.lock:
            st = self.models[side].state
            return {name: np.bincount(st.phase[st.movement == m], minlength=4).tolist()
                    for m, name in zip(Movement, MOVEMENTS)}

    def phases(self, side: int) -> np.ndarray:
        """A copy of every resident's phase in town ``side``."""
        with self.lock:
            return self.models[side].state.phase.copy()

    def series(self, side: int) -> dict[str, list[float]]:
        """A copy of town ``side``'s weekly series (``week``, phase counts, means, threat, cost...)."""
        with self.lock:
            return {k: list(v) for k, v in self.records[side].series.items()}

    def latest(self, side: int, key: str) -> float:
        """The last value of one weekly series of town ``side``."""
        with self.lock:
            return self.records[side].series[key][-1]

    def story(self, side: int, i: int) -> dict[str, np.ndarray]:
        """Resident ``i``'s story in town ``side`` (see :meth:`Record.story`)."""
        with self.lock:
            return self.records[side].story(i)

    def neighbourhood_table(self, side: int) -> np.ndarray:
        """Rows per neighbourhood: residents, minority share, and shares in phases 1, 2 and 3."""
        m = self.models[side]
        hood = m.town.neighbourhood.astype(np.int64)
        k = int(hood.max()) + 1
        counts = np.bincount(hood * 4 + self.phases(side), minlength=4 * k).reshape(k, 4)
        size = counts.sum(axis=1)
        minority = np.bincount(hood, weights=(m.town.background > 0), minlength=k)
        safe = np.maximum(size, 1)
        return np.column_stack([size, minority / safe, counts[:, 1] / safe, counts[:, 2] / safe, counts[:, 3] / safe])

    def resident_profile(self, side: int, i: int) -> dict[str, Any]:
        """Who resident ``i`` is in town ``side`` (0 as is, 1 with interventions): static facts, memberships, ties."""
        with self.lock:
            return self._profile(side, i)

    def _profile(self, side: int, i: int) -> dict[str, Any]:
        m = self.models[side]
        town = m.town
        household_size = int(np.count_nonzero(town.household == town.household[i]))
        mine = town.group_resident == i
        kinds = np.bincount(town.group_kind[mine], minlength=len(GROUP_KINDS)).tolist()
        touching = (town.edge_source == i) | (town.edge_target == i)
        layers = np.bincount(town.edge_layer[touching], minlength=7).tolist()
        a = m.engine.adjacency
        nbrs, weights = a.indices[a.indptr[i]:a.indptr[i + 1]], a.data[a.indptr[i]:a.indptr[i + 1]]
        order = np.argsort(-weights, kind="stable")
        other = np.where(town.edge_source[touching] == i, town.edge_target[touching], town.edge_source[touching])
        tie_layer = town.edge_layer[touching]
        strongest = []
        for j, w in zip(nbrs[order][:8].tolist(), weights[order][:8].tolist()):
            layer_codes = tie_layer[other == j]
            strongest.append({"resident": j, "weight": w, "phase": int(m.state.phase[j]),
                              "layer": int(layer_codes.min()) if layer_codes.size else 0})
        return {
            "age": float(m.state.age[i]), "background": int(town.background[i]),
            "neighbourhood": int(town.neighbourhood[i]), "household_size": household_size,
            "phase": int(m.state.phase[i]), "memberships": dict(zip(GROUP_KINDS, kinds)),
            "movement": MOVEMENTS[int(m.state.movement[i])], "role": ROLES[int(m.state.polarisation_role[i])],
            "strategy": STRATEGIES[int(m.state.identity_strategy[i])],
            "identification": float(m.state.identification[i]),
            "ties_by_layer": layers, "strongest": strongest, "removed": bool(m.removed[i]),
            "tied": nbrs.tolist(),
        }

    def pick(self, phase: int | None = None, young: bool = False, after: int = -1,
             role: str | None = None) -> int | None:
        """The next resident (after index ``after``, wrapping) in the as-is town: in ``phase``, young, or in ``role``."""
        with self.lock:
            st = self.as_is.state
            if role is not None:
                mask = st.polarisation_role == ROLES.index(role)
            else:
                mask = st.young if young else st.phase == phase
        idx = np.nonzero(mask)[0]
        if idx.size == 0:
            return None
        later = idx[idx > after]
        return int(later[0] if later.size else idx[0])

    def intervention_names(self) -> list[str]:
        return [k for k in CONTROLS if k in self.active]

    # --- changing -----------------------------------------------------------------
    def step(self, weeks: int = 1) -> None:
        """Advance both towns ``weeks`` weeks."""
        with self.lock:
            for _ in range(weeks):
                self.as_is.step()
                self.what_if.step()
                self.records[0].add(self.as_is)
                self.records[1].add(self.what_if)

    def trigger_attack(self, by: str = "grievance") -> int:
        """An attack in the coming week, in both towns; returns its week.

        ``by`` is the side that attacks (:data:`ATTACK_SIDES`): ``grievance`` is a trigger event felt by
        majority residents (:meth:`model.RadicalisationModel.trigger_attack`), ``anti_minority`` one felt by
        minority residents (the model's ``anti_minority_attack_weeks``, extended through ``update_parameters``).
        """
        if by not in ATTACK_SIDES:
            raise ValueError(f"unknown attacking side '{by}'")
        with self.lock:
            week = self.week
            for model in self.models:
                if by == "grievance":
                    model.trigger_attack()
                else:
                    model.update_parameters(
                        anti_minority_attack_weeks=[*model.params.anti_minority_attack_weeks, week])
            (self.attacks if by == "grievance" else self.anti_minority_attacks).append(week)
            return week

    def set_discrimination(self, value: float) -> None:
        """Change societal discrimination in both towns at once (validated)."""
        with self.lock:
            self.as_is.update_parameters(societal_discrimination=value)
            self.what_if.update_parameters(societal_discrimination=value)
            self.settings = replace(self.settings, societal_discrimination=value)

    def set_intervention(self, type_: str, choice: InterventionChoice) -> None:
        """Switch an intervention on or off in the right-hand town, or change its intensity or variant.

        Switching on starts it in the coming week; switching off ends it this week
        (its structural changes, e.g. new clubs, are undone as the intervention
        defines). An intensity change applies at once where the intervention reads its
        intensity every week; otherwise the intervention restarts with the new value.
        """
        if type_ not in CONTROLS:
            raise KeyError(f"unknown intervention '{type_}'")
        with self.lock:
            old = self.choices[type_]
            self.choices[type_] = choice
            control = CONTROLS[type_]
            running = self.active.get(type_)
            if not choice.on:
                if running is not None:
                    self._stop(type_)
                return
            if running is None:
                self._start(type_, choice)
            elif choice.variant != old.variant or (control.intensity_sets_share and choice.intensity != old.intensity):
                self._stop(type_)
                self._start(type_, choice)
            else:
                running.intensity = float(choice.intensity)

    def _start(self, type_: str, choice: InterventionChoice) -> None:
        spec = CONTROLS[type_].spec(type_, choice, start=self.week)
        (iv,) = validate_interventions([spec])
        self.what_if.interventions.append(iv)
        self.active[type_] = iv
        self.started[type_] = self.week

    def _stop(self, type_: str) -> None:
        iv = self.active.pop(type_)
        self.started.pop(type_, None)
        if iv.reached is None:                     # never ran: forget it
            self.what_if.interventions.remove(iv)
        else:                                      # ends now; finish() runs in the coming week
            iv.duration = max(1, self.week - iv.start)
