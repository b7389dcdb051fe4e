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
# # 1. First run: a town, its residents and the radicalisation pyramid
#
# In this notebook you build a synthetic town, look at who lives in it and how its
# residents are tied to each other, and then let it run for ten years. At
# the end you will have drawn the **radicalisation pyramid** and the **phases over
# time**, and changed one thing about the town to see what follows.
#
# **What you learn**
#
# - what an agent-based model is, and what "a run" means;
# - the three phases of the radicalisation model of Doosje and colleagues;
# - how to build, run and read a `RadicalisationModel`;
# - why a pyramid emerges: many sympathisers, few members, very few in action.
#
# Every resident in this notebook is synthetic. radsim must never be used to score
# or flag real persons.

# %% [markdown]
# ## Theory in brief
#
# **The phase model.** Doosje, Loseman and Van den Bos (2013) describe
# radicalisation as a process in three phases. In the *sensitivity* phase a person
# becomes open to radical ideas, often after experiences of injustice, uncertainty
# about who they are, or a feeling of not counting. In the *group membership* phase
# the person joins a radical group, which offers a clear identity and status. In the
# *action* phase the person is willing to use violence for the cause. People can
# move back as well: most sympathisers never join, and members leave (Doosje et al.
# 2016).
#
# **The pyramid.** McCauley and Moskalenko (2017) stress that opinions and actions
# are two different things: the great majority of people with radical opinions never
# act. A population therefore looks like a pyramid: a broad base of sympathisers, a
# thin layer of members, and a very small tip of people ready to act.
#
# **Agent-based models.** An agent-based model describes individuals (agents) and
# the rules by which they change, and lets patterns at the level of the town emerge
# from many interactions (Epstein 1999). In radsim the agents are residents. Each
# week every resident looks at their ties (family, neighbours, school or work,
# clubs, religious community, online contacts) and at the climate in society, and
# updates their beliefs. Nobody programs the pyramid; it comes out of the rules. The
# rules are in `docs/ODD.md`, and notebook 2 reads them line by line.

# %% [markdown]
# ## Set-up
#
# The next cell imports what we need. `RadicalisationModel` is the simulator and
# `Phase` names the phases. In the model's tables a phase is a number (0 none,
# 1 sensitivity, 2 group membership, 3 action) and a background is a number
# (0 majority, 1 and 2 minorities); this notebook shows their names.

# %%
import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd
from IPython.display import Markdown

from experiments.plots import PHASE_COLOURS
from experiments.examples import example_path
from experiments import load_scenario
from model import Phase, RadicalisationModel

plt.rcParams.update({"figure.dpi": 100, "axes.grid": True, "grid.alpha": 0.3, "font.size": 11,
                     "axes.spines.top": False, "axes.spines.right": False})
PHASE_NAMES = {p: p.name.lower().replace("_", " ") for p in Phase}    # Phase.GROUP_MEMBERSHIP -> "group membership"
BACKGROUND_NAMES = {0: "majority", 1: "minority A", 2: "minority B"}
BACKGROUND_COLOURS = {0: "#8da0cb", 1: "#fc8d62", 2: "#66c2a5"}

# %% [markdown]
# ## Scale and place
#
# The model's defaults are fitted to the Netherlands as a whole: about 3 members of a
# radical group per 100,000 residents (docs/calibration.md). A town of 20,000 at the
# defaults would almost never have one. This notebook therefore studies a
# neighbourhood with a **high breeding ground**, the shipped scenario
# `high_breeding_ground.toml`: many minority residents, more discrimination, less
# trust, fewer clubs and more active recruiters (each figure is explained in the
# file). `TOWN` holds its parameters; `TOWN = {}` gives the national defaults.
#
# **To scale up**, set `SCALE = "large"` and run all cells again. You get 100,000
# residents over ten years (the runs take about five times as long).

