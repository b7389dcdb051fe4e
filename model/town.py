"""The synthetic town: residents in households and neighbourhoods, tied in six layers.

Each layer is one generator function that returns an edge list ``(source, target)``
as two ``int32`` arrays. All generators are vectorised with numpy so a town of
100,000 residents builds in about a second; :func:`build_town` merges the layers
into a :class:`Town` holding a weighted sparse adjacency (CSR) for the engine, and
:meth:`Town.to_networkx` gives the equivalent ``networkx.MultiGraph`` with the
layer on every edge.

All randomness comes from the ``numpy.random.Generator`` passed in.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .parameters import Parameters

__all__ = [
    "LAYERS",
    "Town",
    "build_town",
    "households",
    "neighbourhood_backgrounds",
    "neighbour_ties",
    "school_work_ties",
    "association_ties",
    "religious_ties",
    "online_ties",
    "household_ties",
]

LAYERS: tuple[str, ...] = ("household", "neighbour", "school_work", "association", "religious", "online", "contact")
"""Layer names; an edge's ``layer`` code is its index in this tuple. ``contact`` holds the
ties made by an intergroup-contact programme (empty in a new town)."""

YOUTH_AGE = (12.0, 27.0)
"""Ages (years, inclusive) of the group at risk."""

#: Household size distribution, sizes 1..6 (CBS Statline 2020, the Netherlands; 5+ split).
HOUSEHOLD_SIZE_PROBABILITIES = np.array([0.38, 0.33, 0.12, 0.12, 0.04, 0.01])

GROUP_KINDS: tuple[str, ...] = ("school", "work", "association", "religious")

Edges = tuple[np.ndarray, np.ndarray]


# ---------------------------------------------------------------------------
# residents: households, ages, neighbourhoods, backgrounds
# ---------------------------------------------------------------------------

def households(n_residents: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Split residents into households and give them ages.

    Household sizes follow the Dutch distribution (CBS 2020, mean 2.15). A
    household of one or two has an adult head aged 18-90 (a partner of similar
    age); larger households are a couple aged 30-58 with children born 20-38
    years after the head, which yields the 12-27 age band of the group at risk.

    Returns ``(household, age)``: household id per resident (contiguous blocks)
    and age in years (float).
    """
    expected = n_residents / float(np.dot(np.arange(1, 7), HOUSEHOLD_SIZE_PROBABILITIES))
    sizes = rng.choice(np.arange(1, 7), size=int(expected * 1.2) + 10, p=HOUSEHOLD_SIZE_PROBABILITIES)
    cut = int(np.searchsorted(np.cumsum(sizes), n_residents))
    sizes = sizes[: cut + 1].copy()
    sizes[-1] -= int(sizes.sum() - n_residents)
    sizes = sizes[sizes > 0]
    household = np.repeat(np.arange(sizes.size, dtype=np.int32), sizes)
    start = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    rank = np.arange(n_residents) - start[household]          # position in the household
    hsize = sizes[household]
    small = sizes <= 2
    head_age = np.where(small, rng.uniform(18, 90, sizes.size), rng.uniform(30, 58, sizes.size))
    age = head_age[household].copy()
    partner = rank == 1
    age[partner] += rng.uniform(-4, 4, int(partner.sum()))
    child = (rank >= 2) | ((rank == 1) & (hsize >= 3) & (rng.random(n_residents) < 0.15))
    age[child] = head_age[household[child]] - rng.uniform(20, 38, int(child.sum()))
    age = np.clip(age, 0.0, 95.0)
    return household, age


