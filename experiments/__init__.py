"""radsim experiments: scenarios, runs and the command line. Imports the core, never the reverse."""

from .runner import RunResult, run_scenario, write_run
from .scenario import Scenario, ScenarioError, load_scenario

__all__ = ["RunResult", "Scenario", "ScenarioError", "load_scenario", "run_scenario", "write_run"]
