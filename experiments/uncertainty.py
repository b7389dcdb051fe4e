"""Policy answers with their uncertainty: ``radsim compare SCENARIO --uncertainty N``.

A comparison (:mod:`experiments.compare`) answers "what does this arm change?" for one set of parameter values, with
a confidence interval over seeds only. The strengths of the interventions and the model's free psychological
parameters are assumptions, though. This module draws ``N`` **parameter sets** from priors (``experiments/priors.toml``,
:func:`load_priors`) and, if given, from a calibration's posterior (:func:`load_posterior`), runs every arm on
each set over the same replications, and reports how often each arm beats the baseline, and each arm every other.

**Draws.** Parameter set ``s`` is drawn from its own numpy Generator, ``default_rng(SeedSequence([seed, STREAM,
s]))`` with the scenario's ``seed``: the sets are reproducible, do not depend on the number of workers, and set
``s`` is the same whatever ``N`` (a run with ``N = 40`` extends one with ``N = 20``). Every entry of the priors is
drawn in the file's order (the posterior's first), whether or not the scenario uses it, so the stream is the same
for every scenario; what a set changes is recorded in ``parameter_sets.csv``:

* a coefficient of an intervention (``interventions.TYPE.NAME``) is one value per type and set, used by every arm
  with that type (the strength of a mechanism is one unknown of the world, not a property of an arm);
* ``interventions.TYPE.intensity`` is implementation fidelity: the scenario's intensity times the draw (in 0..1);
* a model parameter (``parameters.NAME``) replaces the default, unless the scenario sets the parameter itself
  (its file names it, or its value differs from the default): the scenario describes its town.

**Common random numbers.** Replication ``k`` runs with ``replication_seed(seed, k)`` in every arm *and every
parameter set*, as :func:`experiments.compare.compare_arms` does. So the arms of a set differ only by their
interventions, and two sets only by their parameter values.

**Probabilities.** For an outcome with a direction (:data:`BETTER`: counts of residents in a phase, entries,
prejudice, polarisation and pushers are better lower; trust and bridge builders higher), arm A *beats* B in
parameter set ``s`` if the replication mean of the paired differences, ``d_s = mean_k (A_sk - B_sk)``, lies on the
better side of 0. An exact tie (``d_s == 0``, e.g. an arm identical to the baseline, or a count that no run
changes) counts one half. The probability that A beats B is the share of parameter sets in which it does::

    P(A beats B) = (wins + ties / 2) / N

with a 95% Wilson score interval (Wilson 1927) for ``N`` sets. It answers: over what the priors (and posterior)
allow, how likely is it that the arm does better on average over these towns? It is not a p-value, and with few
replications per set ``d_s`` is itself noisy (which pulls the probability towards 0.5). ``p_better_runs`` is the
same share over every (set, replication) pair: how often the arm does better in one town. An arm that cannot work
(intensity 0) ties in every set: exactly 0.5.

**Means and intervals.** For each arm the mean over all runs, the 95% t-interval of the mean of the sets' means,
and the spread of the sets' means (2.5% and 97.5% quantiles): how much the answer moves with the assumptions. The
same for the paired differences.
"""

from __future__ import annotations

import json
import math
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field, ValidationError, model_validator

from model.errors import STRICT, bounds, one_line_error, range_words
from model.interventions import INTERVENTION_TYPES, Intervention
from model.parameters import Parameters

from . import compare as _compare
from .compare import HEADLINE, _run_one, worker_count
from .provenance import provenance_json
from .runner import atomic_outputs
from .scenario import Scenario
from .seeds import replication_seed
from .stats import is_count, mean_ci

__all__ = ["Prior", "Priors", "PriorsError", "Posterior", "load_priors", "load_posterior", "draw_sets",
           "apply_set", "UncertaintyResult", "run_uncertainty", "write_uncertainty", "wilson", "BETTER",
           "DEFAULT_PRIORS", "STREAM", "OUTPUT_FILES", "fixed_parameters"]