# %%
SCALE = "default"   # <- change to "large" to scale up
SEED = 1            # the only source of randomness: the same seed gives the same town and the same run
N_RESIDENTS, WEEKS = {"default": (20_000, 520), "large": (100_000, 520)}[SCALE]
BREEDING_GROUND = load_scenario(example_path("high_breeding_ground.toml"))
TOWN = BREEDING_GROUND.given_parameters()          # its figures, without its size
print(f"{N_RESIDENTS:,} residents, {WEEKS} weeks ({WEEKS / 52:.0f} years), seed {SEED}; the breeding ground:", TOWN)

# %% [markdown]
# ## 1. Build a town
#
# Creating a model builds a synthetic town: households of Dutch sizes, one or more
# neighbourhoods, schools and workplaces, clubs, religious communities and an
# online layer. Residents have a majority background or one of two minority
# backgrounds. Nothing happens yet: the clock is at week 0. The mix of backgrounds
# in each neighbourhood is drawn at random, so another seed gives a slightly
# different town.

# %%
m = RadicalisationModel(n_residents=N_RESIDENTS, rng=SEED, **TOWN)
town = m.town.to_networkx()          # a networkx MultiGraph: one edge per tie and layer
people = pd.DataFrame.from_dict(dict(town.nodes(data=True)), orient="index")
people["background"] = people["background"].map(BACKGROUND_NAMES)
print(f"{town.number_of_nodes():,} residents in {people['household'].nunique():,} households "
      f"and {people['neighbourhood'].nunique()} neighbourhood(s)")
people.groupby("background").agg(residents=("age", "size"), mean_age=("age", "mean")).round(1)

# %% [markdown]
# The age structure follows from the households: couples, children, single adults.
# Young people aged 12 to 27 (shaded) are the group in which radicalisation is most
# common, in the model as in the studies it draws on.

# %%
fig, ax = plt.subplots(figsize=(8, 3.5))
bins = np.arange(0, 95, 5)
ax.hist([people.loc[people.background == b, "age"] for b in BACKGROUND_NAMES.values()], bins=bins,
        stacked=True, label=list(BACKGROUND_NAMES.values()), color=list(BACKGROUND_COLOURS.values()))
ax.axvspan(12, 27, color="grey", alpha=0.15, label="young (12-27)")
ax.set_xlabel("age (years)")
ax.set_ylabel("residents")
ax.set_title("Who lives in the town")
ax.legend(frameon=False)
plt.show()

# %% [markdown]
# ### The network
#
# Residents are tied in six *layers*. A pair can be tied in several layers (two
# classmates who also play football together), and each layer has its own tie
# strength: a family tie counts for more than a neighbour. People tend to form ties
# with people like themselves (homophily; McPherson, Smith-Lovin and Cook 2001),
# so most ties stay within one background. The `segregation` parameter sets how
# strongly.

# %%
background_of = nx.get_node_attributes(town, "background")
ties = pd.DataFrame([(d["layer"].replace("_", " or "), background_of[u] != background_of[v])   # "school or work"
                     for u, v, d in town.edges(data=True)],
                    columns=["layer", "cross_background"])
layers = ties.groupby("layer").agg(ties=("cross_background", "size"),
                                   cross_background_share=("cross_background", "mean"))
print(f"{len(ties):,} ties; {ties.cross_background.mean():.1%} join residents of different backgrounds")
layers = layers.rename(columns={"cross_background_share": "share across backgrounds"})
layers.sort_values("ties", ascending=False).round(3)

# %%
contacts = pd.Series(dict(nx.Graph(town).degree()))     # distinct contacts per resident, all layers together
fig, ax = plt.subplots(figsize=(8, 3.5))
ax.hist(contacts, bins=np.arange(0, contacts.max() + 2) - 0.5, color="#8da0cb")
ax.set_xlabel("contacts per resident (all layers)")
ax.set_ylabel("residents")
ax.set_title(f"Contacts: mean {contacts.mean():.1f}, most {contacts.max()}")
plt.show()

# %% [markdown]
# Here is the neighbourhood of one young resident of minority A: everyone
# within two steps. Node colour is background, the large node is our resident.
# Look for the clusters (households, classes, clubs) and for the few ties that cross
# backgrounds.

