"""An adapter for the EMA workbench (Kwakkel 2017, Environ. Model. Softw. 96:239).

EMA users wrap a simulation as a ``ReplicatorModel`` with uncertainties, levers,
constants and outcomes, and then call ``perform_experiments``. This module
gives them radsim in that form, either built from a radsim sweep file or from
plain arguments::

    from ema_workbench import perform_experiments
    from experiments.ema import ema_model
    from experiments.examples import example_path
    from experiments.sweep import load_sweep

    model = ema_model(load_sweep(example_path("drivers_lhs.toml")))
    experiments, outcomes = perform_experiments(model, scenarios=50, policies=4)

Replication ``k`` runs with the seed :func:`experiments.seeds.replication_seed`
``(seed, k)``, as in a sweep; the outcome of an experiment is the mean over
replications. The outcomes are those of :meth:`model.RadicalisationModel.outcomes`.
``ema_workbench`` is an optional dependency (``pip install ema-workbench``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from model import RadicalisationModel
from model.parameters import Parameters

from .seeds import replication_seed
from .sweep import Factor, SweepSpec

__all__ = ["simulate", "ema_model"]


def simulate(steps: int = 260, rng: Any = None, **params: Any) -> dict[str, float]:
    """Run one simulation of ``steps`` steps (weeks) and return every outcome (the function EMA wraps)."""
    m = RadicalisationModel(rng=rng, collect=False, **params)
    m.run_for(int(steps))
    return {o: float(v) for o, v in m.outcomes().items()}


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
    model.replications = [{"rng": replication_seed(spec.seed, k)} for k in range(spec.replications)]
    return model
