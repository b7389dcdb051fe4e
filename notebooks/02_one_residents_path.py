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
# # 2. One resident's path: from sensitivity to action
#
# Notebook 1 looked at the town from above. This notebook zooms in on one person.
# You read the rules that every resident follows each week, find a resident who
# passes through all three phases, and replay their life week by week. You then
# test one of the model's central ideas: once a person reaches the action phase,
# the **resilience shield turns around**.
#
# **What you learn**
#
# - to read the per-agent rules of the model: what one resident does in one week;
# - how the drivers (perceived discrimination, identity uncertainty, loss of
#   significance) and the protective factors (institutional trust, several group
#   memberships, the shield) work together;
# - that the path into a radical group runs through a recruiter, in the
#   neighbourhood or online, and that recruiters are a limited opportunity;
# - how to test a mechanism with a controlled experiment on the same seed.

# %% [markdown]
# ## Theory in brief
#
# **Drivers.**
#
# - *Perceived discrimination* is a form of relative deprivation: the feeling that
#   you, or your group, get less than you deserve (Smith et al. 2012). Group-level
#   deprivation, more than personal deprivation, predicts collective action.
# - *Identity uncertainty* makes people look for groups with a clear, distinctive
#   identity, and extremist groups offer exactly that. This is uncertainty–identity
#   theory (Hogg 2007, 2014).
# - *A loss of significance*, through humiliation or exclusion, starts a "quest for
#   significance" that a radical narrative can promise to end (Kruglanski et al.
#   2014).
#
# In the phase model (Doosje, Loseman and Van den Bos 2013), these drivers make a
# young person *sensitive* to radical ideas.
#
# **Social identity.** People want to belong to a group they can be proud of
# (Tajfel and Turner 1979). A member of a low-status group can respond in three
# ways:
#
# - *individual mobility*: leave the group, if its boundaries are open;
# - *social creativity*: value the group differently;
# - *social competition*: fight the other group.
#
# Only social competition feeds radical belief.
#
# **Protective factors.**
#
# - *Institutional trust* grows when institutions treat people fairly (procedural
#   justice; Tyler 2006).
# - *Several group memberships*, especially memberships that cut across
#   backgrounds, give a complex social identity. Such an identity makes a single
#   radical identity less attractive (Roccas and Brewer 2002).
# - Together they build a **resilience shield** (in Dutch, *weerbaarheidsschild*)
#   against radical influence. In the action phase the shield *turns around*: the
#   group now shields its member against outside attempts at de-radicalisation
#   (De Wolf and Doosje 2010; the Amersfoort network day of 2016).

# %%
import inspect

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd
from IPython.display import Code

from experiments.plots import PHASE_COLOURS, PHASE_LABELS
from model import Phase, RadicalisationModel, rules

plt.rcParams.update({"figure.dpi": 100, "axes.grid": True, "grid.alpha": 0.3, "font.size": 11,
                     "axes.spines.top": False, "axes.spines.right": False})
PHASE_NAMES = list(PHASE_LABELS)          # radsim's phase labels and colours, as in its figures

# %% [markdown]
# ## Scale: small by default
#
# We use a *tense* town, with societal discrimination at 0.45 instead of the default
# 0.3. In a calm town of this size the path to action is so rare that we might not
# find anyone who takes it.
#
# **To scale up**, set `SCALE = "large"`: a town of 10,000 residents. The search
# for a resident then takes a minute or two.

# %%
SCALE = "small"   # <- change to "large" to scale up
SEED = 1
N_RESIDENTS, WEEKS = {"small": (2_000, 520), "large": (10_000, 520)}[SCALE]
TENSE_TOWN = dict(n_residents=N_RESIDENTS, societal_discrimination=0.45)
print(f"{N_RESIDENTS:,} residents, {WEEKS} weeks, seed {SEED}")

