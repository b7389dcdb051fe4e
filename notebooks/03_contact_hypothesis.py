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
# # 3. The contact hypothesis: contact alone, or contact with a common goal?
#
# Many municipalities bring young people of different backgrounds together: mixed
# sports teams, neighbourhood projects, school exchanges. Does meeting each other
# reduce prejudice? And if it does, does that reach as far as radicalisation? In
# this notebook you compare three versions of the same programme in the same town,
# and you learn how to compare policies properly: with **replications**, **common
# random numbers** and **95% confidence intervals**.
#
# **What you learn**
#
# - Allport's conditions for contact, and Sherif's summer camps;
# - how radsim encodes them, and that this is an *assumption* of the model;
# - how to run a fair comparison of policies, and how to read a confidence interval;
# - to tell an effect that is *significant* from one that is *large*;
# - to follow an effect downstream and find the channel through which it travels.

# %% [markdown]
# ## Theory in brief
#
# **Allport (1954)** proposed that contact between groups reduces prejudice, but
# only under four conditions:
#
# - equal status within the situation;
# - common goals;
# - cooperation instead of competition;
# - support from authorities or institutions.
#
# **Sherif (1961)** put the idea to a field test at Robbers Cave, a boys' summer
# camp. Two groups that competed in a tournament became hostile to each other.
# Simply being together, at meals or at films, did not calm the hostility. What
# reduced it was a set of *superordinate goals*: problems that neither group could
# solve alone, such as a broken water supply.
#
# **Pettigrew and Tropp (2006)** pooled 515 studies in a meta-analysis. Contact
# usually reduces prejudice, with a mean effect of about r = −0.21. The effect is
# larger when Allport's conditions hold, although they are not strictly necessary.
#
# **Downstream.** The seed document links prejudice to radicalisation in two ways.
#
# - Prejudiced people discriminate. Minority residents perceive this discrimination
#   (relative deprivation), and it feeds radicalisation.
# - In the majority, prejudice comes with a sense of threat from the other group.
#   That threat is a grievance of its own.

# %% [markdown]
# ## How radsim encodes contact
#
# Every resident's prejudice relaxes each week towards a target (E3 in
# `docs/ODD.md`):
#
# $$P^* = p_{\text{background}} + \text{threat} - r \cdot (c + \lambda_c \cdot c_{\text{programme}})$$
#
# - *c* is the share of the resident's tie strength that crosses backgrounds: the
#   small, ordinary effect of contact.
# - *c*<sub>programme</sub> is the share in ties made by a contact programme.
# - λ<sub>c</sub> is the **quality** of the programme's contact:
#   intensity × (4·common goal + equal status + institutional support − 4·competitive).
#
# Bare contact has quality 0: the new ties only add the ordinary effect. Contact
# with prejudiced people also causes discrimination incidents (E4), so bare contact
# can backfire. The weights 4, 1 and 1 are **modelling choices**. The model
# *assumes* that the conditions matter, so it cannot test whether they do. What it
# can show is what follows downstream if they do.

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown

from experiments.stats import mean_ci
from model import Phase, RadicalisationModel

plt.rcParams.update({"figure.dpi": 100, "axes.grid": True, "grid.alpha": 0.3, "font.size": 11,
                     "axes.spines.top": False, "axes.spines.right": False})

# %% [markdown]
# ## Scale: small by default
#
# Six replications of a town of 2,000 residents over five years run in about a
# quarter of a minute.
#
# **To scale up**, set `SCALE = "large"`: 20 replications of 5,000 residents over
# ten years (several minutes). The confidence intervals become narrower.

# %%
SCALE = "small"   # <- change to "large" to scale up
N_RESIDENTS, WEEKS, REPLICATIONS = {"small": (2_000, 260, 6), "large": (5_000, 520, 20)}[SCALE]
BASE_SEED = 10
print(f"{REPLICATIONS} replications x 4 arms of {N_RESIDENTS:,} residents, {WEEKS} weeks")

