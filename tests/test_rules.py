"""The rules of ``model/rules.py`` against the equations E1-E17 of ``docs/ODD.md`` §7.3, worked out by hand.

Every rule has one test, named after its equation and function. Its cases are
chosen so that the numbers are easy and every term of the equation matters; the
arithmetic is in the comment above each case. Where a rule has branches (in a
group or not, in action or not, the phases, the identity strategies, clipping at
0 and 1, a fallback) each branch has a case. Numbers are mostly dyadic
(0.25, 0.125, ...) so that thresholds compare exactly.

The last test checks that each rule's compiled form, ``rule.vectorized``, gives
exactly the same float as the plain Python call: this is what keeps the
per-agent reference and the array engine equal.
"""

import inspect
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from model import rules as r
from model.parameters import WEEKS_PER_YEAR, Parameters
from model.rules import IdentityStrategy, Phase


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
    # E1: one attack's term attack_severity·exp(−(t − t_e)/attack_relaxation_weeks), severity 0.8, τ = 10
    assert r.attack_threat(severity=0.8, weeks_since=weeks_since, relaxation_weeks=10.0) == approx(expected)


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
    # E1: δ(t) = min(1, societal_discrimination + attack_discrimination_gain·θ(t))
    assert r.discrimination_after_threat(d0, gain, threat) == approx(expected)


# ---------------------------------------------------------------------------
# E2 exposure
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("kw, expected", [
    # non-member (r = 0, so g = group_pull·r = 0): den = W1 − ι·Wr = 4 − 0.5·1 = 3.5,
    # X = (WR − ι·WrR)/den = (2 − 0.5·0.5)/3.5 = 1.75/3.5 = 0.5
    (dict(WR=2.0, WrR=0.5, Wr=1.0, W1=4.0, in_group=0.0, group_isolation=0.5, group_pull=1.0, R=0.1), 0.5),
    # member (r = 1, g = 1): den = W1 − ι(W1 − Wr) + g = 4 − 0.5·(4 − 2) + 1 = 4,
    # X = (WR − ι(WR − WrR) + g)/den = (2 − 0.5·(2 − 1.5) + 1)/4 = 2.75/4 = 0.6875
    (dict(WR=2.0, WrR=1.5, Wr=2.0, W1=4.0, in_group=1.0, group_isolation=0.5, group_pull=1.0, R=0.1), 0.6875),
    # no ties: X = R = 0.1
    (dict(WR=0.0, WrR=0.0, Wr=0.0, W1=0.0, in_group=0.0, group_isolation=0.5, group_pull=1.0, R=0.1), 0.1),
    # a member without ties still feels the group's pull at belief 1: (0 + g)/(0 + g) = 1
    (dict(WR=0.0, WrR=0.0, Wr=0.0, W1=0.0, in_group=1.0, group_isolation=0.5, group_pull=0.5, R=0.1), 1.0),
    # a non-member whose only ties are members behind full isolation (ι = 1): den = 2 − 1·2 = 0, so X = R
    (dict(WR=1.0, WrR=1.0, Wr=2.0, W1=2.0, in_group=0.0, group_isolation=1.0, group_pull=0.5, R=0.1), 0.1),
], ids=["non-member", "member", "no-ties", "member-no-ties-pull", "fully-isolated"])
def test_E2_influence_exposure(kw, expected):
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
    assert r.peer_violence(**kw) == approx(expected)


# ---------------------------------------------------------------------------
# E3 prejudice
# ---------------------------------------------------------------------------

PREJUDICE = dict(base=0.3, propensity=0.1, attack_prejudice_gain=0.5, threat=0.4, minority=0.0,
                 contact_prejudice_reduction=0.5, contact_share=0.2, contact_quality=0.5, programme_contact_share=0.4)