# %% [markdown]
# ## 1. Read the rules
#
# `RadicalisationModel(engine="agent")` runs the **per-agent reference**. Every
# resident is a Mesa agent whose `step()` method computes next week's state from
# this week's, in plain Python. (The default array engine does the same for all
# residents at once with numpy; section 2 checks that both give the same result.)
#
# Below is the complete `step` method. Read it with this guide, top to bottom. The
# numbers E2 to E17 refer to the equations in `docs/ODD.md` §7.3. Each equation is a
# small function in `model/rules.py` (`r.` in the code below); the array engine calls
# the very same functions, so there is one rule set for both.
#
# | block in the code | what it does | theory |
# |---|---|---|
# | loop over `self.ties()` | looks at every contact once: their radical belief, violence attitude, phase, prejudice | social influence through the network |
# | E2 exposure | the tie-weighted radical belief around the resident; in-group ties count more, and a radical group isolates its members | social identity (Turner 1991) |
# | E3 prejudice | prejudice relaxes towards a target that contact with other backgrounds lowers | contact hypothesis (Allport 1954), notebook 3 |
# | E4–E6 discrimination | incidents from prejudiced contacts and from institutions feed personal and group deprivation | relative deprivation (Smith et al. 2012) |
# | E7 complexity | several, cross-cutting memberships give a complex identity | Roccas and Brewer (2002) |
# | E8 uncertainty | rises with discrimination and youth, falls with complexity and on joining a group | Hogg (2007, 2014) |
# | E9 significance | rises with humiliation (personal discrimination) and not belonging | Kruglanski et al. (2014) |
# | E10 trust | follows fair treatment; radical groups teach distrust | Tyler (2006) |
# | E11 identity strategy | mobility, creativity or competition, from grievance, legitimacy and stability | Tajfel and Turner (1979) |
# | E12 radical belief | the radicalising forces, filtered by the shield (or, in phase 3, the de-radicalising force) | the shield |
# | E13 violence attitude | grows with belief, significance loss, violent peers and group norms | |
# | E14 shield | built by trust and complexity, broken by discrimination; in phase 3 it follows commitment | the shield turns around |
# | E15 transitions | thresholds with a margin (hysteresis); joining needs a recruiter's approach (`Recruiter.approach`) | Doosje et al. (2013); Weisburd et al. (2022) |

# %%
small = RadicalisationModel(n_residents=300, rng=SEED, engine="agent")
Resident = type(small.residents[0])          # the class of every resident: model/agents.py
Code(inspect.getsource(Resident.step), language="python")

# %% [markdown]
# Every `r.something(...)` call is one rule. Here are two of them: the radical belief
# (E12), where the resilience shield filters the radicalising forces before phase 3
# and the de-radicalising ones in it, and the shield's own target (E14).

# %%
Code(inspect.getsource(rules.radical_belief_update) + "\n\n" + inspect.getsource(rules.shield_target),
     language="python")

# %% [markdown]
# Each week the model first calls `step()` for every resident, and then `advance()`,
# which commits the new state. Everybody therefore reacts to the state of last week:
# the updates are *synchronous*, and the order of residents does not matter.

# %% [markdown]
# ## 2. The same rules, two engines
#
# The array engine is what you normally use, because it is hundreds of times
# faster. To trust it, check that it gives the same trajectories as the rules you
# just read: same town, same seed, both engines.

# %%
by_engine = {}
for engine in ("agent", "array"):
    run = RadicalisationModel(n_residents=300, rng=SEED, engine=engine)
    run.run_for(26)
    by_engine[engine] = run.timeseries()
columns = ["phase_1", "phase_2", "mean_radical_belief", "mean_trust", "mean_uncertainty"]
same = np.allclose(by_engine["agent"][columns], by_engine["array"][columns], rtol=0, atol=1e-9)
print("per-agent reference and array engine agree for 26 weeks:", same)
by_engine["agent"][["step", *columns]].tail(3)

# %% [markdown]
# ## 3. Find a resident who goes all the way
#
# We run the tense town for ten years with the fast engine, and note every
# resident's phase every week. Then we look for someone who starts in phase 0 and
# later reaches action. Everything is determined by the seed, so the same run can
# be replayed later.

# %%
m = RadicalisationModel(rng=SEED, **TENSE_TOWN)
phases = [[int(r.phase) for r in m.residents]]
for week in range(WEEKS):
    m.step()
    phases.append([int(r.phase) for r in m.residents])
phases = np.array(phases)                               # shape (weeks + 1, residents)

