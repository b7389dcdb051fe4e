"""Global sensitivity analysis of sweep outcomes with SALib: Sobol and Morris indices.

The API follows SALib's: the problem is a plain dict, the design comes from
``SALib.sample`` (through :func:`experiments.sweep.design`), the model is
evaluated by :func:`experiments.sweep.run_sweep`, and the indices come from
``SALib.analyze``::

    spec = load_sweep(example_path("drivers_sobol.toml"))
    indices = run_sensitivity(spec, "results/drivers", method="sobol", workers=2)
    plot_indices(indices, "results/drivers/indices.png")

Sobol indices (Sobol' 2001; Saltelli et al. 2010, Comput. Phys. Commun.
181:259) decompose the variance of an outcome: S1 is the share explained by a
factor alone, ST the share it explains including all its interactions. Morris
elementary effects (Morris 1991, Technometrics 33:161; Campolongo et al. 2007)
screen factors cheaply: mu* is the mean absolute effect of a factor, sigma shows
non-linearity or interaction. Both come with bootstrap 95% confidence intervals.

Replications of a design point are averaged before the analysis, so the indices
describe the expected outcome; the noise of single runs otherwise inflates the
indices of every factor equally.

**A policy contrast.** A sweep with a ``[contrast]`` table (:class:`experiments.sweep.Contrast`) runs, for every
design point and replication, the baseline and the arm (the contrast's interventions) with the same seed (common
random numbers), and the outcome analysed is ``contrast_<outcome>`` = arm minus baseline: the indices say which
assumptions the intervention's effect rests on. Factors may then include the arm's strengths,
``interventions.TYPE.NAME`` (a coefficient) and ``interventions.TYPE.intensity`` (a multiplier of the arm's
intensity), named and applied as in :mod:`experiments.uncertainty`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from .provenance import provenance_json
from .runner import atomic_outputs
from .sweep import SweepError, SweepSpec, design, run_sweep, validated

__all__ = ["indices", "analyze", "sensitivity_spec", "run_sensitivity", "plot_indices", "write_indices",
           "indices_markdown", "contrast_note", "SOBOL_COLUMNS", "MORRIS_COLUMNS"]

Method = Literal["sobol", "morris"]
SOBOL_COLUMNS = ["outcome", "factor", "S1", "S1_conf", "ST", "ST_conf"]
MORRIS_COLUMNS = ["outcome", "factor", "mu_star", "mu_star_conf", "sigma", "mu"]


def indices(problem: dict, X: np.ndarray, outputs: Mapping[str, np.ndarray], method: Method,
            seed: int | None = None, num_levels: int = 4) -> pd.DataFrame:
    """Sensitivity indices of each output, one row per (outcome, factor).

    Args:
        problem: the SALib problem (``num_vars``, ``names``, ``bounds``).
        X: the design from ``SALib.sample.sobol.sample(..., calc_second_order=False)``
            or ``SALib.sample.morris.sample(..., num_levels)``, one row per point.
        outputs: outcome name -> one value per design point, in the order of ``X``.
        method: ``"sobol"`` (S1, ST with 95% CIs) or ``"morris"`` (mu*, its 95% CI, sigma).
        seed: seeds SALib's bootstrap, so the confidence intervals are reproducible.
    """
    from SALib.analyze import morris, sobol

    rows = []
    for name, y in outputs.items():
        y = np.asarray(y, dtype=float)
        if y.shape[0] != X.shape[0]:
            raise ValueError(f"{name}: {y.shape[0]} values for {X.shape[0]} design points")
        if method == "sobol":
            if np.var(y) == 0:      # SALib divides by the variance; a constant outcome has no sensitivity
                res = {k: np.zeros(problem["num_vars"]) for k in ("S1", "S1_conf", "ST", "ST_conf")}
            else:
                res = sobol.analyze(problem, y, calc_second_order=False, conf_level=0.95, seed=seed)
            cols = SOBOL_COLUMNS[2:]
        elif method == "morris":
            res = morris.analyze(problem, X, y, conf_level=0.95, num_levels=num_levels, seed=seed)
            cols = MORRIS_COLUMNS[2:]
        else:
            raise ValueError(f"method: '{method}' is not one of sobol, morris")
        for i, factor in enumerate(problem["names"]):
            rows.append({"outcome": name, "factor": factor, **{c: float(res[c][i]) for c in cols}})
    return pd.DataFrame(rows, columns=SOBOL_COLUMNS if method == "sobol" else MORRIS_COLUMNS)


def analyze(spec: SweepSpec, results: pd.DataFrame) -> pd.DataFrame:
    """The indices of every outcome of a finished Sobol or Morris sweep (with a contrast: of every
    ``contrast_<outcome>``, :attr:`experiments.sweep.SweepSpec.analysed_outcomes`).

    ``results`` is the sweep's results table (:func:`experiments.sweep.read_results`);
    replications of a point are averaged first.
    """
    if spec.design not in ("sobol", "morris"):
        raise SweepError(f"design: sensitivity needs a sobol or morris design, not {spec.design}")
    X = design(spec).to_numpy()
    if results.empty or results["point"].nunique() < len(X):
        have = 0 if results.empty else results["point"].nunique()
        raise SweepError(f"results: {have} of {len(X)} design points are finished; run the sweep to the end first")
    outcomes = spec.analysed_outcomes
    means = results.groupby("point")[outcomes].mean().sort_index()
    outputs = {o: means[o].to_numpy() for o in outcomes}
    return indices(spec.problem(), X, outputs, spec.design, seed=spec.seed)


def sensitivity_spec(spec: SweepSpec, method: Method | None = None, source: str = "sweep") -> SweepSpec:
    """The sweep to analyse: ``spec`` with its design replaced by ``method`` if given, validated again
    (Sobol and Morris need ranges). Raises :class:`SweepError`, naming ``source``, if the design is neither
    sobol nor morris."""
    if method is not None:
        spec = validated(SweepSpec, {**spec.model_dump(), "design": method}, source)
    if spec.design not in ("sobol", "morris"):
        raise SweepError(f"{source}: design: the sweep has design '{spec.design}'; sensitivity needs sobol or "
                         "morris: give --method sobol or --method morris (method= in Python)")
    return spec


def run_sensitivity(spec: SweepSpec, out: str | Path, method: Method | None = None, workers: int = 2,
                    scheduler: str | None = None, progress: Callable[[int, int], None] | None = None,
                    inputs: list[str | Path] = ()) -> pd.DataFrame:
    """Run (or resume) the sweep with a Sobol or Morris design and analyse it.

    ``method`` overrides the design of the sweep file (:func:`sensitivity_spec`).
    Writes ``indices.csv``, ``indices.md``, ``indices.png`` and ``indices_provenance.json`` next to
    ``results.parquet`` in ``out`` and returns the indices; ``inputs`` are the files the sweep was read from.
    """
    spec = sensitivity_spec(spec, method)
    results = run_sweep(spec, out, workers=workers, scheduler=scheduler, progress=progress)
    table = analyze(spec, results)
    record = provenance_json(spec.model_dump(mode="json"), inputs,
                             seeds={"base_seed": spec.seed, "scheme": "replication_seed(seed, run_id)",
                                    "salib_bootstrap_seed": spec.seed})
    title = f"{spec.name}: {spec.design} indices" + (" of a policy contrast" if spec.contrast is not None else "")
    write_indices(table, out, title=title, provenance=record, note=contrast_note(spec))
    return table


def contrast_note(spec: SweepSpec) -> str | None:
    """One line saying what a contrast outcome is (None for a sweep without a contrast)."""
    if spec.contrast is None:
        return None
    arm = ", ".join(dict.fromkeys(iv.label for iv in spec.contrast.interventions))
    names = ", ".join(f"`{o}`" for o in spec.analysed_outcomes)
    return (f"Each outcome ({names}) is the arm ({arm}) minus the baseline, run with the same seed at every design "
            "point and replication (common random numbers); replications are averaged.")


def write_indices(table: pd.DataFrame, out: str | Path, title: str = "sensitivity indices",
                  provenance: str | None = None, note: str | None = None) -> None:
    """``indices.csv``, ``indices.md`` (with 95% CIs, and the line ``note`` under the title) and the bar chart
    ``indices.png`` in ``out``, and the ``provenance`` text (:func:`experiments.provenance.provenance_json`) as
    ``indices_provenance.json`` (the sweep's own ``provenance.json`` records each invocation of the sweep)."""
    import matplotlib.pyplot as plt

    from .plots import use_agg

    use_agg()

    with atomic_outputs(out) as tmp:         # all or none
        if provenance is not None:
            (tmp / "indices_provenance.json").write_text(provenance, encoding="utf-8")
        table.to_csv(tmp / "indices.csv", index=False)
        lead = f"{note}\n\n" if note else ""
        (tmp / "indices.md").write_text(f"# {title}\n\n{lead}{indices_markdown(table)}\n", encoding="utf-8")
        fig = plot_indices(table, title=title)
        fig.savefig(tmp / "indices.png", dpi=120)
        plt.close(fig)


def indices_markdown(table: pd.DataFrame) -> str:
    """A Markdown table of the indices with their 95% confidence intervals."""
    sobol = "S1" in table.columns
    head = ("| outcome | factor | S1 (95% CI) | ST (95% CI) |" if sobol
            else "| outcome | factor | mu* (95% CI) | sigma |")
    lines = [head, "|---|---|---|---|"]
    for r in table.itertuples():
        if sobol:
            cells = [f"{r.S1:.3f} ± {r.S1_conf:.3f}", f"{r.ST:.3f} ± {r.ST_conf:.3f}"]
        else:
            cells = [f"{r.mu_star:.4g} ± {r.mu_star_conf:.3g}", f"{r.sigma:.4g}"]
        lines.append(f"| {r.outcome} | {r.factor} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def plot_indices(table: pd.DataFrame, path: str | Path | None = None, title: str = "sensitivity indices"):
    """Bar chart: one panel per outcome, bars per factor with 95% CI whiskers; returns the Figure."""
    import matplotlib.pyplot as plt

    outcomes = list(dict.fromkeys(table["outcome"]))
    sobol = "S1" in table.columns
    cols = min(3, len(outcomes))
    rows = -(-len(outcomes) // cols)
    labels = {f: f.removeprefix("interventions.") for f in table["factor"]}   # an arm's field: TYPE.NAME
    width = max(4.6, 2.4 + 0.075 * max(map(len, labels.values()), default=0))  # room for the longest label
    fig, axes = plt.subplots(rows, cols, figsize=(width * cols, 3.2 * rows), squeeze=False)
    for ax, outcome in zip(axes.flat, outcomes):
        t = table[table.outcome == outcome]
        y = np.arange(len(t))
        if sobol:
            ax.barh(y - 0.2, t.S1, 0.4, xerr=t.S1_conf, label="first order S1", color="#4c72b0", capsize=2)
            ax.barh(y + 0.2, t.ST, 0.4, xerr=t.ST_conf, label="total ST", color="#dd8452", capsize=2)
            ax.set_xlabel("share of variance")
            ax.axvline(0, color="grey", lw=0.5)
        else:
            ax.barh(y, t.mu_star, 0.6, xerr=t.mu_star_conf, label="mu* (mean |effect|)", color="#4c72b0", capsize=2)
            ax.plot(t.sigma, y, "o", color="#c44e52", label="sigma (interaction)")
            ax.set_xlabel(f"elementary effect on {outcome}")
        ax.set_yticks(y, [labels[f] for f in t.factor])
        ax.invert_yaxis()
        ax.set_title(outcome, fontsize=10)
    for ax in list(axes.flat)[len(outcomes):]:
        ax.set_visible(False)
    axes.flat[0].legend(fontsize=8, loc="lower right")
    fig.suptitle(title)
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=120)
    return fig