@pytest.mark.parametrize("change, expected", [
    # majority: clip(0.3 + 0.1 + 0.5·0.4·(1 − 0) − 0.5·(0.2 + 0.5·0.4)) = clip(0.6 − 0.2) = 0.4
    (dict(), 0.4),
    # minority: threat does not raise it: clip(0.3 + 0.1 + 0 − 0.2) = 0.2
    (dict(minority=1.0), 0.2),
    # clip at 0: clip(0.1 − 0.2 + 0.2 − 0.2) = clip(−0.1) = 0
    (dict(base=0.1, propensity=-0.2), 0.0),
    # clip at 1: clip(0.8 + 0.3 + 0.2 − 0.2) = clip(1.1) = 1
    (dict(base=0.8, propensity=0.3), 1.0),
], ids=["majority", "minority", "clip-0", "clip-1"])
def test_E3_prejudice_target(change, expected):
    # E3: P* = clip(p_b + εP + gain·θ·(1 − minority) − reduction·(c + λc·c_prog))
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


INCIDENT = dict(incident_rate=0.5, prejudiced_contact=0.4, societal_discrimination=0.5, fairness=0.6,
                institutional_relief=0.5, minority=1.0)


@pytest.mark.parametrize("change, expected", [
    # minority: clip(0.5·0.4 + 0.5·(1 − 0.6)·(1 − 0.5)·1) = clip(0.2 + 0.1) = 0.3
    (dict(), 0.3),
    # majority: no institutional discrimination: clip(0.2 + 0) = 0.2
    (dict(minority=0.0), 0.2),
    # clip at 1: clip(2·0.5 + 0.1) = clip(1.1) = 1
    (dict(incident_rate=2.0, prejudiced_contact=0.5), 1.0),
], ids=["minority", "majority", "clip-1"])
def test_E4_incident_probability(change, expected):
    # E4: π = clip(incident_rate·e + δ·(1 − f_i)·(1 − λq_i)·minority)
    assert r.incident_probability(**{**INCIDENT, **change}) == approx(expected)


@pytest.mark.parametrize("u, expected", [
    (0.2, 1.0),   # 0.2 < 0.3: an incident
    (0.3, 0.0),   # u0 < π is strict: 0.3 is not below 0.3
    (0.5, 0.0),   # 0.5 ≥ 0.3: none
])
def test_E4_discrimination_incident(u, expected):
    # E4: an incident happens if u0 < π, here π = 0.3
    assert r.discrimination_incident(u=u, probability=0.3) == expected


GROUP_DEPRIVATION = dict(ingroup_personal_discrimination=0.4, macro_weight=0.5, societal_discrimination=0.6,
                         institutional_relief=0.5, minority=1.0, injustice=0.1)


@pytest.mark.parametrize("change, expected", [
    # minority: clip((1 − 0.5)·0.4 + 0.5·0.6·(1 − 0.5)·1 + 0.1) = clip(0.2 + 0.15 + 0.1) = 0.45
    (dict(), 0.45),
    # majority: clip(0.2 + 0 + 0.1) = 0.3
    (dict(minority=0.0), 0.3),
    # clip at 0: clip(0.2 + 0.15 − 0.5) = clip(−0.15) = 0
    (dict(injustice=-0.5), 0.0),
    # clip at 1: clip(0.5·1 + 0.5·1·(1 − 0)·1 + 0.5) = clip(1.5) = 1
    (dict(ingroup_personal_discrimination=1.0, societal_discrimination=1.0, institutional_relief=0.0,
          injustice=0.5), 1.0),
], ids=["minority", "majority", "clip-0", "clip-1"])
def test_E6_group_deprivation_target(change, expected):
    # E6: Dg* = clip((1 − μ)·d_in + μ·δ·(1 − λq_i)·minority + λg_i)
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


@pytest.mark.parametrize("kw, expected", [
    # clip(0.6·0.5 + 0.2·(1 − 0.25)) = clip(0.3 + 0.15) = 0.45
    (dict(significance_discrimination=0.6, personal_discrimination=0.5, significance_belonging=0.2, C=0.25), 0.45),
    # clip at 1: clip(1·0.8 + 0.5·(1 − 0.2)) = clip(0.8 + 0.4) = 1
    (dict(significance_discrimination=1.0, personal_discrimination=0.8, significance_belonging=0.5, C=0.2), 1.0),
], ids=["inside", "clip-1"])
def test_E9_significance_target(kw, expected):
    # E9: S* = clip(significance_discrimination·Dp + significance_belonging·(1 − C))
    assert r.significance_target(**kw) == approx(expected)