started_at_zero = phases[0] == Phase.NONE
reached_action = (phases == Phase.ACTION).any(axis=0)
candidates = np.flatnonzero(started_at_zero & reached_action)
highest = phases.max(axis=0)
print(f"residents who reached each phase at some point: "
      f"{[int((highest >= k).sum()) for k in (1, 2, 3)]} (phase 1, 2, 3)")
print(f"{len(candidates)} residents went from phase 0 all the way to action")

if len(candidates):
    first_action = [(phases[:, i] == Phase.ACTION).argmax() for i in candidates]
    who = int(candidates[np.argmin(first_action)])      # the earliest: we see the most of life after action
else:                                                   # fall back on someone who got as far as possible
    who = int(np.lexsort((-started_at_zero, -highest))[0])
    print("nobody reached action in this run; following the resident who got furthest")
person = m.residents[who]
print(f"we follow resident {who}: background {person.background}, "
      f"aged {person.age - WEEKS / 52:.0f} at the start")

# %% [markdown]
# ## 4. Replay their life, week by week
#
# Same seed, same town: the run is replayed exactly, and this time we record
# everything about our resident each week. We also note how much of their tie
# strength goes to members of a radical group (phase 2 or 3).

# %%
replay = RadicalisationModel(rng=SEED, **TENSE_TOWN)
r = replay.residents[who]
VARIABLES = ["phase", "radical_belief", "violence_attitude", "perceived_discrimination", "identity_uncertainty",
             "significance_loss", "institutional_trust", "resilience_shield", "identity_strategy"]


def observe(resident):
    row = {name: float(getattr(resident, name)) for name in VARIABLES}
    ties = resident.ties()
    strength = sum(w for _, w in ties)
    to_members = sum(w for other, w in ties if other.phase >= Phase.GROUP_MEMBERSHIP)
    row["tie_share_to_members"] = to_members / strength if strength else 0.0
    row["shield_direction"] = resident.shield_direction
    return row


life, life_age = [observe(r)], [r.age]
for week in range(WEEKS):
    replay.step()
    life.append(observe(r))
    life_age.append(r.age)
life = pd.DataFrame(life).rename_axis("week")
assert (life.phase.to_numpy() == phases[:, who]).all(), "the replay must follow the same path"
changes = life[life.phase.diff() != 0].iloc[1:]
print("phase changes (week: new phase):", {int(w): PHASE_NAMES[int(p)] for w, p in changes.phase.items()})


# %%
def shade_phases(ax):
    """Colour the background of a time axis by the resident's phase."""
    start = 0
    for week in list(changes.index) + [WEEKS]:
        ax.axvspan(start, week, color=PHASE_COLOURS[int(life.phase[start])], alpha=0.25, lw=0)
        start = week


fig, axes = plt.subplots(5, 1, figsize=(10, 13), sharex=True)
ax = axes[0]
ax.step(life.index, life.phase, where="post", color="black")
ax.set_yticks(range(4), PHASE_NAMES)
ax.set_title(f"Resident {who}: phase (background colour) over ten years", loc="left")

ax = axes[1]
ax.plot(life.radical_belief, color="#e0662d", lw=2, label="radical belief")
ax.axhline(replay.params.sensitivity_threshold, ls=":", color="black", label="threshold for phase 1")
ax.axhline(replay.params.membership_threshold, ls="--", color="black", label="belief needed to join (phase 2)")
ax.set_ylabel("level (0-1)")
ax.set_title("radical belief", loc="left")
ax.legend(frameon=True, fontsize=9, loc="lower right")

ax = axes[2]
ax.plot(life.violence_attitude, color="#a4161a", lw=2, label="attitude to violence")
ax.axhline(replay.params.action_threshold, ls="-.", color="black", label="attitude needed for action (phase 3)")
ax.set_ylabel("level (0-1)")
ax.set_title("attitude to violence", loc="left")
ax.legend(frameon=True, fontsize=9, loc="lower right")

ax = axes[3]
for name, colour in (("perceived_discrimination", "#8ac926"), ("identity_uncertainty", "#6a4c93"),
                     ("significance_loss", "#ff595e")):
    ax.plot(life[name], lw=2, color=colour, label=name.replace("_", " "))
