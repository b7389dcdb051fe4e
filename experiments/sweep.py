"""Sweeps: many runs of the model over a design, on a local or remote Dask cluster.

A sweep file names its parts in the vocabulary of the EMA workbench (Kwakkel 2017)::

    [sweep]
    name = "drivers"
    design = "lhs"            # grid | lhs | sobol | morris
    samples = 32              # lhs: points; sobol: base samples N; morris: trajectories
    replications = 2
    seed = 1                  # run k's seed is experiments.seeds.replication_seed(seed, k)
    steps = 260               # one step is one week
    outcomes = ["phase_1", "phase_2", "entered_phase_2", "mean_trust"]
    batch_size = 4            # runs per Dask task
    timeseries = ["phase_1"]  # optional: also record these every step (DIR/timeseries.parquet)
    average_weeks = 0         # optional: outcomes as means over the last weeks (0: the last week)

    [uncertainties]           # factors outside the policymaker's control
    societal_discrimination = { low = 0.1, high = 0.5 }

    [levers]                  # factors a policymaker sets
    memberships_mean = { values = [0.5, 1.0, 2.0] }

    [constants]
    n_residents = 2000

    [tied]                    # optional: a parameter that takes a factor's value in every run
    anti_minority_recruiter_approaches = "recruiter_approaches"

    [contrast]                # optional: a policy contrast (Contrast): every run also runs the arm, same seed
    outcomes = ["phase_1"]    # recorded as arm_phase_1 and contrast_phase_1 = arm - baseline
    [[contrast.interventions]]
    type = "inclusion_policy"
    start = 52

The outcomes are those of :meth:`model.RadicalisationModel.outcomes` at the end of
each run (:data:`model.metrics.OUTCOME_COLUMNS`). Results go to ``DIR/results.parquet``, a Parquet dataset with one part file per
finished batch. Each part is written to a temporary name and renamed, so a crash
never leaves a broken part. Running the same sweep into the same DIR again
resumes: finished run ids are skipped. Optional per-step time series go to
``DIR/timeseries.parquet`` the same way (one row per run and step), written
before the batch's results, so a resumed run can only repeat identical rows,
which :func:`read_timeseries` drops.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field, ValidationError, field_serializer, model_validator

import model as model_pkg
from model import RadicalisationModel
from model.errors import STRICT, bounds, one_line_error
from model.interventions import (INTERVENTION_TYPES, Intervention, InterventionSpec, check_targets,
                                 validate_interventions)
from model.metrics import OUTCOME_COLUMNS
from model.parameters import ParameterError, Parameters

from .provenance import provenance_record
from .runner import process_alive
from .scenario import read_toml
from .seeds import replication_seed

__all__ = ["Factor", "Contrast", "SweepSpec", "SweepError", "load_sweep", "design", "run_sweep", "read_results",
           "read_timeseries", "runs_table", "validated", "check_factors", "OUTCOMES"]

OUTCOMES: tuple[str, ...] = OUTCOME_COLUMNS
"""The outcomes a sweep, a calibration or the EMA adapter can record: every outcome of a run."""


class SweepError(ValueError):
    """A sweep file is missing or invalid (one-line message)."""


class Factor(BaseModel):
    """A parameter to vary: a continuous range (``low``, ``high``) or a list of ``values``."""

    model_config = STRICT

    low: float | None = Field(None, allow_inf_nan=False)
    high: float | None = Field(None, allow_inf_nan=False)
    values: list[Annotated[float, Field(allow_inf_nan=False)]] | None = None

    @model_validator(mode="after")
    def _check(self) -> "Factor":
        if self.values is not None:
            if self.low is not None or self.high is not None:
                raise ValueError("give either low and high, or values")
            if not self.values:
                raise ValueError("values: the list is empty")
        else:
            if self.low is None or self.high is None:
                raise ValueError("give low and high, or values")
            if self.low > self.high:
                raise ValueError(f"low {self.low} is above high {self.high}")
            if self.low == self.high:
                raise ValueError(f"the range is empty (low = high = {self.low})")
        return self

    @property
    def continuous(self) -> bool:
        return self.values is None


CONTRAST_PREFIX = "contrast_"
"""``contrast_<outcome>``: the arm's outcome minus the baseline's in one run (common random numbers)."""
ARM_PREFIX = "arm_"
"""``arm_<outcome>``: the arm's outcome; the plain ``<outcome>`` of a contrast sweep is the baseline's."""
INTERVENTION_FACTOR = "interventions."
"""Factors named ``interventions.TYPE.NAME`` set a field of the contrast's arm (as :mod:`experiments.uncertainty`)."""


