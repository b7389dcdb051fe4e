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
# # 2. One resident's path: identity, grievance and the shield
#
# Notebook 1 looked at the town from above. This notebook zooms in on one person.
# You read the rules that every resident follows each week, let the code find a
# resident whose path goes far (into a radical group, and if possible into action
# and out of it again), and replay their life week by week: the identity strategy
# they hold, how strongly they identify with their group, the discrimination they
# meet, the movement they are drawn to, their role in polarisation, and the
# resilience shield that **turns around** in the action phase. You then test with
# a controlled experiment whether the turning shield matters for the town.
#
# **What you learn**
#
# - to read the per-agent rules of the model: what one resident does in one week;
# - that an identity strategy is a lasting answer with its own consequences, not a
#   weekly coin toss;
# - that grievance is individual: it grows from a person's own experiences and
#   ties, and the shared societal part counts only as far as they identify with
#   their group;
# - how the shield protects before the action phase, protects the *group* in it,
#   and is gone when the resident leaves action;
# - how to test a mechanism with an ablation over seeds with common random numbers.

# %% [markdown]
# ## Theory in brief
#
# **Drivers.**
#
# - *Perceived discrimination* is a form of relative deprivation: the feeling that
#   you, or your group, get less than you deserve (Smith et al. 2012). Group-level
#   deprivation, more than personal deprivation, predicts collective action.
# - *Identity uncertainty* makes people look for groups with a clear, distinctive
#   identity, and extremist groups offer exactly that (uncertainty–identity theory,
#   Hogg 2007, 2014).
# - *A loss of significance*, through humiliation or exclusion, starts a "quest for
#   significance" that a radical group promises to end (Kruglanski et al. 2014).
#
# **Social identity.** People want to belong to a group they can be proud of
# (Tajfel and Turner 1979). A member of a group in a low, unjust position has three
# answers:
#
# - *individual mobility*: get on as an individual, if the group's boundaries are
#   open (cross-background ties at school and work show that they are);
# - *social creativity*: value the group on other dimensions;
# - *social competition*: fight for the group, when its position feels
#   illegitimate and unstable.
#
# How strongly someone *identifies* with the group is a state of its own.
# Perceived rejection of the group raises it (the rejection–identification model,
# Branscombe, Schmitt and Harvey 1999).
#
# **Two movements.** Radicalisation has more than one pole. The model has a
# grievance movement that recruits among minority residents and an anti-minority
# movement that recruits among majority residents on threat. The acts of one are
# trigger events for the other (reciprocal radicalisation, Moghaddam 2018).
#
# **Polarisation roles** (Brandsma 2017): pushers, joiners, the silent middle,
# bridge builders and scapegoats. Notebook 4 is about them.
#
# **Protective factors.** Institutional trust (procedural justice, Tyler 2006) and
# several cross-cutting group memberships (social identity complexity, Roccas and
# Brewer 2002) build a **resilience shield** (in Dutch, *weerbaarheidsschild*). In
# the action phase the shield *turns around*: it now shields the group against
# outside attempts at de-radicalisation, by family, key figures and exit
# programmes (De Wolf and Doosje 2010; the Amersfoort network day of 2016).

# %%
import inspect

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd
from IPython.display import Code, Markdown

from experiments.examples import example_path
from experiments.plots import PHASE_COLOURS, PHASE_LABELS
from experiments import load_scenario
from experiments.seeds import replication_seed
from experiments.stats import mean_ci
from model import Phase, RadicalisationModel, rules

plt.rcParams.update({"figure.dpi": 100, "axes.grid": True, "grid.alpha": 0.3, "font.size": 11,
                     "axes.spines.top": False, "axes.spines.right": False})

# names, not codes: radsim's phase labels, and the names of the model's strategies, roles and movements
PHASE_NAMES = [label.split(" ", 1)[1] for label in PHASE_LABELS]         # "none", "sensitivity", ...
STRATEGY_NAMES = {s: s.name.lower().replace("_", " ") for s in rules.IdentityStrategy}
ROLE_NAMES = {r: r.name.lower().replace("_", " ") for r in rules.PolarisationRole}
MOVEMENT_NAMES = {rules.Movement.GRIEVANCE: "the grievance movement",
                  rules.Movement.ANTI_MINORITY: "the anti-minority movement"}
STRATEGY_COLOURS = {0: "#8ecae6", 1: "#90be6d", 2: "#e63946"}
ROLE_COLOURS = {0: "#c7d4e0", 1: "#a4161a", 2: "#f2b134", 3: "#2a9d8f", 4: "#6a4c93"}


def background_name(b):
    """'majority' for background 0, 'minority A', 'minority B', ... for the others."""
    return "majority" if b == 0 else f"minority {chr(ord('A') + b - 1)}"


# %% [markdown]
# ## Scale: small by default
#
# A neighbourhood of 5,000 residents over ten years with a high breeding ground
# (the shipped scenario `high_breeding_ground.toml`; at the national defaults a town
# of this size almost never has a member of a radical group). A path into action is
# rare (that is the point of the pyramid), but here a handful of residents take it.
#
# **To scale up**, set `SCALE = "large"`: a town of 10,000 residents, and more
# seeds for the experiment of section 5 (a few minutes).