# %% [markdown]
# ## 1. The programme and its three versions
#
# The programme starts in week 26 and reaches half of all residents aged 12 and
# over. Each of them gets three new ties to other participants of another
# background. Only the *quality* of the contact differs between the arms.
#
# - **contact alone**: people meet, and nothing more;
# - **common goal**: they cooperate on a goal that needs everyone, with equal
#   status and the support of the municipality (Allport's conditions);
# - **competition**: the groups compete with each other, as in Sherif's tournament.
#
# An intervention is a dictionary: its `type`, a schedule (`start`, `duration`), a
# `target`, an `intensity` and its options. See the README section "Comparing
# interventions" and `docs/ODD.md` §7.5.

# %%
PROGRAMME = dict(type="intergroup_contact", start=26, intensity=1.0, ties_per_resident=3,
                 target={"min_age": 12, "share": 0.5})
ARMS = {
    "no programme": [],
    "contact alone": [PROGRAMME],
    "common goal": [dict(PROGRAMME, common_goal=True, equal_status=True, institutional_support=True)],
    "competition": [dict(PROGRAMME, competitive=True)],
}
ARM_COLOURS = {"no programme": "grey", "contact alone": "#1982c4", "common goal": "#2a9d8f", "competition": "#e76f51"}


# %% [markdown]
# ## 2. A fair comparison: replications and common random numbers
#
# One run is one draw of chance (notebook 1, exercise 2). We therefore run every arm
# several times. Replication *k* uses the **same seed in every arm**. The town, the
# residents and their weekly random draws are then identical across arms, and
# interventions draw from a separate random stream. The only systematic difference
# between the arms of one replication is the programme. These are **common random
# numbers**, and they make the differences between arms far less noisy than the
# arms themselves.
#
# One consequence is useful here. The programme picks the same residents in every
# arm of a replication. We can therefore follow *the same people* with and without
# the programme. For the "no programme" arm we borrow the list of residents that the
# programme would have reached.
#
# A *sympathiser* is a resident in the sensitivity phase or further (group
# membership, action). For prejudice and perceived discrimination, `outcomes` also
# records how much residents of the same run differ (the standard deviation);
# section 5 needs that to judge the size of an effect.

# %%
def attribute(model, name):
    """One attribute of every resident, as an array."""
    return np.array([getattr(r, name) for r in model.residents], dtype=float)


def outcomes(model):
    """What we compare at the end of a run, and the between-resident sd of each 0-1 measure (else nan)."""
    majority = attribute(model, "background") == 0
    sympathiser = attribute(model, "phase") >= Phase.SENSITIVITY
    prejudice = attribute(model, "prejudice")[majority]
    discrimination = attribute(model, "perceived_discrimination")[~majority]
    last = model.outcomes()                    # every outcome of the run at this week
    values = {
        "prejudice, majority": (prejudice.mean(), prejudice.std()),
        "perceived discrimination, minorities": (discrimination.mean(), discrimination.std()),
        "sympathisers, majority": (sympathiser[majority].sum(), np.nan),
        "sympathisers, minorities": (sympathiser[~majority].sum(), np.nan),
        "entries into group membership": (last["entered_phase_2"], np.nan),
        "polarisation index": (last["polarisation"], np.nan),
    }
    return {**{k: v for k, (v, _) in values.items()}, **{f"sd: {k}": sd for k, (_, sd) in values.items()}}


results, trajectories = [], []
for k in range(REPLICATIONS):
    reached = None                                     # the residents the programme reaches in this replication
    for arm in ["contact alone", "common goal", "competition", "no programme"]:
        m = RadicalisationModel(n_residents=N_RESIDENTS, rng=BASE_SEED + k, interventions=ARMS[arm])
        majority = attribute(m, "background") == 0
        prejudice = {0: attribute(m, "prejudice")}     # week -> every resident's prejudice
        while m.week < WEEKS:
            m.run_for(min(8, WEEKS - m.week))
            prejudice[m.week] = attribute(m, "prejudice")
        if ARMS[arm]:
            if reached is None:
                reached = m.interventions[0].reached
            assert (m.interventions[0].reached == reached).all()   # common random numbers: the same people
        for week, values in prejudice.items():
            trajectories.append({"arm": arm, "replication": k, "week": week,
                                 "reached": values[reached & majority].mean(),
                                 "not reached": values[~reached & majority].mean()})
        results.append({"arm": arm, "replication": k, **outcomes(m)})
