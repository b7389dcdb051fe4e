"""Figures of a single run, and the one phase palette of radsim's figures and dashboard."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["plot_run", "use_agg", "PHASE_LABELS", "PHASE_COLOURS", "phase_rgb"]

PHASE_LABELS = ("0 none", "1 sensitivity", "2 group membership", "3 action")
PHASE_COLOURS = ("#c7d4e0", "#f2b134", "#e0662d", "#a4161a")
"""The colour of each phase 0-3 (blue grey, amber, orange, crimson) in every figure, notebook and the dashboard."""


def phase_rgb(phase: int) -> tuple[int, int, int]:
    """The colour of ``phase`` as an (r, g, b) triple of 0-255."""
    h = PHASE_COLOURS[phase]
    return int(h[1:3], 16), int(h[3:5], 16), int(h[5:7], 16)


def use_agg() -> None:
    """Draw off-screen (Agg) for files, except inside Jupyter, whose inline backend shows notebook plots."""
    if "ipykernel" not in sys.modules:
        import matplotlib

        matplotlib.use("Agg")


def plot_run(timeseries: pd.DataFrame, path: str | Path, title: str = "") -> Path:
    """Phases over time, the final pyramid, and the societal climate, in one PNG."""
    use_agg()
    import matplotlib.pyplot as plt

    n = int(timeseries.loc[0, ["phase_0", "phase_1", "phase_2", "phase_3"]].sum())
    fig, (ax_t, ax_p, ax_c) = plt.subplots(1, 3, figsize=(15, 4.6), gridspec_kw={"width_ratios": [1.4, 1, 1.2]})
    weeks = timeseries["step"]
    for k in (1, 2, 3):
        ax_t.plot(weeks, 100.0 * timeseries[f"phase_{k}"] / n, color=PHASE_COLOURS[k], label=PHASE_LABELS[k], lw=2)
    ax_t.set_yscale("symlog", linthresh=0.1)
    ax_t.set_xlabel("week")
    ax_t.set_ylabel("residents in phase (% of town, symlog)")
    ax_t.set_title("Phases over time")
    ax_t.legend(frameon=False)
    ax_t.grid(alpha=0.3)

    last = timeseries.iloc[-1]
    counts = [int(last[f"phase_{k}"]) for k in range(4)]
    for k, c in enumerate(counts):
        width = max(c, 0.5)
        ax_p.barh(k, width, color=PHASE_COLOURS[k], height=0.8)
        ax_p.text(max(c, 1) * 1.1, k, f"{c:,} ({100.0 * c / n:.2f}%)", va="center", fontsize=9)
    ax_p.set_xscale("log")
    ax_p.set_xlim(0.8, n * 20)
    ax_p.set_yticks(range(4), PHASE_LABELS)
    ax_p.set_xlabel("residents (log scale)")
    ax_p.set_title(f"The pyramid at week {int(last['step'])}")

    for col, label, colour in [("mean_prejudice_majority", "prejudice (majority)", "#6a4c93"),
                               ("mean_trust", "institutional trust", "#1982c4"),
                               ("mean_discrimination_minority", "perceived discrimination (minorities)", "#8ac926"),
                               ("polarisation", "polarisation index", "#444444")]:
        ax_c.plot(weeks, timeseries[col], label=label, color=colour, lw=1.8)
    if "threat" in timeseries and timeseries["threat"].max() > 0:
        ax_c.fill_between(weeks, 0, timeseries["threat"], color="#ff595e", alpha=0.2, label="threat after an attack")
    ax_c.set_ylim(0, 1)
    ax_c.set_xlabel("week")
    ax_c.set_ylabel("mean (0-1)")
    ax_c.set_title("Societal climate")
    ax_c.legend(frameon=False, fontsize=8, loc="upper right")
    ax_c.grid(alpha=0.3)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
