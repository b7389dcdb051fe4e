"""An adapter for the EMA workbench (Kwakkel 2017, Environ. Model. Softw. 96:239).

EMA users wrap a simulation as a ``ReplicatorModel`` with uncertainties, levers,
constants and outcomes, and then call ``perform_experiments``. This module
gives them radsim in that form, either built from a radsim sweep file or from
plain arguments::

    from ema_workbench import perform_experiments
    from experiments.ema import ema_model

    model = ema_model(load_sweep("experiments/sweeps/drivers_lhs.toml"))
    experiments, outcomes = perform_experiments(model, scenarios=50, policies=4)

Each replication runs with its own seed, derived from the sweep seed exactly as
in :func:`experiments.sweep.run_seed`; the outcome of an experiment is the mean
over replications. ``ema_workbench`` is an optional dependency (``pip install
ema-workbench``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from model import RadicalisationModel
from model.parameters import Parameters

from .sweep import OUTCOMES, Factor, SweepSpec, run_seed

__all__ = ["simulate", "ema_model"]


def simulate(steps: int = 260, rng: Any = None, **params: Any) -> dict[str, float]:
    """Run one simulation of ``steps`` weeks and return every scalar outcome (the function EMA wraps)."""
    m = RadicalisationModel(rng=rng, collect=False, **params)
    m.run_for(int(steps))
    values = {**m.summary, "entered_phase_2": int(m.entries[2]), "entered_phase_3": int(m.entries[3]),
              "cost": m.cost_total}
    return {o: float(values[o]) for o in OUTCOMES}


def _parameter(name: str, factor: Factor):
    from ema_workbench import CategoricalParameter, IntegerParameter, RealParameter

    if not factor.continuous:
        return CategoricalParameter(name, factor.values)
    if Parameters.model_fields[name].annotation is int:
        return IntegerParameter(name, int(factor.low), int(factor.high))
    return RealParameter(name, factor.low, factor.high)


def ema_model(spec: SweepSpec | None = None, *, name: str = "radsim",
              uncertainties: Mapping[str, Mapping] | None = None, levers: Mapping[str, Mapping] | None = None,
              constants: Mapping[str, Any] | None = None, outcomes: Sequence[str] | None = None,
              steps: int | None = None, replications: int | None = None, seed: int | None = None):
    """radsim as an EMA workbench ``ReplicatorModel``.

    Give a :class:`experiments.sweep.SweepSpec` (from a sweep file), or the same
    parts as keyword arguments (``uncertainties={"societal_discrimination":
    {"low": 0.1, "high": 0.5}}`` and so on), which also override the spec's.
    They are validated exactly like a sweep file.
    """
    from ema_workbench import Constant, ReplicatorModel, ScalarOutcome

    base = spec.model_dump() if spec is not None else {}
    given = {"uncertainties": uncertainties, "levers": levers, "constants": constants, "outcomes": outcomes,
             "steps": steps, "replications": replications, "seed": seed}
    spec = SweepSpec.model_validate({**base, **{k: v for k, v in given.items() if v is not None}})
    model = ReplicatorModel(name, function=simulate)
    model.uncertainties = [_parameter(k, f) for k, f in spec.uncertainties.items()]
    model.levers = [_parameter(k, f) for k, f in spec.levers.items()]
    model.constants = [Constant("steps", spec.steps), *(Constant(k, v) for k, v in spec.constants.items())]
    model.outcomes = [ScalarOutcome(o, function=np.mean) for o in spec.outcomes]
    model.replications = [{"rng": run_seed(spec.seed, k)} for k in range(spec.replications)]
    return model
