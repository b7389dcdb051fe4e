"""The town's generators: residents in households and neighbourhoods, and the six layers of ties.

Each layer is one generator function that returns an edge list ``(source, target)``
as two ``int32`` arrays. All generators are vectorised with numpy so a town of
100,000 residents builds in about a second; :func:`model.town.build_town` merges the layers
into a :class:`model.town.Town` holding a weighted sparse adjacency (CSR) for the engine, and
:meth:`Town.to_networkx` gives the equivalent ``networkx.MultiGraph`` with the
layer on every edge.

All randomness comes from the ``numpy.random.Generator`` passed in.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..parameters import YOUTH_AGE, GroupKind, neighbourhood_count

__all__ = [
    "LAYERS",
    "Edges",
    "households",
    "neighbourhood_backgrounds",
    "neighbour_ties",
    "school_work_ties",
    "association_ties",
    "religious_ties",
    "online_ties",
    "household_ties",
    "street_order",
    "online_expected_degrees",
    "ties_within_groups",
    "sorted_unique",
]

LAYERS: tuple[str, ...] = ("household", "neighbour", "school_work", "association", "religious", "online", "contact")
"""Layer names; an edge's ``layer`` code is its index in this tuple. ``contact`` holds the
ties made by an intergroup-contact programme (empty in a new town)."""

#: Household size distribution, sizes 1..6 (CBS Statline 2020, the Netherlands; 5+ split).
HOUSEHOLD_SIZE_PROBABILITIES = np.array([0.38, 0.33, 0.12, 0.12, 0.04, 0.01])

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
    n_hoods = neighbourhood_count(n, residents_per_neighbourhood)
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

def sorted_unique(a: np.ndarray) -> np.ndarray:
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


def ties_within_groups(members: np.ndarray, groups: np.ndarray, mean_degree: float,
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
    (Holland, Laskey & Leinhardt 1983): see :func:`ties_within_groups`.

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
    kind[primary | secondary | student] = GroupKind.SCHOOL
    kind[worker] = GroupKind.WORK
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
    edges = ties_within_groups(members, gid, mean_degree, background, segregation, rng)
    return edges, members, gid.astype(np.int64), kind[has]


def association_ties(background: np.ndarray, memberships_mean: float, mean_degree: float,
                     segregation: float, rng: np.random.Generator, club_size: float = 30.0,
                     district: np.ndarray | None = None) -> tuple[Edges, np.ndarray, np.ndarray]:
    """Associations (sports and other clubs): a bipartite club-membership projection.

    Each resident joins ``Poisson(memberships_mean)`` clubs (at most 6). Every club
    has a background it leans to, drawn with the town's shares; with probability
    ``segregation`` a resident picks among clubs leaning to their own background,
    otherwise any club (the affiliation-network model of Breiger 1974 and
    Newman, Strogatz & Watts 2001). Ties inside a club are drawn by
    :func:`ties_within_groups`, so each membership brings about ``mean_degree`` ties.

    With ``district`` (one id per resident), clubs are drawn per district instead of
    town-wide (:func:`_district_clubs`): each district has its own clubs, leaning by the
    district's background shares, and residents join clubs of their own district.

    Returns edges and memberships ``(resident, club)``.
    """
    n = background.size
    k = np.minimum(rng.poisson(memberships_mean, n), 6)
    total = int(k.sum())
    if total == 0:
        empty = np.empty(0, np.int32)
        return (empty, empty), empty, np.empty(0, np.int64)
    n_bg = int(background.max()) + 1
    if district is not None:
        resident, club = _district_clubs(background, district.astype(np.int64), k, n_bg, segregation, rng, club_size)
        edges = ties_within_groups(resident, club, mean_degree, background, segregation, rng)
        return edges, resident, club
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
    pair = sorted_unique(resident.astype(np.int64) * n_clubs + club)
    resident, club = (pair // n_clubs).astype(np.int32), pair % n_clubs
    edges = ties_within_groups(resident, club, mean_degree, background, segregation, rng)
    return edges, resident, club


def _district_clubs(background: np.ndarray, district: np.ndarray, k: np.ndarray, n_bg: int, segregation: float,
                    rng: np.random.Generator, club_size: float) -> tuple[np.ndarray, np.ndarray]:
    """Club memberships drawn within each district (``k[i]`` memberships of resident ``i``): a district with
    ``m`` memberships has ``ceil(m / club_size)`` clubs, each leaning to a background drawn with the district's
    shares; with probability ``segregation`` a resident picks among its district's clubs leaning to its own
    background (any club of the district if there is none), otherwise any club of the district.

    Returns ``(resident, club)`` with global club ids, clubs of one district numbered together.
    """
    n_districts = int(district.max()) + 1
    resident = np.repeat(np.arange(background.size, dtype=np.int32), k)
    d = district[resident]
    clubs_per = np.ceil(np.bincount(d, minlength=n_districts) / club_size).astype(np.int64)
    first = np.cumsum(clubs_per) - clubs_per
    n_clubs = int(clubs_per.sum())
    club_district = np.repeat(np.arange(n_districts), clubs_per)
    counts = np.bincount(district * n_bg + background, minlength=n_districts * n_bg).reshape(n_districts, n_bg)
    cum = np.cumsum(counts, axis=1) / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    u_lean = rng.random(n_clubs)
    club_lean = np.minimum((u_lean[:, None] >= cum[club_district]).sum(axis=1), n_bg - 1)
    any_club = first[d] + np.minimum((rng.random(resident.size) * clubs_per[d]).astype(np.int64), clubs_per[d] - 1)
    key = club_district * n_bg + club_lean
    order = np.argsort(key, kind="stable")
    start = np.searchsorted(key[order], np.arange(n_districts * n_bg))
    count = np.bincount(key, minlength=n_districts * n_bg)
    mine = d * n_bg + background[resident]
    u_own = rng.random(resident.size)
    has_own = count[mine] > 0
    own = np.where(has_own, order[np.minimum(start[mine] + (u_own * count[mine]).astype(np.int64), n_clubs - 1)],
                   any_club)
    club = np.where(rng.random(resident.size) < segregation, own, any_club).astype(np.int64)
    pair = sorted_unique(resident.astype(np.int64) * n_clubs + club)      # a resident joins a club once
    return (pair // n_clubs).astype(np.int32), pair % n_clubs


def religious_ties(background: np.ndarray, neighbourhood: np.ndarray, participation: np.ndarray,
                   mean_degree: float, rng: np.random.Generator, congregation_size: float = 150.0
                   ) -> tuple[Edges, np.ndarray, np.ndarray]:
    """Religious communities: single-background congregations per district.

    A resident of background ``b`` belongs to a congregation with probability
    ``participation[b]``. Congregations are bonding groups (Putnam 2000): one
    background, drawn from a district of four neighbourhoods, split into groups of
    about ``congregation_size``. Ties inside by :func:`ties_within_groups`.
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
    edges = ties_within_groups(members, gid, mean_degree, background, 0.0, rng)
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