class Contrast(BaseModel):
    """A policy contrast (a sweep file's ``[contrast]`` table): every run of the sweep also runs the arm, its
    ``interventions`` (``[[contrast.interventions]]``, the tables of a scenario's ``[[interventions]]``,
    :mod:`model.interventions`), with the same seed as the run without them (the baseline: common random
    numbers). Each outcome of ``outcomes`` is recorded as ``arm_<outcome>`` and ``contrast_<outcome>`` (arm minus
    baseline); the plain ``<outcome>`` is the baseline's.

    A factor ``interventions.TYPE.NAME`` sets a coefficient of the arm's intervention of that type, and
    ``interventions.TYPE.intensity`` multiplies its intensity (implementation fidelity, in 0..1), as
    :func:`experiments.uncertainty.apply_set` applies a parameter set.
    """

    model_config = STRICT

    outcomes: list[str] = Field(default_factory=list, description="outcomes to contrast (default: the sweep's)")
    interventions: list[InterventionSpec] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _interventions(cls, data: Any) -> Any:
        if isinstance(data, dict):
            items = data.get("interventions", [])
            if not isinstance(items, list) or not items:
                raise ValueError("interventions: a contrast needs its arm: give at least one "
                                 "[[contrast.interventions]] table (as in a scenario file)")
            try:
                data = {**data, "interventions": validate_interventions(items)}
            except ParameterError as err:
                raise ValueError(str(err)) from None
        return data

    @field_serializer("interventions")
    def _as_given(self, ivs: list[Intervention]) -> list[dict]:
        # only the fields given: a default target stays a default target when the spec is read back
        return [{"type": iv.type, **iv.model_dump(mode="json", exclude_unset=True)} for iv in ivs]

    def arm(self, values: dict[str, Any]) -> list[Intervention]:
        """The arm's interventions with the ``interventions.TYPE.NAME`` entries of ``values`` (a run) applied."""
        from .scenario import Scenario
        from .uncertainty import apply_set

        changes = {k: float(v) for k, v in values.items() if k.startswith(INTERVENTION_FACTOR)}
        scenario = Scenario.model_construct(parameters=Parameters(), interventions=self.interventions)
        return apply_set(scenario, changes, set())[0].interventions


def check_intervention_factors(groups: dict[str, dict[str, Factor]], contrast: Contrast | None) -> None:
    """Check the factors named ``interventions.TYPE.NAME``: a contrast's arm has an intervention of ``TYPE``, and
    ``NAME`` is its intensity or a coefficient, with a range inside the field's (the rules of the priors,
    :func:`experiments.uncertainty.check_priors`). Raises ``ValueError`` with one line naming the group and factor."""
    from .uncertainty import Prior, Priors, check_priors

    for group, factors in groups.items():
        for name, f in factors.items():
            if not name.startswith(INTERVENTION_FACTOR):
                continue
            where = f"{group}.{name}"
            if contrast is None:
                raise ValueError(f"{where}: an intervention's field can only be a factor of a contrast; add a "
                                 "[contrast] with [[contrast.interventions]]")
            parts = name.split(".")
            if len(parts) != 3:
                raise ValueError(f"{where}: name an intervention's field as interventions.TYPE.NAME")
            kind, field = parts[1], parts[2]
            kinds = list(dict.fromkeys(iv.type for iv in contrast.interventions))
            if kind in INTERVENTION_TYPES and kind not in kinds:
                raise ValueError(f"{where}: the contrast's arm has no {kind} intervention; its interventions are "
                                 f"{', '.join(kinds)}")
            low, high = (f.low, f.high) if f.continuous else (min(f.values), max(f.values))
            prior = Prior.model_construct(distribution="uniform", low=low, high=high)
            try:
                check_priors(Priors.model_construct(interventions={kind: {field: prior}}, parameters={}))
            except ValueError as err:
                raise ValueError(f"{group}.{err}") from None


