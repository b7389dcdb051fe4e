"""The rules of ``model/rules.py`` against the equations E1-E20 of ``docs/ODD.md`` §7.3, worked out by hand.

Every rule has one test, named ``test_E<n>_<function>`` after its equation and
function. Its cases are chosen so that the numbers are easy and every term of
the equation matters; the arithmetic is in the comment above each case. Where a
rule has branches (in a group or not, in action or not, the phases, the identity
strategies and their inertia, the polarisation roles, the shield turning around
or not, clipping at 0 and 1, a fallback) each branch has a case, and strict
comparisons (a uniform draw below a chance, a threshold) have a case exactly on
the cut. Numbers are mostly dyadic (0.25, 0.125, ...) so that thresholds
compare exactly.

The equations: E1 threat for each side (scheduled attacks, the other side's
acts, crisis response) and societal discrimination; E2 exposure through ties;
E3 prejudice; E4-E6 discrimination; E7-E10 identity complexity, uncertainty,
significance and trust; E11 identity strategy; E12-E14 radical belief, violence,
resilience shield; E15-E16 phase transitions and recruitment; E17 ageing and
renewal; E18 identification; E19 polarisation roles; E20 acts.

The last tests check that every rule has a test here, and that each rule's
compiled form, ``rule.vectorized``, gives exactly the same float as the plain
Python call (hypothesis draws each argument by its parameter name): this is
what keeps the per-agent reference and the array engine equal.
"""

import inspect
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from model import rules as r
from model.parameters import WEEKS_PER_YEAR, Parameters
from model.rules import IdentityStrategy, Phase, PolarisationRole


def approx(x):
    return pytest.approx(x, abs=1e-12)


# ---------------------------------------------------------------------------
# helpers: clip, share, relax
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("x, expected", [
    (-0.25, 0.0),   # below 0: 0
    (0.0, 0.0),     # the bounds themselves stay
    (0.4, 0.4),     # inside: unchanged
    (1.0, 1.0),
    (1.5, 1.0),     # above 1: 1
])
def test_notation_clip(x, expected):
    # ODD §7.3 notation: clip(x) = min(1, max(0, x))
    assert r.clip(x) == approx(expected)


@pytest.mark.parametrize("part, whole, fallback, expected", [
    (1.0, 4.0, 0.7, 0.25),   # E3/E4/E6: share = 1 / 4 = 0.25
    (1.0, 0.0, 0.7, 0.7),    # nothing to divide by (no ties): the fallback
    (1.0, -1.0, 0.7, 0.7),   # whole <= 0 counts as nothing: the fallback
])
def test_E6_share(part, whole, fallback, expected):
    # E6: d_in = (A_in·Dp)/(A_in·1), "own Dp if there are no in-group ties" (fallback = Dp)
    assert r.share(part, whole, fallback) == approx(expected)


def test_E5_relax():
    # E3, E5, E6, E8-E10, E13, E14: x <- x + rate·(x* − x)
    # E5 with an incident: Dp <- 0.2 + 0.25·(1 − 0.2) = 0.2 + 0.2 = 0.4
    assert r.relax(value=0.2, target=1.0, rate=0.25) == approx(0.4)
    # and downwards: 0.6 + 0.25·(0.2 − 0.6) = 0.6 − 0.1 = 0.5
    assert r.relax(value=0.6, target=0.2, rate=0.25) == approx(0.5)


# ---------------------------------------------------------------------------
# E1 macro context
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("weeks_since, expected", [
    (0.0, 0.8),                    # the week of the attack: 0.8·exp(0) = 0.8
    (10.0 * math.log(2), 0.4),     # one half-life, t − t_e = τ ln 2: 0.8·exp(−ln 2) = 0.8/2 = 0.4
    (20.0 * math.log(2), 0.2),     # two half-lives: 0.8/4 = 0.2
    (10.0, 0.8 * math.exp(-1.0)),  # t − t_e = τ: 0.8·e^−1 ≈ 0.2943
])
def test_E1_attack_threat(weeks_since, expected):
    # E1: one event's term a·exp(−(t − t_e)/τ), a = 0.8, τ = `attack_relaxation_weeks` = 10
    assert r.attack_threat(severity=0.8, weeks_since=weeks_since, relaxation_weeks=10.0) == approx(expected)


@pytest.mark.parametrize("weeks, week, severity, tau, expected", [
    # attacks in weeks 0 and 10, now week 10, a = 0.5, τ = 10: 0.5·exp(−10/10) + 0.5·exp(0) = 0.5/e + 0.5 ≈ 0.6839;
    # the attack of week 20 is in the future and does not count yet
    ([0, 10, 20], 10, 0.5, 10.0, 0.5 * math.exp(-1.0) + 0.5),
    # an attack this week counts (t_e ≤ t): 0.5·exp(0) = 0.5
    ([10], 10, 0.5, 10.0, 0.5),
    # two attacks this week: 0.6 + 0.6 = 1.2, capped: min(1, 1.2) = 1
    ([5, 5, 20], 5, 0.6, 12.0, 1.0),
    # no attacks: 0
    ([], 5, 0.6, 12.0, 0.0),
], ids=["sum-past", "this-week-counts", "cap-1", "none"])
def test_E1_undamped_threat(weeks, week, severity, tau, expected):
    # E1: θs = min(1, A(t; attack_weeks ≤ t, attack_severity)), A = Σ a·exp(−(t − t_e)/τ)
    assert r.undamped_threat(weeks, week, severity, tau) == approx(expected)


# a = ln 2 and τ = 1/ln 2, so an act one week ago leaves a·exp(−ln 2) = (ln 2)/2
LN2 = math.log(2.0)


@pytest.mark.parametrize("act_weeks, expected", [
    # no acts: 1 − exp(0) = 0
    ([], 0.0),
    # an act in week 10 counts from week 11 on (acts before week t only): 0
    ([10], 0.0),
    ([11], 0.0),             # a future act: 0
    # one act a week ago: 1 − exp(−(ln 2)/2) = 1 − 1/√2 ≈ 0.2929
    ([9], 1.0 - 1.0 / math.sqrt(2.0)),
    # two acts a week ago: 1 − exp(−ln 2) = 1 − 1/2 = 0.5, less than twice one act (0.586): it saturates
    ([9, 9], 0.5),
    # an act two weeks ago has halved again: ln 2·exp(−2 ln 2) = (ln 2)/4; with one a week ago:
    # 1 − exp(−(ln 2)(1/2 + 1/4)) = 1 − 2^(−3/4) ≈ 0.4054
    ([8, 9, 10], 1.0 - 2.0 ** -0.75),
], ids=["none", "this-week-not-yet", "future", "one", "two-saturate", "older-decayed"])
def test_E1_acts_threat(act_weeks, expected):
    # E1: θa = 1 − exp(−A(t; acts before week t, act_severity)); now week 10, a = ln 2, τ = 1/ln 2
    assert r.acts_threat(act_weeks, 10, LN2, 1.0 / LN2) == approx(expected)


@pytest.mark.parametrize("scheduled, acts, expected", [
    (0.5, 0.25, 0.625),   # 1 − (1 − 0.5)(1 − 0.25) = 1 − 0.375 = 0.625 (less than the sum 0.75)
    (0.0, 0.25, 0.25),    # no scheduled attacks: the acts' threat alone
    (0.5, 0.0, 0.5),      # no acts: the scheduled threat alone
    (1.0, 0.25, 1.0),     # full threat stays full: 1 − 0·0.75 = 1
])
def test_E1_combined_threat(scheduled, acts, expected):
    # E1: θ = 1 − (1 − θs)(1 − θa), before the crisis response
    assert r.combined_threat(scheduled, acts) == approx(expected)


def test_E1_damped_threat():
    # E1: θ = (1 − λθ)·raw = (1 − 0.25)·0.6 = 0.45
    assert r.damped_threat(raw_threat=0.6, damping=0.25) == approx(0.45)
    # no crisis response (λθ = 0): the raw threat
    assert r.damped_threat(raw_threat=0.6, damping=0.0) == approx(0.6)


@pytest.mark.parametrize("d0, gain, threat, expected", [
    (0.2, 0.5, 0.4, 0.4),   # min(1, 0.2 + 0.5·0.4) = min(1, 0.4) = 0.4
    (0.6, 1.0, 0.8, 1.0),   # min(1, 0.6 + 0.8) = min(1, 1.4) = 1
])
def test_E1_discrimination_after_threat(d0, gain, threat, expected):
    # E1: δ(t) = min(1, societal_discrimination + attack_discrimination_gain·θ_maj)
    assert r.discrimination_after_threat(d0, gain, threat) == approx(expected)


# ---------------------------------------------------------------------------
# E2 exposure
# ---------------------------------------------------------------------------