# %%
SCALE = "small"   # <- change to "large" to scale up
SEED = 1
N_RESIDENTS, WEEKS, ABLATION_SEEDS = {"small": (5_000, 520, 6), "large": (10_000, 520, 20)}[SCALE]
BREEDING_GROUND = load_scenario(example_path("high_breeding_ground.toml"))
TOWN = dict(n_residents=N_RESIDENTS, **BREEDING_GROUND.given_parameters())
print(f"{N_RESIDENTS:,} residents, {WEEKS} weeks, seed {SEED}")

# %% [markdown]
# ## 1. Read the rules
#
# `RadicalisationModel(engine="agent")` runs the **per-agent reference**. Every
# resident is a Mesa agent whose `step()` method computes next week's state from
# this week's, in plain Python. (The default array engine does the same for all
# residents at once; section 2 checks that both give the same result.)
#
# Below is the complete `step` method. Read it with this guide, top to bottom. The
# numbers E2 to E19 refer to the equations in `docs/ODD.md` §7.3. Each equation is a
# small function in `model/rules.py` (`r.` in the code); the array engine calls the
# very same functions, so there is one rule set for both.
#
# | block in the code | what it does | theory |
# |---|---|---|
# | loop over `self.ties()` | looks at every contact once; only contacts **on the resident's own side** (same movement) carry belief in its movement | social influence through the network |
# | E19 role | this week's polarisation role: pusher, joiner, bridge builder, scapegoat or silent middle | Brandsma (2017) |
# | E2 exposure | the tie-weighted belief around the resident; a radical group isolates its members, except from their close ties | social identity (Turner 1991); Sageman (2004) |
# | E3 prejudice | threat and pushers raise it; bridge builders and contact with other backgrounds lower it | contact hypothesis (Allport 1954) |
# | E4–E6 discrimination | incidents, scaled by the resident's lasting exposure; group grievance from in-group ties, plus the shared term weighted by identification | relative deprivation (Smith et al. 2012) |
# | E11, E18 identity | the strategy persists and is reconsidered now and then; identification follows rejection, competition and mobility | Tajfel and Turner (1979); Branscombe et al. (1999) |
# | E7–E10 | complexity, uncertainty, significance loss (creativity restores it), trust (the silent middle loses it when blamed or neglected) | Roccas and Brewer; Hogg; Kruglanski; Tyler |
# | E12 radical belief | only competition drives it, in proportion to identification; the shield filters the radicalising forces, or in phase 3 the de-radicalising ones | the shield |
# | E13 attitude to violence | belief times significance loss, violent peers, group norms, activism | Moghaddam (2005) |
# | E14 shield | built by trust and complexity before action; follows belief in action; reset when leaving action | the shield turns around |
# | E15 transitions | thresholds with a margin; joining needs a recruiter's approach or a close tie to a member; the family's pull out of action passes through (1 − shield) | Doosje et al. (2013); Weisburd et al. (2022) |

# %%
small = RadicalisationModel(n_residents=300, rng=SEED, engine="agent")
Resident = type(small.residents[0])          # the class of every resident: model/agents.py
Code(inspect.getsource(Resident.step), language="python")

# %% [markdown]
# Every `r.something(...)` call is one rule. Here are three of them: the identity
# strategy (E11), which keeps its current value unless the resident reconsiders;
# the shield's target (E14), which in action follows belief; and the reset of the
# shield on leaving action.

# %%
Code("\n\n".join(inspect.getsource(f) for f in (rules.identity_strategy, rules.shield_target,
                                                 rules.shield_after_transition)), language="python")

# %% [markdown]
# Each week the model first calls `step()` for every resident, then lets the
# recruiters make their approaches, and then calls `advance()`, which commits the
# new state. Everybody reacts to the state of last week: the updates are
# *synchronous*, and the order of residents does not matter.

# %% [markdown]
# ## 2. The same rules, two engines
#
# The array engine is what you normally use, because it is hundreds of times
# faster. To trust it, check that it gives the same trajectories as the rules you
# just read: same town, same seed, both engines, and outputs of both movements.

# %%
by_engine = {}
for engine in ("agent", "array"):
    run = RadicalisationModel(n_residents=300, rng=SEED, engine=engine)
    run.run_for(26)
    by_engine[engine] = run.timeseries()
columns = ["phase_1_grievance", "phase_1_anti_minority", "mean_radical_belief", "mean_identification",
           "role_silent_middle", "mean_trust_silent_middle"]
same = np.allclose(by_engine["agent"][columns], by_engine["array"][columns], rtol=0, atol=1e-9)
print("per-agent reference and array engine agree for 26 weeks:", same)
by_engine["agent"][["step", *columns]].tail(3)

# %% [markdown]
# ## 3. Let the run choose a resident
#
# We run the town for ten years with the fast engine and note every resident's
# phase every week. The code then looks for residents who start in phase 0, are
# at least 12 years old, and live in town for the whole run (when a resident
# dies, a newborn takes their place, E17). It ranks them by how far they went:
# into action and out of it again, into action, into a group, into sensitivity.
# Among equals it prefers young people (12 to 27 at the start, the age the seed
# document is about), then residents who live with relatives (whose pull out of
# action the shield can filter), then the one who met the most discrimination.
# Everything is determined by the seed, so the same run can be replayed.

# %%
m = RadicalisationModel(rng=SEED, collect=False, **TOWN)
age_at_start = m.state.age.copy()
phases = [m.state.phase.copy()]
most_discrimination = m.state.personal_discrimination.copy()
renewed = np.zeros(N_RESIDENTS, dtype=bool)
for week in range(WEEKS):
    age_before = m.state.age.copy()
    m.step()
    renewed |= m.state.age < age_before                   # a newborn took the place (E17)
    phases.append(m.state.phase.copy())
    np.maximum(most_discrimination, m.state.personal_discrimination, out=most_discrimination)