class SweepSpec(BaseModel):
    """A validated sweep: design, factors, constants and outcomes."""

    model_config = STRICT

    name: str = "sweep"
    design: Literal["grid", "lhs", "sobol", "morris"] = "grid"
    samples: int = Field(16, ge=1, le=1_000_000)
    grid_levels: int = Field(3, ge=2, le=100, description="levels per continuous factor in a grid")
    replications: int = Field(1, ge=1, le=10_000)
    seed: int = Field(1, ge=0, le=2**63 - 1)
    steps: int = Field(260, ge=1, le=100_000)
    outcomes: list[str] = Field(default_factory=lambda: ["phase_1", "phase_2", "phase_3", "entered_phase_2"])
    batch_size: int = Field(4, ge=1, le=10_000)
    timeseries: list[str] = Field(default_factory=list, description="outcomes also recorded every step")
    average_weeks: int = Field(0, ge=0, le=100_000, description="outcomes are means over the last weeks of "
                               "the run (0: the value of the last week)")
    uncertainties: dict[str, Factor] = Field(default_factory=dict)
    levers: dict[str, Factor] = Field(default_factory=dict)
    constants: dict[str, Any] = Field(default_factory=dict)
    tied: dict[str, str] = Field(default_factory=dict, description="parameter = the name of a factor whose "
                                 "value it takes in every run")
    contrast: Contrast | None = Field(None, description="a policy contrast: every run also runs this arm")

    @model_validator(mode="before")
    @classmethod
    def _dotted_factors(cls, data: Any) -> Any:
        """TOML reads ``interventions.TYPE.NAME = { low, high }`` as nested tables: give them their dotted names."""
        if isinstance(data, dict):
            data = {**data, **{g: _flatten(data[g]) for g in ("uncertainties", "levers")
                               if isinstance(data.get(g), dict)}}
        return data

    @model_validator(mode="after")
    def _check(self) -> "SweepSpec":
        names = list(self.uncertainties) + list(self.levers)
        if not names:
            raise ValueError("uncertainties: give at least one uncertainty or lever to vary")
        dup = set(self.uncertainties) & set(self.levers)
        if dup:
            raise ValueError(f"levers.{sorted(dup)[0]}: also listed as an uncertainty")
        groups = {"uncertainties": self.uncertainties, "levers": self.levers}
        check_factors({g: {k: f for k, f in fs.items() if not k.startswith(INTERVENTION_FACTOR)}
                       for g, fs in groups.items()}, self.constants)
        check_intervention_factors(groups, self.contrast)
        if self.contrast is not None:
            self._check_contrast()
        check_tied(self.tied, self.factors, self.constants)
        if self.average_weeks > self.steps:
            raise ValueError(f"average_weeks: {self.average_weeks} is more than the run's {self.steps} steps; "
                             f"give 0 to {self.steps}")
        for o in self.outcomes:
            if o not in OUTCOMES:
                raise ValueError(f"outcomes: unknown outcome '{o}'; one of {', '.join(OUTCOMES)}")
        for o in self.timeseries:
            if o not in OUTCOMES:
                raise ValueError(f"timeseries: unknown outcome '{o}'; one of {', '.join(OUTCOMES)}")
        if self.design in ("sobol", "morris") and not all(f.continuous for f in self.factors.values()):
            raise ValueError(f"design: {self.design} needs ranges (low, high) for every factor, not values")
        if self.design == "sobol" and self.samples & (self.samples - 1):
            low = 1 << (self.samples.bit_length() - 1)
            use = f"{low} or {2 * low}" if 2 * low <= bounds(SweepSpec.model_fields["samples"].metadata)["le"] else str(low)
            raise ValueError(f"samples: {self.samples} is not a power of two, which a Sobol design needs; use {use}")
        if self.design == "morris" and self.samples < 2:
            raise ValueError(f"samples: {self.samples} trajectory is too few for a Morris design; use at least 2")
        return self

    def _check_contrast(self) -> None:
        c = self.contrast
        for o in c.outcomes:
            if o not in OUTCOMES:
                raise ValueError(f"contrast.outcomes: unknown outcome '{o}'; one of {', '.join(OUTCOMES)}")
        for k, iv in enumerate(c.interventions):
            if iv.start >= self.steps:
                raise ValueError(f"contrast.interventions[{k}].start: week {iv.start} is after the end of the run "
                                 f"(steps = {self.steps})")
        p = Parameters.from_table(self.constants, "constants.")
        try:                                 # the targets against the town the constants build
            check_targets(c.interventions, p.n_backgrounds, p.n_neighbourhoods,
                          None if "n_residents" in self.factors else p.n_residents)
        except ParameterError as err:
            raise ValueError(f"contrast.{err}") from None

    @property
    def factors(self) -> dict[str, Factor]:
        return {**self.uncertainties, **self.levers}

    @property
    def contrast_outcomes(self) -> list[str]:
        """The outcomes the contrast compares (its own list, or the sweep's); empty without a contrast."""
        if self.contrast is None:
            return []
        return self.contrast.outcomes or list(self.outcomes)

    @property
    def analysed_outcomes(self) -> list[str]:
        """The outcomes a sensitivity analysis takes: ``contrast_<outcome>`` with a contrast, else the outcomes."""
        if self.contrast is None:
            return list(self.outcomes)
        return [CONTRAST_PREFIX + o for o in self.contrast_outcomes]

    def problem(self) -> dict:
        """The SALib problem: a plain dict of names and bounds."""
        f = self.factors
        return {"num_vars": len(f), "names": list(f), "bounds": [[x.low, x.high] for x in f.values()]}