# A non-member with tie strength W1 = 4: Wr = 2 to members whose belief is 1 (WrR = 2), and
# 2 to non-members on the same side with mean belief 0.25 (WR = 2 + 0.5 = 2.5); ι = 0.5.
NON_MEMBER = dict(WR=2.5, WrR=2.0, Wr=2.0, W1=4.0, Kr=0.0, KrR=0.0, in_group=0.0, group_isolation=0.5,
                  group_pull=1.0, R=0.1)


@pytest.mark.parametrize("kw, expected", [
    # non-member, no close ties to members: den = W1 − ι(Wr − Kr) = 4 − 0.5·(2 − 0) = 3,
    # X = (WR − ι(WrR − KrR))/den = (2.5 − 0.5·2)/3 = 1.5/3 = 0.5
    (NON_MEMBER, 0.5),
    # the same, but the ties to members are close (Kr = Wr, KrR = WrR): no weakening,
    # den = 4 − 0.5·0 = 4, X = (2.5 − 0)/4 = 0.625
    ({**NON_MEMBER, "Kr": 2.0, "KrR": 2.0}, 0.625),
    # one of the two is close (Kr = 1, KrR = 1), full isolation ι = 1: den = 4 − 1·(2 − 1) = 3,
    # X = (2.5 − 1·(2 − 1))/3 = 1.5/3 = 0.5
    ({**NON_MEMBER, "Kr": 1.0, "KrR": 1.0, "group_isolation": 1.0}, 0.5),
    # member (r = 1, g = 1): den = W1 − ι(W1 − Wr) + g = 4 − 0.5·(4 − 2) + 1 = 4,
    # X = (WR − ι(WR − WrR) + g)/den = (2 − 0.5·(2 − 1.5) + 1)/4 = 2.75/4 = 0.6875
    (dict(WR=2.0, WrR=1.5, Wr=2.0, W1=4.0, Kr=0.0, KrR=0.0, in_group=1.0, group_isolation=0.5, group_pull=1.0,
          R=0.1), 0.6875),
    # a member's close ties do not enter (the exception is for non-members): the same 0.6875
    (dict(WR=2.0, WrR=1.5, Wr=2.0, W1=4.0, Kr=2.0, KrR=1.5, in_group=1.0, group_isolation=0.5, group_pull=1.0,
          R=0.1), 0.6875),
    # no ties: X = R = 0.1
    (dict(WR=0.0, WrR=0.0, Wr=0.0, W1=0.0, Kr=0.0, KrR=0.0, in_group=0.0, group_isolation=0.5, group_pull=1.0,
          R=0.1), 0.1),
    # a member without ties still feels the group's pull at belief 1: (0 + g)/(0 + g) = 1
    (dict(WR=0.0, WrR=0.0, Wr=0.0, W1=0.0, Kr=0.0, KrR=0.0, in_group=1.0, group_isolation=0.5, group_pull=0.5,
          R=0.1), 1.0),
    # a non-member whose only ties are members behind full isolation (ι = 1), none close:
    # den = 2 − 1·(2 − 0) = 0, so X = R
    (dict(WR=1.0, WrR=1.0, Wr=2.0, W1=2.0, Kr=0.0, KrR=0.0, in_group=0.0, group_isolation=1.0, group_pull=0.5,
          R=0.1), 0.1),
    # the same ties, all close: they stay in touch: den = 2 − 1·(2 − 2) = 2, X = (1 − 1·(1 − 1))/2 = 0.5
    (dict(WR=1.0, WrR=1.0, Wr=2.0, W1=2.0, Kr=2.0, KrR=1.0, in_group=0.0, group_isolation=1.0, group_pull=0.5,
          R=0.1), 0.5),
], ids=["non-member", "non-member-close-ties", "non-member-some-close", "member", "member-close-ignored",
        "no-ties", "member-no-ties-pull", "fully-isolated", "fully-isolated-close"])
def test_E2_influence_exposure(kw, expected):
    # E2: member: X = (WR − ι(WR − WrR) + g)/(W1 − ι(W1 − Wr) + g);
    #     non-member: X = (WR − ι(WrR − KrR))/(W1 − ι(Wr − Kr)); X = R where the denominator is 0
    assert r.influence_exposure(**kw) == approx(expected)


@pytest.mark.parametrize("kw, expected", [
    # non-member: Y = (WV − ι·WrV)/(W1 − ι·Wr) = (2 − 0.5·0.5)/(4 − 0.5·1) = 1.75/3.5 = 0.5
    (dict(WV=2.0, WrV=0.5, Wr=1.0, W1=4.0, in_group=0.0, group_isolation=0.5, group_pull=1.0, V=0.1), 0.5),
    # member, the pull g = 1 excluded: den − g = 4 − 0.5·(4 − 2) = 3,
    # Y = (WV − ι(WV − WrV))/(den − g) = (2.5 − 0.5·(2.5 − 2))/3 = 2.25/3 = 0.75
    (dict(WV=2.5, WrV=2.0, Wr=2.0, W1=4.0, in_group=1.0, group_isolation=0.5, group_pull=1.0, V=0.1), 0.75),
    # no ties: Y = V = 0.1
    (dict(WV=0.0, WrV=0.0, Wr=0.0, W1=0.0, in_group=0.0, group_isolation=0.5, group_pull=1.0, V=0.1), 0.1),
    # a member without ties: den − g = 0, so Y = V (the pull is not a peer attitude)
    (dict(WV=0.0, WrV=0.0, Wr=0.0, W1=0.0, in_group=1.0, group_isolation=0.5, group_pull=0.5, V=0.1), 0.1),
], ids=["non-member", "member", "no-ties", "member-no-ties"])
def test_E2_peer_violence(kw, expected):
    # E2: member: Y = (WV − ι(WV − WrV))/(W1 − ι(W1 − Wr)); non-member: Y = (WV − ι·WrV)/(W1 − ι·Wr)
    assert r.peer_violence(**kw) == approx(expected)


# ---------------------------------------------------------------------------
# E3 prejudice
# ---------------------------------------------------------------------------

PREJUDICE = dict(base=0.25, propensity=0.125, attack_prejudice_gain=0.5, threat=0.5, pusher_prejudice_gain=0.5,
                 pusher_share=0.25, bridge_prejudice_reduction=0.5, bridge_share=0.125, neglect_prejudice=0.25,
                 neglect=0.5, minority=0.0, contact_prejudice_reduction=0.5, contact_share=0.25, contact_quality=0.5,
                 programme_contact_share=0.25)


@pytest.mark.parametrize("change, expected", [
    # majority: clip(0.25 + 0.125 + 0.5·0.5 + 0.5·0.25 − 0.5·0.125 + 0.25·0.5·(1 − 0) − 0.5·(0.25 + 0.5·0.25))
    #         = clip(0.25 + 0.125 + 0.25 + 0.125 − 0.0625 + 0.125 − 0.1875) = 0.625
    (dict(), 0.625),
    # minority: no neglect term (0.125 less), but the threat their side feels still raises it: 0.5
    (dict(minority=1.0), 0.5),
    # no threat: 0.625 − 0.25 = 0.375
    (dict(threat=0.0), 0.375),
    # no ties to pushers: 0.625 − 0.125 = 0.5
    (dict(pusher_share=0.0), 0.5),
    # no ties to bridge builders: 0.625 + 0.0625 = 0.6875
    (dict(bridge_share=0.0), 0.6875),
    # no neglect: 0.625 − 0.125 = 0.5
    (dict(neglect=0.0), 0.5),
    # contact alone (λc = 0): 0.625 + 0.1875 − 0.5·0.25 = 0.6875
    (dict(contact_quality=0.0), 0.6875),
    # no cross-background contact at all: 0.625 + 0.1875 = 0.8125
    (dict(contact_share=0.0, programme_contact_share=0.0), 0.8125),
    # clip at 0: base + εP = 0 − 0.75 instead of 0.375: clip(0.625 − 1.125) = clip(−0.5) = 0
    (dict(base=0.0, propensity=-0.75), 0.0),
    # clip at 1: base + εP = 0.75 + 0.25 = 1 instead of 0.375: clip(0.625 + 0.625) = clip(1.25) = 1
    (dict(base=0.75, propensity=0.25), 1.0),
], ids=["majority", "minority", "no-threat", "no-pushers", "no-bridges", "no-neglect", "contact-alone",
        "no-contact", "clip-0", "clip-1"])
def test_E3_prejudice_target(change, expected):
    # E3: P* = clip(p_b + εP + attack_prejudice_gain·θ_i + pusher_prejudice_gain·ψ_i − bridge_prejudice_reduction·β_i
    #               + neglect_prejudice·λn·(1 − minority) − contact_prejudice_reduction·(c + λc·c_prog))
    assert r.prejudice_target(**{**PREJUDICE, **change}) == approx(expected)


# ---------------------------------------------------------------------------
# E4-E6 discrimination
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("f, gain, expected", [
    (0.6, 0.25, 0.85),   # clip(0.6 + 0.25) = 0.85
    (0.9, 0.25, 1.0),    # clip(1.15) = 1
    (0.2, -0.5, 0.0),    # clip(−0.3) = 0
])
def test_E4_procedural_fairness(f, gain, expected):
    # E1/E4: f_i = clip(f + λf_i)
    assert r.procedural_fairness(institutional_fairness=f, fairness_gain=gain) == approx(expected)