phases = np.array(phases)                                 # shape (weeks + 1, residents)

highest = phases.max(axis=0)
left_action = ((phases[:-1] == Phase.ACTION) & (phases[1:] < Phase.ACTION)).any(axis=0)
eligible = (phases[0] == Phase.NONE) & (age_at_start >= 12) & ~renewed
how_far = np.where(eligible, highest + left_action, -1)   # 4: reached action and left it again
young_at_start = age_at_start <= 27
relatives = np.bincount(m.town.household)[m.town.household] - 1
ranked = np.lexsort((-most_discrimination, -(relatives > 0).astype(int), -young_at_start.astype(int),
                     -how_far))                           # np.lexsort sorts by the last key first
who = int(ranked[0])
person = m.residents[who]
counts = {k: int((eligible & (highest >= k)).sum()) for k in (1, 2, 3)}
GOT_AS_FAR = ["stayed in phase 0", "reached sensitivity", "joined a radical group", "reached action",
              "reached action and left it again"][how_far[who]]
Markdown(f"Of the {eligible.sum():,} residents who started in phase 0, aged 12 or older, and lived in town for "
         f"the whole run, {counts[1]:,} reached sensitivity at some point, {counts[2]:,} joined a radical group "
         f"and {counts[3]:,} reached action; {int((eligible & left_action).sum())} of those left action again. "
         f"We follow **resident {who}**, who {GOT_AS_FAR}: a {background_name(person.background)} resident, "
         f"{age_at_start[who]:.0f} years old at the start, living with {relatives[who]} relatives, whose side is "
         f"{MOVEMENT_NAMES[person.movement]}. Their personal discrimination reached {most_discrimination[who]:.2f} "
         "on a 0-1 scale.")

# %% [markdown]
# ## 4. Replay their life, week by week
#
# Same seed, same town: the run is replayed exactly, and this time we record
# everything about our resident each week. We also note how much of their tie
# strength goes to members of their movement (phase 2 or 3 on their side), how
# many of their ties cross backgrounds, the family's pull (the share of relatives
# outside a radical group, E15), and the two parts of their group grievance (E6):
# the experiences of their in-group ties, and the shared societal term, weighted
# by their identification.

# %%
replay = RadicalisationModel(rng=SEED, collect=False, **TOWN)
r = replay.residents[who]
p = replay.params
FLOATS = ["radical_belief", "violence_attitude", "personal_discrimination", "group_discrimination",
          "identification", "identity_uncertainty", "significance_loss", "institutional_trust", "prejudice",
          "resilience_shield"]


def observe(resident, model):
    """One row of the resident's life: their state, and a few things about their ties this week."""
    row = {name: float(getattr(resident, name)) for name in FLOATS}
    row.update(phase=int(resident.phase), strategy=int(resident.identity_strategy),
               role=int(resident.polarisation_role))
    ties = resident.ties()
    strength = sum(w for _, w in ties)
    ingroup = [(other, w) for other, w in ties if other.background == resident.background]
    to_members = sum(w for other, w in ties
                     if other.movement == resident.movement and other.phase >= Phase.GROUP_MEMBERSHIP)
    row["tie_share_to_members"] = to_members / strength if strength else 0.0
    row["cross_background_ties"] = len(ties) - len(ingroup)
    relatives = resident.relatives()
    row["family_pull"] = rules.family_pull(float(len(relatives)),
                                           float(sum(rel.phase >= Phase.GROUP_MEMBERSHIP for rel in relatives)))
    in_weight = sum(w for _, w in ingroup)
    peers = sum(w * other.personal_discrimination for other, w in ingroup) / in_weight if in_weight \
        else resident.personal_discrimination
    macro_weight = model.params.group_deprivation_macro_weight
    row["grievance_from_ties"] = (1 - macro_weight) * peers
    row["grievance_shared"] = macro_weight * resident.identification * model.macro.discrimination * resident.is_minority
    return row


life = [observe(r, replay)]
for week in range(WEEKS):
    replay.step()
    life.append(observe(r, replay))
life = pd.DataFrame(life).rename_axis("week")
assert (life.phase.to_numpy() == phases[:, who]).all(), "the replay must follow the same path"
life["incident"] = life.personal_discrimination.diff() > 0   # E5: personal discrimination rises only after an incident
changes = life[life.phase.diff() != 0].iloc[1:]
path = "; ".join(f"week {w}: {PHASE_NAMES[int(life.phase[w - 1])]} → {PHASE_NAMES[int(ph)]}"
                 for w, ph in changes.phase.items())
exposure = replay.state.discrimination_exposure
same_background = replay.town.background == person.background
percentile = (exposure[same_background] < exposure[who]).mean()
Markdown(f"Resident {who}'s path: {path}. Their lasting exposure to discrimination (E4) is "
         f"{exposure[who]:.2f} (mean 1), higher than that of {percentile:.0%} of the "
         f"{background_name(person.background)} residents; they met {int(life.incident.sum())} discrimination "
         f"incidents in {WEEKS // 52} years.")


