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
# A municipality worried about radicalisation can aim at the few, or at the many.
# It can try to **spot young people at risk early** (early signalling), or it can
# make its institutions **fairer for everyone** (an inclusion policy). This
# notebook compares the two. The focus is on a group that usually gets no attention
# at all: the large, quiet **grey middle**.
#
# **What you learn**
#
# - Brandsma's five polarisation roles, and how to read them off a simulated town;
# - why a screening instrument with imperfect precision mostly flags people who are
#   not at risk (the base rate), and what the label can do to them;
# - how to follow the *same* residents with and without a policy;
# - that a policy's side effects can fall on people who were never its target.

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
# - **bridge builders**, who try to connect the poles and are often distrusted by
#   both;
# - **scapegoats**, people in the middle whom the poles blame.
#
# His advice to policymakers is not to argue with the pushers but to invest in the
# middle: change the topic, position yourself in the middle, and change the tone.
#
# **Inclusion.** Procedural justice theory says that people accept and trust
# institutions that treat them fairly, whatever the outcome (Tyler 2006). The seed
# document describes an inclusive city policy that serves *everyone*, the grey
# middle included, instead of singling out groups at risk.
#
# **Early signalling and labelling.** Professionals such as teachers and youth
# workers are asked to signal young people who show signs of radicalisation. The
# seed warns of a risk: a young person who is only exploring their religion may be
# labelled radical, which is itself a form of discrimination. Labelling theory
# (Becker 1963) predicts that a label can push people towards the very identity it
# names. Because radicalisation is rare, even a fairly accurate instrument produces
# mostly false alarms: this is the **base-rate fallacy** (Bar-Hillel 1980).

# %% [markdown]
# ## How radsim encodes the two policies
#
# (`docs/ODD.md` §7.5)
#
# - **Inclusion policy** (intensity *k*) reaches every resident. Institutional
#   discrimination falls by the share 0.5·*k*, and institutional fairness closes
#   0.5·*k* of its gap to 1, which raises trust. The model contains no backfire for
#   it.
# - **Early signalling** reaches young people aged 12 to 27. Each week a share of
#   them (`screening_share`) is screened.
#   - Residents in phase 1 or higher are flagged with probability `sensitivity`
#     and get care and a stronger shield.
#   - Residents in phase 0 are *falsely* flagged with probability
#     `false_positive_rate`. They experience the label as discrimination: personal
#     discrimination and significance loss jump, and trust falls for half a year.
#
# The magnitudes are modelling choices, not estimates.
#
# **Roles.** radsim has no roles built in. We read them off each resident's
# state, with thresholds that *we* choose. Choosing them is an act of
# operationalisation, and exercise 1 asks you to question our choices.
#
# | role | rule used in this notebook |
# |---|---|
# | pusher | in a radical group (phase 2 or 3) |
# | joiner | sympathiser (phase 1) |
# | scapegoat | in phase 0, but falsely flagged as radical at least once |
# | bridge builder | in phase 0, low radical belief (< 0.15), low prejudice (< 0.25), and at least a quarter of tie strength to other backgrounds |
# | silent middle | everyone else in phase 0 |

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from experiments.stats import mean_ci
from model import Phase, RadicalisationModel

plt.rcParams.update({"figure.dpi": 100, "axes.grid": True, "grid.alpha": 0.3, "font.size": 11,
                     "axes.spines.top": False, "axes.spines.right": False})

# %% [markdown]
# ## Scale: small by default
#
# Five replications of a town of 2,000 residents over five years run in well under
# a minute.
#
# **To scale up**, set `SCALE = "large"`: 20 replications of 5,000 residents over
# ten years (several minutes).

# %%
SCALE = "small"   # <- change to "large" to scale up
N_RESIDENTS, WEEKS, REPLICATIONS = {"small": (2_000, 260, 5), "large": (5_000, 520, 20)}[SCALE]
BASE_SEED = 20
SNAPSHOT_EVERY = 13                                   # weeks between two looks at the roles
print(f"{REPLICATIONS} replications x 4 arms of {N_RESIDENTS:,} residents, {WEEKS} weeks")