TRUST = dict(fairness=0.8, trust_discrimination=0.5, D=0.5, propensity=0.1, trust_penalty=0.2, trust_group_loss=0.5,
             in_group=0.0)


@pytest.mark.parametrize("change, expected", [
    # non-member: clip(0.8·(1 − 0.5·0.5) + 0.1 − 0.2)·(1 − 0) = clip(0.6 − 0.1) = 0.5
    (dict(), 0.5),
    # in a group: 0.5·(1 − 0.5·1) = 0.25
    (dict(in_group=1.0), 0.25),
    # clip at 1 before the group's loss: clip(1·(1 − 0.5·0.2) + 0.3 − 0)·0.5 = clip(1.2)·0.5 = 0.5
    (dict(fairness=1.0, D=0.2, propensity=0.3, trust_penalty=0.0, in_group=1.0), 0.5),
    # clip at 0: clip(0.4·(1 − 0.5·1) − 0.1 − 0.3) = clip(0.2 − 0.4) = 0
    (dict(fairness=0.4, D=1.0, propensity=-0.1, trust_penalty=0.3), 0.0),
], ids=["non-member", "in-group", "clip-1-then-loss", "clip-0"])
def test_E10_trust_target(change, expected):
    # E10: T* = clip(f_i·(1 − trust_discrimination·D) + εT − λt_i)·(1 − trust_group_loss·r)
    assert r.trust_target(**{**TRUST, **change}) == approx(expected)


# ---------------------------------------------------------------------------
# E11 identity strategy
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("u, Dg, P, expected", [
    # group grievance: G = max(0.5, 0.5·0.75) = max(0.5, 0.375) = 0.5;
    # competition below G·(1 − T·s) = 0.5·(1 − 0.5·0.5) = 0.375, creativity below G = 0.5
    (0.25, 0.5, 0.75, IdentityStrategy.SOCIAL_COMPETITION),    # 0.25 < 0.375
    (0.375, 0.5, 0.75, IdentityStrategy.SOCIAL_CREATIVITY),    # 0.375 is not < 0.375, but < 0.5
    (0.45, 0.5, 0.75, IdentityStrategy.SOCIAL_CREATIVITY),     # 0.375 ≤ 0.45 < 0.5
    (0.5, 0.5, 0.75, IdentityStrategy.INDIVIDUAL_MOBILITY),    # 0.5 is not < G = 0.5
    (0.75, 0.5, 0.75, IdentityStrategy.INDIVIDUAL_MOBILITY),   # 0.75 ≥ 0.5
    # threat grievance (majority): G = max(0.125, 0.5·1) = 0.5, the same cut points 0.375 and 0.5
    (0.25, 0.125, 1.0, IdentityStrategy.SOCIAL_COMPETITION),
    (0.45, 0.125, 1.0, IdentityStrategy.SOCIAL_CREATIVITY),
    (0.625, 0.125, 1.0, IdentityStrategy.INDIVIDUAL_MOBILITY),
])
def test_E11_identity_strategy(u, Dg, P, expected):
    # E11: G = max(Dg, w·P), competition if u1 < G(1 − T·s), creativity if u1 < G, else mobility; w = T = s = 0.5
    code = r.identity_strategy(u=u, group_discrimination=Dg, threat_grievance_weight=0.5, prejudice=P, trust=0.5,
                               stability=0.5)
    assert code == float(expected)


# ---------------------------------------------------------------------------
# E12-E14 radical belief, violence, resilience shield
# ---------------------------------------------------------------------------

BELIEF = dict(U=0.5, S=0.5, H=0.5, competing=1.0, care=0.1, influence_rate=0.5, competition_drive=0.25,
              significance_drive=0.5, belief_decay=0.1)