# %%
young_a = people[(people.background == "minority A") & people.age.between(15, 20)].index
ego = int(young_a[0])
local = nx.ego_graph(nx.Graph(town), ego, radius=2)
pos = nx.spring_layout(local, seed=1, k=0.25)      # the layout is only for drawing; seeded so it looks the same
fig, ax = plt.subplots(figsize=(8, 7))
nx.draw_networkx_edges(local, pos, ax=ax, alpha=0.15)
nx.draw_networkx_nodes(local, pos, ax=ax, node_size=[160 if n == ego else 25 for n in local],
                       node_color=[BACKGROUND_COLOURS[background_of[n]] for n in local])
for b, name in BACKGROUND_NAMES.items():
    ax.scatter([], [], color=BACKGROUND_COLOURS[b], label=name)
ax.legend(frameon=False, loc="lower left")
ax.set_title(f"Two steps around resident {ego} ({len(local)} residents)")
ax.set_axis_off()
plt.show()

# %% [markdown]
# ## 2. Run the town
#
# `run_for(weeks)` advances the clock; one step is one week. `timeseries()` returns
# a pandas table with one row per week: how many residents are in each phase, and
# the mean of the main variables (prejudice, trust, perceived discrimination, ...).
#
# The town starts from a simple initial state, so the first weeks are a warm-up
# (a *burn-in*) in which the phases fill up. Read the levels after it. The table
# shows one row a year.

# %%
m.run_for(WEEKS)
ts = m.timeseries()
PHASE_COLUMNS = {f"phase_{int(p)}": name for p, name in PHASE_NAMES.items()}   # "phase_2" -> "group membership"
yearly = ts[["step", *PHASE_COLUMNS, "mean_trust", "polarisation"]].iloc[::52]
yearly.rename(columns={"step": "week", **PHASE_COLUMNS, "mean_trust": "mean trust"}).set_index("week")

# %%
last_year = ts[ts.step > WEEKS - 52]


def settled_week(column, share=0.9):
    """The first week in which ``column`` reaches ``share`` of its mean over the last year."""
    return int(ts.step[ts[column] >= share * last_year[column].mean()].iloc[0])


Markdown(f"In this run, *sensitivity* reaches 90% of its level of the last year in week "
         f"{settled_week('phase_1')}. "
         f"Over the last year, on average {last_year.phase_1.mean():,.0f} residents are in sensitivity, "
         f"{last_year.phase_2.mean():,.1f} in group membership and {last_year.phase_3.mean():,.1f} in action.")

# %%
fig, axes = plt.subplots(3, 1, figsize=(9, 7), sharex=True)
for ax, k in zip(axes, (1, 2, 3)):
    ax.plot(ts.step, ts[f"phase_{k}"], color=PHASE_COLOURS[k], lw=2)
    ax.set_ylabel("residents")
    ax.set_title(PHASE_NAMES[Phase(k)], loc="left", fontsize=11)
axes[-1].set_xlabel("week")
fig.suptitle("Phases over time (note the different scales)")
fig.tight_layout()
plt.show()

# %% [markdown]
# ### The pyramid
#
# `phase_counts()` gives the number of residents in each phase now. The bars use a
# logarithmic scale: each grid line is ten times the one before. On a normal scale
# the tip of the pyramid would be invisible.

# %%
counts = m.phase_counts()
fig, ax = plt.subplots(figsize=(8, 3.2))
for phase, count in counts.items():
    ax.barh(int(phase), max(count, 0.5), color=PHASE_COLOURS[phase], height=0.8)
    ax.text(max(count, 1) * 1.15, int(phase), f"{count:,} ({count / N_RESIDENTS:.2%})", va="center")
ax.set_xscale("log")
ax.set_xlim(0.8, N_RESIDENTS * 30)
ax.set_yticks(range(4), [PHASE_NAMES[p] for p in Phase])
ax.set_xlabel("residents (log scale)")
ax.set_title(f"The radicalisation pyramid at week {m.week}")
plt.show()

# %%
base, middle, tip = (counts[p] for p in (Phase.SENSITIVITY, Phase.GROUP_MEMBERSHIP, Phase.ACTION))
if base > middle > tip > 0:
    shape = (f"Each layer is smaller than the one below it: for every resident in action there are "
             f"{middle / tip:.1f} in group membership and {base / tip:,.0f} in sensitivity. That is a pyramid.")
