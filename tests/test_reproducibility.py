import numpy as np
import pandas as pd
import pytest

from model import RadicalisationModel
from model.state import CONTINUOUS_FIELDS


def run(seed, **kw):
    m = RadicalisationModel(rng=seed, **{"n_residents": 1500, **kw})
    m.run_for(60)
    return m


def test_same_seed_gives_identical_output():
    a, b = run(11, attack_weeks=[20]), run(11, attack_weeks=[20])
    pd.testing.assert_frame_equal(a.timeseries(), b.timeseries())
    for name in CONTINUOUS_FIELDS + ("phase", "time_in_phase"):
        assert np.array_equal(getattr(a.state, name), getattr(b.state, name)), name


def test_different_seeds_give_different_output():
    a, b = run(11), run(12)
    assert not a.timeseries().equals(b.timeseries())
    assert not np.array_equal(a.state.radical_belief, b.state.radical_belief)


def test_generator_can_be_passed_as_rng():
    a = RadicalisationModel(n_residents=300, rng=np.random.default_rng(3))
    b = RadicalisationModel(n_residents=300, rng=np.random.default_rng(3))
    a.run_for(10)
    b.run_for(10)
    assert np.array_equal(a.state.radical_belief, b.state.radical_belief)


# Lively settings so that every transition, the attack and renewal all happen in a small town.
LIVELY = dict(n_residents=250, radical_family_share=0.15, attack_weeks=[15], anti_minority_attack_weeks=[30],
              action_threshold=0.3, action_hazard=0.2, recruiter_approaches=40.0, online_recruiter_approaches=40.0,
              anti_minority_recruiter_approaches=40.0, anti_minority_online_recruiter_approaches=40.0,
              competition_drive=1.0, strategy_reconsider_rate=0.2, act_hazard=0.1, mobility_tie_rate=0.05,
              life_expectancy=70.0)


@pytest.mark.parametrize("seed, extra", [(1, {}), (2, {}),
                                         # thresholds where falling back and joining can both hold
                                         (3, dict(sensitivity_threshold=0.4, membership_threshold=0.15))])
def test_array_engine_equals_per_agent_reference(seed, extra):
    fast = RadicalisationModel(engine="array", rng=seed, **LIVELY, **extra)
    ref = RadicalisationModel(engine="agent", rng=seed, **LIVELY, **extra)
    seen = set()
    for week in range(80):
        before = fast.state.phase.copy()
        fast.step()
        ref.step()
        assert np.array_equal(fast.state.phase, ref.state.phase), f"phases differ in week {week}"
        assert np.array_equal(fast.state.time_in_phase, ref.state.time_in_phase)
        assert np.array_equal(fast.state.identity_strategy, ref.state.identity_strategy)
        assert np.array_equal(fast.state.polarisation_role, ref.state.polarisation_role)
        assert fast.act_weeks == ref.act_weeks
        for name in CONTINUOUS_FIELDS + ("age",):
            np.testing.assert_allclose(getattr(fast.state, name), getattr(ref.state, name), rtol=0, atol=1e-10,
                                       err_msg=f"{name} in week {week}")
        seen |= set(zip(before.tolist(), fast.state.phase.tolist()))
    # the comparison covered every kind of transition, both movements, acts, every role and mobility's ties,
    # so it cannot pass vacuously
    assert {(0, 1), (1, 0), (1, 2), (2, 1), (2, 3), (3, 2)} <= seen, seen
    assert all(fast.movement_entries[m, 2] > 0 for m in (0, 1)), fast.movement_entries
    assert all(len(weeks) > 0 for weeks in fast.act_weeks), fast.act_weeks
    assert fast.mobility_ties > 0
    assert fast.action_delays == ref.action_delays
    pd.testing.assert_frame_equal(fast.timeseries(), ref.timeseries())


ALL_INTERVENTIONS = [
    {"type": "intergroup_contact", "common_goal": True, "intensity": 1.0, "target": {"share": 0.3}},
    {"type": "care_and_repression", "detection_rate": 0.3, "intensity": 1.0, "sentence_weeks": 20},
    {"type": "early_signalling", "false_positive_rate": 0.3, "screening_share": 0.1},
    {"type": "multiple_memberships", "duration": 20, "start": 5},
    {"type": "key_figures", "target": {"count": 10}, "government_visibility": 0.5},
    {"type": "parent_support"},
    {"type": "inclusion_policy", "start": 10},
    {"type": "crisis_response"},
    {"type": "nationality_stripping", "start": 30},
    {"type": "recruiter_disruption", "start": 8, "intensity": 0.7, "target": {"share": 0.5}},
]


def test_engine_equals_reference_with_every_intervention_active():
    fast = RadicalisationModel(engine="array", rng=3, interventions=ALL_INTERVENTIONS, **LIVELY)
    ref = RadicalisationModel(engine="agent", rng=3, interventions=ALL_INTERVENTIONS, **LIVELY)
    for week in range(70):
        fast.step()
        ref.step()
        assert np.array_equal(fast.state.phase, ref.state.phase), f"phases differ in week {week}"
        for name in CONTINUOUS_FIELDS:
            np.testing.assert_allclose(getattr(fast.state, name), getattr(ref.state, name), rtol=0, atol=1e-10,
                                       err_msg=f"{name} in week {week}")
    assert fast.entries[3] > 0 and fast.town.layer_sizes()["contact"] > 0
    assert fast.modifiers.approach_blocked.max() == pytest.approx(0.7) and fast.modifiers.online_approach_blocked > 0
    assert fast.cost_total == pytest.approx(ref.cost_total)
    pd.testing.assert_frame_equal(fast.timeseries(), ref.timeseries())


