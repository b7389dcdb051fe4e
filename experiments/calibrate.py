"""Calibration: fit free parameters to target prevalences by approximate Bayesian computation.

``radsim calibrate CALIBRATION.toml --out DIR`` (in Python :func:`run_calibration`) draws parameter values from a
uniform prior (a Latin hypercube, through the sweep machinery, so it runs on a
local or remote Dask cluster and resumes after a crash), simulates each, and
keeps the draws whose summary statistics lie closest to the targets: rejection
ABC (Pritchard et al. 1999, Mol. Biol. Evol. 16:1791). The accepted draws are
then corrected by a local-linear regression of the parameters on the summaries
(Beaumont, Zhang & Balding 2002, Genetics 162:2025), which removes most of the
error from accepting draws that are close but not equal. The posterior mean,
standard deviation and 95% credible interval of each parameter are the result::

    [calibration]
    name = "trust and discrimination"
    samples = 400            # draws from the prior
    accept = 0.1             # share of draws kept (the closest)
    seed = 5
    steps = 260              # one step is one week
    adjust = true            # Beaumont's regression adjustment

    [targets]                # outcome = observed value (any sweep outcome)
    phase_1 = 190
    mean_trust = 0.66

    [free]                   # uniform priors
    societal_discrimination = { low = 0.1, high = 0.5 }

    [constants]
    n_residents = 2000

Distances use each summary divided by its spread over the prior draws (median
absolute deviation), so summaries on different scales count alike.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field, model_validator

from model.errors import STRICT
from model.parameters import Parameters

from .provenance import provenance_json
from .runner import atomic_outputs
from .sweep import OUTCOMES, Factor, SweepSpec, check_factors, check_tied, load_spec, run_sweep

__all__ = ["CalibrationSpec", "load_calibration", "run_calibration", "abc_posterior", "write_calibration",
           "SHARE_OUTCOMES", "COUNT_OUTCOMES"]

SHARE_OUTCOMES: tuple[str, ...] = tuple(o for o in OUTCOMES if o.startswith("mean_") or o.endswith("_share")
                                        or o in ("polarisation", "threat", "societal_discrimination"))
"""Outcomes that are shares or means of state variables, in [0, 1]."""

COUNT_OUTCOMES: tuple[str, ...] = ("phase_0", "phase_1", "phase_2", "phase_3", "removed", "members_grievance",
                                   "members_anti_minority")
"""Outcomes that count residents, so at most the number of residents."""


class CalibrationSpec(BaseModel):
    """A validated calibration: targets, free parameters with uniform priors, constants and ABC settings."""

    model_config = STRICT

    name: str = "calibration"
    samples: int = Field(400, ge=10, le=1_000_000, description="draws from the prior")
    accept: float = Field(0.1, gt=0.0, le=1.0, description="share of draws accepted")
    replications: int = Field(1, ge=1, le=1000)
    seed: int = Field(1, ge=0, le=2**63 - 1)
    steps: int = Field(260, ge=1, le=100_000)
    batch_size: int = Field(4, ge=1, le=10_000)
    adjust: bool = True
    average_weeks: int = Field(0, ge=0, le=100_000, description="summaries are means over the last weeks "
                               "(0: the last week)")
    targets: dict[str, Annotated[float, Field(allow_inf_nan=False)]] = Field(default_factory=dict)
    free: dict[str, Factor] = Field(default_factory=dict)
    constants: dict[str, Any] = Field(default_factory=dict)
    tied: dict[str, str] = Field(default_factory=dict, description="parameter = the free parameter whose value "
                                 "it takes")

    @model_validator(mode="after")
    def _check(self) -> "CalibrationSpec":
        if not self.targets:
            raise ValueError("targets: give at least one target outcome")
        for name, value in self.targets.items():
            if name not in OUTCOMES:
                raise ValueError(f"targets.{name}: unknown outcome; one of {', '.join(OUTCOMES)}")
            if value < 0:
                raise ValueError(f"targets.{name}: {value} is below 0; an outcome is never negative")
            if name in SHARE_OUTCOMES and value > 1:
                raise ValueError(f"targets.{name}: {value} is above 1; {name} is a share or mean in [0, 1]")
        if not self.free:
            raise ValueError("free: give at least one free parameter with { low, high }")
        for name, f in self.free.items():
            if not f.continuous:
                raise ValueError(f"free.{name}: give a range {{ low, high }} (a uniform prior), not values")
        check_factors({"free": self.free}, self.constants)
        check_tied(self.tied, self.free, self.constants)
        if self.average_weeks > self.steps:
            raise ValueError(f"average_weeks: {self.average_weeks} is more than the run's {self.steps} steps; "
                             f"give 0 to {self.steps}")
        residents = (self.free["n_residents"].high if "n_residents" in self.free
                     else Parameters.from_table(self.constants).n_residents)
        for name in COUNT_OUTCOMES:
            if self.targets.get(name, 0) > residents:
                raise ValueError(f"targets.{name}: {self.targets[name]} is more than the town's {residents:g} "
                                 "residents")
        if int(self.samples * self.accept) < 2:
            raise ValueError(f"accept: {self.accept} of {self.samples} samples keeps fewer than 2 draws")
        return self

    def sweep(self) -> SweepSpec:
        """The prior draws as a Latin-hypercube sweep."""
        return SweepSpec(name=self.name, design="lhs", samples=self.samples, replications=self.replications,
                         seed=self.seed, steps=self.steps, batch_size=self.batch_size,
                         outcomes=list(self.targets), uncertainties=self.free, constants=self.constants,
                         average_weeks=self.average_weeks, tied=self.tied)


def load_calibration(path: str | Path) -> CalibrationSpec:
    """Read and validate a calibration TOML file; raises :class:`SweepError` with a one-line message."""
    return load_spec(path, "calibration", ("targets", "free", "constants", "tied"), CalibrationSpec)


def abc_posterior(theta: np.ndarray, summaries: np.ndarray, observed: np.ndarray, accept: float,
                  adjust: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rejection ABC with optional local-linear regression adjustment.

    Args:
        theta: prior draws, one row per draw, one column per parameter.
        summaries: simulated summary statistics, one row per draw.
        observed: the target summaries.
        accept: share of draws to keep, the closest in scaled Euclidean distance.
        adjust: apply Beaumont et al.'s (2002) regression adjustment with Epanechnikov weights.

    Returns:
        ``(samples, weights, accepted_index)``: the accepted (adjusted) draws, their
        weights (summing to 1) and their row numbers in ``theta``.
    """
    mad = np.median(np.abs(summaries - np.median(summaries, axis=0)), axis=0) * 1.4826
    scale = np.where(mad > 0, mad, summaries.std(axis=0))
    scale = np.where(scale > 0, scale, 1.0)
    dist = np.sqrt((((summaries - observed) / scale) ** 2).sum(axis=1))
    k = max(2, int(round(accept * len(theta))))
    idx = np.argsort(dist, kind="stable")[:k]
    h = dist[idx].max() or 1.0
    w = 1.0 - (dist[idx] / h) ** 2 if adjust else np.ones(k)
    w = np.where(w > 0, w, 1e-12)
    samples = theta[idx].astype(float)
    if adjust and k > summaries.shape[1] + 1:
        X = np.column_stack([np.ones(k), (summaries[idx] - observed) / scale])
        sw = np.sqrt(w)[:, None]
        beta, *_ = np.linalg.lstsq(X * sw, samples * sw, rcond=None)
        samples = samples - X[:, 1:] @ beta[1:]
    return samples, w / w.sum(), idx


