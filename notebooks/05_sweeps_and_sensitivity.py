# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 5. Sweeps and sensitivity: what drives the model, and what the model is evidence for
#
# The earlier notebooks changed one thing at a time. A model like radsim has dozens
# of parameters, and almost none of them has been measured. This notebook varies
# several at once: first in a small **sweep**, then in a **global sensitivity
# analysis** that tells you which of the main drivers explain most of what the
# model does. It ends with the question that matters most for a student: what is
# a model like this evidence *for*?
#
# **What you learn**
#
# - to define, run and read a parameter sweep (designs, replications, seeds);
# - to see interactions: when the effect of one factor depends on another;
# - what Sobol indices are, how to read S1 and ST and their confidence intervals;
# - the difference between "matters in the model" and "matters in the world".

# %% [markdown]
# ## Theory in brief
#
# **Why sweep?** A result that holds at one parameter setting may vanish at
# another. A *sweep* runs the model over a *design*: many combinations of
# parameter values, each with a few replications. Two kinds of factor are
# usually kept apart, in the vocabulary of exploratory modelling (Lempert,
# Popper and Bankes 2003; Kwakkel 2017):
#
# - *uncertainties*, which nobody controls (how much discrimination a society
#   produces);
# - *levers*, which a policymaker can set (how many clubs and associations a town
#   supports).
#
# **Global sensitivity analysis** asks how much of the variation in an outcome
# each factor explains when *all* factors vary over their plausible ranges
# (Saltelli et al. 2008). Sobol indices decompose the variance of the outcome
# (Sobol' 2001):
#
# - **S1**, the first-order index: the share of the variance that a factor
#   explains on its own;
# - **ST**, the total index: the share that it explains including all its
#   interactions with other factors.
#
# ST − S1 is the part that works through interactions. If ST is near zero, the
# factor hardly matters *in the model, over these ranges*. Morris screening (Morris
# 1991) is a cheaper way to rank factors.
#
# **Evidence.** A model that produces a pattern shows that its mechanisms are
# *sufficient* to produce it (Epstein 1999). It does not show that they are
# necessary, or that they are what happens in real towns. Models gain credibility
# when they reproduce several independent patterns at once (pattern-oriented
# modelling; Grimm et al. 2005). Section 4 returns to this.

# %%
import hashlib
import logging
from pathlib import Path

import matplotlib.pyplot as plt
from dask.distributed import LocalCluster
from IPython.display import Markdown

from experiments.examples import example_path
from experiments.sensitivity import plot_indices, run_sensitivity
from experiments.sweep import load_sweep, run_sweep

plt.rcParams.update({"figure.dpi": 100, "axes.grid": True, "grid.alpha": 0.3, "font.size": 11,
                     "axes.spines.top": False, "axes.spines.right": False})
logging.getLogger("distributed").setLevel(logging.ERROR)     # keep Dask's start-up and shut-down messages out
OUT = (Path("results") / "notebooks" / "05_sweeps").resolve()   # inside the folder you run the notebook in
FACTOR_NAMES = {"societal_discrimination": "societal discrimination",
                "institutional_fairness": "institutional fairness",
                "segregation": "segregation", "uncertainty_youth": "extra uncertainty of young people",
                "memberships_mean": "club memberships per resident", "recruiter_approaches": "recruiters' approaches"}
OUTCOME_NAMES = {"phase_1": "residents in sensitivity", "phase_2": "residents in group membership",
                 "entered_phase_2": "entries into group membership",
                 "young_sympathiser_share": "young sympathisers (share)",
                 "mean_trust": "mean institutional trust", "polarisation": "polarisation index"}


def named(column):
    """The plain name of a factor or outcome column (the column name with spaces if it has none)."""
    return FACTOR_NAMES.get(column, OUTCOME_NAMES.get(column, column.replace("_", " ")))


def folder_for(spec, name):
    """A results folder per sweep definition: rerunning the same sweep resumes it, a changed sweep starts afresh."""
    digest = hashlib.sha1(spec.model_dump_json().encode()).hexdigest()[:10]
    return OUT / f"{name}-{digest}"