INCIDENT = dict(incident_rate=0.5, prejudiced_contact=0.25, scapegoat_incident_rate=0.5, other_pusher_share=0.25,
                societal_discrimination=0.5, fairness=0.5, institutional_relief=0.5, minority=1.0, exposure=1.0)


@pytest.mark.parametrize("change, expected", [
    # minority: clip(1·(0.5·0.25 + 0.5·0.25 + 0.5·(1 − 0.5)·(1 − 0.5)·1)) = clip(0.125 + 0.125 + 0.125) = 0.375
    (dict(), 0.375),
    # majority: no institutional discrimination: clip(0.125 + 0.125 + 0) = 0.25
    (dict(minority=0.0), 0.25),
    # not reached by the other side's pushers (no scapegoating): 0.375 − 0.125 = 0.25
    (dict(other_pusher_share=0.0), 0.25),
    # twice the usual exposure ε_D = 2: clip(2·0.375) = 0.75
    (dict(exposure=2.0), 0.75),
    # half the exposure: 0.5·0.375 = 0.1875
    (dict(exposure=0.5), 0.1875),
    # no exposure: never an incident
    (dict(exposure=0.0), 0.0),
    # clip at 1: clip(4·0.375) = clip(1.5) = 1
    (dict(exposure=4.0), 1.0),
], ids=["minority", "majority", "no-scapegoating", "exposure-2", "exposure-half", "exposure-0", "clip-1"])
def test_E4_incident_probability(change, expected):
    # E4: π = clip(ε_D·(incident_rate·e + scapegoat_incident_rate·ψ̄_i + δ·(1 − f_i)·(1 − λq_i)·minority))
    assert r.incident_probability(**{**INCIDENT, **change}) == approx(expected)


@pytest.mark.parametrize("u, expected", [
    (0.2, 1.0),   # 0.2 < 0.3: an incident
    (0.3, 0.0),   # u0 < π is strict: 0.3 is not below 0.3
    (0.5, 0.0),   # 0.5 ≥ 0.3: none
])
def test_E4_discrimination_incident(u, expected):
    # E4: an incident happens if u0 < π, here π = 0.3
    assert r.discrimination_incident(u=u, probability=0.3) == expected


GROUP_DEPRIVATION = dict(ingroup_personal_discrimination=0.5, macro_weight=0.5, identification=0.5,
                         societal_discrimination=0.5, institutional_relief=0.5, minority=1.0, injustice=0.125,
                         act_grievance_gain=0.5, threat=0.25)


@pytest.mark.parametrize("change, expected", [
    # minority: clip((1 − 0.5)·0.5 + 0.5·0.5·0.5·(1 − 0.5)·1 + (0.125 + 0.5·0.25·1)·0.5)
    #         = clip(0.25 + 0.0625 + 0.125) = 0.4375
    (dict(), 0.4375),
    # majority: neither the societal term nor attacks on minority residents: clip(0.25 + 0.125·0.5) = 0.3125
    (dict(minority=0.0), 0.3125),
    # does not identify with the group (I = 0): the shared term, the injustice and the attacks drop: 0.25
    (dict(identification=0.0), 0.25),
    # identifies fully (I = 1): 0.25 + 0.5·1·0.5·0.5 + (0.125 + 0.125)·1 = 0.25 + 0.125 + 0.25 = 0.625
    (dict(identification=1.0), 0.625),
    # no attacks on their side (θ_min = 0): 0.25 + 0.0625 + 0.125·0.5 = 0.375
    (dict(threat=0.0), 0.375),
    # clip at 0: λg = −1: clip(0.25 + 0.0625 + (−1 + 0.125)·0.5) = clip(−0.125) = 0
    (dict(injustice=-1.0), 0.0),
    # clip at 1: gain 1, θ = 1, I = 1: clip(0.25 + 0.125 + (0.125 + 1)·1) = clip(1.5) = 1
    (dict(act_grievance_gain=1.0, threat=1.0, identification=1.0), 1.0),
], ids=["minority", "majority", "not-identifying", "fully-identifying", "no-threat", "clip-0", "clip-1"])
def test_E6_group_deprivation_target(change, expected):
    # E6: Dg* = clip((1 − μ)·d_in + μ·I·δ·(1 − λq_i)·minority + (λg_i + act_grievance_gain·θ_min·minority)·I)
    assert r.group_deprivation_target(**{**GROUP_DEPRIVATION, **change}) == approx(expected)


def test_E6_perceived_discrimination():
    # E6: D = (Dp + Dg)/2 = (0.2 + 0.6)/2 = 0.4
    assert r.perceived_discrimination(personal=0.2, group=0.6) == approx(0.4)


# ---------------------------------------------------------------------------
# E7-E10 identity, significance and trust
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("in_group, expected", [
    (0.0, 0.75),   # outside a group: m̃ = 3·(1 − 0.5·0) = 3, C = 3/(3 + 1) = 0.75
    (1.0, 0.6),    # in a radical group: m̃ = 3·(1 − 0.5·1) = 1.5, C = 1.5/(1.5 + 1) = 0.6
])
def test_E7_identity_complexity(in_group, expected):
    # E7: m̃ = (m + x)·(1 − ι·r), C = m̃/(m̃ + complexity_half_saturation); m + x = 3, ι = 0.5, half = 1
    assert r.identity_complexity(memberships=3.0, group_isolation=0.5, in_group=in_group,
                                 half_saturation=1.0) == approx(expected)


UNCERTAINTY = dict(uncertainty_base=0.2, propensity=0.1, uncertainty_youth=0.2, young=1.0,
                   uncertainty_discrimination=0.5, D=0.4, uncertainty_complexity=0.5, C=0.2,
                   uncertainty_group_relief=0.5, in_group=0.0)


@pytest.mark.parametrize("change, expected", [
    # young non-member: clip(0.2 + 0.1 + 0.2·1 + 0.5·0.4 − 0.5·0.2)·(1 − 0) = clip(0.6) = 0.6
    (dict(), 0.6),
    # not young: clip(0.2 + 0.1 + 0 + 0.2 − 0.1) = 0.4
    (dict(young=0.0), 0.4),
    # in a group: 0.6·(1 − 0.5·1) = 0.3
    (dict(in_group=1.0), 0.3),
    # clip at 1 before the group's relief: clip(0.7 + 0.1 + 0.2 + 0.2 − 0.1)·(1 − 0.5) = clip(1.1)·0.5 = 0.5
    (dict(uncertainty_base=0.7, in_group=1.0), 0.5),
    # clip at 0 (not young, D = 0): clip(0.1 − 0.2 + 0 + 0 − 0.5·0.2) = clip(−0.2) = 0
    (dict(uncertainty_base=0.1, propensity=-0.2, young=0.0, D=0.0), 0.0),
], ids=["young", "not-young", "in-group", "clip-1-then-relief", "clip-0"])
def test_E8_uncertainty_target(change, expected):
    # E8: U* = clip(base + εU + youth·young + disc·D − complexity·C)·(1 − group_relief·r)
    assert r.uncertainty_target(**{**UNCERTAINTY, **change}) == approx(expected)


SIGNIFICANCE = dict(significance_discrimination=0.5, personal_discrimination=0.5, significance_belonging=0.5, C=0.5,
                    creativity_significance_relief=0.125, creating=0.0, group_significance_gain=0.25, in_group=0.0)


@pytest.mark.parametrize("change, expected", [
    # neither creativity nor a group: clip(0.5·0.5 + 0.5·(1 − 0.5) − 0 − 0) = clip(0.25 + 0.25) = 0.5
    (dict(), 0.5),
    # social creativity restores significance: 0.5 − 0.125·1 = 0.375
    (dict(creating=1.0), 0.375),
    # a member of a radical group (quest for significance): 0.5 − 0.25·1 = 0.25
    (dict(in_group=1.0), 0.25),
    # both: 0.5 − 0.125 − 0.25 = 0.125
    (dict(creating=1.0, in_group=1.0), 0.125),
    # clip at 0: Dp = 0, C = 1, in a group: clip(0 + 0 − 0 − 0.25) = 0
    (dict(personal_discrimination=0.0, C=1.0, in_group=1.0), 0.0),
    # clip at 1: clip(1·1 + 0.5·(1 − 0)) = clip(1.5) = 1
    (dict(significance_discrimination=1.0, personal_discrimination=1.0, C=0.0), 1.0),
], ids=["neither", "creativity", "in-group", "both", "clip-0", "clip-1"])
def test_E9_significance_target(change, expected):
    # E9: S* = clip(significance_discrimination·Dp + significance_belonging·(1 − C)
    #               − creativity_significance_relief·[σ = creativity] − group_significance_gain·r)
    assert r.significance_target(**{**SIGNIFICANCE, **change}) == approx(expected)


