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
# # 4. Inclusion and the grey middle
#
# A municipality worried about radicalisation can make its institutions fairer
# for the groups it worries about, or for everybody. The seed document warns that
# a policy that serves only some groups can make the large, quiet **grey middle**
# angry. This notebook tests that warning in the model: the same towns with no
# policy, with an inclusion policy aimed at minority backgrounds only, and with
# one that serves everybody (the Utrecht approach).
#
# **What you learn**
#
# - Brandsma's five polarisation roles, and how radsim turns them into behaviour
#   with effects;
# - how to compare policies on the *same* towns (common random numbers), with
#   paired differences and 95% confidence intervals;
# - that a significant difference is not necessarily a large one;
# - that a policy's side effects can fall on people who were never its target,
#   and on the other side of the town (reciprocal radicalisation).

# %% [markdown]
# ## Theory in brief
#
# **Polarisation roles.** Brandsma (2017) describes polarisation as a thought
# pattern of *us against them*, fed by identity statements ("they are all ..."). He
# distinguishes five roles:
#
# - **pushers** at both poles, who supply the statements;
# - **joiners**, who choose a side;
# - the **silent middle**, which does not choose (in Dutch, the *grijze
#   middengroep*);
# - **bridge builders**, who try to connect the poles;
# - **scapegoats**, people in the middle whom the poles blame.
#
# His advice to policymakers is not to argue with the pushers but to invest in the
# middle: change the topic, position yourself in the middle, and change the tone.
# A middle that feels ignored, or blamed for what others did, loses trust.
#
# **Inclusion.** Procedural justice theory says that people accept and trust
# institutions that treat them fairly (Tyler 2006). The seed document describes an
# inclusive city policy that serves *everyone*, the grey middle included, instead
# of singling out groups at risk, and warns that a policy aimed at some groups
# only is seen by the others as unfair.
#
# **Two poles.** The town has two radical movements: a grievance movement that
# recruits among minority residents, and an anti-minority movement that recruits
# among majority residents on threat. The acts of one are trigger events for the
# other: reciprocal radicalisation (Eatwell 2006; Moghaddam 2018).

# %% [markdown]
# ## How radsim encodes the roles and the policy
#
# **Roles as behaviour** (`docs/ODD.md` §7.3, E19). Each week every resident has
# one role, read from their state, in this order:
#
# | role | who | what it does |
# |---|---|---|
# | pusher | a member of a radical group (either pole), or a resident with prejudice at least `pusher_prejudice` | raises the prejudice of those they reach (E3); singles out scapegoats on the other side (E4) |
# | joiner | a sympathiser (phase 1) | has taken a side |
# | bridge builder | phase 0, prejudice at most `bridge_prejudice`, and at least `bridge_contact` of their tie strength across backgrounds | lowers the prejudice of those they reach (E3) |
# | scapegoat | phase 0, with at least `scapegoat_exposure` of their tie strength to the other side's pushers | meets more discrimination incidents (E4) |
# | silent middle | everyone else | loses trust when neglected or blamed (E10) |
#
# **The inclusion policy** (§7.5). For everyone it reaches, institutional
# discrimination falls by the share `discrimination_relief`·*k*, and institutional
# fairness closes `fairness_gap_closed`·*k* of its gap to 1, which raises trust. If
# it is aimed at some backgrounds only, the residents of the other backgrounds feel
# **neglected** (λn = `neglect_felt`·*k*): their trust target falls by
# `neglect_trust`·λn (E10), and majority residents' prejudice target rises by
# `neglect_prejudice`·λn (E3). A policy for everybody neglects nobody. The
# magnitudes are modelling choices (the neglect is an assumption), not estimates.

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown

from experiments.seeds import replication_seed
from experiments.stats import mean_ci
from model import RadicalisationModel, rules

plt.rcParams.update({"figure.dpi": 100, "axes.grid": True, "grid.alpha": 0.3, "font.size": 11,
                     "axes.spines.top": False, "axes.spines.right": False})

ROLE_NAMES = {r: r.name.lower().replace("_", " ") for r in rules.PolarisationRole}
ROLE_COLUMNS = {f"role_{r.name.lower()}": ROLE_NAMES[r] for r in rules.PolarisationRole}
ROLE_COLOURS = {"silent middle": "#8d99ae", "pusher": "#a4161a", "joiner": "#f2b134", "bridge builder": "#2a9d8f",
                "scapegoat": "#6a4c93"}
