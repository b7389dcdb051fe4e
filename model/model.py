"""``RadicalisationModel``: the Mesa model that ties town, state, rules and data together."""

from __future__ import annotations

from typing import Any, Literal

import mesa
import numpy as np

from .agents import Resident
from .engine import N_DRAWS, ArrayEngine, MacroContext, macro_context
from .metrics import SUMMARY_COLUMNS, radical_clustering, summarise
from .parameters import TOWN_FIELDS, ParameterError, Parameters
from .state import Phase, initial_state
from .town import build_town

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
        engine: ``"array"`` (vectorised, default) or ``"agent"`` (the per-agent
            Mesa reference, for teaching and for checking the engine).
        collect: record the summary time series every step.
        **params: any field of :class:`model.parameters.Parameters`.

    Raises:
        ParameterError: an unknown parameter or a value out of range.
    """

    def __init__(self, *, rng: Any = None, engine: Literal["array", "agent"] = "array",
                 collect: bool = True, **params: Any):
        if engine not in ("array", "agent"):
            raise ValueError("engine: must be 'array' or 'agent'")
        self.params = params if isinstance(params, Parameters) else Parameters.create(**params)
        super().__init__(rng=rng)
        self.engine_name = engine
        self.town = build_town(self.params, self.rng)
        self.state = initial_state(self.town, self.params, self.rng)
        self.engine = ArrayEngine(self.town, self.params)
        self.attack_weeks: list[int] = list(self.params.attack_weeks)
        self.macro: MacroContext = macro_context(self.params, self.attack_weeks, 0)
        self.draws: np.ndarray = np.empty((N_DRAWS, 0))
        self.action_delays: list[int] = []
        """Weeks spent in phase 2 by each resident who moved to action (phase 3)."""
        self.residents: list[Resident] = [Resident(self, i) for i in range(self.town.n_residents)]
        self._membership_index = None
        self.collect = collect
        self.datacollector = mesa.DataCollector(
            model_reporters={name: (lambda m, k=name: m.summary[k]) for name in SUMMARY_COLUMNS}
            | {"threat": lambda m: m.macro.threat, "societal_discrimination": lambda m: m.macro.discrimination}
        )
        self.summary: dict[str, float] = {}
        self._record()

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
        town = sorted(set(changes) & TOWN_FIELDS)
        if town:
            raise ParameterError(f"{town[0]}: shapes the town and cannot change mid-run; build a new model")
        self.params = self.params.replace(**changes)
        self.engine.params = self.params
        self.engine.rebuild_network()
        if "attack_weeks" in changes:
            self.attack_weeks = list(self.params.attack_weeks)

    def trigger_attack(self) -> None:
        """Schedule a trigger event (an attack) in the coming week."""
        self.attack_weeks.append(self.steps)

    def step(self) -> None:
        """One week: macro context, random draws, the rules, and data collection."""
        week = self.steps - 1                       # mesa increments steps before calling step
        self.macro = macro_context(self.params, self.attack_weeks, week)
        self.draws = self.rng.random((N_DRAWS, self.town.n_residents))
        before_phase = self.state.phase.copy()
        before_tau = self.state.time_in_phase.copy()
        if self.engine_name == "array":
            self.engine.step(self.state, self.macro, self.draws)
        else:
            self.agents.do("step")
            self.agents.do("advance")
        acted = (before_phase == Phase.GROUP_MEMBERSHIP) & (self.state.phase == Phase.ACTION)
        self.action_delays.extend((before_tau[acted] + 1).tolist())
        self._record()

    def _record(self) -> None:
        self.summary = summarise(self.state, self.town.background)
        if self.collect:
            self.datacollector.collect(self)

    # --- inspection --------------------------------------------------------------
    def timeseries(self):
        """The collected summary as a pandas DataFrame with a ``step`` column (week)."""
        df = self.datacollector.get_model_vars_dataframe().reset_index(names="step")
        return df

    def phase_counts(self) -> dict[Phase, int]:
        counts = np.bincount(self.state.phase, minlength=4)
        return {Phase(k): int(counts[k]) for k in range(4)}

    def radical_clustering(self) -> tuple[float, float]:
        """See :func:`model.metrics.radical_clustering`."""
        return radical_clustering(self.state, self.town.adjacency)

    def memberships_of(self, index: int) -> list[int]:
        if self._membership_index is None:
            order = np.argsort(self.town.group_resident, kind="stable")
            starts = np.searchsorted(self.town.group_resident[order], np.arange(self.town.n_residents + 1))
            self._membership_index = (order, starts)
        order, starts = self._membership_index
        return self.town.group_id[order[starts[index]:starts[index + 1]]].tolist()