DEFAULT_PRIORS = Path(__file__).with_name("priors.toml")
STREAM = 15
"""The second word of every parameter set's seed sequence (issue 15), so its draws never coincide with a run's."""
OUTPUT_FILES = ("uncertainty.md", "uncertainty.csv", "parameter_sets.csv", "uncertainty_runs.csv", "provenance.json")

BETTER: dict[str, Literal["lower", "higher"]] = {
    "phase_1": "lower", "phase_2": "lower", "phase_3": "lower", "entered_phase_2": "lower",
    "entered_phase_3": "lower", "mean_prejudice": "lower", "mean_trust": "higher", "polarisation": "lower",
    "phase_1_grievance": "lower", "phase_1_anti_minority": "lower", "entered_phase_2_grievance": "lower",
    "entered_phase_2_anti_minority": "lower", "role_pusher": "lower", "role_bridge_builder": "higher",
    "mean_trust_silent_middle": "higher",
}
"""Which side of an outcome is better. The headline outcomes (:data:`experiments.compare.HEADLINE`) but the size
of the silent middle (neither) and cost (a price, not an effect: its mean difference is reported)."""


class PriorsError(ValueError):
    """A priors or posterior file is missing, malformed or invalid (one-line message naming the key)."""


# --- priors ----------------------------------------------------------------------------------------------------------

class Prior(BaseModel):
    """The prior of one quantity: uniform on ``low..high``, or triangular with ``mode``; with its source."""

    model_config = STRICT

    distribution: Literal["uniform", "triangular"] = "uniform"
    low: float = Field(allow_inf_nan=False)
    high: float = Field(allow_inf_nan=False)
    mode: float | None = Field(None, allow_inf_nan=False)
    source: str = Field(min_length=1, description='the publication, or "no estimate; wide range"')
    mapping: str = Field(min_length=1, description="one line from the published effect to the coefficient")
    placeholder: bool = False

    @model_validator(mode="after")
    def _shape(self) -> "Prior":
        if self.high < self.low:
            raise ValueError(f"high: {self.high} is below low = {self.low}; give low <= high")
        if self.distribution == "triangular":
            if self.mode is None:
                raise ValueError("mode: a triangular prior needs a mode between low and high")
            if not self.low <= self.mode <= self.high:
                raise ValueError(f"mode: {self.mode} is outside low..high; allowed range {self.low} to {self.high}")
        elif self.mode is not None:
            raise ValueError('mode: only a triangular prior has a mode (distribution = "triangular")')
        return self

    def draw(self, rng: np.random.Generator) -> float:
        if self.high == self.low:
            return float(self.low)
        if self.distribution == "triangular":
            return float(rng.triangular(self.low, self.mode, self.high))
        return float(rng.uniform(self.low, self.high))

    def text(self) -> str:
        if self.distribution == "triangular":
            return f"triangular {self.low:g} to {self.high:g}, mode {self.mode:g}"
        return f"uniform {self.low:g} to {self.high:g}"


class Priors(BaseModel):
    """A validated priors file: ``[interventions.TYPE.NAME]`` and ``[parameters.NAME]`` tables of :class:`Prior`."""

    model_config = STRICT

    interventions: dict[str, dict[str, Prior]] = Field(default_factory=dict)
    parameters: dict[str, Prior] = Field(default_factory=dict)

    def entries(self) -> dict[str, Prior]:
        """Every prior by its key (``interventions.TYPE.NAME``, ``parameters.NAME``), in the file's order."""
        out = {f"interventions.{kind}.{name}": p for kind, table in self.interventions.items()
               for name, p in table.items()}
        out.update({f"parameters.{name}": p for name, p in self.parameters.items()})
        return out


def _range_of(model: type[BaseModel], name: str) -> dict:
    return bounds(model.model_fields[name].metadata)


def _check_range(key: str, prior: Prior, b: dict) -> None:
    lo, hi = b.get("ge", -math.inf), b.get("le", math.inf)
    for end in ("low", "high"):
        value = getattr(prior, end)
        if not lo <= value <= hi:
            raise ValueError(f"{key}.{end}: {value} is out of range; {range_words(b)}")