# %%
def shade_phases(ax):
    """Colour the background of a time axis by the resident's phase."""
    start = 0
    for week in list(changes.index) + [WEEKS]:
        ax.axvspan(start, week, color=PHASE_COLOURS[int(life.phase[start])], alpha=0.25, lw=0)
        start = week


def bands(ax, codes, y, colours):
    """Draw a categorical series (strategy or role) as coloured bands at height y."""
    edges = np.flatnonzero(np.diff(codes)) + 1
    for start, end in zip([0, *edges], [*edges, len(codes)]):
        ax.broken_barh([(start, end - start)], (y - 0.35, 0.7), color=colours[int(codes[start])])


fig, axes = plt.subplots(6, 1, figsize=(12, 16), sharex=True)
ax = axes[0]
ax.step(life.index, life.phase, where="post", color="black")
ax.set_yticks(range(4), PHASE_NAMES)
ax.set_title(f"Resident {who} ({background_name(person.background)}): phase (background colour)", loc="left")

ax = axes[1]
ax.plot(life.radical_belief, color="#e0662d", lw=2, label="radical belief (in their side's movement)")
ax.plot(life.violence_attitude, color="#a4161a", lw=2, label="attitude to violence")
ax.axhline(p.sensitivity_threshold, ls=":", color="black", label="belief threshold for sensitivity")
ax.axhline(p.membership_threshold, ls="--", color="black", label="belief needed to join a group")
ax.axhline(p.action_threshold, ls="-.", color="#a4161a", label="attitude needed for action")
ax.set_ylabel("level (0-1)")
ax.set_title("belief and attitude to violence", loc="left")
ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))

ax = axes[2]
ax.plot(life.personal_discrimination, lw=2, color="#8ac926", label="personal discrimination (own incidents)")
ax.plot(life.group_discrimination, lw=2, color="#386641", label="group grievance")
ax.plot(life.identification, lw=2, color="#6a4c93", label="identification with the group")
ax.vlines(life.index[life.incident], 0, 0.04, color="black", lw=1, label="an incident")
ax.set_ylabel("level (0-1)")
ax.set_title("individual grievance and identification", loc="left")
ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))

ax = axes[3]
bands(ax, life.strategy.to_numpy(), 1, STRATEGY_COLOURS)
bands(ax, life.role.to_numpy(), 0, ROLE_COLOURS)
ax.set_yticks([0, 1], ["role", "strategy"])
ax.set_ylim(-0.6, 1.6)
for code, name in STRATEGY_NAMES.items():
    ax.bar(0, 0, color=STRATEGY_COLOURS[int(code)], label=f"strategy: {name}")
for code, name in ROLE_NAMES.items():
    ax.bar(0, 0, color=ROLE_COLOURS[int(code)], label=f"role: {name}")
ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.05))
ax.set_title("identity strategy (it persists) and polarisation role", loc="left")

ax = axes[4]
ax.plot(life.identity_uncertainty, lw=2, color="#6a4c93", ls="--", label="identity uncertainty")
ax.plot(life.significance_loss, lw=2, color="#ff595e", label="significance loss")
ax.plot(life.institutional_trust, lw=2, color="#1982c4", label="institutional trust")
ax.set_ylabel("level (0-1)")
ax.set_title("uncertainty, significance and trust", loc="left")
ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))

ax = axes[5]
ax.plot(life.resilience_shield, lw=2, color="black", label="resilience shield (strength)")
ax.plot(life.tie_share_to_members, lw=2, color="#e0662d", ls="--", label="share of tie strength to members")
ax.plot(life.family_pull, lw=1.5, color="#2a9d8f", ls=":", label="family pull (relatives outside a group)")
ax.set_ylabel("level / share (0-1)")
ax.set_title("the shield, the group and the family", loc="left")
ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
ax.set_xlabel("week")
for ax in axes[[0, 1, 2, 4, 5]]:                       # not behind the bands of strategy and role
    shade_phases(ax)
fig.tight_layout()
plt.show()

# %% [markdown]
# Read the figure from top to bottom, and match what you see to the code in
# section 1. The next cells put numbers on it.

# %% [markdown]
# ### The identity strategy and its consequences
#
# The strategy persists: each week a resident reconsiders it only with chance
# `strategy_reconsider_rate`. Each answer does something different (E11): mobility
# loosens identification and, for minority residents, adds ties across
# backgrounds; creativity restores significance; only competition drives radical
# belief and strengthens identification. Below: how long our resident held each
# strategy, and how their identification, significance loss and belief moved per
# week while they held it.

# %%
per_week = life[["identification", "significance_loss", "radical_belief"]].diff().iloc[1:]
grouped = per_week.groupby(life.strategy.iloc[1:])        # the change in week t follows the strategy of week t
by_strategy = (52 * grouped.mean()).add_suffix(" (change a year)")
by_strategy.insert(0, "weeks held", grouped.size())
by_strategy.index = [STRATEGY_NAMES[rules.IdentityStrategy(c)] for c in by_strategy.index]
by_strategy.index.name = "strategy"
by_strategy.round(3)

# %%
switches = int((life.strategy.diff().iloc[1:] != 0).sum())
held = [f"{name} for {int(row['weeks held'])} weeks" for name, row in by_strategy.iterrows()]
sentences = [f"Resident {who} changed strategy {switches} times in {WEEKS} weeks and held " + ", ".join(held) + "."]
for name, row in by_strategy.iterrows():
    sentences.append(f"While choosing {name}, their identification changed by "
                     f"{row['identification (change a year)']:+.3f} a year, their significance loss by "
                     f"{row['significance_loss (change a year)']:+.3f} and their belief by "
                     f"{row['radical_belief (change a year)']:+.3f}.")