# %% [markdown]
# ## 1. The arms
#
# All policies start in week 26. Both signalling arms screen 2% of young people
# per week and catch 70% of those in phase 1 or higher. They differ only in
# precision: a *precise* instrument falsely flags 1% of the young people it screens
# who are not at risk; an *imprecise* one flags 30%.

# %%
SIGNALLING = dict(type="early_signalling", start=26, intensity=0.8, screening_share=0.02, sensitivity=0.7)
ARMS = {
    "no policy": [],
    "inclusion policy": [dict(type="inclusion_policy", start=26, intensity=0.6)],
    "precise signalling": [dict(SIGNALLING, false_positive_rate=0.01)],
    "imprecise signalling": [dict(SIGNALLING, false_positive_rate=0.3)],
}
ARM_COLOURS = {"no policy": "grey", "inclusion policy": "#2a9d8f", "precise signalling": "#1982c4",
               "imprecise signalling": "#e76f51"}
ROLES = ["pusher", "joiner", "scapegoat", "bridge builder", "silent middle"]
ROLE_COLOURS = {"pusher": "#a4161a", "joiner": "#f2b134", "scapegoat": "#6a4c93", "bridge builder": "#2a9d8f",
                "silent middle": "#c7d4e0"}

# %% [markdown]
# ## 2. Before you run: the base rate
#
# How many of the young people that a signalling instrument flags are actually at
# risk? That share is the *positive predictive value*. It depends on the
# instrument's sensitivity and false-positive rate, and on how common the condition
# is (the *prevalence*). In the model's default town about one young person in ten
# is in phase 1 or higher (notebook 1).

# %%
prevalence = 0.10
sensitivity = SIGNALLING["sensitivity"]
false_positive = np.linspace(0.001, 0.4, 200)
ppv = sensitivity * prevalence / (sensitivity * prevalence + false_positive * (1 - prevalence))

fig, ax = plt.subplots(figsize=(8, 3.8))
ax.plot(false_positive, ppv, color="black", lw=2)
for arm in ("precise signalling", "imprecise signalling"):
    fp = ARMS[arm][0]["false_positive_rate"]
    value = sensitivity * prevalence / (sensitivity * prevalence + fp * (1 - prevalence))
    ax.plot(fp, value, "o", ms=10, color=ARM_COLOURS[arm], label=f"{arm}: {value:.0%} of flags are right")
ax.set_xlabel("false-positive rate (share of not-at-risk young people flagged when screened)")
ax.set_ylabel("share of flags that are right")
ax.set_title(f"Positive predictive value at prevalence {prevalence:.0%} and sensitivity {sensitivity:.0%}")
ax.legend(frameon=False)
plt.show()


# %% [markdown]
# ## 3. Run the arms, and look at the roles every quarter
#
# As in notebook 3, replication *k* uses the same seed in every arm (common random
# numbers), so the arms share the town, the residents and their random draws.
# Every 13 weeks we give every resident a role. A resident's share of tie strength
# to other backgrounds depends only on the network, which these policies do not
# change, so we compute it once per run.

# %%
def attribute(model, name):
    """One attribute of every resident, as an array."""
    return np.array([getattr(r, name) for r in model.residents], dtype=float)


def cross_background_share(model):
    """Each resident's share of tie strength to residents of another background."""
    share = np.zeros(len(model.residents))
    for i, r in enumerate(model.residents):
        ties = r.ties()
        total = sum(w for _, w in ties)
        share[i] = sum(w for other, w in ties if other.background != r.background) / total if total else 0.0
    return share


def roles(model, cross_share):
    """The polarisation role of every resident (see the table above)."""
    phase = attribute(model, "phase")
    labelled = np.zeros(phase.size, dtype=bool)
    for intervention in model.interventions:
        if intervention.type == "early_signalling" and intervention.falsely_flagged is not None:
            labelled |= intervention.falsely_flagged
    bridge = ((attribute(model, "radical_belief") < 0.15) & (attribute(model, "prejudice") < 0.25)
              & (cross_share >= 0.25))
    return np.select([phase >= Phase.GROUP_MEMBERSHIP, phase == Phase.SENSITIVITY, labelled, bridge],
                     ["pusher", "joiner", "scapegoat", "bridge builder"], default="silent middle")