def _float_parameter(name: str) -> bool:
    field = Parameters.model_fields.get(name)
    return field is not None and field.annotation is float


def check_priors(priors: Priors) -> None:
    """Every key names a coefficient (or intensity) of a known intervention, or a numeric model parameter, and every
    range lies within the allowed range of its field. Raises ValueError naming the key."""
    for kind, table in priors.interventions.items():
        cls = INTERVENTION_TYPES.get(kind)
        if cls is None:
            raise ValueError(f"interventions.{kind}: unknown intervention; one of {', '.join(INTERVENTION_TYPES)}")
        coefficients = [n for n, f in cls.model_fields.items()
                        if isinstance(f.json_schema_extra, dict) and f.json_schema_extra.get("coefficient")]
        for name, prior in table.items():
            key = f"interventions.{kind}.{name}"
            if name == "intensity":
                _check_range(key, prior, {"ge": 0.0, "le": 1.0})     # a fidelity multiplier
            elif name in coefficients:
                _check_range(key, prior, _range_of(cls, name))
            else:
                raise ValueError(f"{key}: not a coefficient of {kind}; one of "
                                 f"{', '.join(['intensity', *coefficients])}")
    for name, prior in priors.parameters.items():
        if not _float_parameter(name):
            raise ValueError(f"parameters.{name}: not a numeric model parameter (`radsim params` lists them)")
        _check_range(f"parameters.{name}", prior, _range_of(Parameters, name))


def load_priors(path: str | Path = DEFAULT_PRIORS) -> Priors:
    """Read and validate a priors TOML file. Raises :class:`PriorsError` with one line naming the key, e.g.
    ``priors.toml: interventions.key_figures.care.high: 1.5 is out of range; allowed range 0.0 to 1.0``."""
    path = Path(path)
    if not path.is_file():
        raise PriorsError(f"priors file not found: {path}")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise PriorsError(f"{path}: malformed TOML: {err}") from None
    except UnicodeDecodeError:
        raise PriorsError(f"{path}: not a UTF-8 text file") from None
    try:
        priors = Priors.model_validate(raw)
        check_priors(priors)
    except ValidationError as err:
        raise PriorsError(f"{path}: {one_line_error(err, schema=Priors)}") from None
    except ValueError as err:
        raise PriorsError(f"{path}: {err}") from None
    return priors


# --- posterior -------------------------------------------------------------------------------------------------------

@dataclass
class Posterior:
    """A calibration's posterior: accepted draws with weights (``posterior.csv``, kept jointly) or a summary per
    parameter (``fitted.csv``: a normal with the posterior mean and sd, truncated to the prior's range)."""

    path: Path
    kind: Literal["samples", "summary"]
    table: pd.DataFrame

    @property
    def names(self) -> list[str]:
        if self.kind == "summary":
            return list(self.table["parameter"])
        return [c for c in self.table.columns if c not in ("weight", "prior_point")]

    def draw(self, rng: np.random.Generator) -> dict[str, float]:
        if self.kind == "samples":
            w = self.table["weight"].to_numpy(dtype=float)
            row = self.table.iloc[int(rng.choice(len(w), p=w / w.sum()))]
            return {f"parameters.{n}": float(row[n]) for n in self.names}
        from scipy.stats import truncnorm

        out = {}
        for r in self.table.itertuples():
            u = rng.random()
            if r.sd == 0 or r.prior_low == r.prior_high:
                value = float(np.clip(r.mean, r.prior_low, r.prior_high))
            else:
                a, b = (r.prior_low - r.mean) / r.sd, (r.prior_high - r.mean) / r.sd
                value = float(truncnorm.ppf(u, a, b, loc=r.mean, scale=r.sd))
            out[f"parameters.{r.parameter}"] = value
        return out


def _posterior_error(path: Path, message: str) -> PriorsError:
    return PriorsError(f"{path}: {message}")