def check_factors(groups: dict[str, dict[str, Factor]], constants: dict[str, Any]) -> None:
    """Check factors to vary (by group: ``uncertainties``, ``levers``, ``free``) and the ``constants``.

    The constants must be valid parameters on their own, a factor must be a parameter that is not also a
    constant, the values of an integer parameter must be integers, and every end of a range and every
    value must be valid with the constants. Raises ``ValueError`` with one line naming the group and field.
    """
    try:
        Parameters.from_table(constants, "constants.")
    except ParameterError as err:
        raise ValueError(str(err)) from None
    fields = Parameters.model_fields
    for group, factors in groups.items():
        for name, f in factors.items():
            if name not in fields:
                raise ValueError(f"{group}.{name}: unknown parameter (see `radsim params`)")
            if name in constants:
                raise ValueError(f"constants.{name}: also varied as {group}.{name}; give it in one place")
            if not f.continuous and fields[name].annotation is int:
                bad = next((v for v in f.values if v != int(v)), None)
                if bad is not None:
                    raise ValueError(f"{group}.{name}.values: {bad} is not an integer, and {name} takes integers")
            for v in ([f.low, f.high] if f.continuous else f.values):
                try:
                    Parameters.create(**{**constants, name: _cast(name, v)})
                except ParameterError as err:
                    message = str(err)
                    raise ValueError(f"{group}.{message}" if message.startswith(f"{name}:") else
                                     f"{group}.{name}: {v} does not fit the constants: {message}") from None


def check_tied(tied: dict[str, str], factors: dict[str, Factor], constants: dict[str, Any]) -> None:
    """Check ``tied`` (parameter = factor): a known parameter, neither varied nor constant, tied to a factor."""
    fields = Parameters.model_fields
    for name, to in tied.items():
        if name not in fields:
            raise ValueError(f"tied.{name}: unknown parameter (see `radsim params`)")
        if name in factors or name in constants:
            raise ValueError(f"tied.{name}: also {'varied' if name in factors else 'a constant'}; "
                             "give it in one place")
        if to not in factors or to.startswith(INTERVENTION_FACTOR):
            raise ValueError(f"tied.{name}: '{to}' is not a model parameter varied in this file; one of "
                             f"{', '.join(f for f in factors if not f.startswith(INTERVENTION_FACTOR))}")
        f = factors[to]
        for v in ([f.low, f.high] if f.continuous else f.values):
            try:
                Parameters.create(**{**constants, to: _cast(to, v), name: _cast(name, v)})
            except ParameterError as err:
                raise ValueError(f"tied.{name}: takes the values of {to}, and {err}") from None