elif tip == 0:
    shape = ("The action phase is empty at this week, so the pyramid has no tip here. Rerun with "
             "`SCALE = \"large\"` or another seed.")
else:
    shape = ("The layers do not shrink from the base to the tip in this run, so this is not a pyramid. "
             "Look at the counts over the last year above: a single week of a rare phase is mostly chance.")
Markdown(f"At week {m.week}, {base:,} residents ({base / N_RESIDENTS:.1%}) are in sensitivity, "
         f"{middle:,} ({middle / N_RESIDENTS:.2%}) in group membership and {tip:,} "
         f"({tip / N_RESIDENTS:.2%}) in action. {shape}")

# %% [markdown]
# Surveys put the share of young people who sympathise with radical views or
# justify political violence at roughly 5 to 15% (see ODD §1). The model's
# defaults were chosen to land in that band (shaded). Does this run?

# %%
fig, ax = plt.subplots(figsize=(8, 3.2))
ax.axhspan(0.05, 0.15, color="grey", alpha=0.15, label="survey range 5-15%")
ax.plot(ts.step, ts.young_sympathiser_share, color=PHASE_COLOURS[1], lw=2,
        label="young people in sensitivity or further")
ax.set_xlabel("week")
ax.set_ylabel("share of young people (12-27)")
ax.set_ylim(0, 0.3)
ax.legend(frameon=False)
plt.show()
young = ts.young_sympathiser_share[ts.step >= 52].mean()
where = "inside" if 0.05 <= young <= 0.15 else ("below" if young < 0.05 else "above")
Markdown(f"After the first year, on average {young:.1%} of young people are in sensitivity or further: "
         f"{where} the survey range.")

# %% [markdown]
# ### The societal climate
#
# The phases rest on slower variables. All of them lie between 0 and 1.
#
# - **Prejudice (majority)** is the majority's prejudice towards minorities.
# - **Perceived discrimination (minorities)** is what minority residents feel they
#   and their group experience.
# - **Institutional trust** is trust in the police, the municipality and schools.
# - **Polarisation** is the spread on an "us against them" axis.

# %%
climate = {"mean_prejudice_majority": "prejudice (majority)",
           "mean_discrimination_minority": "perceived discrimination (minorities)",
           "mean_trust": "institutional trust", "polarisation": "polarisation index"}
fig, ax = plt.subplots(figsize=(8, 3.8))
for column, label in climate.items():
    ax.plot(ts.step, ts[column], lw=2, label=label)
ax.set_ylim(0, 1)
ax.set_xlabel("week")
ax.set_ylabel("mean level (0-1)")
ax.legend(frameon=False, ncols=2, loc="upper right")
plt.show()

# %% [markdown]
# ## 3. A first "what if": more discrimination
#
# Relative deprivation theory (Smith et al. 2012) predicts more radicalisation when
# a group is treated unjustly. We rerun the *same* town with the *same* seed and
# change one parameter, `societal_discrimination`, the level of institutional
# discrimination that minorities face. We raise it by half from its default.
# Because the seed is the same, the town and the residents are identical at the
# start, so the difference comes from the parameter.
#
# `.venv/bin/radsim params` lists every parameter with its default, range and unit.

# %%
default = m.params.societal_discrimination
runs = {default: ts}                                   # the default is the run of section 2
for level in (round(1.5 * default, 3),):
    run = RadicalisationModel(n_residents=N_RESIDENTS, rng=SEED, **{**TOWN, "societal_discrimination": level})
    run.run_for(WEEKS)
    runs[level] = run.timeseries()

fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), sharex=True)
for level, series in runs.items():
    for ax, k in zip(axes, (1, 2)):
        ax.plot(series.step, series[f"phase_{k}"], lw=2, label=f"societal discrimination {level}")
for ax, k in zip(axes, (1, 2)):
    ax.set_title(PHASE_NAMES[Phase(k)], loc="left", fontsize=11)
    ax.set_xlabel("week")
    ax.set_ylabel("residents")