# %% [markdown]
# ## Scale: small by default
#
# The sweeps below are cut down so that the notebook runs in about a minute on two
# cores, with two worker processes. Small sweeps give wide confidence intervals.
# Their results go to `results/notebooks/05_sweeps/` in the folder you run the
# notebook from.
#
# **To scale up**, set `SCALE = "large"`. You get the example files as they ship:
# 48 runs for the grid and 896 runs for the Sobol analysis, about 5 to 10 minutes
# on two cores. `WORKERS` sets the number of processes; on a bigger machine, raise
# it.

# %%
SCALE = "small"   # <- change to "large" to scale up
WORKERS = 2
SMALL = SCALE == "small"
print(f"scale: {SCALE}; results go to {OUT}")

# %% [markdown]
# The runs of a sweep are spread over worker processes by Dask. We start one local
# Dask cluster for the whole notebook and hand its address to every sweep. This is
# the same way you would use a cluster of many machines (README, "Sweeps").
# Without a `scheduler`, `run_sweep` starts and stops a local cluster of its own
# for each call.

# %%
cluster = LocalCluster(n_workers=WORKERS, threads_per_worker=1, processes=True, host="127.0.0.1",
                       dashboard_address=None)
SCHEDULER = cluster.scheduler_address
print(f"Dask scheduler at {SCHEDULER} with {WORKERS} worker processes")

# %% [markdown]
# ## 1. A small sweep: memberships against discrimination
#
# Notebook 1 showed that more societal discrimination gives more radicalisation.
# Social identity complexity (Roccas and Brewer 2002) says that several group
# memberships protect. Does the protection hold at every level of discrimination,
# or does it matter more in a tense town? This is a question about an
# *interaction*.
#
# The example sweep file `membership_grid.toml` crosses four levels of each factor
# (a full-factorial *grid*). It ships with radsim: `example_path` finds it from any
# folder, and `radsim examples` lists every example. In the small version each
# combination runs twice in a smaller town.

# %%
grid = load_sweep(example_path("membership_grid.toml"))
if SMALL:
    grid = grid.model_copy(update={"replications": 2, "steps": 156,
                                   "constants": {**grid.constants, "n_residents": 1_000}})
print(f"design: {grid.design}; factors: {', '.join(map(named, grid.factors))}; replications: {grid.replications}; "
      f"{grid.steps} steps (weeks); {grid.constants['n_residents']:,} residents; "
      f"outcomes: {', '.join(map(named, grid.outcomes))}")

# %% [markdown]
# `run_sweep` sends the runs to the cluster and returns one row per run. Every
# run's seed is derived from the sweep's seed and the run's id,
# so the results do not depend on the number of workers or on the order in which
# runs finish. Results are written to disk as they come in. If the notebook is
# interrupted, running the cell again continues where it stopped.

# %%
grid_results = run_sweep(grid, folder_for(grid, "grid"), scheduler=SCHEDULER)
print(f"{len(grid_results)} runs")
grid_results[["run_id", "seed", *grid.factors, *grid.outcomes]].rename(columns=named).head()

# %%
fig, axes = plt.subplots(1, 2, figsize=(13, 4.2))
colours = plt.get_cmap("viridis")
levels = sorted(grid_results.memberships_mean.unique())
for ax, outcome, label in ((axes[0], "young_sympathiser_share", "young people in sensitivity or further (share)"),
                           (axes[1], "entered_phase_2", "entries into group membership (residents)")):
    for i, level in enumerate(levels):
        colour = colours(i / max(1, len(levels) - 1))
        rows = grid_results[grid_results.memberships_mean == level]
        mean = rows.groupby("societal_discrimination")[outcome].mean()
        ax.plot(mean.index, mean.values, color=colour, marker="o", lw=2,
                label=f"club memberships per resident: {level:g} (mean)")
        ax.scatter(rows.societal_discrimination, rows[outcome], color=colour, s=12, alpha=0.5)
    ax.set_xlabel("societal discrimination (0-1)")
    ax.set_ylabel(label)
axes[0].legend(frameon=False, fontsize=9)
fig.suptitle(f"Grid sweep, step {grid.steps}: lines are means, dots are single runs ({grid.replications} per point)")
fig.tight_layout()
plt.show()