@pytest.mark.parametrize("change, expected", [
    # outside a group, belief rising (Δ = 0.6 − 0.2 = 0.4):
    #   ρ⁺ = 0.5·0.5·0.4 + 0.25·1·(1 − 0.2) + 0.5·0.5·0.6·(1 − 0.2) = 0.1 + 0.2 + 0.12 = 0.42,
    #   shielded: 0.42·(1 − 0.5) = 0.21
    #   ρ⁻ = 0.5·min(0.4, 0) = 0; decay 0.1·0.2·1 = 0.02; care 0.1·0.2·1 = 0.02
    #   R <- clip(0.2 + 0.21 + 0 − 0.02 − 0.02) = 0.37
    (dict(R=0.2, exposure=0.6, in_group=0.0, in_action=0.0), 0.37),
    # as above, not competing: ρ⁺ = 0.1 + 0 + 0.12 = 0.22, shielded 0.11; R <- 0.2 + 0.11 − 0.04 = 0.27
    (dict(R=0.2, exposure=0.6, in_group=0.0, in_action=0.0, competing=0.0), 0.27),
    # in a group (phase 2), belief pulled down (Δ = 0.2 − 0.6 = −0.4):
    #   ρ⁺ = 0 + 0.25·(1 − 0.6) + 0.5·0.5·0.2·(1 − 0.6) = 0.1 + 0.02 = 0.12, shielded 0.06
    #   ρ⁻ = 0.5·(−0.4) = −0.2, not shielded; no decay or care in a group
    #   R <- clip(0.6 + 0.06 − 0.2) = 0.46
    (dict(R=0.6, exposure=0.2, in_group=1.0, in_action=0.0), 0.46),
    # in action (phase 3): the shield turns around: ρ⁺ = 0.12 unshielded, ρ⁻ = −0.2·(1 − 0.5) = −0.1
    #   R <- clip(0.6 + 0.12 − 0.1) = 0.62
    (dict(R=0.6, exposure=0.2, in_group=1.0, in_action=1.0), 0.62),
    # clip at 1: no shield, Δ = 0.1: ρ⁺ = 0.5·1·0.1 + 0.25·0.1 + 0.5·1·1·0.1 = 0.05 + 0.025 + 0.05 = 0.125
    #   R <- clip(0.9 + 0.125) = clip(1.025) = 1
    (dict(R=0.9, exposure=1.0, U=1.0, S=1.0, H=0.0, in_group=1.0, in_action=0.0), 1.0),
    # clip at 0: Δ = −0.1, no shield, no competition, X = 0: ρ⁺ = 0, ρ⁻ = 1·(−0.1);
    #   decay 0.5·0.1 = 0.05, care 0.5·0.1 = 0.05: R <- clip(0.1 − 0.1 − 0.05 − 0.05) = clip(−0.1) = 0
    (dict(R=0.1, exposure=0.0, H=0.0, competing=0.0, in_group=0.0, in_action=0.0, influence_rate=1.0,
          belief_decay=0.5, care=0.5), 0.0),
], ids=["outside-rising", "outside-not-competing", "in-group-falling", "in-action", "clip-1", "clip-0"])
def test_E12_radical_belief_update(change, expected):
    # E12: R <- clip(R + ρ⁺ + ρ⁻ − belief_decay·R·(1 − r) − λr·R·(1 − r)),
    #      ρ⁺ (·(1 − H) in phases 0-2) = influence_rate·U·max(Δ, 0) + competition_drive·[σ = competition]·(1 − R)
    #                                     + significance_drive·S·X·(1 − R),
    #      ρ⁻ (·(1 − H) in phase 3) = influence_rate·min(Δ, 0)
    assert r.radical_belief_update(**{**BELIEF, **change}) == approx(expected)


VIOLENCE = dict(R=0.5, violence_significance=0.4, S=0.5, violence_peer=0.4, peer_violence_=0.5, violence_group=0.2,
                in_group=1.0, violence_propensity=0.1)


