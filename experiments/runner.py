"""Run one scenario and write its results: the Python API behind ``radsim run``."""

from __future__ import annotations

import json
import os
import platform
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

import model
from model import RadicalisationModel

from .plots import plot_run
from .provenance import provenance_record
from .scenario import Scenario

__all__ = ["RunResult", "run_scenario", "write_run", "atomic_outputs", "check_output_folder", "OutputError",
           "remove_stale_temporaries", "process_alive", "OUTPUT_FILES"]

OUTPUT_FILES = ("timeseries.parquet", "run.json", "phases.png")


@dataclass
class RunResult:
    """What one run produced."""

    scenario: Scenario
    model: RadicalisationModel
    timeseries: pd.DataFrame
    wall_seconds: float
    survey_fit_start: pd.DataFrame | None = None
    """With survey figures: each figure against the town at week 0 (see ``RadicalisationModel.survey_fit``)."""

    def survey_fit(self) -> pd.DataFrame | None:
        """With survey figures: each figure with the town's value at week 0 (``week_0``) and at the end (``final``)."""
        if self.survey_fit_start is None:
            return None
        start = self.survey_fit_start
        end = self.model.survey_fit()
        out = start[["neighbourhood", "name", "figure", "target"]].copy()
        out["week_0"] = start["model"].to_numpy()
        out["final"] = end["model"].to_numpy()
        out["se_week_0"] = start["se"].to_numpy()
        return out

    def summary(self) -> dict:
        """Final phase counts and shares, young sympathisers and action delays."""
        last = self.model.outcomes()
        n = self.scenario.parameters.n_residents
        delays = np.asarray(self.model.action_delays)
        out = {f"phase_{k}": int(last[f"phase_{k}"]) for k in range(4)}
        out |= {f"phase_{k}_share": out[f"phase_{k}"] / n for k in range(4)}
        out["young_sympathiser_share"] = float(last["young_sympathiser_share"])
        out["polarisation"] = float(last["polarisation"])
        out["moved_to_action"] = int(delays.size)
        out["steps_to_action_median"] = float(np.median(delays)) if delays.size else None
        return out


def run_scenario(scenario: Scenario, progress: Callable[[int, int], None] | None = None,
                 precision: str = "float64") -> RunResult:
    """Simulate ``scenario`` and return the model and its time series (one row per step, one step = one week).

    ``progress(done, total)`` is called after each step (for progress bars); ``precision`` is the model's
    (``"float32"`` for large towns).
    """
    t0 = time.perf_counter()
    m = RadicalisationModel.from_parameters(scenario.parameters, rng=scenario.seed,
                                            interventions=scenario.interventions, precision=precision)
    fit = m.survey_fit() if scenario.parameters.survey is not None else None
    for done in range(1, scenario.steps + 1):
        m.step()
        if progress is not None:
            progress(done, scenario.steps)
    return RunResult(scenario, m, m.timeseries(), time.perf_counter() - t0, fit)


def provenance(result: RunResult, inputs: list[str | Path] = ()) -> dict:
    """The ``run.json`` content: the run (scenario, parameters, interventions, summary) and its provenance
    (:func:`experiments.provenance.provenance_record`: version, git commit, command line, configuration hash,
    input file hashes, seed, environment)."""
    sc = result.scenario
    config = {"scenario": {"name": sc.name, "description": sc.description, "steps": sc.steps, "seed": sc.seed},
              "parameters": sc.parameters.model_dump(mode="json"),
              "interventions": [iv.model_dump(mode="json") for iv in sc.interventions],
              "engine": result.model.engine_name, "precision": result.model.precision}
    record = provenance_record(config, inputs, seeds=sc.seed)
    return {
        "radsim_version": record["radsim_version"],
        **config,
        "summary": result.summary(),
        **({"survey_fit": _records(result.survey_fit())} if result.survey_fit_start is not None else {}),
        "wall_seconds": round(result.wall_seconds, 3),
        "created_utc": record["created_utc"],
        "environment": record["environment"],
        "provenance": {k: v for k, v in record.items() if k not in ("radsim_version", "created_utc", "environment")},
    }


def _records(df: pd.DataFrame) -> list[dict]:
    """Rows as dicts for JSON, with None for missing values (JSON has no NaN)."""
    return [{k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in row.items()}
            for row in df.to_dict(orient="records")]


class OutputError(OSError):
    """An output folder cannot be created or written (one-line message naming the path)."""


def check_output_folder(out: str | Path) -> Path:
    """Check, before any work and without leaving anything behind, that ``out`` is or can become a writable folder.

    Creating a file is the only test that holds for every user (``os.access`` says yes to root even in ``/proc``),
    so a probe folder is made and removed in the nearest existing ancestor. Raises :class:`OutputError`.
    """
    out = Path(out).expanduser()
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out} exists and is not a folder")
    ancestor = out
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise OutputError(f"cannot create {out}: {ancestor} is not a folder")
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".radsim-probe-", dir=ancestor))
    except OSError as err:
        raise OutputError(f"cannot write in {ancestor} ({err.strerror or err}), so not in {out}") from None
    return out


TEMPORARY_OWNER = ".radsim-owner"
"""A file in each temporary output folder holding the process id that writes it."""


def remove_stale_temporaries(out: Path) -> list[Path]:
    """Remove the temporary folders that earlier runs into ``out`` left behind when they were killed.

    A temporary folder of ``out`` sits beside it, named ``.`` + ``out``'s name + ``.`` + a random suffix
    (from :func:`tempfile.mkdtemp`), with the writer's process id in :data:`TEMPORARY_OWNER`; it is stale when that process no longer runs (or it has no owner file).
    """
    removed = []
    for tmp in out.parent.glob(f".{out.name}.*"):
        if not tmp.is_dir():
            continue
        try:
            alive = process_alive(int((tmp / TEMPORARY_OWNER).read_text().strip()))
        except (OSError, ValueError):
            alive = False
        if not alive:
            shutil.rmtree(tmp, ignore_errors=True)
            removed.append(tmp)
    return removed


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` runs (other than this one: an id in a stale file may have been reused by us)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return pid != os.getpid()        # our own id in a stale folder: an earlier process that had it


@contextmanager
def atomic_outputs(out: str | Path) -> Iterator[Path]:
    """Yield a temporary folder next to ``out``; on success move its files into ``out``.

    A failure inside the block leaves ``out`` untouched, so no partial output remains. Temporary folders that a
    killed earlier run left beside ``out`` are removed first (:func:`remove_stale_temporaries`).
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(out)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        (tmp / TEMPORARY_OWNER).write_text(str(os.getpid()), encoding="utf-8")
        yield tmp
        out.mkdir(exist_ok=True)
        for path in sorted(tmp.iterdir()):
            if path.name != TEMPORARY_OWNER:
                path.replace(out / path.name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def write_run(result: RunResult, out: str | Path, inputs: list[str | Path] = ()) -> Path:
    """Write ``timeseries.parquet``, ``run.json`` and ``phases.png`` into ``out`` (all or nothing).

    ``inputs`` are the files the run was read from (the scenario file, a survey CSV); ``run.json`` holds their hashes.
    """
    with atomic_outputs(out) as tmp:
        result.timeseries.to_parquet(tmp / "timeseries.parquet", index=False)
        (tmp / "run.json").write_text(json.dumps(provenance(result, inputs), indent=2) + "\n", encoding="utf-8")
        sc = result.scenario
        plot_run(result.timeseries, tmp / "phases.png",
                 title=f"{sc.name}: {sc.parameters.n_residents:,} residents, seed {sc.seed}")
    return Path(out)