# %% [markdown]
# How to read it:
#
# - **Each line** is the response to discrimination at one level of memberships. A
#   steep line means the model reacts strongly to discrimination.
# - **The vertical distance between lines** is the protective effect of
#   memberships.
# - **If the lines fan out** as discrimination rises, the two factors interact:
#   memberships protect more in a tense town. If they run in parallel, the effects
#   simply add up.
#
# With few replications per point, single runs (the dots) scatter widely,
# especially for the rare entries into group membership. Scale up before you trust
# the details. In this sweep:

# %%
means = grid_results.groupby(["societal_discrimination", "memberships_mean"]).young_sympathiser_share.mean().unstack()
few, many = means.columns.min(), means.columns.max()
calm, tense = means.index.min(), means.index.max()
protection = means[many] - means[few]                  # the effect of memberships at each level of discrimination
points = 100 * protection                              # in percentage points
Markdown(f"Going from {few:g} to {many:g} club memberships per resident changes the share of young sympathisers by "
         f"{points[calm]:+.1f} percentage points at societal discrimination {calm:g} and by {points[tense]:+.1f} "
         f"at {tense:g}. Discrimination itself, from {calm:g} to {tense:g}, changes it by "
         f"{100 * (means.loc[tense, few] - means.loc[calm, few]):+.1f} points at {few:g} memberships. The lines "
         + ("fan out: memberships matter more in a tense town." if abs(protection[tense]) > 1.5 * abs(protection[calm])
            else "do not clearly fan out: in this sweep the two effects roughly add up."))

# %% [markdown]
# ## 2. Sobol indices of the main drivers
#
# `drivers_sobol.toml` varies five factors over ranges that are
# plausible but not measured. Four are uncertainties: societal discrimination,
# institutional fairness, segregation, and the extra uncertainty of young people.
# One is a lever: the mean number of club memberships.
#
# A Sobol design needs N·(k + 2) runs for k factors and N base samples.
# `run_sensitivity` runs the sweep (or resumes it), computes S1 and ST with
# bootstrap 95% confidence intervals, and returns them as a table.
#
# The small version keeps the three main drivers: societal discrimination,
# institutional fairness and club memberships. It uses N = 16 in a smaller town
# over three years, which is 80 runs. That is enough to see the method at work,
# but far too few for firm numbers. Scale up for all five factors with N = 128.

# %%
drivers = load_sweep(example_path("drivers_sobol.toml"))
if SMALL:                                              # the three main drivers only, in a smaller town
    main = ("societal_discrimination", "institutional_fairness")
    drivers = drivers.model_copy(update={
        "samples": 16, "steps": 156, "constants": {**drivers.constants, "n_residents": 1_000},
        "uncertainties": {name: f for name, f in drivers.uncertainties.items() if name in main}})
k = len(drivers.factors)
print(f"{k} factors, N = {drivers.samples}: {drivers.samples * (k + 2)} runs of {drivers.constants['n_residents']:,} "
      f"residents over {drivers.steps} steps (weeks)")
for name, factor in drivers.factors.items():
    kind = "lever" if name in drivers.levers else "uncertainty"
    print(f"  {named(name):<34} {factor.low:>5} to {factor.high:<5} ({kind})")

# %%
indices = run_sensitivity(drivers, folder_for(drivers, "drivers"), method="sobol", scheduler=SCHEDULER)
indices_named = indices.assign(factor=indices.factor.map(named), outcome=indices.outcome.map(named))
fig = plot_indices(indices_named, title=f"Sobol indices, N = {drivers.samples} (bars: 95% CIs)")
plt.show()

# %%
table = indices_named.pivot(index="factor", columns="outcome", values="ST").round(2)
table.style.background_gradient(cmap="Oranges", vmin=0, vmax=1).format("{:.2f}")


# %% [markdown]
# The table shows the total index ST of each factor (rows) for each outcome
# (columns). The factor with the largest ST for each outcome in this run:

# %%
def ranking(outcome):
    """The factors by ST for one outcome, largest first."""
    return indices_named[indices_named.outcome == outcome].sort_values("ST", ascending=False)


def leader(outcome):
    """The factor with the largest ST for ``outcome``, with its interval, in words."""
    first, second = ranking(outcome).iloc[0], ranking(outcome).iloc[1]
    apart = first.ST - first.ST_conf > second.ST + second.ST_conf
    return (f"*{first.factor}*, ST = {first.ST:.2f} (95% CI {first.ST - first.ST_conf:.2f} to "
            f"{first.ST + first.ST_conf:.2f}), " + ("clearly ahead of" if apart else "with an interval that overlaps")
            + f" *{second.factor}* ({second.ST:.2f} ± {second.ST_conf:.2f})")