@pytest.mark.parametrize("change, expected", [
    # member: clip(0.5·(0.4·0.5 + 0.4·0.5 + 0.2·1) + 0.1·1) = clip(0.5·0.6 + 0.1) = 0.4
    (dict(), 0.4),
    # non-member: no group norm, the propensity has no outlet: clip(0.5·(0.2 + 0.2 + 0)) = 0.2
    (dict(in_group=0.0), 0.2),
    # clip at 1: clip(1·(0.8·1 + 0.2 + 0.2) + 0.2) = clip(1.4) = 1
    (dict(R=1.0, violence_significance=0.8, S=1.0, violence_propensity=0.2), 1.0),
    # clip at 0: a negative propensity: clip(0.5·0.6 − 0.5) = clip(−0.2) = 0
    (dict(violence_propensity=-0.5), 0.0),
], ids=["member", "non-member", "clip-1", "clip-0"])
def test_E13_violence_target(change, expected):
    # E13: V* = clip(R·(violence_significance·S + violence_peer·Y + violence_group·r) + εV·r)
    assert r.violence_target(**{**VIOLENCE, **change}) == approx(expected)


SHIELD = dict(in_action=0.0, R=0.7, shield_base=0.1, shield_trust=0.4, T=0.5, shield_complexity=0.2, C=0.5,
              shield_discrimination=0.4, D=0.25, shield_support=0.2, in_group=0.0)


