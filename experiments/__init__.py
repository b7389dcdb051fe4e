"""radsim experiments: a library of scenarios, runs, comparisons, sweeps, calibration and checks, with the
``radsim`` command line (:mod:`experiments.cli`) on top. Every command calls a function of this library;
the examples are in :mod:`experiments.examples`. Imports the core (:mod:`model`), never the reverse."""

from .runner import RunResult, run_scenario, write_run
from .scenario import Scenario, ScenarioError, load_scenario

__all__ = ["RunResult", "Scenario", "ScenarioError", "load_scenario", "run_scenario", "write_run"]