MOVEMENTS = {m.name.lower(): f"the {m.name.lower().replace('_', '-')} movement" for m in rules.Movement}

# %% [markdown]
# ## Scale: small by default
#
# Eight replications of a town of 5,000 residents over six years, in three arms,
# run in well under a minute.
#
# **To scale up**, set `SCALE = "large"`: 20 replications of 10,000 residents over
# ten years (several minutes).

# %%
SCALE = "small"   # <- change to "large" to scale up
N_RESIDENTS, WEEKS, REPLICATIONS = {"small": (5_000, 312, 8), "large": (10_000, 520, 20)}[SCALE]
BASE_SEED = 4
POLICY_START = 52
ARMS = {
    "no policy": [],
    "inclusion for minorities only": [{"type": "inclusion_policy", "start": POLICY_START,
                                       "target": {"backgrounds": [1, 2]}}],
    "inclusion for everybody": [{"type": "inclusion_policy", "start": POLICY_START}],
}
ARM_COLOURS = {"no policy": "grey", "inclusion for minorities only": "#e76f51", "inclusion for everybody": "#2a9d8f"}
print(f"{REPLICATIONS} replications x {len(ARMS)} arms of {N_RESIDENTS:,} residents, {WEEKS} weeks; "
      f"the policies start in week {POLICY_START}")

# %% [markdown]
# ## 1. Run the arms
#
# Replication *k* uses the same seed in every arm (common random numbers), so the
# arms share the town, the residents and their random draws; interventions draw
# from a stream of their own. The only difference between the arms is the policy.
# We keep each run's weekly time series (the DataCollector), its outcomes at the
# end, and one thing more: who was in the silent middle in the week the policies
# started, so that we can follow **the same residents** to the end.

# %%
series, finals, acts_seen = [], [], {}
for k in range(REPLICATIONS):
    for arm, interventions in ARMS.items():
        m = RadicalisationModel(n_residents=N_RESIDENTS, rng=replication_seed(BASE_SEED, k),
                                interventions=interventions)
        m.run_for(POLICY_START)
        middle_at_start = m.state.polarisation_role == rules.PolarisationRole.SILENT_MIDDLE
        m.run_for(WEEKS - POLICY_START)
        series.append(m.timeseries().assign(arm=arm, replication=k))
        last = m.outcomes()
        s, majority = m.state, m.town.background == 0
        middle_now = s.polarisation_role == rules.PolarisationRole.SILENT_MIDDLE
        finals.append({
            "arm": arm, "replication": k,
            "trust of the silent middle": last["mean_trust_silent_middle"],
            "majority prejudice": last["mean_prejudice_majority"],
            **{f"sympathisers of {MOVEMENTS[name]}": sum(last[f"phase_{j}_{name}"] for j in (1, 2, 3))
               for name in MOVEMENTS},
            **{f"young sympathiser share, {MOVEMENTS[name]}": last[f"young_sympathiser_share_{name}"]
               for name in MOVEMENTS},
            **{f"acts of {MOVEMENTS[name]}": last[f"acts_{name}"] for name in MOVEMENTS},
            "trust of the week-52 silent middle": s.institutional_trust[middle_at_start].mean(),
            "sd trust (silent middle)": s.institutional_trust[middle_now].std(),
            "sd prejudice (majority)": s.prejudice[majority].std(),
            "size of the silent middle": last["role_silent_middle"],
        })
        if arm == "no policy":                               # for the acts in section 5
            acts_seen[k] = {"acts": [list(weeks) for weeks in m.act_weeks],
                            "threat": series[-1][["step", "threat", "threat_minority"]]}
series, finals = pd.concat(series, ignore_index=True), pd.DataFrame(finals)
SD_COLUMNS = ["sd trust (silent middle)", "sd prejudice (majority)"]
finals.drop(columns=["replication", *SD_COLUMNS]).groupby("arm", sort=False).mean().T.round(3)

# %% [markdown]
# ## 2. The roles over time
#
# First the town without a policy: how many residents hold each role, week by week
# (the mean over replications). The scale is logarithmic, because the silent
# middle is by far the largest group.