widest = indices_named.ST_conf.max()
caveat = (f"\n\nThe widest interval is ±{widest:.2f}: with N = {drivers.samples} these are rough numbers; scale up "
          "before you rely on a ranking." if widest > 0.25 else "")
Markdown("\n".join(f"- **{outcome}**: {leader(outcome)}" for outcome in dict.fromkeys(indices_named.outcome)) + caveat)

# %% [markdown]
# How to read the indices:
#
# - A factor with a **large ST** is one whose assumed range drives much of the
#   variation in that outcome.
# - **ST well above S1** means that the factor works mostly in combination with
#   others. The sum of all S1 below 1 says the same for the model as a whole.
# - **Wide confidence intervals**, an S1 below zero, or sums of S1 or ST far above
#   1 (below) all mean that N is too small. The estimates are noisy; scale up.
# - The indices depend on the **ranges**. Double the range of a factor and its
#   index grows. The ranges here are choices, not measurements.

# %%
sums = indices_named.groupby("outcome")[["S1", "ST"]].sum().round(2)
sums.columns = ["sum of S1", "sum of ST"]
sums

# %% [markdown]
# ## 3. From the command line
#
# For real work you run the same analyses from a terminal, where they can run for
# hours and resume after an interruption:
#
# ```bash
# .venv/bin/radsim sweep membership_grid.toml --out results/grid --workers 2
# .venv/bin/radsim sensitivity drivers_sobol.toml --out results/drivers_sobol
# ```
#
# The second writes `indices.csv`, `indices.md` and `indices.png` into its folder,
# as `run_sensitivity` did here (look inside `OUT`).

# %%
sorted(p.name for p in folder_for(drivers, "drivers").iterdir())

# %% [markdown]
# ## 4. What the model is, and is not, evidence for
#
# **What the model can support:**
#
# - *Sufficiency.* The mechanisms in the rules (relative deprivation, uncertainty,
#   significance loss, social influence, a shield that turns around) are together
#   *sufficient* to produce a radicalisation pyramid, clustering of radicals, and a
#   right-skewed time from group membership to action. They do so with parameters
#   in plausible ranges.
# - *Consequences of assumptions.* If contact works mainly through common goals,
#   then ... (notebook 3). If a label feels like discrimination, then ... (notebook
#   4). The model works out the "then" consistently, for a whole town, over years.
# - *Priorities for research.* A sensitivity analysis shows which assumptions the
#   model's conclusions hang on. Those are the parameters worth measuring.
#
# **What it is not evidence for:**
#
# - *Numbers for real towns.* The defaults were calibrated by hand to a few
#   stylised facts (ODD §7.4), not estimated from data. A count of "12 residents in
#   group membership" is not a forecast.
# - *Effect sizes of real policies.* The magnitudes of the interventions are
#   modelling choices (ODD §7.5). Whether an inclusion policy works as strongly as
#   in notebook 4 is an empirical question that the model cannot answer.
# - *Which factor matters most in reality.* Sobol indices rank factors *within the
#   model and over the chosen ranges*. A high index for a factor says that the
#   model is built to respond to it strongly over that range (ODD §9), not that
#   the factor is the main cause of radicalisation.
# - *Individuals.* Synthetic residents are not people. The model must never be used
#   to score, rank or flag anyone.
#
# **How confidence could grow:** by testing the model against patterns it was not
# tuned to, such as the timing of entries after an attack or differences between
# neighbourhoods. Other ways are to calibrate it to measured figures (for example
# the KIS breeding-ground survey), and to compare it with models built on other
# assumptions (ODD §9 lists open questions).