def load_posterior(path: str | Path) -> Posterior:
    """Read a posterior written by ``radsim calibrate``: ``fitted.csv`` (columns parameter, mean, sd, prior_low,
    prior_high) or ``posterior.csv`` (one column per parameter and ``weight``). Raises :class:`PriorsError` with one
    line naming the column or parameter and its allowed range."""
    path = Path(path)
    if not path.is_file():
        raise PriorsError(f"posterior file not found: {path}")
    try:
        table = pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        raise _posterior_error(path, f"not a CSV file ({str(err).splitlines()[0] if str(err) else 'empty'})") from None
    if {"parameter", "mean", "sd"} <= set(table.columns):
        kind = "summary"
        for column in ("prior_low", "prior_high"):
            if column not in table.columns:
                raise _posterior_error(path, f"column {column} missing (radsim calibrate's fitted.csv has it)")
        names = list(table["parameter"].astype(str))
        table = table.assign(parameter=names)
    elif "weight" in table.columns:
        kind = "samples"
        names = [c for c in table.columns if c not in ("weight", "prior_point")]
    else:
        raise _posterior_error(path, "expected radsim calibrate's fitted.csv (columns parameter, mean, sd, prior_low, "
                                     "prior_high) or posterior.csv (one column per parameter and weight)")
    if not names:
        raise _posterior_error(path, "no parameter in the posterior")
    for name in names:
        if not _float_parameter(name):
            raise _posterior_error(path, f"parameter {name}: not a numeric model parameter (`radsim params` lists them)")
    if len(set(names)) != len(names):
        raise _posterior_error(path, "a parameter appears twice")
    if kind == "summary":
        for r in table.itertuples():
            b = _range_of(Parameters, r.parameter)
            lo, hi = b.get("ge", -math.inf), b.get("le", math.inf)
            for column in ("mean", "prior_low", "prior_high"):
                value = getattr(r, column)
                if not isinstance(value, (int, float)) or not math.isfinite(value) or not lo <= value <= hi:
                    raise _posterior_error(path, f"{r.parameter}.{column}: {value} is out of range; {range_words(b)}")
            if not isinstance(r.sd, (int, float)) or not math.isfinite(r.sd) or r.sd < 0:
                raise _posterior_error(path, f"{r.parameter}.sd: {r.sd} is out of range; at least 0")
            if r.prior_high < r.prior_low:
                raise _posterior_error(path, f"{r.parameter}.prior_high: {r.prior_high} is below prior_low "
                                             f"{r.prior_low}")
    else:
        w = pd.to_numeric(table["weight"], errors="coerce")
        if w.isna().any() or (w < 0).any() or not w.sum() > 0:
            raise _posterior_error(path, "weight: every weight must be a number of at least 0, and not all 0")
        for name in names:
            b = _range_of(Parameters, name)
            lo, hi = b.get("ge", -math.inf), b.get("le", math.inf)
            values = pd.to_numeric(table[name], errors="coerce")
            bad = values[values.isna() | (values < lo) | (values > hi)]
            if len(bad):
                raise _posterior_error(path, f"{name}: {table[name][bad.index[0]]} is out of range; {range_words(b)}")
        table = table.assign(weight=w.astype(float))
    return Posterior(path, kind, table)


# --- parameter sets --------------------------------------------------------------------------------------------------

def fixed_parameters(scenario: Scenario, given: set[str] | frozenset[str] = frozenset()) -> set[str]:
    """The model parameters a scenario sets itself: those in ``given`` (the keys of its file's ``[parameters]``
    table) and those whose value differs from the default. Priors and posterior leave them alone."""
    defaults = Parameters()
    p = scenario.parameters
    return set(given) | {n for n in Parameters.model_fields if getattr(p, n) != getattr(defaults, n)}