# %%
roles = series.rename(columns=ROLE_COLUMNS)
no_policy = roles[roles.arm == "no policy"].groupby("step")[list(ROLE_COLUMNS.values())].mean()
fig, ax = plt.subplots(figsize=(10, 4))
for role in ROLE_COLUMNS.values():
    ax.plot(no_policy.index, no_policy[role], lw=2, color=ROLE_COLOURS[role], label=role)
ax.set_yscale("log")
ax.set_xlabel("week")
ax.set_ylabel("residents (log scale)")
ax.set_title(f"Polarisation roles without a policy (mean of {REPLICATIONS} towns of {N_RESIDENTS:,})", loc="left")
ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
plt.show()
end = no_policy.iloc[-1]
Markdown(f"At week {WEEKS}, without a policy, the residents of the town of {N_RESIDENTS:,} hold these roles "
         "(mean over replications): "
         + ", ".join(f"{role} {end[role]:,.0f}" for role in end.sort_values(ascending=False).index)
         + f". The silent middle is {end['silent middle'] / N_RESIDENTS:.0%} of the town.")

# %% [markdown]
# Now each role in each arm. The black line marks the start of the policies.

# %%
fig, axes = plt.subplots(1, 5, figsize=(18, 3.8), sharex=True)
for ax, role in zip(axes, ROLE_COLUMNS.values()):
    for arm, group in roles.groupby("arm", sort=False):
        mean = group.groupby("step")[role].mean()
        ax.plot(mean.index, mean.values, color=ARM_COLOURS[arm], lw=2, label=arm)
    ax.axvline(POLICY_START, color="black", lw=1)
    ax.set_title(role, loc="left", color=ROLE_COLOURS[role])
    ax.set_xlabel("week")
axes[0].set_ylabel("residents")
fig.legend(*axes[0].get_legend_handles_labels(), frameon=False, ncols=3, loc="lower center",
           bbox_to_anchor=(0.5, -0.1))
fig.tight_layout()
plt.show()

# %%
at_end = roles[roles.step == WEEKS].groupby("arm", sort=False)[list(ROLE_COLUMNS.values())].mean()
shift = at_end - at_end.loc["no policy"]
Markdown("\n".join(
    f"- With **{arm}**, residents per role at week {WEEKS}, against no policy: "
    + ", ".join(f"{role} {shift.loc[arm, role]:+,.0f}" for role in ROLE_COLUMNS.values()) + "."
    for arm in list(ARMS)[1:]))

# %% [markdown]
# ## 3. The grey-middle experiment: paired differences
#
# For each replication we take the difference between an arm and "no policy" in the
# same town. Because of common random numbers this is a *paired* difference, and we
# give its mean with a 95% t-interval (`experiments.stats.mean_ci`). If the
# interval excludes zero, the difference is unlikely to be chance alone, *in this
# model*.

# %%
MEASURES = ["trust of the silent middle", "majority prejudice",
            *(f"sympathisers of {name}" for name in MOVEMENTS.values())]
baseline = finals[finals.arm == "no policy"].set_index("replication")
rows = []
for arm in list(ARMS)[1:]:
    mine = finals[finals.arm == arm].set_index("replication")
    for measure in [*MEASURES, "trust of the week-52 silent middle",
                    *(f"young sympathiser share, {name}" for name in MOVEMENTS.values()),
                    *(f"acts of {name}" for name in MOVEMENTS.values())]:
        mean, low, high = mean_ci(mine[measure] - baseline[measure])
        rows.append({"arm": arm, "measure": measure, "baseline": baseline[measure].mean(), "difference": mean,
                     "low": low, "high": high})
differences = pd.DataFrame(rows)

fig, axes = plt.subplots(1, len(MEASURES), figsize=(17, 3.4))
for ax, measure in zip(axes, MEASURES):
    for i, arm in enumerate(list(ARMS)[1:]):
        row = differences[(differences.arm == arm) & (differences.measure == measure)].iloc[0]
        ax.errorbar(row.difference, i, xerr=[[row.difference - row.low], [row.high - row.difference]], fmt="o",
                    ms=8, color=ARM_COLOURS[arm], capsize=4, lw=2)
    ax.axvline(0, color="grey", lw=1)
    ax.set_yticks(range(len(ARMS) - 1), list(ARMS)[1:] if ax is axes[0] else [""] * (len(ARMS) - 1))
    ax.set_ylim(-0.7, len(ARMS) - 1.3)
    ax.xaxis.set_major_locator(plt.MaxNLocator(4))
    ax.set_title(measure, fontsize=10, loc="left")
    ax.set_xlabel("residents" if measure.startswith("sympathisers") else "0-1 scale")