results = pd.DataFrame(results)
trajectories = pd.DataFrame(trajectories)
MEASURES = [c for c in results.columns if c not in ("arm", "replication") and not c.startswith("sd: ")]
results.groupby("arm", sort=False)[MEASURES].mean().round(3)

# %% [markdown]
# ## 3. Prejudice among the people the programme reached
#
# The lines are means over the replications; the bands are 95% confidence
# intervals of those means. The left panel shows majority residents whom the
# programme reached (or would have reached); the right panel shows all other
# majority residents. If the four lines on the right lie on top of each other, the
# programme does not spill over to people it did not reach.

# %%
fig, axes = plt.subplots(1, 2, figsize=(13, 4.2), sharey=True)
for ax, who in zip(axes, ("reached", "not reached")):
    for arm, group in trajectories.groupby("arm", sort=False):
        summary = group.groupby("week")[who].apply(mean_ci)       # (mean, low, high) of the 95% t-interval
        mean, low, high = (np.array([s[j] for s in summary]) for j in range(3))
        ax.plot(summary.index, mean, color=ARM_COLOURS[arm], lw=2, label=arm)
        ax.fill_between(summary.index, low, high, color=ARM_COLOURS[arm], alpha=0.2)
    ax.axvline(PROGRAMME["start"], color="black", lw=1)
    ax.set_title(f"majority residents, {who} by the programme", loc="left")
    ax.set_xlabel("week")
axes[0].set_ylabel("mean prejudice (0-1)")
axes[0].legend(frameon=False)
fig.tight_layout()
plt.show()

# %%
reached_at_end = trajectories[trajectories.week == WEEKS].groupby("arm")["reached"].mean()
change = (reached_at_end - reached_at_end["no programme"]).drop("no programme")
order = ", ".join(f"*{arm}* {value:+.3f}" for arm, value in change.sort_values().items())
Markdown(f"At week {WEEKS}, mean prejudice of the reached majority residents differs from no programme by: "
         f"{order} (on a 0-1 scale; no programme: {reached_at_end['no programme']:.3f}). "
         "Allport and Sherif predict that a common goal lowers prejudice most and competition raises it, "
         "but remember that the model was built to behave this way. The more interesting question is what "
         "follows *downstream*.")

# %% [markdown]
# ## 4. Downstream: discrimination, sympathy, group membership
#
# For each replication we take the difference between an arm and "no programme".
# Because of common random numbers this is a *paired* difference. We then compute
# its mean and 95% confidence interval. If the interval excludes zero, the effect is
# unlikely to be chance alone, *in this model*.

# %%
baseline = results[results.arm == "no programme"].set_index("replication")
rows = []
for arm in ["contact alone", "common goal", "competition"]:
    arm_results = results[results.arm == arm].set_index("replication")
    for measure in MEASURES:
        mean, low, high = mean_ci(arm_results[measure] - baseline[measure])
        rows.append({"arm": arm, "measure": measure, "difference": mean, "ci_low": low,
                     "ci_high": high, "baseline": baseline[measure].mean(),
                     "resident_sd": baseline[f"sd: {measure}"].mean()})
differences = pd.DataFrame(rows)

fig, axes = plt.subplots(2, 3, figsize=(14, 6.5))
for ax, measure in zip(axes.ravel(), MEASURES):
    d = differences[differences.measure == measure].reset_index(drop=True)
    for i, row in d.iterrows():
        ax.errorbar(row.difference, i, xerr=[[row.difference - row.ci_low], [row.ci_high - row.difference]],
                    fmt="o", ms=8, color=ARM_COLOURS[row.arm], capsize=4, lw=2)
    ax.axvline(0, color="grey", lw=1)
    ax.xaxis.set_major_locator(plt.MaxNLocator(5))
    ax.set_yticks(d.index, d.arm)
    ax.set_ylim(-0.7, len(d) - 0.3)
    ax.set_title(measure, fontsize=10, loc="left")
    unit = "residents" if measure.startswith(("sympathisers", "entries")) else "0-1 scale"
    ax.set_xlabel(f"difference from no programme ({unit})")
fig.suptitle(f"Paired differences with 95% CIs, week {WEEKS} ({REPLICATIONS} replications)")
fig.tight_layout()
plt.show()
differences.drop(columns="resident_sd").round(3)