ages = np.array(life_age)
if ages[0] <= 27 < ages[-1]:                              # the resident leaves the "young" band (12-27) during the run
    ax.axvline(int(np.argmax(ages > 27)), color="grey", ls="--", lw=1, label="turns 27: no longer young")
ax.set_ylabel("level (0-1)")
ax.set_title("drivers", loc="left")
ax.legend(frameon=True, fontsize=9, loc="upper right")

ax = axes[4]
ax.plot(life.institutional_trust, lw=2, color="#1982c4", label="institutional trust")
ax.plot(life.resilience_shield, lw=2, color="black", label="resilience shield (strength)")
ax.plot(life.tie_share_to_members, lw=2, color="#e0662d", ls="--", label="share of tie strength to group members")
ax.set_ylabel("level / share (0-1)")
ax.set_title("protection, and contact with the radical group", loc="left")
ax.legend(frameon=True, fontsize=9, loc="upper left")
ax.set_xlabel("week")
for ax in axes:
    shade_phases(ax)
fig.tight_layout()
plt.show()

# %% [markdown]
# Read the figure from top to bottom, and match what you see to the code in
# section 1.
#
# - **Before phase 1.** Look at how the drivers and the shield move before radical
#   belief crosses the first threshold. Which one changes first?
# - **Joining.** Belief above the joining threshold is not enough. A resident joins
#   only when a recruiter approaches them, in their neighbourhood or online, and
#   their shield does not hold (E15). Recruiters make a limited number of approaches
#   a week, whatever the number of sympathisers. Were our resident's friends
#   members when they joined?
# - **In the group.** Identity uncertainty drops on joining, because the group
#   supplies a clear identity (E8). Trust falls, because the group teaches distrust
#   (E10).
# - **Action.** From the first week of action, the shield moves towards radical
#   belief (E14). It is now the group's shield.
# - **Growing up.** The model treats ages 12 to 27 as "young", with extra identity
#   uncertainty and more online contacts. If the resident grows out of that band
#   during the run (dashed line), look at what happens to uncertainty.

# %% [markdown]
# ### The identity strategy
#
# Each week the resident picks one of the three answers of social identity theory
# (E11). The chance of *social competition* rises with grievance and falls with
# trust and stability. Below is the share of weeks in which our resident chose
# competition, over a sliding half-year.

# %%
competition = (life.identity_strategy == 2).astype(float).rolling(26, min_periods=1).mean()
fig, ax = plt.subplots(figsize=(10, 3))
ax.plot(competition, color="black", lw=2)
shade_phases(ax)
ax.set_xlabel("week")
ax.set_ylabel("share of weeks (26-week window)")
ax.set_title("How often the resident chose social competition", loc="left")
plt.show()

# %% [markdown]
# ### Who were they tied to when they joined?
#
# We replay the town once more, up to the week before our resident joined a radical
# group. Then we draw their direct contacts. A contact's colour is their phase, and
# the width of a line is the tie strength.

# %%
joined = life.index[(life.phase >= Phase.GROUP_MEMBERSHIP) & (life.phase.shift() < Phase.GROUP_MEMBERSHIP)]
if len(joined):
    week_joined = int(joined[0])
    before = RadicalisationModel(rng=SEED, **TENSE_TOWN)
    before.run_for(week_joined - 1)
    ties = before.residents[who].ties()
    star = nx.star_graph(len(ties))
    pos = nx.shell_layout(star, [[0], list(range(1, len(ties) + 1))])
    fig, ax = plt.subplots(figsize=(8, 6))
    nx.draw_networkx_edges(star, pos, ax=ax, width=[3 * w for _, w in ties], alpha=0.5)
    nx.draw_networkx_nodes(star, pos, ax=ax, node_color=[PHASE_COLOURS[int(before.residents[who].phase)]]
                           + [PHASE_COLOURS[int(o.phase)] for o, _ in ties], node_size=[300] + [120] * len(ties),
                           edgecolors="black")
    for k, name in enumerate(PHASE_NAMES):
        ax.scatter([], [], color=PHASE_COLOURS[k], label=name, edgecolors="black")
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=9)
    ax.set_title(f"Resident {who} (centre) and their {len(ties)} contacts, week {week_joined - 1}")
    ax.set_axis_off()
    plt.show()
    members = sum(1 for o, _ in ties if o.phase >= Phase.GROUP_MEMBERSHIP)
    print(f"{members} of {len(ties)} contacts were in a radical group; "
          + ("their belief pulled on our resident's (E2), " if members else "no member pulled on their belief; ")
          + "joining itself took a recruiter's approach (E15).")