fig.suptitle(f"Difference from no policy at week {WEEKS}, mean and 95% CI ({REPLICATIONS} paired replications)")
fig.tight_layout()
plt.show()


# %%
def quoted(arm, measure, digits=3):
    """'difference (95% CI low to high)' for one arm and measure."""
    row = differences[(differences.arm == arm) & (differences.measure == measure)].iloc[0]
    return f"{row.difference:+.{digits}g} (95% CI {row.low:+.{digits}g} to {row.high:+.{digits}g})"


def clear(arm, measure):
    """+1 or -1 if the interval lies above or below zero, 0 if it includes zero."""
    row = differences[(differences.arm == arm) & (differences.measure == measure)].iloc[0]
    return 1 if row.low > 0 else -1 if row.high < 0 else 0


bullets = []
for arm in list(ARMS)[1:]:
    parts = [f"*{measure}* {quoted(arm, measure)}" for measure in MEASURES]
    bullets.append(f"- **{arm}** against no policy: " + "; ".join(parts) + ".")
targeted, everybody = list(ARMS)[1:]
backfire = clear(targeted, "trust of the silent middle") < 0 and clear(targeted, "majority prejudice") > 0
no_backfire = clear(everybody, "trust of the silent middle") >= 0 and clear(everybody, "majority prejudice") <= 0
verdict = ("So the seed's warning holds in the model: the policy for minorities only lowers the silent middle's "
           "trust and raises majority prejudice, and the policy for everybody does neither."
           if backfire and no_backfire else
           "The seed's warning does not hold in full in these replications: "
           f"the policy for minorities only {'does' if backfire else 'does not clearly'} lower the middle's trust and "
           f"raise majority prejudice, and the policy for everybody {'does not' if no_backfire else 'does'}.")
Markdown("\n".join(bullets) + "\n\n" + verdict)

# %% [markdown]
# ### The middle's trust: a change of people, or of minds?
#
# The silent middle is a role, read from the state every week, so the arms end with
# middles of different residents. Its mean trust can change because its members
# feel differently, or because other residents now count as the middle. Common
# random numbers let us separate the two: we follow the residents who were in the
# silent middle in week 52, when the policies started, in every arm.

# %%
rows = [f"- **{arm}**: the silent middle at the end {quoted(arm, 'trust of the silent middle')}; the residents who "
        f"were the silent middle in week {POLICY_START} {quoted(arm, 'trust of the week-52 silent middle')}."
        for arm in list(ARMS)[1:]]
Markdown(f"Trust, difference from no policy (no policy: {baseline['trust of the silent middle'].mean():.3f} for the "
         f"middle at the end, {baseline['trust of the week-52 silent middle'].mean():.3f} for the week-52 middle):\n\n"
         + "\n".join(rows))

# %% [markdown]
# ## 4. Significant is not the same as large
#
# An interval that excludes zero says that a difference is unlikely to be chance
# *in this model*. It says nothing about whether it is large enough to matter. With
# common random numbers the paired differences are precise, so a tiny effect can
# have a tight interval. Two ways to judge size (as in notebook 3):
#
# - **standardised**, for trust and prejudice (0-1 scales that every resident
#   has): the difference divided by how much residents differ from each other (the
#   between-resident standard deviation without the policy). This is Cohen's *d*; we
#   call below 0.1 negligible, 0.1 to 0.5 small, 0.5 to 0.8 medium and above 0.8
#   large (Cohen 1988).
# - **relative to the baseline**, for counts of residents: the difference as a share
#   of the level without the policy. We call below 5% negligible, below 20% small
#   and below 50% medium; those bounds are a convention of ours, not a standard.

# %%
RESIDENT_SD = {"trust of the silent middle": baseline["sd trust (silent middle)"].mean(),
               "majority prejudice": baseline["sd prejudice (majority)"].mean()}
sizes = differences[differences.measure.isin(MEASURES)].copy()
sizes["significant"] = [clear(a, m) != 0 for a, m in zip(sizes.arm, sizes.measure)]
sizes["standardised d"] = [d / RESIDENT_SD[m] if m in RESIDENT_SD else np.nan
                           for d, m in zip(sizes.difference, sizes.measure)]
sizes["relative to baseline"] = sizes.difference / sizes.baseline