def _weighted_quantile(x: np.ndarray, w: np.ndarray, q: float) -> float:
    order = np.argsort(x)
    cw = np.cumsum(w[order])
    return float(np.interp(q, (cw - 0.5 * w[order]) / cw[-1], x[order]))


def run_calibration(spec: CalibrationSpec, out: str | Path, workers: int = 2, scheduler: str | None = None,
              progress: Callable[[int, int], None] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run the prior draws (resumable, in ``out/prior``) and return ``(summary, posterior samples)``.

    The summary has one row per free parameter: posterior mean, sd and 95% credible
    interval, with the prior range; the samples are the accepted, adjusted draws.
    Free parameters stay inside their prior range after the adjustment (clipped).
    """
    sweep = spec.sweep()
    results = run_sweep(sweep, Path(out) / "prior", workers=workers, scheduler=scheduler, progress=progress)
    per_point = results.groupby("point")[[*spec.free, *spec.targets]].mean().sort_index()
    theta = per_point[list(spec.free)].to_numpy(dtype=float)
    summaries = per_point[list(spec.targets)].to_numpy(dtype=float)
    observed = np.array([spec.targets[t] for t in spec.targets], dtype=float)
    samples, w, idx = abc_posterior(theta, summaries, observed, spec.accept, spec.adjust)
    rows = []
    for j, (name, prior) in enumerate(spec.free.items()):
        x = np.clip(samples[:, j], prior.low, prior.high)
        samples[:, j] = x
        mean = float(np.sum(w * x))
        rows.append({"parameter": name, "mean": mean, "sd": float(np.sqrt(np.sum(w * (x - mean) ** 2))),
                     "ci_low": _weighted_quantile(x, w, 0.025), "ci_high": _weighted_quantile(x, w, 0.975),
                     "prior_low": prior.low, "prior_high": prior.high})
    posterior = pd.DataFrame(samples, columns=list(spec.free)).assign(weight=w, prior_point=per_point.index[idx])
    for j, target in enumerate(spec.targets):     # the accepted draws' own summaries: the fit
        posterior[f"simulated_{target}"] = summaries[idx, j]
    return pd.DataFrame(rows), posterior


def write_calibration(spec: CalibrationSpec, summary: pd.DataFrame, posterior: pd.DataFrame,
                      out: str | Path, inputs: list[str | Path] = ()) -> Path:
    """``calibration.md``, ``fitted.csv``, ``posterior.csv``, ``fit.csv`` (the accepted draws' summaries),
    ``posterior.png`` and ``provenance.json`` in ``out``;
    ``inputs`` are the files the calibration was read from (the prior draws in ``out/prior`` have their own
    provenance, that of a sweep)."""
    import matplotlib.pyplot as plt

    from .plots import use_agg

    use_agg()
    out = Path(out)
    seeds = {"base_seed": spec.seed, "scheme": "replication_seed(seed, run_id)"}
    with atomic_outputs(out) as tmp:
        (tmp / "provenance.json").write_text(provenance_json(spec.model_dump(mode="json"), inputs, seeds),
                                             encoding="utf-8")
        summary.to_csv(tmp / "fitted.csv", index=False)
        simulated = [c for c in posterior.columns if c.startswith("simulated_")]
        posterior.drop(columns=simulated).to_csv(tmp / "posterior.csv", index=False)
        if simulated:
            posterior[["prior_point", "weight", *simulated]].to_csv(tmp / "fit.csv", index=False)
        lines = [f"# {spec.name}: fitted parameters", "",
                 f"Rejection ABC{' with regression adjustment' if spec.adjust else ''}: {spec.samples} prior draws, "
                 f"{len(posterior)} accepted ({spec.accept:.0%}), {spec.steps} steps (weeks), "
                 f"targets: " + ", ".join(f"{k} = {v:g}" for k, v in spec.targets.items()) + ".", "",
                 "| parameter | posterior mean | sd | 95% credible interval | prior |", "|---|---|---|---|---|"]
        for r in summary.itertuples():
            lines.append(f"| `{r.parameter}` | {r.mean:.3f} | {r.sd:.3f} | {r.ci_low:.3f} to {r.ci_high:.3f} | "
                         f"uniform {r.prior_low:g} to {r.prior_high:g} |")
        lines += ["", "The fit: each target against the summaries of the accepted draws (weighted mean and the range "
                  "of 95% of the weight; one run per draw, so the range includes the noise of single runs).", "",
                  "| target | observed | accepted draws: mean | 95% range |", "|---|---|---|---|"]
        for target, value in spec.targets.items():
            column = f"simulated_{target}"
            if column in posterior:
                x, w = posterior[column].to_numpy(dtype=float), posterior["weight"].to_numpy(dtype=float)
                lines.append(f"| `{target}` | {value:g} | {np.sum(w * x) / np.sum(w):.4g} | "
                             f"{_weighted_quantile(x, w, 0.025):.4g} to {_weighted_quantile(x, w, 0.975):.4g} |")
        (tmp / "calibration.md").write_text("\n".join(lines) + "\n\n![posterior](posterior.png)\n", encoding="utf-8")
        fig, axes = plt.subplots(1, len(summary), figsize=(4 * len(summary), 3), squeeze=False)
        for ax, r in zip(axes[0], summary.itertuples()):
            ax.hist(posterior[r.parameter], bins=20, weights=posterior["weight"], range=(r.prior_low, r.prior_high),
                    color="#4c72b0", alpha=0.8, density=True, label="posterior")
            ax.axhline(1.0 / (r.prior_high - r.prior_low), color="grey", ls="--", lw=1, label="prior")
            ax.axvspan(r.ci_low, r.ci_high, color="#dd8452", alpha=0.15, label="95% interval")
            ax.set_xlabel(r.parameter)
        axes[0][0].set_ylabel("density")
        axes[0][0].legend(fontsize=7)
        fig.tight_layout()
        fig.savefig(tmp / "posterior.png", dpi=110)
        plt.close(fig)
    return out / "calibration.md"
