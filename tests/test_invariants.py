"""Invariants over random valid parameters (hypothesis)."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from model import Phase, RadicalisationModel
from model.state import CONTINUOUS_FIELDS

unit = st.floats(0.0, 1.0, allow_nan=False)

parameters = st.fixed_dictionaries(
    {
        "n_residents": st.integers(10, 400),
        "segregation": unit,
        "societal_discrimination": unit,
        "institutional_fairness": unit,
        "memberships_mean": st.floats(0.0, 6.0),
        "radical_family_share": st.floats(0.0, 0.3),
        "minority_shares": st.lists(st.floats(0.0, 0.3), min_size=0, max_size=3),
        "online_degree_mean": st.floats(0.0, 10.0),
        "competition_drive": unit,
        "influence_rate": unit,
        "group_isolation": unit,
        "action_hazard": unit,
        "attack_weeks": st.lists(st.integers(0, 30), max_size=3),
        "attack_severity": unit,
    }
)


def check_state(m: RadicalisationModel) -> None:
    s = m.state
    n = m.town.n_residents
    for name in CONTINUOUS_FIELDS:
        x = getattr(s, name)
        assert x.shape == (n,)
        assert np.isfinite(x).all(), name
        assert (x >= 0.0).all() and (x <= 1.0).all(), name
    assert set(np.unique(s.phase)) <= {0, 1, 2, 3}
    assert (s.time_in_phase >= 0).all()
    assert sum(m.phase_counts().values()) == n
    row = m.summary
    assert row["phase_0"] + row["phase_1"] + row["phase_2"] + row["phase_3"] == n
    assert all(np.isfinite(v) for v in row.values())


@given(params=parameters, seed=st.integers(0, 2**32 - 1))
def test_state_stays_valid(params, seed):
    m = RadicalisationModel(rng=seed, **params)
    check_state(m)
    for _ in range(30):
        m.step()
    check_state(m)
    assert m.time == 30 and m.steps == 30
    # residents in phase 3 are exactly those whose shield points the other way
    assert ((m.state.shield_direction == -1) == (m.state.phase == Phase.ACTION)).all()