def draw_sets(seed: int, n: int, priors: Priors, posterior: Posterior | None = None) -> list[dict[str, float]]:
    """``n`` parameter sets: set ``s`` from ``default_rng(SeedSequence([seed, STREAM, s]))``, the posterior first,
    then every prior in the file's order (a posterior's parameter is not drawn again from its prior)."""
    entries = priors.entries()
    sets = []
    for s in range(n):
        rng = np.random.default_rng(np.random.SeedSequence([seed, STREAM, s]))
        values = posterior.draw(rng) if posterior is not None else {}
        for key, prior in entries.items():
            value = prior.draw(rng)          # drawn even if the posterior has the key: the stream stays the same
            values.setdefault(key, value)
        sets.append(values)
    return sets


def apply_set(scenario: Scenario, values: dict[str, float], fixed: set[str]) -> tuple[Scenario, dict[str, float]]:
    """The scenario with one parameter set applied, and the values it actually changed (by key)."""
    used: dict[str, float] = {}
    updates = {}
    for key, value in values.items():
        parts = key.split(".")
        if parts[0] == "parameters" and parts[1] not in fixed:
            updates[parts[1]] = value
            used[key] = value
    params = scenario.parameters.model_copy(update=updates)
    kinds = {iv.type for iv in scenario.interventions}
    interventions: list[Intervention] = []
    for iv in scenario.interventions:
        change = {}
        for key, value in values.items():
            parts = key.split(".")
            if parts[0] == "interventions" and parts[1] == iv.type:
                change[parts[2]] = iv.intensity * value if parts[2] == "intensity" else value
        interventions.append(iv.model_copy(update=change, deep=True))
    used.update({k: v for k, v in values.items() if k.startswith("interventions.") and k.split(".")[1] in kinds})
    return scenario.model_copy(update={"parameters": params, "interventions": interventions}), used


# --- running ---------------------------------------------------------------------------------------------------------

def _run_set(task: tuple) -> tuple:
    """One arm of one replication in parameter set ``s``: ``(s, arm, rep, outcomes, seconds)``."""
    s, scenario, arm, interventions, rep = task
    arm, rep, outcome, _, seconds = _run_one((scenario, arm, interventions, rep))
    return s, arm, rep, outcome, seconds