def neighbourhood_backgrounds(
    household: np.ndarray,
    background_shares: list[float],
    residents_per_neighbourhood: int,
    segregation: float,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Place households in neighbourhoods and draw each household's background.

    Neighbourhood compositions are Dirichlet draws around the town's shares with
    concentration ``kappa = 50 (1 - s) / s`` for segregation ``s``: at ``s = 0``
    every neighbourhood mirrors the town, near ``s = 1`` neighbourhoods are
    dominated by one background (cf. the Dirichlet model of residential
    composition in Schelling-type segregation studies; Massey & Denton 1988 on
    evenness). A household shares one background.

    Returns ``(neighbourhood, background)`` per resident.
    """
    n = household.size
    n_house = int(household[-1]) + 1
    n_hoods = max(1, int(round(n / residents_per_neighbourhood)))
    # contiguous blocks of households form neighbourhoods
    hood_of_house = (np.arange(n_house) * n_hoods // n_house).astype(np.int32)
    shares = np.asarray(background_shares, dtype=float)
    if segregation <= 0.0 or shares.size == 1:
        comp = np.tile(shares, (n_hoods, 1))
    else:
        kappa = 50.0 * (1.0 - segregation) / segregation + 0.05
        comp = np.nan_to_num(rng.dirichlet(np.maximum(shares * kappa, 1e-3), size=n_hoods), nan=0.0)
        total = comp.sum(axis=1, keepdims=True)
        degenerate = total[:, 0] <= 0            # tiny concentrations can underflow to all zeros
        comp[degenerate] = shares
        comp /= np.where(degenerate[:, None], 1.0, total)
    cum = np.cumsum(comp, axis=1)
    u = rng.random(n_house)
    bg_house = (u[:, None] > cum[hood_of_house]).sum(axis=1).astype(np.int8)
    bg_house = np.minimum(bg_house, shares.size - 1).astype(np.int8)
    return hood_of_house[household], bg_house[household]


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

def _sorted_unique(a: np.ndarray) -> np.ndarray:
    """Sorted distinct values; faster than ``np.unique``'s hash path for millions of int64 keys."""
    if a.size == 0:
        return a
    a = np.sort(a)
    return a[np.concatenate(([True], a[1:] != a[:-1]))]


def _homophily_filter(src: np.ndarray, dst: np.ndarray, background: np.ndarray, segregation: float,
                      rng: np.random.Generator) -> Edges:
    """Keep a cross-background candidate tie with probability ``1 - segregation``."""
    cross = background[src] != background[dst]
    keep = (~cross) | (rng.random(src.size) >= segregation)
    keep &= src != dst
    return src[keep], dst[keep]


def _ties_within_groups(members: np.ndarray, groups: np.ndarray, mean_degree: float,
                        background: np.ndarray, segregation: float, rng: np.random.Generator) -> Edges:
    """Random ties inside each group: a sparse projection of a bipartite affiliation.

    For a group of ``k`` members, ``k * mean_degree / 2`` candidate pairs are drawn
    uniformly inside the group (a stochastic block model with the group as block,
    Holland, Laskey & Leinhardt 1983), and cross-background pairs are kept with
    probability ``1 - segregation``. Groups of one member make no ties.
    """
    if members.size == 0 or mean_degree <= 0:
        return np.empty(0, np.int32), np.empty(0, np.int32)
    order = np.argsort(groups, kind="stable")
    members, groups = members[order], groups[order]
    uniq, start, size = np.unique(groups, return_index=True, return_counts=True)
    n_pairs = np.where(size >= 2, np.round(size * mean_degree / 2.0), 0).astype(np.int64)
    n_pairs = np.minimum(n_pairs, size * (size - 1) // 2)
    gidx = np.repeat(np.arange(uniq.size), n_pairs)
    a = start[gidx] + (rng.random(gidx.size) * size[gidx]).astype(np.int64)
    b = start[gidx] + (rng.random(gidx.size) * size[gidx]).astype(np.int64)
    return _homophily_filter(members[a].astype(np.int32), members[b].astype(np.int32), background, segregation, rng)


# ---------------------------------------------------------------------------
# the six layers
# ---------------------------------------------------------------------------

def household_ties(household: np.ndarray) -> Edges:
    """Family ties: every pair of residents in the same household (a clique).

    Households as fully connected small groups follow the two-level mixing model
    of Ball, Mollison & Scalia-Tomba (1997).
    """
    n = household.size
    sizes = np.bincount(household)
    src, dst = [], []
    for offset in range(1, int(sizes.max()) if n else 1):
        i = np.arange(n)
        j = i + offset
        ok = j < n
        i, j = i[ok], j[ok]
        same = household[i] == household[j]
        src.append(i[same])
        dst.append(j[same])
    if not src:
        return np.empty(0, np.int32), np.empty(0, np.int32)
    return np.concatenate(src).astype(np.int32), np.concatenate(dst).astype(np.int32)


def street_order(neighbourhood: np.ndarray, household: np.ndarray, background: np.ndarray, segregation: float,
                 rng: np.random.Generator) -> np.ndarray:
    """Residents in ring order: by neighbourhood, then households ordered partly by background."""
    n_house = int(household.max()) + 1
    key_house = (1.0 - segregation) * rng.random(n_house)
    bg_house = np.zeros(n_house, dtype=float)
    bg_house[household] = background
    key_house += segregation * bg_house
    return np.lexsort((household, key_house[household], neighbourhood))


def neighbour_ties(neighbourhood: np.ndarray, household: np.ndarray, background: np.ndarray,
                   degree: int, rewiring: float, segregation: float, rng: np.random.Generator) -> Edges:
    """Neighbour ties: a Watts-Strogatz small world inside each neighbourhood.

    Residents are placed on a ring (a street) per neighbourhood, households kept
    together and ordered partly by background (weight ``segregation``), and each
    is tied to the ``degree / 2`` next residents along the ring; each tie is
    rewired to a random resident of the same neighbourhood with probability
    ``rewiring`` (Watts & Strogatz 1998, Nature 393:440). Pairs within one
    household are left to the household layer.
    """
    n = neighbourhood.size
    half = max(0, degree // 2)
    if half == 0 or n < 2:
        return np.empty(0, np.int32), np.empty(0, np.int32)
    order = street_order(neighbourhood, household, background, segregation, rng)
    hood_sorted = neighbourhood[order]
    hood_start = np.searchsorted(hood_sorted, np.arange(int(neighbourhood.max()) + 1))
    hood_size = np.bincount(neighbourhood)
    pos = np.arange(n) - hood_start[hood_sorted]
    src, dst = [], []
    for d in range(1, half + 1):
        size = hood_size[hood_sorted]
        tgt_pos = (pos + d) % size
        tgt = order[hood_start[hood_sorted] + tgt_pos]
        rewire = rng.random(n) < rewiring
        rnd = order[hood_start[hood_sorted] + (rng.random(n) * size).astype(np.int64)]
        tgt = np.where(rewire, rnd, tgt)
        src.append(order)
        dst.append(tgt)
    s = np.concatenate(src).astype(np.int32)
    t = np.concatenate(dst).astype(np.int32)
    keep = household[s] != household[t]
    return s[keep], t[keep]


def school_work_ties(age: np.ndarray, neighbourhood: np.ndarray, background: np.ndarray, mean_degree: float,
                     segregation: float, rng: np.random.Generator) -> tuple[Edges, np.ndarray, np.ndarray, np.ndarray]:
    """School classes and work teams, with ties inside each (stochastic block model).

    Children 4-11 go to a primary school in their neighbourhood, 12-17 to a
    secondary school shared by four neighbourhoods, in classes by year of age;
    60% of 18-23 year olds study (classes of two-year cohorts, town-wide) and
    75% of other 18-66 year olds work in teams of about 12 (town-wide). Inside a
    class or team, ties are a stochastic block model with blocks = backgrounds
    (Holland, Laskey & Leinhardt 1983): see :func:`_ties_within_groups`.

    Returns the edges plus the memberships ``(resident, group, kind)``.
    """
    n = age.size
    years = np.floor(age).astype(np.int64)
    hood = neighbourhood.astype(np.int64)
    u = rng.random(n)
    group = np.full(n, -1, dtype=np.int64)
    kind = np.full(n, -1, dtype=np.int8)
    primary = (years >= 4) & (years <= 11)
    secondary = (years >= 12) & (years <= 17)
    student = (years >= 18) & (years <= 23) & (u < 0.6)
    worker = (years >= 18) & (years <= 66) & ~student & (u < 0.75)
    # cohorts: (place, year of age); split below into classes of about 28
    group[primary] = hood[primary] * 100 + years[primary]
    group[secondary] = (hood[secondary] // 4) * 100 + years[secondary] + 10**9
    group[student] = (years[student] // 2) * 1000 + (rng.random(int(student.sum())) * max(1, student.sum() // 30)).astype(np.int64) + 2 * 10**9
    n_teams = max(1, int(worker.sum() // 12))
    group[worker] = rng.integers(0, n_teams, int(worker.sum())) + 3 * 10**9
    kind[primary | secondary | student] = 0
    kind[worker] = 1
    # split school cohorts larger than ~30 into classes
    in_school = primary | secondary
    if in_school.any():
        g = group[in_school]
        _, inv, cnt = np.unique(g, return_inverse=True, return_counts=True)
        n_classes = np.maximum(1, np.round(cnt / 28.0)).astype(np.int64)
        group[in_school] = g * 64 + (rng.random(g.size) * n_classes[inv]).astype(np.int64)
    has = group >= 0
    members = np.nonzero(has)[0].astype(np.int32)
    _, gid = np.unique(group[has], return_inverse=True)
    edges = _ties_within_groups(members, gid, mean_degree, background, segregation, rng)
    return edges, members, gid.astype(np.int64), kind[has]


def association_ties(background: np.ndarray, memberships_mean: float, mean_degree: float,
                     segregation: float, rng: np.random.Generator, club_size: float = 30.0
                     ) -> tuple[Edges, np.ndarray, np.ndarray]:
    """Associations (sports and other clubs): a bipartite club-membership projection.

    Each resident joins ``Poisson(memberships_mean)`` clubs (at most 6). Every club
    has a background it leans to, drawn with the town's shares; with probability
    ``segregation`` a resident picks among clubs leaning to their own background,
    otherwise any club (the affiliation-network model of Breiger 1974 and
    Newman, Strogatz & Watts 2001). Ties inside a club are drawn by
    :func:`_ties_within_groups`, so each membership brings about ``mean_degree`` ties.

    Returns edges and memberships ``(resident, club)``.
    """
    n = background.size
    k = np.minimum(rng.poisson(memberships_mean, n), 6)
    total = int(k.sum())
    if total == 0:
        empty = np.empty(0, np.int32)
        return (empty, empty), empty, np.empty(0, np.int64)
    n_bg = int(background.max()) + 1
    n_clubs = max(n_bg, int(np.ceil(total / club_size)))
    shares = np.bincount(background, minlength=n_bg) / n
    club_lean = rng.choice(n_bg, size=n_clubs, p=shares)
    club_lean[:n_bg] = np.arange(n_bg)                 # every background has a club
    resident = np.repeat(np.arange(n, dtype=np.int32), k)
    any_club = rng.integers(0, n_clubs, total)
    order = np.argsort(club_lean, kind="stable")
    lean_start = np.searchsorted(club_lean[order], np.arange(n_bg))
    lean_count = np.bincount(club_lean, minlength=n_bg)
    b = background[resident]
    own = order[lean_start[b] + (rng.random(total) * lean_count[b]).astype(np.int64)]
    club = np.where(rng.random(total) < segregation, own, any_club).astype(np.int64)
    # a resident does not join the same club twice
    pair = _sorted_unique(resident.astype(np.int64) * n_clubs + club)
    resident, club = (pair // n_clubs).astype(np.int32), pair % n_clubs
    edges = _ties_within_groups(resident, club, mean_degree, background, segregation, rng)
    return edges, resident, club


def religious_ties(background: np.ndarray, neighbourhood: np.ndarray, participation: np.ndarray,
                   mean_degree: float, rng: np.random.Generator, congregation_size: float = 150.0
                   ) -> tuple[Edges, np.ndarray, np.ndarray]:
    """Religious communities: single-background congregations per district.

    A resident of background ``b`` belongs to a congregation with probability
    ``participation[b]``. Congregations are bonding groups (Putnam 2000): one
    background, drawn from a district of four neighbourhoods, split into groups of
    about ``congregation_size``. Ties inside by :func:`_ties_within_groups`.
    """
    n = background.size
    joins = rng.random(n) < participation[background]
    members = np.nonzero(joins)[0].astype(np.int32)
    if members.size == 0:
        empty = np.empty(0, np.int32)
        return (empty, empty), empty, np.empty(0, np.int64)
    district = neighbourhood[members].astype(np.int64) // 4
    key = district * 16 + background[members]
    _, inv, cnt = np.unique(key, return_inverse=True, return_counts=True)
    n_cong = np.maximum(1, np.round(cnt / congregation_size)).astype(np.int64)
    group = inv.astype(np.int64) * 1024 + (rng.random(members.size) * n_cong[inv]).astype(np.int64)
    _, gid = np.unique(group, return_inverse=True)
    edges = _ties_within_groups(members, gid, mean_degree, background, 0.0, rng)
    return edges, members, gid.astype(np.int64)


def online_expected_degrees(age: np.ndarray, mean_degree_youth: float, rng: np.random.Generator,
                            exponent: float = 2.5) -> np.ndarray:
    """Pareto-distributed expected online degrees: mean ``mean_degree_youth`` at 12-27, half for others, 0 under 10."""
    young = (age >= YOUTH_AGE[0]) & (age <= YOUTH_AGE[1])
    target = np.where(young, mean_degree_youth, 0.5 * mean_degree_youth)
    target[age < 10] = 0.0
    raw = rng.pareto(exponent - 1.0, age.size) + 1.0
    return target * raw / raw.mean()


def online_ties(age: np.ndarray, background: np.ndarray, mean_degree_youth: float, segregation: float,
                rng: np.random.Generator, exponent: float = 2.5) -> Edges:
    """The online layer: a Chung-Lu random graph with heavy-tailed expected degrees.

    Expected degrees follow a Pareto law with exponent ``exponent`` (a few very
    connected accounts), with mean ``mean_degree_youth`` for ages 12-27 and half
    that for others; endpoints are drawn proportional to expected degree
    (Chung & Lu 2002, PNAS 99:15879). Cross-background ties are kept with
    probability ``1 - segregation`` (online echo chambers).
    """
    n = age.size
    if mean_degree_youth <= 0 or n < 2:
        return np.empty(0, np.int32), np.empty(0, np.int32)
    weight = online_expected_degrees(age, mean_degree_youth, rng, exponent)
    m = int(round(weight.sum() / 2.0))
    if m == 0:
        return np.empty(0, np.int32), np.empty(0, np.int32)
    cdf = np.cumsum(weight)
    cdf /= cdf[-1]
    a = np.searchsorted(cdf, rng.random(m)).astype(np.int32)
    b = np.searchsorted(cdf, rng.random(m)).astype(np.int32)
    a = np.minimum(a, n - 1)
    b = np.minimum(b, n - 1)
    return _homophily_filter(a, b, background, segregation, rng)


# ---------------------------------------------------------------------------
# the town
# ---------------------------------------------------------------------------

@dataclass
class Town:
    """A synthetic town: who lives where, and who is tied to whom.

    Attributes (arrays indexed by resident):
        age: years. background: 0 = majority, 1.. = minority backgrounds.
        household, neighbourhood: ids.
        memberships: number of groups (school/work, clubs, religious community).
        cross_memberships: memberships in groups where at least 20% of the
            members have another background (cross-cutting groups).
        radical_relative: residents seeded as members of a radical group.
        key_figure: key figures ("sleutelfiguren") given by survey figures (all False
            without a survey); they act through :class:`model.survey.SurveyKeyFigures`.
    Network:
        edge_source, edge_target, edge_layer, edge_weight: the multiplex edge list
            (each tie once per layer) with the tie strength of each edge.
        adjacency: symmetric CSR, weight = sum of the layer strengths of a pair.
        group_resident, group_id, group_kind: the membership (affiliation) list.
    """

    age: np.ndarray
    background: np.ndarray
    household: np.ndarray
    neighbourhood: np.ndarray
    edge_source: np.ndarray
    edge_target: np.ndarray
    edge_layer: np.ndarray
    edge_weight: np.ndarray
    adjacency: sp.csr_matrix
    group_resident: np.ndarray
    group_id: np.ndarray
    group_kind: np.ndarray
    memberships: np.ndarray
    cross_memberships: np.ndarray
    radical_relative: np.ndarray
    key_figure: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.key_figure is None:
            self.key_figure = np.zeros(self.age.size, dtype=bool)

    @property
    def n_residents(self) -> int:
        return int(self.age.size)

    @property
    def young(self) -> np.ndarray:
        """Boolean mask of the group at risk (ages 12-27)."""
        return (self.age >= YOUTH_AGE[0]) & (self.age <= YOUTH_AGE[1])

    @property
    def n_neighbourhoods(self) -> int:
        return int(self.neighbourhood.max()) + 1

    def layer_sizes(self) -> dict[str, int]:
        """Number of ties in each layer."""
        counts = np.bincount(self.edge_layer, minlength=len(LAYERS))
        return dict(zip(LAYERS, counts.tolist()))

    def cross_background_share(self) -> float:
        """Share of ties (all layers) that join residents of different backgrounds."""
        if self.edge_source.size == 0:
            return 0.0
        return float(np.mean(self.background[self.edge_source] != self.background[self.edge_target]))

    def add_ties(self, source: np.ndarray, target: np.ndarray, layer: str, weight: float) -> int:
        """Add ties in ``layer`` (skipping self-ties and ties already in that layer); returns how many."""
        code = LAYERS.index(layer)
        n = self.n_residents
        lo = np.minimum(source, target).astype(np.int64)
        hi = np.maximum(source, target).astype(np.int64)
        ok = lo != hi
        key = _sorted_unique(lo[ok] * n + hi[ok])
        old = self.edge_layer == code
        existing = self.edge_source[old].astype(np.int64) * n + self.edge_target[old]
        key = key[~np.isin(key, existing)]
        if key.size == 0:
            return 0
        s, t = (key // n).astype(np.int32), (key % n).astype(np.int32)
        self.edge_source = np.concatenate([self.edge_source, s])
        self.edge_target = np.concatenate([self.edge_target, t])
        self.edge_layer = np.concatenate([self.edge_layer, np.full(s.size, code, np.int8)])
        self.edge_weight = np.concatenate([self.edge_weight, np.full(s.size, float(weight))])
        half = sp.coo_matrix((np.full(s.size, float(weight)), (s, t)), shape=(n, n))
        adjacency = (self.adjacency + half + half.T).tocsr()
        adjacency.sum_duplicates()
        adjacency.sort_indices()
        self.adjacency = adjacency
        return int(s.size)

    def to_networkx(self):
        """The town as a ``networkx.MultiGraph``: one edge per tie and layer.

        Nodes carry ``age``, ``background``, ``household`` and ``neighbourhood``;
        edges carry ``layer`` (name) and ``weight`` (tie strength). Summing the
        weights of parallel edges gives :attr:`adjacency`.
        """
        import networkx as nx

        g = nx.MultiGraph()
        g.add_nodes_from(
            (i, {"age": float(a), "background": int(b), "household": int(h), "neighbourhood": int(k)})
            for i, (a, b, h, k) in enumerate(zip(self.age, self.background, self.household, self.neighbourhood))
        )
        w = self.edge_weight
        g.add_edges_from(
            (int(s), int(t), {"layer": LAYERS[int(l)], "weight": float(x)})
            for s, t, l, x in zip(self.edge_source, self.edge_target, self.edge_layer, w)
        )
        return g


def build_town(params: Parameters, rng: np.random.Generator, generator: str = "vectorised") -> Town:
    """Build a synthetic town from ``params`` with the generator ``rng``.

    Layers are drawn in a fixed order (households, backgrounds, neighbours,
    school/work, associations, religious communities, online), so a seed fixes the
    town. Duplicate ties inside a layer are merged; a pair tied in several layers
    keeps one edge per layer, and its CSR weight is the sum of layer strengths.

    ``generator="networkx"`` draws the ties of the same model with networkx's own
    generators (:mod:`model.town_nx`); it is slow and meant for small towns and
    for testing that the vectorised generators draw from the same model.
    """
    if generator not in ("vectorised", "networkx"):
        raise ValueError("generator: must be 'vectorised' or 'networkx'")
    n = params.n_residents
    if params.survey is None:
        household, age = households(n, rng)
        neighbourhood, background = neighbourhood_backgrounds(
            household, params.background_shares, params.residents_per_neighbourhood, params.segregation, rng
        )
    else:       # neighbourhood sizes and compositions from survey figures (ODD §5.1)
        from .survey import survey_residents

        household, age, neighbourhood, background = survey_residents(params.survey, n, rng)
    s = params.segregation
    layers: list[Edges] = [household_ties(household)]
    layers.append(neighbour_ties(neighbourhood, household, background, params.neighbour_degree,
                                 params.neighbour_rewiring, s, rng))
    sw_edges, sw_res, sw_gid, sw_kind = school_work_ties(age, neighbourhood, background,
                                                         params.school_work_degree, s, rng)
    layers.append(sw_edges)
    as_edges, as_res, as_club = association_ties(background, params.memberships_mean,
                                                 params.association_degree, s, rng)
    layers.append(as_edges)
    participation = np.full(params.n_backgrounds, params.religious_participation_minority)
    participation[0] = params.religious_participation_majority
    re_edges, re_res, re_gid = religious_ties(background, neighbourhood, participation,
                                              params.religious_degree, rng)
    layers.append(re_edges)
    layers.append(online_ties(age, background, params.online_degree_mean, s, rng))
    if generator == "networkx":
        from .town_nx import networkx_layers

        groups = [(sw_res, sw_gid, params.school_work_degree, s), (as_res, as_club, params.association_degree, s),
                  (re_res, re_gid, params.religious_degree, 0.0)]
        layers = networkx_layers(params, household, age, neighbourhood, background, groups, rng)

    # merge: canonical (min, max) per layer, drop duplicates inside a layer
    src_l, dst_l, lay_l = [], [], []
    for code, (a, b) in enumerate(layers):
        lo, hi = np.minimum(a, b).astype(np.int64), np.maximum(a, b).astype(np.int64)
        ok = lo != hi
        key = _sorted_unique(lo[ok] * n + hi[ok])
        src_l.append((key // n).astype(np.int32))
        dst_l.append((key % n).astype(np.int32))
        lay_l.append(np.full(key.size, code, dtype=np.int8))
    del layers
    src, dst, lay = np.concatenate(src_l), np.concatenate(dst_l), np.concatenate(lay_l)
    del src_l, dst_l, lay_l
    weights = np.array([params.weight_household, params.weight_neighbour, params.weight_school_work,
                        params.weight_association, params.weight_religious, params.weight_online])
    w = weights[lay]
    # symmetric CSR in one conversion (both directions of every tie; duplicates summed)
    adjacency = sp.csr_matrix((np.concatenate([w, w]), (np.concatenate([src, dst]), np.concatenate([dst, src]))),
                              shape=(n, n))
    adjacency.sum_duplicates()
    adjacency.indices = adjacency.indices.astype(np.int32)
    adjacency.indptr = adjacency.indptr.astype(np.int64 if adjacency.nnz > 2**31 - 1 else np.int32)

    # memberships: school/work, clubs, religious communities, as one affiliation list
    off1 = int(sw_gid.max()) + 1 if sw_gid.size else 0
    off2 = off1 + (int(as_club.max()) + 1 if as_club.size else 0)
    g_res = np.concatenate([sw_res, as_res, re_res]).astype(np.int32)
    g_id = np.concatenate([sw_gid, as_club + off1, re_gid + off2]).astype(np.int64)
    g_kind = np.concatenate([sw_kind, np.full(as_res.size, 2, np.int8), np.full(re_res.size, 3, np.int8)])
    memberships = np.bincount(g_res, minlength=n).astype(np.int16)
    cross = np.zeros(n, dtype=np.int16)
    if g_res.size:
        n_groups = int(g_id.max()) + 1
        n_bg = params.n_backgrounds
        comp = np.bincount(g_id * n_bg + background[g_res], minlength=n_groups * n_bg).reshape(n_groups, n_bg)
        size = comp.sum(axis=1)
        other_share = 1.0 - comp[g_id, background[g_res]] / size[g_id]
        cross = np.bincount(g_res, weights=(other_share >= 0.2), minlength=n).astype(np.int16)

    # radical relatives: in a share of households, one member aged 16+ is in a radical group
    n_house = int(household.max()) + 1
    chosen = rng.random(n_house) < params.radical_family_share
    radical_relative = np.zeros(n, dtype=bool)
    if chosen.any():
        cand = chosen[household] & (age >= 16)
        idx = np.nonzero(cand)[0]
        if idx.size:
            # the first eligible member of each chosen household
            first = np.unique(household[idx], return_index=True)[1]
            radical_relative[idx[first]] = True

    key_figure = np.zeros(n, dtype=bool)
    if params.survey is not None:      # the survey's key figures: best-connected adults per neighbourhood
        from .survey import choose_key_figures

        key_figure = choose_key_figures(params.survey, neighbourhood, age, radical_relative,
                                        np.diff(adjacency.indptr), rng)

    return Town(age=age.astype(np.float64), background=background.astype(np.int8), household=household,
                neighbourhood=neighbourhood.astype(np.int32), edge_source=src, edge_target=dst, edge_layer=lay,
                edge_weight=w, adjacency=adjacency, group_resident=g_res, group_id=g_id, group_kind=g_kind,
                memberships=memberships, cross_memberships=cross, radical_relative=radical_relative,
                key_figure=key_figure)