TRUST = dict(fairness=0.75, trust_discrimination=0.5, D=0.5, propensity=0.125, trust_penalty=0.125, neglect_trust=0.25,
             neglect=0.0, blame_trust=0.5, blame_threat=0.5, middle=0.0, trust_group_loss=0.5, in_group=0.0)


@pytest.mark.parametrize("change, expected", [
    # non-member, not in the middle: clip(0.75·(1 − 0.5·0.5) + 0.125 − 0.125 − 0 − 0)·(1 − 0) = 0.5625;
    # the other side's threat θ̄ = 0.5 blames only the silent middle
    (dict(), 0.5625),
    # in a group: 0.5625·(1 − 0.5·1) = 0.28125
    (dict(in_group=1.0), 0.28125),
    # neglected (λn = 0.5): 0.5625 − 0.25·0.5 = 0.4375
    (dict(neglect=0.5), 0.4375),
    # the silent middle, blamed after the other side was hit: 0.5625 − 0.5·0.5·1 = 0.3125
    (dict(middle=1.0), 0.3125),
    # the silent middle when the other side feels no threat: no blame, 0.5625
    (dict(middle=1.0, blame_threat=0.0), 0.5625),
    # clip at 1 before the group's loss: clip(1·(1 − 0) + 0.5 − 0)·0.5 = clip(1.5)·0.5 = 0.5
    (dict(fairness=1.0, D=0.0, propensity=0.5, trust_penalty=0.0, in_group=1.0), 0.5),
    # clip at 0: clip(0.25·(1 − 0.5·1) − 0.125 − 0.25) = clip(0.125 − 0.375) = 0
    (dict(fairness=0.25, D=1.0, propensity=-0.125, trust_penalty=0.25), 0.0),
], ids=["non-member", "in-group", "neglected", "middle-blamed", "middle-no-threat", "clip-1-then-loss", "clip-0"])
def test_E10_trust_target(change, expected):
    # E10: T* = clip(f_i·(1 − trust_discrimination·D) + εT − λt_i − neglect_trust·λn_i
    #                − blame_trust·θ̄_i·[role = silent middle])·(1 − trust_group_loss·r)
    assert r.trust_target(**{**TRUST, **change}) == approx(expected)


# ---------------------------------------------------------------------------
# E11 identity strategy
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("k, c, expected", [
    (1.5, 0.25, 0.375),   # clip(1.5·0.25) = 0.375
    (1.5, 0.75, 1.0),     # clip(1.125) = 1
    (1.5, 0.0, 0.0),      # no cross-background ties: impermeable
    (0.0, 0.5, 0.0),      # permeability_contact = 0: ties do not count
])
def test_E11_perceived_permeability(k, c, expected):
    # E11: π_i = clip(permeability_contact·c)
    assert r.perceived_permeability(permeability_contact=k, contact_share=c) == approx(expected)


# Reconsidering (u3 = 0 < rate 0.25). G = max(Dg, w·P) = max(0.5, 0.5·0.5) = 0.5, a = G/(G + k) = 0.5/(0.5 + 0.5) = 0.5,
# π = 0.25, so a(1 − π) = 0.375; T·s = 0.5·0.5 = 0.25; the peer factor c = clip(0.25 + 4·0.25) = clip(1.25) = 1
# (peers on one's side are common enough), so competition below 0.375·0.75·1 = 0.28125, creativity below 0.375,
# mobility from 0.375 on.
STRATEGY = dict(u_reconsider=0.0, u=0.25, current=0.0, reconsider_rate=0.25, group_discrimination=0.5,
                threat_grievance_weight=0.5, prejudice=0.5, grievance_half_saturation=0.5, permeability=0.25,
                trust=0.5, stability=0.5, peer_floor=0.25, peer_gain=4.0, peer_share=0.25)
C_, K_, M_ = IdentityStrategy.SOCIAL_COMPETITION, IdentityStrategy.SOCIAL_CREATIVITY, IdentityStrategy.INDIVIDUAL_MOBILITY


@pytest.mark.parametrize("change, expected", [
    (dict(u=0.25), C_),                 # 0.25 < 0.28125: competition
    (dict(u=0.28125), K_),              # 0.28125 is not < 0.28125, but < 0.375: creativity
    (dict(u=0.3125), K_),               # 0.28125 ≤ 0.3125 < 0.375
    (dict(u=0.375), M_),                # 0.375 is not < 0.375: mobility
    (dict(u=0.75), M_),
    # threat grievance (majority): G = max(0.125, 0.5·1) = 0.5: the same cut points 0.28125 and 0.375
    (dict(u=0.25, group_discrimination=0.125, prejudice=1.0), C_),
    (dict(u=0.3125, group_discrimination=0.125, prejudice=1.0), K_),
    (dict(u=0.5, group_discrimination=0.125, prejudice=1.0), M_),
    # diminishing returns: G = 1, a = 1/(1 + 0.5) = 2/3, not 1: cuts 2/3·0.75·0.75 = 0.375 and 2/3·0.75 = 0.5
    (dict(u=0.3125, group_discrimination=1.0), C_),   # 0.3125 < 0.375
    (dict(u=0.4375, group_discrimination=1.0), K_),   # 0.375 ≤ 0.4375 < 0.5
    (dict(u=0.5625, group_discrimination=1.0), M_),   # 0.5625 ≥ 0.5
    # no grievance (G = 0): a = 0/(0 + 0.5) = 0, mobility even at u1 = 0
    (dict(u=0.0, group_discrimination=0.0, prejudice=0.0), M_),
    # impermeable (π = 0): cuts 0.5·0.75 = 0.375 and 0.5
    (dict(u=0.3125, permeability=0.0), C_),
    (dict(u=0.4375, permeability=0.0), K_),
    # fully permeable (π = 1): a(1 − π) = 0, mobility even at u1 = 0
    (dict(u=0.0, permeability=1.0), M_),
    # legitimate and stable (T·s = 1): no competition, creativity even at u1 = 0 (0 < 0.375)
    (dict(u=0.0, trust=1.0, stability=1.0), K_),
    # no sympathisers or members among one's ties (q = 0): c = clip(0.25 + 0) = 0.25, competition below
    # 0.28125·0.25 = 0.0703125; creativity still below 0.375
    (dict(u=0.0625, peer_share=0.0), C_),
    (dict(u=0.125, peer_share=0.0), K_),              # competition at c = 1, creativity at c = 0.25
    # a few (q = 0.0625): c = clip(0.25 + 4·0.0625) = 0.5, competition below 0.28125·0.5 = 0.140625
    (dict(u=0.125, peer_share=0.0625), C_),
    (dict(u=0.15625, peer_share=0.0625), K_),
    # inertia: u3 = 0.25 is not < rate 0.25: the current strategy stays, whatever u1 says
    (dict(u_reconsider=0.25, u=0.75, current=2.0), C_),
    (dict(u_reconsider=0.5, u=0.0, current=0.0), M_),
    (dict(u_reconsider=0.5, u=0.75, current=1.0), K_),
    # rate 0: never reconsidered (u3 = 0 is not < 0)
    (dict(u_reconsider=0.0, u=0.0, current=0.0, reconsider_rate=0.0), M_),
    # rate 1: always reconsidered (u3 = 0.75 < 1), here from mobility to competition
    (dict(u_reconsider=0.75, u=0.0, current=0.0, reconsider_rate=1.0), C_),
], ids=["competition", "creativity-at-cut", "creativity", "mobility-at-cut", "mobility", "threat-competition",
        "threat-creativity", "threat-mobility", "strong-competition", "strong-creativity", "strong-mobility",
        "no-grievance", "impermeable-competition", "impermeable-creativity", "permeable", "legitimate-stable",
        "no-peers-competition", "no-peers-creativity", "few-peers-competition", "few-peers-creativity",
        "inertia-competition", "inertia-mobility", "inertia-creativity", "never-reconsider", "always-reconsider"])
def test_E11_identity_strategy(change, expected):
    # E11: reconsider if u3 < rate, else keep σ; G = max(Dg, w·P), a = G/(G + grievance_half_saturation);
    #      competition if u1 < a(1 − π)(1 − T·s)·c, c = clip(peer_floor + peer_gain·q) (model/rules.py; the peer
    #      factor c is not yet in ODD E11), creativity if u1 < a(1 − π), else mobility
    assert r.identity_strategy(**{**STRATEGY, **change}) == float(expected)


# ---------------------------------------------------------------------------
# E12-E14 radical belief, violence, resilience shield
# ---------------------------------------------------------------------------

BELIEF = dict(U=0.5, S=0.5, H=0.5, competing=1.0, identification=0.5, care=0.1, influence_rate=0.5,
              competition_drive=0.25, significance_drive=0.5, belief_decay=0.1)