axes[0].legend(frameon=False)
fig.tight_layout()
plt.show()
levels = pd.DataFrame({level: s[s.step > WEEKS - 52][[*PHASE_COLUMNS, "mean_trust"]].mean()
                       for level, s in runs.items()}).T
levels = levels.rename(columns={**PHASE_COLUMNS, "mean_trust": "mean trust"}).rename_axis("societal discrimination")
levels.round(2)                                        # means over the last year

# %%
low, high = levels.index
rise = high / low - 1


def response(phase):
    """One phase's change between the two levels, in words."""
    before, then = levels.loc[low, phase], levels.loc[high, phase]
    change = then / before - 1 if before else np.inf
    if before < 20 and then < 20:
        kind = "too few residents to tell a response from chance in one run"
    elif change > 1.2 * rise:
        kind = "a rise more than in proportion"
    elif change >= 0.8 * rise:
        kind = "a rise roughly in proportion"
    elif change > 0:
        kind = "a rise less than in proportion"
    else:
        kind = "no rise at all"
    return f"*{phase}* went from {before:,.1f} to {then:,.1f} residents ({change:+.0%}): {kind}"


Markdown(f"Discrimination rose by {rise:.0%} (from {low:g} to {high:g}). Averaged over the last year, "
         + "; ".join(response(PHASE_NAMES[p]) for p in (Phase.SENSITIVITY, Phase.GROUP_MEMBERSHIP, Phase.ACTION))
         + ". How steeply the phases respond is a property of the model's assumptions (ODD §9), and "
           "notebook 5 maps it systematically. One run is one draw of chance: exercise 2 shows how much "
           "the rare phases vary between seeds.")

# %% [markdown]
# ## 4. A trigger event
#
# After an attack, fear and anger rise. Majority prejudice and societal
# discrimination go up, and then relax over a few months. `trigger_attack()`
# schedules such an event for the coming week. We run the same town to mid-way,
# trigger an attack, and run on.

