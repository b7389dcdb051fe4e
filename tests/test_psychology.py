"""The psychology of version 2 over seeds: each mechanism changes an outcome (ODD §1 patterns 9-14).

Every test runs both arms with the same seeds (common random numbers) and
compares paired means with a 95% t-interval that must exclude zero (or, for the
relative risk, one).
"""

import numpy as np
import pytest

from experiments.bounded import MAX_RATIO, MAX_SHARE, bounded_responses
from experiments.grievance import grievance_decomposition
from experiments.scripts.psychology_effects import relative_risk
from experiments.seeds import replication_seed
from experiments.stats import mean_ci
from model import RadicalisationModel
from model.rules import IdentityStrategy, Movement, Phase, PolarisationRole

from conftest import breeding_ground


def outcomes(seeds, weeks, n_residents=5000, **kw):
    rows = []
    for seed in seeds:
        m = RadicalisationModel(rng=seed, collect=False, n_residents=n_residents, **kw)
        m.run_for(weeks)
        rows.append(m.outcomes())
    return rows


def paired(a, b, column):
    """(mean, low, high) of the paired difference a - b in ``column``."""
    return mean_ci(np.array([x[column] for x in a], float) - np.array([y[column] for y in b], float))


SEEDS = [replication_seed(1, k) for k in range(6)]


RISKY = breeding_ground(societal_discrimination=0.45)
"""The breeding-ground neighbourhood with more discrimination: more residents in action, so that the mechanisms
of phase 3 can be measured in a town of 5,000 (at the fitted defaults it has almost never a member)."""

LIVELY = breeding_ground()
"""The breeding-ground neighbourhood: residents join radical groups, so the flows into phase 2 can be measured."""

BOTH_SIDES = dict(recruiter_approaches=0.2, online_recruiter_approaches=0.2, anti_minority_recruiter_approaches=0.2,
                  anti_minority_online_recruiter_approaches=0.2, radical_family_share=0.004)
"""The default town with version 2's hand-tuned recruitment (ODD §7.4), some 50 times the national figures:
both movements have enough members, pushers and acts in a town of 5,000 to measure how they feed each other."""


def test_the_shield_turning_around_keeps_residents_in_action_longer():
    on = outcomes(SEEDS, 520, **RISKY)
    off = outcomes(SEEDS, 520, shield_turns_around=False, **RISKY)
    mean, low, high = paired(on, off, "weeks_in_phase_3")
    assert low > 0, (mean, low, high)
    rate = lambda rows: [{"rate": r["left_phase_3"] / max(r["weeks_in_phase_3"], 1)} for r in rows]  # noqa: E731
    mean, low, high = paired(rate(on), rate(off), "rate")
    assert high < 0, ("exits per resident-week in phase 3", mean, low, high)


def test_children_do_not_radicalise():
    m = RadicalisationModel(rng=2, n_residents=3000, collect=False)
    child = m.state.age < m.params.radicalisation_min_age
    assert child.any() and (m.state.phase[child] == Phase.NONE).all()
    for _ in range(260):
        m.step()
        child = m.state.age < m.params.radicalisation_min_age
        assert (m.state.phase[child] == Phase.NONE).all()
    assert (m.state.phase >= Phase.SENSITIVITY).sum() > 20      # the adults still do


def test_leaving_action_resets_the_shield():
    m = RadicalisationModel(rng=3, n_residents=250, radical_family_share=0.15, action_threshold=0.3,
                            action_hazard=0.3, action_exit_hazard=0.2, collect=False)
    seen = 0
    for _ in range(80):
        before = m.state.phase.copy()
        m.step()
        left = (before == Phase.ACTION) & (m.state.phase == Phase.GROUP_MEMBERSHIP)
        seen += int(left.sum())
        assert np.all(m.state.resilience_shield[left] == m.params.shield_after_action)
    assert seen > 0