snapshots, finals, people = [], [], {}
for k in range(REPLICATIONS):
    for arm, interventions in ARMS.items():
        m = RadicalisationModel(n_residents=N_RESIDENTS, rng=BASE_SEED + k, interventions=interventions)
        cross_share = cross_background_share(m)
        role_history = {}
        while True:
            role = roles(m, cross_share)
            role_history[m.week] = role
            trust, discrimination = attribute(m, "institutional_trust"), attribute(m, "perceived_discrimination")
            middle = role == "silent middle"
            snapshots.append({"arm": arm, "replication": k, "week": m.week,
                              **{r: int(np.sum(role == r)) for r in ROLES},
                              "trust (silent middle)": trust[middle].mean(),
                              "perceived discrimination (silent middle)": discrimination[middle].mean()})
            if m.week >= WEEKS:
                break
            m.run_for(SNAPSHOT_EVERY)
        last = m.outcomes()                    # every outcome of the run at its last week
        finals.append({"arm": arm, "replication": k,
                       "sympathisers (phase 1+)": last["phase_1"] + last["phase_2"] + last["phase_3"],
                       "entries into group membership": last["entered_phase_2"],
                       "young sympathiser share": last["young_sympathiser_share"],
                       "mean institutional trust": last["mean_trust"], "polarisation index": last["polarisation"],
                       "cost (abstract units)": last["cost"]})
        falsely_flagged = m.interventions[0].falsely_flagged if arm.endswith("signalling") else None
        people[arm, k] = {"start": role_history[26], "end": role_history[WEEKS], "falsely_flagged": falsely_flagged,
                          "phase": attribute(m, "phase"), "trust": attribute(m, "institutional_trust"),
                          "personal discrimination": attribute(m, "personal_discrimination"),
                          "radical belief": attribute(m, "radical_belief")}
snapshots, finals = pd.DataFrame(snapshots), pd.DataFrame(finals)
finals.groupby("arm", sort=False).mean().drop(columns="replication").round(3)

# %% [markdown]
# ## 4. The outcomes, as paired differences
#
# Each arm is compared with "no policy" in the same replication, and the plot shows
# the mean difference with its 95% confidence interval (as in notebook 3).

# %%
MEASURES = [c for c in finals.columns if c not in ("arm", "replication")]
baseline = finals[finals.arm == "no policy"].set_index("replication")
fig, axes = plt.subplots(2, 3, figsize=(14, 6.5))
for ax, measure in zip(axes.ravel(), MEASURES):
    for i, arm in enumerate(list(ARMS)[1:]):
        diff = finals[finals.arm == arm].set_index("replication")[measure] - baseline[measure]
        mean, low, high = mean_ci(diff)                         # the 95% t-interval
        ax.errorbar(mean, i, xerr=[[mean - low], [high - mean]], fmt="o", ms=8, color=ARM_COLOURS[arm], capsize=4,
                    lw=2)
    ax.axvline(0, color="grey", lw=1)
    ax.set_yticks(range(3), list(ARMS)[1:])
    ax.set_ylim(-0.7, 2.7)
    ax.xaxis.set_major_locator(plt.MaxNLocator(5))
    ax.set_title(measure, fontsize=10, loc="left")
    unit = ("residents" if measure.startswith(("sympathisers", "entries")) else
            "share" if "share" in measure else "units" if "cost" in measure else "0-1 scale")
    ax.set_xlabel(f"difference from no policy ({unit})")
fig.suptitle(f"Paired differences with 95% CIs, week {WEEKS} ({REPLICATIONS} replications)")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## 5. The roles over time
#
# Each panel is one role; each line is one arm (the mean over replications). Look
# at the scales: the silent middle is by far the largest group.

# %%
fig, axes = plt.subplots(1, 5, figsize=(17, 3.8), sharex=True)
for ax, role in zip(axes, ROLES):
    for arm, group in snapshots.groupby("arm", sort=False):
        mean = group.groupby("week")[role].mean()
        ax.plot(mean.index, mean.values, color=ARM_COLOURS[arm], lw=2, label=arm)
    ax.axvline(26, color="black", lw=1)
    ax.set_title(role, loc="left", color=ROLE_COLOURS[role] if role != "silent middle" else "black")
    ax.set_xlabel("week")
