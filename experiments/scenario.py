"""Scenario files: a town, its parameters and a run length, in TOML.

A scenario file looks like::

    [scenario]
    name = "baseline"
    description = "Default town"
    steps = 520          # one step = one week
    seed = 42

    [parameters]         # any field of model.Parameters
    n_residents = 10000
    societal_discrimination = 0.3

    [[interventions]]    # any number; see model.interventions
    type = "intergroup_contact"
    start = 52
    duration = 104
    intensity = 0.8
    common_goal = true
    target = { min_age = 12, max_age = 27, share = 0.3 }

    [survey]             # optional: start from neighbourhood survey figures (model.survey)
    csv = "figures.csv"  # relative to the scenario file; or [[survey.neighbourhoods]] tables
    key_figure_visibility = 0.2

Validation errors are one line that names the key, e.g.
``parameters.segregation: 1.5 is out of range; allowed range 0.0 to 1.0``.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError, model_validator

from model.errors import STRICT, one_line_error
from model.interventions import INTERVENTION_TYPES, InterventionSpec, check_targets
from model.parameters import ParameterError, Parameters
from model.survey import Survey, SurveyError, read_survey_csv

__all__ = ["Scenario", "ScenarioError", "load_scenario"]


class ScenarioError(ValueError):
    """A scenario file is missing, malformed or invalid (one-line message)."""


class Scenario(BaseModel):
    """A validated scenario: what to simulate, for how long, with which seed."""

    model_config = STRICT

    name: str = "default"
    description: str = ""
    steps: int = Field(520, ge=1, le=100_000, description="steps to simulate (one step = one week)")
    seed: int = Field(42, ge=0, le=2**63 - 1, description="seed of the model's random generator")
    parameters: Parameters = Field(default_factory=Parameters)
    interventions: list[InterventionSpec] = Field(default_factory=list)

    @model_validator(mode="after")
    def _schedule(self) -> "Scenario":
        for k, iv in enumerate(self.interventions):
            if iv.start >= self.steps:
                raise ValueError(f"interventions[{k}].start: week {iv.start} is after the end of the run "
                                 f"(steps = {self.steps})")
        p = self.parameters
        try:                                # the targets against the town these parameters build
            check_targets(self.interventions, p.n_backgrounds, p.n_neighbourhoods, p.n_residents)
        except ParameterError as err:
            raise ValueError(str(err)) from None
        return self

    def given_parameters(self, exclude: tuple[str, ...] = ("n_residents",)) -> dict[str, Any]:
        """The parameters the scenario sets (the rest are defaults), as ``RadicalisationModel`` keyword arguments,
        without those in ``exclude``: ``RadicalisationModel(n_residents=5000, **scenario.given_parameters())``
        is the scenario's place at another size."""
        given = self.parameters.model_fields_set - set(exclude)
        return self.parameters.model_dump(include=given)

    def arms(self) -> dict[str, list]:
        """Comparison arms: the baseline and each named arm.

        Interventions with the same ``arm`` name (default: their type) form one
        arm and run together; give several interventions one arm name to compare
        a package.
        """
        arms: dict[str, list] = {"baseline": []}
        for iv in self.interventions:
            arms.setdefault(iv.label, []).append(iv)
        return arms

    def with_overrides(self, *, residents: int | None = None, steps: int | None = None,
                       seed: int | None = None) -> "Scenario":
        """Apply command-line overrides, validating them."""
        data = {**self.model_dump(), "interventions": self.interventions}   # objects: their given targets stay given
        if residents is not None:
            data["parameters"]["n_residents"] = residents
        if steps is not None:
            data["steps"] = steps
        if seed is not None:
            data["seed"] = seed
        return scenario_from_dict(data, source="command line")


SURVEY_KEYS = ("csv", "neighbourhoods", "source", "key_figure_intensity", "key_figure_visibility")