# %% [markdown]
# ## 5. Experiment: the shield turns around
#
# The seed document claims that, in the action phase, the shield protects the
# group instead of the person, so outside voices hardly reach them any more. In the
# model this is the line `if in_action: deradicalising *= 1.0 - H` in E12. We test
# it with a controlled experiment.
#
# 1. Run a town with enough radicals: many radical relatives, and a low threshold
#    for action.
# 2. Make two identical copies of it (same seed).
# 3. In one copy, every resident who is not radical (phase 0) suddenly voices zero
#    radical belief: counter-voices all around.
# 4. Run both copies one more week and compare how much radical belief fell in each
#    phase. The difference between the copies is the effect of the counter-voices.
#
# During the measured week we switch off group isolation and the pull of the group
# (`update_parameters`). Otherwise members would hardly hear the counter-voices at
# all, and the only difference left between phases 2 and 3 is the direction of the
# shield.

# %%
RADICAL_TOWN = dict(n_residents=1_500, radical_family_share=0.1, action_threshold=0.3, action_hazard=0.1,
                    recruiter_approaches=40.0)
extra_drop = {"phase 1-2": [], "phase 3": []}
for seed in (1, 2, 3):
    drops = []
    for counter_voices in (False, True):
        town = RadicalisationModel(rng=seed, **RADICAL_TOWN)
        town.run_for(120)
        phase_now = np.array([int(x.phase) for x in town.residents])
        town.update_parameters(group_isolation=0.0, group_pull=0.0)
        if counter_voices:
            for x in town.residents:
                if x.phase == Phase.NONE:
                    x.radical_belief = 0.0
        belief_before = np.array([x.radical_belief for x in town.residents])
        town.step()
        drops.append(belief_before - np.array([x.radical_belief for x in town.residents]))
    effect = drops[1] - drops[0]                       # the fall in belief caused by the counter-voices
    extra_drop["phase 1-2"].append(effect[(phase_now == 1) | (phase_now == 2)].mean())
    extra_drop["phase 3"].append(effect[phase_now == 3].mean())
    print(f"seed {seed}: {np.sum((phase_now == 1) | (phase_now == 2))} residents in phase 1-2, "
          f"{np.sum(phase_now == 3)} in phase 3")

fig, ax = plt.subplots(figsize=(6, 3.5))
means = {k: np.mean(v) for k, v in extra_drop.items()}
ax.bar(list(means), list(means.values()), color=[PHASE_COLOURS[2], PHASE_COLOURS[3]])
for k, v in enumerate(extra_drop.values()):
    ax.scatter([k] * len(v), v, color="black", zorder=3, s=15, label="one seed" if k == 0 else None)
ax.set_ylabel("extra fall in radical belief\nin one week (0-1 scale)")
ax.set_title("Effect of counter-voices, by phase")
ax.legend(frameon=False)
plt.show()

# %% [markdown]
# ## What this shows, and what it does not
#
# - The path you followed is one path that the model's assumptions produce. Real
#   paths are more varied: there is no single profile of a radical, and no
#   conveyor belt from one phase to the next (Horgan 2008). In the model too, most
#   residents with the same drivers never join. Exercise 1 asks you to check that.
# - The shield experiment confirms a property of the rules as they are written. It
#   is not empirical evidence that the shield turns around in real people. For that
#   you need data on people in the action phase, which the model does not use.

