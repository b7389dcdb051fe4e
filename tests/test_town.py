import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model import LAYERS, Parameters, build_town
from model.parameters import YOUTH_AGE


def town(seed=1, **kw):
    return build_town(Parameters(**{"n_residents": 3000, **kw}), np.random.default_rng(seed))


def test_every_layer_has_ties_and_ties_are_simple():
    t = town()
    sizes = t.layer_sizes()
    assert set(sizes) == set(LAYERS)
    assert sizes.pop("contact") == 0          # filled only by a contact programme
    assert all(v > 0 for v in sizes.values()), sizes
    assert (t.edge_source < t.edge_target).all()
    key = (t.edge_source.astype(np.int64) * t.n_residents + t.edge_target) * 8 + t.edge_layer
    assert np.unique(key).size == key.size          # each tie once per layer


def test_households_are_cliques_of_one_background():
    t = town()
    hh = t.edge_layer == LAYERS.index("household")
    s, d = t.edge_source[hh], t.edge_target[hh]
    assert (t.household[s] == t.household[d]).all()
    assert (t.background[s] == t.background[d]).all()
    sizes = np.bincount(t.household)
    assert hh.sum() == int((sizes * (sizes - 1) // 2).sum())


def test_population_matches_parameters():
    t = town(seed=3, n_residents=20000)
    shares = np.bincount(t.background, minlength=3) / t.n_residents
    assert shares == pytest.approx([0.78, 0.14, 0.08], abs=0.04)
    young = ((t.age >= YOUTH_AGE[0]) & (t.age <= YOUTH_AGE[1])).mean()
    assert 0.12 < young < 0.28                       # CBS: about 19% of the Dutch are 12-27
    assert t.n_neighbourhoods == 20


def test_networkx_graph_equals_sparse_adjacency():
    t = town(n_residents=500)
    g = t.to_networkx()
    assert g.number_of_nodes() == 500
    assert g.number_of_edges() == t.edge_source.size
    assert {d["layer"] for _, _, d in g.edges(data=True)} == set(LAYERS) - {"contact"}
    simple = nx.Graph()
    simple.add_nodes_from(g.nodes)
    for u, v, d in g.edges(data=True):
        w = simple.get_edge_data(u, v, {"weight": 0.0})["weight"]
        simple.add_edge(u, v, weight=w + d["weight"])
    dense = nx.to_numpy_array(simple, nodelist=range(500), weight="weight")
    assert np.allclose(dense, t.adjacency.toarray())
    assert g.nodes[0].keys() >= {"age", "background", "household", "neighbourhood"}


def test_segregation_lowers_cross_background_ties():
    shares = {s: np.mean([town(seed, segregation=s).cross_background_share() for seed in (1, 2, 3)])
              for s in (0.0, 0.5, 0.95)}
    assert shares[0.0] > shares[0.5] > shares[0.95]
    assert shares[0.0] > 2.5 * shares[0.95]


def test_memberships_follow_memberships_mean():
    few = town(memberships_mean=0.2).memberships.mean()
    many = town(memberships_mean=3.0).memberships.mean()
    assert many > few + 2.0


def test_radical_relatives_are_seeded_in_a_share_of_households():
    t = town(n_residents=20000, radical_family_share=0.05)
    n_house = int(t.household.max()) + 1
    assert 0.02 * n_house < t.radical_relative.sum() < 0.06 * n_house
    assert (t.age[t.radical_relative] >= 16).all()
    assert town(radical_family_share=0.0).radical_relative.sum() == 0


def test_same_seed_same_town_and_different_seed_different_town():
    a, b, c = town(seed=5), town(seed=5), town(seed=6)
    assert (a.adjacency != b.adjacency).nnz == 0 and (a.age == b.age).all()
    assert a.edge_source.size != c.edge_source.size or not (a.age == c.age).all()


def test_large_town_builds():
    t = town(n_residents=100_000)
    assert t.adjacency.shape == (100_000, 100_000)
    degree = np.diff(t.adjacency.indptr)
    assert 8 < degree.mean() < 20


def test_add_ties_updates_edges_and_adjacency():
    t = town(n_residents=300)
    before = t.adjacency.copy()
    added = t.add_ties(np.array([0, 1, 2, 2]), np.array([5, 1, 7, 7]), "contact", 0.5)
    assert added == 2                                   # self-tie and duplicate skipped
    assert t.layer_sizes()["contact"] == 2
    diff = (t.adjacency - before).toarray()
    assert diff[0, 5] == diff[5, 0] == 0.5 and diff[2, 7] == 0.5
    assert t.add_ties(np.array([0]), np.array([5]), "contact", 0.5) == 0


def test_vectorised_and_networkx_generators_draw_from_the_same_model():
    """Degree distributions per layer, layer sizes and cross-background tie shares agree."""
    from scipy import stats

    p = Parameters(n_residents=2500, segregation=0.6)
    degrees = {g: {layer: [] for layer in LAYERS[:6]} for g in ("vectorised", "networkx")}
    cross = {g: [] for g in degrees}
    for g in degrees:
        for seed in range(4):
            t = build_town(p, np.random.default_rng(seed), generator=g)
            cross[g].append(t.cross_background_share())
            for code, layer in enumerate(LAYERS[:6]):
                m = t.edge_layer == code
                ends = np.concatenate([t.edge_source[m], t.edge_target[m]])
                degrees[g][layer].append(np.bincount(ends, minlength=t.n_residents))
    for layer in LAYERS[:6]:
        a = np.concatenate(degrees["vectorised"][layer])
        b = np.concatenate(degrees["networkx"][layer])
        assert stats.ks_2samp(a, b).statistic < 0.04, layer
        # online degrees are Pareto with infinite variance: their mean is noisy over 4 towns
        assert a.mean() == pytest.approx(b.mean(), rel=0.15 if layer == "online" else 0.06), layer
        assert abs(np.percentile(a, 90) - np.percentile(b, 90)) <= 1, layer
    assert np.mean(cross["vectorised"]) == pytest.approx(np.mean(cross["networkx"]), abs=0.01)


def test_unknown_generator_is_an_error():
    with pytest.raises(ValueError, match="generator"):
        build_town(Parameters(n_residents=100), np.random.default_rng(1), generator="igraph")


def test_clubs_by_district_stay_in_their_district_and_keep_their_mix():
    """``clubs_by_district``: every club tie joins two residents of one district (four neighbourhoods), and the
    share of cross-background club ties stays close to town-wide clubs' (the switch is about place, not mix)."""
    from model import Parameters, build_town
    from model.town.layers import LAYERS

    shares = {}
    for flag in (False, True):
        town = build_town(Parameters(n_residents=12_000, clubs_by_district=flag), np.random.default_rng(5))
        clubs = town.edge_layer == LAYERS.index("association")
        src, dst = town.edge_source[clubs], town.edge_target[clubs]
        district = town.neighbourhood // 4
        if flag:
            assert np.all(district[src] == district[dst])
        else:
            assert np.mean(district[src] == district[dst]) < 0.6     # town-wide clubs cross districts
        shares[flag] = float(np.mean(town.background[src] != town.background[dst]))
        assert clubs.sum() > 10_000
    assert abs(shares[True] - shares[False]) < 0.03, shares


@settings(max_examples=40, deadline=None)
@given(n=st.integers(2, 60), density=st.floats(0.0, 0.5), new=st.integers(0, 80), seed=st.integers(0, 2**32 - 1))
def test_adding_ties_to_the_csr_equals_scipys_sum_bit_for_bit(n, density, new, seed):
    """``add_symmetric`` merges new ties into the CSR in one copy; it must equal ``A + W + W.T`` exactly,
    including pairs already tied in another layer (their strengths add)."""
    import scipy.sparse as sp

    from model.town.sparse import add_symmetric

    rng = np.random.default_rng(seed)
    upper = sp.triu(sp.random(n, n, density=density, random_state=rng, format="csr"), k=1)
    a = (upper + upper.T).tocsr()
    a.indices, a.indptr = a.indices.astype(np.int32), a.indptr.astype(np.int32)
    lo, hi = rng.integers(0, n, new), rng.integers(0, n, new)
    key = np.unique(np.minimum(lo, hi) * n + np.maximum(lo, hi))
    key = key[key // n != key % n]
    s, t = (key // n).astype(np.int32), (key % n).astype(np.int32)
    half = sp.coo_matrix((np.full(s.size, 0.3), (s, t)), shape=(n, n))
    expected = (a + half + half.T).tocsr()
    expected.sum_duplicates()
    expected.sort_indices()
    got = add_symmetric(a, s, t, 0.3)
    np.testing.assert_array_equal(got.indptr, expected.indptr)
    np.testing.assert_array_equal(got.indices, expected.indices)
    assert got.data.tobytes() == expected.data.tobytes()


@settings(max_examples=60, deadline=None)
@given(lengths=st.lists(st.integers(0, 300), min_size=1, max_size=40), chunk=st.sampled_from([5, 64, 1 << 20]),
       seed=st.integers(0, 2**32 - 1))
def test_row_sums_in_chunks_equal_numpys_reduceat_and_bincount_bit_for_bit(lengths, chunk, seed):
    """The engine's strength sums per resident (numpy's reduceat, with the 0.0 it appended after the last row)
    and the town's contact shares (bincount, one value after the other), computed without temporaries the size
    of the CSR, must stay the same floats: rows longer than 128 test numpy's pairwise halves, and small chunks
    the chunk edges, empty rows included."""
    import scipy.sparse as sp

    import model.town.sparse as sparse

    rng = np.random.default_rng(seed)
    n = len(lengths)
    indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32)
    indices = rng.integers(0, n, indptr[-1]).astype(np.int32)
    data = rng.random(indptr[-1]) * 3.0
    background = rng.integers(0, 3, n).astype(np.int8)
    cross = np.repeat(background, lengths) != background[indices]
    for factor, bg in ((1.0, None), (cross, background)):
        expected = np.add.reduceat(np.append(data * factor, 0.0), indptr[:-1]) * (np.diff(indptr) > 0)
        previous, sparse.ROW_CHUNK = sparse.ROW_CHUNK, chunk
        try:
            assert sparse.row_sums(indptr, indices, data, bg).tobytes() == expected.tobytes()
        finally:
            sparse.ROW_CHUNK = previous
    a = sp.csr_matrix((data, indices, indptr), shape=(n, n))
    rows = np.repeat(np.arange(n), lengths)
    total, across = sparse.tie_strength_sums(a, background)
    assert total.tobytes() == np.bincount(rows, weights=data, minlength=n).tobytes()
    assert across.tobytes() == np.bincount(rows, weights=data * cross, minlength=n).tobytes()


@settings(max_examples=40, deadline=None)
@given(n=st.integers(2, 40), ties=st.integers(0, 300), seed=st.integers(0, 2**32 - 1))
def test_the_town_csr_written_in_place_equals_scipys_coo_conversion(n, ties, seed):
    """``symmetric_csr`` writes both directions of every tie straight into the CSR; with pairs tied several
    times (in several layers, three or more strengths to add), it must equal scipy's conversion bit for bit."""
    import scipy.sparse as sp

    from model.town.sparse import symmetric_csr

    rng = np.random.default_rng(seed)
    src, dst = rng.integers(0, n, ties).astype(np.int32), rng.integers(0, n, ties).astype(np.int32)
    keep = src != dst
    src, dst = src[keep], dst[keep]
    w = rng.choice([1.0, 0.7, 0.3, 0.1, 0.45], src.size)
    expected = sp.csr_matrix((np.concatenate([w, w]), (np.concatenate([src, dst]), np.concatenate([dst, src]))),
                             shape=(n, n))
    expected.sum_duplicates()
    got = symmetric_csr(src, dst, w, n)
    np.testing.assert_array_equal(got.indptr, expected.indptr)
    np.testing.assert_array_equal(got.indices, expected.indices)
    assert got.data.tobytes() == expected.data.tobytes() and got.indices.dtype == np.int32