# %% [markdown]
# How to read this: the text below is written from the table above, so it
# describes this run, whatever the model's version or the scale.

# %%
effect = differences.set_index(["arm", "measure"])


def clear(arm, measure):
    """Whether the 95% interval of an effect excludes zero."""
    row = effect.loc[(arm, measure)]
    return row.ci_low > 0 or row.ci_high < 0


def quote(arm, measure, digits=3, unit=""):
    """An effect with its interval, e.g. '-0.007 (95% CI -0.010 to -0.004)'."""
    row = effect.loc[(arm, measure)]
    return f"{row.difference:+.{digits}f}{unit} (95% CI {row.ci_low:+.{digits}f} to {row.ci_high:+.{digits}f})"


def sign(arm, measure):
    """'rises', 'falls', or 'does not clearly move', by the 95% interval."""
    return ("rises" if effect.loc[(arm, measure)].difference > 0 else "falls") if clear(arm, measure) \
        else "does not clearly move"


prejudice = "prejudice, majority"
strongest = effect.xs(prejudice, level="measure").difference.idxmin()
discrimination = "perceived discrimination, minorities"
backfire = (" That is the backfire of bare contact: the new ties expose minority participants to prejudiced "
            "majority residents, who cause incidents (E4). Section 5 asks whether it is large." if sign("contact alone", discrimination) == "rises"
            else "")
entries = "entries into group membership"
relative = (effect.difference / effect.baseline).abs()
bullets = [
    f"**Prejudice** of the majority falls most with *{strongest}*: {quote(strongest, prejudice)}.",
    f"**Perceived discrimination of minorities** is the first step downstream. Under contact alone it "
    f"{sign('contact alone', discrimination)}, {quote('contact alone', discrimination)}; with a common goal it "
    f"{sign('common goal', discrimination)}, {quote('common goal', discrimination)}.{backfire}",
    f"**Sympathisers** with a common goal: in the majority their number {sign('common goal', 'sympathisers, majority')}"
    f", {quote('common goal', 'sympathisers, majority', 1, ' residents')}; in the minorities it "
    f"{sign('common goal', 'sympathisers, minorities')}, "
    f"{quote('common goal', 'sympathisers, minorities', 1, ' residents')}. "
    "Section 6 asks through which channel the minorities' number moves.",
    f"**Entries into group membership** are rare: {effect.loc[('common goal', entries)].baseline:.1f} per run "
    f"without a programme. With a common goal they change by {quote('common goal', entries, 1)}, "
    f"{relative[('common goal', entries)]:.0%} of their level, against "
    f"{relative[('common goal', 'sympathisers, minorities')]:.0%} for minority sympathisers. Joining needs a "
    "recruiter's approach, and recruiters make a limited number of approaches whatever the number of "
    "sympathisers (ODD E15, PROTON-T). More replications or a larger town (scale up) narrow the interval.",
]
Markdown("\n".join(f"- {b}" for b in bullets))


# %% [markdown]
# ## 5. Significant is not the same as large
#
# An interval that excludes zero says that an effect is unlikely to be chance *in
# this model*. It says nothing about whether the effect is large enough to matter.
# With common random numbers the paired differences are so precise that a tiny
# effect can have a tight interval. Two ways to judge size:
#
# - **standardised**, for the measures on a 0-1 scale that every resident has
#   (prejudice, perceived discrimination): the difference divided by how much
#   residents of one town differ from each other (the between-resident standard
#   deviation without the programme). This is Cohen's *d*. By Cohen's (1988) rule
#   of thumb, 0.2 is a small effect, 0.5 medium and 0.8 large; we call below 0.1
#   negligible and 0.1 to 0.5 small.
# - **relative to the baseline**, for counts of residents and for the polarisation
#   index (a property of the town, not of a resident): the difference as a share
#   of the level without the programme. This notebook calls below 5% negligible,
#   below 20% small and below 50% medium; those bounds are a convention of ours,
#   not a standard.

# %%
def size(row):
    """Words for the size of an effect: by Cohen's d where a between-resident sd exists, else relative."""
    value, bounds = (abs(row.standardised_d), (0.1, 0.5, 0.8)) if np.isfinite(row.standardised_d) \
        else (abs(row.relative_to_baseline), (0.05, 0.2, 0.5))
    return ("negligible", "small", "medium", "large")[int(np.searchsorted(bounds, value, side="right"))]