def run_parameters(spec: "SweepSpec", run: dict) -> dict[str, Any]:
    """The keyword arguments of one run's model: the constants, the factors' values and the tied parameters."""
    factors = {k: run[k] for k in spec.factors if not k.startswith(INTERVENTION_FACTOR)}
    return {**spec.constants, **factors, **{name: _cast(name, factors[to]) for name, to in spec.tied.items()}}


def run_outcomes(m: RadicalisationModel, steps: int, outcomes: list[str], average_weeks: int = 0) -> dict:
    """Run ``m`` for ``steps`` weeks; each outcome at the last week, or its mean over the last ``average_weeks``."""
    if not average_weeks:
        m.run_for(steps)
        values = m.outcomes()
        return {o: values[o] for o in outcomes}
    m.run_for(steps - average_weeks)
    sums = dict.fromkeys(outcomes, 0.0)
    for _ in range(average_weeks):
        m.step()
        values = m.outcomes()
        for o in outcomes:
            sums[o] += values[o]
    return {o: sums[o] / average_weeks for o in outcomes}


def _cast(name: str, value: float) -> Any:
    """Integer parameters get integers (an intervention's field, ``interventions.TYPE.NAME``, is a float)."""
    field = Parameters.model_fields.get(name)
    return int(round(value)) if field is not None and field.annotation is int else float(value)


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested tables of factors to dotted names; a table with ``low``, ``high`` or ``values`` is a factor."""
    out: dict[str, Any] = {}
    for key, value in table.items():
        nested = prefix or key == INTERVENTION_FACTOR.rstrip(".")      # only interventions.TYPE.NAME nests
        if nested and isinstance(value, dict) and value and not set(value) & {"low", "high", "values"}:
            out.update(_flatten(value, f"{prefix}{key}."))
        else:
            out[prefix + key] = value
    return out


def load_spec(path: str | Path, head: str, tables: tuple[str, ...], spec: type[BaseModel]) -> Any:
    """Read a TOML file of a ``[head]`` table plus named ``tables`` into ``spec``.

    The keys of ``[head]`` and the tables become the spec's fields. Raises
    :class:`SweepError` with a one-line message for a missing or malformed file, an
    unknown table or an invalid value.
    """
    path = Path(path)
    raw = read_toml(path, head, SweepError)
    expected = ", ".join(f"[{t}]" for t in (head, *tables))
    if not raw:
        raise SweepError(f"{path}: the file is empty; expected {expected}")
    unknown = set(raw) - {head, *tables}
    if unknown:
        raise SweepError(f"{path}: unknown table '{sorted(unknown)[0]}' (expected {expected})")
    if not isinstance(raw.get(head, {}), dict):
        raise SweepError(f"{path}: {head}: must be a table [{head}] (got {raw[head]!r})")
    data = {**raw.get(head, {}), **{k: raw[k] for k in tables if k in raw}}
    return validated(spec, data, str(path))


def validated(spec: type[BaseModel], data: dict[str, Any], source: str) -> Any:
    """``spec`` validated from ``data``; raises :class:`SweepError` with a one-line message naming ``source``."""
    try:
        return spec.model_validate(data)
    except ValidationError as err:
        raise SweepError(f"{source}: {one_line_error(err, schema=spec)}") from None


def load_sweep(path: str | Path) -> SweepSpec:
    """Read and validate a sweep TOML file; raises :class:`SweepError` with a one-line message."""
    return load_spec(path, "sweep", ("uncertainties", "levers", "constants", "tied", "contrast"), SweepSpec)


def design(spec: SweepSpec) -> pd.DataFrame:
    """The design points, one row per point (before replications), in a fixed order.

    grid: the full factorial of ``values`` and ``grid_levels`` evenly spaced levels
    per range; lhs, sobol (Saltelli, first and total order) and morris through SALib,
    seeded by the sweep seed.
    """
    f = spec.factors
    if spec.design == "grid":
        axes = [x.values if not x.continuous else list(np.linspace(x.low, x.high, spec.grid_levels)) for x in f.values()]
        rows = list(itertools.product(*axes))
        return pd.DataFrame(rows, columns=list(f))
    from SALib.sample import latin, morris, sobol

    problem = spec.problem()
    if spec.design == "lhs":
        x = latin.sample(problem, spec.samples, seed=spec.seed)
    elif spec.design == "sobol":
        x = sobol.sample(problem, spec.samples, calc_second_order=False, seed=spec.seed)
    else:
        x = morris.sample(problem, spec.samples, num_levels=4, seed=spec.seed)
    return pd.DataFrame(x, columns=problem["names"])


def runs_table(spec: SweepSpec) -> pd.DataFrame:
    """Every run: run id, design point, replication, seed and factor values."""
    points = design(spec)
    rows = []
    for point, values in enumerate(points.to_dict("records")):
        for rep in range(spec.replications):
            run_id = point * spec.replications + rep
            rows.append({"run_id": run_id, "point": point, "replication": rep,
                         "seed": replication_seed(spec.seed, run_id),
                         **{k: _cast(k, v) for k, v in values.items()}})
    return pd.DataFrame(rows)


def _run_batch(spec_json: str, runs: list[dict], threads: int | None = None
               ) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Run a batch of runs (in a Dask worker): one row per run, and the per-step series if asked for."""
    spec = SweepSpec.model_validate_json(spec_json)
    if threads is not None:
        import numba

        numba.set_num_threads(threads)   # parallelism comes from the worker processes, not from threads
    out, series = [], []
    for run in runs:
        t0 = time.perf_counter()
        m = RadicalisationModel(rng=run["seed"], collect=bool(spec.timeseries), **run_parameters(spec, run))
        values = run_outcomes(m, spec.steps, list(dict.fromkeys([*spec.outcomes, *spec.contrast_outcomes])),
                              spec.average_weeks)
        if spec.contrast is not None:
            values.update(contrast_values(spec, run, values))
        if spec.timeseries:
            ts = m.timeseries()
            series.append(ts.assign(run_id=run["run_id"])[["run_id", "step", *spec.timeseries]])
        out.append({**run, **values,
                    "wall_seconds": time.perf_counter() - t0, "model_version": model_pkg.__version__})
    return pd.DataFrame(out), (pd.concat(series, ignore_index=True) if series else None)


