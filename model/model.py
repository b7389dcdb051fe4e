"""``RadicalisationModel``: the Mesa model that ties town, state, rules and data together."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

import mesa
import numpy as np

from .agents import Recruiter, Residents, join_through_ties
from . import checkpoint, rules
from .engine import DRAW_ROWS, N_DRAWS, ArrayEngine, MacroContext, macro_context, raw_threat
from .errors import ParameterError
from .kernels import week_transitions
from .interventions import Intervention, check_reach, check_targets, survey_interventions, validate_interventions
from .metrics import OUTCOME_COLUMNS, radical_clustering, summarise
from .parameters import PRECISIONS, TOWN_FIELDS, GroupKind, Parameters
from .recruitment import Approaches, approach_rates, draw_approaches
from .rules import IdentityStrategy, Movement, Phase
from .state import initial_state
from .survey_figures import match_young_figures, survey_fit
from .town import MembershipChange, build_town

__all__ = ["RadicalisationModel"]


class RadicalisationModel(mesa.Model):
    """An agent-based model of the radicalisation process in a synthetic town.

    Residents pass through the phases of Doosje, Loseman & Van den Bos (2013):
    sensitivity, group membership and action, driven by perceived
    discrimination, identity uncertainty and significance loss, and protected by
    institutional trust, several group memberships and a resilience shield.
    One step is one week. See ``docs/ODD.md`` for every rule.

    Args:
        rng: seed or ``numpy.random.Generator``; the only source of randomness.
        interventions: intervention objects or dicts (``{"type": "inclusion_policy", ...}``),
            see :mod:`model.interventions`.
        engine: ``"array"`` (vectorised, default) or ``"agent"`` (the per-agent
            Mesa reference, for teaching and for checking the engine).
        precision: ``"float64"`` (default) or ``"float32"``: the precision the array engine stores the
            residents' continuous state, ties and draws in (half the memory, for large towns; every rule still
            computes in float64). float32 runs stay close to float64 runs on summary outcomes, not equal.
        collect: record the summary time series every step. Without it, :meth:`outcomes` computes the current
            week's outcomes when first asked for (the same numbers; a change made to ``state`` directly between
            a step and that question shows in them).
        **params: any field of :class:`model.parameters.Parameters`.

    Raises:
        ParameterError: an unknown parameter or a value out of range, or an intervention whose target
            the town does not have or that reaches nobody in it.
    """

    def __init__(self, *, rng: Any = None, engine: Literal["array", "agent"] = "array",
                 precision: Literal["float64", "float32"] = "float64",
                 collect: bool = True, interventions: Iterable[Intervention | dict] = (), **params: Any):
        if engine not in ("array", "agent"):
            raise ValueError("engine: must be 'array' or 'agent'")
        if precision not in PRECISIONS:
            raise ParameterError(f"precision: must be 'float64' or 'float32', not {precision!r}")
        if precision != "float64" and engine == "agent":
            raise ParameterError("precision: the per-agent reference runs in float64 only; use engine='array'")
        self.precision = precision
        self.params = Parameters.create(**params)
        self.interventions: list[Intervention] = validate_interventions(interventions)
        check_targets(self.interventions, self.params.n_backgrounds, self.params.n_neighbourhoods,
                      self.params.n_residents)
        super().__init__(rng=rng)
        # interventions draw from their own stream, spawned without consuming the model's,
        # so that arms of a comparison share the residents' random numbers
        self.intervention_rng: np.random.Generator = self.rng.spawn(1)[0]
        # recruiters' approaches too, so that the residents' draws do not depend on their number
        self.recruitment_rng: np.random.Generator = self.rng.spawn(1)[0]
        # and the ties of individual mobility (E11)
        self.mobility_rng: np.random.Generator = self.rng.spawn(1)[0]
        self.engine_name = engine
        self.town = build_town(self.params, self.rng)
        self.state = initial_state(self.town, self.params, self.rng)
        if self.params.survey is not None:      # young people's means from survey figures (ODD §5.1)
            match_young_figures(self.state, self.town, self.params)
        if precision != "float64":
            self.state = self.state.astype(np.dtype(precision))
        check_reach(self.interventions, self)       # targets against this town at week 0
        self._assemble(collect)
        self._record()

    def _assemble(self, collect: bool) -> None:
        """Everything the model derives from its parameters, town and state at week 0; shared by ``__init__``
        and :meth:`load` (which then puts back what a run has changed since)."""
        self.engine = ArrayEngine(self.town, self.params, np.dtype(self.precision))
        self.survey_interventions: list[Intervention] = survey_interventions(self.params, self.town)
        """Permanent interventions implied by survey figures (its key figures); kept apart from ``interventions``."""
        self.modifiers = self.engine.modifiers
        """This week's rule modifiers, set by the interventions (:class:`model.interventions.RuleModifiers`)."""
        self._neutral_modifiers = False
        """Whether the modifiers are known to be zero (reset, and no intervention has run since)."""
        self.attack_weeks: list[int] = list(self.params.attack_weeks)
        self.act_weeks: tuple[list[int], list[int]] = ([], [])
        """The week of every act (E20), per movement (one entry per act)."""
        self.key_figure_trust = np.zeros(self.town.n_residents)
        """Trust in key figures built so far, per resident (written by key-figure interventions)."""
        self.mobility_ties = 0
        """Ties gained through individual mobility (E11) since week 0."""
        self.cost_total = 0.0
        """Cumulative cost of the interventions (abstract units)."""
        self.entries = np.zeros(4, dtype=np.int64)
        """Cumulative entries into each phase since week 0."""
        self.exits = np.zeros(4, dtype=np.int64)
        """Cumulative exits from each phase (to the phase below) since week 0."""
        self.weeks_in_action = 0
        """Resident-weeks spent in phase 3 since week 0."""
        self.movement_entries = np.zeros((2, 4), dtype=np.int64)
        """Cumulative entries into each phase since week 0, per movement."""
        self.macro: MacroContext = macro_context(self.params, self.attack_weeks, 0)
        self.draws: np.ndarray = np.empty((N_DRAWS, 0))
        self.approach_rates = approach_rates(self.params, self.town.neighbourhood, self.state.movement)
        self.approaches: Approaches = Approaches.none(self.approach_rates.size)
        """This week's recruiters' approaches (E15; :mod:`model.recruitment`)."""
        self.action_delays: list[int] = []
        """Weeks spent in phase 2 by each resident who moved to action (phase 3)."""
        self.residents = Residents(self, self.town.n_residents)
        """The residents as Mesa agents (:class:`model.agents.Residents`): made when first asked for, all at once
        for the per-agent engine; the array engine never needs them."""
        if self.engine_name == "agent":
            self.residents.create_all()
        n_hoods = self.approach_rates.size // 2 - 1
        self.recruiters: list[Recruiter] = [Recruiter(self, movement, k) for movement in Movement
                                            for k in [*range(n_hoods), None]]
        """One recruiter presence per movement and neighbourhood, then online (used by the per-agent reference)."""
        self.collect = collect
        self.datacollector = mesa.DataCollector(
            model_reporters={name: (lambda m, k=name: m._settled_outcome(k)) for name in OUTCOME_COLUMNS})
        self._summary: dict[str, float] = {}
        self._outcome_values: dict[str, float] = {}
        self._outcomes_week: int | None = None      # the week the outcomes were computed for (None: not yet)

    @property
    def agents(self):
        """Mesa's set of the model's agents: every resident (made now if they were not yet; see ``residents``)."""
        residents = self.__dict__.get("residents")     # absent while mesa.Model.__init__ runs
        if residents is not None:
            residents.create_all()
        return super().agents

    # --- checkpoints (model.checkpoint) ----------------------------------------------
    def save(self, path) -> None:
        """Write the whole model state to ``path`` (a pickle-free ``.npz``; or a binary file object).

        The town, the residents' state, the interventions with their run-time state, the counters, the
        DataCollector's rows and every random generator (see :mod:`model.checkpoint` for the format). A model
        loaded from it and run on gives results bit-identical to this one run on. Save between steps.
        """
        checkpoint.save_model(self, path)

    @classmethod
    def load(cls, path) -> "RadicalisationModel":
        """The model saved by :meth:`save` in ``path`` (a path or a binary file object).

        Raises:
            model.checkpoint.CheckpointError: (a ``ValueError``) a file that is not a radsim checkpoint, of
                another format version, or damaged; one line.
        """
        return checkpoint.load_model(cls, path)

    def add_interventions(self, interventions: Iterable[Intervention | dict], check_reach_now: bool = True) -> None:
        """Attach interventions to this model at its current week (a comparison arm forked from a warm-up).

        Each must start at the current week (``steps``) or later, so that it acts as it would have in a model
        made with it at week 0. ``check_reach_now=False`` skips the check of targets against the town as it is
        now (the caller checked them at week 0, as the constructor does).

        Raises:
            ParameterError: one line, ``interventions[k].start: week 10 is before week 52, ...``, or a target
                the town does not have.
        """
        self._settle_outcomes()        # the outcomes of the week just simulated, before the change
        added = validate_interventions(interventions)
        check_targets(added, self.params.n_backgrounds, self.params.n_neighbourhoods, self.params.n_residents)
        for k, iv in enumerate(added):
            if iv.start < self.steps:
                raise ParameterError(f"interventions[{k}].start: week {iv.start} is before week {self.steps}, "
                                     f"which this model has already simulated; allowed {self.steps} or later")
        if check_reach_now:
            check_reach(added, self)
        self.interventions.extend(added)

    @property
    def removed(self) -> np.ndarray:
        """Residents removed from the network (in prison)."""
        return self.engine.removed

    @classmethod
    def from_parameters(cls, params: Parameters, *, rng: Any = None, **kwargs: Any) -> "RadicalisationModel":
        """Create a model from an already validated :class:`Parameters`."""
        return cls(rng=rng, **kwargs, **params.model_dump())

    @property
    def week(self) -> int:
        """Weeks simulated so far (equals ``steps`` and ``time``)."""
        return self.steps

    def update_parameters(self, **changes: Any) -> None:
        """Change rule parameters mid-run (validated). Town parameters need a new model.

        Raises:
            ParameterError: unknown, out of range, or a town parameter.
        """
        self._settle_outcomes()        # the outcomes of the week just simulated, before the change
        town = sorted(set(changes) & TOWN_FIELDS)
        if town:
            raise ParameterError(f"{town[0]}: shapes the town and cannot change mid-run; build a new model")
        self.params = self.params.replace(**changes)
        self.engine.params = self.params
        self.engine.rebuild_network()
        self.approach_rates = approach_rates(self.params, self.town.neighbourhood, self.state.movement)
        if "attack_weeks" in changes:
            self.attack_weeks = list(self.params.attack_weeks)

    def raw_threat(self, week: int) -> float:
        """Threat from attacks and acts in ``week`` before any crisis response, the larger side's (E1)."""
        return raw_threat(self.params, self.attack_weeks, week, self.act_weeks)

    # --- the world of the interventions (model.interventions.World) --------------------
    def add_ties(self, source: np.ndarray, target: np.ndarray, layer: str, weight: float) -> int:
        """Add ties to the town (e.g. a contact programme) and update the engine."""
        self._settle_outcomes()        # the outcomes of the week just simulated, before the change
        added = self.town.add_ties(source, target, layer, weight)
        if added:
            self.engine.rebuild_network(ties_only=True)
        return added

    def join_groups(self, residents: np.ndarray, group: np.ndarray, kind: GroupKind,
                    ties_per_membership: float) -> MembershipChange:
        """Put ``residents`` in new groups with ties inside (see :meth:`model.town.Town.join_groups`)."""
        self._settle_outcomes()        # the outcomes of the week just simulated, before the change
        change = self.town.join_groups(residents, group, kind, ties_per_membership, self.params.weight_association,
                                       self.intervention_rng)
        self.engine.rebuild_network()
        return change

    def leave_groups(self, change: MembershipChange) -> None:
        """End the memberships of ``change`` (their ties stay) and update the engine."""
        self._settle_outcomes()        # the outcomes of the week just simulated, before the change
        self.town.leave_groups(change)
        self.engine.rebuild_network()

    def remove(self, mask: np.ndarray) -> None:
        """Take residents out of the network (prison)."""
        self._settle_outcomes()        # the outcomes of the week just simulated, before the change
        self.engine.removed |= mask
        self.engine.rebuild_network()

    def release(self, mask: np.ndarray) -> None:
        """Return removed residents to the network."""
        self._settle_outcomes()        # the outcomes of the week just simulated, before the change
        self.engine.removed &= ~mask
        self.engine.rebuild_network()

    def trigger_attack(self) -> None:
        """Schedule a trigger event (an attack) in the coming week."""
        self._settle_outcomes()        # the outcomes of the week just simulated, before the change
        self.attack_weeks.append(self.steps)

    MOBILITY_INTERVAL = 13
    """Weeks between the additions of individual mobility's ties (E11), so that the network is rebuilt rarely."""

    def add_mobility_ties(self, week: int) -> None:
        """E11: every 13 weeks, minority residents choosing individual mobility each gain, with chance
        ``13 * mobility_tie_rate``, a school or work tie to a random majority resident of their neighbourhood."""
        if week == 0 or week % self.MOBILITY_INTERVAL or self.params.mobility_tie_rate == 0.0:
            return
        s, town = self.state, self.town
        mobile = ((s.identity_strategy == IdentityStrategy.INDIVIDUAL_MOBILITY) & (town.background > 0)
                  & ~self.removed)
        chance = min(1.0, self.MOBILITY_INTERVAL * self.params.mobility_tie_rate)
        movers = np.flatnonzero(mobile & (self.mobility_rng.random(town.n_residents) < chance))
        majority = np.flatnonzero((town.background == 0) & ~self.removed)
        if movers.size == 0 or majority.size == 0:
            return
        hood = town.neighbourhood[majority]
        order = np.argsort(hood, kind="stable")
        bounds = np.searchsorted(hood[order], np.arange(town.n_neighbourhoods + 1))
        lo, hi = bounds[town.neighbourhood[movers]], bounds[town.neighbourhood[movers] + 1]
        u = self.mobility_rng.random(movers.size)
        local = hi > lo
        partner = np.where(local, majority[order[np.minimum(lo + (u * (hi - lo)).astype(np.int64),
                                                            majority.size - 1)]],
                           majority[np.minimum((u * majority.size).astype(np.int64), majority.size - 1)])
        self.mobility_ties += self.add_ties(movers, partner, "school_work", self.params.weight_school_work)

    def commit_acts(self, week: int) -> np.ndarray:
        """E20: residents in phase 3 commit acts (from this week's draws); returns who acted."""
        s = self.state
        acted = rules.commits_act.vectorized(self.draws[DRAW_ROWS.index("act")], s.phase == Phase.ACTION,
                                             self.removed, self.params.act_hazard, self.modifiers.deterrence) > 0
        for movement in Movement:
            self.act_weeks[movement].extend([week] * int((acted & (s.movement == movement)).sum()))
        return acted

    def step(self) -> None:
        """One week: interventions, mobility's ties, macro context, random draws, acts, the rules, and data."""
        week = self.steps - 1                       # mesa increments steps before calling step
        self._outcomes_week = -1                    # last week's outcomes, if nobody asked for them, are not needed
        if not self._neutral_modifiers:
            self.modifiers.reset()                  # without interventions they stay zero: no reset (12 rows)
        self._neutral_modifiers = not (self.interventions or self.survey_interventions)
        for intervention in (*self.survey_interventions, *self.interventions):
            self.cost_total += intervention.weekly(self, self.modifiers, week)
        self.add_mobility_ties(week)
        self.macro = macro_context(self.params, self.attack_weeks, week, self.modifiers.threat_damping,
                                   self.act_weeks)
        if self.draws.shape != (N_DRAWS, self.town.n_residents):
            self.draws = np.empty((N_DRAWS, self.town.n_residents), dtype=self.precision)
        self.rng.random(out=self.draws, dtype=self.draws.dtype)       # the same numbers as a new array, in place
        self.approaches = draw_approaches(self.approach_rates, self.recruitment_rng)
        self.commit_acts(week)
        before_phase = self.state.phase.copy()
        before_tau = self.state.time_in_phase.copy()
        if self.engine_name == "array":
            self.engine.step(self.state, self.macro, self.draws, self.approaches)
        else:
            self.agents.do("step")
            for recruiter in self.recruiters:
                recruiter.approach()
            join_through_ties(self)
            self.agents.do("advance")
        # entries, exits (not the renewed places), weeks in phase 2 before action, resident-weeks in action
        delays = np.empty(self.town.n_residents, dtype=np.int64)
        n_delays, in_action = week_transitions(before_phase, before_tau, self.state.phase, self.state.movement,
                                               self.state.age, self.entries, self.exits, self.movement_entries,
                                               delays)
        self.action_delays.extend(delays[:n_delays].tolist())
        self.weeks_in_action += int(in_action)
        self._record()

    def outcomes(self) -> dict[str, float]:
        """Every outcome of the run at the current week (:data:`model.metrics.OUTCOME_COLUMNS`).

        The one per-run outcome function: the DataCollector records it each week, and
        sweeps, comparisons and the EMA adapter read it at the end of a run.
        """
        self._settle_outcomes()
        return dict(self._outcome_values)

    @property
    def summary(self) -> dict[str, float]:
        """The residents' part of :meth:`outcomes` at the current week (:data:`model.metrics.SUMMARY_COLUMNS`)."""
        self._settle_outcomes()
        return self._summary

    def _record(self) -> None:
        """End of a week: the DataCollector's row, or, without collection, mark the outcomes as due.

        Without collection (sweeps, comparisons), the outcomes of a week are computed only when first asked
        for, before anything changes the model: the same numbers, without summarising every week of a run
        whose outcomes are read once at its end.
        """
        self._outcomes_week = None
        if self.collect:
            self.datacollector.collect(self)

    def _settle_outcomes(self) -> None:
        """Compute this week's outcomes if they are due (before the model changes; see :meth:`_record`)."""
        if self._outcomes_week is None:
            self._compute_outcomes()

    def _settled_outcome(self, name: str) -> float:
        """One of this week's outcomes (the DataCollector's reporters)."""
        self._settle_outcomes()
        return self._outcome_values[name]

    def _compute_outcomes(self) -> None:
        self._summary = summarise(self.state, self.town.background)
        self._outcomes_week = self.steps
        self._outcome_values = {**self._summary, "threat": self.macro.threat,
                          "societal_discrimination": self.macro.discrimination,
                          "entered_phase_2": int(self.entries[2]), "entered_phase_3": int(self.entries[3]),
                          "cost": self.cost_total, "removed": int(self.removed.sum()),
                          "threat_minority": self.macro.threat_minority, "mobility_ties": self.mobility_ties,
                          "left_phase_2": int(self.exits[2]), "left_phase_3": int(self.exits[3]),
                          "weeks_in_phase_3": self.weeks_in_action}
        for movement in Movement:
            name = movement.name.lower()
            self._outcome_values[f"entered_phase_2_{name}"] = int(self.movement_entries[movement, 2])
            self._outcome_values[f"entered_phase_3_{name}"] = int(self.movement_entries[movement, 3])
            self._outcome_values[f"acts_{name}"] = len(self.act_weeks[movement])

    # --- inspection --------------------------------------------------------------
    def timeseries(self):
        """The collected summary as a pandas DataFrame with a ``step`` column (week)."""
        df = self.datacollector.get_model_vars_dataframe().reset_index(names="step")
        return df

    def survey_fit(self):
        """Each survey figure against the model's current value, per neighbourhood (a DataFrame).

        See :func:`model.survey_figures.survey_fit`. Raises ``ValueError`` if the model has no survey.
        """
        if self.params.survey is None:
            raise ValueError("survey_fit: this model was not started from survey figures (Parameters.survey)")
        return survey_fit(self.town, self.state, self.params.survey)

    def phase_counts(self) -> dict[Phase, int]:
        counts = np.bincount(self.state.phase, minlength=4)
        return {Phase(k): int(counts[k]) for k in range(4)}

    def radical_clustering(self) -> tuple[float, float]:
        """See :func:`model.metrics.radical_clustering`."""
        return radical_clustering(self.state, self.town.adjacency)

    def memberships_of(self, index: int) -> list[int]:
        """Ids of the groups resident ``index`` belongs to (see :meth:`model.town.Town.memberships_of`)."""
        return self.town.memberships_of(index)