axes[0].set_ylabel("residents")
fig.legend(*axes[0].get_legend_handles_labels(), frameon=False, ncols=4, loc="lower center",
           bbox_to_anchor=(0.5, -0.08))
fig.tight_layout()
plt.show()

# %% [markdown]
# ## 6. What happens to the silent middle?
#
# First, how the silent middle experiences the town: its trust in institutions and
# the discrimination it perceives. Then, where the residents who were in the silent
# middle when the policies started (week 26) are at the end. The table gives the
# percentages for every role, the silent middle included.

# %%
fig, axes = plt.subplots(1, 2, figsize=(13, 3.8), sharex=True)
for ax, column in zip(axes, ["trust (silent middle)", "perceived discrimination (silent middle)"]):
    for arm, group in snapshots.groupby("arm", sort=False):
        mean = group.groupby("week")[column].mean()
        ax.plot(mean.index, mean.values, color=ARM_COLOURS[arm], lw=2, label=arm)
    ax.axvline(26, color="black", lw=1)
    ax.set_title(column, loc="left")
    ax.set_xlabel("week")
    ax.set_ylabel("mean (0-1)")
axes[0].legend(frameon=False, fontsize=9)
fig.tight_layout()
plt.show()

# %%
flows = []
for (arm, k), p in people.items():
    was_middle = p["start"] == "silent middle"
    flows.append({"arm": arm, "replication": k,
                  **{role: np.mean(p["end"][was_middle] == role) for role in ROLES}})
flows = pd.DataFrame(flows).groupby("arm", sort=False)[ROLES].mean()

LEFT_FOR = ["pusher", "joiner", "scapegoat", "bridge builder"]
fig, ax = plt.subplots(figsize=(10, 3.6))
left = np.zeros(len(flows))
for role in LEFT_FOR:
    ax.barh(range(len(flows)), 100 * flows[role], left=left, color=ROLE_COLOURS[role], label=role)
    left += 100 * flows[role].to_numpy()
ax.set_yticks(range(len(flows)), flows.index)
ax.set_xlabel(f"% of the week-26 silent middle in another role in week {WEEKS}")
ax.legend(frameon=False, ncols=4, loc="upper center", bbox_to_anchor=(0.5, -0.25), fontsize=9)
ax.set_title("Who left the silent middle, and for which role")
plt.show()
(100 * flows).round(2)

# %% [markdown]
# ## 7. The scapegoats: the same young people, with and without a label
#
# Common random numbers let us do something no field study can. We take the young
# people whom imprecise signalling falsely flagged, and look at **the very same
# residents** in the same replication without the policy. Any difference between
# the two is the effect of the label (and of everything it set in motion).

# %%
rows = []
for k in range(REPLICATIONS):
    labelled = people["imprecise signalling", k]["falsely_flagged"]
    for arm in ("no policy", "imprecise signalling"):
        p = people[arm, k]
        rows.append({"arm": arm, "replication": k, "residents falsely flagged": int(labelled.sum()),
                     "share in phase 1+ at the end": np.mean(p["phase"][labelled] >= Phase.SENSITIVITY),
                     "mean radical belief": p["radical belief"][labelled].mean(),
                     "mean institutional trust": p["trust"][labelled].mean(),
                     "mean personal discrimination": p["personal discrimination"][labelled].mean()})
labels = pd.DataFrame(rows)
columns = ["share in phase 1+ at the end", "mean radical belief", "mean institutional trust",
           "mean personal discrimination"]
fig, axes = plt.subplots(1, 4, figsize=(15, 3.6))
for ax, column in zip(axes, columns):
    means = labels.groupby("arm", sort=False)[column].mean()
    ax.bar(["without label\n(no policy)", "with label\n(imprecise)"], means.values,
           color=[ARM_COLOURS["no policy"], ARM_COLOURS["imprecise signalling"]])
    for k, group in labels.groupby("replication"):
        ax.plot([0, 1], group[column].to_numpy(), color="black", alpha=0.4, marker="o", ms=3)
    ax.set_title(column, fontsize=10, loc="left")
    ax.set_ylabel("share" if column.startswith("share") else "mean (0-1)")