def survey_from_table(table: Any, source: str = "scenario", base: Path | None = None) -> Survey:
    """Validate a scenario's ``[survey]`` table: a ``csv`` file (relative to ``base``) or inline
    ``[[survey.neighbourhoods]]``, plus the key-figure options. Raises :class:`ScenarioError`."""
    if isinstance(table, Survey):
        return table
    if not isinstance(table, dict):
        raise ScenarioError(f"{source}: survey: must be a table [survey] (got {table!r})")
    for key in table:
        if key not in SURVEY_KEYS:
            raise ScenarioError(f"{source}: unknown key 'survey.{key}' (expected {', '.join(SURVEY_KEYS)})")
    options = {k: v for k, v in table.items() if k not in ("csv", "neighbourhoods")}
    if ("csv" in table) == ("neighbourhoods" in table):
        raise ScenarioError(f"{source}: survey: give either csv = \"FILE.csv\" or [[survey.neighbourhoods]] tables")
    try:
        if "csv" in table:
            if not isinstance(table["csv"], str):
                raise ScenarioError(f"{source}: survey.csv: must be a file name (got {table['csv']!r})")
            try:
                Survey.model_validate({**options, "neighbourhoods": [{"residents": 1}]})   # check the options first
            except ValidationError as err:
                raise ScenarioError(f"{source}: {one_line_error(err, 'survey.', schema=Survey)}") from None
            path = Path(table["csv"])
            return read_survey_csv(path if path.is_absolute() or base is None else base / path, **options)
        return Survey.model_validate({**options, "neighbourhoods": table["neighbourhoods"]})
    except SurveyError as err:
        raise ScenarioError(str(err)) from None
    except ValidationError as err:
        raise ScenarioError(f"{source}: {one_line_error(err, 'survey.', schema=Survey)}") from None


def scenario_from_dict(data: dict[str, Any], source: str = "scenario", base: Path | None = None) -> Scenario:
    """Validate a scenario given as a dictionary (as read from TOML).

    A ``survey`` entry (the ``[survey]`` table) becomes ``parameters.survey``;
    a CSV named in it is read relative to ``base``.
    """
    data = dict(data)
    params = data.pop("parameters", {})
    if not isinstance(params, dict):
        raise ScenarioError(f"{source}: parameters: must be a table [parameters] (got {params!r})")
    if "survey" in data:
        if "survey" in params:
            raise ScenarioError(f"{source}: survey: give it once, as [survey] (not also parameters.survey)")
        params = {**params, "survey": survey_from_table(data.pop("survey"), source, base)}
    try:
        parameters = Parameters.from_table(params, "parameters.")
    except ParameterError as err:
        raise ScenarioError(f"{source}: {err}") from None
    try:
        return Scenario(**data, parameters=parameters)
    except ValidationError as err:
        message = one_line_error(err, schema=Scenario, tags=INTERVENTION_TYPES, tag_kind="intervention")
        raise ScenarioError(f"{source}: {message}") from None


def read_toml(path: Path, what: str, error: type[ValueError]) -> dict[str, Any]:
    """Read a TOML file, raising ``error`` with a one-line message if it is missing or malformed."""
    if not path.is_file():
        raise error(f"{what} file not found: {path}")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise error(f"{path}: malformed TOML: {err}") from None
    except UnicodeDecodeError:
        raise error(f"{path}: not a UTF-8 text file") from None


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a TOML scenario file.

    The file has a ``[scenario]`` table (name, description, steps, seed), a
    ``[parameters]`` table, ``[[interventions]]`` and a ``[survey]`` table; all are
    optional. Raises :class:`ScenarioError`.
    """
    path = Path(path)
    raw = read_toml(path, "scenario", ScenarioError)
    expected = "[scenario], [parameters], [survey] and [[interventions]]"
    if not raw:
        raise ScenarioError(f"{path}: the file is empty; expected {expected}")
    unknown = set(raw) - {"scenario", "parameters", "interventions", "survey"}
    if unknown:
        raise ScenarioError(f"{path}: unknown table '{sorted(unknown)[0]}' (expected {expected})")
    if not isinstance(raw.get("scenario", {}), dict):
        raise ScenarioError(f"{path}: scenario: must be a table [scenario] (got {raw['scenario']!r})")
    data = dict(raw.get("scenario", {}))
    data["parameters"] = raw.get("parameters", {})
    if "interventions" in raw:
        data["interventions"] = raw["interventions"]
    if "survey" in raw:
        data["survey"] = raw["survey"]
    return scenario_from_dict(data, source=str(path), base=path.parent)