# %%
shocked = RadicalisationModel(n_residents=N_RESIDENTS, rng=SEED, **TOWN)
shocked.run_for(WEEKS // 2)
shocked.trigger_attack()
shocked.run_for(WEEKS - WEEKS // 2)
after = shocked.timeseries()

fig, axes = plt.subplots(1, 3, figsize=(14, 3.8), sharex=True)
axes[0].plot(after.step, after.threat, color="#ff595e", lw=2)
axes[0].set_ylabel("societal threat (0-1)")
for series, label, style in ((ts, "no attack", "--"), (after, "attack", "-")):
    axes[1].plot(series.step, series.mean_prejudice_majority, style, lw=2, label=label)
    axes[2].plot(series.step, series.phase_1, style, lw=2, label=label)
axes[1].set_ylabel("mean prejudice, majority (0-1)")
axes[2].set_ylabel("residents in sensitivity")
for ax in axes:
    ax.axvline(WEEKS // 2, color="grey", lw=1)
    ax.set_xlabel("week")
axes[1].legend(frameon=False)
fig.tight_layout()
plt.show()

# %%
peak = int(after.threat.idxmax())
window = (after.step >= WEEKS // 2) & (after.step < WEEKS // 2 + 52)    # the year after the attack
prejudice_gap = (after.mean_prejudice_majority - ts.mean_prejudice_majority)[window]
phase_1_gap = (after.phase_1 - ts.phase_1)[window]
Markdown(f"Threat peaks at {after.threat[peak]:.2f} in week {after.step[peak]}. In the year after the attack, "
         f"majority prejudice lies at most {prejudice_gap.max():+.3f} above the run without the attack "
         f"(on a 0-1 scale), and sensitivity at most {phase_1_gap.max():+,.0f} residents "
         f"({phase_1_gap.max() / ts.phase_1[window].mean():+.1%}). At week {WEEKS}, the difference in "
         f"sensitivity is {after.phase_1.iloc[-1] - ts.phase_1.iloc[-1]:+,} residents.")

# %% [markdown]
# ## What this run shows, and what it does not
#
# - It shows that a few simple rules for individuals can produce a pyramid at the
#   level of the town, and that the pyramid responds to discrimination and to
#   shocks.
# - It does **not** forecast how many people in a real town would radicalise. The
#   parameters were tuned by hand so that the model reproduces a few stylised facts.
#   They were not estimated from data (ODD §7.4 and §9).
# - One run is one draw of chance. Before you conclude that A differs from B, you
#   need several runs (replications); notebooks 3 and 4 show how.

# %% [markdown]
# ## Exercises
#
# **1. Segregation.** Build towns with `segregation=0.2` and `segregation=0.8`. How
# does the share of cross-background ties change, and what happens to sensitivity
# and group membership at the end of the run?
#
# <details><summary>Hint</summary>
#
# `RadicalisationModel(n_residents=N_RESIDENTS, rng=SEED, **{**TOWN, "segregation": 0.8})`. Reuse
# the `ties` table code on `m.town.to_networkx()` of each model, and compare
# `m.outcomes()`, every outcome of a run at its last week.
# </details>
#
# **2. One run is one draw.** Run the default town with seeds 1 to 5. How much do
# the residents in group membership at the end vary between seeds? What does that mean for
# the comparison in section 3?
#
# <details><summary>Hint</summary>
#
# `for seed in range(1, 6):` build a model with `rng=seed`, run it, and collect
# `m.phase_counts()[Phase.GROUP_MEMBERSHIP]`. Compare the spread with the
# difference between the two levels of discrimination above.
# </details>
#
# **3. Fair institutions.** Procedural justice (Tyler 2006) says that people trust
# institutions that treat them fairly. Lower `institutional_fairness` from 0.7 to
# 0.5. Which climate variable moves most, and how does the pyramid change?
#
# <details><summary>Hint</summary>
#
# Plot `mean_trust` and `phase_1` (sensitivity) from both time series on one figure, as in
# section 3.
# </details>
#
# **4. How many act?** Of everyone who entered group membership during the run, how
# many moved on to action? Is that in line with McCauley and Moskalenko's point?
#
# <details><summary>Hint</summary>
#
# The columns `entered_phase_2` (group membership) and `entered_phase_3` (action)
# of `timeseries()` count the entries since week 0. Use `ts.iloc[-1]`. Residents
# who started in group membership (radical relatives) are not counted as entries.
# </details>
#
# **5. Two attacks.** Compare two attacks 10 weeks apart with two attacks 100 weeks
# apart. Does the timing matter for prejudice and for sensitivity?
#
# <details><summary>Hint</summary>
#
# Pass `attack_weeks=[100, 110]` or `attack_weeks=[100, 200]` to
# `RadicalisationModel`. How fast threat relaxes is set by `attack_relaxation_weeks`.
# </details>

# %% [markdown]
# ## References
#
# - Doosje, B., Loseman, A., & Van den Bos, K. (2013). Determinants of radicalization of Islamic youth in the Netherlands: personal uncertainty, perceived injustice, and perceived group threat. *Journal of Social Issues*, 69(3), 586–604.
# - Doosje, B., Moghaddam, F. M., Kruglanski, A. W., de Wolf, A., Mann, L., & Feddes, A. R. (2016). Terrorism, radicalization and de-radicalization. *Current Opinion in Psychology*, 11, 79–84.
# - Epstein, J. M. (1999). Agent-based computational models and generative social science. *Complexity*, 4(5), 41–60.
# - McCauley, C., & Moskalenko, S. (2017). Understanding political radicalization: the two-pyramids model. *American Psychologist*, 72(3), 205–216.
# - McPherson, M., Smith-Lovin, L., & Cook, J. M. (2001). Birds of a feather: homophily in social networks. *Annual Review of Sociology*, 27, 415–444.
# - Smith, H. J., Pettigrew, T. F., Pippin, G. M., & Bialosiewicz, S. (2012). Relative deprivation: a theoretical and meta-analytic review. *Personality and Social Psychology Review*, 16(3), 203–232.
# - Tyler, T. R. (2006). *Why People Obey the Law*. Princeton University Press.
# - The model itself: `docs/ODD.md` (the ODD protocol, Grimm et al. 2020).