@pytest.mark.parametrize("change, expected", [
    # outside a group, belief rising (Δ = 0.6 − 0.2 = 0.4), competing, I = 0.5:
    #   ρ⁺ = 0.5·0.5·0.4 + 0.25·1·0.5·(1 − 0.2) + 0.5·0.5·0.6·(1 − 0.2) = 0.1 + 0.1 + 0.12 = 0.32,
    #   shielded: 0.32·(1 − 0.5) = 0.16
    #   ρ⁻ = 0.5·min(0.4, 0) = 0; decay 0.1·0.2·1 = 0.02; care 0.1·0.2·1 = 0.02
    #   R <- clip(0.2 + 0.16 + 0 − 0.02 − 0.02) = 0.32
    (dict(R=0.2, exposure=0.6, in_group=0.0, in_action=0.0), 0.32),
    # as above, identifying fully (I = 1): ρ⁺ = 0.1 + 0.2 + 0.12 = 0.42, shielded 0.21; R <- 0.2 + 0.21 − 0.04 = 0.37
    (dict(R=0.2, exposure=0.6, in_group=0.0, in_action=0.0, identification=1.0), 0.37),
    # not identifying (I = 0): competition feeds nothing: ρ⁺ = 0.1 + 0 + 0.12 = 0.22, shielded 0.11; R <- 0.27
    (dict(R=0.2, exposure=0.6, in_group=0.0, in_action=0.0, identification=0.0), 0.27),
    # not competing: the same 0.27
    (dict(R=0.2, exposure=0.6, in_group=0.0, in_action=0.0, competing=0.0), 0.27),
    # in a group (phase 2), belief pulled down (Δ = 0.2 − 0.6 = −0.4):
    #   ρ⁺ = 0 + 0.25·1·0.5·(1 − 0.6) + 0.5·0.5·0.2·(1 − 0.6) = 0.05 + 0.02 = 0.07, shielded 0.035
    #   ρ⁻ = 0.5·(−0.4) = −0.2, not shielded; no decay or care in a group
    #   R <- clip(0.6 + 0.035 − 0.2) = 0.435
    (dict(R=0.6, exposure=0.2, in_group=1.0, in_action=0.0), 0.435),
    # in action (phase 3), the shield turns around: ρ⁺ = 0.07 unshielded, ρ⁻ = −0.2·(1 − 0.5) = −0.1
    #   R <- clip(0.6 + 0.07 − 0.1) = 0.57
    (dict(R=0.6, exposure=0.2, in_group=1.0, in_action=1.0), 0.57),
    # clip at 1: no shield, Δ = 0.1: ρ⁺ = 0.5·1·0.1 + 0.25·1·0.5·0.1 + 0.5·1·1·0.1 = 0.05 + 0.0125 + 0.05 = 0.1125
    #   R <- clip(0.9 + 0.1125) = clip(1.0125) = 1
    (dict(R=0.9, exposure=1.0, U=1.0, S=1.0, H=0.0, in_group=1.0, in_action=0.0), 1.0),
    # clip at 0: Δ = −0.1, no shield, no competition, X = 0: ρ⁺ = 0, ρ⁻ = 1·(−0.1);
    #   decay 0.5·0.1 = 0.05, care 0.5·0.1 = 0.05: R <- clip(0.1 − 0.1 − 0.05 − 0.05) = clip(−0.1) = 0
    (dict(R=0.1, exposure=0.0, H=0.0, competing=0.0, in_group=0.0, in_action=0.0, influence_rate=1.0,
          belief_decay=0.5, care=0.5), 0.0),
], ids=["outside-rising", "outside-identifying", "outside-not-identifying", "outside-not-competing",
        "in-group-falling", "in-action", "clip-1", "clip-0"])
def test_E12_radical_belief_update(change, expected):
    # E12: R <- clip(R + ρ⁺ + ρ⁻ − belief_decay·R·(1 − r) − λr·R·(1 − r)),
    #      ρ⁺ (·(1 − H) in phases 0-2) = influence_rate·U·max(Δ, 0) + competition_drive·[σ = competition]·I·(1 − R)
    #                                     + significance_drive·S·X·(1 − R),
    #      ρ⁻ (·(1 − H) in phase 3) = influence_rate·min(Δ, 0)
    assert r.radical_belief_update(**{**BELIEF, **change}) == approx(expected)


VIOLENCE = dict(R=0.5, violence_significance=0.4, S=0.5, violence_peer=0.4, peer_violence_=0.5, violence_group=0.2,
                in_group=1.0, violence_competition=0.2, competing=0.0, violence_propensity=0.1)


@pytest.mark.parametrize("change, expected", [
    # member: clip(0.5·(0.4·0.5 + 0.4·0.5 + 0.2·1 + 0.2·0) + 0.1·1) = clip(0.5·0.6 + 0.1) = 0.4
    (dict(), 0.4),
    # member choosing social competition (activism): clip(0.5·(0.6 + 0.2·1) + 0.1) = 0.5
    (dict(competing=1.0), 0.5),
    # non-member: no group norm, the propensity has no outlet: clip(0.5·(0.2 + 0.2 + 0)) = 0.2
    (dict(in_group=0.0), 0.2),
    # non-member choosing competition: clip(0.5·(0.4 + 0.2)) = 0.3
    (dict(in_group=0.0, competing=1.0), 0.3),
    # clip at 1: clip(1·(0.8·1 + 0.2 + 0.2) + 0.2) = clip(1.4) = 1
    (dict(R=1.0, violence_significance=0.8, S=1.0, violence_propensity=0.2), 1.0),
    # clip at 0: a negative propensity: clip(0.5·0.6 − 0.5) = clip(−0.2) = 0
    (dict(violence_propensity=-0.5), 0.0),
], ids=["member", "member-competing", "non-member", "non-member-competing", "clip-1", "clip-0"])
def test_E13_violence_target(change, expected):
    # E13: V* = clip(R·(violence_significance·S + violence_peer·Y + violence_group·r
    #                   + violence_competition·[σ = competition]) + εV·r)
    assert r.violence_target(**{**VIOLENCE, **change}) == approx(expected)


SHIELD = dict(in_action=0.0, R=0.7, shield_base=0.1, shield_trust=0.4, T=0.5, shield_complexity=0.2, C=0.5,
              shield_discrimination=0.4, D=0.25, shield_support=0.2, in_group=0.0)


@pytest.mark.parametrize("change, expected", [
    # phases 0-1: clip(0.1 + 0.4·0.5 + 0.2·0.5 − 0.4·0.25 + 0.2·(1 − 0)) = clip(0.1 + 0.2 + 0.1 − 0.1 + 0.2) = 0.5
    (dict(), 0.5),
    # phase 2 (in a group, not in action): outside support does not reach: clip(0.3 + 0) = 0.3;
    # also phase 3 when the shield does not turn around (in_action = 0, the ablation)
    (dict(in_group=1.0), 0.3),
    # phase 3: H* = R = 0.7, whatever trust, complexity and discrimination are
    (dict(in_group=1.0, in_action=1.0), 0.7),
    # clip at 1: clip(0.5 + 0.5·1 + 0.1 − 0.1 + 0.2) = clip(1.2) = 1
    (dict(shield_base=0.5, shield_trust=0.5, T=1.0), 1.0),
    # clip at 0: clip(0.1 + 0.2 + 0.1 − 1·1 + 0.2) = clip(−0.4) = 0
    (dict(shield_discrimination=1.0, D=1.0), 0.0),
], ids=["phase-0-1", "phase-2", "phase-3", "clip-1", "clip-0"])
def test_E14_shield_target(change, expected):
    # E14: phases 0-2: H* = clip(shield_base + shield_trust·T + shield_complexity·C − shield_discrimination·D
    #                            + λh·(1 − r)); phase 3: H* = R
    assert r.shield_target(**{**SHIELD, **change}) == approx(expected)


@pytest.mark.parametrize("old, new, expected", [
    (3.0, 2.0, 0.25),   # leaving action: reset to shield_after_action = 0.25 (not the relaxed H = 0.75)
    (3.0, 3.0, 0.75),   # staying in action: H
    (2.0, 3.0, 0.75),   # entering action: H
    (2.0, 1.0, 0.75),   # leaving a group from phase 2: H
    (0.0, 0.0, 0.75),   # no transition: H
])
def test_E14_shield_after_transition(old, new, expected):
    # E14: after 3 -> 2 the shield is shield_after_action, otherwise its relaxed value H; here H = 0.75
    assert r.shield_after_transition(old_phase=old, new_phase=new, H=0.75, shield_after_action=0.25) == expected


# ---------------------------------------------------------------------------
# E15-E16 phase transitions
# ---------------------------------------------------------------------------

