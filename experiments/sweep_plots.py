"""The usual views of a finished sweep: an outcome against each factor with bands, and two-factor heat maps."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from .stats import t_half_width
from .sweep import SweepError, read_results

__all__ = ["plot_sweep", "outcome_by_factor", "outcome_heatmap"]

MAX_LEVELS = 12     # a factor with at most this many distinct values is treated as discrete
BINS = 8


def _levels(x: pd.Series, bins: int) -> pd.Series:
    """Each run's level of a factor: its value if discrete, else the centre of its quantile bin."""
    if x.nunique() <= MAX_LEVELS:
        return x
    cut = pd.qcut(x, q=bins, duplicates="drop")
    return cut.map(lambda iv: iv.mid).astype(float)


def outcome_by_factor(results: pd.DataFrame, factor: str, outcome: str, bins: int = BINS) -> pd.DataFrame:
    """Mean of ``outcome`` per level of ``factor`` with a 95% confidence interval (t-interval) over runs.

    Continuous factors are cut into ``bins`` quantile bins, so the band also
    contains the variation from the other factors: it is the marginal effect.
    """
    df = pd.DataFrame({"level": _levels(results[factor], bins), "y": results[outcome].astype(float)})
    g = df.groupby("level")["y"].agg(["mean", "std", "count"]).reset_index()
    half = np.array([t_half_width(sd, n) for sd, n in zip(g["std"], g["count"])])
    half = np.nan_to_num(half)                       # a level with one run has no interval
    return g.assign(low=g["mean"] - half, high=g["mean"] + half).rename(columns={"count": "runs"})


def outcome_heatmap(results: pd.DataFrame, x: str, y: str, outcome: str, bins: int = 6) -> pd.DataFrame:
    """Mean of ``outcome`` over a grid of two factors (rows: levels of ``y``, columns: levels of ``x``)."""
    df = pd.DataFrame({"x": _levels(results[x], bins), "y": _levels(results[y], bins), "v": results[outcome]})
    return df.pivot_table(index="y", columns="x", values="v", aggfunc="mean").sort_index(ascending=False)


def recorded_spec(out: Path) -> dict:
    """The sweep file a sweep folder recorded (``sweep.json``); :class:`SweepError` if it is damaged."""
    path = out / "sweep.json"
    try:
        spec = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise SweepError(f"{path}: not a UTF-8 text file") from None
    except json.JSONDecodeError as err:
        raise SweepError(f"{path}: damaged ({err.msg}, line {err.lineno}); run `radsim sweep` into a new folder") from None
    if not isinstance(spec, dict) or not all(isinstance(spec.get(k), (dict, list)) for k in
                                             ("uncertainties", "levers", "outcomes")):
        raise SweepError(f"{path}: not a sweep record (uncertainties, levers and outcomes missing)")
    return spec


def plot_sweep(out: str | Path, outcomes: list[str] | None = None, x: str | None = None, y: str | None = None,
               dest: str | Path | None = None) -> list[Path]:
    """Draw the views of the sweep in ``out``; returns the PNG paths (in ``out/plots`` by default).

    One figure per outcome with a panel per factor (mean and 95% band), and, if the
    sweep has two or more factors, one heat map per outcome over ``x`` and ``y``
    (by default the first two factors).
    """
    import matplotlib.pyplot as plt

    from .plots import use_agg

    use_agg()

    out = Path(out)
    results = read_results(out)
    if results.empty:
        raise SweepError(f"{out}: no finished runs in {out / 'results.parquet'}")
    spec = recorded_spec(out)
    factors = list(spec["uncertainties"]) + list(spec["levers"])
    known = spec["outcomes"]
    outcomes = outcomes or known
    for name in outcomes:
        if name not in known:
            raise SweepError(f"--outcome: '{name}' was not recorded; one of {', '.join(known)}")
    for name in (x, y):
        if name is not None and name not in factors:
            raise SweepError(f"--x/--y: '{name}' is not a factor of this sweep; one of {', '.join(factors)}")
    dest = Path(dest) if dest else out / "plots"
    dest.mkdir(parents=True, exist_ok=True)
    paths = []
    for outcome in outcomes:
        fig, axes = plt.subplots(1, len(factors), figsize=(3.8 * len(factors), 3.2), squeeze=False)
        for ax, factor in zip(axes[0], factors):
            g = outcome_by_factor(results, factor, outcome)
            ax.scatter(results[factor], results[outcome], s=6, alpha=0.25, color="grey", label="runs")
            ax.fill_between(g["level"], g["low"], g["high"], alpha=0.3, color="#4c72b0", label="95% CI of mean")
            ax.plot(g["level"], g["mean"], "o-", color="#4c72b0", ms=3, label="mean")
            ax.set_xlabel(factor)
        axes[0][0].set_ylabel(outcome)
        axes[0][0].legend(fontsize=7)
        fig.suptitle(f"{spec['name']}: {outcome} against each factor ({len(results)} runs)", fontsize=10)
        fig.tight_layout()
        paths.append(dest / f"{outcome}.png")
        fig.savefig(paths[-1], dpi=110)
        plt.close(fig)
    if len(factors) >= 2:
        fx, fy = x or factors[0], y or next(f for f in factors if f != (x or factors[0]))
        for outcome in outcomes:
            h = outcome_heatmap(results, fx, fy, outcome)
            fig, ax = plt.subplots(figsize=(5.2, 4.2))
            im = ax.imshow(h.to_numpy(dtype=float), aspect="auto", cmap="viridis")
            ax.set_xticks(range(h.shape[1]), [f"{v:.3g}" for v in h.columns], rotation=45, fontsize=7)
            ax.set_yticks(range(h.shape[0]), [f"{v:.3g}" for v in h.index], fontsize=7)
            ax.set_xlabel(fx)
            ax.set_ylabel(fy)
            fig.colorbar(im, ax=ax, label=f"mean {outcome}")
            ax.set_title(f"{outcome} over {fx} and {fy}", fontsize=10)
            fig.tight_layout()
            paths.append(dest / f"heatmap_{outcome}.png")
            fig.savefig(paths[-1], dpi=110)
            plt.close(fig)
    return paths