gained = int(life.cross_background_ties.iloc[-1] - life.cross_background_ties.iloc[0])
if person.is_minority:
    sentences.append(f"Their ties across backgrounds went from {int(life.cross_background_ties.iloc[0])} to "
                     f"{int(life.cross_background_ties.iloc[-1])} ({gained:+d}): individual mobility gives a minority "
                     f"resident such a tie with chance {13 * p.mobility_tie_rate:.1%} every 13 weeks.")
else:
    sentences.append("Individual mobility adds ties across backgrounds only for minority residents, so this "
                     f"majority resident's {int(life.cross_background_ties.iloc[0])} such ties did not grow that way.")
Markdown(" ".join(sentences))

# %% [markdown]
# The changes per strategy are what happened to *this* resident in those weeks, and
# they mix the strategy's effect with everything else that went on (joining a
# group, an attack, growing older). Notebook 4 and `tests/test_psychology.py`
# measure each consequence properly, as a paired difference over seeds.

# %% [markdown]
# ### Individual grievance
#
# In version 2 of the model, grievance is not a property of a background. A
# resident's personal discrimination comes from their own incidents, whose chance
# scales with their lasting exposure (contact with police, landlords, employers
# differs a great deal between people). Their group grievance comes from the
# experiences of their in-group ties and from a shared societal term that counts
# only as much as they identify with the group (E6). For majority residents the
# collective grievance that feeds their identity strategy is perceived threat:
# G = max(group grievance, w·prejudice) (E11).

# %%
final = replay.state
fig, axes = plt.subplots(1, 2, figsize=(13, 4))
ax = axes[0]
for b in np.unique(replay.town.background):
    mine = replay.town.background == b
    ax.scatter(final.discrimination_exposure[mine], final.personal_discrimination[mine], s=4, alpha=0.3,
               label=background_name(b))
ax.scatter(final.discrimination_exposure[who], final.personal_discrimination[who], s=120, marker="*",
           color="black", label=f"resident {who}", zorder=3)
ax.set_xscale("log")
ax.set_xlabel("lasting exposure to discrimination (mean 1; log scale)")
ax.set_ylabel(f"personal discrimination, week {WEEKS}")
ax.set_title("exposure and experience, every resident", loc="left")
ax.legend(frameon=False, fontsize=9, markerscale=2)
ax = axes[1]
ax.stackplot(life.index, life.grievance_from_ties, life.grievance_shared, colors=["#8ac926", "#386641"],
             labels=["from in-group ties' experiences", "shared term × identification"], alpha=0.8)
ax.plot(life.group_discrimination, color="black", lw=1.5, label="group grievance (follows the target)")
ax.set_xlabel("week")
ax.set_ylabel("level (0-1)")
ax.set_title(f"resident {who}: the parts of the group-grievance target (E6)", loc="left")
ax.legend(frameon=False, fontsize=9, loc="upper left")
fig.tight_layout()
plt.show()

# %%
similar = eligible & same_background & (exposure >= exposure[who])
joined_similar = int((similar & (highest >= Phase.GROUP_MEMBERSHIP)).sum())
shared_share = (life.grievance_shared / (life.grievance_shared + life.grievance_from_ties)).replace(np.inf, np.nan)
grievance_text = (f"Over the run, the shared societal term made up on average {shared_share.mean():.0%} of the "
                  f"target of resident {who}'s group grievance, and the experiences of their in-group ties the rest."
                  if person.is_minority else
                  f"Resident {who} is a majority resident: the shared societal term of discrimination does not apply "
                  f"to them, and their collective grievance is perceived threat (prejudice up to "
                  f"{life.prejudice.max():.2f}).")
Markdown(grievance_text + f" No profile: of the {int(similar.sum())} {background_name(person.background)} residents "
         f"(in the same selection as in section 3) whose exposure is at least as high as resident {who}'s, "
         f"{joined_similar} joined a radical group in this run ({joined_similar / max(int(similar.sum()), 1):.0%}).")

# %% [markdown]
# ### Movement and role
#
# A resident's radical belief is belief in the movement of their side, and only
# their side's members and sympathisers move it (E2). Their role in polarisation is
# read from their state every week (E19).

# %%
role_weeks = life.role.value_counts()
roles_held = ", ".join(f"{ROLE_NAMES[rules.PolarisationRole(c)]} for {n} week{'s' * (n != 1)}"
                       for c, n in role_weeks.items())
member_share = life.tie_share_to_members
members_text = (f"The share of their tie strength to other members of their movement went from "
                f"{member_share.iloc[0]:.0%} at the start to at most {member_share.max():.0%} (week "
                f"{int(member_share.idxmax())})." if member_share.max() > 0 else
                "None of their contacts was ever a member of their movement.")
Markdown(f"Resident {who}'s side is {MOVEMENT_NAMES[person.movement]}. Over the ten years they were "
         f"{roles_held}. " + members_text)

# %% [markdown]
# ### Who were they tied to when they joined?
#
# We replay the town once more, up to the week before our resident joined a radical
# group, and draw their direct contacts. A contact on their own side is coloured by
# phase; a contact on the other side is a grey square (their belief does not count
# for our resident's movement). The width of a line is the tie strength.