def size(row):
    """Words for the size of an effect: by Cohen's d where a between-resident sd exists, else relative."""
    value, bounds = ((abs(row["standardised d"]), (0.1, 0.5, 0.8)) if np.isfinite(row["standardised d"])
                     else (abs(row["relative to baseline"]), (0.05, 0.2, 0.5)))
    return ("negligible", "small", "medium", "large")[int(np.searchsorted(bounds, value, side="right"))]


sizes["size"] = sizes.apply(size, axis=1)
sizes.round(3)


# %%
def judged(row):
    """An effect with the number its size was judged by."""
    by = (f"d = {row['standardised d']:+.3f}" if np.isfinite(row["standardised d"])
          else f"{row['relative to baseline']:+.0%} of its baseline {row.baseline:.3g}")
    return f"*{row.arm}* on *{row.measure}* ({row.difference:+.3g}, {by}, {row['size']})"


significant = sizes[sizes.significant]
negligible = significant[significant["size"] == "negligible"]
unclear = sizes[~sizes.significant]
largest = sizes.loc[sizes["standardised d"].abs().idxmax()]
Markdown(f"{len(significant)} of the {len(sizes)} differences have an interval that excludes zero, and "
         f"{len(negligible)} of those are negligible in size"
         + (": " + "; ".join(judged(row) for _, row in negligible.iterrows()) + "." if len(negligible) else ".")
         + (" The interval includes zero for " + "; ".join(judged(row) for _, row in unclear.iterrows()) + "."
            if len(unclear) else "")
         + f" The largest on a 0-1 scale is {judged(largest)}. Report both: the interval says whether the model's "
         "difference is more than chance, the effect size whether anyone in the town would notice it. And both are "
         "about the model: the neglect that drives the backfire is an assumption (`neglect_felt`), not a measurement.")

# %% [markdown]
# ## 5. Reciprocal radicalisation, briefly
#
# Each act of one movement is a trigger event for the other side (E1, E20): it
# raises the threat that side feels, with diminishing effect as acts accumulate.
# Below, one town without a policy: the threat felt by majority residents (raised
# by acts of the grievance movement) and by minority residents (raised by acts of
# the anti-minority movement), with a mark for every act.

# %%
shown = max(acts_seen, key=lambda k: (min(len(w) for w in acts_seen[k]["acts"]), sum(map(len, acts_seen[k]["acts"]))))
ts = acts_seen[shown]["threat"]                          # the town with the most acts of both movements
fig, ax = plt.subplots(figsize=(10, 3.6))
ax.plot(ts.step, ts.threat, color="#1982c4", lw=2, label="threat felt by majority residents")
ax.plot(ts.step, ts.threat_minority, color="#e76f51", lw=2, label="threat felt by minority residents")
for name, colour, y in (("grievance", "#1982c4", -0.02), ("anti_minority", "#e76f51", -0.04)):
    weeks = acts_seen[shown]["acts"][rules.Movement[name.upper()]]
    ax.plot(weeks, [y] * len(weeks), "|", ms=12, color=colour, label=f"an act of {MOVEMENTS[name]}")
ax.set_xlabel("week")
ax.set_ylabel("threat (0-1)")
ax.set_title(f"Acts of one movement are threat for the other side (replication {shown}, no policy)", loc="left")
ax.legend(frameon=False, fontsize=9, loc="upper left", bbox_to_anchor=(1.0, 1.0))
plt.show()

# %%
acts = finals.groupby("arm", sort=False)[[f"acts of {name}" for name in MOVEMENTS.values()]].mean()
lines = [f"- **{arm}**: " + "; ".join(f"{acts.loc[arm, f'acts of {name}']:.2f} acts of {name}"
                                       for name in MOVEMENTS.values()) for arm in ARMS]
changes = [f"*{arm}* changes the acts of the anti-minority movement by "
           f"{quoted(arm, 'acts of the anti-minority movement', 2)} and those of the grievance movement by "
           f"{quoted(arm, 'acts of the grievance movement', 2)}" for arm in list(ARMS)[1:]]
