import numpy as np
import pytest

from model import Phase, RadicalisationModel
from model.agents import Resident


@pytest.fixture(scope="module")
def model():
    m = RadicalisationModel(n_residents=400, rng=5, radical_family_share=0.05)
    m.run_for(12)
    return m


def test_run_for_and_time(model):
    assert model.time == 12 and model.steps == 12 and model.week == 12


def test_datacollector_has_a_row_per_week(model):
    df = model.timeseries()
    assert list(df["step"]) == list(range(13))
    assert {"phase_0", "phase_1", "phase_2", "phase_3", "mean_radical_belief", "mean_prejudice", "mean_trust",
            "mean_discrimination", "polarisation"} <= set(df.columns)
    assert (df[["phase_0", "phase_1", "phase_2", "phase_3"]].sum(axis=1) == 400).all()


def test_agents_are_mesa_agents_that_read_the_state(model):
    assert len(model.agents) == 400
    r = model.residents[17]
    assert isinstance(r, Resident) and r in model.agents
    assert r.radical_belief == model.state.radical_belief[17]
    assert r.phase == Phase(int(model.state.phase[17]))
    assert r.shield_direction in (1, -1)
    assert all(isinstance(g, int) for g in r.memberships)
    assert len(r.memberships) == model.town.memberships[17]
    neighbours = [other.index for other, _ in r.ties()]
    assert sorted(neighbours) == sorted(model.town.adjacency[17].indices.tolist())


def test_agentset_queries_work(model):
    seeded = model.agents.select(lambda a: a.phase >= Phase.GROUP_MEMBERSHIP)
    assert len(seeded) == int((model.state.phase >= 2).sum())
    beliefs = np.array(model.agents.get("radical_belief"))
    assert beliefs.shape == (400,)


def test_trigger_attack_raises_threat_next_week():
    m = RadicalisationModel(n_residents=200, rng=1)
    m.run_for(3)
    assert m.macro.threat == 0.0
    m.trigger_attack()
    m.step()
    assert m.macro.threat == pytest.approx(m.params.attack_severity)
    assert m.macro.discrimination > m.params.societal_discrimination


def test_bad_engine_name():
    with pytest.raises(ValueError, match="engine"):
        RadicalisationModel(n_residents=50, engine="gpu")


def test_update_parameters_mid_run():
    m = RadicalisationModel(n_residents=200, rng=1)
    m.update_parameters(societal_discrimination=0.8)
    assert m.params.societal_discrimination == 0.8 and m.engine.params.societal_discrimination == 0.8
    from model import ParameterError
    with pytest.raises(ParameterError, match="segregation: shapes the town"):
        m.update_parameters(segregation=0.1)
    with pytest.raises(ParameterError, match="societal_discrimination: 3"):
        m.update_parameters(societal_discrimination=3)


def test_residents_are_made_only_when_asked_for_and_agents_lists_them_in_order():
    m = RadicalisationModel(n_residents=300, rng=4)
    assert m.residents.created == 0                      # the array engine needs no Mesa agents
    m.run_for(2)
    late = m.residents[250]
    assert m.residents.created == 1 and late.radical_belief == m.state.radical_belief[250]
    assert m.residents[-50] is late and m.residents[250] is late
    assert [a.index for a in m.agents] == list(range(300)) and m.residents.created == 300
    assert all(a.unique_id == a.index + 1 for a in m.agents)
    with pytest.raises(IndexError):
        m.residents[300]


def test_the_agent_engine_makes_every_resident_at_the_start():
    m = RadicalisationModel(n_residents=120, rng=4, engine="agent")
    assert m.residents.created == 120


def test_outcomes_without_collection_equal_the_collected_rows_even_after_a_change():
    """Without collection the outcomes are computed when first asked for; they must be the numbers the
    DataCollector records, asked for every week, every few weeks, or after the model changes between weeks."""
    kw = dict(n_residents=800, rng=3, attack_weeks=[4])
    collected, lazy = RadicalisationModel(**kw), RadicalisationModel(collect=False, **kw)
    rows = []
    for week in range(1, 13):
        collected.step()
        lazy.step()
        if week == 6:                       # a change between weeks: the week's outcomes are those before it
            mask = np.zeros(800, dtype=bool)
            mask[:5] = True
            collected.remove(mask)
            lazy.remove(mask)
        if week % 3 == 0:
            rows.append(lazy.outcomes())
    table = collected.timeseries().set_index("step")
    for week, row in zip((3, 6, 9, 12), rows):
        assert row == {k: table.loc[week, k] for k in row}, week
    assert rows[1]["removed"] == 0 and rows[2]["removed"] == 5