# %%
joined = life.index[(life.phase >= Phase.GROUP_MEMBERSHIP) & (life.phase.shift() < Phase.GROUP_MEMBERSHIP)]
if len(joined):
    week_joined = int(joined[0])
    before = RadicalisationModel(rng=SEED, collect=False, **TOWN)
    before.run_for(week_joined - 1)                  # the state our resident saw in the week they joined
    me = before.residents[who]
    ties = me.ties()
    star = nx.star_graph(len(ties))
    pos = nx.shell_layout(star, [[0], list(range(1, len(ties) + 1))])
    own = [o.movement == me.movement for o, _ in ties]
    fig, ax = plt.subplots(figsize=(8, 6))
    nx.draw_networkx_edges(star, pos, ax=ax, width=[3 * w for _, w in ties], alpha=0.5)
    nx.draw_networkx_nodes(star, pos, ax=ax, nodelist=[0], node_color=[PHASE_COLOURS[int(me.phase)]], node_size=300,
                           edgecolors="black")
    nx.draw_networkx_nodes(star, pos, ax=ax, nodelist=[k + 1 for k, o in enumerate(own) if o],
                           node_color=[PHASE_COLOURS[int(o.phase)] for (o, _), mine in zip(ties, own) if mine],
                           node_size=120, edgecolors="black")
    nx.draw_networkx_nodes(star, pos, ax=ax, nodelist=[k + 1 for k, o in enumerate(own) if not o],
                           node_color="lightgrey", node_shape="s", node_size=90, edgecolors="grey")
    for k, name in enumerate(PHASE_NAMES):
        ax.scatter([], [], color=PHASE_COLOURS[k], label=f"own side: {name}", edgecolors="black")
    ax.scatter([], [], color="lightgrey", marker="s", label="other side", edgecolors="grey")
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=9)
    ax.set_title(f"Resident {who} (centre) and their {len(ties)} contacts, week {week_joined - 1}")
    ax.set_axis_off()
    plt.show()
    members = [(o, w) for o, w in ties if o.movement == me.movement and o.phase >= Phase.GROUP_MEMBERSHIP]
    close = [o for o, w in members if w >= p.kin_tie_strength]
    route = (f"{len(close)} of them were close ties (strength at least {p.kin_tie_strength}), so they could join "
             "through a relative or friend as well as through a recruiter's approach (E15)" if close else
             "none of them was a close tie, so only a recruiter's approach could bring them in (E15)")
    contacts_text = (f"In week {week_joined - 1}, {len(members)} of resident {who}'s {len(ties)} contacts were members "
                     f"of {MOVEMENT_NAMES[me.movement]}; {route}.")
else:
    contacts_text = f"Resident {who} never joined a radical group in this run."
Markdown(contacts_text)

# %% [markdown]
# ### The shield turns around, and is reset
#
# Before action, the shield filters radicalising influence (E12) and lowers the
# chance that a recruiter's approach succeeds (E15). From the first week of action
# its target is the resident's belief (E14): it becomes the group's shield. It now
# filters the de-radicalising pull of their ties (E12), and the pull of the family
# and exit programmes out of action: the weekly chance of leaving action is
# `action_exit_hazard` + `exit_family`·F·(1 − H), with F the family pull (E15).
# When the resident leaves action, the shield is reset to `shield_after_action`,
# so the group's shield is not carried into phase 2 as if it protected them.