act_measures = [f"acts of {name}" for name in MOVEMENTS.values()]
all_unclear = all(clear(arm, measure) == 0 for arm in list(ARMS)[1:] for measure in act_measures)
Markdown(f"Acts per town in {WEEKS} weeks, mean of {REPLICATIONS} replications:\n\n" + "\n".join(lines)
         + "\n\nAgainst no policy, " + "; ".join(changes) + "."
         + (" Every one of these intervals includes zero: acts are rare in a town of this size, so their number "
            "is a poor outcome for a small experiment, and the sympathisers of each movement (section 3) are a "
            "better one." if all_unclear else
            " Acts are rare, so read these intervals with care beside the sympathisers of section 3."))

# %% [markdown]
# ## What this shows, and what it does not
#
# - It shows a mechanism that policymakers should know: in the model, a policy that
#   serves some groups only can move the rest of the town, the middle's trust and
#   the other pole, in the opposite direction. A policy for everybody does not have
#   that cost.
# - It shows how to make such a comparison fair: the same towns, the same chance,
#   paired differences with confidence intervals, and an effect size beside each.
# - It does **not** show that targeted policies backfire in real towns, or by how
#   much. The backfire exists in the model because the neglect is built in
#   (`neglect_felt`, `neglect_trust`, `neglect_prejudice`), with magnitudes chosen by
#   hand; the experiment shows what follows *if* the seed's warning is right.
# - The roles follow Brandsma's descriptions, but radsim reads them from attitudes
#   and phases with thresholds (E19). Brandsma's roles are about public behaviour
#   (speaking, choosing sides), which the model does not have.

# %% [markdown]
# ## Exercises
#
# **1. No neglect.** Switch the neglect off in the targeted arm:
# `{"type": "inclusion_policy", "start": 52, "target": {"backgrounds": [1, 2]}, "neglect_felt": 0.0}`. Which
# differences of section 3 disappear? What is left is the effect of the policy
# itself.
#
# <details><summary>Hint</summary>
#
# Add an arm to `ARMS` and a colour to `ARM_COLOURS`, and rerun from section 1.
# </details>
#
# **2. Intensity.** The policies run at the default intensity 0.5. Try
# `"intensity": 1.0` in both. Does the targeted policy's backfire grow as fast as
# its benefit for the grievance movement?
#
# <details><summary>Hint</summary>
#
# The neglect is `neglect_felt`·*k* and the relief `discrimination_relief`·*k*: both
# scale with *k*, but they act on different residents.
# </details>
#
# **3. Blame.** After an attack or an act of the grievance movement, the
# minority's silent middle is held collectively responsible: its trust target
# falls with the threat the majority feels (E10, `blame_trust`). Schedule an attack
# (`attack_weeks=[150]`) in every arm. What happens to the silent middle's trust?
# Which residents does it hit?
#
# <details><summary>Hint</summary>
#
# Pass `attack_weeks=[150]` to `RadicalisationModel`, and split the trust of the
# silent middle by background with `m.state.institutional_trust`,
# `m.state.polarisation_role` and `m.town.background`.
# </details>
#
# **4. Scapegoats and early signalling.** An early-signalling programme that falsely
# flags young people in phase 0 labels them (§7.5). Add an arm
# `{"type": "early_signalling", "start": 52, "screening_share": 0.02, "false_positive_rate": 0.3}`.
# Does labelling make scapegoats, or does it push the labelled into the joiners?
#
# <details><summary>Hint</summary>
#
# Compare the role counts of section 2, and the young sympathiser shares of
# section 3. Because radicalisation is rare, most flags are false alarms (the
# base-rate fallacy, Bar-Hillel 1980).
# </details>
#
# **5. More replications.** With `SCALE = "large"`, which differences of section 3
# change sign, and which intervals only get narrower? What does that tell you about
# the small run?

# %% [markdown]
# ## References
#
# - Bar-Hillel, M. (1980). The base-rate fallacy in probability judgments. *Acta Psychologica*, 44(3), 211–233.
# - Brandsma, B. (2017). *Polarisation: Understanding the Dynamics of Us versus Them*. BB in Media.
# - Cohen, J. (1988). *Statistical Power Analysis for the Behavioral Sciences* (2nd ed.). Lawrence Erlbaum.
# - Eatwell, R. (2006). Community cohesion and cumulative extremism in contemporary Britain. *The Political Quarterly*, 77(2), 204–216.
# - Moghaddam, F. M. (2018). *Mutual Radicalization: How Groups and Nations Drive Each Other to Extremes*. American Psychological Association.
# - Tyler, T. R. (2006). *Why People Obey the Law*. Princeton University Press.