# %% [markdown]
# ## Exercises
#
# **1. Morris screening.** Run the same drivers with
# `method="morris"`. It needs far fewer runs. Do the rankings by μ* agree with the
# rankings by ST?
#
# <details><summary>Hint</summary>
#
# `run_sensitivity(drivers, folder_for(drivers, "morris"), method="morris", scheduler=SCHEDULER)`.
# For Morris, `samples` is the number of trajectories *r*, and a run costs
# r·(k + 1) runs. σ large compared with μ* signals non-linearity or interaction.
# </details>
#
# **2. Is N large enough?** Run the Sobol analysis again with N = 32 and N = 64. Which
# conclusions stay the same (the ranking of the top factors?), and which change (the
# exact values, small indices)?
#
# <details><summary>Hint</summary>
#
# `drivers.model_copy(update={"samples": 64})`, then the same cell as above.
# Compare the `ST` columns of the tables, and the widths of their confidence
# intervals (`ST_conf`).
# </details>
#
# **3. A sixth factor.** Add `recruiter_approaches` (range 0.05 to 1.0) as an
# uncertainty. Recruitment is bounded by the recruiters' approaches (ODD E15).
# Does the factor take over the indices for entries into group membership?
#
# <details><summary>Hint</summary>
#
# Copy the file at `example_path("drivers_sobol.toml")` to a file of your own, add a line
# under `[uncertainties]`, and read it with `load_sweep`. More factors means more
# runs: N·(k + 2).
# </details>
#
# **4. Noise or signal?** With one replication per design point, part of the
# variance is chance (the seed). Estimate that part: run one design point with 10
# seeds and compare the variance between seeds with the variance over the whole
# Sobol sample.
#
# <details><summary>Hint</summary>
#
# Use `from model import RadicalisationModel` and the parameter values of one row
# of the sweep's results, with `rng=1` to `rng=10`. Compare `np.var` of the
# outcome across seeds with `np.var` over all runs of the sweep (`run_sweep`
# returns the table when called again on the same folder).
# </details>

# %%
sensitivity = ranking(OUTCOME_NAMES["phase_1"])
top = sensitivity.iloc[0]
share = "most of" if top.ST - top.ST_conf > 0.5 else ("about half of" if top.ST + top.ST_conf >= 0.5 else
                                                     "the largest share of")
Markdown(f"**5. Evidence.** Section 2 found, for the number of residents in sensitivity: {leader(top.outcome)}. "
         f"Write one paragraph that states what this supports: \"In radsim, over the ranges of this notebook, "
         f"{top.factor} explains {share} the variance in the number of residents in sensitivity "
         f"(ST = {top.ST:.2f}, S1 = {top.S1:.2f}).\" Which words of that sentence would change with other ranges, "
         "a larger N, or more factors (exercises 2 and 3)? And what would you need, beyond the model, to claim "
         "anything like it about a real city?\n\n"
         "<details><summary>Hint</summary>\n\nThink of measured figures for the inputs, patterns the model was "
         "not tuned to, competing models, and the ranges you chose. See `docs/ODD.md` §9, and Grimm et al. "
         "(2005).\n</details>")

# %% [markdown]
# ## Clean up
#
# Stop the Dask cluster when you are done, the exercises included.

# %%
cluster.close()

# %% [markdown]
# ## References
#
# - Epstein, J. M. (1999). Agent-based computational models and generative social science. *Complexity*, 4(5), 41–60.
# - Grimm, V., Revilla, E., Berger, U., et al. (2005). Pattern-oriented modeling of agent-based complex systems: lessons from ecology. *Science*, 310(5750), 987–991.
# - Kwakkel, J. H. (2017). The Exploratory Modeling Workbench: an open source toolkit for exploratory modeling, scenario discovery, and (multi-objective) robust decision making. *Environmental Modelling & Software*, 96, 239–250.
# - Lempert, R. J., Popper, S. W., & Bankes, S. C. (2003). *Shaping the Next One Hundred Years: New Methods for Quantitative, Long-Term Policy Analysis*. RAND.
# - Morris, M. D. (1991). Factorial sampling plans for preliminary computational experiments. *Technometrics*, 33(2), 161–174.
# - Roccas, S., & Brewer, M. B. (2002). Social identity complexity. *Personality and Social Psychology Review*, 6(2), 88–106.
# - Saltelli, A., Ratto, M., Andres, T., et al. (2008). *Global Sensitivity Analysis: The Primer*. Wiley.
# - Sobol', I. M. (2001). Global sensitivity indices for nonlinear mathematical models and their Monte Carlo estimates. *Mathematics and Computers in Simulation*, 55(1–3), 271–280.