# θ1 = 0.25, θ2 = 0.5, θ3 = 0.625, η = 0.125, so θ1 − η = 0.125, θ2 − η = 0.375, θ3 − η = 0.5 (exact floats).
# e2 = disengagement_hazard + λe = 0.0625 + 0.0625 = 0.125;
# with V = 0.75 and no deterrence: e2 + action_hazard·(1 − λd)·V = 0.125 + 0.5·1·0.75 = 0.5.
# Exit from action: action_exit_hazard + (exit_family·F + λe)·(1 − H·turns)
#   = 0.0625 + (0.125·0.5 + 0.0625)·(1 − 0.5·1) = 0.0625 + 0.125·0.5 = 0.125.
TRANSITION = dict(phase=0.0, R=0.75, V=0.75, u=0.3, time_in_phase_=3.0, sensitivity_threshold=0.25,
                  membership_threshold=0.5, action_threshold=0.625, hysteresis=0.125, disengagement_hazard=0.0625,
                  exit_support=0.0625, min_weeks_before_action=4.0, action_hazard=0.5, action_blocked=0.0,
                  deterrence=0.0, action_exit_hazard=0.0625, exit_family=0.125, family_pull_=0.5, H=0.5,
                  shield_turns=1.0, old_enough=1.0)


@pytest.mark.parametrize("change, expected", [
    # phase 0: 0 -> 1 if R ≥ θ1 (and old enough)
    (dict(phase=0.0, R=0.25), Phase.SENSITIVITY),           # 0.25 ≥ 0.25
    (dict(phase=0.0, R=1.0, old_enough=0.0), Phase.NONE),   # a child stays in phase 0 whatever the belief
    (dict(phase=0.0, R=0.2), Phase.NONE),                   # 0.2 < 0.25
    (dict(phase=0.0, R=1.0, u=0.0), Phase.SENSITIVITY),     # at most one step: never straight to 2
    # phase 1: 1 -> 0 if R < θ1 − η = 0.125; otherwise stay (joining needs a recruiter or a close tie)
    (dict(phase=1.0, R=0.1), Phase.NONE),                   # 0.1 < 0.125
    (dict(phase=1.0, R=0.125), Phase.SENSITIVITY),          # hysteresis: 0.125 is not < 0.125
    (dict(phase=1.0, R=0.9), Phase.SENSITIVITY),            # high belief alone does not make a member
    # phase 2: 2 -> 1 if R < θ2 − η = 0.375 or u2 < e2 = 0.125
    (dict(phase=2.0, R=0.25, u=0.9), Phase.SENSITIVITY),    # belief below 0.375
    (dict(phase=2.0, R=0.375, u=0.9), Phase.GROUP_MEMBERSHIP),  # 0.375 is not < 0.375; u too high for action
    (dict(phase=2.0, u=0.1), Phase.SENSITIVITY),            # disengagement: 0.1 < 0.125
    # without λe, e2 = 0.0625 and 0.1 ≥ e2: no disengagement, and 0.1 < 0.0625 + 0.375 = 0.4375: action
    (dict(phase=2.0, u=0.1, exit_support=0.0), Phase.ACTION),
    # 2 -> 3 if τ + 1 ≥ min_weeks, V ≥ θ3, λa = 0 and e2 ≤ u2 < e2 + action_hazard·(1 − λd)·V = 0.5
    (dict(phase=2.0), Phase.ACTION),                        # τ + 1 = 4 ≥ 4, 0.75 ≥ 0.625, 0.125 ≤ 0.3 < 0.5
    (dict(phase=2.0, u=0.125), Phase.ACTION),               # u2 = e2 exactly: no disengagement, action
    (dict(phase=2.0, time_in_phase_=2.0), Phase.GROUP_MEMBERSHIP),  # τ + 1 = 3 < 4: too soon
    (dict(phase=2.0, V=0.5), Phase.GROUP_MEMBERSHIP),       # V = 0.5 < θ3 (though u2 = 0.3 < 0.125 + 0.25)
    (dict(phase=2.0, V=0.625, u=0.4), Phase.ACTION),        # V = θ3 counts: 0.4 < 0.125 + 0.5·0.625 = 0.4375
    (dict(phase=2.0, u=0.5), Phase.GROUP_MEMBERSHIP),       # u2 = 0.5 is not < 0.5
    (dict(phase=2.0, action_blocked=1.0), Phase.GROUP_MEMBERSHIP),  # λa ≠ 0
    # deterrence λd = 0.5: the action hazard halves, 0.125 + 0.5·(1 − 0.5)·0.75 = 0.3125
    (dict(phase=2.0, deterrence=0.5), Phase.ACTION),        # 0.3 < 0.3125
    (dict(phase=2.0, u=0.375, deterrence=0.5), Phase.GROUP_MEMBERSHIP),  # 0.375 ≥ 0.3125 (without λd: < 0.5)
    (dict(phase=2.0, u=0.375), Phase.ACTION),               # the same draw without deterrence: 0.375 < 0.5
    (dict(phase=2.0, u=0.125, deterrence=1.0), Phase.GROUP_MEMBERSHIP),  # full deterrence: 0.125 is not < 0.125
    # phase 3: 3 -> 2 if V < θ3 − η = 0.5 or u2 < 0.125 (see above)
    (dict(phase=3.0, V=0.4, u=0.9), Phase.GROUP_MEMBERSHIP),  # 0.4 < 0.5
    (dict(phase=3.0, V=0.5, u=0.9), Phase.ACTION),          # hysteresis: 0.5 is not < 0.5
    (dict(phase=3.0, u=0.1), Phase.GROUP_MEMBERSHIP),       # exit: 0.1 < 0.125
    (dict(phase=3.0, u=0.125), Phase.ACTION),               # 0.125 is not < 0.125
    # no relatives outside a group (F = 0): 0.0625 + 0.0625·0.5 = 0.09375 ≤ 0.1: stays
    (dict(phase=3.0, u=0.1, family_pull_=0.0), Phase.ACTION),
    # without λe: 0.0625 + 0.0625·0.5 = 0.09375 ≤ 0.1: stays
    (dict(phase=3.0, u=0.1, exit_support=0.0), Phase.ACTION),
    # a full shield (H = 1) blocks the pull: 0.0625 + 0.125·0 = 0.0625 ≤ 0.1: stays
    (dict(phase=3.0, u=0.1, H=1.0), Phase.ACTION),
    # ... but not the exit hazard itself: 0.05 < 0.0625
    (dict(phase=3.0, u=0.05, H=1.0), Phase.GROUP_MEMBERSHIP),
    # the shield does not turn around (ablation): the pull is unfiltered, 0.0625 + 0.125 = 0.1875 > 0.15: exit
    (dict(phase=3.0, u=0.15, shield_turns=0.0), Phase.GROUP_MEMBERSHIP),
    (dict(phase=3.0, u=0.15), Phase.ACTION),                # the same draw with the shield turned: 0.15 ≥ 0.125
], ids=["0-to-1", "0-child-stays", "0-stays", "0-one-step", "1-to-0", "1-stays-hysteresis", "1-stays-high-belief", "2-to-1-belief",
        "2-stays-hysteresis", "2-to-1-disengage", "2-to-3-without-exit-support", "2-to-3", "2-to-3-at-e2",
        "2-stays-too-soon", "2-stays-low-V", "2-to-3-V-at-threshold", "2-stays-u-above-hazard", "2-stays-blocked",
        "2-to-3-deterred", "2-stays-deterred", "2-to-3-not-deterred", "2-stays-fully-deterred", "3-to-2-low-V",
        "3-stays-hysteresis", "3-to-2-exit", "3-stays-at-exit-cut", "3-stays-no-family", "3-stays-without-exit-support",
        "3-stays-full-shield", "3-to-2-full-shield-hazard", "3-to-2-shield-not-turned", "3-stays-shield-turned"])
def test_E15_phase_transition(change, expected):
    assert r.phase_transition(**{**TRANSITION, **change}) == float(expected)


@pytest.mark.parametrize("relatives, in_group, expected", [
    (4.0, 1.0, 0.75),   # (4 − 1)/4 = 0.75 of the household outside a group
    (4.0, 0.0, 1.0),    # nobody in a group: 1
    (2.0, 2.0, 0.0),    # the whole household in a group: 0
    (0.0, 0.0, 0.0),    # no relatives: 0 (no pull)
])
def test_E15_family_pull(relatives, in_group, expected):
    # E15: F = share of relatives (household) not in a radical group, 0 without relatives
    assert r.family_pull(relatives=relatives, relatives_in_group=in_group) == approx(expected)


@pytest.mark.parametrize("phase, next_phase, R, removed, expected", [
    (1.0, 1.0, 0.5, 0.0, 1.0),   # in phase 1, stays in 1, R = 0.5 ≥ θ2 = 0.5, not in prison: ready
    (1.0, 1.0, 0.4, 0.0, 0.0),   # R = 0.4 < θ2
    (1.0, 0.0, 0.5, 0.0, 0.0),   # falls back to phase 0 this week
    (0.0, 1.0, 0.5, 0.0, 0.0),   # was not in phase 1 (just became a sympathiser)
    (2.0, 2.0, 0.5, 0.0, 0.0),   # already a member
    (1.0, 1.0, 0.5, 1.0, 0.0),   # in prison
])
def test_E15_ready_to_join(phase, next_phase, R, removed, expected):
    # E15: a ready sympathiser was in phase 1, stays in phase 1, has R ≥ θ2 and is not in prison
    assert r.ready_to_join(phase=phase, next_phase=next_phase, R=R, membership_threshold=0.5,
                           removed=removed) == expected