@pytest.mark.parametrize("ablation, column, sign", [
    # individual mobility adds cross-background ties, which lower the grievance movement's sympathy
    ({"mobility_tie_rate": 0.0}, "phase_1_grievance", -1),
    # individual mobility loosens identification
    ({"identification_mobility": 0.0}, "mean_identification", -1),
    # social creativity restores significance
    ({"creativity_significance_relief": 0.0}, "mean_significance_loss", -1),
    # only social competition raises radical belief
    ({"competition_drive": 0.0}, "phase_1", +1),
    # uncertainty raises the appeal of a group with a clear identity
    ({"join_appeal_uncertainty": 0.0}, "entered_phase_2", +1),
])
def test_each_identity_strategy_has_its_consequence(ablation, column, sign):
    default = outcomes(SEEDS, 520, **LIVELY)
    ablated = outcomes(SEEDS, 520, **{**LIVELY, **ablation})
    mean, low, high = paired(default, ablated, column)
    assert (low > 0) if sign > 0 else (high < 0), (ablation, column, mean, low, high)


def test_social_creativity_does_not_raise_radical_belief():
    """Belief rises under competition, not under creativity: creative residents' belief is below competitors'."""
    m = RadicalisationModel(rng=4, n_residents=5000, collect=False)
    m.run_for(260)
    s = m.state
    creative = s.identity_strategy == IdentityStrategy.SOCIAL_CREATIVITY
    competing = s.identity_strategy == IdentityStrategy.SOCIAL_COMPETITION
    assert creative.sum() > 50 and competing.sum() > 50
    assert s.radical_belief[creative].mean() < 0.5 * s.radical_belief[competing].mean()


def test_residents_with_a_radical_relative_are_more_likely_to_join_a_group():
    rr, low, high, joined, with_relative = relative_risk([replication_seed(2, k) for k in range(6)], n_residents=5000)
    assert low > 1.0, (rr, low, high, joined, with_relative)


def test_acts_of_one_movement_raise_entries_into_the_other():
    """Reciprocal radicalisation: with acts as trigger events, both movements gain members."""
    lively = {**BOTH_SIDES, "act_hazard": 0.1}
    seeds = [replication_seed(3, k) for k in range(8)]
    on = outcomes(seeds, 520, **lively)
    off = outcomes(seeds, 520, act_severity=0.0, **lively)
    assert all(r["acts_grievance"] > 0 and r["acts_anti_minority"] > 0 for r in on)
    for movement in ("grievance", "anti_minority"):
        mean, low, high = paired(on, off, f"entered_phase_2_{movement}")
        assert low > 0, (movement, mean, low, high)


def test_an_attack_on_minority_residents_is_a_trigger_for_them():
    seeds = SEEDS[:4]
    attacked = outcomes(seeds, 200, anti_minority_attack_weeks=[100])
    calm = outcomes(seeds, 200)
    mean, low, high = paired(attacked, calm, "phase_1_grievance")
    assert low > 0, (mean, low, high)
    m = RadicalisationModel(rng=SEEDS[0], n_residents=2000, collect=False, anti_minority_attack_weeks=[10])
    m.run_for(11)
    assert m.macro.threat_minority > 0.4 and m.macro.threat == 0.0    # felt by minority residents only


def test_a_targeted_inclusion_policy_angers_the_middle_and_one_for_everybody_does_not():
    seeds = SEEDS[:5]
    none = outcomes(seeds, 260)
    targeted = outcomes(seeds, 260, interventions=[{"type": "inclusion_policy", "start": 52,
                                                    "target": {"backgrounds": [1, 2]}}])
    universal = outcomes(seeds, 260, interventions=[{"type": "inclusion_policy", "start": 52}])
    mean, low, high = paired(targeted, none, "mean_trust_silent_middle")
    assert high < 0, ("targeted: middle's trust", mean, low, high)
    mean, low, high = paired(targeted, none, "mean_prejudice_majority")
    assert low > 0, ("targeted: majority prejudice", mean, low, high)
    mean, low, high = paired(universal, none, "mean_trust_silent_middle")
    assert low > 0, ("universal: middle's trust", mean, low, high)
    mean, low, high = paired(universal, none, "mean_prejudice_majority")
    assert low <= 0.0, ("universal: majority prejudice is not raised", mean, low, high)
    assert mean < 0.1 * paired(targeted, none, "mean_prejudice_majority")[0]