fig.suptitle(f"The falsely flagged young people (about {labels['residents falsely flagged'].mean():.0f} per town); "
             "lines join the same replication")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## What this shows, and what it does not
#
# - It shows a mechanism that policymakers should know. If the condition is rare, an
#   instrument aimed at the few produces mostly false alarms. If the label itself
#   harms, the instrument can *create* part of what it looks for, among people who
#   were in the middle.
# - It shows that a policy aimed at everyone moves the middle, and with it the
#   base of the pyramid. In the model this effect is large, because radicalisation
#   responds steeply to discrimination and trust (ODD §9).
# - It does **not** show that inclusion policies work this well in real towns. The
#   model contains no cost or backfire for inclusion, and its magnitudes were chosen
#   by hand. Nor does it show that early signalling backfires in practice. That
#   depends on real false-positive rates and on how a flag is followed up, and
#   neither is known here.
# - The roles are *our* reading of the state, not part of the model, and other
#   thresholds give other numbers. Brandsma's roles describe public behaviour
#   (speaking, choosing sides), which radsim does not model.

# %% [markdown]
# ## Exercises
#
# **1. Your own roles.** Change the thresholds that define bridge builders (for
# example, a cross-background share of at least 10%, or prejudice below 0.2). Which
# conclusions in sections 5 and 6 survive, and which change?
#
# <details><summary>Hint</summary>
#
# Edit `roles()` and rerun from section 3. A conclusion that depends on an arbitrary
# threshold is weak.
# </details>
#
# **2. Better follow-up.** Suppose a flag is handled with care, so that a false flag
# does not feel like discrimination. There is no parameter for that, but the
# intensity scales both the care and the harm of a label. Try `intensity=0.3`. Is
# that a fair test of "better follow-up"?
#
# <details><summary>Hint</summary>
#
# `dict(SIGNALLING, false_positive_rate=0.3, intensity=0.3)`. Read `docs/ODD.md`
# §7.5, row `early_signalling`, to see what the intensity multiplies.
# </details>
#
# **3. Both at once.** Make an arm with inclusion *and* imprecise signalling. Does
# inclusion cancel the backfire?
#
# <details><summary>Hint</summary>
#
# An arm is a list of interventions:
# `"both": ARMS["inclusion policy"] + ARMS["imprecise signalling"]`. Add a colour
# to `ARM_COLOURS`.
# </details>
#
# **4. A calmer or a tenser town.** Rerun with `societal_discrimination=0.15` and
# `0.45`. Does the prevalence change, and with it the share of flags that are
# right? Does the ranking of the policies change?
#
# <details><summary>Hint</summary>
#
# Pass `societal_discrimination=...` to `RadicalisationModel`, and read the young
# sympathiser share of the "no policy" arm for the prevalence in section 2.
# </details>
#
# **5. Cost.** Each intervention has a cost in abstract units. Which arm averts one
# entry into group membership at the lowest cost? Why is "cost per averted entry"
# a fragile number in a small town?
#
# <details><summary>Hint</summary>
#
# Use the paired differences of `cost (abstract units)` and `entries into group
# membership` per replication. Look at the confidence interval of the entries.
# </details>

# %% [markdown]
# ## References
#
# - Bar-Hillel, M. (1980). The base-rate fallacy in probability judgments. *Acta Psychologica*, 44(3), 211–233.
# - Becker, H. S. (1963). *Outsiders: Studies in the Sociology of Deviance*. Free Press.
# - Brandsma, B. (2017). *Polarisation: Understanding the Dynamics of Us versus Them*. BB in Media.
# - Doosje, B., Loseman, A., & Van den Bos, K. (2013). Determinants of radicalization of Islamic youth in the Netherlands: personal uncertainty, perceived injustice, and perceived group threat. *Journal of Social Issues*, 69(3), 586–604.
# - Tyler, T. R. (2006). *Why People Obey the Law*. Princeton University Press.