@pytest.mark.parametrize("base, gain, U, expected", [
    (0.5, 1.0, 0.25, 0.75),    # clip(0.5 + 1·0.25) = 0.75
    (0.5, 1.0, 0.0, 0.5),      # no uncertainty: the base appeal
    (0.5, 1.0, 0.75, 1.0),     # clip(0.5 + 0.75) = clip(1.25) = 1
    (-0.5, 1.0, 0.25, 0.0),    # clip(−0.5 + 0.25) = clip(−0.25) = 0
])
def test_E15_join_appeal(base, gain, U, expected):
    # E15: α = clip(join_appeal_base + join_appeal_uncertainty·U)
    assert r.join_appeal(join_appeal_base=base, join_appeal_uncertainty=gain, U=U) == approx(expected)


@pytest.mark.parametrize("u_accept, u_blocked, prevented, appeal, expected", [
    # H = 0.5; with α = 0.5 a resident joins if u_a < (1 − 0.5)·0.5 = 0.25
    (0.125, 0.5, 0.25, 0.5, 1.0),   # not prevented (0.5 ≥ 0.25) and joins (0.125 < 0.25)
    (0.125, 0.125, 0.25, 0.5, 0.0),  # prevented: u_b = 0.125 < λb = 0.25
    (0.25, 0.5, 0.25, 0.5, 0.0),    # u_a < (1 − H)·α is strict: 0.25 is not < 0.25
    (0.375, 0.5, 0.25, 0.5, 0.0),   # the shield and the appeal hold: 0.375 ≥ 0.25
    (0.375, 0.5, 0.25, 1.0, 1.0),   # full appeal: 0.375 < 0.5·1 = 0.5
    (0.0, 0.5, 0.25, 0.0, 0.0),     # no appeal: never (0 is not < 0)
    (0.125, 0.0, 0.0, 0.5, 1.0),    # λb = 0 never prevents (u_b = 0 is not < 0)
])
def test_E15_approach_succeeds(u_accept, u_blocked, prevented, appeal, expected):
    # E15 recruitment: prevented if u_b < λb; otherwise joins if u_a < (1 − H)·α
    assert r.approach_succeeds(u_accept=u_accept, u_blocked=u_blocked, prevented=prevented, H=0.5,
                               appeal=appeal) == expected


KIN = dict(u=0.0625, ready=1.0, close_member_ties=1.0, kin_join_rate=0.5, H=0.5, appeal=0.5)


@pytest.mark.parametrize("change, expected", [
    # a sympathiser with a close tie to a member: joins if u4 < 0.5·(1 − 0.5)·0.5 = 0.125
    (dict(), 1.0),                              # 0.0625 < 0.125
    (dict(u=0.125), 0.0),                       # strict: 0.125 is not < 0.125
    (dict(ready=0.0), 0.0),                     # not a sympathiser (not in phase 1, or in prison)
    (dict(close_member_ties=0.0), 0.0),         # no close tie to a member
    (dict(close_member_ties=3.0), 1.0),         # several close ties: the same chance
    (dict(u=0.1875, appeal=1.0), 1.0),          # full appeal: 0.1875 < 0.5·0.5·1 = 0.25
    (dict(u=0.1875), 0.0),                      # the same draw at α = 0.5: 0.1875 ≥ 0.125
    (dict(u=0.0, H=1.0), 0.0),                  # a full shield: the chance is 0
], ids=["joins", "at-cut", "not-sympathiser", "no-close-tie", "several-ties", "full-appeal", "refuses",
        "full-shield"])
def test_E15_kin_route(change, expected):
    # E15: a sympathiser with ≥ 1 close tie to a member joins if u4 < kin_join_rate·(1 − H)·α
    assert r.kin_route(**{**KIN, **change}) == expected


@pytest.mark.parametrize("old, new, weeks, expected", [
    (2.0, 2.0, 5.0, 6.0),   # no transition: τ + 1 = 6
    (2.0, 3.0, 5.0, 0.0),   # a transition: 0
    (1.0, 0.0, 5.0, 0.0),   # a step down is a transition too
])
def test_E16_time_in_phase(old, new, weeks, expected):
    # E16: τ <- 0 after a transition, else τ + 1
    assert r.time_in_phase(old_phase=old, new_phase=new, weeks=weeks) == expected


# ---------------------------------------------------------------------------
# E17 ageing and demographic renewal
# ---------------------------------------------------------------------------

def test_E17_age_one_week():
    # E17: a <- a + 1/52
    assert WEEKS_PER_YEAR == 52.0
    assert r.age_one_week(20.0) == approx(20.0 + 1.0 / 52.0)
    # 52 weeks make a year: 0 + 52·(1/52) = 1
    age = 0.0
    for _ in range(52):
        age = r.age_one_week(age)
    assert age == approx(1.0)
    # element-wise on arrays (the engine)
    np.testing.assert_allclose(r.age_one_week(np.array([0.0, 26.0])), [1 / 52, 26 + 1 / 52], rtol=0, atol=1e-12)


@pytest.mark.parametrize("uncertainty_base, shield_base, identification_base, eps_U, eps_T, eps_P, expected", [
    # U = clip(0.25 + 0.25) = 0.5, T = clip(0.5 + 0.25) = 0.75, P = clip(0.25 + 0.125) = 0.375,
    # H = clip(0.25 + 0.5·0.75) = 0.625, I = clip(0.25 + 0.5·0.5) = 0.5
    (0.25, 0.25, 0.25, 0.25, 0.25, 0.125, dict(U=0.5, T=0.75, P=0.375, H=0.625, I=0.5)),
    # clipping: U = clip(0.25 − 0.5) = 0, T = clip(0.5 + 0.75) = 1, P = clip(0.25 + 0.9) = 1,
    # H = clip(0.75 + 0.5·1) = clip(1.25) = 1, I = clip(0.875 + 0.25) = clip(1.125) = 1
    (0.25, 0.75, 0.875, -0.5, 0.75, 0.9, dict(U=0.0, T=1.0, P=1.0, H=1.0, I=1.0)),
    # clipping at 0: T = clip(0.5 − 0.75) = 0, so H = clip(0.25 + 0.5·0) = 0.25; I = clip(0 + 0.25) = 0.25
    (0.25, 0.25, 0.0, 0.25, -0.75, -0.5, dict(U=0.5, T=0.0, P=0.0, H=0.25, I=0.25)),
], ids=["inside", "clip-1", "clip-0"])
def test_E17_newborn_state(uncertainty_base, shield_base, identification_base, eps_U, eps_T, eps_P, expected):
    # E17: a = φ = τ = σ = role = 0, R = V = S = Dp = 0, U = clip(uncertainty_base + εU), T = clip(f + εT),
    #      P = clip(p_b + εP), D = Dg/2, I = clip(identification_base + identification_rejection·Dg),
    #      H = clip(shield_base + shield_trust·T); f = 0.5, shield_trust = 0.5, identification_rejection = 0.5,
    #      p_b = 0.25, Dg = 0.5
    p = Parameters(institutional_fairness=0.5, uncertainty_base=uncertainty_base, shield_base=shield_base,
                   shield_trust=0.5, identification_base=identification_base, identification_rejection=0.5)
    new = r.newborn_state(p, base_prejudice=0.25, prejudice_propensity=eps_P, uncertainty_propensity=eps_U,
                          trust_propensity=eps_T, group_discrimination=0.5)
    for name in ("age", "phase", "time_in_phase", "identity_strategy", "polarisation_role", "radical_belief",
                 "violence_attitude", "significance_loss", "personal_discrimination"):
        assert new[name] == 0.0, name
    assert new["identity_strategy"] == IdentityStrategy.INDIVIDUAL_MOBILITY
    assert new["polarisation_role"] == PolarisationRole.SILENT_MIDDLE
    assert new["identity_uncertainty"] == approx(expected["U"])
    assert new["institutional_trust"] == approx(expected["T"])
    assert new["prejudice"] == approx(expected["P"])
    assert new["resilience_shield"] == approx(expected["H"])
    assert new["identification"] == approx(expected["I"])
    assert new["perceived_discrimination"] == approx(0.25)   # D = Dg/2 = 0.5/2
    assert "group_discrimination" not in new                  # the family's Dg is kept as it is


# ---------------------------------------------------------------------------
# E18 social identification
# ---------------------------------------------------------------------------

IDENTIFICATION = dict(identification_base=0.5, identification_rejection=0.5, group_discrimination=0.5,
                      identification_competition=0.125, competing=0.0, identification_mobility=0.125, mobile=0.0)