def test_pushers_and_bridge_builders_move_prejudice():
    default = outcomes(SEEDS[:4], 260)
    no_bridges = outcomes(SEEDS[:4], 260, bridge_prejudice_reduction=0.0)
    no_pushers = outcomes(SEEDS[:4], 260, pusher_prejudice_gain=0.0)
    assert paired(no_bridges, default, "mean_prejudice")[1] > 0
    assert paired(no_pushers, default, "mean_prejudice")[2] < 0


def test_scapegoats_meet_more_discrimination():
    default = outcomes(SEEDS[:4], 260, **BOTH_SIDES)
    off = outcomes(SEEDS[:4], 260, scapegoat_incident_rate=0.0, **BOTH_SIDES)
    assert paired(default, off, "mean_discrimination")[1] > 0


def test_nationality_stripping_deters_action_as_well_as_it_aggrieves():
    stripping = [{"type": "nationality_stripping", "start": 52, "intensity": 1.0}]
    seeds = [replication_seed(5, k) for k in range(8)]
    deterring = outcomes(seeds, 520, interventions=stripping, **RISKY)
    not_deterring = outcomes(seeds, 520, interventions=[{**stripping[0], "deterrence": 0.0}], **RISKY)
    none = outcomes(seeds, 520, **RISKY)
    assert paired(deterring, not_deterring, "entered_phase_3_grievance")[2] < 0
    assert paired(deterring, none, "phase_1_grievance")[1] > 0          # its grievance cost


def test_a_crisis_response_works_better_where_key_figures_built_trust_before():
    attack = dict(attack_weeks=[200])
    response = {"type": "crisis_response", "start": 0}
    key_figures = {"type": "key_figures", "start": 0, "target": {"share": 0.05}, "government_visibility": 0.0}
    threat = {}
    for name, ivs in [("alone", [response]), ("with key figures", [key_figures, response])]:
        m = RadicalisationModel(rng=1, n_residents=3000, collect=False, interventions=ivs, **attack)
        m.run_for(201)
        threat[name] = m.outcomes()["threat"]
    assert threat["with key figures"] < 0.95 * threat["alone"], threat


def test_grievance_is_mostly_experience_not_a_block_by_background():
    m = RadicalisationModel(rng=1, n_residents=5000, collect=False)
    m.run_for(520)
    d = grievance_decomposition(m)
    assert d.loc["total", "difference"] > 0
    experiences = d.loc["own experiences", "share"] + d.loc["peers' experiences", "share"]
    assert experiences > 0.5, d
    # residents of one background differ: their lasting exposure spreads perceived discrimination
    def spread(model):
        d = model.state.perceived_discrimination[model.town.background > 0]
        return d.std() / d.mean()
    flat = RadicalisationModel(rng=1, n_residents=5000, collect=False, discrimination_exposure_sd=0.0)
    flat.run_for(520)
    assert spread(m) > 1.3 * spread(flat), (spread(m), spread(flat))


def test_outputs_report_every_movement_and_role():
    m = RadicalisationModel(rng=1, n_residents=2000)
    m.run_for(30)
    ts = m.timeseries()
    for movement in Movement:
        for k in (1, 2, 3):
            assert f"phase_{k}_{movement.name.lower()}" in ts
    assert sum(ts[f"role_{r.name.lower()}"].iloc[-1] for r in PolarisationRole) == 2000
    assert (ts.phase_1 == ts.phase_1_grievance + ts.phase_1_anti_minority).all()


def test_responses_stay_bounded():
    """No shock (three attacks within 30 weeks, or any example intervention at full intensity) tips the town."""
    df = bounded_responses(replications=3, n_residents=5000, steps=520)
    assert set(df.shock) >= {"three attacks within 30 weeks", "nationality_stripping", "inclusion"}
    assert (df.peak_share <= MAX_SHARE).all(), df[df.peak_share > MAX_SHARE]
    assert (df.ratio <= MAX_RATIO).all(), df[df.ratio > MAX_RATIO]