def contrast_values(spec: SweepSpec, run: dict, baseline: dict[str, Any]) -> dict[str, Any]:
    """Run the contrast's arm of ``run`` with the run's seed (common random numbers): ``arm_<o>`` and
    ``contrast_<o>`` (arm minus ``baseline``, the outcomes of the run without the arm) for each contrast outcome."""
    m = RadicalisationModel(rng=run["seed"], collect=False, interventions=spec.contrast.arm(run),
                            **run_parameters(spec, run))
    arm = run_outcomes(m, spec.steps, spec.contrast_outcomes, spec.average_weeks)
    return {**{ARM_PREFIX + o: arm[o] for o in arm}, **{CONTRAST_PREFIX + o: arm[o] - baseline[o] for o in arm}}


def _read_parts(path: Path, key: list[str]) -> pd.DataFrame:
    parts = sorted(path.glob("part-*.parquet")) if path.is_dir() else []
    if not parts:
        return pd.DataFrame()
    df = pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)
    return df.drop_duplicates(key).sort_values(key).reset_index(drop=True)


def read_results(out: str | Path) -> pd.DataFrame:
    """All finished runs in ``out/results.parquet``, sorted by run id (empty if none)."""
    return _read_parts(Path(out) / "results.parquet", ["run_id"])


def read_timeseries(out: str | Path) -> pd.DataFrame:
    """The per-step series of finished runs (``out/timeseries.parquet``): run_id, step, outcomes."""
    df = _read_parts(Path(out) / "timeseries.parquet", ["run_id", "step"])
    if df.empty:
        return df
    return df[df.run_id.isin(read_results(out).run_id)].reset_index(drop=True)