@pytest.mark.parametrize("change, expected", [
    # social creativity (neither competing nor mobile): clip(0.5 + 0.5·0.5 + 0 − 0) = 0.75
    (dict(), 0.75),
    # social competition strengthens it: 0.75 + 0.125·1 = 0.875
    (dict(competing=1.0), 0.875),
    # individual mobility loosens it: 0.75 − 0.125·1 = 0.625
    (dict(mobile=1.0), 0.625),
    # no rejection (Dg = 0): the base 0.5
    (dict(group_discrimination=0.0), 0.5),
    # clip at 1: clip(0.5 + 0.5·1 + 0.125) = clip(1.125) = 1
    (dict(group_discrimination=1.0, competing=1.0), 1.0),
    # clip at 0: clip(0 + 0 − 0.125) = 0
    (dict(identification_base=0.0, group_discrimination=0.0, mobile=1.0), 0.0),
], ids=["creativity", "competition", "mobility", "no-rejection", "clip-1", "clip-0"])
def test_E18_identification_target(change, expected):
    # E18: I* = clip(identification_base + identification_rejection·Dg + identification_competition·[σ = competition]
    #                − identification_mobility·[σ = mobility])
    assert r.identification_target(**{**IDENTIFICATION, **change}) == approx(expected)


# ---------------------------------------------------------------------------
# E19 polarisation roles, E20 acts
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("phase, P, expected", [
    (0.0, 0.5, 1.0),      # prejudice at the threshold 0.5 counts (P ≥ pusher_prejudice)
    (0.0, 0.4375, 0.0),   # 0.4375 < 0.5, outside a group: not a pusher
    (1.0, 0.75, 1.0),     # a prejudiced sympathiser
    (1.0, 0.25, 0.0),     # a sympathiser with low prejudice
    (2.0, 0.0, 1.0),      # a member (either pole), whatever the prejudice
    (3.0, 0.0, 1.0),      # in action
])
def test_E19_is_pusher(phase, P, expected):
    # E19: pusher if φ ≥ 2 or P ≥ pusher_prejudice, here 0.5
    assert r.is_pusher(phase=phase, P=P, pusher_prejudice=0.5) == expected


@pytest.mark.parametrize("phase, P, c, expected", [
    (0.0, 0.125, 0.25, 1.0),   # both bounds inclusive: P = 0.125 ≤ 0.125, c = 0.25 ≥ 0.25
    (0.0, 0.0, 0.5, 1.0),
    (0.0, 0.1875, 0.5, 0.0),   # prejudice too high: 0.1875 > 0.125
    (0.0, 0.0, 0.125, 0.0),    # too few cross-background ties: 0.125 < 0.25
    (1.0, 0.0, 0.5, 0.0),      # a sympathiser is not a bridge builder
    (2.0, 0.0, 0.5, 0.0),      # nor a member
])
def test_E19_is_bridge_builder(phase, P, c, expected):
    # E19: bridge builder if φ = 0, P ≤ bridge_prejudice (0.125) and c ≥ bridge_contact (0.25)
    assert r.is_bridge_builder(phase=phase, P=P, contact_share=c, bridge_prejudice=0.125,
                               bridge_contact=0.25) == expected


@pytest.mark.parametrize("phase, pusher, bridge, share, expected", [
    (2.0, 1.0, 0.0, 0.5, PolarisationRole.PUSHER),           # a member is a pusher
    (0.0, 1.0, 0.0, 0.5, PolarisationRole.PUSHER),           # pusher comes first, even when reached by pushers
    (1.0, 1.0, 0.0, 0.0, PolarisationRole.PUSHER),           # a prejudiced sympathiser: pusher before joiner
    (1.0, 0.0, 0.0, 0.5, PolarisationRole.JOINER),           # a sympathiser: joiner before scapegoat
    (0.0, 0.0, 1.0, 0.5, PolarisationRole.BRIDGE_BUILDER),   # bridge builder before scapegoat
    (0.0, 0.0, 0.0, 0.125, PolarisationRole.SCAPEGOAT),      # 0.125 ≥ scapegoat_exposure 0.125
    (0.0, 0.0, 0.0, 0.0625, PolarisationRole.SILENT_MIDDLE),  # 0.0625 < 0.125: the silent middle
    (0.0, 0.0, 0.0, 0.0, PolarisationRole.SILENT_MIDDLE),
])
def test_E19_polarisation_role(phase, pusher, bridge, share, expected):
    # E19, in order: pusher, joiner (phase 1), bridge builder, scapegoat (phase 0, ψ̄ ≥ scapegoat_exposure), middle
    assert r.polarisation_role(phase=phase, pusher=pusher, bridge=bridge, other_pusher_share=share,
                               scapegoat_exposure=0.125) == float(expected)


@pytest.mark.parametrize("u, in_action, removed, deterrence, expected", [
    (0.125, 1.0, 0.0, 0.0, 1.0),    # in phase 3: 0.125 < act_hazard·(1 − 0) = 0.25: an act
    (0.25, 1.0, 0.0, 0.0, 0.0),     # strict: 0.25 is not < 0.25
    (0.125, 0.0, 0.0, 0.0, 0.0),    # not in phase 3: no act
    (0.125, 1.0, 1.0, 0.0, 0.0),    # in prison: no act
    (0.125, 1.0, 0.0, 0.5, 0.0),    # deterrence halves the chance: 0.125 is not < 0.25·0.5 = 0.125
    (0.0625, 1.0, 0.0, 0.5, 1.0),   # 0.0625 < 0.125
    (0.0, 1.0, 0.0, 1.0, 0.0),      # full deterrence: 0 is not < 0
])
def test_E20_commits_act(u, in_action, removed, deterrence, expected):
    # E20: an act if in phase 3, not in prison and u5 < act_hazard·(1 − λd_i); act_hazard = 0.25
    assert r.commits_act(u=u, in_action=in_action, removed=removed, act_hazard=0.25,
                         deterrence=deterrence) == expected


# ---------------------------------------------------------------------------
# every rule has a test above, and its compiled form gives the same floats
# ---------------------------------------------------------------------------

def test_every_rule_has_a_test():
    tested = {name.split("_", 2)[2] for name in globals() if name.startswith("test_E")}
    missing = sorted(set(r.RULES) - tested)
    assert not missing, f"rules without a hand-worked test: {missing}"
    plain = {"attack_threat", "undamped_threat", "acts_threat", "combined_threat", "damped_threat",
             "discrimination_after_threat", "age_one_week", "newborn_state"}
    assert plain <= tested
    # every function of model.rules (rules and plain numpy parts) has its test
    public = {name for name in r.__all__ if callable(getattr(r, name)) and not isinstance(getattr(r, name), type)}
    missing = sorted(public - tested - {"clip"})
    assert not missing, f"functions without a hand-worked test: {missing}"


unit = st.floats(0.0, 1.0, allow_nan=False)
flag = st.one_of(st.sampled_from([0.0, 1.0]), unit)
count = st.one_of(st.sampled_from([0.0, 1.0, 2.0, 3.0, 4.0]), st.floats(0.0, 4.0))
PHASE_ARGS = {"phase", "next_phase", "old_phase", "new_phase"}
FLAG_ARGS = {"in_group", "in_action", "minority", "young", "competing", "creating", "mobile", "middle",
             "action_blocked", "removed", "shield_turns", "ready", "pusher", "bridge"}
COUNT_ARGS = {"memberships", "relatives", "relatives_in_group", "close_member_ties", "weeks", "time_in_phase_",
              "min_weeks_before_action"}
SCALE_ARGS = {"permeability_contact", "join_appeal_uncertainty", "exposure", "peer_gain"}   # may exceed 1


def argument(name):
    """Floats in [0, 1]; phases, strategies and counts also as their codes, flags also as exactly 0 or 1
    (to reach every branch); divisors within their parameter ranges."""
    if name in PHASE_ARGS:
        return st.one_of(st.sampled_from([0.0, 1.0, 2.0, 3.0]), unit)
    if name == "current":                  # an IdentityStrategy code
        return st.one_of(st.sampled_from([0.0, 1.0, 2.0]), unit)
    if name in FLAG_ARGS:
        return flag
    if name in COUNT_ARGS:
        return count
    if name in SCALE_ARGS:
        return st.floats(0.0, 4.0)
    if name == "half_saturation":          # complexity_half_saturation >= 0.1 (model/parameters.py)
        return st.floats(0.1, 1.0)
    if name == "grievance_half_saturation":   # >= 0.01 (model/parameters.py): G/(G + k) is defined at G = 0
        return st.floats(0.01, 1.0)
    return unit


@pytest.mark.parametrize("name", sorted(r.RULES))
@given(data=st.data())
def test_vectorized_equals_python(name, data):
    fn = r.RULES[name]
    params = list(inspect.signature(fn).parameters)
    args = [data.draw(argument(p), label=p) for p in params]
    python = fn(*args)
    compiled = fn.vectorized(*[np.array([a], dtype=np.float64) for a in args])
    assert compiled.shape == (1,)
    assert compiled[0] == python            # exactly the same float, not approximately