@pytest.mark.parametrize("change, expected", [
    # phases 0-1: clip(0.1 + 0.4·0.5 + 0.2·0.5 − 0.4·0.25 + 0.2·(1 − 0)) = clip(0.1 + 0.2 + 0.1 − 0.1 + 0.2) = 0.5
    (dict(), 0.5),
    # phase 2 (in a group, not in action): outside support does not reach: clip(0.3 + 0) = 0.3
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


# ---------------------------------------------------------------------------
# E15-E16 phase transitions
# ---------------------------------------------------------------------------

# θ1 = 0.25, θ2 = 0.5, θ3 = 0.625, η = 0.125, so θ1 − η = 0.125, θ2 − η = 0.375, θ3 − η = 0.5 (exact floats).
# e2 = disengagement_hazard + λe = 0.0625 + 0.0625 = 0.125;
# with V = 0.75: e2 + action_hazard·V = 0.125 + 0.5·0.75 = 0.5.
# Exit from action: action_exit_hazard + λe = 0.0625 + 0.0625 = 0.125.
TRANSITION = dict(phase=0.0, R=0.75, V=0.75, u=0.3, time_in_phase_=3.0, sensitivity_threshold=0.25,
                  membership_threshold=0.5, action_threshold=0.625, hysteresis=0.125, disengagement_hazard=0.0625,
                  exit_support=0.0625, min_weeks_before_action=4.0, action_hazard=0.5, action_blocked=0.0,
                  action_exit_hazard=0.0625)


@pytest.mark.parametrize("change, expected", [
    # phase 0: 0 -> 1 if R ≥ θ1
    (dict(phase=0.0, R=0.25), Phase.SENSITIVITY),           # 0.25 ≥ 0.25
    (dict(phase=0.0, R=0.2), Phase.NONE),                   # 0.2 < 0.25
    # phase 1: 1 -> 0 if R < θ1 − η = 0.125; otherwise stay (joining needs a recruiter)
    (dict(phase=1.0, R=0.1), Phase.NONE),                   # 0.1 < 0.125
    (dict(phase=1.0, R=0.125), Phase.SENSITIVITY),          # hysteresis: 0.125 is not < 0.125
    (dict(phase=1.0, R=0.9), Phase.SENSITIVITY),            # high belief alone does not make a member
    # phase 2: 2 -> 1 if R < θ2 − η = 0.375 or u2 < e2 = 0.125
    (dict(phase=2.0, R=0.25, u=0.9), Phase.SENSITIVITY),    # belief below 0.375
    (dict(phase=2.0, R=0.375, u=0.9), Phase.GROUP_MEMBERSHIP),  # 0.375 is not < 0.375; u too high for action
    (dict(phase=2.0, u=0.1), Phase.SENSITIVITY),            # disengagement: 0.1 < 0.125
    # without λe, e2 = 0.0625 and 0.1 ≥ e2: no disengagement, and 0.1 < 0.0625 + 0.375 = 0.4375: action
    (dict(phase=2.0, u=0.1, exit_support=0.0), Phase.ACTION),
    # 2 -> 3 if τ + 1 ≥ min_weeks, V ≥ θ3, λa = 0 and e2 ≤ u2 < e2 + action_hazard·V = 0.5
    (dict(phase=2.0), Phase.ACTION),                        # τ + 1 = 4 ≥ 4, 0.75 ≥ 0.625, 0.125 ≤ 0.3 < 0.5
    (dict(phase=2.0, u=0.125), Phase.ACTION),               # u2 = e2 exactly: no disengagement, action
    (dict(phase=2.0, time_in_phase_=2.0), Phase.GROUP_MEMBERSHIP),  # τ + 1 = 3 < 4: too soon
    (dict(phase=2.0, V=0.5), Phase.GROUP_MEMBERSHIP),       # V = 0.5 < θ3 (though u2 = 0.3 < 0.125 + 0.25)
    (dict(phase=2.0, u=0.5), Phase.GROUP_MEMBERSHIP),       # u2 = 0.5 is not < 0.5
    (dict(phase=2.0, action_blocked=1.0), Phase.GROUP_MEMBERSHIP),  # λa ≠ 0
    # phase 3: 3 -> 2 if V < θ3 − η = 0.5 or u2 < action_exit_hazard + λe = 0.125
    (dict(phase=3.0, V=0.4, u=0.9), Phase.GROUP_MEMBERSHIP),  # 0.4 < 0.5
    (dict(phase=3.0, V=0.5, u=0.9), Phase.ACTION),          # hysteresis: 0.5 is not < 0.5
    (dict(phase=3.0, u=0.1), Phase.GROUP_MEMBERSHIP),       # exit: 0.1 < 0.0625 + 0.0625
    (dict(phase=3.0, u=0.1, exit_support=0.0), Phase.ACTION),  # without λe: 0.1 ≥ 0.0625, stays
], ids=["0-to-1", "0-stays", "1-to-0", "1-stays-hysteresis", "1-stays-high-belief", "2-to-1-belief",
        "2-stays-hysteresis", "2-to-1-disengage", "2-to-3-without-exit-support", "2-to-3", "2-to-3-at-e2",
        "2-stays-too-soon", "2-stays-low-V", "2-stays-u-above-hazard", "2-stays-blocked", "3-to-2-low-V",
        "3-stays-hysteresis", "3-to-2-exit", "3-stays-without-exit-support"])
def test_E15_phase_transition(change, expected):
    assert r.phase_transition(**{**TRANSITION, **change}) == float(expected)


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


@pytest.mark.parametrize("u_accept, u_blocked, prevented, expected", [
    (0.4, 0.5, 0.25, 1.0),   # not prevented (0.5 ≥ 0.25) and joins (0.4 < 1 − 0.5)
    (0.4, 0.2, 0.25, 0.0),   # prevented: u_b = 0.2 < λb = 0.25
    (0.6, 0.5, 0.25, 0.0),   # the shield holds: 0.6 ≥ 1 − 0.5
    (0.5, 0.5, 0.25, 0.0),   # u_a < 1 − H is strict: 0.5 is not < 0.5
    (0.4, 0.0, 0.0, 1.0),    # λb = 0 never prevents (u_b = 0 is not < 0)
])
def test_E15_approach_succeeds(u_accept, u_blocked, prevented, expected):
    # E15 recruitment: prevented if u_b < λb; otherwise joins if u_a < 1 − H; here H = 0.5
    assert r.approach_succeeds(u_accept=u_accept, u_blocked=u_blocked, prevented=prevented, H=0.5) == expected


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


@pytest.mark.parametrize("uncertainty_base, shield_base, eps_U, eps_T, eps_P, expected", [
    # U = clip(0.25 + 0.25) = 0.5, T = clip(0.5 + 0.25) = 0.75, P = clip(0.25 + 0.125) = 0.375,
    # H = clip(0.25 + 0.5·0.75) = 0.625
    (0.25, 0.25, 0.25, 0.25, 0.125, dict(U=0.5, T=0.75, P=0.375, H=0.625)),
    # clipping: U = clip(0.25 − 0.5) = 0, T = clip(0.5 + 0.75) = 1, P = clip(0.25 + 0.9) = 1,
    # H = clip(0.75 + 0.5·1) = clip(1.25) = 1
    (0.25, 0.75, -0.5, 0.75, 0.9, dict(U=0.0, T=1.0, P=1.0, H=1.0)),
    # clipping at 0: T = clip(0.5 − 0.75) = 0, so H = clip(0.25 + 0.5·0) = 0.25
    (0.25, 0.25, 0.25, -0.75, -0.5, dict(U=0.5, T=0.0, P=0.0, H=0.25)),
], ids=["inside", "clip-1", "clip-0"])
def test_E17_newborn_state(uncertainty_base, shield_base, eps_U, eps_T, eps_P, expected):
    # E17: a = φ = τ = 0, R = V = S = Dp = 0, U = clip(uncertainty_base + εU), T = clip(f + εT),
    #      P = clip(p_b + εP), D = Dg/2, H = clip(shield_base + shield_trust·T); f = 0.5, shield_trust = 0.5, p_b = 0.25
    p = Parameters(institutional_fairness=0.5, uncertainty_base=uncertainty_base, shield_base=shield_base,
                   shield_trust=0.5)
    new = r.newborn_state(p, base_prejudice=0.25, prejudice_propensity=eps_P, uncertainty_propensity=eps_U,
                          trust_propensity=eps_T, group_discrimination=0.5)
    for name in ("age", "phase", "time_in_phase", "radical_belief", "violence_attitude", "significance_loss",
                 "personal_discrimination"):
        assert new[name] == 0.0, name
    assert new["identity_uncertainty"] == approx(expected["U"])
    assert new["institutional_trust"] == approx(expected["T"])
    assert new["prejudice"] == approx(expected["P"])
    assert new["resilience_shield"] == approx(expected["H"])
    assert new["perceived_discrimination"] == approx(0.25)   # D = Dg/2 = 0.5/2
    assert "group_discrimination" not in new                  # the family's Dg is kept as it is


# ---------------------------------------------------------------------------
# every rule has a test above, and its compiled form gives the same floats
# ---------------------------------------------------------------------------

def test_every_rule_has_a_test():
    tested = {name.split("_", 2)[2] for name in globals() if name.startswith("test_E")}
    missing = sorted(set(r.RULES) - tested)
    assert not missing, f"rules without a hand-worked test: {missing}"
    plain = {"attack_threat", "damped_threat", "discrimination_after_threat", "age_one_week", "newborn_state"}
    assert plain <= tested


unit = st.floats(0.0, 1.0, allow_nan=False)
flag = st.one_of(st.sampled_from([0.0, 1.0]), unit)
PHASE_ARGS = {"phase", "next_phase", "old_phase", "new_phase"}
FLAG_ARGS = {"in_group", "in_action", "minority", "young", "competing", "action_blocked", "removed"}


def argument(name):
    """Floats in [0, 1]; phases also as their codes 0-3, flags also as exactly 0 or 1 (to reach every branch)."""
    if name in PHASE_ARGS:
        return st.one_of(st.sampled_from([0.0, 1.0, 2.0, 3.0]), unit)
    if name in FLAG_ARGS:
        return flag
    if name == "half_saturation":          # complexity_half_saturation >= 0.1 (model/parameters.py)
        return st.floats(0.1, 1.0)
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


def test_E1_undamped_threat_sums_the_attacks_up_to_this_week_and_caps_at_one():
    # E1: attacks in weeks 0 and 10, week 10, severity 0.5, tau 10: 0.5*exp(-1) + 0.5*exp(0) = 0.18394 + 0.5
    assert r.undamped_threat([0, 10, 20], 10, 0.5, 10.0) == pytest.approx(0.5 * math.exp(-1.0) + 0.5, abs=1e-12)
    # two fresh attacks of severity 0.6 sum to 1.2, capped at 1; a future attack (week 20) does not count yet
    assert r.undamped_threat([5, 5, 20], 5, 0.6, 12.0) == 1.0
    assert r.undamped_threat([], 5, 0.6, 12.0) == 0.0