# %% [markdown]
# ## Exercises
#
# **1. No profile.** Find the residents who had about the same perceived
# discrimination and uncertainty as our resident at the week they entered phase 1,
# but who never joined a group. How many are there? What made the difference?
#
# <details><summary>Hint</summary>
#
# Rerun the tense town to that week (`run_for(week)`), and collect
# `perceived_discrimination`, `identity_uncertainty` and `resilience_shield` of all
# residents from `m.residents`. Use `phases` (section 3) to see who ever reached
# phase 2. Compare the shield and the tie share to members of both groups.
# </details>
#
# **2. A fairer town, in time.** Replay the same seed, but at the week our resident
# entered phase 1, make institutions fairer:
# `update_parameters(institutional_fairness=0.9)`. Does the resident still reach
# action? Does anything change for the town as a whole?
#
# <details><summary>Hint</summary>
#
# `run_for(week)`, then `update_parameters(...)`, then `run_for(WEEKS - week)`.
# Use `observe(r)` in a loop if you want the whole path.
# </details>
#
# **3. One week by hand.** Pick a week in phase 1. Compute the change in radical
# belief from E12 with the values in `life`. You need the exposure X, which you can
# get from `r.ties()`. Does your number match the next row of `life`?
#
# <details><summary>Hint</summary>
#
# Outside a radical group, X is the tie-weighted mean radical belief of the contacts,
# with out-group ties weighted by `replay.params.outgroup_influence`. Ties to group
# members are weakened by `group_isolation` (E2). The identity strategy that week
# (2 = competition) switches the competition drive on or off.
# </details>
#
# **4. Shield strength.** In the experiment of section 5, which phase-3 residents
# still lost some belief? Plot each phase-3 resident's extra drop against their
# `resilience_shield`.
#
# <details><summary>Hint</summary>
#
# Keep the arrays from the last seed: `effect`, `phase_now` and
# `[x.resilience_shield for x in town.residents]` before the measured week. The
# rule says the pull is multiplied by `1 - shield`.
# </details>
#
# **5. Online recruiters.** Set `online_recruiter_approaches=0` in `TENSE_TOWN`
# and search again. How many residents now go all the way to action? Which route
# into the group is left?
#
# <details><summary>Hint</summary>
#
# Add `online_recruiter_approaches=0.0` to the dictionary and rerun sections 3
# and 4. The approaches are made by `Recruiter.approach` in `model/agents.py`.
# </details>

# %% [markdown]
# ## References
#
# - De Wolf, A., & Doosje, B. (2010). *Aanpak van radicalisme: een psychologische analyse*. SWP.
# - Doosje, B., Loseman, A., & Van den Bos, K. (2013). Determinants of radicalization of Islamic youth in the Netherlands: personal uncertainty, perceived injustice, and perceived group threat. *Journal of Social Issues*, 69(3), 586–604.
# - Hogg, M. A. (2007). Uncertainty–identity theory. *Advances in Experimental Social Psychology*, 39, 69–126.
# - Hogg, M. A. (2014). From uncertainty to extremism: social categorization and identity processes. *Current Directions in Psychological Science*, 23(5), 338–342.
# - Horgan, J. (2008). From profiles to pathways and roots to routes: perspectives from psychology on radicalization into terrorism. *The Annals of the American Academy of Political and Social Science*, 618(1), 80–94.
# - Kruglanski, A. W., Gelfand, M. J., Bélanger, J. J., et al. (2014). The psychology of radicalization and deradicalization: how significance quest impacts violent extremism. *Political Psychology*, 35(S1), 69–93.
# - Roccas, S., & Brewer, M. B. (2002). Social identity complexity. *Personality and Social Psychology Review*, 6(2), 88–106.
# - Smith, H. J., Pettigrew, T. F., Pippin, G. M., & Bialosiewicz, S. (2012). Relative deprivation: a theoretical and meta-analytic review. *Personality and Social Psychology Review*, 16(3), 203–232.
# - Tajfel, H., & Turner, J. C. (1979). An integrative theory of intergroup conflict. In W. G. Austin & S. Worchel (Eds.), *The Social Psychology of Intergroup Relations* (pp. 33–47). Brooks/Cole.
# - Turner, J. C. (1991). *Social Influence*. Open University Press.
# - Tyler, T. R. (2006). *Why People Obey the Law*. Princeton University Press.
# - Weisburd, D., Wolfowicz, M., Hasisi, B., Paolucci, M., & Andrighetto, G. (2022). What is the best approach for preventing recruitment to terrorism? Findings from ABM experiments in social and situational prevention. *Criminology & Public Policy*, 21(2), 461–485.