# %%
in_action = life.phase == Phase.ACTION
if in_action.any():
    first = int(in_action.idxmax())
    spell_end = int(in_action.iloc[first:].idxmin()) if (~in_action.iloc[first:]).any() else WEEKS + 1
    spell = life.iloc[first:spell_end]
    # the chance of leaving action in the week after each week of the spell, from the state at its start (E15)
    chance = p.action_exit_hazard + p.exit_family * spell.family_pull.to_numpy() * (
        1 - spell.resilience_shield.to_numpy())
    unfiltered = p.action_exit_hazard + p.exit_family * spell.family_pull.to_numpy()
    window = life.iloc[max(first - 52, 0):min(spell_end + 52, WEEKS + 1)]
    fig, ax = plt.subplots(figsize=(10, 3.8))
    ax.plot(window.resilience_shield, color="black", lw=2, label="resilience shield")
    ax.plot(window.radical_belief, color="#e0662d", lw=1.5, ls="--", label="radical belief (the shield's target in action)")
    ax.plot(spell.index + 1, chance * 10, color="#2a9d8f", lw=2, label="weekly chance of leaving action × 10")
    ax.plot(spell.index + 1, unfiltered * 10, color="#2a9d8f", lw=1, ls=":", label="… if the shield did not filter it")
    for w in (first, spell_end):
        ax.axvline(w, color="#a4161a", lw=1)
    ax.set_xlabel("week")
    ax.set_ylabel("level (0-1); chance × 10")
    ax.set_title(f"Resident {who} around their time in action (red lines: entering and leaving)", loc="left")
    ax.legend(frameon=False, fontsize=9, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    plt.show()
    sentences = [f"Resident {who} entered action in week {first}; their shield was then {life.resilience_shield[first - 1]:.2f}, "
                 f"a protection built from trust and memberships. In action it moved towards their belief and "
                 f"reached {spell.resilience_shield.max():.2f}. Their family pull was {spell.family_pull.mean():.2f} on "
                 f"average, so the weekly chance of leaving action was {chance.mean():.2%} on average, against "
                 f"{unfiltered.mean():.2%} if the shield had not turned around."]
    if spell_end <= WEEKS:
        reason = ("their attitude to violence fell below the action threshold minus the margin"
                  if life.violence_attitude[spell_end] < p.action_threshold - p.hysteresis
                  else "the weekly chance of leaving came up: arrest, disillusion, ageing out or the family's pull")
        sentences.append(f"They left action in week {spell_end} ({reason}) after {spell_end - first} weeks; their "
                         f"shield went from {life.resilience_shield[spell_end - 1]:.2f} to "
                         f"{life.resilience_shield[spell_end]:.2f} (`shield_after_action`), and was "
                         f"{life.resilience_shield.iloc[min(spell_end + 52, WEEKS)]:.2f} a year later.")
    else:
        sentences.append("They were still in action at the end of the run.")
    shield_text = " ".join(sentences)
else:
    shield_text = (f"Resident {who} never reached action in this run, so their shield never turned around; "
                   "try another `SEED` or `SCALE = \"large\"`.")
Markdown(shield_text)

# %% [markdown]
# ## 5. Experiment: does the turning shield matter?
#
# One resident's path shows *how* the mechanism works, not *whether* it matters.
# For that we switch it off. `shield_turns_around=False` is an **ablation**, not a
# policy: in phase 3 the shield then keeps the target of phases 0 to 2 and filters
# neither the de-radicalising pull nor the family's pull out of action. We run the
# same towns with and without it (common random numbers: replication *k* uses the
# same seed in both arms) and compare the resident-weeks spent in action and the
# rate of leaving it, as paired differences with 95% confidence intervals.

# %%
rows = []
for k in range(ABLATION_SEEDS):
    for turns in (True, False):
        run = RadicalisationModel(rng=replication_seed(SEED, k), collect=False, shield_turns_around=turns, **TOWN)
        run.run_for(WEEKS)
        out = run.outcomes()
        rows.append({"replication": k, "shield turns around": turns, "entries into action": out["entered_phase_3"],
                     "resident-weeks in action": out["weeks_in_phase_3"], "exits from action": out["left_phase_3"],
                     "exits per 100 resident-weeks": 100 * out["left_phase_3"] / max(out["weeks_in_phase_3"], 1)})
ablation = pd.DataFrame(rows)
ablation.groupby("shield turns around").mean().drop(columns="replication").round(2)

# %%
on = ablation[ablation["shield turns around"]].set_index("replication")
off = ablation[~ablation["shield turns around"]].set_index("replication")
MEASURES = ["resident-weeks in action", "exits per 100 resident-weeks", "entries into action"]
fig, axes = plt.subplots(1, len(MEASURES), figsize=(14, 3.2))
lines = []
for ax, measure in zip(axes, MEASURES):
    mean, low, high = mean_ci(on[measure] - off[measure])
    ax.errorbar([mean], [0], xerr=[[mean - low], [high - mean]], fmt="o", ms=8, color="black", capsize=4, lw=2)
    ax.scatter(on[measure] - off[measure], np.full(len(on), 0.3), s=15, color="grey", label="one replication")
    ax.axvline(0, color="grey", lw=1)
    ax.set_yticks([])
    ax.set_ylim(-0.5, 0.6)
    ax.set_title(measure, loc="left", fontsize=10)
    ax.set_xlabel("turning shield minus ablation")
    verdict = "excludes zero" if low > 0 or high < 0 else "includes zero"
    lines.append(f"- *{measure}*: {off[measure].mean():.3g} without the turning shield, {mean:+.3g} with it "
                 f"(95% CI {low:+.3g} to {high:+.3g}; the interval {verdict}).")
axes[0].legend(frameon=False, fontsize=8)
fig.suptitle(f"The turning shield, paired over {ABLATION_SEEDS} replications of {N_RESIDENTS:,} residents")
fig.tight_layout()
plt.show()
longer = mean_ci(on["resident-weeks in action"] - off["resident-weeks in action"])[1] > 0
slower = mean_ci(on["exits per 100 resident-weeks"] - off["exits per 100 resident-weeks"])[2] < 0
conclusion = ("In these replications the turning shield matters: residents stay in action longer and leave it at a "
              "lower rate, because their family and exit programmes reach them through (1 − shield)."
              if longer and slower else
              "In these replications the difference is not clear in both measures; with more replications "
              "(`SCALE = \"large\"`) the intervals shrink.")
Markdown("\n".join(lines) + "\n\n" + conclusion + " The number who *enter* action is a different question, "
         "which the shield of phases 0 to 2 answers.")

# %% [markdown]
# ## What this shows, and what it does not
#
# - The path you followed is one path that the model's assumptions produce, chosen
#   because it goes far. Real paths are more varied: there is no single profile of
#   a radical, and no conveyor belt from one phase to the next (Horgan 2008). In the
#   model too, most residents with the same exposure never join (section 4).
# - The ablation confirms a property of the rules as they are written: the turning
#   shield keeps residents in action longer. It is not empirical evidence that the
#   shield turns around in real people; for that you need data on people in the
#   action phase, which the model does not use.

# %%
s = replay.state
children = int(((s.age < 12) & (s.phase >= Phase.SENSITIVITY)).sum())
sympathisers = int((s.phase >= Phase.SENSITIVITY).sum())
Markdown(f"- A check on the model itself: at week {WEEKS}, {children} of the {sympathisers} residents in phase 1 or "
         "higher are younger than 12. The phase transitions (E15) do not depend on age, so children can become "
         "sympathisers. That is a limitation of the model, not a finding." if children else
         f"- A check on the model itself: at week {WEEKS}, none of the {sympathisers} residents in phase 1 or higher "
         "is younger than 12.")

# %% [markdown]
# ## Exercises
#
# **1. No profile.** Find the residents who had about the same exposure,
# identification and uncertainty as our resident in the week they entered
# sensitivity, but who never joined a group. How many are there? What made the
# difference?
#
# <details><summary>Hint</summary>
#
# Rerun the town to that week (`run_for(week)`) and read `discrimination_exposure`,
# `identification`, `identity_uncertainty` and `resilience_shield` from
# `model.state`. Use `phases` (section 3) to see who ever reached phase 2. Compare
# the shield and the share of tie strength to members in both groups.
# </details>
#
# **2. A fairer town, in time.** Replay the same seed, but in the week our resident
# entered sensitivity, make institutions fairer:
# `update_parameters(institutional_fairness=0.9)`. Does the resident still join?
# Does their identity strategy change?
#
# <details><summary>Hint</summary>
#
# `run_for(week)`, then `update_parameters(...)`, then step week by week and call
# `observe(r, model)` to record the path.
# </details>
#
# **3. One week by hand.** Pick a week in sensitivity. Compute the change in
# radical belief from E12 with the values in `life`. You need the exposure X, which
# you can get from `r.ties()`. Does your number match the next row of `life`?
#
# <details><summary>Hint</summary>
#
# Only ties on the resident's own side (same `movement`) count in the numerator of
# X; all ties count in the denominator, out-group ties weighted by
# `outgroup_influence` (E2). The competition drive is on only in weeks with the
# strategy "social competition", and it is multiplied by identification.
# </details>
#
# **4. No reset.** Set `shield_after_action=0.8` (about the value a resident
# carries out of action) and rerun section 5 with it in both arms. What happens to
# re-entries into action? Why does the ODD call the reset a fix?
#
# <details><summary>Hint</summary>
#
# Add `shield_after_action=0.8` to `TOWN`. A high shield in phase 2 is read as
# protection: it filters the radicalising forces (E12).
# </details>
#
# **5. Family.** Residents in action with more relatives outside the group feel a
# stronger pull out (F in E15). Raise `exit_family` to 0.1 and rerun section 5.
# Does the difference between the arms grow? Why?
#
# <details><summary>Hint</summary>
#
# The turning shield filters exactly this pull: the larger the pull, the more there
# is to filter.
# </details>

# %% [markdown]
# ## References
#
# - Brandsma, B. (2017). *Polarisation: Understanding the Dynamics of Us versus Them*. BB in Media.
# - Branscombe, N. R., Schmitt, M. T., & Harvey, R. D. (1999). Perceiving pervasive discrimination among African Americans: implications for group identification and well-being. *Journal of Personality and Social Psychology*, 77(1), 135–149.
# - De Wolf, A., & Doosje, B. (2010). *Aanpak van radicalisme: een psychologische analyse*. SWP.
# - Doosje, B., Loseman, A., & Van den Bos, K. (2013). Determinants of radicalization of Islamic youth in the Netherlands: personal uncertainty, perceived injustice, and perceived group threat. *Journal of Social Issues*, 69(3), 586–604.
# - Hogg, M. A. (2007). Uncertainty–identity theory. *Advances in Experimental Social Psychology*, 39, 69–126.
# - Hogg, M. A. (2014). From uncertainty to extremism: social categorization and identity processes. *Current Directions in Psychological Science*, 23(5), 338–342.
# - Horgan, J. (2008). From profiles to pathways and roots to routes: perspectives from psychology on radicalization into terrorism. *The Annals of the American Academy of Political and Social Science*, 618(1), 80–94.
# - Kruglanski, A. W., Gelfand, M. J., Bélanger, J. J., et al. (2014). The psychology of radicalization and deradicalization: how significance quest impacts violent extremism. *Political Psychology*, 35(S1), 69–93.
# - Moghaddam, F. M. (2005). The staircase to terrorism: a psychological exploration. *American Psychologist*, 60(2), 161–169.
# - Moghaddam, F. M. (2018). *Mutual Radicalization: How Groups and Nations Drive Each Other to Extremes*. American Psychological Association.
# - Roccas, S., & Brewer, M. B. (2002). Social identity complexity. *Personality and Social Psychology Review*, 6(2), 88–106.
# - Sageman, M. (2004). *Understanding Terror Networks*. University of Pennsylvania Press.
# - Smith, H. J., Pettigrew, T. F., Pippin, G. M., & Bialosiewicz, S. (2012). Relative deprivation: a theoretical and meta-analytic review. *Personality and Social Psychology Review*, 16(3), 203–232.
# - Tajfel, H., & Turner, J. C. (1979). An integrative theory of intergroup conflict. In W. G. Austin & S. Worchel (Eds.), *The Social Psychology of Intergroup Relations* (pp. 33–47). Brooks/Cole.
# - Turner, J. C. (1991). *Social Influence*. Open University Press.
# - Tyler, T. R. (2006). *Why People Obey the Law*. Princeton University Press.
# - Weisburd, D., Wolfowicz, M., Hasisi, B., Paolucci, M., & Andrighetto, G. (2022). What is the best approach for preventing recruitment to terrorism? Findings from ABM experiments in social and situational prevention. *Criminology & Public Policy*, 21(2), 461–485.