def wilson(successes: float, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """The Wilson score interval of a proportion ``successes / n`` (ties counted as halves may make it fractional)."""
    if n == 0:
        return math.nan, math.nan
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    low = 0.0 if successes == 0 else max(0.0, centre - half)      # exact at the ends, not 1 - 1e-16
    return low, (1.0 if successes == n else min(1.0, centre + half))


@dataclass
class UncertaintyResult:
    """The outcomes of every (parameter set, arm, replication) and the parameter sets themselves."""

    scenario: Scenario
    runs: pd.DataFrame           # one row per (set, arm, replication)
    sets: pd.DataFrame           # one row per set: the values it changed
    priors: Priors
    posterior: Posterior | None = None
    run_info: dict = field(default_factory=dict, compare=False)
    _table: pd.DataFrame | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def arms(self) -> list[str]:
        return list(dict.fromkeys(self.runs["arm"]))

    @property
    def n_sets(self) -> int:
        return int(self.runs["set"].nunique())

    @property
    def replications(self) -> int:
        return int(self.runs["replication"].nunique())

    def contrasts(self) -> list[tuple[str, str]]:
        """(arm, versus): every arm against the baseline, then every pair of arms in their order."""
        others = self.arms[1:]
        return [(a, "baseline") for a in others] + [(a, b) for i, a in enumerate(others) for b in others[i + 1:]]

    def outcomes(self) -> list[str]:
        """The outcomes reported: those with a direction, then cost."""
        return [o for o in [*BETTER, "cost"] if o in self.runs.columns]

    def table(self) -> pd.DataFrame:
        """One row per (contrast, outcome): the probability that the arm beats ``versus`` with its Wilson interval,
        wins, ties and losses over sets, the share over runs, the mean paired difference (with the 95% t-interval
        over sets and the 2.5%/97.5% quantiles over sets), and both sides' means (the same, per arm)."""
        if self._table is None:
            self._table = self._compute()
        return self._table

    def _values(self, arm: str, outcome: str) -> np.ndarray:
        """``(sets, replications)`` array of one arm's outcome."""
        df = self.runs[self.runs.arm == arm].sort_values(["set", "replication"])
        return df[outcome].to_numpy(dtype=float).reshape(self.n_sets, self.replications)

    def _compute(self) -> pd.DataFrame:
        rows = []
        for arm, versus in self.contrasts():
            for outcome in self.outcomes():
                a, b = self._values(arm, outcome), self._values(versus, outcome)
                runs = a - b
                d = runs.mean(axis=1)                    # the replication mean of the paired differences, per set
                better = BETTER.get(outcome, "")
                row = {"arm": arm, "versus": versus, "outcome": outcome, "better": better,
                       "sets": self.n_sets, "replications": self.replications}
                if better:
                    sign = -1.0 if better == "lower" else 1.0
                    wins, ties = int((sign * d > 0).sum()), int((d == 0).sum())
                    p = (wins + 0.5 * ties) / len(d)
                    lo, hi = wilson(wins + 0.5 * ties, len(d))
                    run_p = float(((sign * runs > 0).sum() + 0.5 * (runs == 0).sum()) / runs.size)
                    row.update(p_better=p, p_low=lo, p_high=hi, wins=wins, ties=ties, losses=len(d) - wins - ties,
                               p_better_runs=run_p)
                else:
                    row.update(p_better=math.nan, p_low=math.nan, p_high=math.nan, wins=0, ties=0, losses=0,
                               p_better_runs=math.nan)
                mean, low, high = mean_ci(d)
                row.update(difference=float(runs.mean()), difference_ci_low=low, difference_ci_high=high,
                           difference_q025=float(np.quantile(d, 0.025)), difference_q975=float(np.quantile(d, 0.975)))
                for side, x in (("arm", a), ("versus", b)):
                    m = x.mean(axis=1)
                    _, lo_m, hi_m = mean_ci(m)
                    row.update({f"{side}_mean": float(x.mean()), f"{side}_ci_low": lo_m, f"{side}_ci_high": hi_m,
                                f"{side}_q025": float(np.quantile(m, 0.025)),
                                f"{side}_q975": float(np.quantile(m, 0.975))})
                rows.append(row)
        return pd.DataFrame(rows)

    # --- reports ---------------------------------------------------------------------------------------------------

    def probability_cells(self) -> tuple[list[str], list[tuple[str, str, list[str]]]]:
        """Column titles (one per contrast) and rows ``(outcome label, better side, cells)`` of the probability
        table; a cell is ``P [Wilson 95%]``."""
        t = self.table()
        titles = [f"{a} vs {b}" for a, b in self.contrasts()]
        rows = []
        for outcome in self.outcomes():
            if not BETTER.get(outcome):
                continue
            cells = []
            for arm, versus in self.contrasts():
                r = t[(t.arm == arm) & (t.versus == versus) & (t.outcome == outcome)].iloc[0]
                cells.append(f"{r.p_better:.2f} [{r.p_low:.2f}, {r.p_high:.2f}]")
            rows.append((HEADLINE.get(outcome, outcome), BETTER[outcome], cells))
        return titles, rows

    def markdown(self) -> str:
        sc = self.scenario
        t = self.table()
        titles, prob_rows = self.probability_cells()
        lines = [f"# {sc.name}: policy answers with their uncertainty", "",
                 f"{sc.description}", "",
                 f"{sc.parameters.n_residents:,} residents, {sc.steps} steps (weeks), {self.n_sets} parameter sets "
                 f"drawn from the priors{' and the posterior' if self.posterior else ''}, {self.replications} "
                 f"replications per set and arm (seeds derived from seed {sc.seed}, the same in every arm and set: "
                 "common random numbers).", "",
                 "## Probability that the arm beats the other [95% Wilson interval]", "",
                 "Share of parameter sets in which the replication mean of the paired differences (arm minus the "
                 "other) is on the better side of 0; an exact tie counts one half.", "",
                 "| outcome | better | " + " | ".join(titles) + " |", "|---|---|" + "---|" * len(titles)]
        lines += [f"| {label} | {better} | " + " | ".join(cells) + " |" for label, better, cells in prob_rows]
        lines += ["", "## Mean paired difference [95% CI over sets] (spread over sets: 2.5% to 97.5%)", "",
                  "| outcome | " + " | ".join(titles) + " |", "|---|" + "---|" * len(titles)]
        for outcome in self.outcomes():
            cells = []
            c = is_count(self.runs[outcome])
            for arm, versus in self.contrasts():
                r = t[(t.arm == arm) & (t.versus == versus) & (t.outcome == outcome)].iloc[0]
                cells.append(f"{_num(r.difference, True, c)} [{_num(r.difference_ci_low, True, c)}, "
                             f"{_num(r.difference_ci_high, True, c)}] ({_num(r.difference_q025, True, c)} to "
                             f"{_num(r.difference_q975, True, c)})")
            lines.append(f"| {HEADLINE.get(outcome, outcome)} | " + " | ".join(cells) + " |")
        lines += ["", "## Mean per arm [95% CI over sets] (spread over sets: 2.5% to 97.5%)", "",
                  "| outcome | " + " | ".join(self.arms) + " |", "|---|" + "---|" * len(self.arms)]
        means = {}
        for arm, versus in self.contrasts():
            for side, name in (("arm", arm), ("versus", versus)):
                for r in t[(t.arm == arm) & (t.versus == versus)].itertuples():
                    means.setdefault((name, r.outcome), (getattr(r, f"{side}_mean"), getattr(r, f"{side}_ci_low"),
                                                         getattr(r, f"{side}_ci_high"), getattr(r, f"{side}_q025"),
                                                         getattr(r, f"{side}_q975")))
        for outcome in self.outcomes():
            cells = []
            c = is_count(self.runs[outcome])
            for arm in self.arms:
                m, lo, hi, q1, q2 = means[(arm, outcome)]
                cells.append(f"{_num(m, count=c)} [{_num(lo, count=c)}, {_num(hi, count=c)}] "
                             f"({_num(q1, count=c)} to {_num(q2, count=c)})")
            lines.append(f"| {HEADLINE.get(outcome, outcome)} | " + " | ".join(cells) + " |")
        lines += ["", "## What the parameter sets vary", "",
                  "| key | prior | source | placeholder |", "|---|---|---|---|"]
        entries = self.priors.entries()
        for key in self.sets.columns:
            if key == "set":
                continue
            if key in entries and not (self.posterior and key.removeprefix("parameters.") in self.posterior.names):
                p = entries[key]
                lines.append(f"| `{key}` | {p.text()} | {p.source} | {'yes' if p.placeholder else ''} |")
            else:
                lines.append(f"| `{key}` | posterior ({self.posterior.path.name}) | radsim calibrate | |")
        lines += ["", self.method_text()]
        return "\n".join(lines)

    def method_text(self) -> str:
        return ("How to read it: P near 1 means the arm does better than the other under nearly every assumption the "
                "priors allow; near 0, worse; near 0.5, the assumptions (or the noise of few replications) decide. "
                "An arm identical to the other ties in every set and gets exactly 0.5. Outcomes better lower: "
                "residents in each phase, entries, prejudice, polarisation, pushers; better higher: trust, bridge "
                "builders, the silent middle's trust. Parameter set s is drawn from numpy's "
                f"default_rng(SeedSequence([{self.scenario.seed}, {STREAM}, s])); intensity priors are implementation "
                "fidelity (a multiplier of the scenario's intensity); a parameter the scenario sets keeps its value. "
                "parameter_sets.csv has every set's values, uncertainty_runs.csv every run's outcomes, "
                "uncertainty.csv every contrast (docs/uncertainty.md explains the columns).")


def _num(value: float, sign: bool = False, count: bool = False) -> str:
    """One decimal for counts of residents and large values, three for means and shares."""
    if isinstance(value, float) and math.isnan(value):
        return "n/a"
    fmt = "{:+,.1f}" if sign else "{:,.1f}"
    if not count and abs(value) < 10:
        fmt = "{:+.3f}" if sign else "{:.3f}"
    return fmt.format(value)


def run_uncertainty(scenario: Scenario, n_sets: int, replications: int = 3, priors: Priors | None = None,
                    posterior: Posterior | None = None, workers: int | None = None,
                    progress: Callable[[int, int], None] | None = None, warmup: int | None = None,
                    fixed: set[str] | None = None) -> UncertaintyResult:
    """Run every arm of ``scenario`` on ``n_sets`` parameter sets for ``replications`` seeds each.

    ``workers`` processes (default: CPU count) run the ``n_sets * arms * replications`` runs; results do not depend
    on it. ``warmup``: each set's replications warm up once and fork every arm (as ``compare --warmup``), set by set.
    ``fixed``: model parameters the draws leave alone (default :func:`fixed_parameters`).
    """
    if n_sets < 1:
        raise ValueError(f"--uncertainty {n_sets}: out of range; at least 1")
    priors = load_priors() if priors is None else priors
    fixed = fixed_parameters(scenario) if fixed is None else fixed
    started = time.perf_counter()
    arms = scenario.arms()
    drawn = draw_sets(scenario.seed, n_sets, priors, posterior)
    applied = [apply_set(scenario, values, fixed) for values in drawn]
    total = n_sets * (len(arms) * replications + (0 if warmup is None else replications))
    if warmup is None:
        tasks = [(s, sc, arm, ivs, rep) for s, (sc, _) in enumerate(applied) for rep in range(replications)
                 for arm, ivs in sc.arms().items()]
        results, _ = _compare._run_tasks(tasks, workers, progress, runner=_run_set)
    else:
        _compare.check_warmup(scenario, warmup)
        results = []
        for s, (sc, _) in enumerate(applied):
            offset = s * (len(arms) * replications + replications)
            done, _ = _compare._run_forked(sc, sc.arms(), replications, warmup, workers,
                                           (lambda d, t, o=offset: progress(o + d, total)) if progress else None)
            results += [(s, arm, rep, outcome, secs) for arm, rep, outcome, _, secs in done]
    position = {a: i for i, a in enumerate(arms)}
    results.sort(key=lambda r: (r[0], position[r[1]], r[2]))
    runs = pd.DataFrame([{"set": s, "arm": arm, "replication": rep, "seed": replication_seed(scenario.seed, rep),
                          **out} for s, arm, rep, out, _ in results])
    sets = pd.DataFrame([{"set": s, **used} for s, (_, used) in enumerate(applied)])
    info = {"workers": worker_count(workers, len(results)), "warmup_weeks": warmup,
            "wall_seconds": round(time.perf_counter() - started, 3),
            "compute_seconds": round(sum(r[4] for r in results), 3)}
    return UncertaintyResult(scenario, runs, sets, priors, posterior, run_info=info)


def write_uncertainty(result: UncertaintyResult, out: str | Path, inputs: list[str | Path] = ()) -> Path:
    """Write the :data:`OUTPUT_FILES` into ``out`` (all or nothing); ``inputs`` are the files read (scenario,
    priors, posterior)."""
    sc = result.scenario
    config = {"scenario": sc.model_dump(mode="json"), "replications": result.replications,
              "uncertainty": result.n_sets, "seed_scheme": f"default_rng(SeedSequence([seed, {STREAM}, set]))",
              "posterior": str(result.posterior.path) if result.posterior else None}
    record = provenance_json(config, inputs, seeds=sorted(set(result.runs.seed.tolist())))
    record = json.dumps({**json.loads(record), "run": result.run_info}, indent=2, default=str) + "\n"
    with atomic_outputs(out) as tmp:
        (tmp / "provenance.json").write_text(record, encoding="utf-8")
        result.table().to_csv(tmp / "uncertainty.csv", index=False)
        result.sets.to_csv(tmp / "parameter_sets.csv", index=False)
        result.runs.to_csv(tmp / "uncertainty_runs.csv", index=False)
        (tmp / "uncertainty.md").write_text(result.markdown() + "\n", encoding="utf-8")
    return Path(out)