sizes = differences.assign(
    significant=[clear(a, m) for a, m in zip(differences.arm, differences.measure)],
    relative_to_baseline=differences.difference / differences.baseline,
    standardised_d=differences.difference / differences.resident_sd)
sizes["size"] = sizes.apply(size, axis=1)
sizes[["arm", "measure", "difference", "baseline", "relative_to_baseline", "standardised_d", "significant",
       "size"]].round(3)

# %%
significant = sizes[sizes.significant]
negligible = significant[significant["size"] == "negligible"]


def judged(row):
    """An effect with the number its size was judged by."""
    by = f"d = {row.standardised_d:+.2f}" if np.isfinite(row.standardised_d) \
        else f"{row.relative_to_baseline:+.1%} of its baseline {row.baseline:.3g}"
    return f"*{row.arm}* on *{row.measure}* ({row.difference:+.3g}, {by})"


listed = "; ".join(judged(row) for row in negligible.itertuples())
largest = sizes.loc[sizes.standardised_d.abs().idxmax()]
Markdown(f"{len(significant)} of the {len(sizes)} effects have an interval that excludes zero, and "
         f"{len(negligible)} of those are negligible in size" + (f": {listed}." if listed else ".")
         + f" The largest on a 0-1 scale is {judged(largest)}, {largest['size']}. Report both: "
         "the interval says whether the model's difference is more than chance, the effect size whether anyone "
         "in the town would notice it.")

# %% [markdown]
# ## 6. Through which channel?
#
# For majority residents the channel is direct. Less prejudice means less perceived
# threat, so less collective grievance, so fewer weeks of social competition (E11).
# For minority residents, perceived discrimination hardly changed. So what lowered
# their sympathy?
#
# One candidate lies in the model's structure. radsim has **one** scale of radical
# belief for everyone (ODD §9). A majority resident whose radical belief rose
# through threat influences their minority contacts on that same scale, and the
# programme has just given them new minority contacts. We can test this candidate
# by switching the channel off: with `outgroup_influence=0`, ties across
# backgrounds no longer carry influence.

# %%
DEFAULT = f"default ({m.params.outgroup_influence:g})"   # m is the last run of section 2, at the defaults
channel = []
for k in range(REPLICATIONS):
    counts = {}
    for arm in ("no programme", "common goal"):
        m = RadicalisationModel(n_residents=N_RESIDENTS, rng=BASE_SEED + k, interventions=ARMS[arm],
                                outgroup_influence=0.0)
        m.run_for(WEEKS)
        counts[arm] = outcomes(m)["sympathisers, minorities"]
    channel.append({"out-group influence": "off (0)", "replication": k,
                    "difference": counts["common goal"] - counts["no programme"]})
minorities = "sympathisers, minorities"
for k in range(REPLICATIONS):                          # the default: reuse the runs of section 2
    pair = results[results.replication == k].set_index("arm")[minorities]
    channel.append({"out-group influence": DEFAULT, "replication": k,
                    "difference": pair["common goal"] - pair["no programme"]})
channel = pd.DataFrame(channel)
by_influence = {influence: mean_ci(group.difference)
                for influence, group in channel.groupby("out-group influence", sort=False)}
lines = [f"- out-group influence {influence}: a common goal changes minority sympathisers by {mean:+.1f} "
         f"residents (95% CI {low:+.1f} to {high:+.1f})" for influence, (mean, low, high) in by_influence.items()]
with_channel, without = by_influence[DEFAULT][0], by_influence["off (0)"][0]
if abs(with_channel) < 1:
    verdict = ("There is hardly an effect on minority sympathisers to explain in this run, so this test "
               "cannot tell the channel.")
elif abs(without) < 0.5 * abs(with_channel):
    verdict = (f"Without out-group influence the effect shrinks to {abs(without) / abs(with_channel):.0%} of its "
               "size. It travelled mostly through cross-background influence on one shared belief scale, not "
               "through less discrimination. That is a property of the model's simplification. Left-wing, "
               "right-wing and religious radicalisation are not one scale in reality, so do not read this part "
               "as a finding about real towns.")