def _record_invocation(out: Path, spec: SweepSpec, inputs: list[str | Path] = ()) -> None:
    """Append this invocation's provenance to ``out/provenance.json`` (a resumed sweep has several), with the
    hashes of ``inputs`` (the sweep file)."""
    path = out / "provenance.json"
    try:
        earlier = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else []
    except (OSError, ValueError):
        earlier = []
    record = provenance_record(spec.model_dump(mode="json"), inputs,
                               seeds={"base_seed": spec.seed, "scheme": "replication_seed(seed, run_id)"})
    tmp = out / ".provenance.json.tmp"
    tmp.write_text(json.dumps([*(earlier if isinstance(earlier, list) else []), record], indent=2) + "\n",
                   encoding="utf-8")
    os.replace(tmp, path)


def remove_stale_parts(out: Path) -> list[Path]:
    """Remove half-written part files (``.part-*.tmp``) that a killed earlier sweep into ``out`` left behind.

    A part is written to a temporary name with the writer's process id and renamed when complete, so a
    temporary part whose writer no longer runs can never be completed.
    """
    removed = []
    for tmp in [*out.glob("results.parquet/.part-*.tmp"), *out.glob("timeseries.parquet/.part-*.tmp")]:
        try:
            pid = int(tmp.name.split("-")[2])
        except (IndexError, ValueError):
            pid = -1
        if pid < 0 or not process_alive(pid):
            tmp.unlink(missing_ok=True)
            removed.append(tmp)
    return removed


def _write_part(df: pd.DataFrame, folder: Path) -> None:
    first = int(df["run_id"].min())
    final = folder / f"part-{first:09d}-{os.getpid()}-{time.time_ns()}.parquet"
    tmp = folder / f".{final.name}.tmp"
    df.to_parquet(tmp, index=False)
    os.replace(tmp, final)


def run_sweep(spec: SweepSpec, out: str | Path, workers: int = 2, scheduler: str | None = None,
              progress: Callable[[int, int], None] | None = None,
              inputs: list[str | Path] = ()) -> pd.DataFrame:
    """Run every unfinished run of ``spec`` and return all results, sorted by run id.

    ``inputs`` (the sweep file) are hashed into the invocation's provenance record.

    By default a local Dask cluster with ``workers`` processes bound to 127.0.0.1;
    ``scheduler`` connects to an existing Dask scheduler instead. Results do not
    depend on the number of workers: run ``k``'s seed is ``replication_seed(spec.seed, k)``.
    """
    from dask.distributed import Client, LocalCluster, as_completed

    out = Path(out)
    folder = out / "results.parquet"
    folder.mkdir(parents=True, exist_ok=True)
    remove_stale_parts(out)
    (out / "sweep.json").write_text(spec.model_dump_json(indent=2), encoding="utf-8")
    _record_invocation(out, spec, inputs)
    runs = runs_table(spec)
    done = set(read_results(out).get("run_id", pd.Series(dtype=int)).tolist())
    todo = runs[~runs.run_id.isin(done)].to_dict("records")
    total = len(runs)
    if progress:
        progress(len(done), total)
    if todo:
        batches = [todo[i:i + spec.batch_size] for i in range(0, len(todo), spec.batch_size)]
        spec_json = spec.model_dump_json()
        if scheduler:
            client = Client(scheduler, timeout="10s")
            cluster = None
        else:
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                                   dashboard_address="127.0.0.1:0",   # any free local port: no clash with 8787
                                   preload=["experiments.dask_worker"])   # workers leave Ctrl-C to this process
            client = Client(cluster)
        try:
            futures = [client.submit(_run_batch, spec_json, b, 1, pure=False) for b in batches]
            finished = len(done)
            for fut in as_completed(futures):
                df, series = fut.result()
                if series is not None:
                    (out / "timeseries.parquet").mkdir(exist_ok=True)
                    _write_part(series, out / "timeseries.parquet")
                _write_part(df, folder)
                finished += len(df)
                if progress:
                    progress(finished, total)
        finally:
            log = logging.getLogger("distributed")
            level = log.level
            log.setLevel(logging.ERROR)          # the warnings of an interrupted shutdown are not news
            try:
                client.close()
                if cluster is not None:
                    cluster.close()
            finally:
                log.setLevel(level)
    return read_results(out)