def test_serial_and_threaded_tie_kernels_give_identical_sums(all_threads):
    """Small towns use the one-thread kernel; both must give the same sums bit for bit (5,000 residents: three
    blocks of the pass, shared between the threads)."""
    from model.kernels import neighbour_codes, tie_sums, tie_sums_serial

    m = RadicalisationModel(n_residents=5000, rng=4, collect=False)
    m.run_for(30)
    eng, a, s = m.engine, m.engine.adjacency, m.state
    floats = np.column_stack([s.radical_belief, s.violence_attitude, s.prejudice, s.personal_discrimination])
    codes = neighbour_codes(m.town.background, s.movement, s.phase >= 2, (s.phase >= 2) | (s.prejudice >= 0.4),
                            s.prejudice < 0.2, s.phase >= 1)
    out_serial, out_threads = np.empty((a.shape[0], 15)), np.empty((a.shape[0], 15))
    tie_sums_serial(a.indptr, a.indices, a.data, 0.3, 0.5, floats, codes, out_serial)
    tie_sums(a.indptr, a.indices, a.data, 0.3, 0.5, floats, codes, out_threads)
    np.testing.assert_array_equal(out_serial, out_threads)
    assert np.all(out_serial[:, 7] > 0) or out_serial[:, 7].sum() > 0     # the pusher sums are not vacuous


def test_the_blocked_pass_over_ties_equals_sparse_products_across_block_edges():
    """The pass over ties works in blocks of TIE_BLOCK residents (a gather, then the sums). Over a town of
    several blocks, its sums equal scipy's CSR products, which add in the same CSR order, bit for bit."""
    import scipy.sparse as sp

    from model.kernels import TIE_BLOCK, neighbour_codes, tie_sums

    m = RadicalisationModel(n_residents=3 * TIE_BLOCK + 123, rng=6, collect=False)
    m.run_for(5)
    a, s, bg = m.engine.adjacency, m.state, m.town.background
    floats = np.column_stack([s.radical_belief, s.violence_attitude, s.prejudice, s.personal_discrimination])
    codes = neighbour_codes(bg, s.movement, s.phase >= 2, s.prejudice >= 0.4, s.prejudice < 0.2, s.phase >= 1)
    out = np.empty((a.shape[0], 15))
    tie_sums(a.indptr, a.indices, a.data, 0.3, 0.5, floats, codes, out)
    rows = np.repeat(np.arange(a.shape[0]), np.diff(a.indptr))
    same = (bg[rows] == bg[a.indices]).astype(np.float64)
    masked = lambda mask: sp.csr_matrix((a.data * mask, a.indices, a.indptr), shape=a.shape)  # noqa: E731
    np.testing.assert_array_equal(out[:, 13], masked(1.0) @ np.ones(a.shape[0]))             # sum a
    np.testing.assert_array_equal(out[:, 6], masked(same) @ s.personal_discrimination)      # in-group a Dp
    np.testing.assert_array_equal(out[:, 5], masked(1.0 - same) @ s.prejudice)              # out-group a P
    assert out[:, 5].sum() > 0 and out[:, 6].sum() > 0


def test_a_week_is_the_same_on_one_thread_and_on_several(monkeypatch, all_threads):
    """Every compiled pass of a week (roles and packing, ties, residents, phases) has a one-thread and a
    threaded form; the state must be the same bit for bit, whichever runs (5,000 residents: three blocks of
    the pass, shared between the threads)."""
    import model.engine as engine

    states = []
    for serial_below in (10**9, 0):
        monkeypatch.setattr(engine, "SERIAL_BELOW", serial_below)
        m = RadicalisationModel(n_residents=5000, rng=8, collect=False, attack_weeks=[5],
                                interventions=[{"type": "intergroup_contact", "start": 3, "intensity": 0.5}])
        m.run_for(25)
        states.append(m.state)
    for name, value in states[0].as_dict().items():
        np.testing.assert_array_equal(value, getattr(states[1], name), err_msg=name)
    assert (states[0].phase >= 1).sum() > 0


def test_threaded_and_one_thread_passes_have_their_own_cache_entries():
    """numba's disk cache keys a function's builds by name and signature, not by ``parallel``: when both builds
    of a pass came from one Python function, whichever compiled first was loaded for both, and the threaded
    passes ran on one thread in every later process. Each pair must now have two cache files."""
    import model.kernels as kernels

    for name in ("tie_sums", "pack", "week_pass", "commit_phases"):
        threaded, one_thread = getattr(kernels, name), getattr(kernels, name + "_serial")
        assert threaded.targetoptions.get("parallel") and not one_thread.targetoptions.get("parallel"), name
        assert threaded._cache._cache_file._index_name != one_thread._cache._cache_file._index_name, name