else:
    verdict = (f"Without out-group influence the effect keeps {abs(without) / abs(with_channel):.0%} of its size, "
               "so cross-background influence on the shared belief scale is not its main channel. Look at the "
               "other steps downstream of prejudice (perceived discrimination, threat) for the rest.")
Markdown("\n".join(lines) + "\n\n" + verdict)

# %% [markdown]
# ## What this shows, and what it does not
#
# - It shows how to compare policies fairly: the same towns, the same chance, and
#   paired differences with confidence intervals, and an effect size beside each
#   interval.
# - It shows that a large effect on prejudice can shrink, disappear or change sign
#   on its way downstream, and that you must look for the channel before you tell
#   a story.
# - It does **not** show that common goals work in real towns. The model assumes it,
#   with weights chosen by hand. The evidence for that claim comes from Sherif,
#   Pettigrew and Tropp, and the studies they review, not from this simulation.
# - The confidence intervals cover only the randomness *inside* the model. They say
#   nothing about whether the model's assumptions are right (notebook 5).

# %% [markdown]
# ## Exercises
#
# **1. Which condition matters most?** Make three more arms: common goal only,
# equal status only, institutional support only. Which comes closest to the full
# version, and why is that hardly a surprise?
#
# <details><summary>Hint</summary>
#
# `dict(PROGRAMME, equal_status=True)` and so on. Add them to `ARMS` and
# `ARM_COLOURS`, and to the list of arms in the loop of section 2. Recall the
# weights in the quality formula above.
# </details>
#
# **2. Does it last?** Give the programme a duration of one year
# (`duration=52`). The new ties stay after the end, but the quality of contact
# stops counting. What happens to prejudice after week 78?
#
# <details><summary>Hint</summary>
#
# Change `PROGRAMME` to `dict(type=..., start=26, duration=52, ...)` and rerun from
# section 1. Look at the left panel of section 3 after the programme ends.
# </details>
#
# **3. A segregated town.** Build the towns with `segregation=0.8`, so that there
# are few ordinary cross-background ties. Does the programme matter more or less?
#
# <details><summary>Hint</summary>
#
# Pass `segregation=0.8` to every `RadicalisationModel(...)` call. Compare the
# differences table with the one above.
# </details>
#
# **4. How many replications?** With the results you have, compute the half-width
# of the 95% interval for "entries into group membership" using only the first 3,
# then 6 replications. How many would you need to halve it?
#
# <details><summary>Hint</summary>
#
# Use `mean_ci` on the paired differences of the first *n* replications
# (`baseline.index < n`). The half-width shrinks roughly with 1/√n.
# </details>
#
# **5. From the command line.** The same kind of comparison, with a smaller
# programme for young people only, ships as a scenario file. Run
# `.venv/bin/radsim compare contact.toml --replications 6 --residents 2000 --steps 260 --out results/contact`
# in a terminal, and read `results/contact/comparison.md`. Why are its effects
# smaller than yours?
#
# <details><summary>Hint</summary>
#
# Open the scenario file and compare its `target`, `ties_per_resident` and
# `intensity` with `PROGRAMME`.
# </details>

# %% [markdown]
# ## References
#
# - Allport, G. W. (1954). *The Nature of Prejudice*. Addison-Wesley.
# - Cohen, J. (1988). *Statistical Power Analysis for the Behavioral Sciences* (2nd ed.). Lawrence Erlbaum.
# - Pettigrew, T. F., & Tropp, L. R. (2006). A meta-analytic test of intergroup contact theory. *Journal of Personality and Social Psychology*, 90(5), 751–783.
# - Sherif, M., Harvey, O. J., White, B. J., Hood, W. R., & Sherif, C. W. (1961). *Intergroup Conflict and Cooperation: The Robbers Cave Experiment*. University Book Exchange.
# - Smith, H. J., Pettigrew, T. F., Pippin, G. M., & Bialosiewicz, S. (2012). Relative deprivation: a theoretical and meta-analytic review. *Personality and Social Psychology Review*, 16(3), 203–232.
# - Law, A. M. (2015). *Simulation Modeling and Analysis* (5th ed.). McGraw-Hill. (Common random numbers as a variance-reduction technique.)
